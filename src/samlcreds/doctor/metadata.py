"""IdP SAML 2.0 metadata: the entity IDs and signing certificates AWS trusts.

Source: saml-metadata-2.0-os 2.4.1.1 (KeyDescriptor); IAM User Guide, "Create a
SAML identity provider in IAM" (AWS verifies with the certificates of the
metadata uploaded to the IAM SAML provider). Parsed with the hardened
:func:`samlcreds.saml.parse_xml`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from samlcreds import errors
from samlcreds.saml import NS_DSIG, NS_METADATA, parse_xml
from samlcreds.saml.xml import text_of

_NS = {"md": NS_METADATA, "ds": NS_DSIG}


@dataclass(frozen=True)
class IdpMetadata:
    """One IdP from SAML 2.0 metadata: its ``entity_id`` and signing certificates (PEM)."""

    entity_id: str | None
    certificates: tuple[str, ...]


def pem(b64: str) -> str:
    """A PEM certificate from the base64 body of an ``X509Certificate`` element."""
    body = "".join(b64.split())
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def fingerprint(pem_text: str) -> str:
    """The first 8 bytes of a PEM certificate's SHA-256 fingerprint, ``AB:CD:...``."""
    body = "".join(line for line in pem_text.splitlines() if "-----" not in line)
    digest = hashlib.sha256(base64.b64decode(body)).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 16, 2)) + "..."


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
    if root.tag == f"{{{NS_METADATA}}}EntityDescriptor":
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
        pems = tuple(pem(text_of(c)) for c in certs)
        if pems:
            found.append(IdpMetadata(entity.get("entityID"), pems))
    if not found:
        raise errors.UsageError(
            "the metadata holds no IdP signing certificate "
            "(md:IDPSSODescriptor/md:KeyDescriptor/ds:KeyInfo/ds:X509Data/ds:X509Certificate)",
            hint="Pass the IdP's SAML metadata XML, the document uploaded to the IAM SAML provider.",
        )
    return found
