"""samlcreds.credentials() through LemonLDAP::NG with TOTP: the caller's get_code, saml_otp_command, or
InteractionRequired naming the key; the strict STS redeems the assertion."""

from __future__ import annotations

import pytest

import samlcreds
from samlcreds import config, errors
from sandbox.lemonldap import DWHO_TOTP_SECRET, totp_code

DWHO_ARN = "arn:aws:sts::111111111111:assumed-role/Developer/dwho@badwolf.org"


@pytest.fixture
def dwho(lemonldap_env, monkeypatch):
    monkeypatch.delenv("SAMLCREDS_OTP_COMMAND", raising=False)
    values = {"saml_provider": "form", "saml_url": lemonldap_env["SAMLCREDS_URL"], "saml_username": "dwho",
              "saml_role_arn": "111111111111:Developer", "region": "us-east-1"}
    config.write_profile_settings("api-totp", values)
    return "api-totp"


def test_get_code_callable(dwho, lemonldap_idp):
    prompts = []
    accepted = lemonldap_idp.accepted_codes("dwho")

    def code(prompt):
        prompts.append(prompt)
        return totp_code(DWHO_TOTP_SECRET)

    creds = samlcreds.credentials(dwho, get_password=lambda prompt: "dwho", get_code=code)
    assert creds.access_key_id.startswith("ASIA")
    assert prompts == [f"One-time code for 127.0.0.1:{lemonldap_idp.port}: "]
    assert lemonldap_idp.accepted_codes("dwho") == accepted + 1
    session = samlcreds.session(dwho, get_password=lambda prompt: pytest.fail("cached: no sign-in"))
    assert session.client("sts").get_caller_identity()["Arn"] == DWHO_ARN


def test_without_code_source_interaction_required_names_the_key(dwho, lemonldap_idp):
    refused = lemonldap_idp.failed_codes("dwho")
    with pytest.raises(errors.InteractionRequired) as info:
        samlcreds.credentials(dwho, get_password=lambda prompt: "dwho")
    assert "saml_otp_command" in str(info.value)
    assert lemonldap_idp.failed_codes("dwho") == refused  # no code was sent


def test_otp_command_from_the_profile(dwho, lemonldap_idp):
    config.write_profile_settings(dwho, {"saml_otp_command": f"oathtool --totp -b {DWHO_TOTP_SECRET}"})
    creds = samlcreds.credentials(dwho, get_password=lambda prompt: "dwho",
                                  get_code=lambda prompt: pytest.fail("the command comes first"))
    assert creds.access_key_id.startswith("ASIA")
