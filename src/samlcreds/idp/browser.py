"""The ``browser`` provider: sign in with a real Chrome/Chromium/Edge driven by Playwright.

The user signs in however the IdP requires (JavaScript, MFA, passkeys, SSO
redirects...). samlcreds only watches for the one request that matters: the
browser POSTing ``SAMLResponse`` to an AWS sign-in SAML endpoint
(``https://signin.aws.amazon.com/saml``, regional hosts, ``/saml/acs/<id>``,
GovCloud, China; see :func:`samlcreds.aws.parse_signin_url`). That request is
answered inside the browser with a short "you can close this window" page, so
the assertion never reaches AWS, and its form body gives the SAMLResponse.
No IdP-specific selectors are involved.

* **Browser**: ``saml_browser`` (an executable path, or a channel name
  ``chrome``/``msedge``/``chromium``), else ``SAMLCREDS_BROWSER``, else the
  system's Chrome/Chromium/Edge (PATH and standard locations), else Playwright's
  own bundled Chromium if it is installed. Nothing is ever downloaded.
* **Profile**: one persistent browser profile per IdP host and user name in
  ``state_dir/browser-<hash>`` (0700), so later sign-ins reuse the IdP session.
  Session cookies (which a browser drops when it exits) are kept next to it in a
  0600 file for the same reason.
* **Headless first** (``headless=None``): the sign-in is tried without a window;
  when the IdP session is live the SAMLResponse arrives by itself. When a page
  needs the user (a visible form field and no SAMLResponse after the page
  settled, or nothing happening for a while), a window opens if samlcreds runs
  in a terminal, else :class:`~samlcreds.errors.InteractionRequired` is raised.
* **Auto-fill** (``autofill=True``, off by default): plain HTML forms get the
  user name and password (identifier-first pages too); the password is asked
  for only when a password field is shown. The login form coming back after the
  password raises :class:`~samlcreds.errors.InvalidCredentials`.

The browser never outlives a sign-in: the context is closed in ``finally``, the
Playwright driver is stopped, and on Linux any process still using the profile
is killed. Passwords and SAMLResponses are never logged, put in argv or saved;
no screenshots are taken.
"""

from __future__ import annotations

import contextlib
import email.parser
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Iterable

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.aws import SIGNIN_HOSTS, parse_signin_url

#: Playwright channel names (the browser must already be installed).
CHANNELS = ("chrome", "chrome-beta", "chrome-dev", "chrome-canary",
            "msedge", "msedge-beta", "msedge-dev", "msedge-canary")
#: Executable names looked up on PATH, in this order.
PATH_NAMES = ("google-chrome", "google-chrome-stable", "chromium", "chromium-browser",
              "microsoft-edge", "microsoft-edge-stable", "chrome", "msedge")
CHROMIUM_NAMES = ("chromium", "chromium-browser")
#: Standard install locations, per platform.
STANDARD_LOCATIONS = {
    "linux": ("/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome",
              "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium",
              "/usr/bin/microsoft-edge", "/usr/bin/microsoft-edge-stable", "/opt/microsoft/msedge/msedge"),
    "darwin": ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
               "/Applications/Chromium.app/Contents/MacOS/Chromium",
               "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
               "~/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
               "~/Applications/Chromium.app/Contents/MacOS/Chromium",
               "~/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    "win32": (r"%ProgramFiles%\Google\Chrome\Application\chrome.exe",
              r"%ProgramFiles(x86)%\Google\Chrome\Application\chrome.exe",
              r"%LocalAppData%\Google\Chrome\Application\chrome.exe",
              r"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe",
              r"%ProgramFiles%\Microsoft\Edge\Application\msedge.exe",
              r"%LocalAppData%\Chromium\Application\chrome.exe"),
}
#: Keep Chromium from calling Google services on its own.
LAUNCH_ARGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--no-default-browser-check", "--disable-default-apps",
               "--disable-domain-reliability", "--disable-client-side-phishing-detection")

#: A page counts as settled after this long without navigation or form changes.
SETTLE_SECONDS = 1.5
#: Headless (``headless=None``): a page without any form field that does not
#: lead to a SAMLResponse within this long is taken to need the user.
HEADLESS_IDLE_SECONDS = 15.0
#: After auto-fill submits, how long to wait for the IdP to answer before judging the page.
SUBMIT_WAIT_SECONDS = 10.0
#: Waiting for a browser profile that another samlcreds process is using.
PROFILE_LOCK_SECONDS = 120.0
POLL_MS = 100
SESSION_COOKIES_FILE = "samlcreds-session-cookies.json"

DONE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>samlcreds: signed in</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>Signed in</h1><p>samlcreds received the sign-in. You can close this window.</p>
</body></html>"""
STOP_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>samlcreds</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; margin: 3em">
<p>samlcreds stopped this request to AWS sign-in: it carried no SAMLResponse.</p>
</body></html>"""


# --- errors ---------------------------------------------------------------
class PlaywrightMissing(errors.UsageError):
    """The ``playwright`` package is not installed."""


class BrowserNotFound(errors.UsageError):
    """No Chrome/Chromium/Edge to drive was found (nothing is downloaded)."""


class BrowserLaunchFailed(errors.UsageError):
    """The browser was found but did not start."""


class BrowserClosed(errors.AuthenticationError):
    """The browser window (or the browser) was closed before the sign-in finished."""


class SignInTimeout(errors.AuthenticationError):
    """No SAMLResponse arrived within the timeout."""


class _NeedsUser(Exception):
    """Internal: the headless attempt found a page that needs the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- browser choice -------------------------------------------------------
@dataclass(frozen=True)
class BrowserChoice:
    """What to launch: an executable path or a Playwright channel; ``description`` for messages."""

    executable_path: str | None
    channel: str | None
    description: str


def find_browser(configured: str | None = None, *, environ: dict | None = None,
                 bundled: str | None = None, platform: str | None = None) -> BrowserChoice:
    """Choose the browser to drive.

    ``configured`` (``saml_browser``), else ``SAMLCREDS_BROWSER`` in ``environ``:
    an executable path, a name on PATH, or a channel (``chrome``, ``msedge``,
    ``chromium``; ``chromium`` means a system Chromium, else Playwright's).
    Without one: Chrome/Chromium/Edge on PATH or in the platform's standard
    locations, then ``bundled`` (Playwright's own Chromium) when it exists.
    Raises :class:`BrowserNotFound` naming what was looked for.
    """
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    wanted = (configured or env.get("SAMLCREDS_BROWSER") or "").strip()
    if wanted:
        return _configured_browser(wanted, env, bundled, platform)
    looked: list[str] = []
    for name in PATH_NAMES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return BrowserChoice(found, None, found)
    looked.append("PATH (" + ", ".join(PATH_NAMES) + ")")
    for location in _standard_locations(platform, env):
        if _is_executable(location):
            return BrowserChoice(location, None, location)
        looked.append(location)
    if bundled and _is_executable(bundled):
        return BrowserChoice(bundled, None, f"Playwright's Chromium ({bundled})")
    looked.append("Playwright's bundled Chromium (not installed)")
    raise BrowserNotFound(
        "no Chrome, Chromium or Edge browser was found for the browser provider; looked in: " + "; ".join(looked),
        hint="Install Google Chrome, Chromium or Microsoft Edge, or point samlcreds at one: "
             "saml_browser = /path/to/chrome in the profile, --browser PATH, or SAMLCREDS_BROWSER.",
    )


def _configured_browser(wanted: str, env, bundled: str | None, platform: str) -> BrowserChoice:
    if wanted.lower() == "chromium":
        for name in CHROMIUM_NAMES:
            found = shutil.which(name, path=env.get("PATH"))
            if found:
                return BrowserChoice(found, None, found)
        for location in _standard_locations(platform, env):
            if "chromium" in location.lower() and _is_executable(location):
                return BrowserChoice(location, None, location)
        if bundled and _is_executable(bundled):
            return BrowserChoice(bundled, None, f"Playwright's Chromium ({bundled})")
        raise BrowserNotFound(
            "saml_browser is 'chromium', but no Chromium was found on PATH, in the standard locations "
            "or as Playwright's bundled browser",
            hint="Install Chromium (e.g. apt-get install chromium), or set saml_browser to a browser's path.",
        )
    if wanted.lower() in CHANNELS:
        return BrowserChoice(None, wanted.lower(), f"the installed {wanted.lower()} (Playwright channel)")
    path = os.path.expandvars(os.path.expanduser(wanted))
    if os.sep in path or (os.altsep and os.altsep in path):
        if _is_executable(path):
            return BrowserChoice(path, None, path)
        raise BrowserNotFound(
            f"the browser {wanted!r} (saml_browser / SAMLCREDS_BROWSER) does not exist or is not executable",
            hint="Set saml_browser to the path of a Chrome/Chromium/Edge executable, or to chrome, msedge or chromium.",
        )
    found = shutil.which(path, path=env.get("PATH"))
    if found:
        return BrowserChoice(found, None, found)
    raise BrowserNotFound(
        f"the browser {wanted!r} (saml_browser / SAMLCREDS_BROWSER) is not a known channel "
        f"({', '.join(CHANNELS)}, chromium) and was not found on PATH",
        hint="Set saml_browser to the full path of a Chrome/Chromium/Edge executable.",
    )


def _standard_locations(platform: str, env) -> list[str]:
    key = "win32" if platform.startswith("win") else "darwin" if platform == "darwin" else "linux"
    out = []
    for location in STANDARD_LOCATIONS[key]:
        if key == "win32":
            location = re.sub(r"%([^%]+)%", lambda m: env.get(m.group(1), m.group(0)), location)
            if "%" in location:
                continue
        out.append(os.path.expanduser(location))
    return out


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


# --- profile, proxy -------------------------------------------------------
def profile_dir(request: LoginRequest) -> Path | None:
    """``state_dir/browser-<hash of IdP host and user name>``, or ``None`` without a state_dir."""
    if request.state_dir is None or not request.url:
        return None
    host = urllib.parse.urlsplit(request.url).netloc.lower()
    key = hashlib.sha256(f"{host}\0{request.username or ''}".encode()).hexdigest()[:16]
    return Path(request.state_dir) / f"browser-{key}"


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


def _has_display(environ=None) -> bool:
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _is_aws_signin_host(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return any(host == base or host.endswith("." + base) for base in SIGNIN_HOSTS)


def saml_response_from_body(body: bytes | None, content_type: str | None = None, query: str = "") -> str | None:
    """The ``SAMLResponse`` value of a form POST body (url-encoded or multipart), else of ``query``."""
    values: list[str] = []
    ctype = (content_type or "").lower()
    if body:
        if ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser().parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
            for part in message.get_payload() if message.is_multipart() else ():
                if part.get_param("name", header="content-disposition") == "SAMLResponse":
                    payload = part.get_payload(decode=True) or b""
                    values.append(payload.decode("utf-8", "replace"))
        else:
            values = urllib.parse.parse_qs(body.decode("latin-1"), keep_blank_values=False).get("SAMLResponse", [])
    if not values and query:
        values = urllib.parse.parse_qs(query).get("SAMLResponse", [])
    for value in values:
        if value.strip():
            return value.strip()
    return None


# --- the provider -----------------------------------------------------------
class BrowserProvider:
    """Signs in in a real browser and intercepts the SAMLResponse; see the module docstring.

    ``on_request(url)`` (for tests and debugging) is called with the URL of
    every request the browser makes. ``extra_args`` are appended to the
    browser's command line (never put secrets there).
    """

    METHOD: ClassVar[str] = "browser"

    def __init__(self, *, on_request: Callable[[str], None] | None = None, extra_args: Iterable[str] = ()) -> None:
        self._on_request = on_request
        self._extra_args = tuple(extra_args)

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """Return the base64 SAMLResponse the IdP made the browser post to AWS.

        Raises :class:`PlaywrightMissing`, :class:`BrowserNotFound` or
        :class:`BrowserLaunchFailed` (usage), :class:`~samlcreds.errors.InteractionRequired`
        when the IdP needs the user and there is no terminal or display,
        :class:`BrowserClosed`, :class:`SignInTimeout`,
        :class:`~samlcreds.errors.InvalidCredentials` (auto-fill) and
        :class:`~samlcreds.errors.IdpUnreachable`.
        """
        if not request.url:
            raise errors.UsageError("no IdP sign-in URL is configured",
                                    hint="Pass --url or set saml_url in the profile (samlcreds configure).")
        sync_playwright = _import_playwright()
        profile = profile_dir(request)
        temporary = profile is None
        if temporary:
            profile = Path(tempfile.mkdtemp(prefix="samlcreds-browser-"))
        else:
            from samlcreds.inifile import ensure_private_dir

            ensure_private_dir(profile)
            with contextlib.suppress(OSError):
                os.chmod(profile, 0o700)
        lock = _profile_lock(profile)
        scrub_profile(profile)  # in case an earlier run was killed before its own clean-up
        try:
            pw = None
            try:
                pw = sync_playwright().start()
                bundled = _bundled_chromium(pw)
                choice = find_browser(request.browser, bundled=bundled)
                secrets = _Secrets(request)
                run = _Runner(self, pw, choice, profile, request, secrets)
                return run.sign_in()
            finally:
                if pw is not None:
                    with contextlib.suppress(Exception):
                        pw.stop()
                _kill_profile_processes(profile)
                scrub_profile(profile)
        finally:
            lock.release()
            if temporary:
                shutil.rmtree(profile, ignore_errors=True)


#: Chromium's session-restore files keep the POST bodies of the tabs' history,
#: i.e. the SAMLResponse form; they are deleted after every sign-in.
SESSION_RESTORE_FILES = ("Sessions", "Current Session", "Current Tabs", "Last Session", "Last Tabs")


def scrub_profile(profile: Path) -> None:
    """Delete what in a browser profile could hold a SAMLResponse (session-restore data)."""
    for base in (profile, *profile.glob("Default"), *profile.glob("Profile *")):
        for name in SESSION_RESTORE_FILES:
            path = base / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                with contextlib.suppress(OSError):
                    path.unlink()


def _import_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PlaywrightMissing(
            "the browser provider needs the Python package playwright, which is not installed",
            hint="Install it with: pip install 'samlcreds[browser]' (no browser download is needed "
                 "when Chrome, Chromium or Edge is installed).",
        ) from None
    return sync_playwright


def _bundled_chromium(pw) -> str | None:
    with contextlib.suppress(Exception):
        return pw.chromium.executable_path
    return None


class _ProfileLock:
    def __init__(self, lock) -> None:
        self._lock = lock

    def release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(Exception):
                self._lock.release()


def _profile_lock(profile: Path) -> _ProfileLock:
    """Only one samlcreds at a time may drive a profile (Chromium would refuse the second)."""
    import filelock

    lock = filelock.FileLock(str(profile) + ".lock")
    try:
        lock.acquire(timeout=PROFILE_LOCK_SECONDS)
    except filelock.Timeout:
        raise errors.AuthenticationError(
            f"another samlcreds sign-in has been using the browser profile for over {PROFILE_LOCK_SECONDS:g} s",
            hint="Finish or close the other sign-in (its browser window), then try again.",
        ) from None
    return _ProfileLock(lock)


def _kill_profile_processes(profile: Path) -> None:
    """Linux: kill any process still running with ``--user-data-dir=<profile>`` (ours, by its unique path)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    marker = f"--user-data-dir={profile}".encode()
    me = os.getpid()
    for _ in range(2):
        victims = []
        for entry in proc.iterdir():
            if not entry.name.isdigit() or int(entry.name) == me:
                continue
            try:
                # Chromium's helpers rewrite their argv into one space-separated string.
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ") + b" "
            except OSError:
                continue
            if marker + b" " in cmdline:
                victims.append(int(entry.name))
        if not victims:
            return
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


class _Secrets:
    """The password, asked for at most once per sign-in and kept only in memory."""

    def __init__(self, request: LoginRequest) -> None:
        self._request = request
        self._password: str | None = None

    def password(self, prompt: str) -> str:
        if self._password is None:
            self._password = self._request.get_password(prompt)
        return self._password


class _Runner:
    """One sign-in: headless first (or forced), then a window when the IdP needs the user."""

    def __init__(self, provider: BrowserProvider, pw, choice: BrowserChoice, profile: Path,
                 request: LoginRequest, secrets: _Secrets) -> None:
        self.provider = provider
        self.pw = pw
        self.choice = choice
        self.profile = profile
        self.request = request
        self.secrets = secrets

    def sign_in(self) -> str:
        request = self.request
        if request.headless is None:
            try:
                return self._attempt(headless=True, detect=True, idle_limit=True)
            except _NeedsUser as need:
                if not request.interactive:
                    raise errors.InteractionRequired(
                        f"the IdP needs you to sign in ({need.reason}), and samlcreds is not running in a terminal",
                        hint="Run `samlcreds login` in a terminal once: a browser window opens to sign in, and "
                             "later sign-ins reuse the IdP session without one."
                             + ("" if request.autofill else " For plain user name/password forms, saml_autofill "
                                                            "(--autofill) can sign in without a window."),
                    ) from None
                self._require_display(need.reason)
            return self._attempt(headless=False, detect=False, idle_limit=False)
        if request.headless is False:
            self._require_display("a window was asked for (--no-headless)")
        try:
            return self._attempt(headless=bool(request.headless), detect=bool(request.headless), idle_limit=False)
        except _NeedsUser as need:
            raise errors.InteractionRequired(
                f"the IdP needs you to sign in ({need.reason}), but headless mode (--headless) allows no window",
                hint="Run without --headless in a terminal to sign in in a window"
                     + ("." if request.autofill else ", or use saml_autofill (--autofill) for plain login forms."),
            ) from None

    def _require_display(self, reason: str) -> None:
        if not _has_display():
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
            flow = _Flow(context, self.request, self.secrets, headless=headless, detect=detect,
                         idle_limit=idle_limit, on_request=self.provider._on_request)
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

        _disable_password_saving(self.profile)
        options: dict = {
            "user_data_dir": str(self.profile),
            "headless": headless,
            "args": [*LAUNCH_ARGS, *self.provider._extra_args],
            "service_workers": "block",
            "accept_downloads": False,
            "timeout": max(self.request.timeout, 30.0) * 1000,
        }
        if self.choice.channel:
            options["channel"] = self.choice.channel
        else:
            options["executable_path"] = self.choice.executable_path
        if not headless:
            options["no_viewport"] = True
        proxy = proxy_settings()
        if proxy:
            options["proxy"] = proxy
        try:
            return self.pw.chromium.launch_persistent_context(**options)
        except PlaywrightError as exc:
            first = (str(exc).strip().splitlines() or ["unknown error"])[0][:300]
            if self.choice.channel and ("is not found" in str(exc) or "not found at" in str(exc)):
                raise BrowserNotFound(
                    f"{self.choice.description} is not installed ({first})",
                    hint="Install that browser, or set saml_browser to the path of an installed "
                         "Chrome/Chromium/Edge. samlcreds never downloads a browser.",
                ) from None
            raise BrowserLaunchFailed(
                f"the browser {self.choice.description} did not start: {first}",
                hint="Check saml_browser / SAMLCREDS_BROWSER; close other windows using the same profile.",
            ) from None


def _disable_password_saving(profile: Path) -> None:
    """Keep Chromium's password manager from storing what auto-fill or the user types."""
    prefs_path = profile / "Default" / "Preferences"
    try:
        prefs = json.loads(prefs_path.read_text(encoding="utf-8")) if prefs_path.exists() else {}
        if not isinstance(prefs, dict):
            prefs = {}
    except (OSError, ValueError):
        prefs = {}
    if prefs.get("credentials_enable_service") is False and \
            (prefs.get("profile") or {}).get("password_manager_enabled") is False:
        return
    prefs["credentials_enable_service"] = False
    prefs.setdefault("profile", {})
    if isinstance(prefs["profile"], dict):
        prefs["profile"]["password_manager_enabled"] = False
    with contextlib.suppress(OSError):
        prefs_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        prefs_path.write_text(json.dumps(prefs), encoding="utf-8")


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
    from samlcreds.inifile import atomic_write

    try:
        cookies = [c for c in context.cookies() if c.get("expires", -1) in (-1, None) or c.get("expires", 0) < 0]
    except Exception:
        return
    with contextlib.suppress(errors.SamlcredsError, OSError):
        atomic_write(profile / SESSION_COOKIES_FILE, json.dumps(cookies).encode("utf-8"), mode=0o600)


# --- one browser session ------------------------------------------------------
_INSPECT_JS = r"""
(sel) => {
  const typeOf = (el) => (el.getAttribute('type') || 'text').toLowerCase();
  const visible = (el) => {
    if (!el || el.disabled) return false;
    const s = window.getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || parseFloat(s.opacity || '1') === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  for (const el of document.querySelectorAll('[data-samlcreds]')) el.removeAttribute('data-samlcreds');
  const skip = ['hidden', 'submit', 'button', 'image', 'reset', 'checkbox', 'radio', 'file', 'range', 'color'];
  const fields = Array.from(document.querySelectorAll('input, textarea, select')).filter(
    (el) => visible(el) && !(el.tagName === 'INPUT' && skip.includes(typeOf(el))));
  const textTypes = ['text', 'email', 'tel', ''];
  const texts = fields.filter((el) => el.tagName === 'INPUT' && textTypes.includes(typeOf(el)) && !el.readOnly);
  const label = (el) => [el.name, el.id, el.getAttribute('autocomplete'), el.getAttribute('aria-label'),
                         el.getAttribute('placeholder'), typeOf(el)].join(' ');
  const userHint = /user|login|email|mail|name|ident|account|principal|upn/i;
  const notUser = /otp|code|token|pin|passcode|captcha|search/i;
  const pick = (selector) => { try { const el = document.querySelector(selector); return visible(el) ? el : null; }
                               catch (e) { return null; } };
  let password = sel.password ? pick(sel.password)
    : fields.find((el) => el.tagName === 'INPUT' && typeOf(el) === 'password' && !el.readOnly) || null;
  let user = null, userLike = false;
  if (sel.username) { user = pick(sel.username); userLike = !!user; }
  else {
    const scope = password && password.form ? texts.filter((el) => el.form === password.form) : texts;
    user = scope.find((el) => userHint.test(label(el)) && !notUser.test(label(el))) || null;
    userLike = !!user;
    if (!user && password && password.form) user = scope.find((el) => !notUser.test(label(el))) || null;
    if (!user && !password) user = texts.find((el) => !notUser.test(label(el))) || null;
  }
  if (password) password.setAttribute('data-samlcreds', 'password');
  if (user) user.setAttribute('data-samlcreds', 'username');
  const focus = password || user;
  const form = focus ? focus.form : null;
  let submit = null;
  if (sel.submit) submit = pick(sel.submit);
  else {
    const root = form || document;
    const buttons = Array.from(root.querySelectorAll('button, input[type=submit], input[type=image]')).filter(visible);
    submit = buttons.find((b) => (b.getAttribute('type') || 'submit').toLowerCase() === 'submit') || null;
  }
  if (submit) submit.setAttribute('data-samlcreds', 'submit');
  return {
    ready: document.readyState,
    fields: fields.length,
    password: !!password,
    user: !!user,
    userLike: userLike,
    userValue: user ? user.value : null,
    inForm: !!form,
    submit: !!submit,
    signature: fields.map((el) => el.tagName + ':' + typeOf(el) + ':' + (el.name || el.id || '')).join('|'),
  };
}
"""


class _Flow:
    """Watches one browser context until the SAMLResponse is captured (or it fails)."""

    def __init__(self, context, request: LoginRequest, secrets: _Secrets, *, headless: bool, detect: bool,
                 idle_limit: bool, on_request: Callable[[str], None] | None) -> None:
        self.context = context
        self.request = request
        self.secrets = secrets
        self.headless = headless
        self.detect = detect
        self.idle_limit = idle_limit
        self.on_request = on_request
        self.saml: str | None = None
        self.failure: errors.SamlcredsError | None = None
        self.closed = False
        now = time.monotonic()
        self.started = now
        self.last_change = now
        self.nav_count = 0
        self.signature: str | None = None
        self.username_sent = False
        self.password_sent = False
        self.submitted_at: float | None = None
        self.submitted_nav = 0
        self.submitted_signature: str | None = None
        self.last_host = urllib.parse.urlsplit(request.url or "").netloc

    # ----------------------------------------------------------- events
    def _on_close(self, *_args) -> None:
        self.closed = True

    def _watch(self, page) -> None:
        page.on("framenavigated", lambda frame: self._navigated(page, frame))
        page.on("load", lambda *_: self._touch())
        page.on("domcontentloaded", lambda *_: self._touch())

    def _navigated(self, page, frame) -> None:
        self._touch()
        if frame == page.main_frame:
            self.nav_count += 1
            host = urllib.parse.urlsplit(frame.url).netloc
            if host and not _is_aws_signin_host(frame.url):
                self.last_host = host

    def _touch(self) -> None:
        self.last_change = time.monotonic()

    def _intercept(self, route) -> None:
        req = route.request
        value = None
        if parse_signin_url(req.url) is not None:
            with contextlib.suppress(Exception):
                value = saml_response_from_body(req.post_data_buffer, req.headers.get("content-type"),
                                                urllib.parse.urlsplit(req.url).query)
        if value:
            if self.saml is None:
                self.saml = value
            with contextlib.suppress(Exception):
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=DONE_PAGE)
            return
        if req.is_navigation_request() and req.frame == req.frame.page.main_frame and self.saml is None:
            self.failure = errors.LoginFlowError(
                "the IdP sent the browser to AWS sign-in without a SAMLResponse",
                hint="Check that the sign-in URL (saml_url) is the IdP's SAML app for AWS.",
            )
            with contextlib.suppress(Exception):
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=STOP_PAGE)
            return
        with contextlib.suppress(Exception):
            route.abort("blockedbyclient")

    # ------------------------------------------------------------- loop
    def run(self) -> str:
        from playwright.sync_api import Error as PlaywrightError

        context = self.context
        context.on("close", self._on_close)
        context.on("page", self._watch)
        if self.on_request is not None:
            hook = self.on_request
            context.on("request", lambda req: hook(req.url))
        context.route(_is_aws_signin_host, self._intercept)
        pages = [p for p in context.pages if not p.is_closed()]
        page = pages[0] if pages else context.new_page()
        for extra in context.pages:
            self._watch(extra)
        limit = self.request.timeout
        deadline = self.started + limit
        try:
            page.goto(self.request.url, wait_until="commit", timeout=max(limit, 1.0) * 1000)
        except PlaywrightError as exc:
            self._goto_failed(exc)
        while True:
            if self.saml is not None:
                return self.saml
            if self.failure is not None:
                raise self.failure
            if self.closed:
                raise self._closed_error()
            now = time.monotonic()
            if now >= deadline:
                raise SignInTimeout(
                    f"no SAMLResponse arrived within {limit:g} s"
                    + (f" (last page at {self.last_host})" if self.last_host else ""),
                    hint="Finish signing in sooner or raise the timeout (--timeout / saml_timeout); check the "
                         "sign-in URL (saml_url).",
                )
            self._step(now)
            if self.saml is None and self.failure is None:
                self._pump()

    def _goto_failed(self, exc) -> None:
        if self.saml is not None or self.closed:
            return
        text = str(exc)
        match = re.search(r"net::ERR_[A-Z_]+", text)
        if match and match.group(0) != "net::ERR_ABORTED":
            host = urllib.parse.urlsplit(self.request.url).netloc
            raise errors.IdpUnreachable(
                f"could not load the IdP sign-in page at {host} ({match.group(0)})",
                hint="Check the URL (saml_url), the network and proxy settings (HTTPS_PROXY).",
            ) from None
        if "Timeout" in type(exc).__name__ or "Timeout" in text:
            return  # the loop reports the timeout
        # navigation interrupted by a redirect or the auto-posting form: keep watching

    def _pump(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.context.wait_for_event("close", timeout=POLL_MS)
            self.closed = True
        except PlaywrightError:
            pass  # TimeoutError (the usual case) or the browser going away (seen through events)

    def _closed_error(self) -> BrowserClosed:
        return BrowserClosed(
            "the browser was closed before the sign-in finished",
            hint="Run samlcreds login again and finish signing in in the browser window.",
        )

    def _active_page(self):
        pages = [p for p in self.context.pages if not p.is_closed()]
        return pages[-1] if pages else None

    # ------------------------------------------------------- judge a page
    def _step(self, now: float) -> None:
        from playwright.sync_api import Error as PlaywrightError

        page = self._active_page()
        if page is None:
            self.closed = True
            return
        try:
            frame, info = self._inspect(page)
        except PlaywrightError:
            return  # navigating: the next tick looks again
        if info is None:
            return
        if info["signature"] != self.signature:
            self.signature = info["signature"]
            self.last_change = now
        settled = info["ready"] == "complete" and now - self.last_change >= SETTLE_SECONDS
        if self.request.autofill and info["ready"] != "loading" and self._answered(info, now, settled):
            try:
                if self._autofill(page, frame, info):
                    return
            except PlaywrightError:
                return
        if not self.detect or not settled or self.saml is not None:
            return
        if self.submitted_at is not None and not self._answered(info, now, settled):
            return
        if info["fields"]:
            what = "the IdP's page asks for input"
            if info["password"] and not self.request.autofill:
                what = "the IdP asks for a password"
            raise _NeedsUser(what)
        if self.idle_limit and now - self.last_change >= min(HEADLESS_IDLE_SECONDS, self.request.timeout):
            raise _NeedsUser("the IdP's page did not lead to AWS without interaction")

    def _inspect(self, page):
        """The first frame showing a form field (main frame first), with what the inspection found."""
        selectors = {"username": self.request.username_selector, "password": self.request.password_selector,
                     "submit": self.request.submit_selector}
        main = page.main_frame
        frames = [main, *[f for f in page.frames if f != main]]
        first_info = None
        for frame in frames:
            try:
                info = frame.evaluate(_INSPECT_JS, selectors)
            except Exception:
                if frame == main:
                    raise
                continue
            if frame == main:
                first_info = info
            if info and info["fields"]:
                if frame != main:
                    info["ready"] = first_info["ready"] if first_info else info["ready"]
                return frame, info
        return main, first_info

    def _answered(self, info: dict, now: float, settled: bool) -> bool:
        """After an auto-fill submit: did the IdP answer (navigation, changed form, or waited long enough)?"""
        if self.submitted_at is None:
            return True
        if self.nav_count != self.submitted_nav and info["ready"] == "complete":
            return settled or info["signature"] != self.submitted_signature
        if info["signature"] != self.submitted_signature:
            return True
        return now - self.submitted_at >= SUBMIT_WAIT_SECONDS

    # ------------------------------------------------------------ auto-fill
    def _autofill(self, page, frame, info: dict) -> bool:
        """Fill and submit a login form; ``True`` when something was submitted."""
        username = self.request.username
        host = urllib.parse.urlsplit(frame.url).netloc or self.last_host
        if info["password"]:
            if self.password_sent:
                raise errors.InvalidCredentials(
                    f"the IdP at {host} showed its login form again: the user name or password was refused",
                    hint="Check the user name (--username / saml_username) and password, then try again.",
                )
            if info["user"]:
                if username and (info["userValue"] or "") != username:
                    frame.locator('[data-samlcreds="username"]').first.fill(username, timeout=5000)
                elif not username and not info["userValue"]:
                    return False
            password = self.secrets.password(f"Password for {username or 'you'} at {host}: ")
            target = frame.locator('[data-samlcreds="password"]').first
            target.fill(password, timeout=5000)
            self.password_sent = True
            self.username_sent = self.username_sent or info["user"]
            self._submit(frame, target, info)
            return True
        if info["user"]:
            if self.username_sent or self.password_sent:
                if info["userLike"] and not self.password_sent:
                    raise errors.InvalidCredentials(
                        f"the IdP at {host} asked for the user name again: it was refused",
                        hint="Check --username / saml_username.",
                    )
                return False  # a code or other question after the password: the user answers it
            if not username:
                return False
            target = frame.locator('[data-samlcreds="username"]').first
            if (info["userValue"] or "") != username:
                target.fill(username, timeout=5000)
            self.username_sent = True
            self._submit(frame, target, info)
            return True
        return False

    def _submit(self, frame, target, info: dict) -> None:
        for role, what in (("username", "user name"), ("password", "password")):
            field = frame.locator(f'[data-samlcreds="{role}"]').first
            if (role == "username" and not info["user"]) or (role == "password" and not info["password"]):
                continue
            problem = field.evaluate("el => el.validity.valid ? '' : (el.validationMessage || 'invalid')",
                                     timeout=5000)
            if problem:
                raise errors.LoginFlowError(
                    f"the IdP's sign-in form does not accept the {what}: {problem}",
                    hint="Check --username / saml_username (the form may expect an email address)."
                    if role == "username" else "Check the password.",
                )
        self.submitted_at = time.monotonic()
        self.submitted_nav = self.nav_count
        self.submitted_signature = info["signature"]
        if self.request.submit_selector and info["submit"]:
            frame.locator('[data-samlcreds="submit"]').first.click(timeout=5000, no_wait_after=True)
        elif info["inForm"] or not info["submit"]:
            target.press("Enter", timeout=5000, no_wait_after=True)
        else:
            frame.locator('[data-samlcreds="submit"]').first.click(timeout=5000, no_wait_after=True)
