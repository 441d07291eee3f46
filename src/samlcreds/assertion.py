"""Reading a SAMLResponse: input normalisation, a hardened XML parse, and the
:class:`SamlAssertion` value holding what AWS will read from it.

Sources of the rules implemented here:

- SAML 2.0 core (``saml-core-2.0-os``) for element names and namespaces; the
  bindings spec (``saml-bindings-2.0-os`` 3.5.4) for the base64 POST form field.
- AWS: "Configuring SAML assertions for the authentication response"
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
  (attribute names are case-sensitive; Role values are ``role ARN,provider ARN``;
  RoleSessionName is 2-64 characters of ``[\\w+=,.@-]``).
- AWS STS API reference, AssumeRoleWithSAML: SAMLAssertion is 4-100,000
  characters of base64.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone

from samlcreds import errors
from samlcreds.roles import PARTITION, PROVIDER_RESOURCE, ROLE_RESOURCE, RolePair

NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

AWS_ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
ATTR_ROLE = AWS_ATTRIBUTE_PREFIX + "Role"
ATTR_ROLE_SESSION_NAME = AWS_ATTRIBUTE_PREFIX + "RoleSessionName"
ATTR_SESSION_DURATION = AWS_ATTRIBUTE_PREFIX + "SessionDuration"
ATTR_SOURCE_IDENTITY = AWS_ATTRIBUTE_PREFIX + "SourceIdentity"
ATTR_TRANSITIVE_TAG_KEYS = AWS_ATTRIBUTE_PREFIX + "TransitiveTagKeys"
ATTR_PRINCIPAL_TAG = AWS_ATTRIBUTE_PREFIX + "PrincipalTag:"
_AWS_ATTRIBUTES = (
    ATTR_ROLE,
    ATTR_ROLE_SESSION_NAME,
    ATTR_SESSION_DURATION,
    ATTR_SOURCE_IDENTITY,
    ATTR_TRANSITIVE_TAG_KEYS,
)

#: AWS STS: SAMLAssertion length limit, in base64 characters.
MAX_BASE64_LENGTH = 100_000
#: Pasted text (form body, percent-encoded or HTML-escaped) longer than this many
#: times the base64 limit is refused before decoding: it cannot hold a usable one.
ENCODED_LENGTH_FACTOR = 10
#: AWS STS: SAMLAssertion minimum length.
MIN_BASE64_LENGTH = 4
#: RoleSessionName / SourceIdentity rule from the STS API reference.
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)

_BASE64_RE = re.compile(r"^[A-Za-z0-9+/\-_]*={0,2}$")
#: An HTML ``<input ...>`` tag naming SAMLResponse; ``[^<>]`` keeps the scan linear on hostile pages.
_INPUT_TAG_RE = re.compile(rb"<input\b[^<>]*?samlresponse[^<>]*>", re.I)


@dataclass(frozen=True)
class SamlAssertion:
    """What a SAMLResponse says, as AWS reads it.

    ``raw`` is the exact decoded XML (bytes; never shown in ``repr``).
    Times are tz-aware UTC ``datetime`` or ``None``. ``roles`` keeps the
    document's order with duplicates removed. ``problems`` holds the
    :class:`~samlcreds.errors.SamlAssertionError` instances found (empty for a
    usable assertion); ``warnings`` holds plain-language notes.
    """

    raw: bytes = field(repr=False)
    roles: tuple[RolePair, ...] = ()
    role_session_name: str | None = None
    session_duration: int | None = None
    source_identity: str | None = None
    principal_tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    issuer: str | None = None
    destination: str | None = None
    recipient: str | None = None
    audiences: tuple[str, ...] = ()
    issue_instant: datetime | None = None
    not_before: datetime | None = None
    not_on_or_after: datetime | None = None
    session_not_on_or_after: datetime | None = None
    status_code: str | None = None
    name_id: str | None = None
    encrypted: bool = False
    signed_elements: tuple[str, ...] = ()
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


# --------------------------------------------------------------------------
# Input normalisation
# --------------------------------------------------------------------------
def decode_saml_response(data: str | bytes, *, max_length: int | None = MAX_BASE64_LENGTH) -> bytes:
    """Normalise a SAMLResponse as users paste it to the exact XML bytes.

    Accepted: base64 (one line or wrapped), a URL-encoded form body
    (``SAMLResponse=...&RelayState=...``), a percent-encoded value, an
    HTML-escaped attribute value, an HTML page with a ``SAMLResponse`` form
    field, or raw XML.

    Raises :class:`~samlcreds.errors.DamagedEncoding` when ``+`` signs were
    turned into spaces, :class:`~samlcreds.errors.AssertionTooLarge` beyond
    ``max_length`` base64 characters (AWS's 100,000 by default; checked before
    decoding; ``None`` lifts it, for benchmarks),
    :class:`~samlcreds.errors.TruncatedSamlResponse` for cut-off base64 and
    :class:`~samlcreds.errors.NotSamlResponse` for anything else.
    """
    if isinstance(data, bytes):
        stripped = data.strip()
        if stripped.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark (files saved on Windows)
            stripped = stripped[3:].lstrip()
        if stripped.startswith(b"<"):
            return _from_markup(stripped, max_length)
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise errors.NotSamlResponse(
                "the input is neither base64 nor XML (it holds non-ASCII bytes)",
                hint="Paste the SAMLResponse value exactly as the IdP sent it.",
            ) from None
    else:
        text = data
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise errors.NotSamlResponse("the input is empty", hint="Paste the SAMLResponse value.")
    if text.startswith("<"):
        return _from_markup(text.encode("utf-8", "surrogateescape"), max_length)
    if max_length is not None and len(text) > ENCODED_LENGTH_FACTOR * max_length:
        # before unquoting/unescaping, which take seconds on megabytes
        raise errors.AssertionTooLarge(
            f"the input is {len(text):,} characters; even encoded, a SAMLResponse AWS accepts "
            f"(at most {MAX_BASE64_LENGTH:,} base64 characters) is far shorter",
            hint="Paste only the SAMLResponse value (or the form body that carries it).",
        )
    if "SAMLResponse=" in text:
        text = _from_form_body(text)
    elif "%" in text and re.search(r"%[0-9A-Fa-f]{2}", text):
        text = urllib.parse.unquote(text)
    if "&" in text:
        text = html.unescape(text).strip()
    if text.startswith("<"):
        return _from_markup(text.encode("utf-8", "surrogateescape"), max_length)
    return _from_base64(text, max_length)


def _from_form_body(text: str) -> str:
    fields = urllib.parse.parse_qs(text.lstrip("?"), keep_blank_values=True)
    values = fields.get("SAMLResponse")
    if not values or not values[0].strip():
        raise errors.NotSamlResponse("the form body has an empty SAMLResponse field")
    return values[0]


def _from_markup(data: bytes, max_length: int | None) -> bytes:
    head = data[:512].lower()
    if head.startswith(b"<!doctype html") or b"<html" in head:
        return _from_html_page(data, max_length)
    _check_encoded_length(((len(data) + 2) // 3) * 4, max_length)
    return data


def _from_html_page(data: bytes, max_length: int | None) -> bytes:
    """The SAMLResponse field of an HTML page.

    Only the ``<input>`` tags mentioning SAMLResponse are parsed, each checked
    against the size limit first: libxml2's HTML parser is quadratic in the
    attribute count of an element, so a whole hostile page is never handed to it.
    """
    import lxml.html

    values = []
    for match in _INPUT_TAG_RE.finditer(data):
        tag = match.group(0)
        _check_encoded_length(len(tag) - 64, max_length)
        try:
            element = lxml.html.fragment_fromstring(tag)
        except Exception:  # lxml raises ParserError/ValueError on junk
            continue
        if element.tag == "input" and element.get("name") == "SAMLResponse" and element.get("value") is not None:
            values.append(element.get("value"))
    if not values:
        raise errors.NotSamlResponse(
            "the input is an HTML page without a SAMLResponse (probably the IdP's login or error page)",
            hint="Sign in at the IdP first; the page that posts to AWS holds the SAMLResponse.",
        )
    return _from_base64(str(values[0]), max_length)


def _check_encoded_length(length: int, max_length: int | None = MAX_BASE64_LENGTH) -> None:
    if max_length is not None and length > max_length:
        raise errors.AssertionTooLarge(
            f"the SAMLResponse is {length:,} base64 characters; AWS accepts at most {MAX_BASE64_LENGTH:,}",
            hint="Ask the IdP administrator to send fewer roles or attributes (e.g. filter roles by group).",
        )


def _looks_like_damaged_base64(compact: str) -> bool:
    """True when putting '+' back for the spaces gives base64 of XML."""
    repaired = compact.replace(" ", "+")
    if not _BASE64_RE.match(repaired):
        return False
    try:
        head = base64.b64decode(repaired[:64] + "=" * (-len(repaired[:64]) % 4))
    except (binascii.Error, ValueError):
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


_URLSAFE = str.maketrans("-_", "+/")


def _base64_error(compact: str) -> errors.SamlAssertionError:
    """The precise error for base64 that did not decode."""
    if len(compact) < MIN_BASE64_LENGTH or not _BASE64_RE.match(compact):
        bad = next((c for c in compact if not (c.isascii() and (c.isalnum() or c in "+/="))), None)
        detail = f" (found {bad!r})" if bad else ""
        return errors.NotSamlResponse(
            f"the input is not a base64 SAMLResponse{detail}",
            hint="Paste the SAMLResponse value exactly as the IdP sent it, or the raw XML.",
        )
    if len(compact) % 4 == 1:
        return errors.TruncatedSamlResponse(
            "the base64 SAMLResponse is cut off (its length is impossible for base64)",
            hint="Copy the whole value again; terminals and chat tools sometimes cut long lines.",
        )
    return errors.TruncatedSamlResponse(
        "the base64 SAMLResponse does not decode (its padding is wrong: probably cut off)",
        hint="Copy the whole value again.",
    )


def _from_base64(text: str, max_length: int | None = MAX_BASE64_LENGTH) -> bytes:
    lines = [line.strip() for line in text.strip().splitlines()]
    if any(" " in line for line in lines) and _looks_like_damaged_base64("".join(lines)):
        raise errors.DamagedEncoding(
            "the SAMLResponse contains spaces: its '+' signs were probably turned into spaces "
            "(URL-decoded twice, or copied from a decoded form body)",
            hint="Copy the value again from the raw form body (or pass the whole form body); "
            "samlcreds does not guess which spaces were '+'.",
        )
    compact = "".join(lines)
    if "\t" in compact:
        compact = compact.replace("\t", "")
    _check_encoded_length(len(compact), max_length)
    if "-" in compact or "_" in compact:  # URL-safe alphabet: AWS wants the standard one
        compact = compact.translate(_URLSAFE)
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)  # checks the alphabet in C
    except (binascii.Error, ValueError):
        raise _base64_error(compact) from None
    if not raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise errors.NotSamlResponse(
            "the base64 input does not decode to XML",
            hint="Paste the SAMLResponse form field (not RelayState or a SAMLRequest).",
        )
    return raw


# --------------------------------------------------------------------------
# XML parsing
# --------------------------------------------------------------------------
def _parser():
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


#: How the first character '<' looks in the other encodings libxml2 detects without a BOM.
_WIDE_ENCODINGS = (
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"),
)


def _declares_dtd(raw: bytes) -> bool:
    """True when ``raw`` (in UTF-8 or a UTF-16/32 libxml2 would detect) declares a DTD or entities."""
    markers = ("<!DOCTYPE", "<!doctype", "<!ENTITY")
    if any(m.encode() in raw for m in markers):
        return True
    for prefix, encoding in _WIDE_ENCODINGS:
        if raw.startswith(prefix):
            text = raw.decode(encoding, "replace")
            return any(m in text for m in markers)
    return False


def parse_xml(raw: bytes):
    """Parse untrusted XML safely: no DTD, no entities, no network, no huge trees.

    Returns the root element. Raises :class:`~samlcreds.errors.UnsafeXml` for a
    DOCTYPE (SAML messages must not carry one, saml-bindings-2.0 3.5.x / SAML
    core 1.3), :class:`~samlcreds.errors.TruncatedSamlResponse` for cut-off XML,
    :class:`~samlcreds.errors.NotSamlResponse` for other malformed XML.
    """
    from lxml import etree

    if _declares_dtd(raw):
        raise errors.UnsafeXml(
            "the SAMLResponse carries a DOCTYPE/entity declaration, which SAML forbids; refusing to read it",
            hint="This is not what an IdP sends. If you did not build it yourself, do not use it.",
        )
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        text = str(exc)
        if "amplification" in text or "entity reference loop" in text:
            raise errors.UnsafeXml(
                f"the SAMLResponse expands entities without bound ({text}); refusing to read it",
                hint="This is not what an IdP sends. If you did not build it yourself, do not use it.",
            ) from None
        line, column = getattr(exc, "position", None) or (0, 0)
        lines = raw.rstrip().decode("utf-8", "replace").split("\n")
        # at the end = past the last character of the last line, not merely on the last line
        # (a one-line document has every error on its last line)
        at_end = line > len(lines) or (line == len(lines) and column > len(lines[-1]))
        if at_end or any(s in text for s in ("Premature end", "not properly terminated", "end of data")):
            raise errors.TruncatedSamlResponse(
                f"the SAMLResponse XML ends early ({text})",
                hint="Copy the whole SAMLResponse value again; it was cut off.",
            ) from None
        raise errors.NotSamlResponse(f"the SAMLResponse is not well-formed XML ({text})") from None
    except ValueError as exc:  # e.g. unicode strings with encoding declaration
        raise errors.NotSamlResponse(f"the SAMLResponse is not readable XML ({exc})") from None
    if root.getroottree().docinfo.doctype:
        raise errors.UnsafeXml("the SAMLResponse carries a DOCTYPE, which SAML forbids")
    return root


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _text(element) -> str:
    """Text of an element without comments or processing instructions, trimmed.

    Concatenates every text node, so a comment inside a value cannot hide part
    of it (the 2018 SAML comment-truncation class of bugs).
    """
    if len(element) == 0:  # no child nodes at all (comments and PIs count): the fast path
        return (element.text or "").strip()
    return "".join(element.xpath(".//text()")).strip()


def parse_xs_datetime(value: str | None) -> datetime | None:
    """An xs:dateTime (SAML core 1.3.3: UTC) as tz-aware UTC; ``None`` if absent or unreadable."""
    if not value:
        return None
    text = value.strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$", text)
    if match:  # Python < 3.11 accepts only 3 or 6 fraction digits
        frac = (match[2] or "")[:7].ljust(7, "0") if match[2] else ""
        text = match[1] + frac + match[3]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _signed_ids(root) -> set[str]:
    """IDs referenced by ds:Signature elements (``URI="#id"``)."""
    ids = set()
    for ref in root.iter(_q(NS_DSIG, "Reference")):
        uri = ref.get("URI") or ""
        if uri.startswith("#"):
            ids.add(uri[1:])
    return ids


def _refuse_duplicate_signed_ids(root, signed: set[str]) -> None:
    """Raise :class:`~samlcreds.errors.UnsafeXml` when a signed ID is on several elements.

    IDs are unique in a valid document; a copy of a signed element (with its
    Signature) next to the original is XML signature wrapping, and which one
    is "the signed one" cannot be told without checking the signature.
    """
    if not signed:
        return
    seen: set[str] = set()
    for element in root.iter():
        ident = element.get("ID") if isinstance(element.tag, str) else None
        if ident in signed:
            if ident in seen:
                raise errors.UnsafeXml(
                    f"several elements carry the signed ID {ident!r} (XML signature wrapping); refusing to read it",
                    hint="This is not what an IdP sends. If you did not build it yourself, do not use it.",
                )
            seen.add(ident)


def _is_signed(element, signed: set[str]) -> bool:
    ident = element.get("ID")
    if not ident or ident not in signed:
        return False
    return any(child.tag == _q(NS_DSIG, "Signature") for child in element)


def parse_saml_response(data: str | bytes, *, max_length: int | None = MAX_BASE64_LENGTH) -> SamlAssertion:
    """Read a SAMLResponse (any form :func:`decode_saml_response` accepts).

    Structural errors are raised at once (not SAML, truncated, unsafe XML,
    non-Success status, too large). Problems AWS would reject the assertion for
    (no Role attribute, attribute-name case, a bad Role value, a bad or missing
    RoleSessionName, an EncryptedAssertion) are collected in
    ``SamlAssertion.problems`` so that ``decode``/``doctor`` can show them all;
    :func:`read_saml_response` raises the first.
    """
    raw = decode_saml_response(data, max_length=max_length)
    root = parse_xml(raw)
    if root.tag != _q(NS_PROTOCOL, "Response"):
        local = root.tag.split("}")[-1] if isinstance(root.tag, str) else "?"
        if local.lower() == "html":
            raise errors.NotSamlResponse(
                "the input is an HTML page, not a SAML Response (probably the IdP's login page)",
                hint="Sign in first; use the SAMLResponse the IdP posts to AWS.",
            )
        raise errors.NotSamlResponse(
            f"the XML is a <{local}>, not a SAML 2.0 <samlp:Response> "
            f"(namespace {NS_PROTOCOL})",
            hint="Pass the SAMLResponse the IdP posts to AWS, not a request or metadata.",
        )
    return _read_response(raw, root)


def read_saml_response(data: str | bytes) -> SamlAssertion:
    """Like :func:`parse_saml_response` but raises the first problem found."""
    assertion = parse_saml_response(data)
    assertion.raise_for_problems()
    return assertion


def _read_status(root) -> str | None:
    status = root.find(_q(NS_PROTOCOL, "Status"))
    code_el = status.find(_q(NS_PROTOCOL, "StatusCode")) if status is not None else None
    code = code_el.get("Value") if code_el is not None else None
    if code is not None and code.strip() != STATUS_SUCCESS:
        sub = code_el.find(_q(NS_PROTOCOL, "StatusCode"))
        message_el = status.find(_q(NS_PROTOCOL, "StatusMessage"))
        parts = [code.strip()]
        if sub is not None and sub.get("Value"):
            parts.append(sub.get("Value").strip())
        detail = " / ".join(parts)
        if message_el is not None and _text(message_el):
            detail += f": {_text(message_el)}"
        raise errors.StatusNotSuccess(
            f"the IdP answered with status {detail}",
            hint="The IdP refused to sign you in to AWS; check your access to the AWS app at the IdP.",
        )
    return code.strip() if code else None


def _read_response(raw: bytes, root) -> SamlAssertion:
    status = _read_status(root)
    problems: list[errors.SamlAssertionError] = []
    warnings: list[str] = []
    signed = _signed_ids(root)
    _refuse_duplicate_signed_ids(root, signed)
    signed_elements = []
    if _is_signed(root, signed):
        signed_elements.append("Response")

    issuer_el = root.find(_q(NS_ASSERTION, "Issuer"))
    values: dict = {
        "issuer": _text(issuer_el) if issuer_el is not None else None,
        "destination": root.get("Destination"),
        "issue_instant": parse_xs_datetime(root.get("IssueInstant")),
        "status_code": status,
    }
    assertions = root.findall(_q(NS_ASSERTION, "Assertion"))
    elsewhere = [a for a in root.iter(_q(NS_ASSERTION, "Assertion")) if a.getparent() is not root]
    encrypted = root.findall(_q(NS_ASSERTION, "EncryptedAssertion"))
    if elsewhere:
        warnings.append(
            f"{len(elsewhere)} Assertion element(s) are nested outside the Response's direct children "
            "(a sign of XML signature wrapping); they were ignored"
        )
    if not assertions:
        if encrypted:
            problems.append(
                errors.EncryptedAssertion(
                    "the assertion is encrypted (EncryptedAssertion): its roles cannot be read locally",
                    hint="Pass --role-arn and --principal-arn to send it to AWS as it is, or ask the IdP "
                    "administrator to turn off assertion encryption for the AWS app.",
                )
            )
            return SamlAssertion(raw=raw, encrypted=True, problems=tuple(problems),
                                 signed_elements=tuple(signed_elements), warnings=tuple(warnings), **values)
        raise errors.NotSamlResponse("the SAML Response holds no Assertion")
    if len(assertions) > 1:
        warnings.append(f"the Response holds {len(assertions)} assertions; AWS reads one")
    signed_assertions = [a for a in assertions if _is_signed(a, signed)]
    assertion = signed_assertions[0] if signed_assertions else assertions[0]
    if signed_assertions:
        signed_elements.append("Assertion")
    elif len(assertions) > 1 and "Response" not in signed_elements:
        warnings.append("none of the assertions is signed")

    if issuer_el is None:
        a_issuer = assertion.find(_q(NS_ASSERTION, "Issuer"))
        values["issuer"] = _text(a_issuer) if a_issuer is not None else None
    values.update(_read_subject(assertion))
    values.update(_read_conditions(assertion))
    authn = assertion.find(_q(NS_ASSERTION, "AuthnStatement"))
    if authn is not None:
        values["session_not_on_or_after"] = parse_xs_datetime(authn.get("SessionNotOnOrAfter"))
    values.update(_read_attributes(assertion, problems, warnings))
    return SamlAssertion(
        raw=raw,
        signed_elements=tuple(signed_elements),
        problems=tuple(problems),
        warnings=tuple(warnings),
        **values,
    )


def _read_subject(assertion) -> dict:
    out: dict = {}
    subject = assertion.find(_q(NS_ASSERTION, "Subject"))
    if subject is None:
        return out
    name_id = subject.find(_q(NS_ASSERTION, "NameID"))
    if name_id is not None:
        out["name_id"] = _text(name_id)
    for data in subject.iter(_q(NS_ASSERTION, "SubjectConfirmationData")):
        if data.get("Recipient"):
            out["recipient"] = data.get("Recipient").strip()
            break
    return out


def _read_conditions(assertion) -> dict:
    conditions = assertion.find(_q(NS_ASSERTION, "Conditions"))
    if conditions is None:
        return {}
    audiences = tuple(_text(a) for a in conditions.iter(_q(NS_ASSERTION, "Audience")))
    return {
        "not_before": parse_xs_datetime(conditions.get("NotBefore")),
        "not_on_or_after": parse_xs_datetime(conditions.get("NotOnOrAfter")),
        "audiences": audiences,
    }


def _read_attributes(assertion, problems: list, warnings: list[str]) -> dict:
    names: list[str] = []
    role_values: list[str] = []
    found: dict[str, list[str]] = {}
    tags: list[tuple[str, str]] = []
    for attribute in assertion.iter(_q(NS_ASSERTION, "Attribute")):
        name = (attribute.get("Name") or "").strip()
        names.append(name)
        attr_values = [_text(v) for v in attribute.findall(_q(NS_ASSERTION, "AttributeValue"))]
        canonical = _canonical_name(name)
        if canonical is None:
            continue
        if canonical != name and not name.startswith(ATTR_PRINCIPAL_TAG):
            problems.append(
                errors.AttributeNameCase(
                    f"attribute {name!r} is spelled in the wrong case; AWS requires exactly {canonical!r}",
                    hint="Fix the attribute name in the IdP's AWS app; AWS ignores it as sent.",
                )
            )
            continue
        if canonical == ATTR_ROLE:
            role_values.extend(attr_values)
        elif canonical.startswith(ATTR_PRINCIPAL_TAG):
            key = name[len(ATTR_PRINCIPAL_TAG):]
            tags.extend((key, value) for value in attr_values)
        else:
            found.setdefault(canonical, []).extend(attr_values)

    out: dict = {"attribute_names": tuple(names), "principal_tags": tuple(tags)}
    out["roles"] = _read_roles(role_values, names, problems)
    session_names = found.get(ATTR_ROLE_SESSION_NAME, [])
    session_name = session_names[0] if session_names else None
    out["role_session_name"] = session_name
    if session_name is None:
        problems.append(
            errors.BadRoleSessionName(
                f"the assertion has no {ATTR_ROLE_SESSION_NAME} attribute, which AWS requires",
                hint="Add the RoleSessionName attribute (e.g. the user's email) to the IdP's AWS app.",
            )
        )
    elif not SESSION_NAME_RE.match(session_name):
        problems.append(
            errors.BadRoleSessionName(
                f"RoleSessionName {session_name!r} breaks AWS's rule: 2-64 characters of "
                "letters, digits and _+=,.@-",
                hint="Map RoleSessionName at the IdP to a value that fits (e.g. the email address).",
            )
        )
    durations = found.get(ATTR_SESSION_DURATION, [])
    if durations:
        try:
            out["session_duration"] = int(durations[0])
        except ValueError:
            warnings.append(f"SessionDuration {durations[0]!r} is not a whole number of seconds")
    sources = found.get(ATTR_SOURCE_IDENTITY, [])
    if sources:
        out["source_identity"] = sources[0]
    out["transitive_tag_keys"] = tuple(found.get(ATTR_TRANSITIVE_TAG_KEYS, []))
    return out


def _canonical_name(name: str) -> str | None:
    """The AWS attribute name ``name`` means, ignoring case; ``None`` if not AWS's."""
    folded = name.casefold()
    for known in _AWS_ATTRIBUTES:
        if folded == known.casefold():
            return known
    if folded.startswith(ATTR_PRINCIPAL_TAG.casefold()):
        if not name.startswith(ATTR_PRINCIPAL_TAG):
            return ATTR_PRINCIPAL_TAG + name[len(ATTR_PRINCIPAL_TAG):]
        return name
    return None


def _read_roles(values: list[str], names: list[str], problems: list) -> tuple[RolePair, ...]:
    if not values:
        if not any(_canonical_name(n) == ATTR_ROLE for n in names):
            present = ", ".join(names) if names else "none"
            problems.append(
                errors.NoRoleAttribute(
                    f"the assertion has no {ATTR_ROLE} attribute; attributes present: {present}",
                    hint="Add the Role attribute (values 'role ARN,provider ARN') to the IdP's AWS app.",
                )
            )
        return ()
    if "\x00" not in "".join(values):  # NUL cannot occur in XML text; guard anyway
        found = _ROLE_VALUES_RE.findall("\x00" + "\x00".join(values) + "\x00")
        if len(found) == len(values):  # every value well-formed: the fast path, one regex pass in C
            pairs = []
            for r1, rp1, p1, pp1, p2, pp2, r2, rp2 in found:
                if (rp1 or rp2) != (pp1 or pp2):
                    break
                pairs.append(RolePair(r1, p1) if r1 else RolePair(r2, p2))
            else:
                return tuple(dict.fromkeys(pairs))  # document order, duplicates dropped
    ordered: dict[RolePair, None] = {}
    for value in values:
        pair = parse_role_value(value)
        if isinstance(pair, errors.BadRoleValue):
            problems.append(pair)
        else:
            ordered.setdefault(pair)
    return tuple(ordered)


# In a Role value the comma separates the two ARNs, so it is left out of names here.
_ROLE = rf"arn:({PARTITION}):iam::\d{{12}}:" + ROLE_RESOURCE.replace("[\\w+=,.@-]", "[\\w+=.@-]")
_PROVIDER = rf"arn:({PARTITION}):iam::\d{{12}}:{PROVIDER_RESOURCE}"
#: A well-formed Role value, role first / provider first; groups: ARN, partition, ARN, partition.
_ROLE_FIRST_RE = re.compile(rf"\s*({_ROLE})\s*,\s*({_PROVIDER})\s*")
_PROVIDER_FIRST_RE = re.compile(rf"\s*({_PROVIDER})\s*,\s*({_ROLE})\s*")
#: Many NUL-separated Role values at once (either order); 8 groups per match.
_ROLE_VALUES_RE = re.compile(
    rf"(?<=\x00)\s*(?:({_ROLE})\s*,\s*({_PROVIDER})|({_PROVIDER})\s*,\s*({_ROLE}))\s*(?=\x00)"
)


def parse_role_value(value: str) -> RolePair | errors.BadRoleValue:
    """Split one Role attribute value into a :class:`RolePair`.

    Either order is accepted; whitespace and newlines around each ARN are
    trimmed. Returns (does not raise) :class:`~samlcreds.errors.BadRoleValue`
    quoting the value when it is not exactly one role ARN and one provider ARN
    of the same partition.
    """
    match = _ROLE_FIRST_RE.fullmatch(value)
    if match is not None:
        role, role_partition, provider, provider_partition = match.groups()
    else:
        match = _PROVIDER_FIRST_RE.fullmatch(value)
        if match is not None:
            provider, provider_partition, role, role_partition = match.groups()
    if match is not None:
        if role_partition == provider_partition:
            return RolePair(role, provider)
        return errors.BadRoleValue(
            f"Role value {value.strip()!r} pairs a role and a provider from different partitions"
        )
    return errors.BadRoleValue(
        f"Role value {value.strip()!r} is not exactly one role ARN and one saml-provider ARN "
        "separated by a comma",
        hint="Each Role value must be 'arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME'.",
    )
