"""A tiny IdP page server on loopback for the form provider's tests: routes to synthetic pages,
and a record of every request (method, path, posted fields)."""

from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable


@dataclass
class Hit:
    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    cookie: str = ""

    def fields(self) -> dict[str, str]:
        return dict(self.form or self.query)


@dataclass
class Reply:
    body: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stream:
    """An answer sent piece by piece (``pieces``, bytes, after a pause of ``pause`` s each) without a
    length, the connection closed at its end; ``sent`` counts the bytes the client took."""
    pieces: Callable[[], Iterable[bytes]]
    pause: float = 0.0
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    sent: int = 0


Route = Callable[[Hit], "Reply | Stream | str"]


class PageServer:
    """``routes`` maps a path to a page (str), a :class:`Reply`, or a callable taking the :class:`Hit`."""

    def __init__(self, routes: dict[str, object]) -> None:
        self.routes = routes
        self.hits: list[Hit] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _serve(self, method: str) -> None:
                parts = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                hit = Hit(method, parts.path, urllib.parse.parse_qsl(parts.query, keep_blank_values=True),
                          urllib.parse.parse_qsl(body, keep_blank_values=True), self.headers.get("cookie") or "")
                server.hits.append(hit)
                route = server.routes.get(parts.path)
                reply = route(hit) if callable(route) else route
                if reply is None:
                    reply = Reply("not found", 404)
                if isinstance(reply, str):
                    reply = Reply(reply)
                if isinstance(reply, Stream):
                    return self._stream(reply)
                self.send_response(reply.status)
                data = reply.body.encode()
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Stream) -> None:
                self.close_connection = True
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Connection", "close")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    for piece in reply.pieces():
                        time.sleep(reply.pause)
                        self.wfile.write(piece)
                        self.wfile.flush()
                        reply.sent += len(piece)
                except OSError:  # the client closed the connection
                    pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def __enter__(self) -> "PageServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def posts(self, path: str) -> list[dict[str, str]]:
        """The fields of every POST to ``path``, in order."""
        return [hit.fields() for hit in self.hits if hit.method == "POST" and hit.path == path]


def page(body: str, title: str = "IdP") -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"


def aws_form(value: str = "U0FNTFJlc3BvbnNl") -> str:
    """The IdP's last page: a form posting the SAMLResponse to AWS."""
    return page('<form method="post" action="https://signin.aws.amazon.com/saml">'
                f'<input type="hidden" name="SAMLResponse" value="{value}"><input type="submit" value="Go"></form>')


def login_form(action: str = "/login", extra: str = "") -> str:
    return page(f'<form method="post" action="{action}"><input name="username" id="username">'
                f'<input type="password" name="password">{extra}<button type="submit">Sign in</button></form>')


def code_form(action: str = "/mfa", field_html: str = '<input name="code" autocomplete="one-time-code">') -> str:
    return page(f'<form method="post" action="{action}"><input type="hidden" name="token" value="t1">{field_html}'
                '<button type="submit">Verify</button></form>')
