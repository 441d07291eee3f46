"""The sandbox's Google-like guard: it refuses a driven browser (Playwright mode) and lets the default mode pass."""

from __future__ import annotations

import http.server
import threading
import urllib.parse

import pytest

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser import BrowserProvider
from sandbox.guard import REFUSAL, Guard
from tests.e2e.browser_support import browser_processes

SECRET = "R3VhcmRlZC1TQU1MUmVzcG9uc2UtdmFsdWU="


class _AutoPost(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = ('<html><body onload="document.forms[0].submit()">'
                '<form method="post" action="https://signin.aws.amazon.com/saml">'
                f'<input type="hidden" name="SAMLResponse" value="{SECRET}"></form></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def guard():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AutoPost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Guard(f"http://127.0.0.1:{server.server_port}/sso") as guard:
            yield guard
    finally:
        server.shutdown()
        server.server_close()


def test_guard_passes_the_default_mode(guard, tmp_path):
    request = LoginRequest(url=guard.url, state_dir=tmp_path, interactive=False, timeout=20)
    assert BrowserProvider().fetch_saml_response(request) == SECRET
    assert guard.reports == [{"webdriver": False, "user_agent": guard.reports[0]["user_agent"], "refused": False}]
    assert not browser_processes(str(tmp_path))


def test_guard_refuses_the_playwright_mode(guard, tmp_path):
    seen = []
    request = LoginRequest(url=guard.url, state_dir=tmp_path, interactive=False, headless=True, timeout=8,
                           browser_driver="playwright")
    with pytest.raises((errors.AuthenticationError, errors.InteractionRequired)) as info:
        BrowserProvider(on_request=seen.append).fetch_saml_response(request)
    assert "anti-automation" in str(info.value)
    assert guard.reports and guard.reports[-1]["webdriver"] is True and guard.reports[-1]["refused"] is True
    # It never got past the guard to the IdP, so no SAMLResponse was posted.
    assert not [u for u in seen if urllib.parse.urlsplit(u).path == "/sso"]
    assert not browser_processes(str(tmp_path))


def test_guard_page_says_what_google_says(guard):
    import requests

    page = requests.get(guard.url, timeout=10).text
    assert REFUSAL in page and "navigator.webdriver" in page
    assert requests.get(guard.url.replace("/signin", "/elsewhere"), timeout=10).status_code == 404
