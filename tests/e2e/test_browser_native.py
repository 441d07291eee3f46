"""End to end: the default browser mode (no driver) headless against local pages, proxies and the sandbox IdP.

The person-at-the-keyboard tests are in test_browser_keyboard.py. These FAIL
(never skip) when Chromium is missing.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from samlcreds import errors
from samlcreds.aws import signin_host_partition
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser import BrowserLaunchFailed, BrowserProvider, driver_for, profile_dir
from tests.e2e.browser_support import CmdlineWatch, browser_processes, send_html

SECRET = "U0FNTFJlc3BvbnNlLXNlY3JldC12YWx1ZS0xMjM0NTY3ODkw"
FAKE_HOST = "idp.sandbox.test"


class _Pages(http.server.BaseHTTPRequestHandler):
    log: list[tuple[str, str]] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        self.log.append((self.headers.get("Host", ""), path))
        if path == "/autopost":
            body = ('<html><body onload="document.forms[0].submit()">'
                    '<form method="post" action="https://eu-west-1.signin.aws.amazon.com/saml">'
                    f'<input type="hidden" name="SAMLResponse" value="{SECRET}">'
                    '<input type="hidden" name="RelayState" value="x"></form></body></html>')
        elif path == "/nosaml":
            body = ('<html><body onload="document.forms[0].submit()">'
                    '<form method="post" action="https://signin.aws.amazon.com/saml">'
                    '<input type="hidden" name="RelayState" value="x"></form></body></html>')
        else:
            self.send_error(404)
            return
        send_html(self, body)


@pytest.fixture
def pages():
    _Pages.log = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """The user's HTTP proxy: records every request and forwards http:// requests for FAKE_HOST to loopback."""

    seen: list[tuple[str, str]] = []
    target_port = 0

    def log_message(self, *args):
        pass

    def do_CONNECT(self):
        self.seen.append(("CONNECT", self.path, ""))
        self.send_error(403)

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        self.seen.append(("GET", parts.netloc, parts.path))
        if parts.hostname != FAKE_HOST:
            self.send_error(403)
            return
        with socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
            upstream.sendall(f"GET {parts.path or '/'} HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode())
            answer = b""
            while chunk := upstream.recv(65536):
                answer += chunk
        self.connection.sendall(answer)
        self.close_connection = True


@pytest.fixture
def recording_proxy(pages):
    _RecordingProxy.seen = []
    _RecordingProxy.target_port = pages
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def native_request(url: str, state_dir: Path, **kwargs) -> LoginRequest:
    kwargs.setdefault("interactive", False)
    kwargs.setdefault("timeout", 20.0)
    return LoginRequest(url=url, state_dir=state_dir, **kwargs)


def test_default_mode_is_native_and_autofill_needs_playwright():
    assert driver_for(LoginRequest(url="http://x")) == "native"
    assert driver_for(LoginRequest(url="http://x", autofill=True)) == "playwright"
    assert driver_for(LoginRequest(url="http://x", browser_driver="Playwright")) == "playwright"
    with pytest.raises(errors.UsageError) as info:
        driver_for(LoginRequest(url="http://x", autofill=True, browser_driver="native"))
    assert "playwright" in str(info.value)
    with pytest.raises(errors.UsageError):
        driver_for(LoginRequest(url="http://x", browser_driver="selenium"))


def test_capture_headless_without_a_driver(pages, tmp_path):
    proxies = []
    with CmdlineWatch(str(tmp_path)) as watch:
        saml = BrowserProvider(on_proxy=proxies.append).fetch_saml_response(
            native_request(f"http://127.0.0.1:{pages}/autopost", tmp_path))
    assert saml == SECRET
    browsers = watch.browsers()
    assert browsers, "the browser was never seen running"
    assert all(b"--headless=new" in line for line in browsers.values())
    assert not watch.with_automation_flags()
    assert (os.geteuid() == 0) == all(b"--no-sandbox" in line for line in browsers.values())
    log = proxies[0].log
    assert ("POST", "eu-west-1.signin.aws.amazon.com", "/saml", 200) in [tuple(vars(s).values()) for s in log]
    assert all(signin_host_partition(s.host.rsplit(":", 1)[0]) for s in log)
    assert not browser_processes(str(tmp_path))


def test_profile_keeps_no_saml_response_and_its_settings(pages, tmp_path):
    request = native_request(f"http://127.0.0.1:{pages}/autopost", tmp_path)
    assert BrowserProvider().fetch_saml_response(request) == SECRET
    profile = profile_dir(request)
    assert profile.stat().st_mode & 0o777 == 0o700
    needles = [SECRET.encode(), SECRET[10:40].encode(), urllib.parse.quote(SECRET).encode()]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) > 20  # a real profile was written
    found = [str(p.relative_to(tmp_path)) for p in files for n in needles if n in p.read_bytes()]
    assert not found, found
    prefs = json.loads((profile / "Default" / "Preferences").read_text())
    assert prefs["session"]["restore_on_startup"] == 1
    assert prefs["credentials_enable_service"] is False
    assert prefs["profile"]["password_manager_leak_detection"] is False
    assert prefs["autofill"]["profile_enabled"] is False
    assert not (profile / "Default" / "Sessions").exists()


def test_other_hosts_go_to_the_users_proxy_and_aws_never_does(pages, recording_proxy, tmp_path, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{recording_proxy}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{recording_proxy}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    proxies = []
    saml = BrowserProvider(on_proxy=proxies.append).fetch_saml_response(
        native_request(f"http://{FAKE_HOST}:{pages}/autopost", tmp_path))
    assert saml == SECRET
    assert ("GET", f"{FAKE_HOST}:{pages}", "/autopost") in _RecordingProxy.seen
    # The browser's own background calls stay off: network time, sync, password-leak check, autofill.
    quiet = ("clients2.google.com", "clients4.google.com", "passwordsleakcheck-pa.googleapis.com",
             "content-autofill.googleapis.com", "chromesyncpasswords-pa.googleapis.com")
    assert not [s for s in _RecordingProxy.seen if s[1].rsplit(":", 1)[0] in quiet], _RecordingProxy.seen
    aws = [s for s in _RecordingProxy.seen if signin_host_partition(s[1].rsplit(":", 1)[0].split("/")[0])]
    assert not aws, aws
    assert any(s.method == "CONNECT" and s.host == "eu-west-1.signin.aws.amazon.com:443" for s in proxies[0].log)


def test_no_proxy_hosts_go_direct(pages, recording_proxy, tmp_path, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{recording_proxy}")
    monkeypatch.setenv("NO_PROXY", f"localhost,.sandbox.test")
    provider = BrowserProvider(extra_args=[f"--host-resolver-rules=MAP {FAKE_HOST} 127.0.0.1"])
    assert provider.fetch_saml_response(native_request(f"http://{FAKE_HOST}:{pages}/autopost", tmp_path)) == SECRET
    assert not [s for s in _RecordingProxy.seen if s[1].startswith(FAKE_HOST)], _RecordingProxy.seen
    assert (f"{FAKE_HOST}:{pages}", "/autopost") in _Pages.log


def test_aws_signin_without_saml_response_is_a_clear_error(pages, tmp_path):
    started = time.monotonic()
    with pytest.raises(errors.LoginFlowError) as info:
        BrowserProvider().fetch_saml_response(native_request(f"http://127.0.0.1:{pages}/nosaml", tmp_path))
    assert time.monotonic() - started < 15
    assert "without a SAMLResponse" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_forced_headless_needing_the_user_says_so(sandbox_idp, tmp_path):
    request = native_request(sandbox_idp.sso_url, tmp_path, headless=True, interactive=True, timeout=5.0,
                             profile_name="work")
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request)
    assert "--headless" in str(info.value) and "samlcreds login --profile work" in info.value.hint
    assert not browser_processes(str(tmp_path))


def test_terminal_without_display_says_so(sandbox_idp, tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    request = native_request(sandbox_idp.sso_url, tmp_path, interactive=True, timeout=5.0)
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request)
    assert "no display" in str(info.value)
    assert not browser_processes(str(tmp_path))


@pytest.mark.parametrize("program, expected", [("/bin/false", "did not start"), ("/bin/true", "handed the sign-in")])
def test_a_browser_that_does_not_stay_up_is_a_clear_error(program, expected, tmp_path):
    request = native_request("http://127.0.0.1:9/sso", tmp_path, browser=program)
    with pytest.raises(BrowserLaunchFailed) as info:
        BrowserProvider().fetch_saml_response(request)
    assert expected in str(info.value)


def test_default_mode_never_imports_playwright(pages, tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from samlcreds.idp.base import LoginRequest, get_provider\n"
        f"r = LoginRequest(url='http://127.0.0.1:{pages}/autopost', state_dir=Path({str(tmp_path)!r}),"
        " interactive=False, timeout=20)\n"
        "value = get_provider('browser').fetch_saml_response(r)\n"
        "print(len(value), 'playwright' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(SECRET)), "False"]


@pytest.mark.parametrize("url", ["--renderer-cmd-prefix=/bin/sh", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_urls_reach_the_command_line(url, tmp_path):
    with pytest.raises(errors.UsageError) as info:
        BrowserProvider().fetch_saml_response(native_request(url, tmp_path))
    assert "not an http(s) URL" in str(info.value)
    assert not browser_processes(str(tmp_path))
