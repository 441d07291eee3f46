"""STS region choice and error translation (botocore's endpoint data, no network)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from samlcreds import errors, sts, stsclient
from samlcreds.roles import RolePair

AWS = RolePair("arn:aws:iam::111111111111:role/Dev", "arn:aws:iam::111111111111:saml-provider/IdP")
GOV = RolePair("arn:aws-us-gov:iam::111111111111:role/Dev", "arn:aws-us-gov:iam::111111111111:saml-provider/IdP")
CN = RolePair("arn:aws-cn:iam::111111111111:role/Dev", "arn:aws-cn:iam::111111111111:saml-provider/IdP")


@pytest.mark.parametrize("role,signin,configured,expected", [
    (AWS, None, None, "us-east-1"),
    (GOV, None, None, "us-gov-west-1"),
    (CN, None, None, "cn-north-1"),
    (AWS, "https://signin.aws.amazon.com/saml", None, "us-east-1"),
    (AWS, "https://eu-west-1.signin.aws.amazon.com/saml", None, "eu-west-1"),
    (AWS, "https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSPD0ABCDEF", None, "eu-west-1"),
    (AWS, "https://eu-west-1.signin.aws.amazon.com/saml", "ap-south-1", "ap-south-1"),
    (GOV, "https://signin.amazonaws-us-gov.com/saml", None, "us-gov-west-1"),
    (GOV, "https://eu-west-1.signin.aws.amazon.com/saml", None, "us-gov-west-1"),  # other partition's host
    (GOV, None, "us-gov-east-1", "us-gov-east-1"),
    (AWS, None, "not-a-region-9", "not-a-region-9"),  # unknown to botocore: botocore itself refuses it later
])
def test_choose_region(role, signin, configured, expected):
    assert sts.choose_region(role, signin, configured) == expected


@pytest.mark.parametrize("role,configured", [(AWS, "us-gov-west-1"), (GOV, "eu-west-1"), (CN, "us-east-1")])
def test_region_of_another_partition_is_a_usage_error(role, configured):
    with pytest.raises(errors.UsageError, match="partition") as caught:
        sts.choose_region(role, None, configured)
    assert "--region" in caught.value.hint


def test_partition_without_a_default_region():
    iso = RolePair("arn:aws-iso-x:iam::111111111111:role/Dev", "arn:aws-iso-x:iam::111111111111:saml-provider/I")
    with pytest.raises(errors.UsageError, match="no default region"):
        sts.choose_region(iso)


@pytest.mark.parametrize("region,partition", [("eu-west-1", "aws"), ("us-gov-west-1", "aws-us-gov"),
                                              ("cn-northwest-1", "aws-cn")])
def test_partition_of_region(region, partition):
    assert stsclient.partition_of_region(region) == partition


@pytest.mark.parametrize("value,expected", [(None, 3600), ("", 3600), ("900", 900), (43200, 43200)])
def test_check_duration(value, expected):
    assert sts.check_duration(value) == expected


@pytest.mark.parametrize("value", ["899", "43201", "abc", "1.5"])
def test_check_duration_refuses(value):
    with pytest.raises(errors.UsageError):
        sts.check_duration(value)


def _client_error(code, message, request_id="req-123"):
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"RequestId": request_id}}, "AssumeRoleWithSAML")


def _translate(code, message="", **kwargs):
    return sts.translate_client_error(_client_error(code, message, **kwargs), role=AWS, duration=7200)


def test_access_denied_names_the_trust_policy():
    err = _translate("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
    assert AWS.role_arn in err.message and "trust policy" in err.hint
    assert (err.code, err.request_id, err.exit_code) == ("AccessDenied", "req-123", errors.ExitCode.STS)


def test_access_denied_mentions_optional_attributes():
    err = sts.translate_client_error(_client_error("AccessDenied", "no"), role=AWS, duration=3600,
                                     optional_attributes=("PrincipalTag:team",))
    assert "PrincipalTag:team" in err.hint


def test_duration_above_the_role_maximum():
    err = _translate("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    assert "7200 s" in err.message and "--duration" in err.hint


def test_expired_assertion():
    err = _translate("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance")
    assert "expired" in err.message and "clock" in err.hint


def test_missing_provider():
    err = _translate("InvalidIdentityToken", "SAML Provider does not exist")
    assert AWS.principal_arn in err.message


def test_generic_invalid_identity_token_points_to_decode():
    err = _translate("InvalidIdentityToken", "Response signature invalid")
    assert "samlcreds decode" in err.hint


@pytest.mark.parametrize("code", ["IDPRejectedClaim", "IDPCommunicationError", "MalformedPolicyDocument",
                                  "PackedPolicyTooLarge", "RegionDisabledException", "Throttling",
                                  "ThrottlingException", "InvalidParameterValue"])
def test_known_codes_have_their_own_words(code):
    err = _translate(code, "aws says no")
    assert not err.message.startswith("STS refused the request (")
    assert err.hint


def test_unknown_code_keeps_aws_message():
    err = _translate("BrandNewError", "something new")
    assert "something new" in err.message and err.code == "BrandNewError"


def test_no_doubled_punctuation_before_the_request_id():
    err = _translate("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML on role.")
    assert ".;" not in err.message and err.message.endswith("on role; RequestId req-123)")


def test_no_request_id():
    err = sts.translate_client_error(ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}},
                                                 "AssumeRoleWithSAML"), role=AWS, duration=3600)
    assert err.message.endswith("(AWS Throttling: Rate exceeded)") and err.request_id is None
