"""A one-shot loopback redirect: hands a secret URL to a browser without putting it in any argv.

``samlcreds console`` cannot give the console sign-in URL (it holds a
SigninToken, a bearer secret for 15 minutes) to the browser on its command
line: a process's argv is readable by every local user (``ps``, ``/proc/PID/cmdline``).
Instead it starts this server and opens the browser at
``http://127.0.0.1:<random port>/<secrets.token_urlsafe(32)>``. The server:

* binds 127.0.0.1 only and answers the first ``GET`` of that exact path (and
  ``Host``) with ``303 See Other`` to the secret URL, ``Cache-Control: no-store``
  and ``Referrer-Policy: no-referrer`` (RFC 9110 section 15.4.4; W3C Referrer Policy);
* on Linux, answers only a client socket owned by the same user id as this
  process (read from ``/proc/net/tcp``): another local user who reads the
  loopback URL from the browser's argv and races the browser gets 404;
* answers anything else 404 (``HEAD``/``POST`` included) and, once it has
  redirected, stops: the loopback URL is worthless after one use.

Standard library only (``http.server``).
"""

from __future__ import annotations

import hmac
import http.server
import os
import secrets
import socket
import threading

from samlcreds.servers.loopback import LoopbackServer, QuietHandler

#: Seconds ``samlcreds console`` waits for the browser to fetch the loopback URL.
BROWSER_WAIT = 60.0


class OneShotRedirect(LoopbackServer):
    """Redirect the first request for :attr:`url` to ``target``, then stop.

    ``target``: the secret URL (never logged, never in an argv). Use
    :meth:`start`, :meth:`wait` and :meth:`stop`, or as a context manager
    (``with OneShotRedirect(url) as redirect: ...``).
    """

    thread_name = "samlcreds-console-redirect"

    def __init__(self, target: str) -> None:
        self._target = target
        self.path = "/" + secrets.token_urlsafe(32)
        self._served = threading.Event()
        self._lock = threading.Lock()
        super().__init__()

    @property
    def url(self) -> str:
        """The loopback URL to open in the browser (one use only)."""
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def served(self) -> bool:
        """True once the redirect was sent."""
        return self._served.is_set()

    def handler_class(self):
        redirect = self

        class Handler(QuietHandler):
            timeout = 10  # seconds a client may take to send its request (a stalled one is dropped)

            def do_GET(self):  # noqa: N802 - http.server's names
                redirect._answer(self)

            def do_HEAD(self):  # noqa: N802
                _not_found(self)

            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD  # noqa: N815

        return Handler

    def wait(self, timeout: float = BROWSER_WAIT) -> bool:
        """Wait up to ``timeout`` seconds for the redirect to be sent; True if it was. Stops the server."""
        try:
            return self._served.wait(timeout)
        finally:
            self.stop()

    def _answer(self, request: http.server.BaseHTTPRequestHandler) -> None:
        port = request.server.server_address[1]  # (self.port is gone once wait() stopped the server)
        if not (hmac.compare_digest(request.path.encode("utf-8", "surrogateescape"), self.path.encode())
                and request.headers.get("Host") == f"127.0.0.1:{port}"):
            return _not_found(request)
        uid = loopback_peer_uid(request.client_address, port)
        if uid is not None and uid != os.getuid():
            return _not_found(request)  # another local user racing the browser
        with self._lock:
            if self._served.is_set():
                return _not_found(request)
            request.send_response(303)
            request.send_header("Location", self._target)
            request.send_header("Cache-Control", "no-store")
            request.send_header("Referrer-Policy", "no-referrer")
            request.send_header("Content-Length", "0")
            request.send_header("Connection", "close")
            request.end_headers()
            request.wfile.flush()
            self._served.set()


def loopback_peer_uid(client: tuple[str, int], server_port: int, table: str = "/proc/net/tcp") -> int | None:
    """The user id owning the IPv4 socket ``client`` (``(ip, port)``) connected to ``127.0.0.1:server_port``.

    Read from Linux's ``/proc/net/tcp`` (proc(5): ``ADDR:PORT`` in hex, the
    address in host byte order; ``uid`` the 8th field). None where that table
    cannot be read (not Linux); -1 when it holds no such socket (the caller refuses it).
    """
    packed = socket.inet_aton(client[0])
    ends = {f"{int.from_bytes(packed, order):08X}:{client[1]:04X}" for order in ("little", "big")}
    servers = {f"{int.from_bytes(socket.inet_aton('127.0.0.1'), order):08X}:{server_port:04X}"
               for order in ("little", "big")}
    try:
        with open(table, encoding="ascii") as rows:
            next(rows, None)  # the header line
            for row in rows:
                fields = row.split()
                if len(fields) > 7 and fields[1] in ends and fields[2] in servers:
                    return int(fields[7])
    except OSError:
        return None
    return -1


def _not_found(request: http.server.BaseHTTPRequestHandler) -> None:
    request.send_response(404)
    request.send_header("Content-Type", "text/plain")
    request.send_header("Content-Length", "10")
    request.send_header("Cache-Control", "no-store")
    request.end_headers()
    if request.command != "HEAD":
        request.wfile.write(b"Not Found\n")
