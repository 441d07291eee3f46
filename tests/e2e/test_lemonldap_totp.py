"""Second factor through LemonLDAP::NG: password, then a TOTP code, with the form provider.

dwho has a TOTP device (seeded into his persistent session by the sandbox). The code comes
from ``saml_otp_command`` (``oathtool --totp -b SECRET``) or from a person at a terminal
answering "One-time code for <host>:". LemonLDAP's own log is the witness of what reached
the IdP: accepted codes, refused codes (``totp2f: invalid attempt``) and refused passwords.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import boto3

from sandbox.lemonldap import DWHO_TOTP_SECRET, totp_code
from tests.e2e.test_terminal import Tty
from tests.helpers import run_cli

DEVELOPER = "111111111111:Developer"
DWHO_ARN = "arn:aws:sts::111111111111:assumed-role/Developer/dwho@badwolf.org"


def _profile(env: dict, name: str, url: str, otp_command: str | None = None) -> None:
    """A profile as a user writes it in ~/.aws/config."""
    lines = [f"[profile {name}]", "saml_provider = form", f"saml_url = {url}", "saml_username = dwho",
             f"saml_role_arn = {DEVELOPER}"]
    if otp_command:
        lines.append(f"saml_otp_command = {otp_command}")
    config = Path(env["AWS_CONFIG_FILE"])
    with config.open("a") as fh:
        fh.write("\n".join(lines) + "\n\n")


def _wrong_code_command() -> str:
    """``oathtool`` with another secret: a well-formed code that is not one of dwho's current ones."""
    valid = {totp_code(DWHO_TOTP_SECRET)}
    while True:
        other = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
        if totp_code(other) not in valid:
            return f"oathtool --totp -b {other}"


class _Counts:
    """LemonLDAP's log counters for dwho, before and after a run."""

    def __init__(self, idp) -> None:
        self.idp = idp
        self.before = self._now()

    def _now(self) -> dict:
        return {"accepted": self.idp.accepted_codes("dwho"), "refused": self.idp.failed_codes("dwho"),
                "bad_password": self.idp.failed_logins("dwho"), "sessions": self.idp.login_count("dwho")}

    def delta(self) -> dict:
        now = self._now()
        return {k: now[k] - self.before[k] for k in now}


def test_totp_user_with_otp_command(lemonldap_env, lemonldap_idp, monkeypatch):
    monkeypatch.delenv("SAMLCREDS_URL")
    _profile(lemonldap_env, "totp", lemonldap_idp.sso_url, f"oathtool --totp -b {DWHO_TOTP_SECRET}")
    counts = _Counts(lemonldap_idp)
    result = run_cli(["login", "--profile", "totp", "--password-stdin"], input="dwho\n")
    assert result.returncode == 0, result.stderr
    assert counts.delta() == {"accepted": 1, "refused": 0, "bad_password": 0, "sessions": 1}
    session = boto3.Session(profile_name="totp", region_name="us-east-1")
    assert session.client("sts").get_caller_identity()["Arn"] == DWHO_ARN
    session.client("ec2").describe_instances()  # IAM auth is on


def test_otp_command_set_by_configure(lemonldap_env, lemonldap_idp, monkeypatch, tmp_path):
    monkeypatch.delenv("SAMLCREDS_URL")
    monkeypatch.delenv("SAMLCREDS_OTP_COMMAND", raising=False)
    tools = tmp_path / "my tools"  # a space: the path must stay quoted through the config file
    tools.mkdir()
    script = tools / "dwho-totp"
    script.write_text(f"#!/bin/sh\nexec oathtool --totp -b {DWHO_TOTP_SECRET}\n")  # keeps the secret out of argv
    script.chmod(0o700)
    result = run_cli(["configure", "--profile", "cfg", "--provider", "form", "--url", lemonldap_idp.sso_url,
                      "--username", "dwho", "--role", DEVELOPER, "--otp-command", f'"{script}"'])
    assert result.returncode == 0, result.stderr
    assert f'saml_otp_command = "{script}"' in Path(lemonldap_env["AWS_CONFIG_FILE"]).read_text()
    counts = _Counts(lemonldap_idp)
    result = run_cli(["login", "--profile", "cfg", "--password-stdin"], input="dwho\n")
    assert result.returncode == 0, result.stderr
    assert counts.delta() == {"accepted": 1, "refused": 0, "bad_password": 0, "sessions": 1}
    arn = boto3.Session(profile_name="cfg", region_name="us-east-1").client("sts").get_caller_identity()["Arn"]
    assert arn == DWHO_ARN


def test_totp_user_types_the_code_at_the_terminal(lemonldap_env, lemonldap_idp, monkeypatch):
    monkeypatch.delenv("SAMLCREDS_URL")
    monkeypatch.delenv("SAMLCREDS_OTP_COMMAND", raising=False)
    _profile(lemonldap_env, "typed", lemonldap_idp.sso_url)
    counts = _Counts(lemonldap_idp)
    tty = Tty("login", "--profile", "typed")
    tty.expect("Password for dwho")
    tty.send("dwho")
    tty.expect(f"One-time code for 127.0.0.1:{lemonldap_idp.port}:")
    code = totp_code(DWHO_TOTP_SECRET)
    tty.send(code)
    assert tty.wait() == 0, tty.output.decode(errors="replace")
    assert code.encode() not in tty.output  # the code is not echoed either
    assert counts.delta() == {"accepted": 1, "refused": 0, "bad_password": 0, "sessions": 1}
    assert b"dwho\r" not in tty.output.split(b"One-time code")[0].split(b"Password for dwho")[-1]  # no echo
    arn = boto3.Session(profile_name="typed", region_name="us-east-1").client("sts").get_caller_identity()["Arn"]
    assert arn == DWHO_ARN


def test_wrong_code_from_command_is_refused_once(lemonldap_env, lemonldap_idp, monkeypatch):
    monkeypatch.delenv("SAMLCREDS_URL")
    command = _wrong_code_command()
    wrong = totp_code(command.rsplit(" ", 1)[1])
    _profile(lemonldap_env, "wrongcmd", lemonldap_idp.sso_url, command)
    counts = _Counts(lemonldap_idp)
    result = run_cli(["login", "--profile", "wrongcmd", "--password-stdin"], input="dwho\n")
    assert result.returncode == 3, result.stderr
    assert "one-time code was refused" in result.stderr
    assert "password was refused" not in result.stderr  # the step that failed is the code, not the password
    assert wrong not in result.stderr and "Traceback" not in result.stderr
    delta = counts.delta()
    assert delta["refused"] == 1 and delta["accepted"] == 0  # a command's code is not sent twice
    assert delta["bad_password"] == 0 and delta["sessions"] == 0
    assert not Path(lemonldap_env["AWS_SHARED_CREDENTIALS_FILE"]).exists()


def test_wrong_code_typed_at_the_terminal_is_tried_at_most_twice(lemonldap_env, lemonldap_idp, monkeypatch):
    monkeypatch.delenv("SAMLCREDS_URL")
    monkeypatch.delenv("SAMLCREDS_OTP_COMMAND", raising=False)
    _profile(lemonldap_env, "wrongtty", lemonldap_idp.sso_url)
    wrong = totp_code(_wrong_code_command().rsplit(" ", 1)[1])
    counts = _Counts(lemonldap_idp)
    tty = Tty("login", "--profile", "wrongtty")
    tty.expect("Password for dwho")
    tty.send("dwho")
    tty.expect("One-time code for 127.0.0.1")
    tty.send(wrong)
    seen = tty.output
    tty.output = b""
    status = None
    try:
        tty.expect("The one-time code was refused. One-time code for", timeout=20)
        tty.send(wrong)  # the person mistypes again
    except AssertionError:
        status = tty.wait()  # the IdP gave no second chance: samlcreds stopped after one attempt
    if status is None:
        status = tty.wait()
    output = (seen + tty.output).decode(errors="replace")
    assert status == 3, output
    assert "one-time code was refused" in output
    assert "password was refused" not in output
    delta = counts.delta()
    assert 1 <= delta["refused"] <= 2, delta
    assert delta["accepted"] == 0 and delta["bad_password"] == 0 and delta["sessions"] == 0
