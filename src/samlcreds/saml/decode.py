"""Input normalisation: a SAMLResponse as users paste it → the exact XML bytes.

Sources: saml-bindings-2.0-os 3.5.4 (the base64 ``SAMLResponse`` POST form
field); AWS STS API reference, AssumeRoleWithSAML (SAMLAssertion is 4-100,000
characters of base64).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import sys
import urllib.parse

from samlcreds import errors
from samlcreds.aws import MAX_SAML_ASSERTION_LENGTH as MAX_BASE64_LENGTH
from samlcreds.aws import MIN_SAML_ASSERTION_LENGTH as MIN_BASE64_LENGTH

#: Pasted text (form body, percent-encoded or HTML-escaped) longer than this many
#: times the base64 limit is refused before decoding: it cannot hold a usable one.
ENCODED_LENGTH_FACTOR = 10

_BASE64_RE = re.compile(r"^[A-Za-z0-9+/\-_]*={0,2}$")
#: The start of an HTML ``<input`` tag (any case).
_INPUT_START_RE = re.compile(rb"<input\b", re.I)


def _saml_input_tags(data: bytes):
    """Each complete ``<input ...>`` tag (no ``<`` inside) that mentions SAMLResponse, in any case.

    The tag's end and the usual spellings are found with ``bytes.find``
    (memchr speed), so a 10 MB attribute value costs milliseconds; only a tag
    spelling it neither ``SAMLResponse`` nor ``samlresponse`` is lower-cased.
    """
    match = _INPUT_START_RE.search(data)
    while match is not None:
        start, after = match.start(), match.end()
        end = data.find(b">", after)
        if end < 0:
            return
        inner = data.find(b"<", after, end)
        if inner >= 0:  # not a complete tag: look again from the '<' inside it
            match = _INPUT_START_RE.search(data, inner)
            continue
        if (data.find(b"SAMLResponse", after, end) >= 0 or data.find(b"samlresponse", after, end) >= 0
                or b"samlresponse" in data[after:end].lower()):
            yield data[start:end + 1]
        match = _INPUT_START_RE.search(data, end + 1)


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
            text = stripped.decode("ascii")  # without a byte order mark, as the text path takes it
        except UnicodeDecodeError:
            raise _base64_error(stripped.decode("utf-8", "replace")) from None  # names the first non-ASCII one
    else:
        text = data
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise errors.NotSamlResponse("the input is empty", hint="Paste the SAMLResponse value.")
    if text.startswith("<"):
        return _from_markup(text.encode("utf-8", "surrogateescape"), max_length)
    if max_length is None or len(text) <= max_length:
        # the usual form, one line of standard base64, decoded without the scans below for the other forms:
        # strict decoding refuses every character they look for ('=' before the end, '%', '&', whitespace, '-', '_')
        try:
            raw = _strict_b64decode(text)
        except (binascii.Error, ValueError):
            pass
        else:
            if _is_xml(raw):
                return raw
    if max_length is not None and len(text) > ENCODED_LENGTH_FACTOR * max_length:
        # before unquoting/unescaping, which take seconds on megabytes
        raise errors.AssertionTooLarge(
            f"the input is {len(text):,} characters; even encoded, a SAMLResponse AWS accepts "
            f"(at most {MAX_BASE64_LENGTH:,} base64 characters) is far shorter",
            hint="Paste only the SAMLResponse value (or the form body that carries it).",
        )
    # base64 holds '=' only as trailing padding: any other '=' may be a form body (checked cheaply first)
    first_equals = text.find("=")  # base64 padding is at the end: no copy of the whole text to check
    if first_equals >= 0 and (text[first_equals:].rstrip("=") or text.endswith("SAMLResponse=")) \
            and "SAMLResponse=" in text:
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
    for tag in _saml_input_tags(data):
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
    distinct = {"".join(str(value).split()) for value in values} - {""}  # the same value wrapped otherwise is one
    if len(distinct) > 1:
        raise errors.NotSamlResponse(
            f"the HTML page holds {len(distinct)} different SAMLResponse fields; samlcreds does not guess "
            "which one is for AWS",
            hint="Paste only the value of the field in the form that posts to https://signin.aws.amazon.com/saml.",
        )
    return _from_base64(str(next((v for v in values if str(v).strip()), values[0])), max_length)


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
    return _is_xml(head)


_URLSAFE = str.maketrans("-_", "+/")


def _base64_error(compact: str) -> errors.SamlAssertionError:
    """The precise error for base64 that did not decode."""
    if not compact.isascii():  # as bytes input is told (decode_saml_response)
        bad = next(c for c in compact if not c.isascii())
        return errors.NotSamlResponse(f"the input is neither base64 nor XML (it holds non-ASCII characters, "
                                      f"such as U+{ord(bad):04X})",
                                      hint="Paste the SAMLResponse value exactly as the IdP sent it.")
    if len(compact) < MIN_BASE64_LENGTH or not _BASE64_RE.match(compact):
        bad = next((c for c in compact if not (c.isalnum() or c in "+/=")), None)
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


def _strict_b64decode(text: str) -> bytes:
    """Decode standard base64, refusing any character outside the alphabet (binascii.Error).

    Python 3.11+ checks in C, straight from the ``str`` (``base64.b64decode``
    would first copy it to ``bytes``); 3.10 has only ``b64decode(validate=True)``.
    """
    if sys.version_info >= (3, 11):
        return binascii.a2b_base64(text, strict_mode=True)
    return base64.b64decode(text, validate=True)


def _is_xml(raw: bytes) -> bool:
    """True when decoded bytes start as XML does: ``<`` after an optional UTF-8 byte order mark and whitespace."""
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _from_base64(text: str, max_length: int | None = MAX_BASE64_LENGTH) -> bytes:
    text = text.strip()
    # one line (the usual form) is used as it is: no copies of a 100,000-character string
    lines = [line.strip() for line in text.splitlines()] if "\n" in text or "\r" in text else [text]
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
        raw = _strict_b64decode(compact + "=" * (-len(compact) % 4))
    except (binascii.Error, ValueError):
        raise _base64_error(compact) from None
    if not _is_xml(raw):
        raise errors.NotSamlResponse(
            "the base64 input does not decode to XML",
            hint="Paste the SAMLResponse form field (not RelayState or a SAMLRequest).",
        )
    return raw

