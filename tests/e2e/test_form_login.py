"""End to end: form login at the sandbox IdP → strict STS → credentials file → boto3 and the AWS CLI."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.exceptions
import pytest

from tests.helpers import run_cli

USERS = {
    "alice": ("alice-pw", "111111111111:Developer", "arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com"),
    "bob": ("bob-pw", None, "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"),
    "carol": ("carol-pw", "222222222222:Auditor", "arn:aws:sts::222222222222:assumed-role/Auditor/carol@example.com"),
}


def aws_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    aws = Path(sys.executable).with_name("aws")
    return subprocess.run([str(aws), *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("user", sorted(USERS))
def test_form_login_writes_profile_used_by_boto3_and_aws_cli(user, sandbox_env, sandbox_idp):
    password, role, assumed = USERS[user]
    args = ["login", "--profile", "work", "--username", user, "--password-stdin"]
    if role:
        args += ["--role", role]
    result = run_cli(args, input=password + "\n")
    assert result.returncode == 0, result.stderr
    assert "Wrote credentials" in result.stderr
    creds_file = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600

    session = boto3.Session(profile_name="work", region_name="us-east-1")
    assert session.client("sts").get_caller_identity()["Arn"].lower() == assumed.lower()
    session.client("ec2").describe_instances()

    cli = aws_cli("sts", "get-caller-identity", "--profile", "work", "--output", "json", env=dict(os.environ))
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"].lower() == assumed.lower()


def test_wrong_secret_is_refused_with_auth_on(sandbox_env):
    """Proof that moto's auth enforcement checks what we wrote (the test above is not vacuous)."""
    result = run_cli(["login", "--profile", "w", "--username", "bob", "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    creds = boto3.Session(profile_name="w").get_credentials()
    bad = boto3.Session(aws_access_key_id=creds.access_key, aws_secret_access_key="x" * 40,
                        aws_session_token=creds.token, region_name="us-east-1")
    with pytest.raises(botocore.exceptions.ClientError):
        bad.client("ec2").describe_instances()


def test_wrong_password_is_a_clear_error(sandbox_env):
    result = run_cli(["login", "--username", "alice", "--password-stdin"], input="nope\n")
    assert result.returncode == 3
    assert "password was refused" in result.stderr
    assert "Traceback" not in result.stderr
    assert "nope" not in result.stderr


def test_several_roles_without_terminal_lists_them(sandbox_env):
    result = run_cli(["login", "--username", "alice", "--password-stdin"], input="alice-pw\n")
    assert result.returncode == 2
    assert "arn:aws:iam::111111111111:role/Developer" in result.stderr
    assert "arn:aws:iam::111111111111:role/team/ops/Admin" in result.stderr
    assert "--role" in result.stderr


def test_unknown_role_lists_offered_roles(sandbox_env):
    result = run_cli(["login", "--username", "alice", "--password-stdin", "--role", "Nope"], input="alice-pw\n")
    assert result.returncode == 2
    assert "'Nope' is not among" in result.stderr and "role/Developer" in result.stderr


def test_print_json_and_env(sandbox_env):
    result = run_cli(["login", "--username", "bob", "--password-stdin", "--print", "json"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["Version"] == 1 and doc["Expiration"].endswith("Z")
    assert set(doc) >= {"AccessKeyId", "SecretAccessKey", "SessionToken"}
    assert not Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"]).exists()
    for shell, marker in (("sh", "export AWS_SESSION_TOKEN="), ("fish", "set -gx AWS_SESSION_TOKEN"),
                          ("powershell", "$Env:AWS_SESSION_TOKEN = "), ("zsh", "export AWS_SESSION_TOKEN=")):
        result = run_cli(["login", "--username", "bob", "--password-stdin", "--print", "env", "--shell", shell],
                         input="bob-pw\n")
        assert result.returncode == 0, result.stderr
        assert marker in result.stdout


def test_duration_is_sent_and_expiry_is_sts(sandbox_env, sandbox_sts):
    result = run_cli(["login", "--username", "bob", "--password-stdin", "--duration", "900", "--print", "json"],
                     input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert sandbox_sts.calls[-1]["DurationSeconds"] == "900"
    result = run_cli(["login", "--username", "bob", "--password-stdin", "--duration", "7200"], input="bob-pw\n")
    assert result.returncode == 5
    assert "maximum session duration" in result.stderr and "shorter --duration" in result.stderr
    result = run_cli(["login", "--username", "bob", "--password-stdin", "--duration", "60"], input="bob-pw\n")
    assert result.returncode == 2 and "900-43200" in result.stderr
