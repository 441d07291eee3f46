"""One definition of "the signed assertion": decode, login and doctor read the same one.

The crafted Response holds two assertions. The first one's own ds:Signature
references the *Response*, and the Response's ds:Signature references that
first assertion: each element carries a signature and each signature
references a signed ID, but neither signature signs the element it sits in.
The second assertion is properly signed (its signature references itself).
Before the single selector, the library read the first assertion's roles
(Admin) while doctor checked the second one.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import datetime, timezone

from lxml import etree

from samlcreds.doctor import run_checks
from samlcreds.saml import NS_ASSERTION, NS_DSIG, parse_saml_response
from tests.helpers import run_cli
from tests.hostile.test_hostile_xml import cli_env, sentinels  # noqa: F401  (fixtures)
from tests.samples import keypair, metadata, sign, signed_response

DS = f"{{{NS_DSIG}}}"
ACCOUNT = "111111111111"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/Idp"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/Admin"
DEV = f"arn:aws:iam::{ACCOUNT}:role/Dev"
OPS = f"arn:aws:iam::{ACCOUNT}:role/Ops"


def crossed_response() -> bytes:
    """Response(_r1, signature → #_cross) [Assertion _cross (signature → #_r1, Admin), Assertion _good (signed, Dev+Ops)]."""
    now = datetime.now(timezone.utc)  # per call: a 5-minute assertion must be fresh when the test runs
    good = etree.fromstring(signed_response(roles=[f"{DEV},{PROVIDER}", f"{OPS},{PROVIDER}"], assertion_id="_good",
                                            now=now))
    root = etree.fromstring(signed_response(roles=[f"{ADMIN},{PROVIDER}"], assertion_id="_cross",
                                            sign_assertion=False, now=now))
    cross = root.find(f"{{{NS_ASSERTION}}}Assertion")
    # a signature referencing the Response, put inside the cross assertion
    response_signature = sign(copy.deepcopy(root), *keypair()).find(f"{DS}Signature")
    assert response_signature.find(f"{DS}SignedInfo/{DS}Reference").get("URI") == "#_r1"
    # a signature referencing the cross assertion, put inside the Response
    cross_signature = sign(copy.deepcopy(cross), *keypair()).find(f"{DS}Signature")
    assert cross_signature.find(f"{DS}SignedInfo/{DS}Reference").get("URI") == "#_cross"
    cross.insert(1, response_signature)
    root.insert(1, cross_signature)
    root.append(good.find(f"{{{NS_ASSERTION}}}Assertion"))
    return etree.tostring(root)


def test_library_reads_the_assertion_signed_by_its_own_signature():
    parsed = parse_saml_response(crossed_response())
    assert parsed.assertion_id == "_good" and parsed.assertion_index == 2
    assert [r.role_arn for r in parsed.roles] == [DEV, OPS]
    assert parsed.signed_elements == ("Assertion",)  # the Response's signature signs another element
    assert [(s.location, s.covers, s.covers_location) for s in parsed.signatures] == [
        ("Response", "Assertion #1", False), ("Assertion #1", "Response", False), ("Assertion #2", "Assertion #2", True)]
    assert [(a.id, a.signed, a.role_arns) for a in parsed.assertions] == [
        ("_cross", False, (ADMIN,)), ("_good", True, (DEV, OPS))]


def test_decode_login_and_doctor_name_the_same_assertion(tmp_path, cli_env, sentinels):  # noqa: F811
    data = base64.b64encode(crossed_response()).decode()
    path = tmp_path / "crossed.b64"
    path.write_text(data)

    decoded = run_cli(["decode", "--output", "json", str(path)], env=cli_env)
    assert decoded.returncode == 0, decoded.stderr
    summary = json.loads(decoded.stdout)
    assert summary["assertion_id"] == "_good" and summary["assertion_index"] == 2
    assert [r["role_arn"] for r in summary["roles"]] == [DEV, OPS]
    assert summary["signed_elements"] == ["Assertion"]

    before = len(sentinels["requests"])
    login = run_cli(["login", "--provider", "paste", "--saml-file", str(path), "--print", "json"], env=cli_env)
    assert login.returncode == 2, login.stderr  # several roles, no terminal: the roles offered are listed
    assert DEV in login.stderr and OPS in login.stderr and "Admin" not in login.stderr
    admin = run_cli(["login", "--provider", "paste", "--saml-file", str(path), "--role", "Admin"], env=cli_env)
    assert admin.returncode == 2 and "not among the roles" in admin.stderr and DEV in admin.stderr
    assert len(sentinels["requests"]) == before  # STS never called

    checks = {c.id: c for c in run_checks(data, metadata_xml=metadata())}
    assert "samlcreds reads Assertion #2" in checks["signed_element"].message
    assert "Assertion #2 (ID _good, signed, roles: " + DEV in checks["signed_element"].message
    assert checks["roles"].status == "pass" and checks["roles"].message.endswith(f"{DEV}, {OPS}")
    assert checks["signature"].status == "fail"
    assert "inside the Assertion #1 references '#_r1' (the Response)" in checks["signature"].message
    cli = run_cli(["doctor", str(path), "--output", "json"], env=cli_env)
    assert cli.returncode == 4
    by_id = {c["id"]: c for c in json.loads(cli.stdout)["checks"]}
    assert "samlcreds reads Assertion #2" in by_id["signed_element"]["message"]
    assert by_id["roles"]["message"] == checks["roles"].message
