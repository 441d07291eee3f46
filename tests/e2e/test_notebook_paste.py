"""The paste recipe in one call: samlcreds.session(saml_response=...) / credentials(saml_response=...)
with real SAMLResponses from the sandbox IdP, the same checks and errors as ``samlcreds login``."""

from __future__ import annotations

import base64

import pytest

import samlcreds
from samlcreds import errors
from sandbox.idp import fetch_saml_response
from tests.e2e.test_paste_flow import encodings
from tests.helpers import run_cli
from tests.samples import PROV_1, ROLE_A, response_xml

BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"
CAROL_AUDITOR = "arn:aws:sts::222222222222:assumed-role/Auditor/carol@example.com"


def test_every_cli_encoding_works_and_reaches_sts_unchanged(sandbox_env, sandbox_idp, sandbox_sts, tmp_path):
    for name in ("one line", "wrapped", "form body", "html-escaped", "raw xml"):
        saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
        session = samlcreds.session(saml_response=encodings(saml)[name], region="us-east-1")
        assert sandbox_sts.calls[-1]["SAMLAssertion"] == saml, name  # STS was called by session() itself
        assert session.client("sts").get_caller_identity()["Arn"] == BOB_ARN, name
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    creds = samlcreds.credentials(saml_response=saml.encode())  # bytes
    assert creds.assumed_role_arn == BOB_ARN and creds.expiration.tzinfo is not None
    path = tmp_path / "response.txt"
    path.write_text(fetch_saml_response(sandbox_idp, "bob", "bob-pw"))
    assert samlcreds.credentials(saml_response=path).assumed_role_arn == BOB_ARN  # a file, like --saml-file


def test_role_keyword_chooses_among_several(sandbox_env, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "carol", "carol-pw")
    session = samlcreds.session(saml_response=saml, role="Auditor")
    assert session.client("sts").get_caller_identity()["Arn"] == CAROL_AUDITOR


def test_several_roles_and_no_way_to_ask_names_the_role_keyword(sandbox_env, sandbox_idp, sandbox_sts):
    saml = fetch_saml_response(sandbox_idp, "carol", "carol-pw")
    before = len(sandbox_sts.calls)
    with pytest.raises(errors.RoleSelectionError) as caught:
        samlcreds.credentials(saml_response=saml, picker=None)
    assert "role=" in caught.value.hint and "--role" in caught.value.hint
    assert len(sandbox_sts.calls) == before
    with pytest.raises(errors.RoleSelectionError) as caught:
        samlcreds.credentials(saml_response=saml, role="NoSuchRole")
    assert "role=" in caught.value.hint  # the Python keyword, not only the CLI flag


def test_injected_picker_chooses(sandbox_env, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "carol", "carol-pw")
    offered = []

    def picker(roles):
        offered.append([pair.account_id for pair in roles])
        return roles[-1]

    assert samlcreds.credentials(saml_response=saml, picker=picker).assumed_role_arn == CAROL_AUDITOR
    assert offered == [["111111111111", "222222222222"]]


@pytest.mark.parametrize("damage", ["plus to space", "login page", "cut off"])
def test_the_same_errors_as_the_cli(damage, sandbox_env, sandbox_idp, sandbox_sts, tmp_path):
    saml = ""
    while "+" not in saml:
        saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    text = {"plus to space": saml.replace("+", " "),
            "login page": "<html><body><form><input name='password' type='password'></form></body></html>",
            "cut off": saml[: len(saml) // 2]}[damage]
    before = len(sandbox_sts.calls)
    with pytest.raises(errors.SamlAssertionError) as caught:
        samlcreds.session(saml_response=text)
    path = tmp_path / "response.txt"
    path.write_text(text)
    cli = run_cli(["login", "--saml-file", str(path), "--print", "json"])
    assert cli.returncode == caught.value.exit_code == 4
    assert caught.value.message in cli.stderr
    assert len(sandbox_sts.calls) == before  # refused before STS, as the CLI does


def test_sts_refusal_is_the_cli_error(sandbox_env, sandbox_idp, sandbox_sts):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    sandbox_sts.fail_next("IDPRejectedClaim", "the claim was rejected")
    with pytest.raises(errors.StsError) as caught:
        samlcreds.session(saml_response=saml)
    assert caught.value.code == "IDPRejectedClaim" and caught.value.exit_code == 5


def test_encrypted_assertion_takes_role_arn_and_principal_arn(sandbox_env, sandbox_sts):
    xml = response_xml(assertion_override=(
        '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/>'
        "</saml:EncryptedAssertion>"))
    encoded = base64.b64encode(xml.encode()).decode()
    with pytest.raises(errors.EncryptedAssertion) as caught:
        samlcreds.session(saml_response=encoded)
    assert "role_arn=" in caught.value.hint and "principal_arn=" in caught.value.hint
    with pytest.raises(errors.UsageError, match="role_arn= and principal_arn="):
        samlcreds.session(saml_response=encoded, role_arn=ROLE_A)
    # with both, it goes to STS as it is (the sandbox cannot decrypt it and says so)
    before = len(sandbox_sts.calls)
    with pytest.raises(errors.StsError):
        samlcreds.session(saml_response=encoded, role_arn=ROLE_A, principal_arn=PROV_1)
    assert len(sandbox_sts.calls) == before + 1
    assert (sandbox_sts.calls[-1]["RoleArn"], sandbox_sts.calls[-1]["PrincipalArn"]) == (ROLE_A, PROV_1)


def test_pasted_credentials_are_not_refreshable(sandbox_env, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    session = samlcreds.session(saml_response=saml, duration=900)
    with pytest.warns(samlcreds.RefreshWarning, match="sign in again and pass a fresh saml_response"):
        # 900 s are inside botocore's 15-minute refresh window: the first call asks for a refresh
        assert session.client("sts").get_caller_identity()["Arn"] == BOB_ARN
    assert session.client("sts").get_caller_identity()["Arn"] == BOB_ARN


def test_bad_saml_response_type_is_a_usage_error(sandbox_env):
    with pytest.raises(errors.UsageError, match="saml_response must be"):
        samlcreds.credentials(saml_response=12345)
