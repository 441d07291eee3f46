"""Credentials for a profile, served from the cache or fetched by a (single-flight) login.

The decorator around the login flow used by ``samlcreds process``, ``exec``,
``env`` and the Python API: cache hit → no IdP, no STS; miss or stale → one
process signs in (reusing the IdP session when it can) while others wait on
the lock and then read what it cached.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Callable

from samlcreds import errors, flow, paths
from samlcreds.cache import CredentialCache, cache_key, key_lifetime, usable
from samlcreds.config import Settings
from samlcreds.creds import Credentials
from samlcreds.idp.base import LoginRequest
from samlcreds.profile import quote_word


class CachingFetcher:
    """Fetch :class:`Credentials` for ``settings`` through the cache.

    ``request_factory()`` builds the :class:`LoginRequest` only when a login
    is needed. ``window``: seconds of validity a cached entry must still have;
    ``None`` (the default) sizes it to the credential's lifetime
    (:func:`samlcreds.cache.refresh_window`: 15 minutes for hour-long
    credentials, 5 for 900-s ones). An entry obtained under a minute ago is
    served whatever the window, so processes that waited on the single flight
    serve what it brought. ``clock`` returns tz-aware UTC now (injectable for tests).
    ``bind_chosen_role``: when the picker chose the role (no role set, several
    granted), cache the credentials under that role's key, not the profile's,
    and keep that role for later fetches (the Python API: a choice made in a
    notebook is not remembered as the profile's role).
    """

    def __init__(
        self,
        settings: Settings,
        request_factory: Callable[[], LoginRequest],
        *,
        picker: flow.Picker | None = None,
        cache: CredentialCache | None = None,
        window: float | None = None,
        lock_timeout: float = 300.0,
        progress: Callable[[str], None] = lambda message: None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        bind_chosen_role: bool = False,
        may_paste: bool = False,
    ) -> None:
        self.settings = settings
        self.request_factory = request_factory
        self.picker = picker
        self.cache = cache or CredentialCache(paths.credentials_cache_dir())
        self.window = window
        self.lock_timeout = lock_timeout
        self.progress = progress
        self.clock = clock
        self.bind_chosen_role = bind_chosen_role
        self.may_paste = may_paste

    @property
    def key(self) -> dict[str, str]:
        return cache_key(self.settings)

    def cached(self) -> Credentials | None:
        """Cached credentials that may be handed out now (:func:`samlcreds.cache.usable`), else ``None``."""
        key = self.key
        entry = self.cache.load(key)
        if usable(entry, self.window, self.clock().timestamp(), key_lifetime(key)):
            return Credentials.from_cache_entry(entry)
        return None

    def fetch(self) -> Credentials:
        """Cached credentials, or a fresh login's (stored in the cache).

        Raises any :class:`~samlcreds.errors.SamlcredsError` of the flow,
        :class:`~samlcreds.errors.InteractionRequired` when the paste provider
        would have to sign in (unless ``may_paste``: ``login`` was handed a SAMLResponse), or
        :class:`~samlcreds.errors.CacheError` when the lock is not obtained.
        """
        found = self.cached()
        if found is not None:
            return found
        with self.cache.single_flight(self.key, timeout=self.lock_timeout):
            found = self.cached()  # another process may have just signed in
            if found is not None:
                return found
            if (self.settings.provider or "") == "paste" and not self.may_paste:  # it would read stdin
                raise errors.InteractionRequired(
                    f"profile {self.settings.profile} uses the paste provider, which cannot sign in again "
                    "by itself",
                    hint=f"Run 'samlcreds login --profile {quote_word(self.settings.profile)}' with a fresh "
                    "SAMLResponse, or use the form or browser provider.")
            result = flow.login(self.settings, self.request_factory(), picker=self.picker,
                                progress=self.progress)
            if self.bind_chosen_role and not self.settings.role and len(result.assertion.roles) > 1:
                self.settings = replace(self.settings, role=result.role.role_arn)
            self.cache.store(self.key, *result.credentials.to_cache_entry(), obtained_at=self.clock().timestamp())
            return result.credentials


def remember(settings: Settings, result: flow.LoginResult) -> None:
    """Store a login's credentials (from ``samlcreds login``) in the cache for ``settings``."""
    CredentialCache(paths.credentials_cache_dir()).store(cache_key(settings), *result.credentials.to_cache_entry())
