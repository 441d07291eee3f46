"""What every doctor check reads: the :class:`~samlcreds.saml.SamlAssertion`, the time, the IdP metadata."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from samlcreds.doctor.metadata import IdpMetadata
from samlcreds.doctor.registry import Finding, warned
from samlcreds.saml import SamlAssertion


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


def span(seconds: float) -> str:
    """A duration in plain words: ``45 s``, ``12 min 5 s``, ``3 h 20 min``, ``4 days``."""
    seconds = abs(int(round(seconds)))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min" + (f" {seconds % 60} s" if seconds % 60 else "")
    if seconds < 172_800:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86_400} days"
