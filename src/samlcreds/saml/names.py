"""SAML 2.0 namespace URIs and the AWS attribute names an assertion carries.

Sources: SAML 2.0 core (``saml-core-2.0-os``) for the namespaces; AWS IAM User
Guide, "Configure SAML assertions for the authentication response"
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
for the attribute names (case-sensitive).
"""

from __future__ import annotations

NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_DSIG = "http://www.w3.org/2000/09/xmldsig#"
NS_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

AWS_ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
ATTR_ROLE = AWS_ATTRIBUTE_PREFIX + "Role"
ATTR_ROLE_SESSION_NAME = AWS_ATTRIBUTE_PREFIX + "RoleSessionName"
ATTR_SESSION_DURATION = AWS_ATTRIBUTE_PREFIX + "SessionDuration"
ATTR_SOURCE_IDENTITY = AWS_ATTRIBUTE_PREFIX + "SourceIdentity"
ATTR_TRANSITIVE_TAG_KEYS = AWS_ATTRIBUTE_PREFIX + "TransitiveTagKeys"
ATTR_PRINCIPAL_TAG = AWS_ATTRIBUTE_PREFIX + "PrincipalTag:"
#: The AWS attributes with a fixed name (PrincipalTag:KEY attributes aside).
AWS_ATTRIBUTES = (
    ATTR_ROLE,
    ATTR_ROLE_SESSION_NAME,
    ATTR_SESSION_DURATION,
    ATTR_SOURCE_IDENTITY,
    ATTR_TRANSITIVE_TAG_KEYS,
)


def q(ns: str, tag: str) -> str:
    """Clark notation ``{ns}tag`` as lxml spells qualified names."""
    return f"{{{ns}}}{tag}"


def canonical_name(name: str) -> str | None:
    """The AWS attribute name ``name`` means, ignoring case; ``None`` if not AWS's."""
    folded = name.casefold()
    for known in AWS_ATTRIBUTES:
        if folded == known.casefold():
            return known
    if folded.startswith(ATTR_PRINCIPAL_TAG.casefold()):
        return ATTR_PRINCIPAL_TAG + name[len(ATTR_PRINCIPAL_TAG):]
    return None
