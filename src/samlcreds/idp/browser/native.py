"""The default sign-in: the user's own browser with no driver, the SAMLResponse taken by the capture proxy.

One sign-in (:class:`NativeSignIn`):

1. a :class:`~.capture.CaptureProxy` starts on loopback with a throwaway TLS
   identity, and a PAC script sends only the AWS sign-in hosts to it;
2. the browser starts on the account's dedicated profile, headless first
   (``--headless=new``, which keeps ``navigator.webdriver`` false) when the
   IdP session may still be live;
3. when the IdP needs the user (no SAMLResponse within :data:`HEADLESS_SECONDS`),
   a window opens if samlcreds runs in a terminal with a display, else
   :class:`~samlcreds.errors.InteractionRequired` names ``samlcreds login``;
4. the browser is closed gracefully, no process of it is left, and the
   session-restore files and cache are deleted.

Without a driver samlcreds cannot read the IdP's pages: "the IdP needs the
user" is judged by time alone, and a wrong password is the user's to see in
the window.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Callable, Sequence

from samlcreds import errors
from samlcreds.idp.base import LoginRequest, how_to_give
from samlcreds.idp.browser.capture import CaptureProxy
from samlcreds.idp.browser.errors import BrowserClosed, NeedsUser, SignInTimeout
from samlcreds.idp.browser.launch import BrowserProcess, command_line
from samlcreds.idp.browser.pac import pac_data_url
from samlcreds.idp.browser.profile import prepare_profile, scrub_profile
from samlcreds.profile import quote_word

#: Headless attempt: without a SAMLResponse after this long, the IdP is taken to want the user.
HEADLESS_SECONDS = 15.0
#: A window stays open this long after the capture, so the user sees the "signed in" page.
SHOW_DONE_SECONDS = 1.0
POLL_SECONDS = 0.05

FLAG_BAR_NOTE = (
    "Chrome may show a bar saying it was started with an unsupported command-line flag "
    "(--ignore-certificate-errors-spki-list): samlcreds uses it so that the browser accepts samlcreds' own "
    "loopback certificate, which answers only for the AWS sign-in address and takes the SAMLResponse there "
    "(nothing is sent to AWS). Other sites' certificates are checked as usual."
)


def has_display(environ: dict | None = None, platform: str | None = None) -> bool:
    """Can a window open? On Linux/BSD only with ``DISPLAY`` or ``WAYLAND_DISPLAY``."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def login_command(request: LoginRequest) -> str:
    profile = getattr(request, "profile_name", None)
    return f"samlcreds login --profile {quote_word(profile)}" if profile else "samlcreds login"


class NativeSignIn:
    """Runs one sign-in; see the module docstring.

    ``executable``: the browser to start; ``extra_args``: appended to its
    command line (never secrets; driver flags are dropped). ``on_proxy(proxy)``
    is called with the capture proxy once it runs (tests read its log).
    """

    def __init__(self, request: LoginRequest, executable: str, description: str, profile: Path, *,
                 extra_args: Sequence[str] = (), on_proxy: Callable[[CaptureProxy], None] | None = None,
                 headless_seconds: float = HEADLESS_SECONDS, environ: dict | None = None) -> None:
        self.request = request
        self.executable = executable
        self.description = description
        self.profile = profile
        self.extra_args = tuple(extra_args)
        self.on_proxy = on_proxy
        self.headless_seconds = headless_seconds
        self.environ = os.environ if environ is None else environ

    def run(self) -> str:
        parts = urllib.parse.urlsplit(self.request.url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise errors.UsageError(f"the sign-in URL ({self.request.url_named}) is not an http(s) URL",
                                    hint=f"{how_to_give(self.request.url_named)} the IdP's https:// sign-in URL "
                                    "for AWS.")
        with CaptureProxy() as proxy:
            if self.on_proxy is not None:
                self.on_proxy(proxy)
            return self._sign_in(proxy)

    def _sign_in(self, proxy: CaptureProxy) -> str:
        request = self.request
        if request.headless is False:
            self._require_display("a window was asked for (--no-headless)")
            return self._attempt(proxy, headless=False)
        if request.headless is None and request.interactive and has_display(self.environ) and self._fresh():
            self._notify_window()  # a profile that never held a session: the IdP surely wants the user
            return self._attempt(proxy, headless=False)
        try:
            return self._attempt(proxy, headless=True)
        except NeedsUser as need:
            if request.headless:
                raise errors.InteractionRequired(
                    f"the IdP needs you to sign in ({need.reason}), but headless mode (--headless) allows no window",
                    hint=f"Run `{login_command(request)}` without --headless in a terminal to sign in in a window.",
                ) from None
            if not request.interactive:
                raise errors.InteractionRequired(
                    f"the IdP needs you to sign in ({need.reason}), and samlcreds is not running in a terminal",
                    hint=f"Run `{login_command(request)}` in a terminal once: a browser window opens to sign in, "
                         "and later sign-ins reuse the IdP session without one.",
                ) from None
            self._require_display(need.reason)
        self._notify_window()
        return self._attempt(proxy, headless=False)

    def _fresh(self) -> bool:
        """Has this profile never stored a cookie (a first sign-in)?"""
        return not (self.profile / "Default" / "Cookies").exists()

    def _notify_window(self) -> None:
        host = urllib.parse.urlsplit(self.request.url or "").netloc
        self.request.notify(f"Opening a browser window to sign in at {host}. {FLAG_BAR_NOTE}")

    def _require_display(self, reason: str) -> None:
        if not has_display(self.environ):
            raise errors.InteractionRequired(
                f"the IdP needs you to sign in ({reason}), and there is no display for a browser window",
                hint=f"Run `{login_command(self.request)}` in a desktop session (DISPLAY or WAYLAND_DISPLAY set) "
                     "once; later sign-ins reuse the IdP session headless.",
            )

    def _attempt(self, proxy: CaptureProxy, *, headless: bool) -> str:
        request = self.request
        prepare_profile(self.profile)
        argv = command_line(self.executable, self.profile, pac_url=pac_data_url(proxy.port, self.environ),
                            spki_pin=proxy.spki_sha256, url=request.url, headless=headless,
                            extra_args=self.extra_args)
        started = time.monotonic()
        limit = min(self.headless_seconds, request.timeout) if headless else request.timeout
        browser = BrowserProcess(argv, self.profile, description=self.description)
        try:
            browser.check_started()
            while True:
                value = proxy.wait(POLL_SECONDS)
                if value:
                    if not headless:
                        time.sleep(SHOW_DONE_SECONDS)
                    return value
                self._check_refused(proxy, request.url_named)
                if not browser.alive():
                    if headless:
                        raise NeedsUser("the headless browser ended without signing in")
                    raise BrowserClosed(
                        "the browser was closed before the sign-in finished",
                        hint=f"Run `{login_command(request)}` again and finish signing in in the browser window.",
                    )
                if time.monotonic() - started >= limit:
                    if headless:
                        raise NeedsUser(f"no SAMLResponse within {limit:g} s without a window")
                    host = urllib.parse.urlsplit(request.url or "").netloc
                    raise SignInTimeout(
                        f"no SAMLResponse arrived within {limit:g} s (the sign-in started at {host})",
                        hint="Finish signing in sooner or raise the timeout (--timeout / saml_timeout); check the "
                             f"sign-in URL ({request.url_named}).",
                    )
        finally:
            browser.close()
            scrub_profile(self.profile)

    @staticmethod
    def _check_refused(proxy: CaptureProxy, url_named: str) -> None:
        for seen in list(proxy.log):
            if seen.status == 404 and seen.path.startswith("/saml"):
                raise errors.LoginFlowError(
                    "the IdP sent the browser to AWS sign-in without a SAMLResponse",
                    hint=f"Check that the sign-in URL ({url_named}) is the IdP's SAML app for AWS.",
                )
