"""Which IdP accounts a profile signs in with (its settings, its cached credentials' keys) and who shares them."""

from __future__ import annotations

from pathlib import Path

from samlcreds import config
from samlcreds.idpaccounts import IdpAccount, of_profile, sharing


def key(profile: str, url: str = "", username: str = "") -> dict:
    return {"profile": profile, "url": url, "username": username, "role": "", "endpoint": ""}


def test_a_profile_in_no_file_has_the_accounts_its_cached_credentials_record(isolated_env):
    settings = config.resolve("br")
    assert settings.url is None
    keys = [key("br", "https://idp.example/sso", "alice"), key("br", "https://IDP.example/sso?x=1", "alice"),
            key("br", "https://idp.example/sso"), key("dw", "https://idp.example/sso", "bob")]
    assert of_profile(settings, keys) == [IdpAccount("https://idp.example/sso", "alice"),
                                          IdpAccount("https://idp.example/sso", "")]
    assert of_profile(settings, [key("dw", "https://idp.example/sso", "bob")]) == []


def test_the_settings_account_comes_first_and_once(isolated_env):
    settings = config.resolve("br", url="https://idp.example/sso", username="alice")
    keys = [key("br", "https://other.example/sso", "alice"), key("br", "https://idp.example/", "alice")]
    assert of_profile(settings, keys) == [IdpAccount("https://idp.example/sso", "alice"),
                                          IdpAccount("https://other.example/sso", "alice")]


def test_sharing_names_config_and_cached_profiles_of_the_same_host_and_user(isolated_env):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text(
        "[profile dw]\nsaml_url = https://idp.example/sso\nsaml_username = bob\n"
        "[profile dw2]\nsaml_url = https://idp.example/sso\nsaml_username = bob\n"
        "[profile port]\nsaml_url = https://idp.example:8443/sso\nsaml_username = bob\n"
        "[profile carol]\nsaml_url = https://idp.example/sso\nsaml_username = carol\n"
        "[profile nourl]\nsaml_username = bob\n")
    account = IdpAccount("https://idp.example/sso", "bob")
    keys = [key("cli", "https://idp.example/x", "bob"), key("cli2", "https://idp.example/x", "bobby")]
    assert sharing(account, "dw2", keys) == ["cli", "dw"]
    assert IdpAccount("https://idp.example:8443/a", "bob").describe() == "bob at idp.example:8443"
    assert IdpAccount("https://idp.example/a").describe() == "no user name at idp.example"


def test_an_account_never_shows_credentials_written_into_its_url():
    from samlcreds.idpaccounts import IdpAccount

    account = IdpAccount("https://alice:s3cret@IdP.example.com:8443/sso", "alice")
    assert account.host == "idp.example.com:8443"
    assert "s3cret" not in account.describe()
    assert account.same("https://idp.example.com:8443/other", "alice")  # the same saved session
