"""A SAMLCREDS_* variable overriding what a profile itself sets, through the real CLI against both sandbox
IdPs: the profile says LemonLDAP::NG, SAMLCREDS_URL (as the sandbox's env file used to export) says
SimpleSAMLphp. The precedence stays (flags > environment > profile), but samlcreds says so before it
signs in, and the refused sign-in names the IdP that refused it."""

from __future__ import annotations

import urllib.parse

from tests.helpers import run_cli


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def test_environment_url_over_the_profile_is_said_before_signing_in(sandbox_env, sandbox_idp, lemonldap_idp):
    assert sandbox_env["SAMLCREDS_URL"] == sandbox_idp.sso_url
    done = run_cli(["configure", "--profile", "ll2", "--url", lemonldap_idp.sso_url, "--username", "rtyler"])
    assert done.returncode == 0, done.stderr
    simple_before, ll_before = sandbox_idp.login_count(), lemonldap_idp.login_count("rtyler")

    result = run_cli(["login", "--profile", "ll2", "--password-stdin"], input="rtyler\n")

    assert result.returncode == 3, result.stderr
    note, error = result.stderr.splitlines()[0], result.stderr
    assert note.startswith("samlcreds: note: SAMLCREDS_URL ("), result.stderr
    assert f"({urllib.parse.urlsplit(sandbox_idp.sso_url).scheme}://{_host(sandbox_idp.sso_url)}/" in note
    assert "overrides saml_url of [profile ll2]" in note
    assert f"://{_host(lemonldap_idp.sso_url)}/" in note
    assert "rtyler" not in note  # only what differs, and hosts, never the password
    # the error names the host that refused the password
    assert f"the IdP at {_host(sandbox_idp.sso_url)} showed its login form again" in error
    assert lemonldap_idp.login_count("rtyler") == ll_before
    assert sandbox_idp.login_count() == simple_before


def test_no_note_when_the_environment_agrees_or_a_flag_wins(sandbox_env, sandbox_idp, lemonldap_idp):
    run_cli(["configure", "--profile", "same", "--url", sandbox_idp.sso_url, "--username", "bob"])
    result = run_cli(["login", "--profile", "same", "--password-stdin", "--print", "json"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stderr
    # a flag is what the user typed: nothing to point out
    run_cli(["configure", "--profile", "ll3", "--url", lemonldap_idp.sso_url, "--username", "rtyler"])
    result = run_cli(["login", "--profile", "ll3", "--url", lemonldap_idp.sso_url, "--password-stdin",
                      "--print", "json"], input="rtyler\n")
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stderr
