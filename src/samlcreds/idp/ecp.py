"""The ``ecp`` provider: SAML 2.0 Enhanced Client or Proxy, no HTML at all.

One request, as saml2aws' ShibbolethECP does (SAML ECP profile 2.0, section 4
of saml-profiles-2.0-os and OASIS "SAML V2.0 ECP Profile Version 2.0"):

1. POST a SOAP 1.1 envelope whose Body is an AuthnRequest for AWS
   (Issuer ``urn:amazon:webservices``, ProtocolBinding PAOS,
   AssertionConsumerServiceURL ``https://signin.aws.amazon.com/saml``) to
   ``saml_url``, with the user name and password as HTTP Basic credentials
   (RFC 7617; how the IdP authenticates an ECP client is its choice, and
   Basic is what Shibboleth, SimpleSAMLphp and Office 365 take);
2. read the answer: the ``ecp:Response`` SOAP header names the ACS the IdP
   would post to, which must be an AWS sign-in SAML endpoint; the SOAP Body
   holds the ``samlp:Response``, which must carry status Success;
3. return that Response base64-encoded, as the browser would have posted it.

The answer is parsed with the same hardened parser as assertions (no DTD, no
entities, no network). A refused password is never retried.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import ClassVar

from samlcreds import aws, errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.web import host_of, no_username_hint, read_body, refuse_plain_http, request_failed, server_error
from samlcreds.saml.names import NS_ASSERTION, NS_PROTOCOL, STATUS_SUCCESS

NS_SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
NS_ECP = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"
BINDING_PAOS = "urn:oasis:names:tc:SAML:2.0:bindings:PAOS"
#: The headers of a PAOS request (ECP profile 2.0, section 2.3.1; SAML bindings 3.2.3 for SOAPAction).
ECP_HEADERS = {
    "Content-Type": "text/xml; charset=utf-8",
    "Accept": "text/html; application/vnd.paos+xml",
    "PAOS": f'ver="urn:liberty:paos:2003-08";"{NS_ECP}"',
    "SOAPAction": "http://www.oasis-open.org/committees/security",
}
#: Larger answers are refused: an ECP answer is one SAML Response in a SOAP envelope.
MAX_ANSWER_BYTES = 1024 * 1024
_NS = {"S": NS_SOAP, "ecp": NS_ECP, "samlp": NS_PROTOCOL}


def authn_request_envelope(destination: str, *, acs_url: str | None = None, request_id: str | None = None,
                           now: dt.datetime | None = None) -> bytes:
    """The SOAP envelope holding an unsigned AuthnRequest for AWS, UTF-8 XML bytes.

    ``destination``: the IdP's ECP endpoint (``saml_url``); ``acs_url``:
    AWS's sign-in SAML endpoint (default the ``aws`` partition's);
    ``request_id`` and ``now`` are for tests (default: 20 random bytes, UTC now).
    """
    from lxml import etree

    soap = etree.Element(f"{{{NS_SOAP}}}Envelope", nsmap={"S": NS_SOAP})
    body = etree.SubElement(soap, f"{{{NS_SOAP}}}Body")
    now = now or dt.datetime.now(dt.timezone.utc)
    request = etree.SubElement(body, f"{{{NS_PROTOCOL}}}AuthnRequest", nsmap={"samlp": NS_PROTOCOL,
                                                                               "saml": NS_ASSERTION})
    request.set("ID", request_id or "_" + secrets.token_hex(20))
    request.set("Version", "2.0")
    request.set("IssueInstant", now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    request.set("Destination", destination)
    request.set("ProtocolBinding", BINDING_PAOS)
    request.set("AssertionConsumerServiceURL", acs_url or aws.signin_saml_url("aws"))
    etree.SubElement(request, f"{{{NS_ASSERTION}}}Issuer").text = aws.SP_ENTITY_ID
    etree.SubElement(request, f"{{{NS_PROTOCOL}}}NameIDPolicy", AllowCreate="true")
    return etree.tostring(soap, xml_declaration=True, encoding="UTF-8")


def read_ecp_answer(raw: bytes, host: str, url_named: str = "saml_url") -> bytes:
    """The ``samlp:Response`` (XML bytes) of an IdP's ECP answer, checked.

    ``url_named``: the ECP URL's setting as hints name it (``LoginRequest.url_named``).

    Raises :class:`~samlcreds.errors.LoginFlowError` when ``raw`` is not a SOAP
    envelope with a Response (an HTML page: ECP is off at the IdP), for a SOAP
    fault, or when the ``ecp:Response`` header's AssertionConsumerServiceURL is
    not an AWS sign-in SAML endpoint; :class:`~samlcreds.errors.InvalidCredentials`
    for a non-Success status (SAML core 3.2.2.2); :class:`~samlcreds.errors.UnsafeXml`
    for a DTD or entity declarations.
    """
    from lxml import etree

    from samlcreds.saml import parse_xml

    try:
        root = parse_xml(raw)
    except (errors.NotSamlResponse, errors.TruncatedSamlResponse):
        raise _not_ecp(host, "its answer is not XML", url_named) from None
    if root.tag != f"{{{NS_SOAP}}}Envelope":
        raise _not_ecp(host, f"its answer is <{etree.QName(root).localname}>, not a SOAP envelope", url_named)
    fault = root.find("S:Body/S:Fault", _NS)
    if fault is not None:
        reason = " ".join((fault.findtext("faultstring") or fault.findtext("faultcode") or "").split())[:200]
        raise errors.LoginFlowError(f"the IdP at {host} answered the ECP request with a SOAP fault: {reason}",
                                    hint=f"Check that {url_named} is the IdP's ECP (SAML2/SOAP/ECP) endpoint.")
    responses = root.findall("S:Body/samlp:Response", _NS)
    if len(responses) != 1:
        raise _not_ecp(host, "its SOAP answer holds no SAML Response", url_named)
    response = responses[0]
    _check_status(response, host)
    header = root.find("S:Header/ecp:Response", _NS)
    acs = header.get("AssertionConsumerServiceURL") if header is not None else None
    if aws.parse_signin_url(acs) is None:
        raise errors.LoginFlowError(
            f"the IdP at {host} addressed its ECP answer to {acs or 'no endpoint'!r}, not to an AWS sign-in "
            "SAML endpoint", hint="The IdP must know AWS (urn:amazon:webservices) with a PAOS "
            "AssertionConsumerService at https://signin.aws.amazon.com/saml.")
    return etree.tostring(response)


def _check_status(response, host: str) -> None:
    code = response.find("samlp:Status/samlp:StatusCode", _NS)
    value = code.get("Value") if code is not None else None
    if value == STATUS_SUCCESS:
        return
    codes = [c.get("Value", "").rsplit(":", 1)[-1] for c in response.iterfind(".//samlp:StatusCode", _NS)]
    message = " ".join((response.findtext("samlp:Status/samlp:StatusMessage", "", _NS) or "").split())[:200]
    said = "/".join(filter(None, codes)) or "no status"
    raise errors.InvalidCredentials(
        f"the IdP at {host} refused the sign-in (status {said}{': ' + message if message else ''}): the user "
        "name or password was refused",
        hint="Check the user name (--username / saml_username) and password, then try again.")


def _not_ecp(host: str, what: str, url_named: str) -> errors.LoginFlowError:
    return errors.LoginFlowError(
        f"the IdP at {host} did not answer as a SAML ECP endpoint: {what}",
        hint=f"Check {url_named} (the IdP's ECP endpoint, e.g. .../profile/SAML2/SOAP/ECP on Shibboleth) and that "
             "ECP is enabled there; otherwise use --provider form or browser.")


class EcpProvider:
    """Signs in with one SOAP request (SAML ECP); see the module docstring."""

    METHOD: ClassVar[str] = "ecp"
    STATE_NAMES: ClassVar[tuple[str, ...]] = ()

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """The base64 SAMLResponse the IdP issued for AWS.

        Raises :class:`~samlcreds.errors.UsageError` without a URL or user
        name; :class:`~samlcreds.errors.LoginFlowError` before asking for the
        password when the URL is plain http off loopback (unless
        ``request.allow_http``); :class:`~samlcreds.errors.InvalidCredentials` for a refused
        password (HTTP 401/403, or a non-Success SAML status);
        :class:`~samlcreds.errors.IdpUnreachable` for connection failures,
        timeouts and 5xx answers; :class:`~samlcreds.errors.LoginFlowError`
        for answers that are not ECP (see :func:`read_ecp_answer`).
        """
        import requests

        if not request.url:
            raise errors.UsageError("no IdP ECP URL is configured",
                                    hint="Pass --url or set saml_url in the profile (samlcreds configure).")
        host = host_of(request.url)
        if not request.username:
            raise errors.UsageError(f"the ECP provider needs a user name for {host}",
                                    hint=no_username_hint(request))
        refuse_plain_http(request, request.url, "ECP would send the password")
        password = request.get_password(f"Password for {request.username} at {host}: ")
        session = requests.Session()
        envelope = authn_request_envelope(request.url)
        try:
            # HTTP Basic in UTF-8 (RFC 7617 charset="UTF-8"); requests would encode latin-1 and fail on others
            basic = base64.b64encode(f"{request.username}:{password}".encode()).decode("ascii")
            answer = session.post(request.url, data=envelope, headers={**ECP_HEADERS, "Authorization": f"Basic {basic}"},
                                  timeout=request.timeout, allow_redirects=False, stream=True)
            raw = read_body(answer, MAX_ANSWER_BYTES + 1, request.timeout)
        except requests.exceptions.RequestException as exc:
            raise request_failed(exc, request.url, request.timeout, request.url_named) from None
        finally:
            session.close()
        status = answer.status_code
        if status in (401, 403):
            raise errors.InvalidCredentials(
                f"the IdP at {host} answered HTTP {status}: the user name or password was refused",
                hint="Check the user name (--username / saml_username) and password, then try again.")
        if status >= 500 and b"Envelope" not in raw[:4096]:  # SOAP faults come with HTTP 500 (SOAP 1.1, 6.2)
            raise server_error(request.url, status)
        if len(raw) > MAX_ANSWER_BYTES:
            raise _not_ecp(host, f"its answer is over {MAX_ANSWER_BYTES:,} bytes", request.url_named)
        if 300 <= status < 400:
            raise _not_ecp(host, f"it redirects (HTTP {status}) instead of answering", request.url_named)
        return base64.b64encode(read_ecp_answer(raw, host, request.url_named)).decode("ascii")
