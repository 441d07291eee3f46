"""Typed settings: defaults, parsing, precedence and the cache-hit path's view of them."""

from __future__ import annotations

import dataclasses

import pytest

from samlcreds import cache, config, errors, profile


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    path = tmp_path / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS") + tuple(
            v for _, v in config.KEYS.values()):
        monkeypatch.delenv(var, raising=False)
    return path


def test_one_default_per_setting():
    s = config.Settings()
    assert (s.provider, s.duration, s.timeout, s.autofill, s.url) == ("form", 3600, None, False, None)
    assert s.sts_timeout == 30.0 and s.signin_timeout == 30.0
    assert config.Settings(provider="browser").signin_timeout == 300.0
    assert config.Settings(provider="browser").sts_timeout == 30.0
    assert config.Settings(provider="browser", timeout=12).signin_timeout == 12.0


def test_sts_timeout_default_is_the_settings_one():
    from samlcreds import stsclient

    assert stsclient.DEFAULT_STS_TIMEOUT == config.DEFAULT_TIMEOUT == 30.0


def test_fields_are_typed_and_frozen():
    s = config.Settings(duration="7200", timeout="2.5", autofill="yes")
    assert (s.duration, s.timeout, s.autofill) == (7200, 2.5, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.duration = 900  # type: ignore[misc]


def test_settings_fields_are_the_light_tables_settings():
    names = [f.name for f in dataclasses.fields(config.Settings) if f.name not in ("profile", "given", "profile_found")]
    # one table of keys and variables, read by the cache-hit path without importing config
    assert config.KEYS is profile.KEYS
    assert list(profile.KEYS) == names
    assert set(cache._KEY_FIELDS) <= set(profile.KEYS)


@pytest.mark.parametrize("value", ["yes", "TRUE", "1", "on", True])
def test_autofill_true(value):
    assert config.Settings(autofill=value).autofill is True


@pytest.mark.parametrize("value", ["no", "False", "0", "off", "", False])
def test_autofill_false(value):
    assert config.Settings(autofill=value).autofill is False


def test_autofill_bad_word():
    with pytest.raises(errors.UsageError, match="not true or false"):
        config.Settings(autofill="maybe")


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "soon"])
def test_bad_timeouts(value):
    with pytest.raises(errors.UsageError, match="timeout"):
        config.Settings(timeout=value)


@pytest.mark.parametrize("value", ["899", "43201", "1h", "3600.5"])
def test_bad_durations(value):
    with pytest.raises(errors.UsageError, match="duration"):
        config.Settings(duration=value)


@pytest.mark.parametrize("value", ["900", "43200", " 7200 ", 3600])
def test_good_durations(value):
    assert config.Settings(duration=value).duration == int(str(value).strip())


def test_precedence(cfg, monkeypatch):
    cfg.write_text("[profile w]\nsaml_duration = 7200\nsaml_role_arn = File\nsaml_timeout = 9\n")
    assert config.resolve("w").duration == 7200
    monkeypatch.setenv("SAMLCREDS_DURATION", "1800")
    assert config.resolve("w").duration == 1800
    assert config.resolve("w", duration=900).duration == 900
    assert config.resolve("w", duration=None).duration == 1800  # None: flag not given
    assert config.resolve("w").role == "File"
    assert config.resolve("w").timeout == 9.0


def test_empty_env_var_does_not_hide_the_profile(cfg, monkeypatch):
    cfg.write_text("[profile w]\nsaml_url = https://idp/sso\n")
    monkeypatch.setenv("SAMLCREDS_URL", "")
    assert config.resolve("w").url == "https://idp/sso"


def test_bad_value_names_the_profile_key(cfg):
    cfg.write_text("[profile w]\nsaml_duration = forever\n")
    with pytest.raises(errors.UsageError, match=r"saml_duration in \[profile w\] of .*config"):
        config.resolve("w")


def test_bad_value_names_the_variable(cfg, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_TIMEOUT", "-3")
    with pytest.raises(errors.UsageError, match="from SAMLCREDS_TIMEOUT"):
        config.resolve("w")


def test_bad_value_names_the_flag(cfg):
    with pytest.raises(errors.UsageError, match="from --duration"):
        config.resolve("w", duration=5)


def test_unknown_setting(cfg):
    with pytest.raises(errors.UsageError, match="unknown setting"):
        config.resolve("w", colour="blue")


def test_is_set(cfg):
    cfg.write_text("[profile w]\nsaml_duration = 3600\n")
    assert config.resolve("w").is_set("duration")  # given, even though it is the default
    assert not config.resolve("other").is_set("duration")
    assert config.Settings(duration=7200).is_set("duration")


def test_cache_key_same_on_the_warm_path(cfg, monkeypatch):
    cfg.write_text("[profile w]\nsaml_duration = 03600\nsaml_url = https://idp/sso\nsaml_provider = form\n")
    monkeypatch.setenv("SAMLCREDS_ROLE", "Dev")
    name, values = profile.resolve_values("w")
    assert cache.cache_key(config.resolve("w")) == cache.key_from_values(name, values)


def test_replace_changes_the_cache_key(cfg):
    cfg.write_text("[profile w]\nsaml_role_arn = A\n")
    settings = config.resolve("w")
    other = dataclasses.replace(settings, role="B")
    assert cache.cache_key(other)["role"] == "B"
    assert cache.cache_key(settings)["role"] == "A"


def test_directly_built_settings_have_a_cache_key():
    key = cache.cache_key(config.Settings(profile="p", url="https://idp/sso", duration=7200), environ={})
    assert key["url"] == "https://idp/sso" and key["duration"] == "7200" and key["provider"] == ""


def test_given_takes_no_part_in_equality():
    assert config.Settings(duration=7200, given={"duration": "7200"}) == config.Settings(duration=7200)


@pytest.mark.parametrize("value, parsed", [("native", "native"), (" Playwright ", "playwright"), ("", None)])
def test_browser_driver_values(value, parsed):
    assert config.Settings(browser_driver=value).browser_driver == parsed


def test_bad_browser_driver_names_its_source(cfg, monkeypatch):
    cfg.write_text("[profile w]\nsaml_browser_driver = selenium\n")
    with pytest.raises(errors.UsageError, match=r"unknown browser driver 'selenium' \(saml_browser_driver in "
                       r"\[profile w\]") as caught:
        config.resolve("w")
    assert caught.value.hint == "Use one of: native, playwright."
    monkeypatch.setenv("SAMLCREDS_BROWSER_DRIVER", "webdriver")
    with pytest.raises(errors.UsageError, match=r"'webdriver' \(from SAMLCREDS_BROWSER_DRIVER\)"):
        config.resolve("w")
    assert config.resolve("w", browser_driver="native").browser_driver == "native"  # the flag wins
