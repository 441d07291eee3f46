"""Hand-built SAML responses for unit tests of the parser (no IdP needed).

End-to-end tests use real responses from the sandbox IdP instead.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

ROLE_A = "arn:aws:iam::111111111111:role/Developer"
ROLE_B = "arn:aws:iam::111111111111:role/team/ops/Admin"
PROV_1 = "arn:aws:iam::111111111111:saml-provider/SandboxIdP"
ROLE_C = "arn:aws:iam::222222222222:role/Auditor"
PROV_2 = "arn:aws:iam::222222222222:saml-provider/SandboxIdP"
AWS = "https://aws.amazon.com/SAML/Attributes/"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def attribute(name: str, *values: str, prefix: str = "saml") -> str:
    vals = "".join(f"<{prefix}:AttributeValue>{v}</{prefix}:AttributeValue>" for v in values)
    return f'<{prefix}:Attribute Name="{name}">{vals}</{prefix}:Attribute>'


def response_xml(
    roles=(f"{ROLE_A},{PROV_1}", f"{PROV_1},{ROLE_B}"),
    *,
    session_name: str | None = "alice@example.com",
    extra_attributes: str = "",
    status: str = "urn:oasis:names:tc:SAML:2.0:status:Success",
    destination: str = "https://signin.aws.amazon.com/saml",
    prefix: str = "saml",
    pprefix: str = "samlp",
    now: datetime | None = None,
    lifetime: int = 300,
    assertion_override: str | None = None,
) -> str:
    """A SAML 2.0 Response; prefixes are configurable ('' uses a default xmlns)."""
    now = now or datetime.now(timezone.utc)
    end = now + timedelta(seconds=lifetime)
    attrs = ""
    if roles:
        attrs += attribute(AWS + "Role", *roles, prefix=prefix)
    if session_name is not None:
        attrs += attribute(AWS + "RoleSessionName", session_name, prefix=prefix)
    attrs += attribute(AWS + "SessionDuration", "3600", prefix=prefix)
    attrs += extra_attributes.replace("saml:", f"{prefix}:")
    p, a = pprefix, prefix
    assertion = assertion_override or f"""<{a}:Assertion ID="_a1" Version="2.0" IssueInstant="{_ts(now)}">
  <{a}:Issuer>http://idp.example/metadata</{a}:Issuer>
  <{a}:Subject><{a}:NameID>alice</{a}:NameID>
    <{a}:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
      <{a}:SubjectConfirmationData NotOnOrAfter="{_ts(end)}" Recipient="{destination}"/>
    </{a}:SubjectConfirmation></{a}:Subject>
  <{a}:Conditions NotBefore="{_ts(now)}" NotOnOrAfter="{_ts(end)}">
    <{a}:AudienceRestriction><{a}:Audience>urn:amazon:webservices</{a}:Audience></{a}:AudienceRestriction>
  </{a}:Conditions>
  <{a}:AuthnStatement AuthnInstant="{_ts(now)}" SessionNotOnOrAfter="{_ts(now + timedelta(hours=8))}"/>
  <{a}:AttributeStatement>{attrs}</{a}:AttributeStatement>
</{a}:Assertion>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}:Response xmlns:{p}="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:{a}="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="{_ts(now)}" Destination="{destination}">
  <{a}:Issuer>http://idp.example/metadata</{a}:Issuer>
  <{p}:Status><{p}:StatusCode Value="{status}"/></{p}:Status>
  {assertion}
</{p}:Response>"""


def b64(xml: str | bytes) -> str:
    data = xml.encode() if isinstance(xml, str) else xml
    return base64.b64encode(data).decode()
