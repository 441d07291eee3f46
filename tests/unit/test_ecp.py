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


def test_hints_name_where_the_ecp_url_came_from():
    with pytest.raises(errors.LoginFlowError) as info:
        read_ecp_answer(b"<html><p>unclosed", "idp")
    assert info.value.hint.startswith("Check saml_url (the IdP's ECP endpoint")
    with pytest.raises(errors.LoginFlowError) as info:
        read_ecp_answer(b"<html><p>unclosed", "idp", "SAMLCREDS_URL")
    assert info.value.hint.startswith("Check SAMLCREDS_URL (the IdP's ECP endpoint")


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


def test_plain_http_off_loopback_is_refused_before_the_password_is_asked():
    from samlcreds.idp.base import LoginRequest

    def never(prompt):
        raise AssertionError("the password was asked for")

    with pytest.raises(errors.LoginFlowError, match="over plain http to idp.example.com"):
        EcpProvider().fetch_saml_response(LoginRequest(url="http://idp.example.com/ecp", username="me",
                                                       get_password=never))


def _ecp_login(server, path="/ecp", password="pw"):
    from samlcreds.idp.base import LoginRequest

    return EcpProvider().fetch_saml_response(LoginRequest(url=server.base + path, username="me", timeout=10,
                                                          get_password=lambda prompt: password))


@pytest.mark.parametrize("reply, kind, message", [
    (("denied", 401), errors.InvalidCredentials, "answered HTTP 401: the user name or password was refused"),
    (("<html><h1>Oops</h1></html>", 500), errors.IdpUnreachable, "answered HTTP 500"),
    (("", 302, {"Location": "/login"}), errors.LoginFlowError, r"it redirects \(HTTP 302\) instead of answering"),
    (("<html><form><input name=password></form></html>", 200), errors.LoginFlowError,
     "did not answer as a SAML ECP endpoint"),
])
def test_http_answers(reply, kind, message):
    from tests.unit.form_server import PageServer, Reply

    with PageServer({"/ecp": Reply(*reply)}) as server:
        with pytest.raises(kind, match=message):
            _ecp_login(server)
        assert [h.method for h in server.hits] == ["POST"]  # one request, never retried, no redirect followed


def test_soap_fault_with_http_500_is_read():
    from tests.unit.form_server import PageServer, Reply

    fault = (f'<S:Envelope xmlns:S="{SOAP}"><S:Body><S:Fault><faultcode>S:Client</faultcode>'
             '<faultstring>bad request</faultstring></S:Fault></S:Body></S:Envelope>')
    with PageServer({"/ecp": Reply(fault, 500)}) as server:
        with pytest.raises(errors.LoginFlowError, match="SOAP fault: bad request"):
            _ecp_login(server)


def test_success_over_loopback_returns_base64_of_the_response():
    import base64

    from tests.unit.form_server import PageServer, Reply

    with PageServer({"/ecp": Reply(answer().decode())}) as server:
        out = base64.b64decode(_ecp_login(server))
    assert etree.fromstring(out).get("ID") == "_r"


def test_oversized_answer_is_refused():
    from samlcreds.idp import ecp
    from tests.unit.form_server import PageServer, Reply

    big = answer().decode().replace("</S:Body>", "<!--" + "x" * (ecp.MAX_ANSWER_BYTES + 10) + "--></S:Body>")
    with PageServer({"/ecp": Reply(big)}) as server:
        with pytest.raises(errors.LoginFlowError, match="its answer is over 1,048,576 bytes"):
            _ecp_login(server)
