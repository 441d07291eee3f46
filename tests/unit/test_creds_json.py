"""The Credentials value and its outputs: credential_process JSON, env, shells, botocore metadata."""

from __future__ import annotations

import json
import shlex
from datetime import datetime, timedelta, timezone

import pytest

from samlcreds.creds import Credentials, iso_utc

EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
CREDS = Credentials("ASIAEXAMPLE", "secret/with'quote", "token+=", EXPIRY, account_id="111111111111")


def test_process_json_follows_the_aws_format():
    doc = CREDS.to_process_json()
    assert doc == {"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "secret/with'quote",
                   "SessionToken": "token+=", "Expiration": "2030-01-02T03:04:05Z", "AccountId": "111111111111"}
    assert json.loads(CREDS.to_json()) == doc


def test_no_account_id_no_key():
    assert "AccountId" not in Credentials("A", "s", "t", EXPIRY).to_process_json()


def test_round_trip():
    back = Credentials.from_process_json(CREDS.to_process_json())
    assert (back.access_key_id, back.secret_access_key, back.session_token, back.expiration, back.account_id) == (
        CREDS.access_key_id, CREDS.secret_access_key, CREDS.session_token, CREDS.expiration, CREDS.account_id)


def test_from_json_with_an_offset_is_utc():
    doc = dict(CREDS.to_process_json(), Expiration="2030-01-02T05:04:05+02:00")
    assert Credentials.from_process_json(doc).expiration == EXPIRY


def test_iso_utc_converts_zones():
    assert iso_utc(EXPIRY.astimezone(timezone(timedelta(hours=-5)))) == "2030-01-02T03:04:05Z"


def test_secrets_stay_out_of_repr():
    text = repr(CREDS)
    assert "ASIAEXAMPLE" in text and "secret/with" not in text and "token+=" not in text


def test_env_with_and_without_region():
    env = CREDS.to_env("eu-west-1")
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-02T03:04:05Z"
    assert "AWS_REGION" not in CREDS.to_env()


def test_sh_exports_round_trip_through_the_shell_lexer():
    lines = CREDS.to_shell("sh").splitlines()
    parsed = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in lines)
    assert parsed["AWS_SECRET_ACCESS_KEY"] == "secret/with'quote"


def test_fish_quotes():
    assert "set -gx AWS_SECRET_ACCESS_KEY 'secret/with\\'quote'" in CREDS.to_shell("fish")


def test_powershell_doubles_every_kind_of_quote():
    creds = Credentials("A", "a'b\u2019c", "t", EXPIRY)
    assert "$Env:AWS_SECRET_ACCESS_KEY = 'a''b\u2019\u2019c'" in creds.to_shell("powershell")


def test_unknown_shell():
    with pytest.raises(ValueError, match="unknown shell 'tcsh'; choose one of sh, fish, powershell, bash, zsh"):
        CREDS.to_shell("tcsh")


@pytest.mark.parametrize("alias,syntax", [("bash", "sh"), ("zsh", "sh"), ("ksh", "sh"), ("dash", "sh"),
                                          ("pwsh", "powershell")])
def test_shell_aliases_write_their_syntax(alias, syntax):
    assert CREDS.to_shell(alias, region="eu-west-1") == CREDS.to_shell(syntax, region="eu-west-1")


def test_botocore_metadata():
    assert CREDS.to_botocore_metadata() == {"access_key": "ASIAEXAMPLE", "secret_key": "secret/with'quote",
                                            "token": "token+=", "expiry_time": "2030-01-02T03:04:05Z"}


def test_seconds_left():
    assert CREDS.seconds_left(EXPIRY - timedelta(minutes=5)) == 300
