"""The life cycle every loopback server of samlcreds shares: bind 127.0.0.1 on a random port,
serve from a daemon thread, stop and close the socket. Standard library only (``http.server``)."""

from __future__ import annotations

import http.server
import threading


class LoopbackServer:
    """Base of samlcreds' loopback servers: subclasses give :meth:`handler_class`.

    Use :meth:`start` / :meth:`stop`, or as a context manager. The socket
    listens on 127.0.0.1 only; the port is chosen by the kernel.
    """

    #: The serving thread's name (seen in debuggers and thread dumps).
    thread_name = "samlcreds-loopback-server"

    def __init__(self) -> None:
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

    def start(self):
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        httpd.daemon_threads = True
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


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler with no access log (paths and headers may be secrets)."""

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass
