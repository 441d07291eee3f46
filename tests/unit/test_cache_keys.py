"""What identifies cached credentials: the cache key and its file name."""

from __future__ import annotations

import pytest

from samlcreds import cache, config

BASE = {"provider": "form", "url": "https://idp/sso", "username": "me", "role": "Dev", "duration": "3600"}


def test_key_fields():
    key = cache.key_from_values("work", BASE, environ={})
    assert key == {"profile": "work", "provider": "form", "url": "https://idp/sso", "username": "me",
                   "role": "Dev", "principal_arn": "", "duration": "3600", "region": "", "endpoint": ""}


@pytest.mark.parametrize("field", ["provider", "url", "username", "role", "principal_arn", "duration", "region"])
def test_each_field_changes_the_key(field):
    changed = dict(BASE, **{field: "other"})
    assert cache.key_from_values("w", changed, {}) != cache.key_from_values("w", BASE, {})


def test_settings_outside_the_key_do_not_change_it():
    assert cache.key_from_values("w", dict(BASE, timeout="5", browser="x"), {}) == cache.key_from_values("w", BASE, {})


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])
def test_sts_endpoint_is_part_of_the_key(variable):
    key = cache.key_from_values("w", BASE, {variable: "http://127.0.0.1:1"})
    assert key["endpoint"] == "http://127.0.0.1:1"


def test_sts_specific_endpoint_wins():
    key = cache.key_from_values("w", BASE, {"AWS_ENDPOINT_URL_STS": "a", "AWS_ENDPOINT_URL": "b"})
    assert key["endpoint"] == "a"


def test_key_name_is_profile_and_checksum():
    name = cache.key_name(cache.key_from_values("work", BASE, {}))
    assert name.startswith("work-") and len(name) == len("work-") + 16


@pytest.mark.parametrize("profile,stem", [("a/../b", "a_.._b"), ("x y", "x_y"), ("", "profile"), ("é", "_")])
def test_key_name_is_a_safe_file_name(profile, stem):
    assert cache.key_name({"profile": profile}).rsplit("-", 1)[0] == stem


def test_long_profile_names_are_cut():
    assert len(cache.key_name({"profile": "p" * 200}).split("-")[0]) == 40


def test_key_from_settings_matches_key_from_text():
    settings = config.Settings(profile="w", provider="form", url="https://idp/sso", username="me", role="Dev",
                               given={"provider": "form", "url": "https://idp/sso", "username": "me", "role": "Dev"})
    assert cache.cache_key(settings, environ={}) == cache.key_from_values(
        "w", {"provider": "form", "url": "https://idp/sso", "username": "me", "role": "Dev"}, {})


def test_usable_window():
    entry = cache.CacheEntry({}, expires_at=10_000.0)
    left = 1000.0  # at now = 9000
    assert cache.usable(entry, window=left - 1, now=9000) and not cache.usable(entry, window=left + 1, now=9000)
    assert not cache.usable(entry, window=0, now=10_000 - cache.MIN_VALIDITY + 1)  # never under MIN_VALIDITY
    assert not cache.usable(None)
