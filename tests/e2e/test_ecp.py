"""End to end: the ``ecp`` provider (SAML ECP, one SOAP request with Basic credentials) against
SimpleSAMLphp's ECP endpoint → strict STS → credentials that work with boto3 under IAM auth."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import boto3

from tests.helpers import run_cli


def test_ecp_lists_the_roles(sandbox_env, sandbox_idp):
    result = run_cli(["roles", "--provider", "ecp", "--url", sandbox_idp.ecp_url, "--username", "carol",
                      "--password-stdin", "--output", "json"], input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    pairs = {(r["role_arn"], r["principal_arn"]) for r in json.loads(result.stdout)}
    assert pairs == {
        ("arn:aws:iam::111111111111:role/Developer", "arn:aws:iam::111111111111:saml-provider/SandboxIdP"),
        ("arn:aws:iam::222222222222:role/Auditor", "arn:aws:iam::222222222222:saml-provider/SandboxIdP"),
    }


def test_ecp_wrong_password_exits_3_without_retry(sandbox_env, sandbox_idp):
    before = sandbox_idp.login_count()
    ssp_log_before = sandbox_idp.ssp_log.read_text(errors="replace").count("WRONGUSERPASS")
    result = run_cli(["login", "--provider", "ecp", "--url", sandbox_idp.ecp_url, "--username", "bob",
                      "--password-stdin"], input="not-bobs\n")
    assert result.returncode == 3, result.stderr
    assert "password was refused" in result.stderr and "Responder" in result.stderr
    assert "not-bobs" not in result.stderr and "Traceback" not in result.stderr
    assert sandbox_idp.login_count() == before
    # one refused attempt reached the IdP: a refused password is never retried
    assert sandbox_idp.ssp_log.read_text(errors="replace").count("WRONGUSERPASS") - ssp_log_before == 1
    assert not Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"]).exists()


def test_ecp_full_login_credentials_work_against_the_strict_sts(sandbox_env, sandbox_idp, sandbox_sts, monkeypatch):
    monkeypatch.delenv("SAMLCREDS_URL")  # the profile's saml_url, as a user would have it
    configured = run_cli(["configure", "--profile", "ecp", "--provider", "ecp", "--url", sandbox_idp.ecp_url,
                          "--username", "bob"])
    assert configured.returncode == 0, configured.stderr
    assert "saml_provider = ecp" in Path(sandbox_env["AWS_CONFIG_FILE"]).read_text()
    before = sandbox_idp.login_count("bob")
    result = run_cli(["login", "--profile", "ecp", "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert sandbox_idp.login_count("bob") == before + 1
    sent = base64.b64decode(sandbox_sts.calls[-1]["SAMLAssertion"]).decode()
    assert "InResponseTo=" in sent  # answers our AuthnRequest (IdP-initiated SSO has none)

    session = boto3.Session(profile_name="ecp", region_name="us-east-1")
    arn = session.client("sts").get_caller_identity()["Arn"]
    assert arn.lower() == "arn:aws:sts::111111111111:assumed-role/readonly/bob@example.com"
    session.client("ec2").describe_instances()  # IAM auth is ON: only real STS keys pass
