"""Building a :class:`~samlcreds.fetcher.CachingFetcher` from command-line flags."""

from __future__ import annotations

from samlcreds import config, errors
from samlcreds.cache import DEFAULT_LOCK_TIMEOUT, REFRESH_WINDOW
from samlcreds.cli.options import Inputs, SignInOptions
from samlcreds.cli.terminal import current_terminal, make_picker
from samlcreds.fetcher import CachingFetcher


def fetch_credentials(profile: str | None, *, debug: bool = False, window: float = REFRESH_WINDOW,
                      lock_timeout: float = DEFAULT_LOCK_TIMEOUT, **overrides):
    """``(settings, credentials)`` for ``profile`` via the cache, signing in when needed.

    ``window``: seconds a cached entry must still be valid. Without a terminal
    and with input needed, raises :class:`~samlcreds.errors.InteractionRequired`
    naming ``samlcreds login``.
    """
    settings = config.resolve(profile, **overrides)
    terminal = current_terminal()
    inputs = Inputs(terminal=terminal)
    sign_in = SignInOptions(profile=profile, debug=debug)
    fetcher = CachingFetcher(
        settings,
        lambda: sign_in.request(settings, inputs),
        picker=make_picker(terminal) if terminal.available else None,
        window=window,
        lock_timeout=lock_timeout,
    )
    try:
        return settings, fetcher.fetch()
    except (errors.InteractionRequired, errors.RoleSelectionError) as exc:
        raise type(exc)(f"profile {settings.profile} needs you to sign in: {exc.message}",
                        hint=f"Run this in a terminal: samlcreds login --profile {settings.profile}") from None
