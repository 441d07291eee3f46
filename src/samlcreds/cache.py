"""The credential cache and its single-flight lock.

One JSON file per cache key under ``<cache dir>/credentials/`` (0600 files in
a 0700 directory, written atomically). The key is made of the profile, role,
principal, duration, IdP URL/user and STS endpoint — never the assertion. A
corrupt or mismatching entry is a miss. Importing this module costs only the
standard library: the cache-hit path of ``samlcreds process`` must stay cheap.

Single flight: :meth:`CredentialCache.single_flight` holds
``<cache dir>/locks/<key>.lock`` (a :class:`samlcreds.locks.FileLock`, released
by the kernel if the holder dies), so N processes needing the same credentials
cause one login.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib

#: botocore's advisory refresh window (botocore.credentials.RefreshableCredentials,
#: ``_DEFAULT_ADVISORY_REFRESH_TIMEOUT``): the longest window used, seconds.
REFRESH_WINDOW = 15 * 60
#: Never hand out credentials with less than this many seconds left, even fresh ones.
MIN_VALIDITY = 5 * 60
#: An entry obtained less than this many seconds ago is served whatever the window
#: (it is what the single flight a waiter just waited for brought back).
FRESH_AGE = 60.0
DEFAULT_LOCK_TIMEOUT = 300.0
#: Lifetime assumed for an entry that does not record when it was obtained (STS's default).
_DEFAULT_LIFETIME = 3600.0


_EXPIRATION = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
_KEY_FIELDS = ("provider", "url", "username", "role", "principal_arn", "duration", "region")


def cache_key(settings, environ: dict | None = None) -> dict[str, str]:
    """The fields that identify cached credentials for ``settings`` (a config.Settings)."""
    return key_from_values(settings.profile, settings.as_text(), environ)


def key_from_values(profile: str, values: dict, environ: dict | None = None) -> dict[str, str]:
    """:func:`cache_key` from a profile name and a ``{setting: value}`` dict."""
    env = os.environ if environ is None else environ
    key = {"profile": profile}
    for name in _KEY_FIELDS:
        key[name] = str(values.get(name) or "")
    key["endpoint"] = env.get("AWS_ENDPOINT_URL_STS") or env.get("AWS_ENDPOINT_URL") or ""
    return key


def key_lifetime(key: dict[str, str]) -> float:
    """The credential lifetime ``key`` asks STS for (its ``duration``; 3,600 s when unset or odd)."""
    try:
        return float(key.get("duration") or _DEFAULT_LIFETIME)
    except ValueError:
        return _DEFAULT_LIFETIME


def key_name(key: dict[str, str]) -> str:
    """File-name stem for ``key``: the profile name (sanitised) and a checksum.

    The entry stores the whole key and is checked on load, so a checksum
    collision can only cause a miss, never wrong credentials.
    """
    blob = json.dumps(key, sort_keys=True).encode()
    digest = f"{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}"
    profile = "".join(c if c.isascii() and (c.isalnum() or c in "_.-") else "_"
                      for c in key.get("profile", ""))[:40] or "profile"
    return f"{profile}-{digest}"


class CacheEntry:
    """A cached credential_process document, its expiry and when it was obtained.

    ``expires_at`` and ``obtained_at`` are epoch seconds; ``obtained_at`` is
    ``None`` for entries written before it was recorded.
    """

    __slots__ = ("document", "expires_at", "meta", "obtained_at")

    def __init__(self, document: dict, expires_at: float, meta: dict | None = None,
                 obtained_at: float | None = None) -> None:
        self.document = document
        self.expires_at = expires_at
        self.meta = meta or {}
        self.obtained_at = obtained_at

    def seconds_left(self, now: float | None = None) -> float:
        """Seconds of validity left at ``now`` (epoch seconds; default: the current time)."""
        return self.expires_at - (time.time() if now is None else now)

    def lifetime(self, fallback: float = _DEFAULT_LIFETIME) -> float:
        """Seconds from obtaining to expiry (``fallback``, e.g. the requested duration, when unknown)."""
        if self.obtained_at is None:
            return fallback
        return self.expires_at - self.obtained_at


class CredentialCache:
    """Cached credentials on disk. ``directory`` (str or Path) is created 0700 on first write."""

    def __init__(self, directory) -> None:
        self.directory = str(directory)

    def path(self, key: dict[str, str]) -> str:
        return os.path.join(self.directory, key_name(key) + ".json")

    def load(self, key: dict[str, str]) -> CacheEntry | None:
        """The entry for ``key``, or ``None`` when missing, corrupt or for another key."""
        try:
            with open(self.path(key), "rb") as handle:
                stored = json.loads(handle.read())
            if stored.get("key") != key:
                return None
            document = stored["credentials"]
            if not _well_formed(document):
                return None
            expires_at = stored.get("expires_at")
            if not isinstance(expires_at, (int, float)):
                expires_at = _epoch(document["Expiration"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        meta = stored.get("meta")
        obtained_at = stored.get("obtained_at")
        if not isinstance(obtained_at, (int, float)) or isinstance(obtained_at, bool):
            obtained_at = None
        return CacheEntry(document=document, expires_at=float(expires_at),
                          meta=meta if isinstance(meta, dict) else None,
                          obtained_at=None if obtained_at is None else float(obtained_at))

    def store(self, key: dict[str, str], document: dict, meta: dict | None = None,
              obtained_at: float | None = None):
        """Write the credential_process ``document`` (and ``meta``, e.g. role ARNs) for ``key``.

        ``obtained_at``: epoch seconds STS issued it (default: now); with the
        expiry it gives the lifetime that sizes the refresh window
        (:func:`refresh_window`). Atomic, 0600. ``meta`` is kept beside the
        document, never printed by ``process``.
        """
        from pathlib import Path

        from samlcreds.safefile import atomic_write

        path = Path(self.path(key))
        data = json.dumps({"key": key, "credentials": document, "meta": meta or {},
                           "expires_at": _epoch(document["Expiration"]),
                           "obtained_at": time.time() if obtained_at is None else obtained_at}).encode()
        atomic_write(path, data, mode=0o600)
        return path

    def keys(self) -> list[dict[str, str]]:
        """The keys (:func:`cache_key`) of the entries on disk, expired ones too; unreadable entries left out.

        Each names the profile and the IdP URL and user name its credentials were signed in with
        (``""`` when none), also for a sign-in made with command-line flags only.
        """
        from pathlib import Path

        directory = Path(self.directory)
        if not directory.is_dir():
            return []
        found = []
        for path in sorted(directory.glob("*.json")):
            try:
                key = json.loads(path.read_bytes()).get("key")
            except (OSError, ValueError, AttributeError):
                continue
            if isinstance(key, dict) and all(isinstance(v, str) for v in key.values()):
                found.append(key)
        return found

    def clear(self, profile: str | None = None) -> int:
        """Delete entries (of ``profile``, or all); returns how many."""
        from pathlib import Path

        count = 0
        directory = Path(self.directory)
        if not directory.is_dir():
            return 0
        for path in directory.glob("*.json"):
            if profile is not None:
                try:
                    stored = json.loads(path.read_bytes())
                    if stored.get("key", {}).get("profile") != profile:
                        continue
                except (OSError, ValueError, AttributeError):
                    pass  # corrupt: remove it too
            try:
                path.unlink()
                count += 1
            except OSError:
                pass
        return count

    def acquire(self, key: dict[str, str], timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        """Take the single-flight lock for ``key`` and keep it until :meth:`release`.

        A :class:`samlcreds.locks.FileLock` on ``<cache dir>/locks/<key>.lock``
        (re-entrant within a thread; freed by the kernel if the holder dies).
        Raises :class:`~samlcreds.errors.CacheError` on timeout or when the
        lock file cannot be created.
        """
        from samlcreds import errors

        locks = os.path.join(os.path.dirname(self.directory), "locks")
        try:
            if not os.path.isdir(locks):
                _ensure_private_dir(locks)
            acquired = self._lock(key).acquire(timeout)
        except OSError as exc:
            raise errors.CacheError(f"cannot use the lock file in {locks}: {exc.strerror or exc}",
                                    hint="Check that the cache directory is writable.") from None
        if not acquired:
            raise errors.CacheError(
                f"another samlcreds process has been signing in for profile {key.get('profile')} "
                f"for over {timeout:.0f} s",
                hint="Finish or cancel that sign-in (it may be waiting for a password in another terminal), "
                     "then try again.")

    def release(self, key: dict[str, str]) -> None:
        """Release one hold of the lock for ``key`` (see :meth:`acquire`)."""
        self._lock(key).release()

    def _lock(self, key: dict[str, str]):
        from samlcreds.locks import FileLock

        return FileLock(os.path.join(os.path.dirname(self.directory), "locks", key_name(key) + ".lock"))

    def single_flight(self, key: dict[str, str], timeout: float = DEFAULT_LOCK_TIMEOUT) -> "_Flight":
        """A context manager holding the lock for ``key`` (re-entrant; an OS lock, freed if the process dies)."""
        return _Flight(self, key, timeout)


class _Flight:
    """``with cache.single_flight(key):`` (a class, so a cache hit need not import contextlib)."""

    def __init__(self, cache: CredentialCache, key: dict[str, str], timeout: float) -> None:
        self.cache, self.key, self.timeout = cache, key, timeout

    def __enter__(self) -> None:
        self.cache.acquire(self.key, self.timeout)

    def __exit__(self, *exc) -> None:
        self.cache.release(self.key)


def _ensure_private_dir(path: str) -> None:
    from pathlib import Path

    from samlcreds.safefile import ensure_private_dir

    ensure_private_dir(Path(path))


def _well_formed(document) -> bool:
    """A credential_process document worth serving: Version 1, string keys, a UTC expiry."""
    return (
        isinstance(document, dict)
        and document.get("Version") == 1
        and all(isinstance(document.get(k), str) and document.get(k)
                for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))
        and isinstance(document.get("Expiration"), str)
        and _EXPIRATION.fullmatch(document["Expiration"]) is not None
    )


def _epoch(text: str) -> float:
    """Epoch seconds of an ISO-8601 time with a zone (``...Z``); ``ValueError`` otherwise."""
    from datetime import datetime

    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("expiration without a zone")
    return moment.timestamp()


def refresh_window(lifetime: float) -> float:
    """Seconds of validity a cached credential of ``lifetime`` seconds must keep to be served.

    ``min(15 min, lifetime / 3)``, never under :data:`MIN_VALIDITY` (5 min):
    3,600-s credentials are served until 15 minutes before expiry (botocore's
    advisory refresh window), 900-s ones (STS's minimum DurationSeconds) until
    5 minutes before. A fixed 15-minute window would make every 900-s
    credential stale at birth.
    """
    return max(float(MIN_VALIDITY), min(float(REFRESH_WINDOW), lifetime / 3))


def usable(entry: CacheEntry | None, window: float | None = None, now: float | None = None,
           lifetime: float = _DEFAULT_LIFETIME) -> bool:
    """True when ``entry`` may be handed out at ``now`` (epoch seconds; default: the current time).

    Never with under :data:`MIN_VALIDITY` seconds left. Otherwise an entry
    obtained under :data:`FRESH_AGE` seconds ago is served (a single flight
    just brought it), and any other needs ``window`` seconds left — by default
    :func:`refresh_window` of its lifetime (``lifetime``, e.g. the requested
    duration, stands in when the entry does not record it).
    """
    if entry is None:
        return False
    now = time.time() if now is None else now
    left = entry.expires_at - now
    if left < MIN_VALIDITY:
        return False
    if entry.obtained_at is not None and 0 <= now - entry.obtained_at < FRESH_AGE:
        return True
    return left >= (refresh_window(entry.lifetime(lifetime)) if window is None else window)
