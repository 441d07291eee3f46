"""``login --all-roles`` / ``configure --all-roles`` and account names, against the sandbox (carol: 2 accounts)."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
from moto.backends import get_backend

from sandbox.idp import fetch_saml_response
from tests.helpers import run_cli

DEV = "arn:aws:sts::111111111111:assumed-role/Developer/carol@example.com"
AUDITOR = "arn:aws:sts::222222222222:assumed-role/Auditor/carol@example.com"


def wait_for_aliases(path: Path, accounts: set, limit: float = 30.0) -> dict:
    """The alias file once it holds every account of ``accounts`` (the lookup runs after the command)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError):
            stored = {}
        if accounts <= set(stored) or time.monotonic() > deadline:
            return stored
        time.sleep(0.05)


def configure_carol(profile="org"):
    result = run_cli(["configure", "--profile", profile, "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "carol"])
    assert result.returncode == 0, result.stderr


def name_accounts():
    with open(os.environ["AWS_CONFIG_FILE"], "a") as handle:
        handle.write("\n[default]\nsaml_account_names = 111111111111=prod, 222222222222=shared\n")


def credentials_sections(env) -> dict:
    parser = configparser.RawConfigParser()
    parser.read(env["AWS_SHARED_CREDENTIALS_FILE"])
    return {name: dict(parser[name]) for name in parser.sections()}


def test_one_sign_in_every_role_named_profiles_and_reruns(sandbox_env, sandbox_idp, sandbox_sts):
    configure_carol()
    name_accounts()
    logins, calls = sandbox_idp.login_count(), len(sandbox_sts.calls)
    result = run_cli(["login", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    assert sandbox_idp.login_count() == logins + 1  # one password sign-in
    assert len(sandbox_sts.calls) == calls + 2  # one AssumeRoleWithSAML per role
    assert {c["RoleArn"] for c in sandbox_sts.calls[-2:]} == {"arn:aws:iam::111111111111:role/Developer",
                                                                "arn:aws:iam::222222222222:role/Auditor"}
    assert "ok      [prod-Developer] Developer in prod (111111111111)" in result.stderr
    assert "ok      [shared-Auditor] Auditor in shared (222222222222)" in result.stderr
    sections = credentials_sections(sandbox_env)
    assert sorted(sections) == ["prod-Developer", "shared-Auditor"]
    for profile, arn in (("prod-Developer", DEV), ("shared-Auditor", AUDITOR)):
        assert boto3.Session(profile_name=profile).client("sts").get_caller_identity()["Arn"] == arn
    first_key = sections["prod-Developer"]["aws_access_key_id"]

    again = run_cli(["login", "--profile", "org", "--all-roles", "--print", "json"])  # IdP session: no password
    assert again.returncode == 0, again.stderr
    printed = json.loads(again.stdout)
    assert [(p["profile"], p["account_name"], p["ok"]) for p in printed] == [
        ("prod-Developer", "prod", True), ("shared-Auditor", "shared", True)]
    assert all(p["credentials"]["Version"] == 1 for p in printed)
    assert credentials_sections(sandbox_env)["prod-Developer"]["aws_access_key_id"] == first_key  # printed only

    rerun = run_cli(["login", "--profile", "org", "--all-roles", "--profile-template", "{account_id}-{role}"])
    assert rerun.returncode == 0, rerun.stderr
    rerun = run_cli(["login", "--profile", "org", "--all-roles"])
    assert rerun.returncode == 0, rerun.stderr
    sections = credentials_sections(sandbox_env)
    assert sorted(sections) == ["111111111111-Developer", "222222222222-Auditor", "prod-Developer",
                                "shared-Auditor"]
    assert sections["prod-Developer"]["aws_access_key_id"] != first_key  # updated in place
    assert sandbox_idp.login_count() == logins + 1


def test_one_failure_does_not_stop_the_others(sandbox_env, sandbox_sts):
    configure_carol()
    sandbox_sts.fail_next("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)
    result = run_cli(["login", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert result.returncode == 5, result.stderr
    assert result.stderr.count("FAILED  [") == 1 and result.stderr.count("ok      [") == 1
    assert "Wrote 1 of 2 profile(s)" in result.stderr
    assert len(credentials_sections(sandbox_env)) == 1


def test_template_errors_are_refused_before_sts(sandbox_env, sandbox_sts):
    configure_carol()
    calls = len(sandbox_sts.calls)
    bad = run_cli(["login", "--profile", "org", "--all-roles", "--password-stdin", "--profile-template", "{acct}"],
                  input="carol-pw\n")
    assert bad.returncode == 2 and "unknown placeholder(s) acct" in bad.stderr
    clash = run_cli(["login", "--profile", "org", "--all-roles", "--profile-template", "same"])
    assert clash.returncode == 2 and "the same profile name" in clash.stderr
    assert len(sandbox_sts.calls) == calls


def test_configure_all_roles_writes_credential_process_profiles(sandbox_env, sandbox_idp):
    configure_carol()
    name_accounts()
    otp = run_cli(["configure", "--profile", "org", "--otp-command", "pass otp org/idp",  # this IdP asks none
                   "--browser", "/usr/bin/chromium"])  # nor uses a browser: copied all the same
    assert otp.returncode == 0, otp.stderr
    result = run_cli(["configure", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    text = Path(sandbox_env["AWS_CONFIG_FILE"]).read_text()
    assert "[profile prod-Developer]" in text and "[profile shared-Auditor]" in text
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    for section in ("profile prod-Developer", "profile shared-Auditor"):  # their refreshes get codes the same way
        assert parser[section]["saml_otp_command"] == "pass otp org/idp"
        assert parser[section]["saml_browser"] == "/usr/bin/chromium"
        assert parser[section]["saml_role_arn"] != parser["profile org"].get("saml_role_arn")
    aws = Path(sys.executable).with_name("aws")
    logins = sandbox_idp.login_count()
    cli = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", "shared-Auditor", "--output", "json"],
                         capture_output=True, text=True, timeout=120, env=dict(os.environ, SAMLCREDS_NO_TTY="1"))
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"] == AUDITOR
    assert sandbox_idp.login_count() == logins  # the IdP session of the configure sign-in


def test_account_alias_is_looked_up_once_and_named_everywhere(sandbox_env, sandbox_idp):
    iam = get_backend("iam")["222222222222"]["aws"]
    iam.create_account_alias("shared-alias")
    try:
        configure_carol()
        result = run_cli(["login", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
        assert result.returncode == 0, result.stderr
        assert "[222222222222-Auditor]" in result.stderr  # not known yet at naming time
        # looked up by a detached process after the command returned
        stored = wait_for_aliases(Path(sandbox_env["XDG_CACHE_HOME"]) / "samlcreds" / "account-aliases.json",
                                  {"111111111111", "222222222222"})
        assert stored["222222222222"]["alias"] == "shared-alias"
        assert stored["111111111111"]["alias"] is None  # none: remembered too, not asked again
        assert oct((Path(sandbox_env["XDG_CACHE_HOME"]) / "samlcreds" / "account-aliases.json").stat().st_mode
                   & 0o777) == "0o600"
        roles = run_cli(["roles", "--profile", "org", "--output", "json"])
        assert roles.returncode == 0, roles.stderr
        assert {r["account_id"]: r["account_name"] for r in json.loads(roles.stdout)} == {
            "111111111111": None, "222222222222": "shared-alias"}
        text = run_cli(["roles", "--profile", "org"])
        assert "Account shared-alias (222222222222)" in text.stdout
        again = run_cli(["login", "--profile", "org", "--all-roles"])
        assert "[shared-alias-Auditor]" in again.stderr
    finally:
        iam.delete_account_alias()


def test_decode_names_accounts(sandbox_env, sandbox_idp, tmp_path):
    name_accounts()
    path = tmp_path / "response.b64"
    path.write_text(fetch_saml_response(sandbox_idp, "carol", "carol-pw"))
    result = run_cli(["decode", "--output", "json", str(path)])
    assert result.returncode == 0, result.stderr
    assert [r["account_name"] for r in json.loads(result.stdout)["roles"]] == ["prod", "shared"]
    text = run_cli(["decode", str(path)])
    assert "account shared" in text.stdout


def test_picker_shows_account_names(sandbox_env):
    from tests.e2e.test_terminal import Tty

    name_accounts()
    tty = Tty("login", "--profile", "pick", "--username", "carol")
    tty.expect("Password for carol")
    tty.send("carol-pw")
    tty.expect("Account prod (111111111111)")
    tty.expect("Account shared (222222222222)")
    tty.expect("Role [1-2]:")
    tty.send("2")
    assert tty.wait() == 0, tty.output.decode(errors="replace")
    assert boto3.Session(profile_name="pick").client("sts").get_caller_identity()["Arn"] == AUDITOR


def test_login_all_roles_leaves_profiles_with_samlcreds_credential_process_alone(sandbox_env, sandbox_idp):
    configure_carol()
    name_accounts()
    made = run_cli(["configure", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert made.returncode == 0, made.stderr
    result = run_cli(["login", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    assert "Not written: prod-Developer" in result.stderr
    credentials = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    text = credentials.read_text() if credentials.exists() else ""
    assert "[prod-Developer]" not in text and "[shared-Auditor]" not in text  # they keep refreshing themselves


def test_configure_all_roles_after_login_all_roles_names_the_keys_that_would_win(sandbox_env, sandbox_idp):
    """login --all-roles wrote static keys for the same profiles: configure --all-roles says so (they would be
    used instead of its credential_process), says which profiles it updated, and removes the keys when asked."""
    configure_carol()
    name_accounts()
    result = run_cli(["login", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    assert {"prod-Developer", "shared-Auditor"} <= set(credentials_sections(sandbox_env))
    with open(os.environ["AWS_CONFIG_FILE"], "a") as handle:
        handle.write("\n[profile prod-Developer]\nregion = eu-west-1\n")
    result = run_cli(["configure", "--profile", "org", "--all-roles", "--password-stdin"], input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    assert "[profile prod-Developer] arn:aws:iam::111111111111:role/Developer (updated)" in result.stderr
    assert "[profile shared-Auditor] arn:aws:iam::222222222222:role/Auditor\n" in result.stderr
    assert "warning: [prod-Developer], [shared-Auditor] hold temporary keys in " in result.stderr
    assert "Remove them: run this again with --remove-static-keys." in result.stderr
    result = run_cli(["configure", "--profile", "org", "--all-roles", "--remove-static-keys", "--password-stdin"],
                     input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    assert "Removed the temporary keys of [prod-Developer], [shared-Auditor] from " in result.stderr
    sections = credentials_sections(sandbox_env)
    assert not any("aws_access_key_id" in sections.get(name, {}) for name in ("prod-Developer", "shared-Auditor"))
    parser = configparser.RawConfigParser()
    parser.read(os.environ["AWS_CONFIG_FILE"])
    assert parser["profile prod-Developer"]["region"] == "eu-west-1"  # the profile's own keys stay
