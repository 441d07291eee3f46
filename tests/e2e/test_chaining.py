"""Role chaining (role_arn + source_profile over a samlcreds profile) in every command, the API and the AWS CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import boto3
import pytest
from moto.backends import get_backend

from tests.helpers import run_cli

SOURCE_ROLE = "arn:aws:iam::111111111111:role/ReadOnly"
TARGET_ROLE = "arn:aws:iam::222222222222:role/Deploy"
TARGET_ASSUMED = "arn:aws:sts::222222222222:assumed-role/Deploy/"


def assume_role_calls() -> int:
    """AssumeRole sessions moto's STS has issued for TARGET_ROLE."""
    return sum(role.role_arn == TARGET_ROLE for backend in get_backend("sts")["222222222222"].values()
               for role in getattr(backend, "assumed_roles", []))


def append_config(text: str) -> None:
    with open(os.environ["AWS_CONFIG_FILE"], "a") as handle:
        handle.write(text)


@pytest.fixture
def chained(sandbox_env, sandbox_sts, sandbox_idp):
    """[profile saml] signs in as bob (credential_process too); [profile chained] assumes Deploy from it."""
    sandbox_sts.create_chain_role(TARGET_ROLE, SOURCE_ROLE)
    result = run_cli(["configure", "--profile", "saml", "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "bob", "--credential-process"])
    assert result.returncode == 0, result.stderr
    append_config(f"\n[profile chained]\nrole_arn = {TARGET_ROLE}\nsource_profile = saml\n"
                  "role_session_name = chain-test\n")
    result = run_cli(["login", "--profile", "saml", "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    return sandbox_idp.login_count(), len(sandbox_sts.calls)


def caller_arn(doc: dict) -> str:
    session = boto3.Session(aws_access_key_id=doc["AccessKeyId"], aws_secret_access_key=doc["SecretAccessKey"],
                            aws_session_token=doc["SessionToken"])
    return session.client("sts").get_caller_identity()["Arn"]


def test_process_env_exec_and_cache(chained, sandbox_idp, sandbox_sts):
    before = assume_role_calls()
    result = run_cli(["process", "--profile", "chained"])
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert caller_arn(doc) == TARGET_ASSUMED + "chain-test"
    assert assume_role_calls() == before + 1
    again = run_cli(["process", "--profile", "chained"])
    assert json.loads(again.stdout)["AccessKeyId"] == doc["AccessKeyId"]  # the chained credentials are cached
    assert assume_role_calls() == before + 1

    env = run_cli(["env", "--profile", "chained"])
    assert env.returncode == 0 and doc["AccessKeyId"] in env.stdout
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    run = run_cli(["exec", "--profile", "chained", "--", sys.executable, "-c", code])
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == TARGET_ASSUMED + "chain-test"
    server = run_cli(["exec", "--server", "--profile", "chained", "--", sys.executable, "-c",
                      "import boto3, botocore.session; print(botocore.session.Session().get_credentials().method,"
                      " boto3.client('sts').get_caller_identity()['Arn'])"])
    assert server.returncode == 0, server.stderr
    assert server.stdout.split() == ["container-role", TARGET_ASSUMED + "chain-test"]
    # no SAML sign-in, no AssumeRoleWithSAML while the source's credentials are cached
    assert (sandbox_idp.login_count(), len(sandbox_sts.calls)) == chained


def test_console_for_a_chained_profile(chained, sandbox_sts):
    result = run_cli(["console", "--profile", "chained", "--print"])
    assert result.returncode == 0, result.stderr
    token = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(result.stdout.strip()).query))["SigninToken"]
    issued = sandbox_sts.federation.issued[-1]
    assert issued["token"] == token and issued["role_arn"] == TARGET_ASSUMED + "chain-test"


def test_aws_cli_resolves_the_chain_itself(chained, sandbox_idp, sandbox_sts):
    aws = Path(sys.executable).with_name("aws")
    cli = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", "chained", "--output", "json"],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"] == TARGET_ASSUMED + "chain-test"
    assert (sandbox_idp.login_count(), len(sandbox_sts.calls)) == chained


def test_login_writes_chained_credentials_and_the_api(chained, sandbox_env):
    result = run_cli(["login", "--profile", "chained"])
    assert result.returncode == 0, result.stderr
    assert "chained: saml -> chained" in result.stderr
    text = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"]).read_text()
    assert "[chained]" in text and "aws_session_token" in text
    import configparser

    parser = configparser.RawConfigParser()
    parser.read_string(text)
    section = parser["chained"]
    doc = {"AccessKeyId": section["aws_access_key_id"], "SecretAccessKey": section["aws_secret_access_key"],
           "SessionToken": section["aws_session_token"]}
    assert caller_arn(doc) == TARGET_ASSUMED + "chain-test"

    import samlcreds

    session = samlcreds.session("chained")
    assert session.client("sts").get_caller_identity()["Arn"] == TARGET_ASSUMED + "chain-test"


def test_source_with_saml_keys_directly(sandbox_env, sandbox_sts, sandbox_idp):
    sandbox_sts.create_chain_role(TARGET_ROLE, SOURCE_ROLE)
    result = run_cli(["configure", "--profile", "direct", "--provider", "form", "--url",
                      os.environ["SAMLCREDS_URL"], "--username", "bob"])
    assert result.returncode == 0, result.stderr
    append_config(f"\n[profile hop]\nrole_arn = {TARGET_ROLE}\nsource_profile = direct\nduration_seconds = 900\n")
    result = run_cli(["login", "--profile", "direct", "--password-stdin", "--print", "json"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    logins = sandbox_idp.login_count()
    result = run_cli(["process", "--profile", "hop"])
    assert result.returncode == 0, result.stderr
    assert caller_arn(json.loads(result.stdout)).startswith(TARGET_ASSUMED + "samlcreds-")
    assert sandbox_idp.login_count() == logins


def test_two_hour_chained_session_is_refused_before_sts(chained, sandbox_sts):
    append_config(f"\n[profile long]\nrole_arn = {TARGET_ROLE}\nsource_profile = saml\nduration_seconds = 7200\n")
    before, calls = assume_role_calls(), len(sandbox_sts.calls)
    result = run_cli(["process", "--profile", "long"])
    assert result.returncode == 2
    assert "duration_seconds 7200" in result.stderr and "3600 seconds (1 hour)" in result.stderr
    assert "Traceback" not in result.stderr
    assert (assume_role_calls(), len(sandbox_sts.calls)) == (before, calls)


def test_mfa_serial_and_foreign_sources_are_refused(chained):
    append_config(f"\n[profile mfa]\nrole_arn = {TARGET_ROLE}\nsource_profile = saml\n"
                  "mfa_serial = arn:aws:iam::111111111111:mfa/bob\n"
                  f"\n[profile plain]\naws_access_key_id = AKIAEXAMPLE\n"
                  f"\n[profile foreign]\nrole_arn = {TARGET_ROLE}\nsource_profile = plain\n"
                  f"\n[profile loop1]\nrole_arn = {TARGET_ROLE}\nsource_profile = loop2\n"
                  f"\n[profile loop2]\nrole_arn = {TARGET_ROLE}\nsource_profile = loop1\n")
    mfa = run_cli(["env", "--profile", "mfa"])
    assert mfa.returncode == 2 and "mfa_serial" in mfa.stderr and "Traceback" not in mfa.stderr
    foreign = run_cli(["env", "--profile", "foreign"])
    assert foreign.returncode == 2 and "does not sign in with samlcreds" in foreign.stderr
    loop = run_cli(["env", "--profile", "loop1"])
    assert loop.returncode == 2 and "source_profile loop" in loop.stderr


def test_botocore_reads_a_chained_credential_process_from_the_cache(chained, sandbox_env, sandbox_idp, sandbox_sts,
                                                                      tmp_path):
    import configparser

    parser = configparser.RawConfigParser()
    parser.read(sandbox_env["AWS_CONFIG_FILE"])
    samlcreds_cmd = parser["profile saml"]["credential_process"].rsplit(" process --profile ", 1)[0]  # its path
    log = tmp_path / "imports.log"
    # [profile deploy] is what a user writes; [profile traced] runs the same command with Python's import log on
    append_config(f"\n[profile deploy]\ncredential_process = {samlcreds_cmd} process --profile chained\n"
                  f"\n[profile traced]\ncredential_process = /bin/sh -c "
                  f"'PYTHONPROFILEIMPORTTIME=1 exec \"$0\" \"$@\" 2>>{log}' {samlcreds_cmd} process --profile chained\n")
    before, signed_in = assume_role_calls(), (sandbox_idp.login_count(), len(sandbox_sts.calls))

    aws = Path(sys.executable).with_name("aws")
    cli = subprocess.run([str(aws), "sts", "get-caller-identity", "--profile", "deploy", "--output", "json"],
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"] == TARGET_ASSUMED + "chain-test"
    assert assume_role_calls() == before + 1  # a cold chained cache: one AssumeRole, the source from its cache

    read = ("import boto3\n"
            "for profile in ('deploy', 'traced'):\n"
            "    creds = boto3.Session(profile_name=profile).get_credentials()\n"
            "    print(creds.method, creds.get_frozen_credentials().access_key)\n")
    again = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    methods, keys = zip(*(line.split() for line in again.stdout.splitlines()))
    assert methods == ("custom-process", "custom-process") and len(set(keys)) == 1
    assert caller_arn(json.loads(run_cli(["process", "--profile", "chained"]).stdout)) == TARGET_ASSUMED + "chain-test"
    # served from samlcreds' cache: no AssumeRole, no sign-in, no AssumeRoleWithSAML
    assert assume_role_calls() == before + 1
    assert (sandbox_idp.login_count(), len(sandbox_sts.calls)) == signed_in
    modules = {line.split("|")[-1].strip() for line in log.read_text().splitlines() if "|" in line}
    assert "samlcreds.chainkey" in modules  # the chained key was computed on the light path...
    assert not {name.split(".")[0] for name in modules} & {"botocore", "boto3", "click"}  # ...and nothing heavy


def test_login_on_a_chained_profile_signs_its_source_in_with_the_flags_given(sandbox_env, sandbox_sts, sandbox_idp):
    """--username (and every sign-in flag) is the source's; the role flags are refused, not ignored."""
    sandbox_sts.create_chain_role(TARGET_ROLE, SOURCE_ROLE)
    result = run_cli(["configure", "--profile", "nameless", "--provider", "form", "--url", os.environ["SAMLCREDS_URL"]])
    assert result.returncode == 0, result.stderr
    append_config(f"\n[profile hop]\nrole_arn = {TARGET_ROLE}\nsource_profile = nameless\n"
                  "role_session_name = hop-test\n")
    refused = run_cli(["login", "--profile", "hop", "--role", "Admin", "--username", "bob", "--password-stdin"],
                      input="bob-pw\n")
    assert refused.returncode == 2
    assert "--role does not go with profile hop: it chains, assuming its role_arn with the credentials of " \
           "source_profile nameless" in refused.stderr
    logins = sandbox_idp.login_count()
    result = run_cli(["login", "--profile", "hop", "--username", "bob", "--password-stdin", "--print", "json"],
                     input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert caller_arn(json.loads(result.stdout)) == TARGET_ASSUMED + "hop-test"
    assert sandbox_idp.login_count() == logins + 1


def test_login_on_a_chained_profile_takes_a_saml_response_for_its_source(sandbox_env, sandbox_sts, sandbox_idp,
                                                                         tmp_path):
    from sandbox.idp import fetch_saml_response

    sandbox_sts.create_chain_role(TARGET_ROLE, SOURCE_ROLE)
    append_config(f"\n[profile pasted]\nsaml_provider = paste\n\n[profile hop2]\nrole_arn = {TARGET_ROLE}\n"
                  "source_profile = pasted\nrole_session_name = hop2-test\n")
    saml = tmp_path / "bob.b64"
    saml.write_text(fetch_saml_response(sandbox_idp, "bob", "bob-pw"))
    result = run_cli(["login", "--profile", "hop2", "--saml-file", str(saml), "--print", "json"])
    assert result.returncode == 0, result.stderr
    assert caller_arn(json.loads(result.stdout)) == TARGET_ASSUMED + "hop2-test"
