"""Playwright mode (``saml_browser_driver = playwright``, implied by ``--autofill``): a driven browser.

Only a driver can fill a login form unattended and read the page to judge it
(:mod:`.flow`). Playwright always attaches over ``--remote-debugging-pipe``,
which sets ``navigator.webdriver`` and marks the browser as automated: Google
Workspace ("Couldn't sign you in - This browser or app may not be secure") and
other IdPs with anti-automation checks refuse this mode. Use it for plain
forms; the default mode (:mod:`.native`) is for everything else.

The IdP's session cookies, which a browser drops when it exits, are kept next
to the profile in a 0600 file so the IdP session outlives the browser here too.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.parse
from pathlib import Path
from typing import Callable, Iterable

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser.errors import (BrowserLaunchFailed, BrowserNotFound, NeedsUser, PlaywrightMissing,
                                          SignInTimeout)
from samlcreds.idp.browser.flow import Flow, Secrets
from samlcreds.idp.browser.launch import QUIET_ARGS
from samlcreds.idp.browser.locate import BrowserChoice, find_browser
from samlcreds.idp.browser.native import has_display, login_command
from samlcreds.idp.browser.profile import prepare_profile

SESSION_COOKIES_FILE = "samlcreds-session-cookies.json"
REFUSED_NOTE = ("Playwright mode (--autofill / saml_browser_driver = playwright) attaches a driver, which Google "
                "Workspace and other IdPs with anti-automation checks refuse; without it the default mode signs in "
                "with no driver.")


def import_playwright():
    """``playwright.sync_api.sync_playwright``; raises :class:`PlaywrightMissing` with the install command."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PlaywrightMissing(
            "the browser provider's Playwright mode (--autofill / saml_browser_driver = playwright) needs the "
            "Python package playwright, which is not installed",
            hint=f"Install it into the Python samlcreds runs on: {errors.pip_install_command('playwright>=1.45')} (no "
                 "browser download is needed when Chrome, Chromium or Edge is installed), or sign in without "
                 "--autofill (no driver needed).",
        ) from None
    return sync_playwright


def proxy_settings(environ: dict | None = None) -> dict | None:
    """Playwright's ``proxy`` from ``HTTPS_PROXY``/``https_proxy`` and ``NO_PROXY``/``no_proxy``."""
    env = os.environ if environ is None else environ
    server = (env.get("HTTPS_PROXY") or env.get("https_proxy") or "").strip()
    if not server:
        return None
    if "://" not in server:
        server = "http://" + server
    parts = urllib.parse.urlsplit(server)
    proxy: dict = {"server": f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")}
    if parts.username:
        proxy["username"] = urllib.parse.unquote(parts.username)
        proxy["password"] = urllib.parse.unquote(parts.password or "")
    bypass = (env.get("NO_PROXY") or env.get("no_proxy") or "").strip()
    if bypass:
        proxy["bypass"] = ",".join(p.strip() for p in bypass.split(",") if p.strip())
    return proxy


class PlaywrightSignIn:
    """One driven sign-in: headless first (or forced), then a window when the IdP needs the user."""

    def __init__(self, request: LoginRequest, profile: Path, *, extra_args: Iterable[str] = (),
                 on_request: Callable[[str], None] | None = None) -> None:
        self.request = request
        self.profile = profile
        self.extra_args = tuple(extra_args)
        self.on_request = on_request
        self.secrets = Secrets(request)
        self.pw = None
        self.choice: BrowserChoice | None = None

    def run(self) -> str:
        sync_playwright = import_playwright()
        try:
            self.pw = sync_playwright().start()
            bundled = None
            with contextlib.suppress(Exception):
                bundled = self.pw.chromium.executable_path
            self.choice = find_browser(self.request.browser, origin=self.request.browser_origin, bundled=bundled)
            try:
                return self._sign_in()
            except (errors.InteractionRequired, SignInTimeout) as exc:
                # A page that never leads on may be an IdP refusing the driven browser: say so.
                exc.hint = f"{exc.hint} {REFUSED_NOTE}" if exc.hint else REFUSED_NOTE
                raise
        finally:
            if self.pw is not None:
                with contextlib.suppress(Exception):
                    self.pw.stop()

    def _sign_in(self) -> str:
        request = self.request
        if request.headless is None:
            try:
                return self._attempt(headless=True, detect=True, idle_limit=True)
            except NeedsUser as need:
                if not request.interactive:
                    raise errors.InteractionRequired(
                        f"the IdP needs you to sign in ({need.reason}), and samlcreds is not running in a terminal",
                        hint=f"Run `{login_command(request)}` in a terminal once: a browser window opens to sign "
                             "in, and later sign-ins reuse the IdP session without one."
                             + ("" if request.autofill else " For plain user name/password forms, saml_autofill "
                                                            "(--autofill) can sign in without a window."),
                    ) from None
                self._require_display(need.reason)
            return self._attempt(headless=False, detect=False, idle_limit=False)
        if request.headless is False:
            self._require_display("a window was asked for (--no-headless)")
        try:
            return self._attempt(headless=bool(request.headless), detect=bool(request.headless), idle_limit=False)
        except NeedsUser as need:
            raise errors.InteractionRequired(
                f"the IdP needs you to sign in ({need.reason}), but headless mode (--headless) allows no window",
                hint="Run without --headless in a terminal to sign in in a window"
                     + ("." if request.autofill else ", or use saml_autofill (--autofill) for plain login forms."),
            ) from None

    def _require_display(self, reason: str) -> None:
        if not has_display():
            raise errors.InteractionRequired(
                f"the IdP needs you to sign in ({reason}), and there is no display for a browser window",
                hint="Run `samlcreds login` in a desktop session (DISPLAY or WAYLAND_DISPLAY set) once; later "
                     "sign-ins reuse the IdP session headless.",
            )

    def _attempt(self, *, headless: bool, detect: bool, idle_limit: bool) -> str:
        context = self._launch(headless)
        flow = None
        try:
            _restore_session_cookies(context, self.profile)
            flow = Flow(context, self.request, self.secrets, headless=headless, detect=detect,
                        idle_limit=idle_limit, on_request=self.on_request)
            return flow.run()
        except KeyboardInterrupt:
            context = None  # the driver may be gone mid-call: pw.stop() and the /proc sweep end the browser
            raise
        finally:
            if context is not None:
                if flow is None or not flow.closed:
                    _save_session_cookies(context, self.profile)
                with contextlib.suppress(Exception):
                    context.close()

    def _launch(self, headless: bool):
        from playwright.sync_api import Error as PlaywrightError

        prepare_profile(self.profile)
        options: dict = {
            "user_data_dir": str(self.profile),
            "headless": headless,
            "args": [*QUIET_ARGS, *self.extra_args],
            "service_workers": "block",
            "accept_downloads": False,
            "timeout": max(self.request.timeout, 30.0) * 1000,
        }
        choice = self.choice
        if choice.channel:
            options["channel"] = choice.channel
        else:
            options["executable_path"] = choice.executable_path
        if not headless:
            options["no_viewport"] = True
        proxy = proxy_settings()
        if proxy:
            options["proxy"] = proxy
        try:
            return self.pw.chromium.launch_persistent_context(**options)
        except PlaywrightError as exc:
            first = (str(exc).strip().splitlines() or ["unknown error"])[0][:300]
            if choice.channel and ("is not found" in str(exc) or "not found at" in str(exc)):
                raise BrowserNotFound(
                    f"{choice.description} is not installed ({first})",
                    hint="Install that browser, or set saml_browser to the path of an installed "
                         "Chrome/Chromium/Edge. samlcreds never downloads a browser.",
                ) from None
            raise BrowserLaunchFailed(
                f"the browser {choice.description} did not start: {first}",
                hint="Check --browser / saml_browser / SAMLCREDS_BROWSER; close other windows using the same profile.",
            ) from None


def _restore_session_cookies(context, profile: Path) -> None:
    path = profile / SESSION_COOKIES_FILE
    try:
        cookies = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(cookies, list) and cookies:
        with contextlib.suppress(Exception):
            context.add_cookies(cookies)


def _save_session_cookies(context, profile: Path) -> None:
    """Session cookies die with the browser; keep them (0600) so the IdP session outlives it, like a jar."""
    from samlcreds.safefile import atomic_write

    try:
        cookies = [c for c in context.cookies() if c.get("expires", -1) in (-1, None) or c.get("expires", 0) < 0]
    except Exception:
        return
    with contextlib.suppress(errors.SamlcredsError, OSError):
        atomic_write(profile / SESSION_COOKIES_FILE, json.dumps(cookies).encode("utf-8"), mode=0o600)
