"""Profile settings: precedence and agreement with botocore's config loader."""

from __future__ import annotations

import pytest
from botocore.configloader import load_config

from samlcreds import config, errors

SAMPLE = """# comment
[default]
region = us-east-1
saml_url = https://default/sso

[profile work]
saml_provider = form
saml_url = https://idp.example/sso
saml_username = me@example.com
saml_role_arn = 111111111111:Developer
saml_duration = 7200
s3 =
    addressing_style = path
[profile   spaced]
region = eu-west-1
[sso-session x]
sso_region = us-east-1
"""


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    path = tmp_path / "config"
    path.write_text(SAMPLE)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE") + tuple(v for _, v in config.KEYS.values()):
        monkeypatch.delenv(var, raising=False)
    return path


@pytest.mark.parametrize("profile", ["default", "work", "spaced", "missing"])
def test_same_as_botocore(cfg, profile):
    ours = config.read_profile(profile)
    theirs = load_config(str(cfg))["profiles"].get(profile, {})
    flat = {k: v for k, v in theirs.items() if isinstance(v, str)}
    assert {k: v for k, v in ours.items() if not v.startswith("\n")} == flat


def test_precedence_flags_env_profile(cfg, monkeypatch):
    assert config.resolve("work").role == "111111111111:Developer"
    monkeypatch.setenv("SAMLCREDS_ROLE", "Env")
    assert config.resolve("work").role == "Env"
    assert config.resolve("work", role="Flag").role == "Flag"
    assert config.resolve("work").duration == 7200
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert config.resolve().profile == "work"


def test_write_keeps_other_bytes(cfg):
    config.write_profile_settings("work", {"saml_duration": "3600", "saml_timeout": "10"})
    text = cfg.read_text()
    assert text == SAMPLE.replace("saml_duration = 7200\ns3 =\n    addressing_style = path\n",
                                  "s3 =\n    addressing_style = path\nsaml_duration = 3600\nsaml_timeout = 10\n")
    config.write_profile_settings("new", {"saml_url": "u"})
    assert cfg.read_text().endswith("\n[profile new]\nsaml_url = u\n")


def test_unparsable_config(cfg):
    cfg.write_text("[profile work]\nsaml_url = x\njunk line\n")
    with pytest.raises(errors.FileParseError, match="line 3"):
        config.resolve("work")


@pytest.mark.parametrize("value", ["https://idp\nsaml_role_arn = evil", "x\r\n[profile other]", "  "])
def test_values_cannot_inject_lines(cfg, value):
    before = cfg.read_text()
    with pytest.raises(errors.UsageError):
        config.write_profile_settings("work", {"saml_url": value})
    assert cfg.read_text() == before


def test_profile_names_that_break_sections_are_refused(cfg):
    with pytest.raises(errors.UsageError):
        config.write_profile_settings("a]\n[b", {"saml_url": "u"})


# --- a SAMLCREDS_* variable over what the profile itself sets ---------------------------------------------

def test_environment_over_a_different_profile_value_is_noted(cfg, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_URL", "https://other.example:8443/sso?x=1")
    monkeypatch.setenv("SAMLCREDS_USERNAME", "someone@else")
    monkeypatch.setenv("SAMLCREDS_PROVIDER", "form")  # the same as the profile's: nothing to say
    settings = config.resolve("work")
    assert settings.url == "https://other.example:8443/sso?x=1"  # the precedence stays
    assert settings.override_notes() == [
        "samlcreds: note: SAMLCREDS_URL (https://other.example:8443/…) overrides saml_url of [profile work] "
        "(https://idp.example/…); unset SAMLCREDS_URL to use the profile's",
        "samlcreds: note: SAMLCREDS_USERNAME ('someone@else') overrides saml_username of [profile work] "
        "('me@example.com'); unset SAMLCREDS_USERNAME to use the profile's",
    ]


def test_no_note_without_a_conflict(cfg, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_URL", "https://idp.example/sso")
    assert config.resolve("work").override_notes() == []  # the same value
    assert config.resolve("work", url="https://flag.example/sso").override_notes() == []  # a flag: typed
    monkeypatch.setenv("SAMLCREDS_URL", "https://other.example/sso")
    assert config.resolve("spaced").override_notes() == []  # the profile sets no saml_url
    monkeypatch.setenv("SAMLCREDS_ROLE", "ReadOnly")
    assert config.resolve("work").env_overrides == (("url", "https://other.example/sso", "https://idp.example/sso"),)


def test_override_notes_show_hosts_only(cfg, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_URL", "https://me:hunter2@evil.example/sso?token=abc#frag")
    [note] = config.resolve("work").override_notes()
    assert "(https://evil.example/…)" in note
    assert "hunter2" not in note and "token" not in note and "me:" not in note


def test_override_notes_follow_later_changes(cfg, monkeypatch):
    import dataclasses

    monkeypatch.setenv("SAMLCREDS_URL", "https://other.example/sso")
    settings = config.resolve("work")
    assert dataclasses.replace(settings, url="https://idp.example/sso").override_notes() == []
    assert dataclasses.replace(settings, provider="paste").override_notes() == []  # no URL is used


def test_origin_names_the_flag_variable_or_profile_key(cfg, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_USERNAME", "env-user")
    settings = config.resolve("work", url="https://flag.example/sso")
    assert settings.origin("url") == "--url"
    assert settings.origin("username") == "SAMLCREDS_USERNAME"
    assert settings.origin("role") == "saml_role_arn in [profile work]"
    assert settings.origin("browser") is None
