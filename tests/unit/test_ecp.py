"""The ECP provider's request and its reading of answers, on small synthetic SOAP messages."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from samlcreds import errors
from samlcreds.idp import get_provider
from samlcreds.idp.ecp import EcpProvider, authn_request_envelope, read_ecp_answer

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def answer(acs="https://signin.aws.amazon.com/saml", status="urn:oasis:names:tc:SAML:2.0:status:Success",
           body_extra="", header=True) -> bytes:
    head = (f'<S:Header><ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" '
            f'S:mustUnderstand="1" AssertionConsumerServiceURL="{acs}"/></S:Header>') if header else ""
    return (f'<S:Envelope xmlns:S="{SOAP}">{head}<S:Body>'
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0">'
            f'<samlp:Status><samlp:StatusCode Value="{status}"/>{body_extra}</samlp:Status>'
            '</samlp:Response></S:Body></S:Envelope>').encode()


def test_request_is_a_paos_authn_request_from_aws():
    raw = authn_request_envelope("https://idp.example.com/ecp", request_id="_abc",
                                 now=dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    root = etree.fromstring(raw)
    req = root.find(f"{{{SOAP}}}Body/{{urn:oasis:names:tc:SAML:2.0:protocol}}AuthnRequest")
    assert req.get("ProtocolBinding") == "urn:oasis:names:tc:SAML:2.0:bindings:PAOS"
    assert req.get("AssertionConsumerServiceURL") == "https://signin.aws.amazon.com/saml"
    assert req.get("ID") == "_abc" and req.get("IssueInstant") == "2030-01-02T03:04:05Z"
    assert req.get("Destination") == "https://idp.example.com/ecp"
    assert req.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer") == "urn:amazon:webservices"


def test_registered_as_ecp():
    assert isinstance(get_provider("ecp"), EcpProvider)


def test_success_gives_the_response_element():
    out = read_ecp_answer(answer(), "idp")
    assert etree.fromstring(out).tag == "{urn:oasis:names:tc:SAML:2.0:protocol}Response"


@pytest.mark.parametrize("acs", ["https://evil.example.com/saml", "http://signin.aws.amazon.com/saml", ""])
def test_answer_for_another_acs_is_refused(acs):
    with pytest.raises(errors.LoginFlowError, match="not to an AWS sign-in SAML endpoint"):
        read_ecp_answer(answer(acs=acs), "idp")


def test_answer_without_ecp_header_is_refused():
    with pytest.raises(errors.LoginFlowError, match="'no endpoint'"):
        read_ecp_answer(answer(header=False), "idp")


def test_regional_acs_is_accepted():
    read_ecp_answer(answer(acs="https://us-west-2.signin.aws.amazon.com/saml"), "idp")


def test_non_success_status_is_invalid_credentials():
    raw = answer(status="urn:oasis:names:tc:SAML:2.0:status:Responder",
                 body_extra="<samlp:StatusMessage>WRONGUSERPASS</samlp:StatusMessage>")
    with pytest.raises(errors.InvalidCredentials, match=r"status Responder: WRONGUSERPASS\): the user name or "):
        read_ecp_answer(raw, "idp")


def test_html_page_means_ecp_is_off():
    with pytest.raises(errors.LoginFlowError, match="did not answer as a SAML ECP endpoint: its answer is"):
        read_ecp_answer(b"<html><body><form><input name=password></form></body></html>", "idp")
    with pytest.raises(errors.LoginFlowError, match="its answer is not XML"):
        read_ecp_answer(b"<html><p>unclosed", "idp")


def test_soap_fault_is_named():
    raw = (f'<S:Envelope xmlns:S="{SOAP}"><S:Body><S:Fault><faultcode>S:Server</faultcode>'
           '<faultstring>ECP disabled</faultstring></S:Fault></S:Body></S:Envelope>').encode()
    with pytest.raises(errors.LoginFlowError, match="SOAP fault: ECP disabled"):
        read_ecp_answer(raw, "idp")


def test_dtd_is_refused_before_parsing():
    raw = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + answer()
    with pytest.raises(errors.UnsafeXml):
        read_ecp_answer(raw, "idp")


def test_no_username_is_a_usage_error():
    from samlcreds.idp.base import LoginRequest

    with pytest.raises(errors.UsageError, match="needs a user name"):
        EcpProvider().fetch_saml_response(LoginRequest(url="https://idp.example.com/ecp"))
