"""End to end: the ``browser`` provider's Playwright mode (auto-fill) drives Debian's Chromium against the sandbox IdP.

The default mode (no driver) has its own files: test_browser_native.py,
test_browser_keyboard.py (a person at the keyboard in a real X display) and
test_browser_guard.py. These tests FAIL (never skip) when playwright or a Chromium is missing.
"""

from __future__ import annotations

import base64
import http.server
import os
import signal
import threading
import time
import urllib.parse
from pathlib import Path

import boto3
import pytest
from playwright.sync_api import sync_playwright  # noqa: F401  (a missing playwright fails collection)

from samlcreds import errors
from samlcreds.saml import read_saml_response
from samlcreds.idp.base import LoginRequest, get_provider
from samlcreds.idp.browser import (
    BrowserClosed,
    BrowserNotFound,
    BrowserProvider,
    PlaywrightMissing,
    SignInTimeout,
    find_browser,
    profile_dir,
    proxy_settings,
    saml_response_from_body,
)
from samlcreds.idp.google import google_sso_url
from tests.e2e.browser_support import require_chromium, send_html
from tests.helpers import run_cli

ACS_URLS = [
    "https://signin.aws.amazon.com/saml",
    "https://us-west-2.signin.aws.amazon.com/saml",
    "https://signin.amazonaws-us-gov.com/saml",
    "https://signin.amazonaws.cn/saml",
]
BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"


@pytest.fixture(scope="module", autouse=True)
def chromium_available():
    return require_chromium()


def browser_processes(marker: str) -> list[int]:
    """PIDs of live processes whose command line mentions ``marker`` (a test's unique tmp path)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and marker.encode() in cmdline:
            pids.append(int(entry.name))
    return pids


def request_for(url: str, state_dir: Path, **kwargs) -> LoginRequest:
    kwargs.setdefault("headless", True)
    kwargs.setdefault("interactive", False)
    kwargs.setdefault("timeout", 20.0)
    kwargs.setdefault("browser_driver", "playwright")
    return LoginRequest(url=url, state_dir=state_dir, **kwargs)


# --- a tiny local "IdP" for pages the sandbox does not have ------------------
class _Pages(http.server.BaseHTTPRequestHandler):
    log: list[tuple[str, str]] = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, body: str) -> None:
        send_html(self, body)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        self.log.append(("GET", path))
        if path == "/never":
            self._send("<html><body><p>Waiting for something that never happens...</p></body></html>")
        elif path == "/close":
            self._send("<html><body><p>bye</p><script>setTimeout(() => window.close(), 300)</script></body></html>")
        elif path == "/idfirst":
            self._send('<html><body><form method="post" action="/idfirst/user">'
                       '<input type="email" name="identifier"><button type="submit">Next</button>'
                       '</form></body></html>')
        else:
            self.send_error(404)

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self.log.append(("POST", path))
        if path == "/idfirst/user":
            user = form.get("identifier", [""])[0]
            self._send('<html><body><form method="post" action="/idfirst/password">'
                       f'<p>Signing in as {user}</p><input type="hidden" name="user" value="{user}">'
                       '<input type="password" name="secret"><input type="submit" value="Sign in">'
                       '</form></body></html>')
        elif path == "/idfirst/password":
            ok = form.get("user") == ["dave@example.com"] and form.get("secret") == ["dave-pw"]
            if ok:
                self._send('<html><body onload="document.forms[0].submit()">'
                           '<form method="post" action="https://signin.aws.amazon.com/saml">'
                           '<input type="hidden" name="SAMLResponse" value="ZmFrZQ+/="></form></body></html>')
            else:
                self._send('<html><body><p class="error">Wrong password</p>'
                           '<form method="post" action="/idfirst/password">'
                           f'<input type="hidden" name="user" value="{form.get("user", [""])[0]}">'
                           '<input type="password" name="secret"><input type="submit" value="Sign in">'
                           '</form></body></html>')
        else:
            self.send_error(404)


@pytest.fixture
def pages():
    _Pages.log = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


# --- through the CLI, with the sandbox IdP and strict STS ---------------------
def test_cli_browser_login_then_session_reuse_without_password(sandbox_env, sandbox_idp):
    before = sandbox_idp.login_count("bob")
    result = run_cli(["login", "--provider", "browser", "--autofill", "--username", "bob", "--password-stdin",
                      "--profile", "b"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert "bob-pw" not in result.stderr + result.stdout
    assert sandbox_idp.login_count("bob") == before + 1
    identity = boto3.Session(profile_name="b").client("sts").get_caller_identity()
    assert identity["Arn"].lower() == BOB_ARN.lower()

    # The IdP session lives in the browser profile: no password, no input, headless.
    started = time.monotonic()
    result = run_cli(["login", "--provider", "browser", "--autofill", "--username", "bob", "--profile", "b"])
    assert result.returncode == 0, result.stderr
    assert sandbox_idp.login_count("bob") == before + 1
    assert time.monotonic() - started < 20
    identity = boto3.Session(profile_name="b").client("sts").get_caller_identity()
    assert identity["Arn"].lower() == BOB_ARN.lower()

    profiles = list((Path(sandbox_env["XDG_CACHE_HOME"])).rglob("browser-*"))
    dirs = [p for p in profiles if p.is_dir()]
    assert dirs and all(p.stat().st_mode & 0o077 == 0 for p in dirs)
    assert not browser_processes(sandbox_env["HOME"])

    # one account, one browser session: the profile's .lock file beside it is not a second one
    assert [p.name for p in profiles if p.name.endswith(".lock")] == [dirs[0].name + ".lock"]
    result = run_cli(["logout", "--all"])
    assert result.returncode == 0, result.stderr
    assert ", 1 saved IdP session(s)," in result.stderr
    assert not list((Path(sandbox_env["XDG_CACHE_HOME"])).rglob("browser-*"))


def test_cli_browser_driver_flag_picks_the_driver_over_the_environment(sandbox_env, sandbox_idp, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_BROWSER_DRIVER", "native")  # auto-fill needs Playwright: refused as it stands
    args = ["login", "--provider", "browser", "--autofill", "--username", "bob", "--password-stdin",
            "--profile", "drv"]
    before = sandbox_idp.login_count("bob")
    refused = run_cli(args, input="bob-pw\n")
    assert refused.returncode == 2, refused.stderr
    assert "needs the Playwright driver, but the browser driver (--browser-driver / saml_browser_driver) is " \
           "native" in refused.stderr
    assert sandbox_idp.login_count("bob") == before and not browser_processes(sandbox_env["HOME"])

    result = run_cli(args + ["--browser-driver", "playwright"], input="bob-pw\n")  # the flag over the variable
    assert result.returncode == 0, result.stderr
    assert sandbox_idp.login_count("bob") == before + 1
    identity = boto3.Session(profile_name="drv").client("sts").get_caller_identity()
    assert identity["Arn"].lower() == BOB_ARN.lower()
    assert not browser_processes(sandbox_env["HOME"])

    bad = run_cli(args + ["--browser-driver", "selenium"], input="bob-pw\n")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "'selenium' is not one of 'native', 'playwright'" in bad.stderr


def test_cli_without_terminal_and_without_autofill_asks_for_a_terminal(sandbox_env):
    result = run_cli(["login", "--provider", "browser", "--username", "bob", "--profile", "n", "--timeout", "15"])
    assert result.returncode == 3, result.stderr
    assert "samlcreds login" in result.stderr and "terminal" in result.stderr
    assert "Traceback" not in result.stderr
    assert not browser_processes(sandbox_env["HOME"])


# --- the provider directly ------------------------------------------------------
def test_registered_under_browser():
    assert isinstance(get_provider("browser"), BrowserProvider)


@pytest.mark.parametrize("acs_url", ACS_URLS)
def test_intercepts_every_aws_signin_endpoint(acs_url, make_idp, tmp_path):
    idp = make_idp(acs_url=acs_url, register=False)
    asked = []
    request = request_for(idp.sso_url, tmp_path, username="bob", autofill=True,
                          get_password=lambda prompt: asked.append(prompt) or "bob-pw")
    saml = BrowserProvider().fetch_saml_response(request)
    assertion = read_saml_response(saml)
    assert assertion.destination == acs_url
    assert assertion.recipient == acs_url
    assert len(asked) == 1 and "bob" in asked[0]
    assert not browser_processes(str(tmp_path))


def test_no_request_leaves_loopback(sandbox_idp, tmp_path):
    seen: list[str] = []
    request = request_for(sandbox_idp.sso_url, tmp_path, username="bob", autofill=True,
                          get_password=lambda prompt: "bob-pw")
    saml = BrowserProvider(on_request=seen.append).fetch_saml_response(request)
    assert read_saml_response(saml).destination == "https://signin.aws.amazon.com/saml"
    assert seen, "the request hook saw nothing"
    outside = [u for u in seen if urllib.parse.urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    # The only one: the intercepted (fulfilled locally, never sent) AWS sign-in POST.
    assert outside == ["https://signin.aws.amazon.com/saml"], outside


def test_session_reused_in_profile(sandbox_idp, tmp_path):
    before = sandbox_idp.login_count("bob")
    provider = BrowserProvider()
    first = request_for(sandbox_idp.sso_url, tmp_path, username="bob", autofill=True,
                        get_password=lambda prompt: "bob-pw", headless=None)
    read_saml_response(provider.fetch_saml_response(first))
    profile = profile_dir(first)
    assert profile.is_dir() and profile.stat().st_mode & 0o777 == 0o700
    again = request_for(sandbox_idp.sso_url, tmp_path, username="bob", headless=None)  # no password, no autofill
    read_saml_response(provider.fetch_saml_response(again))
    assert sandbox_idp.login_count("bob") == before + 1


def test_profile_keeps_neither_password_nor_saml_response(sandbox_idp, tmp_path):
    request = request_for(sandbox_idp.sso_url, tmp_path, username="bob", autofill=True,
                          get_password=lambda prompt: "bob-pw")
    saml = BrowserProvider().fetch_saml_response(request)
    decoded = base64.b64decode(saml)
    needles = [b"bob-pw", saml[100:160].encode(), urllib.parse.quote(saml[100:160], safe="").encode(),
               decoded[200:260]]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files
    found = [(str(p.relative_to(tmp_path)), n[:8]) for p in files for n in needles if n in p.read_bytes()]
    assert not found, found


def test_wrong_password_is_invalid_credentials(sandbox_idp, tmp_path):
    request = request_for(sandbox_idp.sso_url, tmp_path, username="bob", autofill=True,
                          get_password=lambda prompt: "not-the-password")
    with pytest.raises(errors.InvalidCredentials) as info:
        BrowserProvider().fetch_saml_response(request)
    assert "refused" in str(info.value)
    assert "not-the-password" not in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_identifier_first_autofill(pages, tmp_path):
    asked = []
    request = request_for(pages + "/idfirst", tmp_path, username="dave@example.com", autofill=True,
                          get_password=lambda prompt: asked.append(prompt) or "dave-pw")
    assert BrowserProvider().fetch_saml_response(request) == "ZmFrZQ+/="
    assert len(asked) == 1 and "dave@example.com" in asked[0]
    assert ("POST", "/idfirst/user") in _Pages.log and ("POST", "/idfirst/password") in _Pages.log


def test_identifier_first_wrong_password(pages, tmp_path):
    request = request_for(pages + "/idfirst", tmp_path, username="dave@example.com", autofill=True,
                          get_password=lambda prompt: "nope")
    with pytest.raises(errors.InvalidCredentials):
        BrowserProvider().fetch_saml_response(request)


def test_user_name_the_form_rejects_is_clear(pages, tmp_path):
    asked = []
    request = request_for(pages + "/idfirst", tmp_path, username="dave", autofill=True,
                          get_password=lambda prompt: asked.append(prompt) or "dave-pw")
    with pytest.raises(errors.LoginFlowError) as info:
        BrowserProvider().fetch_saml_response(request)
    assert "does not accept the user name" in str(info.value)
    assert not asked


def test_form_without_autofill_needs_interaction(sandbox_idp, tmp_path):
    asked = []
    request = request_for(sandbox_idp.sso_url, tmp_path / "fresh", username="bob", headless=None,
                          get_password=lambda prompt: asked.append(prompt) or "bob-pw")
    started = time.monotonic()
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request)
    assert time.monotonic() - started < 15
    assert "samlcreds login" in str(info.value)
    assert not asked  # the password is never asked for without auto-fill
    assert not browser_processes(str(tmp_path))


def test_forced_headless_with_a_form_needs_interaction(sandbox_idp, tmp_path):
    request = request_for(sandbox_idp.sso_url, tmp_path, username="bob", headless=True, interactive=True)
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request)
    assert "--headless" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_terminal_without_display_says_so(sandbox_idp, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    request = request_for(sandbox_idp.sso_url, tmp_path, username="bob", headless=None, interactive=True)
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request)
    assert "no display" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_timeout_is_clear_and_leaves_no_browser(pages, tmp_path):
    request = request_for(pages + "/never", tmp_path, timeout=3.0)
    started = time.monotonic()
    with pytest.raises(SignInTimeout) as info:
        BrowserProvider().fetch_saml_response(request)
    assert 3.0 <= time.monotonic() - started < 15
    assert isinstance(info.value, errors.AuthenticationError)
    assert "within 3 s" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_closed_page_is_browser_closed(pages, tmp_path, monkeypatch):
    """Closing the (last) page, as a user closing the window does, ends the sign-in with BrowserClosed."""
    from samlcreds.idp.browser.flow import Flow

    watch = Flow._watch

    def watch_and_close(self, page):
        watch(self, page)
        page.on("load", lambda *_: page.close() if page.url.endswith("/close") else None)

    monkeypatch.setattr(Flow, "_watch", watch_and_close)
    request = request_for(pages + "/close", tmp_path, timeout=20.0)
    started = time.monotonic()
    with pytest.raises(BrowserClosed) as info:
        BrowserProvider().fetch_saml_response(request)
    assert time.monotonic() - started < 15
    assert "closed" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_killed_browser_is_browser_closed(pages, tmp_path):
    marker = str(tmp_path)
    killed = []

    def killer():
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and ("GET", "/never") not in _Pages.log:
            time.sleep(0.05)
        time.sleep(0.3)  # mid-flow: the browser is up and showing the IdP's page
        for pid in browser_processes(marker):
            try:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except OSError:
                pass

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    request = request_for(pages + "/never", tmp_path, timeout=30.0)
    started = time.monotonic()
    with pytest.raises(BrowserClosed):
        BrowserProvider().fetch_saml_response(request)
    thread.join(timeout=20)
    assert killed
    assert time.monotonic() - started < 20
    assert not browser_processes(marker)


def test_unreachable_idp_is_clear(tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    request = request_for(f"http://127.0.0.1:{port}/sso", tmp_path)
    with pytest.raises(errors.IdpUnreachable) as info:
        BrowserProvider().fetch_saml_response(request)
    assert f"127.0.0.1:{port}" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_unknown_browser_is_a_usage_error(tmp_path, sandbox_idp):
    request = request_for(sandbox_idp.sso_url, tmp_path, browser=str(tmp_path / "no-such-chrome"))
    with pytest.raises(BrowserNotFound) as info:
        BrowserProvider().fetch_saml_response(request)
    assert isinstance(info.value, errors.UsageError)
    assert "saml_browser" in str(info.value)


def test_find_browser_choices(tmp_path):
    assert find_browser("/usr/bin/chromium", environ={}).executable_path == "/usr/bin/chromium"
    assert find_browser(None, environ={"SAMLCREDS_BROWSER": "/usr/bin/chromium"}).executable_path == "/usr/bin/chromium"
    assert find_browser("msedge", environ={}).channel == "msedge"
    assert find_browser("chromium", environ={"PATH": "/usr/bin"}).executable_path == "/usr/bin/chromium"
    with pytest.raises(BrowserNotFound) as info:
        find_browser(None, environ={"PATH": str(tmp_path)}, platform="win32", bundled=str(tmp_path / "none"))
    assert "Chrome" in str(info.value) and "saml_browser" in str(info.value)


def test_missing_playwright_says_how_to_install(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(PlaywrightMissing) as info:
        BrowserProvider().fetch_saml_response(request_for("http://127.0.0.1:9/", tmp_path))
    # samlcreds is not on PyPI: the hint installs the package itself, into the Python running samlcreds
    assert f"{sys.executable} -m pip install 'playwright>=1.45'" in str(info.value)
    assert "samlcreds[browser]" not in str(info.value)


def test_saml_response_from_body():
    assert saml_response_from_body(b"RelayState=x&SAMLResponse=PHNhbWw%2BCg%3D%3D") == "PHNhbWw+Cg=="
    body = (b"--b\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\nQUJD\r\n--b--\r\n")
    assert saml_response_from_body(body, "multipart/form-data; boundary=b") == "QUJD"
    assert saml_response_from_body(b"RelayState=x") is None


def test_proxy_settings():
    assert proxy_settings({}) is None
    assert proxy_settings({"https_proxy": "http://u:p%40ss@proxy:3128", "NO_PROXY": "localhost, .corp"}) == {
        "server": "http://proxy:3128", "username": "u", "password": "p@ss", "bypass": "localhost,.corp"}
    assert proxy_settings({"HTTPS_PROXY": "proxy:8080"}) == {"server": "http://proxy:8080"}


def test_google_sso_url():
    assert google_sso_url("C01abc", "123456789") == (
        "https://accounts.google.com/o/saml2/initsso?idpid=C01abc&spid=123456789&forceauthn=false")
    assert google_sso_url("a b", "1&2").endswith("idpid=a%20b&spid=1%262&forceauthn=false")
    with pytest.raises(ValueError):
        google_sso_url("", "1")
