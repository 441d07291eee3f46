"""Unit tests of samlcreds.doctor on responses signed here (signxml + a throwaway key)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from samlcreds import errors
from samlcreds.doctor import (
    CHECK_IDS,
    Check,
    checks_for_error,
    has_failures,
    parse_idp_metadata,
    run_checks,
)
from tests.samples import AWS, ISSUER, attribute, keypair, metadata, response_xml, signed_response

GOV_ACS = "https://signin.amazonaws-us-gov.com/saml"
T0 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ROLE = "arn:aws:iam::111111111111:role/Dev,arn:aws:iam::111111111111:saml-provider/Idp"
KEY, CERT = keypair()  # the key metadata() names
OTHER_KEY, OTHER_CERT = keypair("another IdP")


def response(**fields) -> bytes:
    """:func:`tests.samples.signed_response` issued at ``T0`` with the one role ``ROLE`` unless told otherwise."""
    fields.setdefault("now", T0)
    fields.setdefault("roles", (ROLE,))
    return signed_response(**fields)


def run(xml: bytes, *, md: str | None = metadata(), now: datetime = T0 + timedelta(seconds=5)) -> dict[str, Check]:
    return {c.id: c for c in run_checks(base64.b64encode(xml).decode(), metadata_xml=md, now=now)}


def failed(checks: dict[str, Check]) -> set[str]:
    return {cid for cid, c in checks.items() if c.status == "fail"}


# --------------------------------------------------------------------------
def test_good_response_passes_everything():
    checks = run(response())
    assert {c.status for c in checks.values()} == {"pass"}, checks
    assert list(checks) == [i for i in CHECK_IDS if i in checks]
    assert "format" not in checks and "source_identity" not in checks
    assert not has_failures(checks.values())
    assert checks["signature"].to_dict().keys() == {"id", "status", "message", "fix"}


def test_response_signature_only_and_both():
    checks = run(response(sign_assertion=False, sign_response=True))
    assert failed(checks) == set()
    assert "Response is signed" in checks["signed_element"].message
    checks = run(response(sign_response=True))
    assert failed(checks) == set()
    assert "Response: valid" in checks["signature"].message and "Assertion: valid" in checks["signature"].message


def test_unsigned_response_fails_signature_and_signed_element():
    checks = run(response(sign_assertion=False))
    assert failed(checks) == {"signature", "signed_element"}
    assert "Turn on signing" in checks["signature"].fix


def test_other_key_is_reported_as_a_certificate_mismatch():
    checks = run(response(key=OTHER_KEY, cert=OTHER_CERT))
    assert failed(checks) == {"signature"}
    assert "not in the metadata" in checks["signature"].message
    # without metadata it is merely intact
    checks = run(response(key=OTHER_KEY, cert=OTHER_CERT), md=None)
    assert checks["signature"].status == "warn"
    assert "integrity" in checks["signature"].message


def test_metadata_without_use_attribute_and_wrong_entity():
    assert failed(run(response(), md=metadata(use=None))) == set()
    checks = run(response(), md=metadata(entity_id="urn:other"))
    assert failed(checks) == {"issuer"}
    assert "urn:other" in checks["issuer"].message


@pytest.mark.parametrize("audience", ["https://signin.aws.amazon.com/saml", "urn:amazon:webservices:govcloud"])
def test_accepted_audiences(audience):
    assert run(response(audience=audience))["audience"].status == "pass"


def test_missing_audience():
    assert failed(run(response(audience=None))) == {"audience"}


def test_recipient_rules():
    checks = run(response(recipient="https://sp.example.com/acs", destination=None))
    assert failed(checks) == {"recipient"}
    checks = run(response(recipient=None))
    assert failed(checks) == {"recipient"}
    regional = "https://eu-west-1.signin.aws.amazon.com/saml"
    checks = run(response(recipient=regional, destination=regional))
    assert checks["recipient"].status == "pass" and "eu-west-1" in checks["recipient"].message


def test_govcloud_roles_need_the_govcloud_endpoint():
    gov = "arn:aws-us-gov:iam::111111111111:role/Dev,arn:aws-us-gov:iam::111111111111:saml-provider/Idp"
    checks = run(response(roles=[gov]))
    assert failed(checks) == {"recipient"}
    assert "aws-us-gov" in checks["recipient"].message
    assert "signin.amazonaws-us-gov.com" in checks["recipient"].fix
    assert failed(run(response(roles=[gov], recipient=GOV_ACS, destination=GOV_ACS))) == set()


def test_time_windows():
    xml = response()
    checks = run(xml, now=T0 + timedelta(seconds=301))
    assert failed(checks) == {"time_window", "redeem_window"}
    assert "expired" in checks["time_window"].message
    checks = run(xml, now=T0 - timedelta(minutes=2))
    assert failed(checks) == {"time_window"}
    assert "behind the IdP" in checks["time_window"].message
    # a long-lived assertion: the time window holds, the 5-minute redemption window does not
    checks = run(response(lifetime=3600), now=T0 + timedelta(minutes=6))
    assert failed(checks) == {"redeem_window"}
    assert "within 5 min" in checks["redeem_window"].message


def test_naive_now_means_utc():
    naive = (T0 + timedelta(seconds=5)).replace(tzinfo=None)
    assert failed(run(response(), now=naive)) == set()


def test_roles_rules():
    checks = run(response(roles=["arn:aws:iam::111111111111:role/Dev"]))
    assert failed(checks) == {"roles"}
    assert "not exactly one role ARN" in checks["roles"].message
    cross = "arn:aws:iam::111111111111:role/Dev,arn:aws:iam::222222222222:saml-provider/Idp"
    checks = run(response(roles=[cross]))
    assert failed(checks) == {"roles"}
    assert "another account" in checks["roles"].message
    checks = run(response(roles=None))
    assert "roles" in failed(checks)


def test_role_session_name_rules():
    assert failed(run(response(session_name="x"))) == {"role_session_name"}
    assert "minimum 2" in run(response(session_name="x"))["role_session_name"].message
    assert failed(run(response(session_name=None))) == {"role_session_name"}
    assert failed(run(response(session_name="a" * 65))) == {"role_session_name"}


def test_source_identity_only_when_present():
    good = attribute(AWS + "SourceIdentity", "bob@example.com")
    checks = run(response(extra_attributes=good))
    assert checks["source_identity"].status == "pass"
    bad = attribute(AWS + "SourceIdentity", "aws:bob")
    checks = run(response(extra_attributes=bad))
    assert failed(checks) == {"source_identity"}
    assert "aws:" in checks["source_identity"].message


def test_session_duration_rules():
    assert failed(run(response(session_duration="100"))) == {"session_duration"}
    assert failed(run(response(session_duration="50000"))) == {"session_duration"}
    assert failed(run(response(session_duration="1h"))) == {"session_duration"}
    assert run(response(session_duration=None))["session_duration"].status == "pass"


def test_principal_tag_limits():
    ok = "".join(attribute(AWS + f"PrincipalTag:k{i}", "v") for i in range(50))
    assert run(response(extra_attributes=ok))["principal_tags"].status == "pass"
    too_many = ok + attribute(AWS + "PrincipalTag:k50", "v")
    checks = run(response(extra_attributes=too_many))
    assert failed(checks) == {"principal_tags"} and "51 tags" in checks["principal_tags"].message
    long_key = attribute(AWS + "PrincipalTag:" + "k" * 129, "v")
    assert failed(run(response(extra_attributes=long_key))) == {"principal_tags"}
    long_value = attribute(AWS + "PrincipalTag:team", "v" * 257)
    assert failed(run(response(extra_attributes=long_value))) == {"principal_tags"}


def test_name_id_required():
    assert failed(run(response(name_id=None))) == {"name_id"}


def test_size_limit():
    padding = attribute("urn:example:padding", "x" * 80_000)
    checks = run(response(extra_attributes=padding))
    assert failed(checks) == {"size"}
    assert "100,000" in checks["size"].message


def test_non_success_status_is_a_failed_status_check():
    checks = run(response(status="urn:oasis:names:tc:SAML:2.0:status:Responder"))
    assert list(checks) == ["status"]
    assert checks["status"].status == "fail" and "Responder" in checks["status"].message


@pytest.mark.parametrize("data", ["", "not base64 at all!", "<html><body>login</body></html>",
                                  '<!DOCTYPE x [<!ENTITY e "x">]><x/>'])
def test_unreadable_input_is_a_failed_format_check(data):
    checks = run_checks(data)
    assert len(checks) == 1 and checks[0].id == "format" and checks[0].status == "fail"


def test_content_checks_of_an_encrypted_assertion_say_they_were_not_run():
    xml = response_xml(now=T0, assertion_override=(
        '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/>'
        "</saml:EncryptedAssertion>"))
    checks = run(xml.encode())
    content = {"audience", "recipient", "time_window", "name_id", "roles", "role_session_name", "session_duration",
               "principal_tags"}
    assert content <= set(checks)
    for check_id in content:
        assert checks[check_id].status == "warn", check_id
        assert checks[check_id].message.startswith("not checked: the assertion is encrypted"), check_id
    assert checks["redeem_window"].status == "pass" and checks["issuer"].status == "pass"
    assert "source_identity" not in checks


def test_checks_for_error_mapping():
    assert checks_for_error(errors.AssertionTooLarge("big"))[0].id == "size"
    assert checks_for_error(errors.StatusNotSuccess("no"))[0].id == "status"
    assert checks_for_error(errors.TruncatedSamlResponse("cut"))[0].id == "format"


def test_wrapping_names_the_signed_assertion():
    xml = response()
    root = etree.fromstring(xml)
    signed = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
    evil = etree.fromstring(etree.tostring(signed))
    evil.remove(evil.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    evil.set("ID", "_evil")
    signed.addprevious(evil)
    checks = run(etree.tostring(root))
    assert failed(checks) == {"signed_element"}
    assert "only Assertion #2 is signed" in checks["signed_element"].message
    # an assertion hidden deeper inside another element
    root = etree.fromstring(xml)
    status = root.find("{urn:oasis:names:tc:SAML:2.0:protocol}Status")
    status.append(etree.fromstring(etree.tostring(evil)))
    checks = run(etree.tostring(root))
    assert "signed_element" in failed(checks)
    assert "nested" in checks["signed_element"].message


def test_parse_idp_metadata():
    (idp,) = parse_idp_metadata(metadata())
    assert idp.entity_id == ISSUER and idp.certificates[0].startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(errors.UsageError):
        parse_idp_metadata("<x/>")
    with pytest.raises(errors.UsageError):
        parse_idp_metadata(metadata(use="encryption"))
    with pytest.raises(errors.UsageError):
        parse_idp_metadata('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')


def test_a_not_on_or_after_that_is_no_time_is_said_to_be_so_not_missing():
    xml = response_xml(roles=(ROLE,), now=T0).replace('SubjectConfirmationData NotOnOrAfter="',
                                                      'SubjectConfirmationData NotOnOrAfter="5 min after ', 1)
    checks = run(xml.encode(), md=None)
    assert checks["time_window"].status == "fail"
    assert checks["time_window"].message.startswith(
        "SubjectConfirmationData's NotOnOrAfter '5 min after 2030-01-02T03:09:05Z' is not an xs:dateTime (such "
        "as 2026-12-03T09:00:00Z), and AWS requires one; ")
    assert "has no NotOnOrAfter" in run(xml.replace(' NotOnOrAfter="5 min after', ' Other="').encode(),
                                        md=None)["time_window"].message
