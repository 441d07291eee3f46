"""Building a :class:`~samlcreds.fetcher.CachingFetcher` from command-line flags."""

from __future__ import annotations

from samlcreds import config, errors
from samlcreds.cache import DEFAULT_LOCK_TIMEOUT
from samlcreds.cli.options import Inputs, build_request
from samlcreds.cli.terminal import Terminal, make_picker
from samlcreds.fetcher import CachingFetcher


def fetch_credentials(profile: str | None, *, debug: bool = False, window: float | None = None,
                      lock_timeout: float = DEFAULT_LOCK_TIMEOUT, **overrides):
    """``(settings, credentials)`` for ``profile`` via the cache, signing in when needed.

    ``window``: seconds a cached entry must still be valid (``None``: sized to
    its lifetime, see :func:`samlcreds.cache.refresh_window`). Without a terminal
    and with input needed, raises :class:`~samlcreds.errors.InteractionRequired`
    naming ``samlcreds login``.
    """
    settings = config.resolve(profile, **{k: v for k, v in overrides.items() if v is not None})
    terminal = Terminal()
    inputs = Inputs(password_stdin=False, terminal=terminal)
    fetcher = CachingFetcher(
        settings,
        lambda: build_request(settings, saml_file=None, inputs=inputs, debug=debug),
        picker=make_picker(terminal) if terminal.available else None,
        window=window,
        lock_timeout=lock_timeout,
    )
    try:
        return settings, fetcher.fetch()
    except (errors.InteractionRequired, errors.RoleSelectionError) as exc:
        raise type(exc)(f"profile {settings.profile} needs you to sign in: {exc.message}",
                        hint=f"Run this in a terminal: samlcreds login --profile {settings.profile}") from None
