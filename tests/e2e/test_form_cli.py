"""The form provider's second factor and notices through the real CLI (subprocess and pty) against a
loopback page server: the code prompt on a terminal, saml_otp_command, exit codes, the other-host notice."""

from __future__ import annotations

import os
import sys

import pytest

from tests import samples
from tests.e2e.test_terminal import Tty
from tests.helpers import run_cli
from tests.unit.form_server import PageServer, aws_form, code_form, login_form

PASSWORD = "pw-for-the-page-server"
CODE_COMMAND = f"{sys.executable} -c \"print('246810')\""


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    env = {"HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
           "XDG_CACHE_HOME": str(home / ".cache"), "XDG_STATE_HOME": str(home / ".state"),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".data")}
    for name in ("SAMLCREDS_URL", "SAMLCREDS_OTP_COMMAND", "SAMLCREDS_PROVIDER", "AWS_PROFILE",
                 "AWS_DEFAULT_PROFILE", "SAMLCREDS_ALLOW_HTTP_IDP"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return home


def idp(code_check=None) -> PageServer:
    final = aws_form(samples.b64(samples.response_xml()))
    return PageServer({"/": login_form(), "/login": code_form(),
                       "/mfa": lambda hit: final if (code_check or (lambda c: True))(hit.fields().get("code"))
                       else code_form()})


def test_code_prompt_on_the_terminal(home):
    with idp(lambda code: code == "135790") as server:
        tty = Tty("roles", "--url", server.base + "/", "--username", "alice")
        tty.expect(f"Password for alice at 127.0.0.1:{server.port}: ")
        tty.send(PASSWORD)
        tty.expect(f"One-time code for 127.0.0.1:{server.port}: ")
        tty.send("000000")
        tty.expect(f"The one-time code was refused. One-time code for 127.0.0.1:{server.port}: ")
        tty.send("135790")
        assert tty.wait() == 0, tty.output
        assert samples.ROLE_A.encode() in tty.output
        assert [p["code"] for p in server.posts("/mfa")] == ["000000", "135790"]
        assert PASSWORD.encode() not in tty.output
        assert b"000000" not in tty.output and b"135790" not in tty.output  # codes are not echoed either


def test_code_refused_twice_on_the_terminal_exits_3(home):
    with idp(lambda code: False) as server:
        tty = Tty("roles", "--url", server.base + "/", "--username", "alice")
        tty.expect("Password for alice")
        tty.send(PASSWORD)
        # each answer after its prompt: the no-echo prompt flushes what was typed ahead (TCSAFLUSH)
        for prompt in ("One-time code for ", "The one-time code was refused. One-time code for "):
            tty.expect(prompt)
            tty.send("999999")
        assert tty.wait() == 3
        assert b"the one-time code was refused" in tty.output and b"999999" not in tty.output
        assert len(server.posts("/mfa")) == 2


def test_otp_command_from_the_profile_and_the_environment(home):
    (home / ".aws" / "config").write_text(f"[profile lab]\nsaml_otp_command = {CODE_COMMAND}\n")
    with idp(lambda code: code == "246810") as server:
        result = run_cli(["roles", "--profile", "lab", "--url", server.base + "/", "--username", "alice",
                          "--password-stdin"], input=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
        assert samples.ROLE_A in result.stdout
        result = run_cli(["roles", "--url", server.base + "/", "--username", "alice", "--password-stdin"],
                         input=PASSWORD + "\n", env={**os.environ, "SAMLCREDS_OTP_COMMAND": CODE_COMMAND})
        assert result.returncode == 0, result.stderr
        assert "246810" not in result.stderr and PASSWORD not in result.stderr


def test_no_terminal_and_no_command_names_the_key(home):
    with idp() as server:
        result = run_cli(["roles", "--url", server.base + "/", "--username", "alice", "--password-stdin"],
                         input=PASSWORD + "\n")
        assert result.returncode == 3
        assert "asks for a one-time code and there is no terminal to ask on; set saml_otp_command" in result.stderr
        assert "Traceback" not in result.stderr
        assert server.posts("/mfa") == []


def test_refused_code_from_the_command_exits_3(home):
    with idp(lambda code: False) as server:
        result = run_cli(["roles", "--url", server.base + "/", "--username", "alice", "--password-stdin"],
                         input=PASSWORD + "\n", env={**os.environ, "SAMLCREDS_OTP_COMMAND": CODE_COMMAND})
        assert result.returncode == 3
        assert "samlcreds: error: the one-time code was refused" in result.stderr
        assert len(server.posts("/mfa")) == 1


def test_password_to_another_host_is_said_once_on_stderr(home):
    final = aws_form(samples.b64(samples.response_xml()))
    with PageServer({}) as server:
        server.routes.update({"/": login_form(action=f"http://localhost:{server.port}/login"), "/login": final})
        result = run_cli(["roles", "--url", server.base + "/", "--username", "alice", "--password-stdin"],
                         input=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
        notice = f"note: the IdP's login form sends the password to localhost:{server.port}, not to 127.0.0.1"
        assert result.stderr.count(notice) == 1


def test_allow_http_idp_flag_and_key(home):
    # 0.0.0.0 reaches this machine's loopback server but is not a loopback address
    final = aws_form(samples.b64(samples.response_xml()))
    with PageServer({}) as server:
        server.routes.update({"/": login_form(action=f"http://0.0.0.0:{server.port}/login"), "/login": final})
        args = ["roles", "--url", server.base + "/", "--username", "alice", "--password-stdin"]
        refused = run_cli(args, input=PASSWORD + "\n")
        assert refused.returncode == 3
        assert (f"credentials: the IdP's form would send the password over plain http to 0.0.0.0:{server.port}; "
                "samlcreds refuses to send it unencrypted") in refused.stderr
        assert "--allow-http-idp" in refused.stderr
        assert server.posts("/login") == []
        allowed = run_cli(args + ["--allow-http-idp"], input=PASSWORD + "\n")
        assert allowed.returncode == 0, allowed.stderr
        (home / ".aws" / "config").write_text("[default]\nsaml_allow_http_idp = true\n")
        by_key = run_cli(args, input=PASSWORD + "\n")
        assert by_key.returncode == 0, by_key.stderr
        assert [p["password"] for p in server.posts("/login")] == [PASSWORD, PASSWORD]
