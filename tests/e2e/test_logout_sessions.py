"""``logout --profile`` forgets the IdP session the profile signed in with, also one named by flags only,
and says so when it cannot tell which session that was (real CLI, sandbox IdP and STS, real Chromium)."""

from __future__ import annotations

import urllib.parse

from tests.helpers import run_cli

REUSED = "the IdP session was still valid"


def flags_only_env(sandbox_env) -> dict:
    """The sandbox environment without SAMLCREDS_URL: the IdP URL is only ever given as --url."""
    return {k: v for k, v in sandbox_env.items() if k != "SAMLCREDS_URL"}


def test_logout_forgets_the_browser_session_of_a_login_made_with_flags_only(sandbox_env, sandbox_idp):
    env, url = flags_only_env(sandbox_env), sandbox_env["SAMLCREDS_URL"]
    host = urllib.parse.urlsplit(url).netloc
    login = ["login", "--profile", "br", "--provider", "browser", "--autofill", "--username", "bob",
             "--url", url, "--password-stdin"]
    before = sandbox_idp.login_count("bob")
    first = run_cli(login, input="bob-pw\n", env=env)
    assert first.returncode == 0, first.stderr
    assert sandbox_idp.login_count("bob") == before + 1

    result = run_cli(["logout", "--profile", "br"], env=env)  # br is in no config file: no --url here
    assert result.returncode == 0, result.stderr
    assert f"Deleted the IdP session of bob at {host}, which every profile with that user and IdP shares." \
        in result.stderr, result.stderr
    assert "warning" not in result.stderr

    again = run_cli(login, input="bob-pw\n", env=env)  # the password is checked again: signed out
    assert again.returncode == 0, again.stderr
    assert REUSED not in again.stderr
    assert sandbox_idp.login_count("bob") == before + 2


def test_logout_names_what_to_pass_when_it_cannot_tell_the_session(sandbox_env, sandbox_idp):
    """``roles`` signs in (a cookie jar) but caches no credentials: nothing records br's IdP account."""
    env, url = flags_only_env(sandbox_env), sandbox_env["SAMLCREDS_URL"]
    roles = ["roles", "--profile", "br", "--url", url, "--username", "bob", "--password-stdin"]
    before = sandbox_idp.login_count("bob")
    assert run_cli(roles, input="bob-pw\n", env=env).returncode == 0
    assert sandbox_idp.login_count("bob") == before + 1

    unsure = run_cli(["logout", "--profile", "br"], env=env)
    assert unsure.returncode == 0, unsure.stderr
    assert "warning: samlcreds cannot tell which IdP session profile br signed in with" in unsure.stderr
    assert "1 saved IdP session(s) remain" in unsure.stderr
    assert "samlcreds logout --profile br --url URL --username USER" in unsure.stderr
    assert "samlcreds logout --all" in unsure.stderr
    assert "no saved IdP session" not in unsure.stderr  # it cannot know that
    assert run_cli(roles, input="bob-pw\n", env=env).returncode == 0
    assert sandbox_idp.login_count("bob") == before + 1  # the session was kept: no second password sign-in

    done = run_cli(["logout", "--profile", "br", "--url", url, "--username", "bob"], env=env)
    assert done.returncode == 0, done.stderr
    assert "Deleted the IdP session of bob at" in done.stderr and "warning" not in done.stderr
    assert run_cli(roles, input="bob-pw\n", env=env).returncode == 0
    assert sandbox_idp.login_count("bob") == before + 2


def test_logout_of_one_profile_says_which_profiles_share_its_session(sandbox_env, sandbox_idp):
    url = sandbox_env["SAMLCREDS_URL"]
    host = urllib.parse.urlsplit(url).netloc
    with open(sandbox_env["AWS_CONFIG_FILE"], "w") as handle:
        for name in ("dw", "dw2", "dw3"):
            handle.write(f"[profile {name}]\nsaml_provider = form\nsaml_url = {url}\nsaml_username = bob\n\n")
        handle.write(f"[profile other]\nsaml_url = {url}\nsaml_username = carol\n")
    before = sandbox_idp.login_count("bob")
    assert run_cli(["login", "--profile", "dw2", "--password-stdin"], input="bob-pw\n").returncode == 0
    reused = run_cli(["login", "--profile", "dw", "--password-stdin"], input="bob-pw\n")
    assert reused.returncode == 0 and REUSED in reused.stderr  # dw signs in with dw2's session
    assert sandbox_idp.login_count("bob") == before + 1

    result = run_cli(["logout", "--profile", "dw2"])
    assert result.returncode == 0, result.stderr
    assert (f"Deleted the IdP session of bob at {host}, which every profile with that user and IdP shares: "
            "dw, dw3 must sign in again too.") in result.stderr, result.stderr
    after = run_cli(["login", "--profile", "dw", "--password-stdin"], input="bob-pw\n")
    assert after.returncode == 0 and REUSED not in after.stderr
    assert sandbox_idp.login_count("bob") == before + 2
