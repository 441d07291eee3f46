"""Adversarial regression tests: each one pins a bug found by poking at the CLI/API edges.

Tests that need no IdP seed the credential cache directly (a fake but well-formed
entry), so they run without the sandbox; the others use ``sandbox_env``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from tests.helpers import PROFILE_BODY, isolated_environ, run_cli, seed_cache


def _isolated_env(tmp_path, config_text: str = "") -> dict:
    return isolated_environ(tmp_path, config_text=config_text)


def _botocore_profile(env: dict, profile: str) -> dict:
    code = ("import json, sys, botocore.session as b\n"
            "print(json.dumps(b.Session(profile=sys.argv[1]).get_scoped_config()))")
    out = subprocess.run([sys.executable, "-c", code, profile], env=env, capture_output=True, text=True)
    if out.returncode:
        return {"<error>": out.stderr.strip().splitlines()[-1]}
    import json

    return json.loads(out.stdout)


# --- config file: profile names botocore reads differently ------------------------------------

def test_profile_name_with_space_is_found_by_botocore(tmp_path):
    """configure writes [profile my work]; botocore shlex-splits it into 3 words and ignores it."""
    env = _isolated_env(tmp_path)
    result = run_cli(["configure", "--profile", "my work", "--username", "bob", "--credential-process"], env=env)
    assert result.returncode == 0, result.stderr
    scoped = _botocore_profile(env, "my work")
    assert "credential_process" in scoped, scoped


def test_quoted_profile_section_is_read(tmp_path):
    """botocore reads [profile "my work"] as profile 'my work'; samlcreds must too."""
    env = _isolated_env(tmp_path, '[profile "my work"]\n' + PROFILE_BODY)
    assert _botocore_profile(env, "my work").get("saml_username") == "bob"
    from samlcreds.profile import read_profile

    assert read_profile("my work", env).get("saml_username") == "bob"


def test_configure_keeps_profile_with_extra_space_in_header(tmp_path):
    """[profile  two] (two spaces) is profile 'two' for botocore and samlcreds; configure must
    update it, not append a second [profile two] that hides the first from botocore."""
    env = _isolated_env(tmp_path, "[profile  two]\nsaml_username = bob\nregion = eu-west-1\n")
    result = run_cli(["configure", "--profile", "two", "--role", "111111111111:ReadOnly"], env=env)
    assert result.returncode == 0, result.stderr
    scoped = _botocore_profile(env, "two")
    assert scoped.get("saml_username") == "bob" and scoped.get("region") == "eu-west-1", scoped


def test_configure_honours_aws_default_profile(tmp_path):
    """login/process/env read AWS_DEFAULT_PROFILE; configure wrote [default] instead."""
    env = _isolated_env(tmp_path)
    env["AWS_DEFAULT_PROFILE"] = "work"
    result = run_cli(["configure", "--username", "bob"], env=env)
    assert result.returncode == 0, result.stderr
    from samlcreds import config

    assert config.resolve(None, environ=env).username == "bob"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"])
def test_configure_value_cannot_inject_a_key_in_two_steps(tmp_path, separator):
    """A value holding a character str.splitlines() splits on passes the single-line check;
    the next configure of that key then leaves the tail behind as a real line."""
    env = _isolated_env(tmp_path)
    evil = f"alice{separator}credential_process = /usr/bin/touch {tmp_path}/pwned"
    first = run_cli(["configure", "--profile", "w", "--username", evil], env=env)
    assert first.returncode == 2 and "spans several lines" in first.stderr, (first.returncode, first.stderr)
    url = run_cli(["configure", "--profile", "w", "--url", f"https://idp.example/sso{separator}x = y"], env=env)
    assert url.returncode == 2 and "a space or a control character" in url.stderr, url.stderr  # refused sooner
    second = run_cli(["configure", "--profile", "w", "--username", "bob"], env=env)
    assert second.returncode == 0, second.stderr
    scoped = _botocore_profile(env, "w")
    assert "credential_process" not in scoped and scoped.get("saml_username") == "bob", scoped
    assert not (tmp_path / "pwned").exists()


# --- bad settings: usage errors, not tracebacks --------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_timeout_must_be_finite(value):
    from samlcreds import config, errors

    with pytest.raises(errors.UsageError, match="positive number of seconds"):
        config.Settings(timeout=value)


# --- exec ----------------------------------------------------------------------------------

def _exec(tmp_path, *command, extra=()):
    env = _isolated_env(tmp_path, "[profile p]\n" + PROFILE_BODY)
    seed_cache(env, "p")
    return run_cli(["exec", "--profile", "p", *extra, "--", *command], env=env)


def test_exec_command_without_shebang_exits_126(tmp_path):
    script = tmp_path / "noshebang"
    script.write_text("echo hi\n")
    script.chmod(0o755)
    result = _exec(tmp_path, str(script))
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode == 126, result.returncode


def test_exec_path_through_a_file_is_not_a_traceback(tmp_path):
    (tmp_path / "afile").write_text("")
    result = _exec(tmp_path, str(tmp_path / "afile" / "cmd"))
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode in (126, 127), result.returncode


def test_exec_overlong_command_name_is_not_a_traceback(tmp_path):
    result = _exec(tmp_path, "a" * 300)
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode in (126, 127), result.returncode


def test_exec_status_and_signal_of_child(tmp_path):
    """Locks in: exit status and a signal death are the child's own."""
    assert _exec(tmp_path, "sh", "-c", "exit 42").returncode == 42
    assert _exec(tmp_path, "sh", "-c", "kill -TERM $$").returncode == -15


def test_exec_region_flag_uses_cached_credentials(tmp_path):
    """--region is 'Region for the child'; it must not change the cache key and force a new sign-in."""
    result = _exec(tmp_path, "sh", "-c", 'echo "$AWS_REGION $AWS_ACCESS_KEY_ID"', extra=("--region", "eu-west-1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["eu-west-1", "ASIAFAKEFAKEFAKE0001"]


# --- partly corrupt cache entries are misses --------------------------------------------------

@pytest.mark.parametrize("command", [["env"], ["exec", "--", "true"]])
@pytest.mark.parametrize("damage", [{"drop": ("SecretAccessKey",)}, {"Expiration": "garbage"}])
def test_damaged_cache_entry_is_a_miss_not_a_traceback(tmp_path, command, damage):
    env = _isolated_env(tmp_path, "[profile p]\n" + PROFILE_BODY)
    seed_cache(env, "p", **damage)
    result = run_cli([command[0], "--profile", "p", *command[1:]], env=env)
    assert "Traceback" not in result.stderr, result.stderr[-400:]
    # a miss: samlcreds signs in, and the profile's IdP (idp.invalid) cannot be reached: exit 3
    assert result.returncode == 3, (result.returncode, result.stderr[-400:])
    assert "could not connect to the IdP" in result.stderr, result.stderr


def test_process_never_prints_a_document_without_secret_key(tmp_path):
    env = _isolated_env(tmp_path, "[profile p]\n" + PROFILE_BODY)
    seed_cache(env, "p", drop=("SecretAccessKey",))
    result = run_cli(["process", "--profile", "p"], env=env)
    assert result.stdout == "", result.stdout[:120]  # a miss, and the IdP cannot be reached
    assert result.returncode == 3, (result.returncode, result.stderr[-400:])


def test_env_sh_output_quotes_hostile_region(tmp_path):
    """Locks in: sh exports survive quotes and $(...) in values."""
    env = _isolated_env(tmp_path, "[profile p]\n" + PROFILE_BODY)
    seed_cache(env, "p")
    env["AWS_REGION"] = "a'b\"c $(touch " + str(tmp_path / "pwned") + ")"
    out = run_cli(["env", "--profile", "p"], env=env)
    assert out.returncode == 0, out.stderr
    check = subprocess.run(["sh", "-c", out.stdout + 'printf %s "$AWS_REGION"'], capture_output=True, text=True)
    assert check.stdout == env["AWS_REGION"]
    assert not (tmp_path / "pwned").exists()


# --- Python API --------------------------------------------------------------------------------

def test_api_session_keeps_the_profiles_other_settings(tmp_path, monkeypatch):
    """samlcreds.session(profile='t') forces botocore's profile to None, so [profile t]'s
    endpoint_url / ca_bundle / retries... are dropped (and [default]'s used instead)."""
    env = _isolated_env(tmp_path, "[default]\nregion = ap-south-1\n\n[profile t]\n" + PROFILE_BODY
                        + "endpoint_url = http://127.0.0.1:9/\nregion = us-east-1\n")
    for key in list(os.environ):
        if key.startswith(("AWS_", "SAMLCREDS_")):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import samlcreds

    client = samlcreds.session(profile="t").client("sts")
    assert client.meta.endpoint_url.startswith("http://127.0.0.1:9"), client.meta.endpoint_url


def test_api_single_flight_across_threads(sandbox_env, monkeypatch):
    """The lock is re-entrant per *process* (cache._HELD), so a second thread walks straight
    into the held lock and signs in too: N threads -> N IdP sign-ins."""
    from samlcreds import config, flow
    import samlcreds

    config.write_profile_settings("t", {"saml_username": "bob", "saml_role_arn": "111111111111:ReadOnly"})
    calls: list[str] = []
    original = flow.login

    def slow_login(*args, **kwargs):
        calls.append(threading.current_thread().name)
        time.sleep(1.0)
        return original(*args, **kwargs)

    monkeypatch.setattr(flow, "login", slow_login)
    errors: list[BaseException] = []

    def work():
        try:
            samlcreds.credentials(profile="t", get_password=lambda prompt: "bob-pw")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, name=f"T{i}") for i in range(4)]
    threads[0].start()
    time.sleep(0.4)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(calls) == 1, calls


def test_invalid_region_is_a_usage_error(sandbox_env, tmp_path):
    saml = subprocess.run([sys.executable, "-m", "sandbox.saml", "bob", "bob-pw"], capture_output=True,
                          text=True, check=True).stdout
    path = tmp_path / "bob.b64"
    path.write_text(saml)
    result = run_cli(["login", "--saml-file", str(path), "--region", "not a region", "--print", "json"])
    assert "Traceback" not in result.stderr, result.stderr[-300:]
    assert result.returncode == 2, result.returncode


# --- a live IdP session: the password piped in was never checked -------------------------------

def test_reused_idp_session_says_the_password_was_not_checked_on_the_error_path(sandbox_env):
    first = run_cli(["login", "--profile", "c", "--username", "carol", "--password-stdin",
                     "--role", "111111111111:Developer"], input="carol-pw\n")
    assert first.returncode == 0, first.stderr
    assert "not checked" not in first.stderr  # the password was used
    wrong = run_cli(["login", "--profile", "c", "--username", "carol", "--password-stdin"], input="wrong-pw\n")
    assert wrong.returncode == 2, wrong.stderr  # carol has several roles and there is no terminal
    assert "several roles" in wrong.stderr
    assert "the IdP session was still valid, so the password was not checked" in wrong.stderr
