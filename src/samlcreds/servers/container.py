"""A loopback credentials server in botocore's container-credentials format.

botocore's ``ContainerProvider`` (method ``container-role``) reads
``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (plain http only to loopback hosts)
and sends ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` verbatim as the
``Authorization`` header; it expects JSON with ``AccessKeyId``,
``SecretAccessKey``, ``Token`` and ``Expiration`` (ISO-8601).

The server binds 127.0.0.1 only, serves one random path, answers 401
without an ``Authorization`` header and 403 with any value but the exact
token (compared in constant time). Each request asks ``fetch()`` for
credentials, which serves them from the cache or signs in again (through the
IdP session) within botocore's refresh window. Standard library only.
"""

from __future__ import annotations

import hmac
import http.server
import json
import logging
import secrets
import threading
from typing import Callable

from samlcreds import errors
from samlcreds.creds import Credentials, iso_utc
from samlcreds.servers.loopback import LoopbackServer, QuietHandler, send_answer

log = logging.getLogger(__name__)  # never given the token or credentials


def container_document(creds: Credentials) -> dict:
    """The container-credentials JSON botocore reads (``Token``, not ``SessionToken``)."""
    return {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
            "Token": creds.session_token, "Expiration": iso_utc(creds.expiration)}


class CredentialsServer(LoopbackServer):
    """Serve ``fetch()``'s credentials on ``http://127.0.0.1:<port>/<random path>``.

    ``fetch`` returns :class:`~samlcreds.creds.Credentials` or raises a
    :class:`~samlcreds.errors.SamlcredsError` (answered 500 with its message,
    which holds no secret). ``on_error(exc)`` is told about such failures.
    Use :meth:`start` / :meth:`stop`, or as a context manager (:class:`LoopbackServer`).
    """

    def __init__(self, fetch: Callable[[], Credentials], *, token: str | None = None,
                 on_error: Callable[[errors.SamlcredsError], None] = lambda exc: None) -> None:
        self.fetch = fetch
        self.token = token or secrets.token_urlsafe(32)
        self.on_error = on_error
        self._fetch_lock = threading.Lock()  # one sign-in at a time, whatever the number of callers
        super().__init__("/credentials/" + secrets.token_urlsafe(12))

    def environment(self) -> dict[str, str]:
        """The two variables botocore needs to use this server (:attr:`url` is the FULL_URI)."""
        return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token}

    def handler_class(self):
        server = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server's name
                server._handle(self)

        return Handler

    def _handle(self, request: http.server.BaseHTTPRequestHandler) -> None:
        given = request.headers.get("Authorization")
        if given is None:
            return _reply(request, 401, {"message": "missing Authorization header"})
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.token.encode()):
            return _reply(request, 403, {"message": "wrong authorization token"})
        if request.path.split("?", 1)[0] != self.path:
            return _reply(request, 404, {"message": "not found"})
        try:
            with self._fetch_lock:
                creds = self.fetch()
        except errors.SamlcredsError as exc:
            self.on_error(exc)
            return _reply(request, 500, {"message": exc.message})
        log.debug("served credentials %s", creds.access_key_id)
        return _reply(request, 200, container_document(creds))


def _reply(request: http.server.BaseHTTPRequestHandler, status: int, document: dict) -> None:
    send_answer(request, status, json.dumps(document).encode(), content_type="application/json")
