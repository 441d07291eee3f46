"""A console federation endpoint for tests (``/federation`` on :class:`sandbox.sts.StrictSts`).

Speaks AWS's two actions (IAM User Guide, "Enable custom identity broker access
to the AWS console"):

* ``Action=getSigninToken&Session=<JSON>``: the session's ``sessionId``,
  ``sessionKey`` and ``sessionToken`` must be temporary credentials moto's STS
  issued (AssumeRoleWithSAML through StrictSts, or AssumeRole), matching all
  three and unexpired; answers ``{"SigninToken": ...}`` (valid 15 minutes) or
  HTTP 400 like AWS.
* ``Action=login&SigninToken=...&Destination=...``: a known, unexpired token
  redirects (302) to ``Destination``; anything else is HTTP 400.

``issued`` and ``logins`` record, per token, the assumed-role ARN it signs in
as, so tests can check the console session is the right role's.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
import threading
import urllib.parse

from moto.backends import get_backend

TOKEN_LIFETIME = dt.timedelta(minutes=15)
ACCOUNTS = ("111111111111", "222222222222", "333333333333", "444444444444")


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


class Federation:
    """WSGI app of the federation endpoint; ``issued``/``logins``: lists of ``{"role_arn", ...}``."""

    def __init__(self, accounts=ACCOUNTS) -> None:
        self.accounts = tuple(accounts)
        self.issued: list[dict] = []
        self.logins: list[dict] = []
        self.refused: list[str] = []
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        action = query.get("Action")
        if action == "getSigninToken":
            return self._get_signin_token(query, start_response)
        if action == "login":
            return self._login(query, start_response)
        return _answer(start_response, 400, "text/plain", b"Unknown Action")

    def _find_session(self, session: dict):
        for account in self.accounts:
            for backend in get_backend("sts")[account].values():
                for role in getattr(backend, "assumed_roles", []):
                    if hmac.compare_digest(role.access_key_id, str(session.get("sessionId", ""))):
                        return role
        return None

    def _get_signin_token(self, query: dict, start_response):
        try:
            session = json.loads(query.get("Session", ""))
        except ValueError:
            session = None
        if not isinstance(session, dict):
            return self._refuse(start_response, "Session is not a JSON object")
        role = self._find_session(session)
        if role is None:
            return self._refuse(start_response, "unknown sessionId")
        if not (hmac.compare_digest(role.secret_access_key, str(session.get("sessionKey", "")))
                and hmac.compare_digest(role.session_token, str(session.get("sessionToken", "")))):
            return self._refuse(start_response, "sessionKey or sessionToken does not match")
        now = dt.datetime.now(dt.timezone.utc)
        if _utc(role.expiration) <= now:
            return self._refuse(start_response, "the session has expired")
        if "SessionDuration" in query:
            return self._refuse(start_response, "SessionDuration is not allowed with role credentials")
        token = secrets.token_urlsafe(48)
        record = {"role_arn": role.arn, "access_key_id": role.access_key_id, "token": token,
                  "expires": now + TOKEN_LIFETIME}
        with self._lock:
            self._tokens[token] = record
            self.issued.append(record)
        return _answer(start_response, 200, "application/json", json.dumps({"SigninToken": token}).encode())

    def _login(self, query: dict, start_response):
        with self._lock:
            record = self._tokens.get(query.get("SigninToken", ""))
        destination = query.get("Destination", "")
        if record is None or record["expires"] <= dt.datetime.now(dt.timezone.utc):
            return self._refuse(start_response, "unknown or expired SigninToken")
        if not destination.startswith("https://"):
            return self._refuse(start_response, "Destination is not an https URL")
        with self._lock:
            self.logins.append({"role_arn": record["role_arn"], "destination": destination,
                                "issuer": query.get("Issuer")})
        start_response("302 Found", [("Location", destination), ("Content-Length", "0")])
        return [b""]

    def _refuse(self, start_response, why: str):
        with self._lock:
            self.refused.append(why)
        return _answer(start_response, 400, "text/html", b"<html><body>Bad Request</body></html>")


def _answer(start_response, status: int, content_type: str, payload: bytes):
    reason = {200: "OK", 400: "Bad Request"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
    return [payload]
