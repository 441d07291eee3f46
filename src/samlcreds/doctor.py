"""``samlcreds doctor``: run locally the checks AWS runs on a SAMLResponse.

:func:`run_checks` reads a SAMLResponse (any form
:func:`samlcreds.assertion.decode_saml_response` accepts) and returns one
:class:`Check` per rule, each with a stable ``id``, a status (``pass``,
``warn``, ``fail``), a plain-language message and the fix on the IdP or IAM
side. Nothing here prints, prompts or touches the network.

Sources of the rules (each check's docstring names its own):

- AWS IAM User Guide, "Configure SAML assertions for the authentication response"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
- AWS IAM User Guide, "Configure your SAML 2.0 IdP with relying party trust and adding claims"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html
- AWS IAM User Guide, "Troubleshoot SAML 2.0 federation with AWS"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html
- AWS STS API reference, AssumeRoleWithSAML
  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
- AWS IAM User Guide, "Pass session tags in AWS STS"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
- SAML 2.0 core (saml-core-2.0-os) for Conditions, SubjectConfirmation and
  Status; W3C XML Signature for the signature itself (verified with signxml).

Every piece of XML from outside is parsed with
:func:`samlcreds.assertion.parse_xml` (no DTD, no entities, no network).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence

from samlcreds import errors
from samlcreds.assertion import (
    ATTR_PRINCIPAL_TAG,
    ATTR_ROLE,
    ATTR_ROLE_SESSION_NAME,
    ATTR_SESSION_DURATION,
    MAX_BASE64_LENGTH,
    NS_ASSERTION,
    NS_DSIG,
    NS_PROTOCOL,
    SESSION_NAME_RE,
    STATUS_SUCCESS,
    SamlAssertion,
    parse_role_value,
    parse_saml_response,
    parse_xml,
    parse_xs_datetime,
)
from samlcreds.creds import iso_utc
from samlcreds.roles import RolePair
from samlcreds.aws import (AWS_AUDIENCES, MAX_DURATION, MIN_DURATION, PARTITION_SIGNIN_HOST, REDEEM_WINDOW_SECONDS,
                           parse_signin_url, signin_saml_url)

__all__ = [
    "AWS_AUDIENCES",
    "CHECK_IDS",
    "Check",
    "FAIL",
    "IdpMetadata",
    "PASS",
    "REDEEM_WINDOW",
    "WARN",
    "checks_for_error",
    "has_failures",
    "parse_idp_metadata",
    "run_checks",
]

PASS = "pass"
WARN = "warn"
FAIL = "fail"

#: Every check id, in the order :func:`run_checks` returns them. ``format``
#: appears alone when the input cannot be read as a SAMLResponse at all;
#: ``source_identity`` only when the assertion carries a SourceIdentity.
CHECK_IDS = (
    "format",
    "status",
    "size",
    "signature",
    "signed_element",
    "issuer",
    "audience",
    "recipient",
    "time_window",
    "redeem_window",
    "name_id",
    "roles",
    "role_session_name",
    "source_identity",
    "session_duration",
    "principal_tags",
)

#: AWS: a SAML response must be redeemed within 5 minutes of its IssueInstant.
REDEEM_WINDOW = timedelta(seconds=REDEEM_WINDOW_SECONDS)

#: Session tag limits (IAM User Guide, "Pass session tags in AWS STS").
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256

_NS = {"samlp": NS_PROTOCOL, "saml": NS_ASSERTION, "ds": NS_DSIG,
       "md": "urn:oasis:names:tc:SAML:2.0:metadata"}
_MD = _NS["md"]


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``id`` (stable), ``status`` (pass/warn/fail),
    ``message`` (what was found, in plain words) and ``fix`` (what to change,
    at the IdP or in IAM; empty when nothing needs changing)."""

    id: str
    status: str
    message: str
    fix: str = ""

    def to_dict(self) -> dict:
        """The JSON form: ``{"id", "status", "message", "fix"}``."""
        return {"id": self.id, "status": self.status, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class IdpMetadata:
    """One IdP from SAML 2.0 metadata: its ``entity_id`` and signing certificates (PEM)."""

    entity_id: str | None
    certificates: tuple[str, ...]


def has_failures(checks: Iterable[Check]) -> bool:
    """True when any check failed (the CLI then exits with code 4)."""
    return any(check.status == FAIL for check in checks)


# --------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------
def _pem(b64: str) -> str:
    body = "".join(b64.split())
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def parse_idp_metadata(metadata_xml: str | bytes) -> list[IdpMetadata]:
    """The IdPs described by SAML 2.0 metadata (an EntityDescriptor or EntitiesDescriptor).

    Signing certificates are
    ``md:IDPSSODescriptor/md:KeyDescriptor[@use='signing' or no use]/ds:KeyInfo/ds:X509Data/ds:X509Certificate``
    (saml-metadata-2.0-os 2.4.1.1), the ones AWS reads from the metadata
    uploaded to the IAM SAML provider. Raises
    :class:`~samlcreds.errors.UsageError` when the document is not IdP metadata
    or holds no signing certificate.
    """
    raw = metadata_xml.encode("utf-8") if isinstance(metadata_xml, str) else metadata_xml
    try:
        root = parse_xml(raw)
    except errors.SamlAssertionError as exc:
        detail = exc.message.replace("the SAMLResponse XML", "it").replace("the SAMLResponse", "it")
        raise errors.UsageError(f"the metadata is not usable XML: {detail}",
                                hint="Pass the IdP's SAML metadata XML file.") from None
    if root.tag == f"{{{_MD}}}EntityDescriptor":
        entities = [root]
    else:
        entities = root.xpath("//md:EntityDescriptor", namespaces=_NS)
    found = []
    for entity in entities:
        if not entity.xpath("md:IDPSSODescriptor", namespaces=_NS):
            continue
        certs = entity.xpath(
            "md:IDPSSODescriptor/md:KeyDescriptor[@use='signing' or not(@use)]"
            "/ds:KeyInfo/ds:X509Data/ds:X509Certificate",
            namespaces=_NS,
        )
        pems = tuple(_pem("".join(c.xpath(".//text()"))) for c in certs)
        if pems:
            found.append(IdpMetadata(entity.get("entityID"), pems))
    if not found:
        raise errors.UsageError(
            "the metadata holds no IdP signing certificate "
            "(md:IDPSSODescriptor/md:KeyDescriptor/ds:KeyInfo/ds:X509Data/ds:X509Certificate)",
            hint="Pass the IdP's SAML metadata XML, the document uploaded to the IAM SAML provider.",
        )
    return found


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------
def checks_for_error(exc: errors.SamlAssertionError) -> list[Check]:
    """The failed check a structural error stands for.

    :class:`~samlcreds.errors.StatusNotSuccess` → ``status``;
    :class:`~samlcreds.errors.AssertionTooLarge` → ``size``; anything else
    (not SAML, damaged, cut off, unsafe XML) → ``format``.
    """
    if isinstance(exc, errors.StatusNotSuccess):
        return [Check("status", FAIL, exc.message, exc.hint or
                      "Check at the IdP that you are assigned to the AWS app and allowed to sign in.")]
    if isinstance(exc, errors.AssertionTooLarge):
        return [Check("size", FAIL, exc.message, exc.hint or "")]
    return [Check("format", FAIL, exc.message, exc.hint or
                  "Pass the SAMLResponse the IdP posts to AWS, exactly as sent.")]


def run_checks(
    data: str | bytes,
    *,
    metadata_xml: str | bytes | None = None,
    now: datetime | None = None,
) -> list[Check]:
    """Run every check on a SAMLResponse; never prints, never raises for bad input.

    ``metadata_xml``: the IdP's SAML metadata (as uploaded to the IAM SAML
    provider); without it the signature is checked against the certificate the
    signature itself carries (integrity only, status ``warn`` at best) and the
    Issuer is not compared. ``now`` (tz-aware; naive means UTC) defaults to
    the current time. A structurally broken input gives the single failed check
    of :func:`checks_for_error`. Bad metadata raises
    :class:`~samlcreds.errors.UsageError`.
    """
    idps = parse_idp_metadata(metadata_xml) if metadata_xml is not None else None
    now = datetime.now(timezone.utc) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    try:
        assertion = parse_saml_response(data)
        root = parse_xml(assertion.raw)
    except errors.SamlAssertionError as exc:
        return checks_for_error(exc)
    ctx = _Context(assertion, root, now.astimezone(timezone.utc), idps)
    checks = [
        check_status(ctx),
        check_size(ctx),
        check_signature(ctx),
        check_signed_element(ctx),
        check_issuer(ctx),
        check_audience(ctx),
        check_recipient(ctx),
        check_time_window(ctx),
        check_redeem_window(ctx),
        check_name_id(ctx),
        check_roles(ctx),
        check_role_session_name(ctx),
        check_source_identity(ctx),
        check_session_duration(ctx),
        check_principal_tags(ctx),
    ]
    return [check for check in checks if check is not None]


# --------------------------------------------------------------------------
# Context: what every check reads
# --------------------------------------------------------------------------
class _Context:
    def __init__(self, assertion: SamlAssertion, root, now: datetime, idps: list[IdpMetadata] | None):
        self.assertion = assertion
        self.root = root
        self.now = now
        self.idps = idps
        self.assertions = root.findall(f"{{{NS_ASSERTION}}}Assertion")
        self.signed_assertions = [a for a in self.assertions if _signed_by_own_signature(a)]
        # the element the roles were read from, as parse_saml_response chose it
        chosen = self.signed_assertions or self.assertions
        self.element = chosen[0] if chosen else None
        self.encrypted = assertion.encrypted

    @property
    def idp(self) -> IdpMetadata | None:
        """The metadata entity matching the Issuer, else the first one."""
        if not self.idps:
            return None
        for idp in self.idps:
            if idp.entity_id and idp.entity_id == self.assertion.issuer:
                return idp
        return self.idps[0]

    def first(self, xpath: str):
        if self.element is None:
            return None
        found = self.element.xpath(xpath, namespaces=_NS)
        return found[0] if found else None


def _signed_by_own_signature(element) -> bool:
    """True when a direct-child ds:Signature references this element's ID."""
    ident = element.get("ID")
    if not ident:
        return False
    for sig in element.findall(f"{{{NS_DSIG}}}Signature"):
        uris = sig.xpath("ds:SignedInfo/ds:Reference/@URI", namespaces=_NS)
        if f"#{ident}" in uris:
            return True
    return False


def _span(seconds: float) -> str:
    seconds = abs(int(round(seconds)))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min" + (f" {seconds % 60} s" if seconds % 60 else "")
    if seconds < 172_800:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86_400} days"


def _encrypted(check_id: str) -> Check:
    return Check(check_id, WARN, "not checked: the assertion is encrypted (EncryptedAssertion), "
                 "so its content cannot be read locally", "")


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------
def check_status(ctx: _Context) -> Check:
    """``status``: the Response's StatusCode is Success (SAML core 3.2.2.2).

    A non-Success Response is refused by ``parse_saml_response`` and reported
    through :func:`checks_for_error`; this handles a missing StatusCode.
    """
    code = ctx.assertion.status_code
    if code == STATUS_SUCCESS:
        return Check("status", PASS, "the IdP answered with status Success")
    return Check("status", FAIL, "the Response has no samlp:Status/samlp:StatusCode (SAML requires one)",
                 "The IdP must send <samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>.")


def check_size(ctx: _Context) -> Check:
    """``size``: the base64 SAMLResponse is at most 100,000 characters.

    Source: STS API reference, AssumeRoleWithSAML, parameter SAMLAssertion
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
    """
    length = len(base64.b64encode(ctx.assertion.raw))
    if length <= MAX_BASE64_LENGTH:
        return Check("size", PASS, f"{length:,} base64 characters (AWS accepts up to {MAX_BASE64_LENGTH:,})")
    return Check("size", FAIL, f"the SAMLResponse is {length:,} base64 characters; AWS accepts at most "
                 f"{MAX_BASE64_LENGTH:,}",
                 "Ask the IdP administrator to send fewer roles or attributes (e.g. filter roles by group).")


# --- signature ---------------------------------------------------------------
@dataclass(frozen=True)
class _SigResult:
    label: str          # "Response" or "Assertion"
    ok: bool
    trust: str          # "metadata", "embedded", "none"
    detail: str
    tampered: bool = False
    expired_cert: str | None = None
    wrong_cert: bool = False
    algorithm: str = ""


def _fingerprint(pem: str) -> str:
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    digest = hashlib.sha256(base64.b64decode(body)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 16, 2)) + "..."


def _verify_one(element, cert_pem: str):
    """Verify the ds:Signature that is a direct child of ``element`` with ``cert_pem``.

    Returns ``(ok, error, expired_note)``; ``error`` is the signxml exception.
    A certificate outside its validity period is retried at a time inside it
    (AWS verifies with the certificate in the provider's metadata; its dates
    are reported, not used to reject here).
    """
    from cryptography import x509
    from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
    from signxml.exceptions import InvalidCertificate, SignXMLException

    config = SignatureConfiguration(
        location="./",
        signature_methods=frozenset(SignatureMethod),
        digest_algorithms=frozenset(DigestAlgorithm),
    )
    try:
        result = XMLVerifier().verify(element, x509_cert=cert_pem, expect_config=config)
    except InvalidCertificate:
        cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
        inside = cert.not_valid_before_utc + (cert.not_valid_after_utc - cert.not_valid_before_utc) / 2
        note = (f"the certificate is valid only from {iso_utc(cert.not_valid_before_utc)} to "
                f"{iso_utc(cert.not_valid_after_utc)}")
        config = SignatureConfiguration(
            location="./", signature_methods=config.signature_methods,
            digest_algorithms=config.digest_algorithms, verification_time=inside,
        )
        try:
            result = XMLVerifier().verify(element, x509_cert=cert_pem, expect_config=config)
        except (SignXMLException, ValueError) as again:
            return False, again, note
        return _signed_is_element(result, element), None, note
    except (SignXMLException, ValueError) as exc:
        return False, exc, None
    ok = _signed_is_element(result, element)
    return ok, None if ok else ValueError("the signature does not cover the element it sits in"), None


def _signed_is_element(result, element) -> bool:
    signed = getattr(result, "signed_xml", None)
    return signed is not None and signed.get("ID") == element.get("ID") and signed.tag == element.tag


def _embedded_cert(signature) -> str | None:
    certs = signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=_NS)
    if not certs:
        return None
    text = "".join(certs[0].xpath(".//text()"))
    return _pem(text) if text.strip() else None


def _signature_algorithm(signature) -> str:
    uri = signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces=_NS)
    return uri[0].rsplit("#", 1)[-1] if uri else "?"


def _check_one_signature(label: str, element, idp: IdpMetadata | None) -> _SigResult:
    from signxml.exceptions import InvalidDigest

    signature = element.find(f"{{{NS_DSIG}}}Signature")
    algorithm = _signature_algorithm(signature)
    embedded = _embedded_cert(signature)
    if idp is not None:
        errors_seen = []
        for cert in idp.certificates:
            ok, error, note = _verify_one(element, cert)
            if ok:
                return _SigResult(label, True, "metadata", f"valid with the metadata certificate "
                                  f"{_fingerprint(cert)}", expired_cert=note, algorithm=algorithm)
            errors_seen.append(error)
        if any(isinstance(e, InvalidDigest) for e in errors_seen):
            return _SigResult(label, False, "metadata", f"the {label}'s content was changed after it was "
                              "signed (digest mismatch)", tampered=True, algorithm=algorithm)
        if embedded is not None:
            ok, error, _ = _verify_one(element, embedded)
            if ok:
                fps = ", ".join(_fingerprint(c) for c in idp.certificates)
                return _SigResult(label, False, "metadata",
                                  f"the {label} is signed with certificate {_fingerprint(embedded)}, which is not "
                                  f"in the metadata (it has {fps})", wrong_cert=True, algorithm=algorithm)
            if isinstance(error, InvalidDigest):
                return _SigResult(label, False, "metadata", f"the {label}'s content was changed after it was "
                                  "signed (digest mismatch)", tampered=True, algorithm=algorithm)
        detail = str(errors_seen[-1]) if errors_seen else "no certificate to check with"
        return _SigResult(label, False, "metadata", f"the {label}'s signature does not verify with the metadata "
                          f"certificate ({detail})", wrong_cert=True, algorithm=algorithm)
    if embedded is None:
        return _SigResult(label, False, "none", f"the {label}'s signature carries no X.509 certificate and no "
                          "metadata was given to check it with", algorithm=algorithm)
    ok, error, note = _verify_one(element, embedded)
    if ok:
        return _SigResult(label, True, "embedded", f"intact, checked with the certificate the signature carries "
                          f"({_fingerprint(embedded)})", expired_cert=note, algorithm=algorithm)
    if isinstance(error, InvalidDigest):
        return _SigResult(label, False, "embedded", f"the {label}'s content was changed after it was signed "
                          "(digest mismatch)", tampered=True, algorithm=algorithm)
    return _SigResult(label, False, "embedded", f"the {label}'s signature is invalid ({error})", tampered=True,
                      algorithm=algorithm)


def check_signature(ctx: _Context) -> Check:
    """``signature``: the XML signature is valid against the IdP's certificate.

    AWS verifies the signature of the Response or of the Assertion with the
    certificate in the metadata uploaded to the IAM SAML provider (IAM User
    Guide, "Create a SAML identity provider in IAM",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html;
    STS answers ``InvalidIdentityToken`` otherwise). Without metadata only the
    integrity is checked, against the certificate embedded in ds:KeyInfo.
    """
    root = ctx.root
    targets = []
    if root.find(f"{{{NS_DSIG}}}Signature") is not None:
        targets.append(("Response", root))
    for index, element in enumerate(ctx.assertions):
        if element.find(f"{{{NS_DSIG}}}Signature") is not None:
            label = "Assertion" if len(ctx.assertions) == 1 else f"Assertion #{index + 1}"
            targets.append((label, element))
    if not targets:
        return Check("signature", FAIL, "neither the Response nor the Assertion is signed; AWS accepts only "
                     "signed SAML responses",
                     "Turn on signing of the assertion (or the response) for the AWS app at the IdP.")
    try:
        import signxml  # noqa: F401
    except ImportError:
        return Check("signature", WARN, "signature not checked: the Python package signxml is not installed",
                     "pip install signxml (into the same environment as samlcreds), then run doctor again.")
    idp = ctx.idp
    results = [_check_one_signature(label, element, idp) for label, element in targets]
    failed = [r for r in results if not r.ok]
    if failed:
        message = "; ".join(r.detail for r in failed)
        if any(r.tampered for r in failed):
            fix = ("Use the SAMLResponse exactly as the IdP sent it: any edit, re-encoding or re-indentation of "
                   "the XML breaks the signature. If you did not change it, something on the way did; sign in again.")
        elif any(r.wrong_cert for r in failed):
            fix = ("The IdP signs with a different certificate than the one in the IAM SAML provider's metadata "
                   "(e.g. after a certificate rotation): download the IdP's current metadata and update the provider "
                   "(aws iam update-saml-provider --saml-provider-arn ARN --saml-metadata-document file://metadata.xml), "
                   "or switch the IdP back to the certificate in the metadata.")
        else:
            fix = "Pass --metadata with the IdP's metadata, or ask the IdP administrator to sign with an X.509 key."
        return Check("signature", FAIL, message, fix)
    parts = [f"{r.label}: {r.detail}" for r in results]
    status, fix = PASS, ""
    weak = sorted({r.algorithm for r in results if "sha1" in r.algorithm.lower()})
    if weak:
        status = WARN
        parts.append(f"signed with {', '.join(weak)} (SHA-1 is weak)")
        fix = "Switch the IdP's signing algorithm for the AWS app to RSA-SHA256."
    expired = [r.expired_cert for r in results if r.expired_cert]
    if expired:
        status = WARN
        parts.append(f"the signing certificate is outside its validity period ({expired[0]})")
        fix = ("Rotate the IdP's signing certificate, then upload the new metadata to the IAM SAML provider "
               "(aws iam update-saml-provider).")
    if any(r.trust == "embedded" for r in results):
        status = WARN
        parts.append("only integrity was checked, not trust: the certificate came from the signature itself, "
                     "not from the IdP metadata AWS uses")
        fix = fix or ("Pass --metadata FILE with the IdP metadata uploaded to the IAM SAML provider to check that "
                      "AWS trusts this signer.")
    return Check("signature", status, "; ".join(parts), fix)


# --- signed element --------------------------------------------------------
def _roles_of(element) -> list[str]:
    values = element.xpath(
        "saml:AttributeStatement/saml:Attribute[@Name=$name]/saml:AttributeValue", namespaces=_NS, name=ATTR_ROLE)
    roles = []
    for value in values:
        pair = parse_role_value("".join(value.xpath(".//text()")))
        roles.append(pair.role_arn if isinstance(pair, RolePair) else "(malformed value)")
    return roles


def _describe_assertion(index: int, element) -> str:
    signed = "signed" if _signed_by_own_signature(element) else "unsigned"
    roles = ", ".join(_roles_of(element)) or "no roles"
    return f"Assertion #{index + 1} (ID {element.get('ID') or '(none)'}, {signed}, roles: {roles})"


def check_signed_element(ctx: _Context) -> Check:
    """``signed_element``: which element is signed, and that the roles come from it.

    AWS accepts a signed Response or a signed Assertion, and reads the one
    Assertion the Response holds (the response "must include exactly one"
    SubjectConfirmation/Assertion; IAM User Guide, "Configure SAML assertions
    for the authentication response"). Several assertions, or an assertion
    hidden elsewhere, is the shape of XML signature wrapping: the unsigned
    copy's roles must never be trusted.
    """
    root = ctx.root
    response_signed = _signed_by_own_signature(root)
    hidden = [a for a in root.iter(f"{{{NS_ASSERTION}}}Assertion") if a.getparent() is not root]
    fix_wrap = ("Do not use this SAMLResponse. An IdP sends exactly one Assertion; a second, unsigned one is how "
                "XML signature wrapping smuggles in other roles. If it came straight from your IdP, report it to the "
                "IdP administrator.")
    if hidden:
        return Check("signed_element", FAIL, f"{len(hidden)} Assertion element(s) are nested inside other elements "
                     "instead of being direct children of the Response (XML signature wrapping)", fix_wrap)
    if not ctx.assertions:
        if ctx.encrypted:
            what = "the Response is signed" if response_signed else "the Response is not signed"
            return Check("signed_element", WARN, f"{what}; the assertion is encrypted, so which element is signed "
                         "inside it cannot be checked locally")
        return Check("signed_element", FAIL, "the Response holds no Assertion",
                     "The IdP must send one signed Assertion for the AWS app.")
    if len(ctx.assertions) > 1:
        described = "; ".join(_describe_assertion(i, a) for i, a in enumerate(ctx.assertions))
        signed = [i + 1 for i, a in enumerate(ctx.assertions) if _signed_by_own_signature(a)]
        if signed:
            which = f"only Assertion #{signed[0]} is signed" if len(signed) == 1 else \
                f"Assertions {', '.join(f'#{n}' for n in signed)} are signed"
        elif response_signed:
            which = "no assertion is signed on its own (only the Response is)"
        else:
            which = "no assertion is signed"
        return Check("signed_element", FAIL, f"the Response holds {len(ctx.assertions)} assertions and AWS reads "
                     f"exactly one; {which}: {described}", fix_wrap)
    element = ctx.assertions[0]
    assertion_signed = _signed_by_own_signature(element)
    ident = element.get("ID") or "(none)"
    if assertion_signed and response_signed:
        return Check("signed_element", PASS, f"the Response and its one Assertion (ID {ident}) are signed; the roles "
                     "come from the signed Assertion")
    if assertion_signed:
        return Check("signed_element", PASS, f"the Assertion (ID {ident}) is signed; the roles come from it")
    if response_signed:
        return Check("signed_element", PASS, f"the Response is signed and covers its one Assertion (ID {ident}), "
                     "which the roles come from")
    signatures = root.xpath(".//ds:Signature", namespaces=_NS)
    detail = (" (there is a ds:Signature, but it does not reference the element it sits in)" if signatures else "")
    return Check("signed_element", FAIL, f"neither the Response nor the Assertion is signed{detail}",
                 "Turn on signing of the assertion (or the response) for the AWS app at the IdP.")


# --- issuer, audience, recipient -----------------------------------------------
def check_issuer(ctx: _Context) -> Check:
    """``issuer``: the Issuer equals the entityID of the IdP metadata in the IAM SAML provider.

    Source: IAM User Guide, "Create a SAML identity provider in IAM" (the
    provider is defined by the IdP's metadata) and STS's ``Issuer`` response
    element (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
    """
    if ctx.encrypted and ctx.element is None:
        issuers = [ctx.assertion.issuer] if ctx.assertion.issuer else []
    else:
        issuers = []
        response_issuer = ctx.root.find(f"{{{NS_ASSERTION}}}Issuer")
        if response_issuer is not None:
            issuers.append("".join(response_issuer.xpath(".//text()")).strip())
        assertion_issuer = ctx.first("saml:Issuer")
        if assertion_issuer is not None:
            issuers.append("".join(assertion_issuer.xpath(".//text()")).strip())
    if not issuers or not all(issuers):
        return Check("issuer", FAIL, "the assertion has no Issuer", "The IdP must send its entity ID as Issuer.")
    if len(set(issuers)) > 1:
        return Check("issuer", FAIL, f"the Response's Issuer {issuers[0]!r} differs from the Assertion's "
                     f"{issuers[1]!r}", "Configure the IdP to use one entity ID for both.")
    issuer = issuers[0]
    idp = ctx.idp
    if idp is None:
        return Check("issuer", WARN, f"Issuer is {issuer!r}; not compared with the IdP's entityID (no --metadata)",
                     "Pass --metadata FILE (the metadata uploaded to the IAM SAML provider) to compare.")
    if idp.entity_id == issuer:
        return Check("issuer", PASS, f"Issuer {issuer!r} matches the metadata's entityID")
    return Check("issuer", FAIL, f"Issuer {issuer!r} differs from the metadata's entityID {idp.entity_id!r}",
                 "The IAM SAML provider trusts another IdP entity: upload this IdP's current metadata to the provider "
                 "(aws iam update-saml-provider), or set the IdP's entity ID back to the one in the metadata.")


def check_audience(ctx: _Context) -> Check:
    """``audience``: the AudienceRestriction names AWS.

    Accepted: ``https://signin.aws.amazon.com/saml``, ``urn:amazon:webservices``,
    ``urn:amazon:webservices:govcloud`` (IAM User Guide, "Configure your SAML
    2.0 IdP with relying party trust",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html;
    AWS's SP metadata https://signin.aws.amazon.com/static/saml-metadata.xml),
    and the China entity IDs ``urn:amazon:webservices:cn-north-1`` /
    ``cn-northwest-1``. With several AudienceRestriction elements, each must
    name AWS (SAML core 2.5.1.4).
    """
    if ctx.element is None:
        return _encrypted("audience")
    restrictions = ctx.element.xpath("saml:Conditions/saml:AudienceRestriction", namespaces=_NS)
    expected = "urn:amazon:webservices (or https://signin.aws.amazon.com/saml; GovCloud: urn:amazon:webservices:govcloud)"
    fix = (f"Set the AWS app's audience / SP entity ID at the IdP to {expected}. "
           "Okta, Entra ID and ADFS call it 'Audience URI', 'Identifier (Entity ID)' or 'Relying party identifier'.")
    if not restrictions:
        return Check("audience", FAIL, "the assertion has no AudienceRestriction; AWS requires its own audience",
                     fix)
    all_values = []
    for restriction in restrictions:
        values = ["".join(a.xpath(".//text()")).strip() for a in restriction.findall(f"{{{NS_ASSERTION}}}Audience")]
        all_values.extend(values)
        if not any(value in AWS_AUDIENCES for value in values):
            shown = ", ".join(repr(v) for v in values) or "(empty)"
            return Check("audience", FAIL, f"the Audience is {shown}; AWS accepts only its own: "
                         f"{', '.join(list(AWS_AUDIENCES)[:3])}", fix)
    ok = [v for v in all_values if v in AWS_AUDIENCES]
    return Check("audience", PASS, f"Audience {ok[0]!r} is AWS's")


def check_recipient(ctx: _Context) -> Check:
    """``recipient``: Recipient (and Destination) is an AWS sign-in SAML endpoint of the roles' partition.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response": exactly one SubjectConfirmationData with a ``Recipient`` that
    matches the AWS sign-in endpoint (``https://signin.aws.amazon.com/saml``,
    ``https://REGION.signin.aws.amazon.com/saml``, GovCloud
    ``https://signin.amazonaws-us-gov.com/saml``, China
    ``https://signin.amazonaws.cn/saml``).
    """
    if ctx.element is None:
        return _encrypted("recipient")
    assertion = ctx.assertion
    acs_fix = ("Set the AWS app's ACS / Recipient URL at the IdP to https://signin.aws.amazon.com/saml "
               "(regional: https://REGION.signin.aws.amazon.com/saml; GovCloud: "
               "https://signin.amazonaws-us-gov.com/saml; China: https://signin.amazonaws.cn/saml).")
    confirmations = ctx.element.xpath("saml:Subject/saml:SubjectConfirmation", namespaces=_NS)
    if len(confirmations) != 1:
        return Check("recipient", FAIL, f"the assertion has {len(confirmations)} SubjectConfirmation elements; AWS "
                     "requires exactly one (with Recipient and NotOnOrAfter)", acs_fix)
    if not assertion.recipient:
        return Check("recipient", FAIL, "the SubjectConfirmationData has no Recipient; AWS requires the sign-in "
                     "endpoint there", acs_fix)
    endpoint = parse_signin_url(assertion.recipient)
    if endpoint is None:
        return Check("recipient", FAIL, f"Recipient {assertion.recipient!r} is not an AWS sign-in SAML endpoint",
                     acs_fix)
    if assertion.destination:
        dest = parse_signin_url(assertion.destination)
        if dest is None:
            return Check("recipient", FAIL, f"Destination {assertion.destination!r} is not an AWS sign-in SAML "
                         "endpoint", acs_fix)
        if dest.partition != endpoint.partition:
            return Check("recipient", FAIL, f"Destination {assertion.destination!r} and Recipient "
                         f"{assertion.recipient!r} are in different partitions", acs_fix)
    partitions = sorted({pair.partition for pair in assertion.roles})
    wrong = [p for p in partitions if p != endpoint.partition]
    if wrong:
        need = ", ".join(f"{p} roles need " + (signin_saml_url(p) if p in PARTITION_SIGNIN_HOST
                                                else "the sign-in endpoint of that partition") for p in wrong)
        return Check("recipient", FAIL, f"Recipient {assertion.recipient!r} is in partition {endpoint.partition}, but "
                     f"the assertion grants roles in {', '.join(wrong)}",
                     f"{need}: use a separate IdP app per partition, each with its own ACS URL and roles.")
    where = f"region {endpoint.region}" if endpoint.region else "global endpoint"
    return Check("recipient", PASS, f"Recipient {assertion.recipient} is AWS's sign-in endpoint "
                 f"(partition {endpoint.partition}, {where})"
                 + (", matching the roles" if partitions else ""))


# --- time --------------------------------------------------------------------
def _issue_instant(ctx: _Context) -> datetime | None:
    return ctx.assertion.issue_instant or (
        parse_xs_datetime(ctx.element.get("IssueInstant")) if ctx.element is not None else None)


def _skew_note(ctx: _Context) -> str:
    issued = _issue_instant(ctx)
    if issued is None:
        return "no IssueInstant to measure clock skew with"
    delta = (ctx.now - issued).total_seconds()
    if delta < 0:
        return (f"IssueInstant {iso_utc(issued)} is {_span(delta)} in the future: this computer's clock is at least "
                f"{_span(delta)} behind the IdP's")
    return f"issued {_span(delta)} ago at {iso_utc(issued)} (clock skew with the IdP is at most {_span(delta)})"


def check_time_window(ctx: _Context) -> Check:
    """``time_window``: now is within NotBefore / NotOnOrAfter (Conditions and SubjectConfirmationData).

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response" (SubjectConfirmationData needs NotOnOrAfter); SAML core 2.5.1.2.
    STS answers ``ExpiredTokenException`` past NotOnOrAfter. Checked against the
    local clock, so the message reports the skew measured from IssueInstant.
    """
    if ctx.element is None:
        return _encrypted("time_window")
    assertion = ctx.assertion
    confirm_after = parse_xs_datetime(ctx.first("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData/"
                                    "@NotOnOrAfter"))
    skew = _skew_note(ctx)
    clock_fix = ("If the assertion is fresh, a clock is wrong: sync this computer's clock (NTP) or ask the IdP "
                 "administrator to check the IdP's.")
    if confirm_after is None:
        return Check("time_window", FAIL, f"SubjectConfirmationData has no NotOnOrAfter, which AWS requires; {skew}",
                     "The IdP must set NotOnOrAfter on the bearer SubjectConfirmationData (most IdPs do by default).")
    ends = [t for t in (assertion.not_on_or_after, confirm_after) if t is not None]
    end = min(ends)
    start = assertion.not_before
    if ctx.now >= end:
        return Check("time_window", FAIL, f"the assertion expired at {iso_utc(end)} ({_span((ctx.now - end).total_seconds())} "
                     f"ago); {skew}",
                     "Sign in again and use the new SAMLResponse at once. If a fresh one is already expired, the IdP's "
                     "assertion lifetime is too short (raise it, e.g. to 5 minutes) or " + clock_fix[0].lower()
                     + clock_fix[1:])
    if start is not None and ctx.now < start:
        return Check("time_window", FAIL, f"the assertion is not valid before {iso_utc(start)} (in "
                     f"{_span((start - ctx.now).total_seconds())}); {skew}", clock_fix)
    left = _span((end - ctx.now).total_seconds())
    since = f"from {iso_utc(start)} " if start else ""
    return Check("time_window", PASS, f"valid {since}until {iso_utc(end)} ({left} left); {skew}")


def check_redeem_window(ctx: _Context) -> Check:
    """``redeem_window``: at most 5 minutes since IssueInstant.

    Source: AWS, "must be redeemed within 5 minutes of issuance" (IAM User
    Guide, "Troubleshoot SAML 2.0 federation with AWS",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html),
    whatever NotOnOrAfter the IdP sets.
    """
    issued = _issue_instant(ctx)
    if issued is None:
        return Check("redeem_window", FAIL, "the Response has no IssueInstant (SAML requires one)",
                     "The IdP must set IssueInstant on the Response.")
    age = (ctx.now - issued).total_seconds()
    limit = REDEEM_WINDOW.total_seconds()
    if age > limit:
        return Check("redeem_window", FAIL, f"issued {_span(age)} ago at {iso_utc(issued)}; AWS must receive a SAML "
                     f"response within {_span(limit)} of issuance",
                     "Sign in again and pass the fresh SAMLResponse at once. If it was fresh, this computer's clock is "
                     f"about {_span(age)} ahead of the IdP's: sync it (NTP).")
    if age < 0:
        return Check("redeem_window", PASS, f"issued at {iso_utc(issued)}, {_span(age)} in the local future "
                     "(see time_window for the clock skew)")
    return Check("redeem_window", PASS, f"issued {_span(age)} ago; {_span(limit - age)} left of AWS's "
                 f"{_span(limit)} redemption window")


# --- content ------------------------------------------------------------------
def check_name_id(ctx: _Context) -> Check:
    """``name_id``: the Subject carries a NameID.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section Subject and NameID.
    """
    if ctx.element is None:
        return _encrypted("name_id")
    if ctx.assertion.name_id:
        fmt = ctx.first("saml:Subject/saml:NameID/@Format")
        shown = f" (format {str(fmt).rsplit(':', 1)[-1]})" if fmt else ""
        return Check("name_id", PASS, f"NameID is present{shown}")
    return Check("name_id", FAIL, "the Subject has no NameID (or an empty one)",
                 "Configure the AWS app at the IdP to send a NameID (persistent, transient, emailAddress or "
                 "unspecified format).")


def _misspelled(names: Sequence[str], canonical: str) -> list[str]:
    return [n for n in names if n != canonical and n.casefold() == canonical.casefold()]


def check_roles(ctx: _Context) -> Check:
    """``roles``: the Role values are well-formed pairs, each provider in its role's account and partition.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section Role attribute (values ``role ARN,provider ARN``; the
    attribute name is case-sensitive).
    """
    if ctx.element is None:
        return _encrypted("roles")
    assertion = ctx.assertion
    value_fix = ("At the IdP, make each Role value 'arn:aws:iam::ACCOUNT:role/NAME,"
                 "arn:aws:iam::ACCOUNT:saml-provider/NAME' (role and provider from the same account).")
    misspelled = _misspelled(assertion.attribute_names, ATTR_ROLE)
    if misspelled:
        return Check("roles", FAIL, f"the Role attribute is named {misspelled[0]!r}; AWS requires exactly "
                     f"{ATTR_ROLE!r} (names are case-sensitive)", "Fix the attribute name in the IdP's AWS app.")
    bad = [p for p in assertion.problems if isinstance(p, (errors.BadRoleValue, errors.NoRoleAttribute))]
    if any(isinstance(p, errors.NoRoleAttribute) for p in bad) or not assertion.roles and not bad:
        return Check("roles", FAIL, f"the assertion has no {ATTR_ROLE} attribute, so it grants no role",
                     "Add the Role attribute to the IdP's AWS app, one value per role: 'arn:aws:iam::ACCOUNT:"
                     "role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME'.")
    if bad:
        return Check("roles", FAIL, "; ".join(p.message for p in bad), value_fix)
    mismatched = []
    for pair in assertion.roles:
        provider_account = pair.principal_arn.split(":")[4]
        provider_partition = pair.principal_arn.split(":")[1]
        if provider_account != pair.account_id or provider_partition != pair.partition:
            mismatched.append(f"{pair.role_arn} is paired with provider {pair.principal_arn} of another "
                              f"{'account' if provider_account != pair.account_id else 'partition'}")
    if mismatched:
        return Check("roles", FAIL, "; ".join(mismatched),
                     "AssumeRoleWithSAML needs the SAML provider in the role's own account: create the provider "
                     "(same IdP metadata) in that account and point the Role value at it.")
    listed = ", ".join(pair.role_arn for pair in assertion.roles)
    return Check("roles", PASS, f"{len(assertion.roles)} role(s), each with a provider in its account: {listed}")


def check_role_session_name(ctx: _Context) -> Check:
    """``role_session_name``: RoleSessionName is present and matches ``[\\w+=,.@-]{2,64}``.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section RoleSessionName; STS API reference (RoleSessionName pattern).
    """
    if ctx.element is None:
        return _encrypted("role_session_name")
    assertion = ctx.assertion
    fix = ("Map RoleSessionName at the IdP to a value of 2-64 letters, digits and _+=,.@- "
           "(the user's email address or user name usually fits).")
    misspelled = _misspelled(assertion.attribute_names, ATTR_ROLE_SESSION_NAME)
    if misspelled and assertion.role_session_name is None:
        return Check("role_session_name", FAIL, f"the RoleSessionName attribute is named {misspelled[0]!r}; AWS "
                     f"requires exactly {ATTR_ROLE_SESSION_NAME!r} (names are case-sensitive)",
                     "Fix the attribute name in the IdP's AWS app.")
    name = assertion.role_session_name
    if name is None:
        return Check("role_session_name", FAIL, f"the assertion has no {ATTR_ROLE_SESSION_NAME} attribute, which AWS "
                     "requires", "Add the RoleSessionName attribute to the IdP's AWS app. " + fix)
    if not SESSION_NAME_RE.match(name):
        reason = _name_reason(name)
        return Check("role_session_name", FAIL, f"RoleSessionName {name!r} breaks AWS's rule "
                     f"[\\w+=,.@-]{{2,64}}: {reason}", fix)
    return Check("role_session_name", PASS, f"RoleSessionName {name!r} fits AWS's rule")


def _name_reason(value: str) -> str:
    if len(value) < 2:
        return f"it is {len(value)} character(s) long (minimum 2)"
    if len(value) > 64:
        return f"it is {len(value)} characters long (maximum 64)"
    bad = sorted({c for c in value if not re.match(r"[\w+=,.@-]", c, re.ASCII)})
    shown = ", ".join("space" if c == " " else repr(c) for c in bad)
    return f"it contains characters AWS does not allow: {shown}"


def check_source_identity(ctx: _Context) -> Check | None:
    """``source_identity`` (only when present): matches ``[\\w+=,.@-]{2,64}`` and does not start with ``aws:``.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section SourceIdentity; "Monitor and control actions taken with
    assumed roles" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
    """
    value = ctx.assertion.source_identity
    if value is None:
        return None
    fix = ("Map SourceIdentity at the IdP to a value of 2-64 letters, digits and _+=,.@- that does not start "
           "with 'aws:'. The role's trust policy also needs sts:SetSourceIdentity.")
    if value.lower().startswith("aws:"):
        return Check("source_identity", FAIL, f"SourceIdentity {value!r} starts with 'aws:', which AWS reserves", fix)
    if not SESSION_NAME_RE.match(value):
        return Check("source_identity", FAIL, f"SourceIdentity {value!r} breaks AWS's rule [\\w+=,.@-]{{2,64}}: "
                     f"{_name_reason(value)}", fix)
    return Check("source_identity", PASS, f"SourceIdentity {value!r} fits AWS's rule (the role's trust policy "
                 "must allow sts:SetSourceIdentity)")


def check_session_duration(ctx: _Context) -> Check:
    """``session_duration``: SessionDuration, when present, is a whole number 900-43200.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section SessionDuration.
    """
    if ctx.element is None:
        return _encrypted("session_duration")
    assertion = ctx.assertion
    fix = f"Set SessionDuration at the IdP to a number of seconds from {MIN_DURATION} to {MAX_DURATION} (e.g. 3600)."
    misspelled = _misspelled(assertion.attribute_names, ATTR_SESSION_DURATION)
    if misspelled:
        return Check("session_duration", FAIL, f"the SessionDuration attribute is named {misspelled[0]!r}; AWS "
                     f"requires exactly {ATTR_SESSION_DURATION!r}", "Fix the attribute name in the IdP's AWS app.")
    if ATTR_SESSION_DURATION not in assertion.attribute_names:
        return Check("session_duration", PASS, "no SessionDuration attribute (optional); the requested duration "
                     "applies")
    seconds = assertion.session_duration
    if seconds is None:
        raw = ctx.first(f"saml:AttributeStatement/saml:Attribute[@Name='{ATTR_SESSION_DURATION}']"
                        "/saml:AttributeValue")
        shown = "".join(raw.xpath(".//text()")).strip() if raw is not None else ""
        return Check("session_duration", FAIL, f"SessionDuration {shown!r} is not a whole number of seconds", fix)
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        return Check("session_duration", FAIL, f"SessionDuration {seconds} is outside AWS's range "
                     f"{MIN_DURATION}-{MAX_DURATION} seconds", fix)
    return Check("session_duration", PASS, f"SessionDuration {seconds} s is within {MIN_DURATION}-{MAX_DURATION}")


def check_principal_tags(ctx: _Context) -> Check:
    """``principal_tags``: at most 50 session tags, keys ≤ 128 and values ≤ 256 characters.

    Source: IAM User Guide, "Pass session tags in AWS STS", section Session
    tagging quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
    """
    if ctx.element is None:
        return _encrypted("principal_tags")
    tags = ctx.assertion.principal_tags
    if not tags:
        return Check("principal_tags", PASS, "no PrincipalTag attributes (optional)")
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(f"{len(tags)} tags (AWS allows {MAX_TAGS})")
    long_keys = [k for k, _ in tags if len(k) > MAX_TAG_KEY or not k]
    long_values = [k for k, v in tags if len(v) > MAX_TAG_VALUE]
    if long_keys:
        problems.append(f"tag key(s) empty or longer than {MAX_TAG_KEY} characters: "
                        + ", ".join(repr(k[:40]) for k in long_keys))
    if long_values:
        problems.append(f"value(s) longer than {MAX_TAG_VALUE} characters for tag(s) "
                        + ", ".join(repr(k[:40]) for k in long_values))
    if problems:
        return Check("principal_tags", FAIL, "; ".join(problems),
                     f"At the IdP, send at most {MAX_TAGS} {ATTR_PRINCIPAL_TAG}KEY attributes, keys of at most "
                     f"{MAX_TAG_KEY} and values of at most {MAX_TAG_VALUE} characters.")
    transitive = [k for k in ctx.assertion.transitive_tag_keys if k not in {key for key, _ in tags}]
    if transitive:
        return Check("principal_tags", WARN, f"{len(tags)} tag(s) within limits, but TransitiveTagKeys names "
                     f"keys that are not tags: {', '.join(transitive)}",
                     "Make TransitiveTagKeys list only keys sent as PrincipalTag attributes.")
    return Check("principal_tags", PASS, f"{len(tags)} tag(s) within AWS's limits (the role's trust policy must "
                 "allow sts:TagSession)")
