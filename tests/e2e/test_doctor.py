"""``samlcreds doctor`` on real SAMLResponses signed by the sandbox SimpleSAMLphp IdP."""

from __future__ import annotations

import base64
import copy
import json
import os
import time

from lxml import etree

from samlcreds.doctor import CHECK_IDS
from samlcreds.saml import NS_ASSERTION, NS_DSIG, parse_xml
from sandbox.idp import ATTR_SESSION_NAME, default_users, fetch_saml_response
from tests.helpers import run_cli

SAML = f"{{{NS_ASSERTION}}}"
DS = f"{{{NS_DSIG}}}"
#: What a readable assertion without SourceIdentity gets: every check but ``format`` and ``source_identity``.
ALL_IDS = set(CHECK_IDS) - {"format", "source_identity"}


def doctor(tmp_path, saml: str | bytes, metadata_xml: str | None = None, *extra: str):
    """Run the CLI on ``saml`` (written to a file) and return (result, {id: check})."""
    path = tmp_path / "saml.txt"
    path.write_bytes(saml if isinstance(saml, bytes) else saml.encode())
    args = ["doctor", str(path), "--output", "json", *extra]
    if metadata_xml is not None:
        md = tmp_path / "metadata.xml"
        md.write_text(metadata_xml)
        args += ["--metadata", str(md)]
    result = run_cli(args)
    assert result.returncode in (0, 4), result.stderr
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    return result, checks


def failed(checks: dict) -> set[str]:
    return {cid for cid, c in checks.items() if c["status"] == "fail"}


def b64(xml: bytes) -> str:
    return base64.b64encode(xml).decode("ascii")


def test_good_assertion_passes_every_check(sandbox_idp, tmp_path):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    result, checks = doctor(tmp_path, saml, sandbox_idp.metadata_xml)
    assert result.returncode == 0, result.stdout
    assert set(checks) == ALL_IDS
    assert {c["status"] for c in checks.values()} == {"pass"}, checks
    assert all(c["fix"] == "" for c in checks.values())
    assert "metadata certificate" in checks["signature"]["message"]
    assert "ReadOnly" in checks["roles"]["message"]


def test_text_output_and_stdin(sandbox_idp, tmp_path):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    md = tmp_path / "md.xml"
    md.write_text(sandbox_idp.metadata_xml)
    result = run_cli(["doctor", "--metadata", str(md)], input=saml)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("PASS  signature") for line in lines)
    assert "Every check passed." in result.stdout
    assert saml[:60] not in result.stdout + result.stderr


def test_without_metadata_only_integrity_is_checked(sandbox_idp, tmp_path):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    result, checks = doctor(tmp_path, saml)
    assert result.returncode == 0
    assert checks["signature"]["status"] == "warn"
    assert "only integrity was checked, not trust" in checks["signature"]["message"]
    assert "--metadata" in checks["signature"]["fix"]
    assert checks["issuer"]["status"] == "warn"
    assert failed(checks) == set()


def test_wrong_audience(make_idp, tmp_path):
    idp = make_idp(audience="urn:example:wrong", register=False)
    result, checks = doctor(tmp_path, fetch_saml_response(idp, "bob", "bob-pw"), idp.metadata_xml)
    assert result.returncode == 4
    assert failed(checks) == {"audience"}
    assert "urn:example:wrong" in checks["audience"]["message"]
    assert "urn:amazon:webservices" in checks["audience"]["fix"]


def test_expired_assertion(make_idp, tmp_path):
    idp = make_idp(assertion_lifetime=1, register=False)
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    time.sleep(2.2)
    result, checks = doctor(tmp_path, saml, idp.metadata_xml)
    assert result.returncode == 4
    assert failed(checks) == {"time_window"}
    assert "expired" in checks["time_window"]["message"]
    assert "issued" in checks["time_window"]["message"]  # the measured skew / age
    assert "Sign in again" in checks["time_window"]["fix"]
    assert checks["redeem_window"]["status"] == "pass"


def test_bad_role_session_name(make_idp, tmp_path):
    users = default_users(provider_name="DoctorIdP")
    users["bob"]["attributes"][ATTR_SESSION_NAME] = ["a b c"]
    idp = make_idp(users=users, provider_name="DoctorIdP", register=False)
    result, checks = doctor(tmp_path, fetch_saml_response(idp, "bob", "bob-pw"), idp.metadata_xml)
    assert result.returncode == 4
    assert failed(checks) == {"role_session_name"}
    assert "'a b c'" in checks["role_session_name"]["message"]
    assert "space" in checks["role_session_name"]["message"]
    assert "2-64 letters, digits and _+=,.@-" in checks["role_session_name"]["fix"]


def test_certificate_not_in_metadata(sandbox_idp, make_idp, tmp_path):
    other = make_idp(register=False)
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    # the same IdP entity with another certificate: what IAM holds after an unannounced rotation
    rotated = other.metadata_xml.replace(other.entity_id, sandbox_idp.entity_id)
    result, checks = doctor(tmp_path, saml, rotated)
    assert result.returncode == 4
    assert failed(checks) == {"signature"}
    assert "not in the metadata" in checks["signature"]["message"]
    assert "update-saml-provider" in checks["signature"]["fix"]
    # another IdP's metadata as it is: the Issuer differs as well
    result, checks = doctor(tmp_path, saml, other.metadata_xml)
    assert failed(checks) == {"signature", "issuer"}
    assert other.entity_id in checks["issuer"]["message"]


def test_tampered_attributes(sandbox_idp, tmp_path):
    for old, new in ((b"bob@example.com", b"mallory@example.com"), (b"role/ReadOnly,", b"role/Admin,")):
        xml = base64.b64decode(fetch_saml_response(sandbox_idp, "bob", "bob-pw"))
        assert old in xml
        result, checks = doctor(tmp_path, b64(xml.replace(old, new)), sandbox_idp.metadata_xml)
        assert result.returncode == 4
        assert failed(checks) == {"signature"}, (new, checks)
        assert "changed after it was signed" in checks["signature"]["message"]
        assert "exactly as the IdP sent it" in checks["signature"]["fix"]
        # without metadata the tampering is found all the same
        result, checks = doctor(tmp_path, b64(xml.replace(old, new)))
        assert failed(checks) == {"signature"}


def _wrapped(xml: bytes, *, keep_response_signature: bool) -> tuple[bytes, str]:
    """Insert an unsigned copy of the signed Assertion (other roles) as the first Assertion."""
    root = parse_xml(xml)
    signed = root.find(f"{SAML}Assertion")
    evil = copy.deepcopy(signed)
    evil.remove(evil.find(f"{DS}Signature"))
    evil.set("ID", "_evil" + signed.get("ID"))
    for value in evil.iter(f"{SAML}AttributeValue"):
        if value.text and value.text.startswith("arn:aws:iam::111111111111:role/ReadOnly,"):
            value.text = value.text.replace("role/ReadOnly", "role/Admin")
    signed.addprevious(evil)
    if not keep_response_signature:
        root.remove(root.find(f"{DS}Signature"))
    return etree.tostring(root), signed.get("ID")


def test_signature_wrapping_is_caught(sandbox_idp, tmp_path):
    xml = base64.b64decode(fetch_saml_response(sandbox_idp, "bob", "bob-pw"))
    # assertion-only signature (the case wrapping targets): the signature is fine, the structure is not
    wrapped, signed_id = _wrapped(xml, keep_response_signature=False)
    result, checks = doctor(tmp_path, b64(wrapped), sandbox_idp.metadata_xml)
    assert result.returncode == 4
    assert failed(checks) == {"signed_element"}
    message = checks["signed_element"]["message"]
    assert "only Assertion #2 is signed" in message
    assert signed_id in message and "role/Admin" in message
    assert "wrapping" in checks["signed_element"]["fix"]
    # with the Response signature kept, that signature breaks too
    wrapped, _ = _wrapped(xml, keep_response_signature=True)
    result, checks = doctor(tmp_path, b64(wrapped), sandbox_idp.metadata_xml)
    assert {"signed_element", "signature"} <= failed(checks)


def test_unreadable_input_is_a_failed_check(tmp_path):
    result, checks = doctor(tmp_path, "<html><body>Sign in</body></html>")
    assert result.returncode == 4
    assert list(checks) == ["format"]
    assert "HTML page" in checks["format"]["message"]


def test_bad_metadata_is_a_usage_error(sandbox_idp, tmp_path):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    path = tmp_path / "saml.txt"
    path.write_text(saml)
    md = tmp_path / "md.xml"
    md.write_text("<x/>")
    result = run_cli(["doctor", str(path), "--metadata", str(md)])
    assert result.returncode == 2
    assert "no IdP signing certificate" in result.stderr


def test_doctor_signs_in_with_a_profile(sandbox_idp, tmp_path):
    env = dict(os.environ)
    env.update({
        "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    })
    (tmp_path / "config").write_text(f"[profile work]\nsaml_url = {sandbox_idp.sso_url}\nsaml_username = bob\n")
    md = tmp_path / "md.xml"
    md.write_text(sandbox_idp.metadata_xml)
    result = run_cli(["doctor", "--profile", "work", "--password-stdin", "--metadata", str(md), "--output", "json"],
                 input="bob-pw\n", env=env)
    assert result.returncode == 0, result.stderr
    checks = json.loads(result.stdout)["checks"]
    assert {c["status"] for c in checks} == {"pass"}
    assert "bob-pw" not in result.stderr


def test_sandbox_env_file_names_the_metadata_doctor_needs(tmp_path):
    """README's sandbox steps: `python -m sandbox --env-file F`, then doctor --metadata "$SAMLCREDS_SANDBOX_METADATA"."""
    import shlex
    import subprocess
    import sys

    env_file = tmp_path / "sandbox.env"
    proc = subprocess.Popen([sys.executable, "-m", "sandbox", "--workdir", str(tmp_path / "sb"), "--env-file",
                             str(env_file)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not env_file.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert env_file.exists(), proc.stderr.read() if proc.poll() is not None else "no env file within 60 s"
        exported = dict(shlex.split(line)[1].split("=", 1) for line in env_file.read_text().splitlines()
                        if line.startswith("export "))
        metadata_path = exported["SAMLCREDS_SANDBOX_METADATA"]
        assert "IDPSSODescriptor" in open(metadata_path).read()
        env = {**os.environ, **exported}
        saml = subprocess.run([sys.executable, "-m", "sandbox.saml", "bob", "bob-pw"], env=env, capture_output=True,
                              text=True, timeout=60, check=True).stdout
        path = tmp_path / "bob.b64"
        path.write_text(saml)
        result = run_cli(["doctor", str(path), "--metadata", metadata_path, "--output", "json"], env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        checks = json.loads(result.stdout)["checks"]
        assert {c["status"] for c in checks} == {"pass"}, checks
    finally:
        proc.terminate()
        proc.wait(timeout=30)
