"""Running doctor's checks: on a SAMLResponse as given, or on an already read :class:`~samlcreds.saml.SamlAssertion`."""

from __future__ import annotations

from datetime import datetime, timezone

from samlcreds import errors
# The check families register their checks on import, in this order (the order of CHECK_IDS).
from samlcreds.doctor import envelope  # isort: skip
from samlcreds.doctor import signature  # noqa: F401  isort: skip
from samlcreds.doctor import addressing  # noqa: F401  isort: skip
from samlcreds.doctor import times  # noqa: F401  isort: skip
from samlcreds.doctor import content  # noqa: F401  isort: skip
from samlcreds.doctor.context import Context
from samlcreds.doctor.metadata import IdpMetadata, parse_idp_metadata
from samlcreds.doctor.registry import FAIL, FORMAT, Check, run_registered
from samlcreds.saml import SamlAssertion, parse_saml_response


def checks_for_error(exc: errors.SamlAssertionError) -> list[Check]:
    """The failed check a structural error stands for.

    :class:`~samlcreds.errors.StatusNotSuccess` → ``status``;
    :class:`~samlcreds.errors.AssertionTooLarge` → ``size``; anything else
    (not SAML, damaged, cut off, unsafe XML) → ``format``.
    """
    if isinstance(exc, errors.StatusNotSuccess):
        return [Check(envelope.check_status.check_id, FAIL, exc.message, exc.hint or
                      "Check at the IdP that you are assigned to the AWS app and allowed to sign in.")]
    if isinstance(exc, errors.AssertionTooLarge):
        return [Check(envelope.check_size.check_id, FAIL, exc.message, exc.hint or "")]
    return [Check(FORMAT, FAIL, exc.message, exc.hint or "Pass the SAMLResponse the IdP posts to AWS, exactly as sent.")]


def check_assertion(
    assertion: SamlAssertion,
    *,
    idps: list[IdpMetadata] | tuple[IdpMetadata, ...] | None = None,
    now: datetime | None = None,
) -> list[Check]:
    """Every check on an assertion already read (e.g. by a login); never prints, never raises for bad content.

    ``idps``: from :func:`parse_idp_metadata`; ``now`` tz-aware (naive means
    UTC), the current time by default.
    """
    now = datetime.now(timezone.utc) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    ctx = Context(assertion, now.astimezone(timezone.utc), tuple(idps) if idps is not None else None)
    return run_registered(ctx)


def run_checks(
    data: str | bytes,
    *,
    metadata_xml: str | bytes | None = None,
    now: datetime | None = None,
) -> list[Check]:
    """Run every check on a SAMLResponse; never prints, never raises for bad input.

    ``data``: any form :func:`samlcreds.saml.decode_saml_response` accepts.
    ``metadata_xml``: the IdP's SAML metadata (as uploaded to the IAM SAML
    provider); without it the signature is checked against the certificate the
    signature itself carries (integrity only, status ``warn`` at best) and the
    Issuer is not compared. ``now`` (tz-aware; naive means UTC) defaults to
    the current time. A structurally broken input gives the single failed check
    of :func:`checks_for_error`. Bad metadata raises
    :class:`~samlcreds.errors.UsageError`.
    """
    idps = parse_idp_metadata(metadata_xml) if metadata_xml is not None else None
    try:
        assertion = parse_saml_response(data)
    except errors.SamlAssertionError as exc:
        return checks_for_error(exc)
    return check_assertion(assertion, idps=idps, now=now)
