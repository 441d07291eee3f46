"""The interactive paths on a real pseudo-terminal: password prompt, role picker, configure."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

import boto3


class Tty:
    """``samlcreds ARGS`` running with a pty as its controlling terminal."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ)
        env.pop("SAMLCREDS_NO_TTY", None)
        env["TERM"] = "dumb"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.execvpe(sys.executable, [sys.executable, "-m", "samlcreds", *args], env)
        self.output = b""

    def expect(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{text!r} not seen in {self.output.decode(errors='replace')!r}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"process ended before {text!r}: {self.output.decode(errors='replace')!r}"
                self.output += chunk

    def send(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = os.read(self.fd, 4096) if select.select([self.fd], [], [], 0.1)[0] else b""
                self.output += chunk
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, 9)
        raise AssertionError(f"did not finish: {self.output.decode(errors='replace')!r}")


def test_password_prompt_and_role_picker(sandbox_env):
    tty = Tty("login", "--profile", "pick", "--username", "carol")
    tty.expect("Password for carol")
    tty.send("carol-pw")
    tty.expect("Account 222222222222")
    tty.expect("Role [1-2]:")
    tty.send("2")
    assert tty.wait() == 0, tty.output.decode(errors="replace")
    assert b"carol-pw" not in tty.output  # not echoed
    arn = boto3.Session(profile_name="pick").client("sts").get_caller_identity()["Arn"]
    assert arn == "arn:aws:sts::222222222222:assumed-role/Auditor/carol@example.com"


def test_password_stdin_on_a_terminal_is_not_echoed(sandbox_env):
    tty = Tty("login", "--profile", "pw", "--username", "bob", "--password-stdin")
    tty.expect("Password for bob")
    tty.send("bob-pw")
    assert tty.wait() == 0, tty.output.decode(errors="replace")
    assert b"bob-pw" not in tty.output


def test_interactive_configure(sandbox_env):
    tty = Tty("configure", "--profile", "inter")
    tty.expect("IdP login provider")
    tty.send("form")
    tty.expect("IdP sign-in (SSO) URL")
    tty.send("https://idp.example/sso")
    tty.expect("User name at the IdP")
    tty.send("dana")
    tty.expect("Role")
    tty.send("111111111111:Developer")
    tty.expect("Session duration")
    tty.send("")
    tty.expect("Region")
    tty.send("eu-west-1")
    assert tty.wait() == 0, tty.output.decode(errors="replace")
    text = Path(sandbox_env["AWS_CONFIG_FILE"]).read_text()
    assert "[profile inter]" in text and "saml_url = https://idp.example/sso" in text
    assert "saml_username = dana" in text and "region = eu-west-1" in text and "saml_duration = 3600" in text
