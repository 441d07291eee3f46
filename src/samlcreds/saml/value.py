"""The :class:`SamlAssertion` value: every fact of a SAMLResponse that samlcreds reads.

Built only by :func:`samlcreds.saml.response.parse_saml_response`; login,
``decode`` and ``doctor`` read these facts and never the XML.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from samlcreds import errors
from samlcreds.roles import RolePair


@dataclass(frozen=True)
class SignatureFact:
    """One ``ds:Signature`` that is a direct child of the Response or of an Assertion.

    ``location``: the element it sits in (``"Response"``, ``"Assertion"`` or
    ``"Assertion #N"`` when there are several); ``location_id``: that
    element's ID. ``references``: the ``ds:Reference/@URI`` values of its
    SignedInfo. ``covers``: the label of the element it references (same
    labels, or ``None`` when the reference names no element of the Response);
    it *signs its location* (:attr:`covers_location`) only when it holds
    exactly one Reference, to ``#`` + the location's ID (the python3-saml
    rule; W3C XML Signature 4.4.3.2). ``algorithm``: the SignatureMethod's
    short name (``rsa-sha256``); ``certificate``: the base64 body of the
    embedded ``ds:X509Certificate``, if any. ``element`` is the parsed
    location element, for cryptographic verification (not shown, not compared).
    """

    location: str
    location_id: str | None
    references: tuple[str, ...]
    covers: str | None
    algorithm: str
    certificate: str | None
    element: Any = field(default=None, repr=False, compare=False)

    @property
    def covers_location(self) -> bool:
        """True when this signature signs exactly the element it sits in."""
        return len(self.references) == 1 and self.covers == self.location


class SubjectConfirmation(NamedTuple):
    """A ``saml:SubjectConfirmation``: its Method and its SubjectConfirmationData's attributes."""

    method: str | None
    recipient: str | None
    not_before: datetime | None
    not_on_or_after: datetime | None


@dataclass(frozen=True)
class AssertionSummary:
    """One direct-child Assertion of the Response: 1-based ``index``, ``id``,
    ``signed`` (by a signature covering it), and the role ARNs of its Role values
    (``"(malformed value)"`` for a value that is not a pair)."""

    index: int
    id: str | None
    signed: bool
    role_arns: tuple[str, ...]


@dataclass(frozen=True)
class SamlAssertion:
    """What a SAMLResponse says, as AWS reads it.

    ``raw`` is the exact decoded XML (bytes; never shown in ``repr``). Times
    are tz-aware UTC ``datetime`` or ``None``. ``roles`` keeps the document's
    order with duplicates removed. Every assertion-level fact comes from *the*
    assertion: the one direct-child Assertion signed by its own signature, else
    the first (see :func:`samlcreds.saml.response.select_assertion`);
    ``assertion_index``/``assertion_id`` name it. ``problems`` holds the
    :class:`~samlcreds.errors.SamlAssertionError` instances found (empty for a
    usable assertion); ``warnings`` plain-language notes.
    """

    raw: bytes = field(repr=False)
    roles: tuple[RolePair, ...] = ()
    role_session_name: str | None = None
    #: SessionDuration as a whole number of seconds; ``session_duration_text`` the value as sent.
    session_duration: int | None = None
    session_duration_text: str | None = None
    source_identity: str | None = None
    principal_tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    #: The Response's Issuer, else the Assertion's.
    issuer: str | None = None
    response_issuer: str | None = None
    assertion_issuer: str | None = None
    response_id: str | None = None
    destination: str | None = None
    #: The Response's IssueInstant; ``assertion_issue_instant`` the Assertion's.
    issue_instant: datetime | None = None
    assertion_issue_instant: datetime | None = None
    status_code: str | None = None
    assertion_id: str | None = None
    #: 1-based position of the chosen Assertion among the Response's direct-child assertions.
    assertion_index: int | None = None
    name_id: str | None = None
    name_id_format: str | None = None
    subject_confirmations: tuple[SubjectConfirmation, ...] = ()
    not_before: datetime | None = None
    not_on_or_after: datetime | None = None
    #: Audience values of each AudienceRestriction, in order.
    audience_restrictions: tuple[tuple[str, ...], ...] = ()
    session_not_on_or_after: datetime | None = None
    encrypted: bool = False
    signatures: tuple[SignatureFact, ...] = ()
    #: Every direct-child Assertion of the Response, in document order.
    assertions: tuple[AssertionSummary, ...] = ()
    #: Assertions found anywhere but as direct children of the Response (signature wrapping).
    nested_assertions: int = 0
    attribute_names: tuple[str, ...] = ()
    problems: tuple[errors.SamlAssertionError, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_base64(self) -> str:
        """The exact bytes as single-line standard base64, as STS expects."""
        return base64.b64encode(self.raw).decode("ascii")

    def raise_for_problems(self) -> None:
        """Raise the first problem found while reading, if any."""
        if self.problems:
            raise self.problems[0]

    @property
    def response_signed(self) -> bool:
        """True when a signature directly in the Response covers the Response."""
        return any(s.location == "Response" and s.covers_location for s in self.signatures)

    @property
    def assertion_signed(self) -> bool:
        """True when the chosen Assertion is signed by a signature covering it."""
        return any(a.signed and a.index == self.assertion_index for a in self.assertions)

    @property
    def signed_elements(self) -> tuple[str, ...]:
        """``"Response"`` and/or ``"Assertion"``: the elements a covering signature signs."""
        return tuple(name for name, signed in (("Response", self.response_signed),
                                               ("Assertion", self.assertion_signed)) if signed)

    @property
    def audiences(self) -> tuple[str, ...]:
        """Every Audience value, all restrictions together."""
        return tuple(value for restriction in self.audience_restrictions for value in restriction)

    @property
    def recipient(self) -> str | None:
        """The first SubjectConfirmationData Recipient."""
        return next((c.recipient for c in self.subject_confirmations if c.recipient), None)

    @property
    def signin_url(self) -> str | None:
        """The AWS sign-in endpoint the IdP addressed (Destination, else Recipient)."""
        return self.destination or self.recipient

    @property
    def optional_attributes(self) -> tuple[str, ...]:
        """Names of optional attributes whose use needs extra trust-policy actions."""
        names = []
        if self.principal_tags or self.transitive_tag_keys:
            names.append("PrincipalTag/TransitiveTagKeys (needs sts:TagSession)")
        if self.source_identity:
            names.append("SourceIdentity (needs sts:SetSourceIdentity)")
        return tuple(names)
