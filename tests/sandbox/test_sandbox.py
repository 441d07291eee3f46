"""Tests of the sandbox itself: real SimpleSAMLphp IdP + strict STS in front of moto."""

from __future__ import annotations

import base64
import datetime as dt
import os
import shlex
import subprocess
import sys
import time

import pytest
from botocore.exceptions import ClientError
from lxml import etree

from sandbox.idp import (
    ACS_GOVCLOUD, ACS_US_WEST_2, ATTR_ROLE, ATTR_SESSION_DURATION, ATTR_SESSION_NAME,
    IdpLoginError, SimpleSamlIdp, default_users, fetch_saml_response, provider_arn, role_arn,
)
from sandbox.sts import StrictSts
from tests.helpers import isolated_environ, run_cli

A, B = "111111111111", "222222222222"
PA, PB = provider_arn(A), provider_arn(B)
PAIRS = [
    ("alice", role_arn(A, "Developer"), PA),
    ("alice", role_arn(A, "team/ops/Admin"), PA),
    ("bob", role_arn(A, "ReadOnly"), PA),
    ("carol", role_arn(A, "Developer"), PA),
    ("carol", role_arn(B, "Auditor"), PB),
]


def assume(sts: StrictSts, saml: str, role: str, principal: str, **kw) -> dict:
    return sts.client("sts").assume_role_with_saml(RoleArn=role, PrincipalArn=principal, SAMLAssertion=saml, **kw)


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def role_values(saml: str) -> list[str]:
    root = etree.fromstring(base64.b64decode(saml))
    return root.xpath("//saml:Attribute[@Name=$n]/saml:AttributeValue/text()",
                      namespaces={"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}, n=ATTR_ROLE)


# ------------------------------------------------------------------------ IdP
@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
def test_each_user_logs_in_and_gets_signed_response(sandbox_idp, user):
    before = sandbox_idp.login_count(user)
    saml = fetch_saml_response(sandbox_idp, user, f"{user}-pw")
    xml = base64.b64decode(saml).decode()
    assert sorted(role_values(saml)) == sorted(sandbox_idp.users[user]["attributes"][ATTR_ROLE])
    assert f"{user}@example.com" in xml and ATTR_SESSION_NAME in xml and ATTR_SESSION_DURATION in xml
    signatures = etree.fromstring(xml.encode()).xpath(
        "/samlp:Response/ds:Signature | /samlp:Response/saml:Assertion/ds:Signature", namespaces={
            "samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
            "ds": "http://www.w3.org/2000/09/xmldsig#"})
    assert len(signatures) == 2  # Response and Assertion signed
    assert 'Destination="https://signin.aws.amazon.com/saml"' in xml
    assert "nameid-format:persistent" in xml and "attrname-format:uri" in xml
    assert sandbox_idp.login_count(user) == before + 1


def test_alice_role_values_use_both_orders(sandbox_idp):
    values = role_values(fetch_saml_response(sandbox_idp, "alice", "alice-pw"))
    assert any(v.startswith("arn:aws:iam::111111111111:role/") for v in values)
    assert any(v.startswith("arn:aws:iam::111111111111:saml-provider/") for v in values)


def test_wrong_password_raises_and_is_not_counted(sandbox_idp):
    before = sandbox_idp.login_count()
    with pytest.raises(IdpLoginError, match="wrong username or password"):
        fetch_saml_response(sandbox_idp, "alice", "nope")
    assert sandbox_idp.login_count() == before


def test_existing_idp_session_is_not_a_password_login(sandbox_idp):
    import requests

    s = requests.Session()
    before = sandbox_idp.login_count("bob")
    fetch_saml_response(sandbox_idp, "bob", "bob-pw", session=s)
    fetch_saml_response(sandbox_idp, "bob", "bob-pw", session=s)  # cookie: no password asked
    assert sandbox_idp.login_count("bob") == before + 1


def test_metadata_has_entity_id_and_cert(sandbox_idp):
    assert sandbox_idp.entity_id in sandbox_idp.metadata_xml
    assert sandbox_idp.cert_der_b64[:64] in sandbox_idp.metadata_xml.replace("\n", "").replace(" ", "")


def test_default_users_for_other_partitions():
    gov = default_users(partition="aws-us-gov")["alice"]["attributes"][ATTR_ROLE]
    assert all("arn:aws-us-gov:iam::" in v for v in gov)
    assert all("arn:aws-cn:iam::" in v for v in default_users(partition="aws-cn")["bob"]["attributes"][ATTR_ROLE])


def test_stop_leaves_no_process(tmp_path):
    idp = SimpleSamlIdp(tmp_path).start()
    pid = idp._proc.pid
    idp.stop()
    out = subprocess.run(["ps", "-o", "pid=", "-g", str(pid)], capture_output=True, text=True).stdout
    assert out.strip() == ""


# ------------------------------------------------------------------------ STS
@pytest.mark.parametrize("user,role,principal", PAIRS)
def test_assume_each_pair_and_use_credentials_with_auth_on(sandbox_sts, sandbox_idp, user, role, principal):
    assert sandbox_sts.auth_enforced()
    saml = fetch_saml_response(sandbox_idp, user, f"{user}-pw")
    out = assume(sandbox_sts, saml, role, principal)
    creds = out["Credentials"]
    account, name = role.split(":")[4], role.rsplit("/", 1)[1]
    expected_arn = f"arn:aws:sts::{account}:assumed-role/{name}/{user}@example.com"
    assert out["AssumedRoleUser"]["Arn"] == expected_arn
    assert out["Subject"] == user and out["SubjectType"] == "persistent"
    assert out["Issuer"] == sandbox_idp.entity_id
    assert out["Audience"] == "https://signin.aws.amazon.com/saml"
    ident = sandbox_sts.client("sts", creds).get_caller_identity()
    assert ident["Arn"] == expected_arn and ident["Account"] == account
    assert "Reservations" in sandbox_sts.client("ec2", creds).describe_instances()
    assert sandbox_sts.calls[-1]["SAMLAssertion"] == saml


def test_wrong_secret_or_token_fails_with_auth_on(sandbox_sts, sandbox_idp):
    creds = assume(sandbox_sts, fetch_saml_response(sandbox_idp, "bob", "bob-pw"), role_arn(A, "ReadOnly"),
                   PA)["Credentials"]
    secret = creds["SecretAccessKey"]
    bad_secret = dict(creds, SecretAccessKey=("A" if secret[0] != "A" else "B") + secret[1:])
    with pytest.raises(ClientError) as e:
        sandbox_sts.client("ec2", bad_secret).describe_instances()
    assert error_of(e)[0] == "AuthFailure"
    with pytest.raises(ClientError):
        sandbox_sts.client("sts", dict(creds, SessionToken="bogus")).get_caller_identity()
    with pytest.raises(ClientError):
        sandbox_sts.client("ec2", {"AccessKeyId": "ASIANOTAREALKEY00000", "SecretAccessKey": "x",
                                   "SessionToken": "y"}).describe_instances()


def test_tampered_assertion_is_rejected(sandbox_sts, sandbox_idp):
    xml = base64.b64decode(fetch_saml_response(sandbox_idp, "bob", "bob-pw"))
    tampered = xml.replace(b"role/ReadOnly", b"role/Developer")
    assert tampered != xml
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, base64.b64encode(tampered).decode(), role_arn(A, "Developer"), PA)
    assert error_of(e)[:1] == ("InvalidIdentityToken",)


def test_wrong_pair_is_access_denied(sandbox_sts, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "Developer"), PA)
    assert error_of(e) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)


def test_unknown_provider_is_invalid_token(sandbox_sts, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), provider_arn(A, "Nope"))
    assert error_of(e)[0] == "InvalidIdentityToken"


def test_duration_above_max_is_validation_error(sandbox_sts, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), PA, DurationSeconds=7200)
    assert error_of(e) == ("ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)


def test_duration_below_minimum_is_validation_error(sandbox_sts, sandbox_idp):
    import requests

    # botocore validates the minimum client-side; send the raw form to reach the server
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    resp = requests.post(sandbox_sts.endpoint_url, timeout=10, data={
        "Action": "AssumeRoleWithSAML", "Version": "2011-06-15", "RoleArn": role_arn(A, "ReadOnly"),
        "PrincipalArn": PA, "SAMLAssertion": saml, "DurationSeconds": "899"})
    assert resp.status_code == 400
    assert "<Code>ValidationError</Code>" in resp.text and "greater than or equal to 900" in resp.text


@pytest.mark.parametrize("user,role,duration", [
    ("bob", role_arn(A, "ReadOnly"), 900),
    ("bob", role_arn(A, "ReadOnly"), 3600),
    ("alice", role_arn(A, "team/ops/Admin"), 43200),
])
def test_expiration_is_now_plus_duration(sandbox_sts, sandbox_idp, user, role, duration):
    saml = fetch_saml_response(sandbox_idp, user, f"{user}-pw")
    out = assume(sandbox_sts, saml, role, PA, DurationSeconds=duration)
    expected = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=duration)
    assert abs((out["Credentials"]["Expiration"] - expected).total_seconds()) <= 5


@pytest.mark.parametrize("acs", [ACS_US_WEST_2, ACS_GOVCLOUD])
def test_regional_and_govcloud_acs_accepted(sandbox_sts, make_idp, acs):
    idp = make_idp(acs_url=acs)
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    assert f'Recipient="{acs}"' in base64.b64decode(saml).decode()
    out = assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), provider_arn(A, idp.provider_name))
    assert out["Audience"] == acs


def test_other_idp_against_sandbox_provider_is_rejected(sandbox_sts, make_idp):
    idp = make_idp()
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), PA)  # signed by another key
    assert error_of(e)[0] == "InvalidIdentityToken"


def test_wrong_audience_is_rejected(sandbox_sts, make_idp):
    idp = make_idp(audience="urn:example:not-aws")
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    assert "urn:example:not-aws" in base64.b64decode(saml).decode()
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), provider_arn(A, idp.provider_name))
    assert error_of(e)[0] == "InvalidIdentityToken" and "Audience" in error_of(e)[1]


def test_bad_role_session_name_is_rejected(sandbox_sts, make_idp):
    users = default_users(provider_name="BadNameIdP")
    users["bob"]["attributes"][ATTR_SESSION_NAME] = ["bob smith!"]
    idp = make_idp(users=users, provider_name="BadNameIdP")
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), provider_arn(A, "BadNameIdP"))
    assert error_of(e) == ("InvalidIdentityToken",
                           "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}", 400)


def test_expired_assertion(make_idp):
    idp = make_idp(assertion_lifetime=1)
    arn = provider_arn(A, idp.provider_name)
    with StrictSts(clock_skew=0, idp_metadata={arn: idp.metadata_xml}) as strict:
        saml = fetch_saml_response(idp, "bob", "bob-pw")
        time.sleep(2.2)
        with pytest.raises(ClientError) as e:
            assume(strict, saml, role_arn(A, "ReadOnly"), arn)
        assert error_of(e)[0] == "ExpiredTokenException"


def test_fail_next_and_call_recording(sandbox_sts, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    n = sandbox_sts.assume_role_with_saml_calls
    sandbox_sts.fail_next("IDPRejectedClaim", "Sandbox says no")
    with pytest.raises(ClientError) as e:
        assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), PA)
    assert error_of(e) == ("IDPRejectedClaim", "Sandbox says no", 400)
    assume(sandbox_sts, saml, role_arn(A, "ReadOnly"), PA, DurationSeconds=1800)
    assert sandbox_sts.assume_role_with_saml_calls == n + 2
    assert sandbox_sts.calls[-1]["DurationSeconds"] == "1800"
    assert sandbox_sts.calls[-1]["SAMLAssertion"] == saml


def test_sandbox_env_and_aws_cli(sandbox_env, sandbox_sts, sandbox_idp):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert name not in os.environ
    assert os.environ["AWS_ENDPOINT_URL"] == sandbox_sts.endpoint_url
    assert sandbox_env["SAMLCREDS_URL"] == sandbox_idp.sso_url
    creds = assume(sandbox_sts, fetch_saml_response(sandbox_idp, "bob", "bob-pw"), role_arn(A, "ReadOnly"),
                   PA)["Credentials"]
    with open(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"], "w") as fh:
        fh.write(f"[default]\naws_access_key_id = {creds['AccessKeyId']}\n"
                 f"aws_secret_access_key = {creds['SecretAccessKey']}\n"
                 f"aws_session_token = {creds['SessionToken']}\n")
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    out = subprocess.run([aws, "sts", "get-caller-identity", "--output", "text", "--query", "Arn"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"


def test_unsigned_call_with_auth_on_is_missing_token(sandbox_sts):
    with pytest.raises(ClientError) as e:
        sandbox_sts.client("sts").get_caller_identity()
    assert error_of(e) == ("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def test_auth_is_scoped_to_the_sandbox_and_survives_mock_aws(sandbox_sts, sandbox_idp, monkeypatch):
    import boto3
    from moto import mock_aws

    with mock_aws():  # resets moto's backends; auth must stay off for it
        ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        assert ec2.describe_instances()["Reservations"] == []
    assert sandbox_sts.auth_enforced()
    out = assume(sandbox_sts, fetch_saml_response(sandbox_idp, "bob", "bob-pw"), role_arn(A, "ReadOnly"), PA)
    assert sandbox_sts.client("ec2", out["Credentials"]).describe_instances()["Reservations"] == []


def test_moto_api_reset_auth_over_http():
    import requests

    with StrictSts() as sts:
        assert not sts.auth_enforced()
        assert sts.client("sts", {"AccessKeyId": "AKIAFAKE", "SecretAccessKey": "x"}).get_caller_identity()
        resp = requests.post(f"{sts.endpoint_url}/moto-api/reset-auth", data=b"0", timeout=10)
        assert resp.json()["status"] == "ok" and sts.auth_enforced()
        with pytest.raises(ClientError) as e:
            sts.client("ec2", {"AccessKeyId": "AKIAFAKE", "SecretAccessKey": "x"}).describe_instances()
        assert error_of(e)[0] == "AuthFailure"


def test_python_m_sandbox_prints_env_and_stops_on_sigterm(tmp_path):
    import signal

    env_file = tmp_path / "sandbox.env"
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--auth", "--workdir", str(tmp_path / "w"),
                             "--env-file", str(env_file)], cwd=os.path.dirname(os.path.dirname(
                                 os.path.dirname(os.path.abspath(__file__)))),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (env_file.exists() and env_file.stat().st_size) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.1)
        text = env_file.read_text()
        assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in text and "export SAMLCREDS_SANDBOX_URL=" in text
        # not SAMLCREDS_URL: it would override the saml_url of every profile, LemonLDAP's too
        assert "export SAMLCREDS_URL" not in text and " SAMLCREDS_URL" in text.splitlines()[0]
        assert "export AWS_ACCESS_KEY_ID" not in text
        for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_DEFAULT_REGION=us-east-1"):
            assert f"export {name}" in text
        # the README's quick start, with the env file's variables
        exported = dict(shlex.split(line)[1].split("=", 1) for line in text.splitlines() if line.startswith("export "))
        env = isolated_environ(tmp_path / "user", **exported)
        done = run_cli(["configure", "--profile", "sb", "--url", exported["SAMLCREDS_SANDBOX_URL"], "--username",
                        "alice", "--role", "111111111111:Developer", "--credential-process"], env=env)
        assert done.returncode == 0, done.stderr
        done = run_cli(["login", "--profile", "sb", "--password-stdin"], input="alice-pw\n", env=env)
        assert done.returncode == 0, done.stderr
        assert "note:" not in done.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "alice / alice-pw" in out


@pytest.mark.parametrize("partition,acs,region", [
    ("aws-us-gov", ACS_GOVCLOUD, "us-gov-west-1"),
    ("aws-cn", "https://signin.amazonaws.cn/saml", "cn-north-1"),
])
def test_other_partitions_end_to_end(sandbox_sts, make_idp, partition, acs, region):
    name = f"Part{partition.replace('-', '')}IdP"
    idp = make_idp(acs_url=acs, users=default_users(partition=partition, provider_name=name), provider_name=name)
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    role = role_arn(A, "ReadOnly", partition)
    out = sandbox_sts.client("sts", region=region).assume_role_with_saml(
        RoleArn=role, PrincipalArn=provider_arn(A, name, partition), SAMLAssertion=saml)
    expected = f"arn:{partition}:sts::{A}:assumed-role/ReadOnly/bob@example.com"
    assert out["AssumedRoleUser"]["Arn"] == expected
    ident = sandbox_sts.client("sts", out["Credentials"], region=region).get_caller_identity()
    assert ident["Arn"] == expected
    assert "Reservations" in sandbox_sts.client("ec2", out["Credentials"], region=region).describe_instances()


def test_idp_start_retries_when_its_free_port_was_taken(tmp_path):
    import socket

    idp = SimpleSamlIdp(tmp_path / "a")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", idp.port))
        squatter.listen()
        taken = idp.port
        with idp:
            assert idp.port != taken
            assert fetch_saml_response(idp, "bob", "bob-pw")
        from sandbox.idp import IdpError

        with pytest.raises(IdpError, match="in use"):
            SimpleSamlIdp(tmp_path / "b", port=taken).start()
