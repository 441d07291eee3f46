"""The capture proxy: a loopback HTTP proxy that answers for the AWS sign-in hosts and forwards nothing.

The browser reaches it only for the AWS sign-in hosts (see :mod:`.pac`). A
``CONNECT`` to one of them on port 443 is answered ``200`` and the tunnel's TLS
is terminated here with the sign-in's throwaway identity (:mod:`.certs`).
Inside the tunnel:

* a ``POST`` to an AWS sign-in SAML endpoint (:func:`samlcreds.aws.parse_signin_url`)
  whose form body holds a ``SAMLResponse`` is answered with a short "signed in"
  page (which replaces its history entry, so the POST is not kept in session
  history) and the value is captured;
* anything else gets ``404``.

Nothing is ever forwarded: this server opens no outbound connection. A
``CONNECT`` to any other host is refused (``403``). :attr:`CaptureProxy.log`
records every request it saw (method, host, path, status; never a body).
"""

from __future__ import annotations

import contextlib
import email.parser
import http.server
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass

from samlcreds.aws import parse_signin_url, signin_host_partition
from samlcreds.idp.browser.certs import TlsIdentity, make_identity
from samlcreds.servers.loopback import QuietHTTPServer, send_answer

#: Larger form bodies are refused (a SAMLResponse is at most 100,000 characters for AWS).
MAX_BODY = 2 * 1024 * 1024
#: A tunnel idle this long is closed.
IDLE_SECONDS = 30.0

DONE_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>samlcreds: signed in</title><link rel="icon" href="data:,">
<script>history.replaceState(null, "", location.pathname);</script></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>Signed in</h1><p>samlcreds received the sign-in. You can close this window.</p>
</body></html>"""
NOT_FOUND_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>samlcreds</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; margin: 3em">
<p>samlcreds answers this AWS sign-in address only for the SAML sign-in; nothing was sent to AWS.</p>
</body></html>"""


@dataclass(frozen=True)
class Seen:
    """One request the proxy answered: ``method``, ``host`` (``host:port`` for CONNECT), ``path``, ``status``."""

    method: str
    host: str
    path: str
    status: int


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


class CaptureProxy:
    """``with CaptureProxy() as proxy: ... proxy.wait(seconds)`` → the SAMLResponse or ``None``.

    ``port`` is the loopback port (ephemeral); ``spki_sha256`` the pin for
    ``--ignore-certificate-errors-spki-list``.
    """

    def __init__(self, identity: TlsIdentity | None = None) -> None:
        self.identity = identity or make_identity()
        self.log: list[Seen] = []
        self._saml: str | None = None
        #: ``time.monotonic()`` when the SAMLResponse arrived (benchmarks), else ``None``.
        self.captured_at: float | None = None
        self._captured = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _ProxyHandler)
        self._server.capture = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def spki_sha256(self) -> str:
        return self.identity.spki_sha256

    def start(self) -> "CaptureProxy":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="samlcreds-capture", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._server.shutdown()
        with contextlib.suppress(Exception):
            self._server.server_close()

    def __enter__(self) -> "CaptureProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def saml_response(self) -> str | None:
        return self._saml

    def wait(self, timeout: float) -> str | None:
        """Block up to ``timeout`` seconds for a SAMLResponse."""
        self._captured.wait(max(timeout, 0.0))
        return self._saml

    # called from the handler threads
    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.log.append(seen)

    def _offer(self, value: str) -> None:
        with self._lock:
            if self._saml is None:
                self._saml = value
                self.captured_at = time.monotonic()
        self._captured.set()


class _Server(QuietHTTPServer):
    """A browser dropping a connection is normal here: logged at debug, no traceback on stderr."""

    allow_reuse_address = False
    capture: CaptureProxy


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    """The plain-text side: CONNECT to AWS sign-in hosts only; absolute-URI requests get 404."""

    protocol_version = "HTTP/1.1"
    server_version = "samlcreds-capture"
    sys_version = ""
    timeout = IDLE_SECONDS

    def log_message(self, *args) -> None:  # never log (paths and hosts only, but quiet)
        pass

    @property
    def capture(self) -> CaptureProxy:
        return self.server.capture

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        host = host.strip("[]").lower()
        if signin_host_partition(host) is None or port != "443":
            self.capture._record(Seen("CONNECT", self.path, "", 403))
            self.send_error(403, "samlcreds captures only AWS sign-in hosts")
            return
        self.capture._record(Seen("CONNECT", self.path, "", 200))
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.capture.identity.context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        try:
            tls.settimeout(IDLE_SECONDS)
            _TunnelHandler(tls, self.client_address, self.server, host)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(OSError):
                tls.close()
        self.close_connection = True

    def _absolute(self) -> None:
        host = urllib.parse.urlsplit(self.path).netloc or "?"
        self.capture._record(Seen(self.command, host, urllib.parse.urlsplit(self.path).path, 404))
        _reply(self, 404, NOT_FOUND_PAGE)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _absolute


class _TunnelHandler(http.server.BaseHTTPRequestHandler):
    """Requests inside a terminated tunnel to an AWS sign-in host."""

    protocol_version = "HTTP/1.1"
    server_version = "samlcreds-capture"
    sys_version = ""
    timeout = IDLE_SECONDS

    def __init__(self, sock, address, server, host: str) -> None:
        self.tunnel_host = host
        super().__init__(sock, address, server)

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        capture: CaptureProxy = self.server.capture
        url = f"https://{self.tunnel_host}{self.path}"
        path = urllib.parse.urlsplit(self.path).path
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            capture._record(Seen("POST", self.tunnel_host, path, 413))
            self.close_connection = True
            _reply(self, 413, NOT_FOUND_PAGE)
            return
        body = self.rfile.read(length) if length else b""
        value = None
        if parse_signin_url(url) is not None:
            value = saml_response_from_body(body, self.headers.get("Content-Type"),
                                            urllib.parse.urlsplit(self.path).query)
        del body
        if value:
            capture._record(Seen("POST", self.tunnel_host, path, 200))
            _reply(self, 200, DONE_PAGE)
            capture._offer(value)
            return
        capture._record(Seen("POST", self.tunnel_host, path, 404))
        _reply(self, 404, NOT_FOUND_PAGE)

    def _other(self) -> None:
        self.server.capture._record(Seen(self.command, self.tunnel_host, urllib.parse.urlsplit(self.path).path, 404))
        _reply(self, 404, NOT_FOUND_PAGE)

    do_GET = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _other


def _reply(handler: http.server.BaseHTTPRequestHandler, status: int, page: bytes) -> None:
    try:
        send_answer(handler, status, page, content_type="text/html; charset=utf-8",
                    headers=(("Referrer-Policy", "no-referrer"),))
    except (OSError, socket.timeout):
        handler.close_connection = True
