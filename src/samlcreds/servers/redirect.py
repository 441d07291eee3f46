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
  process or by root (read from ``/proc/net/tcp``): another local user who
  reads the loopback URL from the browser's argv and races the browser gets 404.
  Root is let through: it can read samlcreds' memory anyway, and WSL2's
  localhost relay and some port forwarders run as root;
* answers anything else 404 (``HEAD``/``POST`` included) and, once it has
  redirected, stops: the loopback URL is worthless after one use.

A refused request usually means the browser cannot reach this server as it
is (it runs on another machine, or behind a forwarder that rewrites ``Host``):
:meth:`OneShotRedirect.wait` then ends :data:`REFUSED_GRACE` seconds after
it, unless a good request comes first.

Standard library only (``http.server``).
"""

from __future__ import annotations

import hmac
import http.server
import os
import secrets
import socket
import threading
import time

from samlcreds.servers.loopback import LoopbackServer, QuietHandler, send_answer

#: Seconds ``samlcreds console`` waits for the browser to fetch the loopback URL.
BROWSER_WAIT = 60.0
#: Seconds :meth:`OneShotRedirect.wait` still waits after a refused request for a good one.
REFUSED_GRACE = 2.0


class OneShotRedirect(LoopbackServer):
    """Redirect the first request for :attr:`url` to ``target``, then stop.

    ``target``: the secret URL (never logged, never in an argv). Use
    :meth:`start`, :meth:`wait` and :meth:`stop`, or as a context manager
    (``with OneShotRedirect(url) as redirect: ...``). :attr:`refused` says why
    the last request refused before the redirect was refused (``None``: none was).
    """

    thread_name = "samlcreds-console-redirect"

    def __init__(self, target: str) -> None:
        self._target = target
        self._served = False
        self._refused_at: float | None = None  # time.monotonic() of the last refused request
        self._changed = threading.Condition()  # guards the three above
        #: Why the last refused request was refused, e.g. ``"its Host header was not 127.0.0.1:<port>"``.
        self.refused: str | None = None
        super().__init__("/" + secrets.token_urlsafe(32))

    @property
    def served(self) -> bool:
        """True once the redirect was sent."""
        return self._served

    def handler_class(self):
        redirect = self

        class Handler(QuietHandler):
            timeout = 10  # seconds a client may take to send its request (a stalled one is dropped)

            def do_GET(self):  # noqa: N802 - http.server's names
                redirect._answer(self, redirect._refusal(self))

            def do_HEAD(self):  # noqa: N802
                redirect._answer(self, f"it was a {self.command}, not a GET")

            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD  # noqa: N815

        return Handler

    def wait(self, timeout: float = BROWSER_WAIT) -> bool:
        """Wait for the redirect to be sent; True if it was. Stops the server.

        Waits up to ``timeout`` seconds, or :data:`REFUSED_GRACE` seconds after
        the last refused request when that comes sooner (see :attr:`refused`).
        """
        deadline = time.monotonic() + timeout
        try:
            with self._changed:
                while not self._served:
                    end = deadline if self._refused_at is None else min(deadline, self._refused_at + REFUSED_GRACE)
                    left = end - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(left)
                return True
        finally:
            self.stop()

    def _refusal(self, request: http.server.BaseHTTPRequestHandler) -> str | None:
        """Why a GET is refused (no secret in it), or None for the browser's good request."""
        port = request.server.server_address[1]  # (self.port is gone once wait() stopped the server)
        if not hmac.compare_digest(request.path.encode("utf-8", "surrogateescape"), self.path.encode()):
            return "it asked for another path"
        if request.headers.get("Host") != f"127.0.0.1:{port}":
            return f"its Host header was not 127.0.0.1:{port}"
        uid = loopback_peer_uid(request.client_address, port)
        if uid == -1:
            return "samlcreds could not tell which user sent it"
        if uid is not None and uid not in (os.getuid(), 0):
            return f"it came from another user's process (uid {uid})"  # another local user racing the browser
        return None

    def _answer(self, request: http.server.BaseHTTPRequestHandler, refusal: str | None) -> None:
        with self._changed:
            if not self._served and refusal is None:
                send_answer(request, 303, headers=(("Location", self._target), ("Referrer-Policy", "no-referrer"),
                                                   ("Connection", "close")))
                self._served = True
                self._changed.notify_all()
                return
            if not self._served:
                self.refused, self._refused_at = refusal, time.monotonic()
                self._changed.notify_all()
        send_answer(request, 404, b"Not Found\n", content_type="text/plain")


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
