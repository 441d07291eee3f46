"""Building a credentials fetcher (cache, sign-in, role chaining) from command-line flags; signing in for an assertion."""

from __future__ import annotations

from samlcreds import accounts, errors
from samlcreds.cache import DEFAULT_LOCK_TIMEOUT
from samlcreds.chain import fetcher_for
from samlcreds.cli.options import Inputs, SignInOptions
from samlcreds.cli.terminal import current_terminal, make_picker, status
from samlcreds.profile import quote_word


def make_fetcher(profile: str | None, *, debug: bool = False, window: float | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT, inputs: Inputs | None = None,
                 sign_in: SignInOptions | None = None, may_paste: bool = False, **overrides):
    """A ``CachingFetcher`` (or ``ChainedFetcher`` for a role_arn + source_profile profile) for ``profile``.

    ``inputs`` defaults to the terminal (no ``--password-stdin``). ``sign_in``:
    the command's sign-in flags, which apply (with ``overrides``) to the profile
    that signs in, for a chained profile its source; ``may_paste``: the paste provider may sign in
    (``login`` was handed a SAMLResponse).
    """
    terminal = current_terminal()
    inputs = inputs or Inputs(terminal=terminal)
    sign_in = sign_in or SignInOptions(profile=profile, debug=debug)
    return fetcher_for(
        profile,
        lambda settings: (lambda: sign_in.request(settings, inputs)),
        picker=make_picker(terminal, accounts.names(profile)) if terminal.available else None,
        window=window, lock_timeout=lock_timeout, overrides={**sign_in.overrides(), **overrides},
        may_paste=may_paste,
    )


def fetch_with(fetcher):
    """``fetcher.fetch()``, naming ``samlcreds login`` when the sign-in needs a person."""
    try:
        return fetcher.fetch()
    except (errors.InteractionRequired, errors.RoleSelectionError) as exc:
        profile = fetcher.settings.profile
        hint = f"Run this in a terminal: samlcreds login --profile {quote_word(profile)}"
        if isinstance(exc, errors.RoleSelectionError):  # a login's choice lasts as long as its credentials
            hint += f"; or choose the role for good: samlcreds configure --profile {quote_word(profile)} --role ROLE"
        raise type(exc)(f"profile {profile} needs you to sign in: {exc.message}", hint=hint) from None


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


def fetch_assertion(settings, request, *, prepare_sts: bool = False):
    """:func:`samlcreds.flow.fetch_assertion` under a "signing in at the IdP" spinner (on a terminal)."""
    from samlcreds import flow

    with status(enabled=True) as update:
        update("checking the SAMLResponse" if settings.provider == "paste" else "signing in at the IdP")
        return flow.fetch_assertion(settings, request, prepare_sts=prepare_sts)
