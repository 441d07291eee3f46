"""Reading a SAML 2.0 Response into a :class:`~samlcreds.saml.value.SamlAssertion`.

The one place that looks into the XML: it picks *the* assertion
(:func:`select_assertion`, the one definition of "the signed assertion") and
extracts every fact login, ``decode`` and ``doctor`` use.

Sources: SAML 2.0 core (``saml-core-2.0-os``) for element names and
namespaces; W3C XML Signature for ``ds:Reference``; AWS IAM User Guide,
"Configure SAML assertions for the authentication response"
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
(attribute names are case-sensitive; RoleSessionName is 2-64 characters of
``[\\w+=,.@-]``).
"""

from __future__ import annotations

from datetime import datetime

from samlcreds import errors
from samlcreds.aws import SESSION_NAME_RE
from samlcreds.roles import RolePair, parse_role_value, parse_role_values
from samlcreds.saml.attributes import read_attributes, role_values
from samlcreds.saml.decode import MAX_BASE64_LENGTH, decode_saml_response
from samlcreds.saml.names import NS_ASSERTION, NS_DSIG, NS_PROTOCOL, STATUS_SUCCESS, q
from samlcreds.saml.value import AssertionSummary, SamlAssertion, SignatureFact, SubjectConfirmation
from samlcreds.saml.xml import parse_xml, parse_xs_datetime, text_of

_ASSERTION = q(NS_ASSERTION, "Assertion")
_ISSUER = q(NS_ASSERTION, "Issuer")
_SIGNATURE = q(NS_DSIG, "Signature")
_REFERENCE = q(NS_DSIG, "Reference")
_WRAPPING_HINT = "This is not what an IdP sends. If you did not build it yourself, do not use it."


def parse_saml_response(data: str | bytes, *, max_length: int | None = MAX_BASE64_LENGTH) -> SamlAssertion:
    """Read a SAMLResponse (any form :func:`~samlcreds.saml.decode.decode_saml_response` accepts).

    Structural errors are raised at once (not SAML, truncated, unsafe XML,
    a signed ID on several elements, non-Success status, too large). Problems
    AWS would reject the assertion for (no Role attribute, attribute-name
    case, a bad Role value, a bad or missing RoleSessionName, an
    EncryptedAssertion) are collected in ``SamlAssertion.problems`` so that
    ``decode``/``doctor`` can show them all; :func:`read_saml_response` raises
    the first.
    """
    raw = decode_saml_response(data, max_length=max_length)
    root = parse_xml(raw)
    if root.tag != q(NS_PROTOCOL, "Response"):
        local = root.tag.split("}")[-1] if isinstance(root.tag, str) else "?"
        if local.lower() == "html":
            raise errors.NotSamlResponse(
                "the input is an HTML page, not a SAML Response (probably the IdP's login page)",
                hint="Sign in first; use the SAMLResponse the IdP posts to AWS.",
            )
        raise errors.NotSamlResponse(
            f"the XML is a <{local}>, not a SAML 2.0 <samlp:Response> (namespace {NS_PROTOCOL})",
            hint="Pass the SAMLResponse the IdP posts to AWS, not a request or metadata.",
        )
    return _read_response(raw, root)


def read_saml_response(data: str | bytes) -> SamlAssertion:
    """Like :func:`parse_saml_response` but raises the first problem found."""
    assertion = parse_saml_response(data)
    assertion.raise_for_problems()
    return assertion


def select_assertion(signatures: tuple[SignatureFact, ...], labels: list[str]) -> int | None:
    """The 0-based index of *the* assertion among the Response's direct-child assertions.

    The first one signed by its own signature (a direct-child ``ds:Signature``
    whose only Reference is ``#`` + its ID), else the first one; ``None`` when
    there is none. ``labels`` are the assertions' labels as in
    :class:`~samlcreds.saml.value.SignatureFact`. Login, ``decode`` and
    ``doctor`` all read the assertion chosen here.
    """
    if not labels:
        return None
    signed = {fact.location for fact in signatures if fact.covers_location}
    return next((i for i, label in enumerate(labels) if label in signed), 0)


def _read_status(root) -> str | None:
    status = root.find(q(NS_PROTOCOL, "Status"))
    code_el = status.find(q(NS_PROTOCOL, "StatusCode")) if status is not None else None
    code = code_el.get("Value") if code_el is not None else None
    if code is not None and code.strip() != STATUS_SUCCESS:
        sub = code_el.find(q(NS_PROTOCOL, "StatusCode"))
        message_el = status.find(q(NS_PROTOCOL, "StatusMessage"))
        parts = [code.strip()]
        if sub is not None and sub.get("Value"):
            parts.append(sub.get("Value").strip())
        detail = " / ".join(parts)
        if message_el is not None and text_of(message_el):
            detail += f": {text_of(message_el)}"
        raise errors.StatusNotSuccess(
            f"the IdP answered with status {detail}",
            hint="The IdP refused to sign you in to AWS; check your access to the AWS app at the IdP.",
        )
    return code.strip() if code else None


def _nested_assertions_refusing_wrapping(root) -> int:
    """The number of Assertions nested below the Response's direct children.

    Raises :class:`~samlcreds.errors.UnsafeXml` when an ID some ds:Reference
    names is on several elements: IDs are unique in a valid document; a copy
    of a signed element (with its Signature) next to the original is XML
    signature wrapping, and which one is "the signed one" cannot be told
    without checking the signature. One walk of the tree finds the References
    and the Assertions; a second one, only when something is signed, the IDs.
    """
    signed, nested = set(), 0
    for element in root.iter(_ASSERTION, _REFERENCE):
        if element.tag == _REFERENCE:
            uri = element.get("URI") or ""
            if uri.startswith("#"):
                signed.add(uri[1:])
        elif element.getparent() is not root:
            nested += 1
    if signed:
        seen: set[str] = set()
        for ident in root.xpath("//@ID", smart_strings=False):
            if ident in signed:
                if ident in seen:
                    raise errors.UnsafeXml(
                        f"several elements carry the signed ID {ident!r} (XML signature wrapping); refusing to read it",
                        hint=_WRAPPING_HINT,
                    )
                seen.add(ident)
    return nested


def _signature_facts(root, assertions: list, labels: list[str]) -> tuple[SignatureFact, ...]:
    """Every ds:Signature sitting directly in the Response or in one of its direct-child assertions."""
    by_id: dict[str, str] = {}
    for label, element in [("Response", root), *zip(labels, assertions)]:
        ident = element.get("ID")
        if ident:
            by_id.setdefault(ident, label)
    facts = []
    for label, element in [("Response", root), *zip(labels, assertions)]:
        for signature in element.iterchildren(_SIGNATURE):
            info = signature.find(q(NS_DSIG, "SignedInfo"))
            refs = tuple(r.get("URI") or "" for r in info.iterchildren(_REFERENCE)) if info is not None else ()
            covers = next((by_id.get(uri[1:]) for uri in refs if uri.startswith("#")), None)
            method = info.find(q(NS_DSIG, "SignatureMethod")) if info is not None else None
            algorithm = (method.get("Algorithm") or "?").rsplit("#", 1)[-1] if method is not None else "?"
            cert_el = signature.find(f"{q(NS_DSIG, 'KeyInfo')}/{q(NS_DSIG, 'X509Data')}/{q(NS_DSIG, 'X509Certificate')}")
            certificate = "".join(text_of(cert_el).split()) if cert_el is not None else None
            facts.append(SignatureFact(label, element.get("ID"), refs, covers, algorithm, certificate or None,
                                       element))
    return tuple(facts)


def _summaries(assertions: list, labels: list[str], signatures) -> tuple[AssertionSummary, ...]:
    signed = {fact.location for fact in signatures if fact.covers_location}
    out = []
    for index, (label, element) in enumerate(zip(labels, assertions)):
        arns: tuple[str, ...] = ()
        if len(assertions) > 1:  # only needed to describe a wrapping attempt
            pairs = (parse_role_value(value) for value in role_values(element))
            arns = tuple(p.role_arn if isinstance(p, RolePair) else "(malformed value)" for p in pairs)
        out.append(AssertionSummary(index + 1, element.get("ID"), label in signed, arns))
    return tuple(out)


def _read_response(raw: bytes, root) -> SamlAssertion:
    status = _read_status(root)
    nested = _nested_assertions_refusing_wrapping(root)
    problems: list[errors.SamlAssertionError] = []
    warnings: list[str] = []
    assertions = root.findall(_ASSERTION)
    labels = ["Assertion"] if len(assertions) == 1 else [f"Assertion #{i + 1}" for i in range(len(assertions))]
    signatures = _signature_facts(root, assertions, labels)
    issuer_el = root.find(_ISSUER)
    response_issuer = text_of(issuer_el) if issuer_el is not None else None
    values: dict = {
        "issuer": response_issuer,
        "response_issuer": response_issuer,
        "response_id": root.get("ID"),
        "destination": root.get("Destination"),
        "issue_instant": _instant(root.get("IssueInstant"), "the Response's IssueInstant", warnings),
        "status_code": status,
        "signatures": signatures,
        "assertions": _summaries(assertions, labels, signatures),
        "nested_assertions": nested,
    }
    if nested:
        warnings.append(
            f"{nested} Assertion element(s) are nested outside the Response's direct children "
            "(a sign of XML signature wrapping); they were ignored"
        )
    chosen = select_assertion(signatures, labels)
    if chosen is None:
        if root.find(q(NS_ASSERTION, "EncryptedAssertion")) is None:
            raise errors.NotSamlResponse("the SAML Response holds no Assertion")
        problems.append(errors.EncryptedAssertion(
            "the assertion is encrypted (EncryptedAssertion): its roles cannot be read locally",
            hint="Pass --role-arn and --principal-arn to send it to AWS as it is, or ask the IdP "
            "administrator to turn off assertion encryption for the AWS app.",
        ))
        return SamlAssertion(raw=raw, encrypted=True, problems=tuple(problems), warnings=tuple(warnings), **values)
    if len(assertions) > 1:
        warnings.append(f"the Response holds {len(assertions)} assertions; AWS reads one")
        if not values["assertions"][chosen].signed and not any(
                f.location == "Response" and f.covers_location for f in signatures):
            warnings.append("none of the assertions is signed")
    element = assertions[chosen]
    a_issuer = element.find(_ISSUER)
    values["assertion_issuer"] = text_of(a_issuer) if a_issuer is not None else None
    if response_issuer is None:
        values["issuer"] = values["assertion_issuer"]
    values["assertion_id"] = element.get("ID")
    values["assertion_index"] = chosen + 1
    values["assertion_issue_instant"] = _instant(element.get("IssueInstant"), "the Assertion's IssueInstant",
                                                 warnings)
    values.update(_read_subject(element, warnings))
    values.update(_read_conditions(element, warnings))
    authn = element.find(q(NS_ASSERTION, "AuthnStatement"))
    if authn is not None:
        values["session_not_on_or_after"] = _instant(authn.get("SessionNotOnOrAfter"),
                                                     "AuthnStatement's SessionNotOnOrAfter", warnings)
    attributes = read_attributes(element, problems, warnings)
    roles, bad = parse_role_values(attributes.pop("role_values"))
    problems.extend(bad)
    values["roles"] = roles
    values.update(attributes)
    _check_session_name(values.get("role_session_name"), problems)
    return SamlAssertion(raw=raw, problems=tuple(problems), warnings=tuple(warnings), **values)


def _check_session_name(session_name: str | None, problems: list) -> None:
    if session_name is None:
        problems.append(errors.BadRoleSessionName(
            "the assertion has no https://aws.amazon.com/SAML/Attributes/RoleSessionName attribute, "
            "which AWS requires",
            hint="Add the RoleSessionName attribute (e.g. the user's email) to the IdP's AWS app.",
        ))
    elif not SESSION_NAME_RE.match(session_name):
        problems.append(errors.BadRoleSessionName(
            f"RoleSessionName {session_name!r} breaks AWS's rule: 2-64 characters of letters, digits and _+=,.@-",
            hint="Map RoleSessionName at the IdP to a value that fits (e.g. the email address).",
        ))


#: How warnings name the bearer SubjectConfirmationData's NotOnOrAfter (doctor's time_window looks for it).
SUBJECT_NOT_ON_OR_AFTER = "SubjectConfirmationData's NotOnOrAfter"


def _instant(value: str | None, where: str, warnings: list[str]) -> datetime | None:
    """:func:`parse_xs_datetime` of ``value``, adding a warning that names ``where`` when there is a value
    and it is no xs:dateTime: it then counts as absent, which the checks would otherwise report as missing."""
    parsed = parse_xs_datetime(value)
    if parsed is None and value and value.strip():
        warnings.append(f"{where} {value.strip()[:40]!r} is not an xs:dateTime (such as 2026-12-03T09:00:00Z); "
                        "it was ignored")
    return parsed


def _read_subject(assertion, warnings: list[str]) -> dict:
    subject = assertion.find(q(NS_ASSERTION, "Subject"))
    if subject is None:
        return {}
    out: dict = {}
    name_id = subject.find(q(NS_ASSERTION, "NameID"))
    if name_id is not None:
        out["name_id"] = text_of(name_id)
        out["name_id_format"] = name_id.get("Format")
    confirmations = []
    for confirmation in subject.iterchildren(q(NS_ASSERTION, "SubjectConfirmation")):
        data = confirmation.find(q(NS_ASSERTION, "SubjectConfirmationData"))
        get = data.get if data is not None else (lambda name: None)
        recipient = get("Recipient")
        confirmations.append(SubjectConfirmation(
            confirmation.get("Method"), recipient.strip() if recipient else None,
            _instant(get("NotBefore"), "SubjectConfirmationData's NotBefore", warnings),
            _instant(get("NotOnOrAfter"), SUBJECT_NOT_ON_OR_AFTER, warnings)))
    out["subject_confirmations"] = tuple(confirmations)
    return out


def _read_conditions(assertion, warnings: list[str]) -> dict:
    conditions = assertion.find(q(NS_ASSERTION, "Conditions"))
    if conditions is None:
        return {}
    restrictions = tuple(
        tuple(text_of(a) for a in restriction.iterchildren(q(NS_ASSERTION, "Audience")))
        for restriction in conditions.iterchildren(q(NS_ASSERTION, "AudienceRestriction"))
    )
    return {
        "not_before": _instant(conditions.get("NotBefore"), "Conditions' NotBefore", warnings),
        "not_on_or_after": _instant(conditions.get("NotOnOrAfter"), "Conditions' NotOnOrAfter", warnings),
        "audience_restrictions": restrictions,
    }
