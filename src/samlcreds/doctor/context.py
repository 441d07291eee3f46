"""What every doctor check reads: the :class:`~samlcreds.saml.SamlAssertion`, the time, the IdP metadata."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from samlcreds.doctor.metadata import IdpMetadata
from samlcreds.doctor.registry import CheckFunction, Finding, check, warned
from samlcreds.saml import SamlAssertion
from samlcreds.spans import span  # noqa: F401  (doctor's checks word durations with it)


@dataclass(frozen=True)
class Context:
    """``assertion`` (the facts), ``now`` (tz-aware UTC), ``idps`` (from ``--metadata``, or ``None``)."""

    assertion: SamlAssertion
    now: datetime
    idps: tuple[IdpMetadata, ...] | None = None

    @property
    def idp(self) -> IdpMetadata | None:
        """The metadata entity matching the Issuer, else the first one."""
        if not self.idps:
            return None
        for idp in self.idps:
            if idp.entity_id and idp.entity_id == self.assertion.issuer:
                return idp
        return self.idps[0]

    @property
    def unreadable(self) -> bool:
        """True when the assertion's content cannot be read (it is encrypted)."""
        return self.assertion.assertion_index is None


def not_readable() -> Finding:
    """The finding of a content check on an encrypted assertion."""
    return warned("not checked: the assertion is encrypted (EncryptedAssertion), so its content cannot be read "
                  "locally")


def content_check(check_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register (:func:`~samlcreds.doctor.registry.check`) a check of the assertion's content.

    On an encrypted assertion (:attr:`Context.unreadable`) the check is not
    run and its finding is :func:`not_readable`.
    """

    def register(function: CheckFunction) -> CheckFunction:
        @functools.wraps(function)
        def guarded(ctx: Context):
            return not_readable() if ctx.unreadable else function(ctx)

        return check(check_id)(guarded)

    return register
