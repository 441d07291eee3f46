"""The Python API: a self-refreshing ``boto3.Session`` for scripts and notebooks.

The credentials are botocore refreshable credentials from a credential
provider (``METHOD = "custom-saml"``) plugged in through botocore's public
``credential_provider`` component. botocore refreshes them 15 minutes before
expiry (advisory) by calling :meth:`SamlCredentialProvider.refresh`, which goes
through the same cache, single-flight lock and IdP session reuse as
``samlcreds process``; when the IdP needs a password it is asked with
``getpass`` (works in Jupyter).
"""

from __future__ import annotations

import getpass
from typing import Callable

from samlcreds import config, errors, paths
from samlcreds.creds import Credentials
from samlcreds.fetcher import CachingFetcher
from samlcreds.idp.base import request_for


def ask_password(prompt: str) -> str:
    """The default password prompt: ``getpass`` (a terminal, or Jupyter's own prompt).

    Raises :class:`~samlcreds.errors.InteractionRequired` when there is nowhere to ask.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)  # never fall back to an echoing read
        try:
            return getpass.getpass(prompt)
        except (EOFError, getpass.GetPassWarning, OSError):
            raise errors.InteractionRequired(
                "the IdP asks for a password and there is no terminal to ask on",
                hint="Run 'samlcreds login --profile PROFILE' in a terminal first, or pass "
                "get_password=... to samlcreds.session()/credentials().",
            ) from None


def _request_factory(settings: config.Settings, get_password: Callable[[str], str]):
    if get_password is ask_password:  # no password given: one stored in the OS keyring comes first
        from samlcreds.keyring_store import KeyringPassword

        get_password = KeyringPassword(ask_password, url=settings.url, username=settings.username,
                                       remember=settings.remember_password)
    return lambda: request_for(settings, get_password=get_password, state_dir=paths.sessions_dir(),
                               interactive=True)


def _fetcher(profile: str | None, overrides: dict, get_password) -> CachingFetcher:
    """The profile's fetcher: cache and sign-in, through role chaining for role_arn + source_profile."""
    from samlcreds.chain import fetcher_for

    unknown = set(overrides) - set(config.KEYS)
    if unknown:
        raise errors.UsageError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return fetcher_for(profile, lambda settings: _request_factory(settings, get_password), overrides=overrides)


class SamlCredentialProvider:
    """A botocore credential provider (``METHOD = "custom-saml"``) backed by samlcreds.

    ``load()`` returns ``DeferredRefreshableCredentials`` whose refresh runs
    :meth:`refresh` (cache → single-flight login).
    """

    METHOD = "custom-saml"
    CANONICAL_NAME = "custom-saml"

    def __init__(self, fetcher: CachingFetcher) -> None:
        self._fetcher = fetcher

    def refresh(self) -> dict[str, str]:
        """botocore's refresh callback: ``{access_key, secret_key, token, expiry_time}``."""
        return self._fetcher.fetch().to_botocore_metadata()

    def load(self):
        from botocore.credentials import DeferredRefreshableCredentials

        return DeferredRefreshableCredentials(refresh_using=self.refresh, method=self.METHOD)


def botocore_session(profile: str | None = None, *, get_password: Callable[[str], str] = ask_password,
                     **overrides):
    """A fresh ``botocore.session.Session`` whose only credential provider is samlcreds'.

    ``overrides``: settings by name (``role``, ``duration``, ``region``,
    ``url``, ``username``, ``provider``...), as on the command line.
    """
    import botocore.credentials

    from samlcreds.sts import botocore_session as plain_session

    fetcher = _fetcher(profile, overrides, get_password)
    session = plain_session(fetcher.settings.profile)  # the profile's endpoint, CA bundle, retries...
    resolver = botocore.credentials.CredentialResolver(providers=[SamlCredentialProvider(fetcher)])
    session.register_component("credential_provider", resolver)
    region = fetcher.settings.region
    if region:
        session.set_config_variable("region", region)
    return session


def session(profile: str | None = None, *, get_password: Callable[[str], str] = ask_password, **overrides):
    """A ``boto3.Session`` with self-refreshing credentials from a SAML login.

    ``profile``: the samlcreds profile (default ``AWS_PROFILE`` or ``default``);
    ``overrides``: settings (``role``, ``duration``, ``region``, ...).
    Raises :class:`~samlcreds.errors.SamlcredsError` subclasses on the first
    credential use if the login fails (botocore passes them through):
    :class:`~samlcreds.errors.InteractionRequired` when a password is needed and
    there is nowhere to ask, :class:`~samlcreds.errors.InvalidCredentials`,
    :class:`~samlcreds.errors.StsError`...
    """
    import boto3

    return boto3.Session(botocore_session=botocore_session(profile, get_password=get_password, **overrides))


def credentials(profile: str | None = None, *, get_password: Callable[[str], str] = ask_password,
                **overrides) -> Credentials:
    """Credentials for ``profile`` now (cached, or from a fresh login).

    Returns a frozen :class:`~samlcreds.creds.Credentials` with a
    tz-aware UTC ``expiration``.
    """
    return _fetcher(profile, overrides, get_password).fetch()
