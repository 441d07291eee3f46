"""Which IdP accounts a profile signs in with, and which profiles share each one (for ``samlcreds logout``).

A saved IdP session (a cookie jar, a browser profile) belongs to an IdP account, the IdP host and the
user name (:func:`samlcreds.idp.base.account_state_path`), not to a profile: every profile that signs in
as that user at that IdP uses the same session, and forgetting it signs them all out. A profile's
accounts are the one its settings name (flags > ``SAMLCREDS_*`` environment > config file) and the
ones its cached credentials were signed in with: a cache key (:func:`samlcreds.cache.cache_key`) holds
the IdP URL and user name of the sign-in, also of one made with command-line flags only.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from samlcreds.idp.base import idp_host


class IdpAccount(NamedTuple):
    """One IdP account: the sign-in URL it was seen with and the user name (``""`` when none)."""

    url: str
    username: str = ""

    @property
    def host(self) -> str:
        """``host[:port]``, lower case: what saved sessions are keyed by, with :attr:`username`."""
        return idp_host(self.url)

    def same(self, url: str | None, username: str | None) -> bool:
        """True when (``url``, ``username``) is this account: same IdP host and user name."""
        return bool(url) and idp_host(url) == self.host and (username or "") == self.username

    def describe(self) -> str:
        """``alice at idp.example.com``; ``no user name at idp.example.com`` without one."""
        return f"{self.username} at {self.host}" if self.username else f"no user name at {self.host}"


def of_profile(settings, cache_keys: Iterable[dict]) -> list[IdpAccount]:
    """The accounts profile ``settings.profile`` signs in with: the settings' own first, then the ones
    its cached credentials (``cache_keys``, :meth:`samlcreds.cache.CredentialCache.keys`) record.

    ``settings``: a :class:`samlcreds.config.Settings`. Each account once (same host and user name);
    ``[]`` when neither names an IdP URL.
    """
    found: list[IdpAccount] = []
    candidates = [(settings.url, settings.username)]
    candidates += [(key.get("url"), key.get("username")) for key in cache_keys
                   if key.get("profile") == settings.profile]
    for url, username in candidates:
        if url and not any(account.same(url, username) for account in found):
            found.append(IdpAccount(url, username or ""))
    return found


def sharing(account: IdpAccount, profile: str, cache_keys: Iterable[dict], environ=None) -> list[str]:
    """The profiles other than ``profile`` that sign in with ``account``, sorted.

    Those of the config file whose settings (``SAMLCREDS_*`` environment > config file) name it, and
    those whose cached credentials (``cache_keys``) were signed in with it.
    """
    from samlcreds.profile import profile_names, resolve_values

    names = {key.get("profile") for key in cache_keys if account.same(key.get("url"), key.get("username"))}
    for name in profile_names(environ):
        _, values = resolve_values(name, environ)
        if account.same(values.get("url"), values.get("username")):
            names.add(name)
    return sorted(name for name in names if name and name != profile)
