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
