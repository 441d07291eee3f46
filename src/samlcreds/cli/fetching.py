"""Building a credentials fetcher (cache, sign-in, role chaining) from command-line flags."""

from __future__ import annotations

from samlcreds import accounts, errors
from samlcreds.cache import DEFAULT_LOCK_TIMEOUT
from samlcreds.chain import fetcher_for
from samlcreds.cli.options import Inputs, build_request
from samlcreds.cli.terminal import Terminal, make_picker


def make_fetcher(profile: str | None, *, debug: bool = False, window: float | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT, inputs: Inputs | None = None, **overrides):
    """A ``CachingFetcher`` (or ``ChainedFetcher`` for a role_arn + source_profile profile) for ``profile``.

    ``inputs`` defaults to the terminal (no ``--password-stdin``).
    """
    terminal = Terminal()
    inputs = inputs or Inputs(password_stdin=False, terminal=terminal)
    return fetcher_for(
        profile,
        lambda settings: (lambda: build_request(settings, saml_file=None, inputs=inputs, debug=debug)),
        picker=make_picker(terminal, accounts.names(profile)) if terminal.available else None,
        window=window, lock_timeout=lock_timeout, overrides=overrides,
    )


def fetch_with(fetcher):
    """``fetcher.fetch()``, naming ``samlcreds login`` when the sign-in needs a person."""
    try:
        return fetcher.fetch()
    except (errors.InteractionRequired, errors.RoleSelectionError) as exc:
        profile = fetcher.settings.profile
        raise type(exc)(f"profile {profile} needs you to sign in: {exc.message}",
                        hint=f"Run this in a terminal: samlcreds login --profile {profile}") from None


def fetch_credentials(profile: str | None, *, debug: bool = False, window: float | None = None,
                      lock_timeout: float = DEFAULT_LOCK_TIMEOUT, **overrides):
    """``(settings, credentials)`` for ``profile`` via the cache, signing in when needed.

    ``window``: seconds a cached entry must still be valid (``None``: sized to
    its lifetime, see :func:`samlcreds.cache.refresh_window`). Without a terminal
    and with input needed, raises :class:`~samlcreds.errors.InteractionRequired`
    naming ``samlcreds login``.
    """
    fetcher = make_fetcher(profile, debug=debug, window=window, lock_timeout=lock_timeout, **overrides)
    return fetcher.settings, fetch_with(fetcher)
