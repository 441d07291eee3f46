"""The AWS attributes of an Assertion's AttributeStatements, read as AWS reads them.

Source: AWS IAM User Guide, "Configure SAML assertions for the authentication
response" (attribute names are case-sensitive; several Role attributes are
merged; RoleSessionName, SessionDuration, SourceIdentity,
PrincipalTag:KEY, TransitiveTagKeys).
"""

from __future__ import annotations

from typing import Iterator

from samlcreds import errors
from samlcreds.saml.names import (
    ATTR_PRINCIPAL_TAG,
    ATTR_ROLE,
    ATTR_ROLE_SESSION_NAME,
    ATTR_SESSION_DURATION,
    ATTR_SOURCE_IDENTITY,
    ATTR_TRANSITIVE_TAG_KEYS,
    NS_ASSERTION,
    canonical_name,
    q,
)
from samlcreds.saml.xml import raw_text_of, text_of

_STATEMENT = q(NS_ASSERTION, "AttributeStatement")
_ATTRIBUTE = q(NS_ASSERTION, "Attribute")
_VALUE = q(NS_ASSERTION, "AttributeValue")


_xpaths: dict = {}


def _value_texts(attribute) -> list[str]:
    """The text of each AttributeValue child of ``attribute``, in order.

    Fast path (1,000 Role values): one XPath returns every child node of the
    values, text nodes as ``str``; it is used when the Attribute's children
    are all AttributeValues holding exactly one node each and that node is
    text (joining fails on anything else: an element, comment or PI).
    Otherwise each value's text is joined around its comments by
    :func:`~samlcreds.saml.xml.raw_text_of`. Both give the same text,
    untrimmed: the Role rules trim ASCII whitespace only, whichever way the
    text was read (a value padded with a no-break space is bad either way).
    """
    if not _xpaths:
        from lxml import etree

        _xpaths["nodes"] = etree.XPath("saml:AttributeValue/node()", namespaces={"saml": NS_ASSERTION},
                                       smart_strings=False)
    nodes = _xpaths["nodes"](attribute)
    if len(nodes) == len(attribute):
        try:
            "".join(nodes)
        except TypeError:  # a value holds a comment, PI or element
            pass
        else:
            return nodes
    return [raw_text_of(value) for value in attribute.iterchildren(_VALUE)]


def _attributes(assertion) -> Iterator[tuple[str, object]]:
    """(Name, element) of each Attribute of ``assertion``'s AttributeStatements, in document order.

    Only those (saml-core-2.0-os 2.7.3): an Attribute elsewhere, say in an
    Assertion nested in the assertion's Advice (2.3.3, 2.6.1), is not one of
    its statements; EncryptedAttribute (2.7.3.2) cannot be read locally. Not
    walking into the values keeps the read of 1,000 roles to two levels.
    The Name is trimmed.
    """
    for statement in assertion.iterchildren(_STATEMENT):
        for attribute in statement.iterchildren(_ATTRIBUTE):
            yield (attribute.get("Name") or "").strip(), attribute


def role_values(assertion) -> list[str]:
    """The text of every value of the (exactly named) Role attributes of ``assertion`` (see :func:`_value_texts`)."""
    return [text for name, attribute in _attributes(assertion) if name == ATTR_ROLE
            for text in _value_texts(attribute)]


def read_attributes(assertion, problems: list, warnings: list[str]) -> dict:
    """The AWS attributes of ``assertion`` as :class:`~samlcreds.saml.value.SamlAssertion` fields.

    Returns a dict with ``role_values`` (the raw Role values, for
    :func:`samlcreds.roles.parse_role_values`), ``attribute_names``,
    ``principal_tags``, ``role_session_name``, ``session_duration`` (int or
    absent), ``session_duration_text``, ``source_identity`` and
    ``transitive_tag_keys``. Misspelled AWS names and a missing Role
    attribute are appended to ``problems``; a SessionDuration that is not a
    whole number to ``warnings``.
    """
    names: list[str] = []
    roles: list[str] = []
    found: dict[str, list[str]] = {}
    tags: list[tuple[str, str]] = []
    for name, attribute in _attributes(assertion):
        names.append(name)
        if name == ATTR_ROLE:  # the common case first: thousands of values, no name folding
            roles.extend(_value_texts(attribute))
            continue
        canonical = canonical_name(name)
        if canonical is None:
            continue
        values = [text_of(v) for v in attribute.iterchildren(_VALUE)]
        if canonical != name and not name.startswith(ATTR_PRINCIPAL_TAG):
            problems.append(errors.AttributeNameCase(
                f"attribute {name!r} is spelled in the wrong case; AWS requires exactly {canonical!r}",
                hint="Fix the attribute name in the IdP's AWS app; AWS ignores it as sent.",
            ))
        elif canonical.startswith(ATTR_PRINCIPAL_TAG):
            key = name[len(ATTR_PRINCIPAL_TAG):]
            tags.extend((key, value) for value in values)
        else:
            found.setdefault(canonical, []).extend(values)

    if not roles and not any(canonical_name(n) == ATTR_ROLE for n in names):
        present = ", ".join(names) if names else "none"
        problems.append(errors.NoRoleAttribute(
            f"the assertion has no {ATTR_ROLE} attribute; attributes present: {present}",
            hint="Add the Role attribute (values 'role ARN,provider ARN') to the IdP's AWS app.",
        ))
    out: dict = {"role_values": roles, "attribute_names": tuple(names), "principal_tags": tuple(tags)}
    session_names = found.get(ATTR_ROLE_SESSION_NAME, [])
    out["role_session_name"] = session_names[0] if session_names else None
    durations = found.get(ATTR_SESSION_DURATION, [])
    if durations:
        out["session_duration_text"] = durations[0]
        try:
            out["session_duration"] = int(durations[0])
        except ValueError:
            warnings.append(f"SessionDuration {durations[0]!r} is not a whole number of seconds")
    sources = found.get(ATTR_SOURCE_IDENTITY, [])
    if sources:
        out["source_identity"] = sources[0]
    out["transitive_tag_keys"] = tuple(found.get(ATTR_TRANSITIVE_TAG_KEYS, []))
    return out
