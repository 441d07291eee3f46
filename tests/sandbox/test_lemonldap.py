"""The sandbox's second IdP, LemonLDAP::NG: what it signs, what it refuses, what its log says."""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from sandbox.idp import ATTR_ROLE, IdpError, IdpLoginError
from sandbox.lemonldap import DWHO_TOTP_SECRET, LemonLdapIdp, default_users, fetch_saml_response, totp_code
from sandbox.sts import parse_idp_metadata

NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion", "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}


def _assertion(saml: str):
    return etree.fromstring(base64.b64decode(saml)).find("saml:Assertion", NS)


def test_metadata_names_its_entity_and_certificate(lemonldap_idp):
    entity_id, certs = parse_idp_metadata(lemonldap_idp.metadata_xml)
    assert entity_id == lemonldap_idp.entity_id
    assert "".join(certs[0].splitlines()[1:-1]) == lemonldap_idp.cert_der_b64


def test_several_role_values_from_one_macro(lemonldap_idp):
    assertion = _assertion(fetch_saml_response(lemonldap_idp, "msmith", "msmith"))
    values = assertion.xpath("saml:AttributeStatement/saml:Attribute[@Name=$n]/saml:AttributeValue/text()",
                             namespaces=NS, n=ATTR_ROLE)
    assert values == lemonldap_idp.users["msmith"]["attributes"][ATTR_ROLE]
    assert assertion.find("ds:Signature", {"ds": "http://www.w3.org/2000/09/xmldsig#"}) is not None


def test_password_and_code_refusals_are_logged(lemonldap_idp):
    bad_before, codes_before = lemonldap_idp.failed_logins("rtyler"), lemonldap_idp.failed_codes("dwho")
    with pytest.raises(IdpLoginError, match="wrong username or password"):
        fetch_saml_response(lemonldap_idp, "rtyler", "nope")
    assert lemonldap_idp.failed_logins("rtyler") == bad_before + 1
    wrong = "000000" if totp_code(DWHO_TOTP_SECRET) != "000000" else "111111"
    with pytest.raises(IdpLoginError, match="refused code"):
        fetch_saml_response(lemonldap_idp, "dwho", "dwho", code=wrong)
    assert lemonldap_idp.failed_codes("dwho") == codes_before + 1


def test_right_code_opens_a_session(lemonldap_idp):
    before, accepted = lemonldap_idp.login_count("dwho"), lemonldap_idp.accepted_codes("dwho")
    assertion = _assertion(fetch_saml_response(lemonldap_idp, "dwho", "dwho"))
    assert assertion.findtext("saml:Subject/saml:NameID", namespaces=NS) == "dwho"
    assert lemonldap_idp.login_count("dwho") == before + 1
    assert lemonldap_idp.accepted_codes("dwho") == accepted + 1


def test_only_demo_users(tmp_path):
    with pytest.raises(IdpError, match="only the users dwho, rtyler, msmith"):
        LemonLdapIdp(tmp_path, users={"alice": default_users()["dwho"]})


def test_stop_ends_plackup(tmp_path):
    idp = LemonLdapIdp(tmp_path).start()
    proc = idp._proc
    idp.stop()
    assert proc.poll() is not None and not idp.running


def test_missing_lemonldap_is_named(monkeypatch, tmp_path):
    """What the lemonldap_idp fixture fails with (never a skip) when the Debian packages are missing."""
    from sandbox import lemonldap

    monkeypatch.setattr(lemonldap, "LLNG_PERL", tmp_path / "absent" / "Main.pm")
    problems = lemonldap.check_prerequisites()
    assert any("liblemonldap-ng-portal-perl" in p for p in problems)
    with pytest.raises(IdpError, match="LemonLDAP::NG's portal is not installed"):
        LemonLdapIdp(tmp_path).start()
