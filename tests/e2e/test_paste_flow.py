"""The paste flow with real SAMLResponses from the sandbox IdP, and the strict STS's refusals."""

from __future__ import annotations

import base64
import html
import textwrap
import time
import urllib.parse

import pytest

from samlcreds import errors
from samlcreds.saml import read_saml_response
from samlcreds.roles import RolePair
from samlcreds.sts import assume_role_with_saml
from sandbox.idp import fetch_saml_response
from tests.helpers import run_cli

BOB_ROLE = "arn:aws:iam::111111111111:role/ReadOnly"
PROVIDER = "arn:aws:iam::111111111111:saml-provider/SandboxIdP"


def encodings(b64: str) -> dict[str, str]:
    return {
        "one line": b64,
        "wrapped": "\n".join(textwrap.wrap(b64, 76)) + "\n",
        "form body": "SAMLResponse=" + urllib.parse.quote_plus(b64) + "&RelayState=x",
        "html-escaped": html.escape(b64).replace("+", "&#43;").replace("=", "&#61;"),
        "raw xml": base64.b64decode(b64).decode("utf-8"),
    }


def test_every_encoding_reaches_sts_as_identical_bytes(sandbox_env, sandbox_idp, sandbox_sts, tmp_path):
    for name in ("one line", "wrapped", "form body", "html-escaped", "raw xml"):
        saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
        text = encodings(saml)[name]
        before = len(sandbox_sts.calls)
        result = run_cli(["login", "--provider", "paste", "--profile", "p", "--print", "json"], input=text)
        assert result.returncode == 0, (name, result.stderr)
        assert len(sandbox_sts.calls) == before + 1
        assert sandbox_sts.calls[-1]["SAMLAssertion"] == saml, name
        # and from a file
        path = tmp_path / "saml.txt"
        path.write_text(text)
        result = run_cli(["login", "--saml-file", str(path), "--profile", "p"])
        assert result.returncode == 0, (name, result.stderr)


def test_plus_to_space_damage_is_refused_before_sts(sandbox_env, sandbox_idp, sandbox_sts):
    saml = ""
    while "+" not in saml:
        saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    before = len(sandbox_sts.calls)
    result = run_cli(["login", "--provider", "paste"], input=saml.replace("+", " "))
    assert result.returncode == 4
    assert "'+' signs" in result.stderr
    assert len(sandbox_sts.calls) == before


def test_tampered_assertion_is_rejected_by_sts(sandbox_env, sandbox_idp):
    xml = base64.b64decode(fetch_saml_response(sandbox_idp, "bob", "bob-pw"))
    tampered = xml.replace(b"bob@example.com", b"mallory@example.com")
    assert tampered != xml
    result = run_cli(["login", "--provider", "paste"], input=base64.b64encode(tampered).decode())
    assert result.returncode == 5
    assert "could not validate the SAML assertion" in result.stderr
    assert "InvalidIdentityToken" in result.stderr and "RequestId" in result.stderr


def test_expired_assertion_is_rejected_with_advice(sandbox_env, make_idp, sandbox_sts, monkeypatch):
    idp = make_idp(assertion_lifetime=1)
    saml = fetch_saml_response(idp, "bob", "bob-pw")
    monkeypatch.setattr(sandbox_sts, "clock_skew", 0)
    time.sleep(2.5)
    result = run_cli(["login", "--provider", "paste"], input=saml)
    assert result.returncode == 5
    assert "expired" in result.stderr and "Sign in again" in result.stderr


def test_wrong_pair_is_refused_locally_and_by_sts(sandbox_env, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    other = "arn:aws:iam::111111111111:role/Developer"
    result = run_cli(["login", "--provider", "paste", "--role-arn", other, "--principal-arn", PROVIDER], input=saml)
    assert result.returncode == 2 and "does not grant" in result.stderr
    with pytest.raises(errors.StsError) as info:
        assume_role_with_saml(saml, RolePair(other, PROVIDER), region="us-east-1")
    assert info.value.code == "AccessDenied"
    assert "trust policy" in info.value.hint and info.value.request_id


def test_sts_error_codes_are_translated(sandbox_env, sandbox_idp, sandbox_sts):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    sandbox_sts.fail_next("RegionDisabledException", "STS is not activated in this region")
    with pytest.raises(errors.StsError) as info:
        assume_role_with_saml(saml, read_saml_response(saml).roles[0], region="us-east-1")
    assert "not activated" in info.value.message and "--region" in info.value.hint
