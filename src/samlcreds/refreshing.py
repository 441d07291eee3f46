"""botocore's refresh callback for the Python API, with refresh failures the user sees.

botocore refreshes ``RefreshableCredentials`` in an advisory window (15 min
before expiry) and a mandatory one (10 min). An error in the advisory window
goes to botocore's logger, which has only a ``NullHandler``: nobody sees it, the
call goes on, and the next call tries (and prompts) again. In the mandatory
window the error is raised although the credentials still work. (botocore
``credentials.RefreshableCredentials._protected_refresh``.)

:class:`Refresher` is the ``refresh_using`` callable instead:

* a failed refresh is reported once, as a :class:`RefreshWarning` (Python's
  :mod:`warnings`: shown under the cell in Jupyter, on stderr elsewhere) with
  samlcreds' message and when the current credentials expire; calls go on with
  the current credentials until then;
* errors that need the user (a refused password, no way to ask, a pasted
  SAMLResponse) stop automatic sign-ins for the session: a refused password is
  never sent again. The cache is still read, so credentials from a sign-in
  elsewhere (a new ``samlcreds.session()``, ``samlcreds login``) are picked up;
* other errors (IdP or STS unreachable, STS refusals, a busy lock) are tried
  again after ``retry_after`` seconds, not on every call;
* once the current credentials have expired, the error is raised: samlcreds'
  message first, then when they expired.
"""

from __future__ import annotations

import copy
import sys
import threading
import warnings
from datetime import datetime, timedelta, timezone
from typing import Callable

from samlcreds import errors
from samlcreds.creds import Credentials

RETRY_AFTER = 60.0
#: Current credentials count as expired this many seconds before their Expiration
#: (a request signed with them may reach AWS a little later).
EXPIRY_MARGIN = 30.0
#: Failures worth trying again by ourselves: nothing the user must change or type.
RETRYABLE = (errors.IdpUnreachable, errors.StsError, errors.CacheError)
#: Top-level packages whose frames a warning is not attributed to.
_INTERNAL = {"samlcreds", "botocore", "boto3", "s3transfer", "threading"}


class RefreshWarning(UserWarning):
    """Refreshing a session's credentials failed; the current ones are used until they expire."""


def report(message: str) -> None:
    """Show ``message`` as a :class:`RefreshWarning`, once, at the first caller line outside samlcreds/botocore."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in _INTERNAL:
        frame = frame.f_back
    if frame is None:
        warnings.warn(message, RefreshWarning, stacklevel=2)
        return
    # a fresh registry: every failure is shown, even with the same text as an earlier one
    warnings.warn_explicit(message, RefreshWarning, frame.f_code.co_filename, frame.f_lineno,
                           module=frame.f_globals.get("__name__"), registry={},
                           module_globals=frame.f_globals)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Refresher:
    """``refresh_using`` for botocore: ``{access_key, secret_key, token, expiry_time}``.

    ``sign_in()`` returns fresh (or cached) :class:`Credentials` and raises
    :class:`~samlcreds.errors.SamlcredsError`; ``cached()`` returns cached
    credentials or ``None`` without signing in. ``current``: credentials already
    held (a pasted SAMLResponse's). ``label`` names them in messages (``of
    profile 'work'``); ``again`` tells how to sign in again. ``clock`` returns
    tz-aware UTC now; ``report(message)`` shows a failure (default: a
    :class:`RefreshWarning`).
    """

    def __init__(self, sign_in: Callable[[], Credentials], *, cached: Callable[[], Credentials | None] = lambda: None,
                 current: Credentials | None = None, label: str = "", again: str = "",
                 clock: Callable[[], datetime] = _utc_now, retry_after: float = RETRY_AFTER,
                 report: Callable[[str], None] = report) -> None:
        self.sign_in = sign_in
        self.cached = cached
        self.current = current
        self.label = label
        self.again = again
        self.clock = clock
        self.retry_after = retry_after
        self.report = report
        self._lock = threading.Lock()
        self._stopped: errors.SamlcredsError | None = None  # needs the user: no more automatic sign-ins
        self._failed: errors.SamlcredsError | None = None   # the last retryable failure
        self._retry_at: datetime | None = None

    def __call__(self) -> dict[str, str]:
        return self.refresh().to_botocore_metadata()

    def refresh(self) -> Credentials:
        """Credentials for botocore now (see the module docstring for what happens on failure)."""
        with self._lock:
            now = self.clock()
            if self._stopped is None and (self._retry_at is None or now >= self._retry_at or self._expired(now)):
                try:
                    return self._use(self.sign_in())
                except errors.SamlcredsError as exc:
                    return self._after_failure(exc, now)
            found = self.cached()  # the cache serves only credentials worth handing out
            if found is not None:
                return self._use(found)
            return self._keep(self._stopped or self._failed, now)

    def _use(self, credentials: Credentials) -> Credentials:
        self.current, self._stopped, self._failed, self._retry_at = credentials, None, None, None
        return credentials

    def _expired(self, now: datetime) -> bool:
        return self.current is None or self.current.seconds_left(now) <= EXPIRY_MARGIN

    def _after_failure(self, exc: errors.SamlcredsError, now: datetime) -> Credentials:
        if isinstance(exc, RETRYABLE):
            self._failed, self._retry_at = exc, now + timedelta(seconds=self.retry_after)
        else:
            self._stopped = exc
        if self._expired(now):
            raise self._final(exc) if self.current is not None else exc
        self.report(self._warning(exc, now))
        return self.current

    def _keep(self, exc: errors.SamlcredsError, now: datetime) -> Credentials:
        if not self._expired(now):
            return self.current
        raise self._final(exc)

    def _warning(self, exc: errors.SamlcredsError, now: datetime) -> str:
        left = max(0, int(self.current.seconds_left(now) // 60))
        lines = [f"samlcreds: refreshing the credentials{_sp(self.label)} failed: {exc.message}",
                 f"The current credentials expire at {self.current.expiration:%H:%M:%S} UTC (in {left} min); "
                 "calls go on with them until then."]
        if isinstance(exc, RETRYABLE):
            lines += [exc.hint] if exc.hint else []
            lines.append(f"samlcreds tries again in {self.retry_after:.0f} s.")
        elif self.again:
            lines.append(f"samlcreds will not sign in again by itself (a refused password is never resent). "
                         f"{self.again}")
        return "\n".join(lines)

    def _final(self, exc: errors.SamlcredsError) -> errors.SamlcredsError:
        """``exc`` reworded for when nothing usable is left: its message first, short."""
        final = copy.copy(exc)
        if self.current is not None:
            final.message = (f"{exc.message} (the credentials{_sp(self.label)} expired at "
                             f"{self.current.expiration:%Y-%m-%d %H:%M:%S} UTC)")
        if self.again and not isinstance(exc, RETRYABLE):
            final.hint = self.again
        final.args = (final.message,)
        final.__cause__ = final.__context__ = None
        final.__suppress_context__ = True
        final.__traceback__ = None
        return final


def _sp(text: str) -> str:
    return f" {text}" if text else ""
