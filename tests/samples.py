"""Hand-built SAML for tests that need no IdP: the one builder of Responses, Assertions and IdP metadata.

:func:`response_xml` (unsigned text) and :func:`signed_response` (signed
with signxml and a throwaway key, bytes) build the same Response; hostile
tests add a DOCTYPE, root attributes or odd Issuer content through their
parameters. End-to-end tests use real responses from the sandbox IdP instead.
"""

from __future__ import annotations

import base64
import functools
from datetime import datetime, timedelta, timezone

ROLE_A = "arn:aws:iam::111111111111:role/Developer"
ROLE_B = "arn:aws:iam::111111111111:role/team/ops/Admin"
PROV_1 = "arn:aws:iam::111111111111:saml-provider/SandboxIdP"
ROLE_C = "arn:aws:iam::222222222222:role/Auditor"
PROV_2 = "arn:aws:iam::222222222222:saml-provider/SandboxIdP"
AWS = "https://aws.amazon.com/SAML/Attributes/"
ISSUER = "http://idp.example/metadata"
ACS = "https://signin.aws.amazon.com/saml"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
#: The namespace declarations of a ``samlp:Response`` written by hand.
NS = f'xmlns:samlp="{NS_PROTOCOL}" xmlns:saml="{NS_ASSERTION}"'
DEFAULT_ROLES = (f"{ROLE_A},{PROV_1}", f"{PROV_1},{ROLE_B}")


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def attribute(name: str, *values: str, prefix: str = "saml") -> str:
    vals = "".join(f"<{prefix}:AttributeValue>{v}</{prefix}:AttributeValue>" for v in values)
    return f'<{prefix}:Attribute Name="{name}">{vals}</{prefix}:Attribute>'


def assertion_xml(
    roles=DEFAULT_ROLES,
    *,
    session_name: str | None = "alice@example.com",
    session_duration: str | None = "3600",
    extra_attributes: str = "",
    name_id: str | None = "alice",
    issuer: str = ISSUER,
    audience: str | None = "urn:amazon:webservices",
    recipient: str | None = ACS,
    now: datetime | None = None,
    lifetime: int = 300,
    assertion_id: str = "_a1",
    prefix: str = "saml",
) -> str:
    """A bearer ``Assertion`` for AWS issued at ``now``, valid ``lifetime`` s (NotBefore 30 s earlier, as IdPs do).

    ``None`` leaves out the Role attribute (also for empty ``roles``), the
    RoleSessionName, SessionDuration, NameID, AudienceRestriction or Recipient.
    ``extra_attributes`` (written with ``saml:``) go into the AttributeStatement.
    The ``prefix`` must be declared by the enclosing Response.
    """
    now = now or datetime.now(timezone.utc)
    end = _ts(now + timedelta(seconds=lifetime))
    a = prefix
    attrs = attribute(AWS + "Role", *roles, prefix=a) if roles else ""
    if session_name is not None:
        attrs += attribute(AWS + "RoleSessionName", session_name, prefix=a)
    if session_duration is not None:
        attrs += attribute(AWS + "SessionDuration", session_duration, prefix=a)
    attrs += extra_attributes.replace("saml:", f"{a}:")
    nid = f"<{a}:NameID>{name_id}</{a}:NameID>" if name_id else ""
    rcpt = f' Recipient="{recipient}"' if recipient else ""
    aud = (f"<{a}:AudienceRestriction><{a}:Audience>{audience}</{a}:Audience></{a}:AudienceRestriction>"
           if audience else "")
    return f"""<{a}:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="{_ts(now)}">
  <{a}:Issuer>{issuer}</{a}:Issuer>
  <{a}:Subject>{nid}
    <{a}:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
      <{a}:SubjectConfirmationData NotOnOrAfter="{end}"{rcpt}/>
    </{a}:SubjectConfirmation></{a}:Subject>
  <{a}:Conditions NotBefore="{_ts(now - timedelta(seconds=30))}" NotOnOrAfter="{end}">{aud}</{a}:Conditions>
  <{a}:AuthnStatement AuthnInstant="{_ts(now)}" SessionNotOnOrAfter="{_ts(now + timedelta(hours=8))}"/>
  <{a}:AttributeStatement>{attrs}</{a}:AttributeStatement>
</{a}:Assertion>"""


def response_xml(
    roles=DEFAULT_ROLES,
    *,
    status: str = SUCCESS,
    destination: str | None = ACS,
    response_issuer: str = ISSUER,
    prefix: str = "saml",
    pprefix: str = "samlp",
    now: datetime | None = None,
    doctype: str = "",
    root_attributes: str = "",
    assertion_override: str | None = None,
    **assertion,
) -> str:
    """A SAML 2.0 Response holding :func:`assertion_xml` (``roles`` and ``assertion`` fields), as text.

    The assertion's Recipient is ``destination`` unless ``recipient`` is
    given; ``destination=None`` leaves out the Response's Destination.
    ``doctype`` goes between the XML declaration and the root,
    ``root_attributes`` (`` a="1"``) onto the root, ``response_issuer`` is
    the Response's Issuer content (the Assertion's is ``issuer``), and
    ``assertion_override`` replaces the Assertion. Prefixes are configurable.
    """
    now = now or datetime.now(timezone.utc)
    assertion.setdefault("recipient", destination)
    body = assertion_override or assertion_xml(roles, now=now, prefix=prefix, **assertion)
    p, a = pprefix, prefix
    dest = f' Destination="{destination}"' if destination else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<{p}:Response xmlns:{p}="{NS_PROTOCOL}" xmlns:{a}="{NS_ASSERTION}" ID="_r1" Version="2.0" IssueInstant="{_ts(now)}"{dest}{root_attributes}>
  <{a}:Issuer>{response_issuer}</{a}:Issuer>
  <{p}:Status><{p}:StatusCode Value="{status}"/></{p}:Status>
  {body}
</{p}:Response>"""


def b64(xml: str | bytes) -> str:
    data = xml.encode() if isinstance(xml, str) else xml
    return base64.b64encode(data).decode()


# --- signed responses and IdP metadata (cryptography, lxml and signxml imported on first use) -------------

@functools.lru_cache(maxsize=None)
def keypair(cn: str = "test IdP") -> tuple[bytes, bytes]:
    """A throwaway RSA-2048 key and self-signed certificate named ``cn``, both PEM (one per name per run)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2020, 1, 1, tzinfo=timezone.utc))
            .not_valid_after(datetime(2040, 1, 1, tzinfo=timezone.utc))
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.PEM))


def sign(element, key: bytes, cert: bytes):
    """``element`` (lxml) with an enveloped RSA-SHA256 signature referencing its ID, as an IdP signs."""
    from signxml import XMLSigner

    signer = XMLSigner(signature_algorithm="rsa-sha256", digest_algorithm="sha256",
                       c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    return signer.sign(element, key=key, cert=cert.decode(), reference_uri=element.get("ID"))


def signed_response(*, sign_assertion: bool = True, sign_response: bool = False, key: bytes | None = None,
                    cert: bytes | None = None, **fields) -> bytes:
    """:func:`response_xml` (``fields``) with its Assertion and/or the Response signed, XML bytes.

    ``key``/``cert``: PEM, default :func:`keypair`'s.
    """
    from lxml import etree

    if key is None:
        key, cert = keypair()
    root = etree.fromstring(response_xml(**fields).encode())
    if sign_assertion:
        signed = root.find(f"{{{NS_ASSERTION}}}Assertion")
        root.replace(signed, sign(signed, key, cert))
    if sign_response:
        root = sign(root, key, cert)
    return etree.tostring(root)


def metadata(cert: bytes | None = None, entity_id: str = ISSUER, use: str | None = "signing") -> str:
    """The SAML metadata of an IdP ``entity_id`` whose (``use``) key is ``cert`` (PEM, default :func:`keypair`'s)."""
    cert = cert or keypair()[1]
    body = "".join(cert.decode().splitlines()[1:-1])
    use_attr = f' use="{use}"' if use else ""
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
  entityID="{entity_id}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:KeyDescriptor{use_attr}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate>
  </ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>"""
