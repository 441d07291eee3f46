"""A Google-like guard page in front of a sandbox IdP: it refuses automated browsers, as Google's sign-in does.

Google's sign-in refuses browsers "controlled through software automation"
("Couldn't sign you in - This browser or app may not be secure"); the signal a
page can read is ``navigator.webdriver`` (true with ``--enable-automation``,
``--remote-debugging-pipe``/``--remote-debugging-port``, i.e. every
Playwright/Selenium-driven browser). :class:`Guard` serves ``/signin``: a page
that reports what it saw (``navigator.webdriver``, the user agent) to
``/report`` and then either shows Google's refusal or goes on to the IdP's
sign-in URL (the only place it ever sends the browser). Tests read
:attr:`Guard.reports`.

    with Guard(idp.sso_url) as guard:
        ... sign in at guard.url ...
        assert guard.reports[-1]["webdriver"] is False
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse

REFUSAL = "Couldn't sign you in"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in - Guard</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; margin: 3em"><p id="status">Checking your browser...</p>
<script>
(function () {
  var automated = navigator.webdriver === true;
  var seen = {webdriver: navigator.webdriver === undefined ? null : navigator.webdriver,
              userAgent: navigator.userAgent};
  var done = function () {
    if (automated) {
      document.title = "__REFUSAL__";
      document.getElementById("status").innerHTML =
        "<h1>__REFUSAL__</h1><p>This browser or app may not be secure. Try using a different browser.</p>";
    } else {
      location.replace(__TARGET__);
    }
  };
  fetch("/report", {method: "POST", headers: {"Content-Type": "application/json"},
                    body: JSON.stringify(seen)}).then(done, done);
})();
</script></body></html>"""


class Guard:
    """A loopback HTTP server (ephemeral port) guarding ``target_url``; ``url`` is its sign-in page."""

    def __init__(self, target_url: str) -> None:
        parts = urllib.parse.urlsplit(target_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"the guard's target must be an http(s) URL, not {target_url!r}")
        self.target_url = target_url
        self.reports: list[dict] = []
        self._lock = threading.Lock()
        guard = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if urllib.parse.urlsplit(self.path).path != "/signin":
                    self.send_error(404)
                    return
                body = (PAGE.replace("__REFUSAL__", REFUSAL)
                        .replace("__TARGET__", json.dumps(guard.target_url).replace("</", "<\\/"))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                if urllib.parse.urlsplit(self.path).path != "/report":
                    self.send_error(404)
                    return
                length = min(int(self.headers.get("Content-Length") or 0), 65536)
                try:
                    seen = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    seen = {}
                report = {"webdriver": seen.get("webdriver") if isinstance(seen, dict) else None,
                          "user_agent": str(seen.get("userAgent", "")) if isinstance(seen, dict) else "",
                          "refused": bool(isinstance(seen, dict) and seen.get("webdriver") is True)}
                with guard._lock:
                    guard.reports.append(report)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/signin"

    def start(self) -> "Guard":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="sandbox-guard")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "Guard":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
