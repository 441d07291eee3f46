"""credential_process, the cache, IdP session reuse and single flight, against the sandbox."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.session
import pytest

from tests.helpers import run_cli

BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"


def sso_requests(idp) -> int:
    """Requests the IdP's SSO endpoint has answered (each is one sign-in attempt)."""
    return sum("SSOService.php" in line for line in idp.server_log.read_text(errors="replace").splitlines())


def cache_dir(env) -> Path:
    return Path(env["XDG_CACHE_HOME"]) / "samlcreds" / "credentials"


def configure(profile: str, *extra: str) -> None:
    result = run_cli(["configure", "--profile", profile, "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "bob", "--credential-process", *extra])
    assert result.returncode == 0, result.stderr
    assert "credential_process" in Path(os.environ["AWS_CONFIG_FILE"]).read_text()


def test_botocore_and_aws_cli_use_process_output_then_the_cache(sandbox_env, sandbox_idp, sandbox_sts):
    configure("cp")
    result = run_cli(["login", "--profile", "cp", "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert "credential_process" in result.stderr
    assert not Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"]).exists()  # nothing to shadow the process
    logins, sts_calls = sandbox_idp.login_count(), len(sandbox_sts.calls)

    creds = botocore.session.Session(profile="cp").get_credentials()
    assert creds.method == "custom-process"
    assert creds.get_frozen_credentials().token
    identity = boto3.Session(profile_name="cp").client("sts").get_caller_identity()
    assert identity["Arn"] == BOB_ARN
    aws = Path(sys.executable).with_name("aws")
    cli = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", "cp", "--output", "json"],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"] == BOB_ARN
    # all of it served from the cache: no new login, no new STS call
    assert (sandbox_idp.login_count(), len(sandbox_sts.calls)) == (logins, sts_calls)
    files = list(cache_dir(sandbox_env).iterdir())
    assert files and all(oct(f.stat().st_mode & 0o777) == "0o600" for f in files)
    assert oct(cache_dir(sandbox_env).stat().st_mode & 0o777) == "0o700"


def age_cache_entries(env, seconds: float) -> None:
    """Make every cache entry look obtained ``seconds`` earlier (expiry moved back as well)."""
    for path in cache_dir(env).iterdir():
        stored = json.loads(path.read_text())
        stored["obtained_at"] -= seconds
        stored["expires_at"] -= seconds
        path.write_text(json.dumps(stored))


def test_900_s_credentials_are_cached_then_refreshed_through_the_idp_session(sandbox_env, sandbox_idp, sandbox_sts):
    configure("short", "--duration", "900")  # STS's minimum DurationSeconds
    assert run_cli(["login", "--profile", "short", "--password-stdin"], input="bob-pw\n").returncode == 0
    logins, sts_calls = sandbox_idp.login_count(), len(sandbox_sts.calls)
    warm = run_cli(["process", "--profile", "short"])
    assert warm.returncode == 0, warm.stderr
    assert len(sandbox_sts.calls) == sts_calls  # a cache hit: 15 minutes left is enough for 900-s credentials
    age_cache_entries(sandbox_env, 500)  # 400 s left: still over the 5-minute floor
    again = run_cli(["process", "--profile", "short"])
    assert json.loads(again.stdout) == json.loads(warm.stdout) and len(sandbox_sts.calls) == sts_calls
    age_cache_entries(sandbox_env, 150)  # 250 s left: under 5 minutes, never handed out
    fresh = run_cli(["process", "--profile", "short"])
    assert fresh.returncode == 0, fresh.stderr
    assert len(sandbox_sts.calls) == sts_calls + 1  # refreshed
    assert sandbox_idp.login_count() == logins  # no password: the IdP session was reused
    assert json.loads(fresh.stdout)["AccessKeyId"] != json.loads(warm.stdout)["AccessKeyId"]
    assert sandbox_sts.calls[-1]["DurationSeconds"] == "900"


def test_32_parallel_cold_calls_with_900_s_sessions_sign_in_once(sandbox_env, sandbox_idp, sandbox_sts):
    configure("par900", "--duration", "900")
    assert run_cli(["login", "--profile", "par900", "--password-stdin"], input="bob-pw\n").returncode == 0
    shutil.rmtree(cache_dir(sandbox_env))  # cold cache, live IdP session
    sso, sts_calls, logins = sso_requests(sandbox_idp), len(sandbox_sts.calls), sandbox_idp.login_count()
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda _: run_cli(["process", "--profile", "par900"]), range(32)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    assert len({r.stdout for r in results}) == 1
    assert sso_requests(sandbox_idp) - sso == 1
    assert len(sandbox_sts.calls) - sts_calls == 1
    assert sandbox_sts.calls[-1]["DurationSeconds"] == "900"
    assert sandbox_idp.login_count() == logins
    warm = run_cli(["process", "--profile", "par900"])
    assert warm.returncode == 0 and warm.stdout == results[0].stdout
    assert len(sandbox_sts.calls) - sts_calls == 1  # the warm call was a cache hit


def test_one_aws_command_with_a_900_s_profile_signs_in_once(sandbox_env, sandbox_idp, sandbox_sts):
    """botocore asks credential_process again when under 15 minutes are left: that must be a cache hit."""
    configure("cli900", "--duration", "900")
    assert run_cli(["login", "--profile", "cli900", "--password-stdin"], input="bob-pw\n").returncode == 0
    shutil.rmtree(cache_dir(sandbox_env))
    sso, sts_calls = sso_requests(sandbox_idp), len(sandbox_sts.calls)
    aws = Path(sys.executable).with_name("aws")
    cli = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", "cli900", "--output", "json",
                          "--debug"], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr[-2000:]
    assert json.loads(cli.stdout)["Arn"] == BOB_ARN
    assert "Credentials need to be refreshed" in cli.stderr  # botocore's advisory refresh did run the process
    assert sso_requests(sandbox_idp) - sso == 1
    assert len(sandbox_sts.calls) - sts_calls == 1


def test_corrupt_cache_entry_is_a_miss(sandbox_env, sandbox_sts):
    configure("corrupt")
    assert run_cli(["login", "--profile", "corrupt", "--password-stdin"], input="bob-pw\n").returncode == 0
    for path in cache_dir(sandbox_env).iterdir():
        path.write_text("{not json")
    before = len(sandbox_sts.calls)
    result = run_cli(["process", "--profile", "corrupt"])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Version"] == 1
    assert len(sandbox_sts.calls) == before + 1


def test_32_parallel_cold_calls_make_one_login_and_one_sts_call(sandbox_env, sandbox_idp, sandbox_sts):
    configure("par")
    assert run_cli(["login", "--profile", "par", "--password-stdin"], input="bob-pw\n").returncode == 0
    shutil.rmtree(cache_dir(sandbox_env))  # cold cache, live IdP session
    sso, sts_calls, logins = sso_requests(sandbox_idp), len(sandbox_sts.calls), sandbox_idp.login_count()
    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda _: run_cli(["process", "--profile", "par"]), range(32)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    assert len({r.stdout for r in results}) == 1
    doc = json.loads(results[0].stdout)
    assert doc["Expiration"].endswith("Z") and doc["SessionToken"]
    assert sso_requests(sandbox_idp) - sso == 1
    assert len(sandbox_sts.calls) - sts_calls == 1
    assert sandbox_idp.login_count() == logins


def test_no_terminal_and_no_idp_session_names_the_command(sandbox_env, sandbox_sts):
    configure("cold")
    result = run_cli(["process", "--profile", "cold"])
    assert result.returncode == 3
    assert result.stdout == ""
    assert "samlcreds login --profile cold" in result.stderr
    assert "Traceback" not in result.stderr


def test_static_keys_shadowing_credential_process_are_reported_and_removed(sandbox_env):
    creds = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    creds.write_text("[sh]\naws_access_key_id = ASIAOLD\naws_secret_access_key = x\naws_session_token = t\n"
                     "[keep]\naws_access_key_id = AKIAKEEP\n")
    result = run_cli(["configure", "--profile", "sh", "--url", "https://idp.example/sso", "--credential-process"])
    assert result.returncode == 0 and "instead of credential_process" in result.stderr
    result = run_cli(["configure", "--profile", "sh", "--credential-process", "--remove-static-keys"])
    assert result.returncode == 0, result.stderr
    assert creds.read_text() == "[sh]\n[keep]\naws_access_key_id = AKIAKEEP\n"
    # an IAM user's keys are named, never removed: they could not be recovered
    result = run_cli(["configure", "--profile", "keep", "--url", "https://idp.example/sso", "--credential-process",
                      "--remove-static-keys"])
    assert result.returncode == 0, result.stderr
    assert "warning: [keep] holds long-term access keys in " in result.stderr
    assert creds.read_text() == "[sh]\n[keep]\naws_access_key_id = AKIAKEEP\n"


def test_exec_env_and_logout(sandbox_env, sandbox_sts):
    configure("ex")
    assert run_cli(["login", "--profile", "ex", "--password-stdin"], input="bob-pw\n").returncode == 0
    env = dict(os.environ, AWS_PROFILE="other", AWS_ACCESS_KEY_ID="AKIAOUTER")
    code = ("import os,sys,boto3;"
            "assert 'AWS_PROFILE' not in os.environ;"
            "print(boto3.client('sts').get_caller_identity()['Arn']);sys.exit(7)")
    result = run_cli(["exec", "--profile", "ex", "--", sys.executable, "-c", code], env=env)
    assert result.returncode == 7, result.stderr
    assert result.stdout.strip() == BOB_ARN
    nested = run_cli(["exec", "--profile", "ex", "--", sys.executable, "-m", "samlcreds", "exec", "-p", "ex", "--",
                      "true"])
    assert nested.returncode == 2 and "refusing to nest" in nested.stderr
    result = run_cli(["env", "--profile", "ex"])
    assert result.returncode == 0 and "export AWS_SECRET_ACCESS_KEY=" in result.stdout
    for shell in ("bash", "zsh", "ksh", "dash"):  # the POSIX shells take sh's exports
        named = run_cli(["env", "--profile", "ex", "--shell", shell])
        assert (named.returncode, named.stdout) == (0, result.stdout), named.stderr
    for shell in ("bash", "dash"):  # as the shells themselves read them (zsh and ksh are not installed here)
        check = subprocess.run([shell, "-c", result.stdout + 'test -n "$AWS_SESSION_TOKEN" && printf %s "$AWS_ACCESS_KEY_ID"'],
                               capture_output=True, text=True)
        assert check.returncode == 0 and check.stdout in result.stdout and len(check.stdout) >= 16, check.stderr
    result = run_cli(["logout", "--profile", "ex"])
    assert result.returncode == 0, result.stderr
    result = run_cli(["process", "--profile", "ex"])
    assert result.returncode == 3 and "samlcreds login --profile ex" in result.stderr


# --- the interpreter fallback never imports from the AWS tool's current directory -----------------
PLANTED = 'open({marker!r}, "a").write(__name__ + "\\n")\n'


def cloned_repository(root: Path, names) -> tuple[Path, Path]:
    """A directory holding modules a hostile repository could ship; each records its import in the marker."""
    repo, marker = root / "cloned-repo", root / "imported-from-the-current-directory"
    for name in names:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(PLANTED.format(marker=str(marker)))
    return repo, marker


@pytest.mark.parametrize("planted", [("json.py",), ("samlcreds/__init__.py", "runpy.py")])
def test_the_python_fallback_imports_nothing_from_the_current_directory(planted, sandbox_env, sandbox_sts,
                                                                        tmp_path, monkeypatch):
    from samlcreds import config
    from samlcreds.cli.configure import python_command

    # no samlcreds script on PATH: configure writes the interpreter form
    result = run_cli(["configure", "--profile", "hc", "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "bob", "--credential-process"], env=dict(os.environ, PATH="/usr/bin:/bin"))
    assert result.returncode == 0, result.stderr
    written = config.read_profile("hc")["credential_process"]
    assert written.startswith(sys.executable + " ") and "samlcreds" in written, written
    assert run_cli(["login", "--profile", "hc", "--password-stdin"], input="bob-pw\n").returncode == 0
    repo, marker = cloned_repository(tmp_path, planted)
    aws = Path(sys.executable).with_name("aws")

    # what configure wrote (-P on 3.11+), then the form written for 3.10 (run here by this interpreter)
    for command in (written, shlex.join([*python_command(sys.executable, (3, 10)), "process", "--profile", "hc"])):
        config.write_profile_settings("hc", {"credential_process": command})
        cli = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", "hc", "--output", "json"],
                             cwd=repo, capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0, (command, cli.stderr)
        assert json.loads(cli.stdout)["Arn"] == BOB_ARN
        monkeypatch.chdir(repo)  # botocore's ProcessProvider in this process, from the same directory
        creds = botocore.session.Session(profile="hc").get_credentials()
        assert creds.method == "custom-process" and creds.get_frozen_credentials().token
        monkeypatch.chdir(tmp_path)
        assert not marker.exists(), (command, marker.read_text())


def test_a_cache_hit_to_a_full_disk_or_a_closed_pipe_is_a_message_not_a_traceback(sandbox_env, sandbox_idp):
    configure("full")
    result = run_cli(["login", "--profile", "full", "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    samlcreds = shutil.which("samlcreds", path=str(Path(sys.executable).parent))
    with open("/dev/full", "w") as full:
        hit = subprocess.run([samlcreds, "process", "--profile", "full"], stdout=full, stderr=subprocess.PIPE,
                             text=True, timeout=60)
    assert hit.returncode == 6
    assert hit.stderr == "samlcreds: error: cannot write to standard output: No space left on device\n"
    # the reader closed the pipe before the JSON came: no message (it asked for no more), no traceback
    piped = subprocess.run(f"{shlex.quote(samlcreds)} process --profile full | true", shell=True,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    assert "Traceback" not in piped.stderr and "Error" not in piped.stderr
