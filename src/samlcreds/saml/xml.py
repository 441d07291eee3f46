"""The hardened XML parse every piece of outside XML goes through, and small readers of parsed XML.

No DTD, no entities, no network, no huge trees (SAML messages must not carry a
DOCTYPE: saml-bindings-2.0-os 3.5.x, saml-core-2.0-os 1.3).
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timezone

from samlcreds import errors

_local = threading.local()
#: An xs:dateTime with a fraction of a second: (up to the seconds, the fraction, the zone). No
#: part can match where another does, so a hostile value is read once.
_FRACTION_RE = re.compile(r"([^T]*T\d\d:\d\d:\d\d)(\.\d+)([^.]*)", re.ASCII)
#: Longer than any xs:dateTime an IdP writes ("2026-12-02T14:29:03.1234567+00:00" is 33).
_MAX_DATETIME_LENGTH = 64


def _parser():
    """One hardened parser per thread (building one costs more than parsing a small document)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        from lxml import etree

        parser = _local.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_blank_text=False,
        )
    return parser


#: How the first character '<' looks in the other encodings libxml2 detects without a BOM.
_WIDE_ENCODINGS = (
    (b"<\x00\x00\x00", "utf-32-le"), (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"),
)


def _declares_dtd(raw: bytes) -> bool:
    """True when ``raw`` (in UTF-8 or a UTF-16/32 libxml2 would detect) declares a DTD or entities."""
    markers = ("<!DOCTYPE", "<!doctype", "<!ENTITY")
    # memchr-fast scan for the rare "!" first: "<!" needs a slower two-byte search
    if b"!" in raw and b"<!" in raw and any(m.encode() in raw for m in markers):
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


def text_of(element) -> str:
    """Text of an element without comments or processing instructions, trimmed.

    Concatenates every text node, so a comment inside a value cannot hide part
    of it (the 2018 SAML comment-truncation class of bugs).
    """
    return raw_text_of(element).strip()


def raw_text_of(element) -> str:
    """Like :func:`text_of`, untrimmed (for rules that trim only what they allow, as the Role rules do)."""
    if len(element) == 0:  # no child nodes at all (comments and PIs count): the fast path
        return element.text or ""
    return "".join(element.xpath(".//text()"))


def parse_xs_datetime(value: str | None) -> datetime | None:
    """An xs:dateTime (SAML core 1.3.3: UTC) as tz-aware UTC; ``None`` if absent or unreadable."""
    if not value:
        return None
    text = value.strip().replace("z", "Z")
    if len(text) > _MAX_DATETIME_LENGTH:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    match = _FRACTION_RE.fullmatch(text) if "." in text else None
    if match:  # Python < 3.11 accepts only 3 or 6 fraction digits
        text = match[1] + match[2][:7].ljust(7, "0") + match[3]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)

