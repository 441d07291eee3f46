"""The cache-hit path's key for chained profiles (chainkey.key_from_config) is ChainedFetcher's key."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlcreds import chain, chainkey, errors

DEPLOY = "arn:aws:iam::222222222222:role/Deploy"
SOURCE = "[profile src]\nsaml_url = https://idp.example.com/sso\nsaml_role_arn = 111111111111:ReadOnly\n"


@pytest.fixture
def cfg(isolated_env):
    """The test's own config file (no AWS_*/SAMLCREDS_* variables from outside)."""
    return Path(isolated_env["AWS_CONFIG_FILE"])


def full_key(profile: str) -> dict:
    """The key the full command caches under (no sign-in happens: only the key is read)."""
    return chain.fetcher_for(profile, lambda settings: None).key


@pytest.mark.parametrize("text", [
    # the README's shape: the source runs samlcreds through credential_process, no region anywhere
    "[profile work]\ncredential_process = samlcreds process --profile src\n"
    f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = work\nrole_session_name = me\n",
    # the source has saml_* keys itself; the chained profile sets its own region and bounds
    f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = src\nregion = eu-west-1\n"
    "external_id = xyz \nduration_seconds = 0900\n",
    # the source's region; a quoted samlcreds path and --profile=NAME
    "[profile work]\ncredential_process = \"/opt/my tools/samlcreds\" process --profile=src\nregion = ap-south-1\n"
    f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = work\n",
    # a chain of chains; GovCloud's default region
    f"[profile mid]\nrole_arn = {DEPLOY}\nsource_profile = src\n"
    "[profile deploy]\nrole_arn = arn:aws-us-gov:iam::333333333333:role/Top\nsource_profile = mid\n",
    # botocore prefers role_arn over a credential_process in the same profile; samlcreds does too
    f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = src\n"
    "credential_process = samlcreds process --profile deploy\n",
])
def test_same_key_as_the_chained_fetcher(cfg, text):
    cfg.write_text(SOURCE + text)
    key = chainkey.key_from_config("deploy")
    assert key is not None and key == full_key("deploy")


def test_environment_settings_reach_both_keys(cfg, monkeypatch):
    cfg.write_text(SOURCE + f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = src\n")
    monkeypatch.setenv("SAMLCREDS_REGION", "eu-central-1")  # the source's region setting: the AssumeRole region
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")  # part of the source's key
    monkeypatch.setenv("AWS_PROFILE", "deploy")
    key = chainkey.key_from_config(None)
    assert key == full_key("deploy") and key["region"] == "eu-central-1"
    monkeypatch.delenv("AWS_ENDPOINT_URL_STS")
    assert chainkey.key_from_config(None)["source"] != key["source"]


def test_a_plain_profile_has_its_plain_key(cfg):
    cfg.write_text(SOURCE)
    assert chainkey.key_from_config("src") == full_key("src")


@pytest.mark.parametrize("text, message", [
    (f"[profile deploy]\nrole_arn = {DEPLOY}\n", "not source_profile"),
    (f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = src\nmfa_serial = arn:aws:iam::1:mfa/me\n",
     "mfa_serial"),
    (f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = src\nduration_seconds = 7200\n", "1 hour"),
    (f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = keys\n[profile keys]\naws_access_key_id = AKIA\n",
     "does not sign in with samlcreds"),
    (f"[profile deploy]\nrole_arn = {DEPLOY}\nsource_profile = other\n"
     f"[profile other]\nrole_arn = {DEPLOY}\nsource_profile = deploy\n", "source_profile loop"),
])
def test_what_the_full_command_refuses_has_no_light_key(cfg, text, message):
    cfg.write_text(SOURCE + text)
    assert chainkey.key_from_config("deploy") is None  # the full command says what is wrong
    with pytest.raises(errors.UsageError, match=message):
        full_key("deploy")
