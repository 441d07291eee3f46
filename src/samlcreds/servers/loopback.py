"""The life cycle every loopback server of samlcreds shares: bind 127.0.0.1 on a random port,
serve one path from a daemon thread, stop and close the socket; and how they answer a request
(:func:`send_answer`). Standard library only (``http.server``)."""

from __future__ import annotations

import http.server
import logging
import sys
import threading

log = logging.getLogger(__name__)  # never given a path, a header or a body


class LoopbackServer:
    """Base of samlcreds' loopback servers: subclasses give :meth:`handler_class`.

    ``path``: the (secret, random) path the server answers, e.g. ``"/" + secrets.token_urlsafe(32)``.
    Use :meth:`start` / :meth:`stop`, or as a context manager. The socket
    listens on 127.0.0.1 only; the port is chosen by the kernel.
    """

    #: The serving thread's name (seen in debuggers and thread dumps).
    thread_name = "samlcreds-loopback-server"

    def __init__(self, path: str) -> None:
        self.path = path
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        """The request handler class (it may close over ``self``)."""
        raise NotImplementedError

    @property
    def port(self) -> int:
        """The listening port; RuntimeError before :meth:`start`."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port><path>``; RuntimeError before :meth:`start`."""
        return f"http://127.0.0.1:{self.port}{self.path}"

    def start(self):
        httpd = QuietHTTPServer(("127.0.0.1", 0), self.handler_class())
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (connections are refused afterwards)."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class QuietHTTPServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server (daemon threads) whose failed requests never print on stderr."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A request that failed (mostly a client gone before its answer was written: BrokenPipeError,
        ConnectionResetError) is logged at debug, never printed: socketserver's own prints a traceback."""
        error = sys.exc_info()[1]
        log.debug("a loopback request from port %s failed: %s: %s", client_address[1], type(error).__name__,
                  error, exc_info=not isinstance(error, OSError))  # anything but a dropped client is a bug


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler with no access log (paths and headers may be secrets)."""

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def send_answer(request: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"", *,
                content_type: str | None = None, headers: tuple[tuple[str, str], ...] = ()) -> None:
    """Answer ``request`` with ``status``, ``body`` (left out for ``HEAD``), ``Content-Length`` and
    ``Cache-Control: no-store`` (RFC 9111 section 5.2.2.5: nothing samlcreds serves may be cached),
    ``Content-Type`` when given, then ``headers``. Raises OSError when the client is gone."""
    request.send_response(status)
    if content_type is not None:
        request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    request.send_header("Cache-Control", "no-store")
    for name, value in headers:
        request.send_header(name, value)
    request.end_headers()
    if body and request.command != "HEAD":
        request.wfile.write(body)
    request.wfile.flush()
