"""End to end through the second, independently written IdP: LemonLDAP::NG 2.16 (Perl + Lasso).

form provider → LemonLDAP's portal (Demo users, password = user name) → signed SAMLResponse →
the strict STS (provider ``LemonLdapIdP``, trusting LemonLDAP's own certificate) → boto3.
"""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import boto3

from sandbox.lemonldap import PROVIDER_NAME, fetch_saml_response
from tests.helpers import run_cli


def test_lemonldap_signs_what_the_strict_sts_accepts(lemonldap_idp, sandbox_sts):
    """The sandbox's own view first: LemonLDAP's assertion passes every strict-STS check."""
    saml = fetch_saml_response(lemonldap_idp, "rtyler", "rtyler")
    xml = base64.b64decode(saml).decode()
    assert f"Issuer>{lemonldap_idp.entity_id}<" in xml
    out = sandbox_sts.client("sts").assume_role_with_saml(
        RoleArn="arn:aws:iam::111111111111:role/ReadOnly",
        PrincipalArn=f"arn:aws:iam::111111111111:saml-provider/{PROVIDER_NAME}", SAMLAssertion=saml)
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111111111111:assumed-role/ReadOnly/rtyler@badwolf.org"


def test_password_only_user_form_login(lemonldap_env, lemonldap_idp):
    before = lemonldap_idp.login_count("rtyler")
    result = run_cli(["login", "--profile", "llng", "--username", "rtyler", "--password-stdin"], input="rtyler\n")
    assert result.returncode == 0, result.stderr
    assert "Wrote credentials" in result.stderr
    assert lemonldap_idp.login_count("rtyler") == before + 1
    creds_file = Path(lemonldap_env["AWS_SHARED_CREDENTIALS_FILE"])
    assert stat.S_IMODE(creds_file.stat().st_mode) == 0o600

    session = boto3.Session(profile_name="llng", region_name="us-east-1")
    arn = session.client("sts").get_caller_identity()["Arn"]
    assert arn == "arn:aws:sts::111111111111:assumed-role/ReadOnly/rtyler@badwolf.org"
    session.client("ec2").describe_instances()  # IAM auth is on: the keys must be the STS's


def test_several_roles_from_one_multivalued_attribute(lemonldap_env):
    """LemonLDAP splits the ``;``-joined macro into several Role values; samlcreds reads both orders."""
    result = run_cli(["login", "--username", "msmith", "--password-stdin"], input="msmith\n")
    assert result.returncode == 2
    assert "arn:aws:iam::111111111111:role/Developer" in result.stderr
    assert "arn:aws:iam::111111111111:role/team/ops/Admin" in result.stderr
    result = run_cli(["login", "--username", "msmith", "--password-stdin", "--role", "team/ops/Admin",
                      "--print", "json"], input="msmith\n")
    assert result.returncode == 0, result.stderr
    assert '"AccessKeyId"' in result.stdout


def test_wrong_password_is_refused_once(lemonldap_env, lemonldap_idp):
    before = lemonldap_idp.failed_logins("rtyler")
    result = run_cli(["login", "--username", "rtyler", "--password-stdin"], input="not-rtyler\n")
    assert result.returncode == 3, result.stderr
    assert "password was refused" in result.stderr
    assert "not-rtyler" not in result.stderr and "Traceback" not in result.stderr
    assert lemonldap_idp.failed_logins("rtyler") == before + 1  # never retried
