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

    def _drain(self) -> None:
        while select.select([self.fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # EIO: the other end is closed and nothing is left
                return
            if not chunk:
                return
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
                self._drain()  # what the process wrote just before it ended is still in the pty
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


def paste(tty: Tty, text: str, piece: int = 1000) -> None:
    """Type ``text`` into the terminal as a terminal emulator delivers a paste: in pieces, then Ctrl-D."""
    for start in range(0, len(text), piece):
        os.write(tty.fd, text[start:start + piece].encode())
        time.sleep(0.01)
    os.write(tty.fd, b"\x04")


def test_a_paste_longer_than_a_terminal_line_is_read_whole_and_not_echoed(sandbox_env):
    from tests.samples import b64, response_xml

    roles = [f"arn:aws:iam::{n:012d}:role/Paste{n},arn:aws:iam::{n:012d}:saml-provider/IdP" for n in range(1, 81)]
    saml = b64(response_xml(roles))
    assert len(saml) > 3 * 4096  # a canonical-mode terminal keeps only the first 4,095 characters of a line
    tty = Tty("decode", "-", "--output", "json")
    tty.expect("Paste the SAMLResponse, then press Ctrl-D")
    # a first try wiped with the kill key (Ctrl-U), then the erase key removing what was typed last
    paste(tty, "not this\x15" + saml[:-5] + "Xé\x7f\x7f" + saml[-5:])
    assert tty.wait() == 0, tty.output.decode(errors="replace")[-2000:]
    assert f"{len(saml)} characters read".encode() in tty.output
    assert b"arn:aws:iam::000000000080:role/Paste80" in tty.output  # the last role: the whole paste was read
    assert saml[100:160].encode() not in tty.output  # the SAMLResponse is not echoed


def test_login_with_a_pasted_response_at_the_terminal(sandbox_env, sandbox_idp, sandbox_sts):
    from sandbox.idp import fetch_saml_response

    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    assert len(saml) > 4096  # one line, as copied from the browser's developer tools
    before = len(sandbox_sts.calls)
    tty = Tty("login", "--provider", "paste", "--profile", "pasted")
    tty.expect("Paste the SAMLResponse")
    paste(tty, saml + "\n")
    assert tty.wait() == 0, tty.output.decode(errors="replace")[-2000:]
    assert len(sandbox_sts.calls) == before + 1 and sandbox_sts.calls[-1]["SAMLAssertion"] == saml
    assert saml[:60].encode() not in tty.output


def test_a_paste_stopped_with_ctrl_z_and_resumed_stays_unechoed_and_whole(sandbox_env):
    """In an interactive shell with job control: Ctrl-Z mid-paste, the shell puts the terminal back to echo
    and lines while the job is stopped, then fg; the rest of the paste must be read as before: not shown,
    not cut at a line."""
    import shlex

    from tests.samples import b64, response_xml

    roles = [f"arn:aws:iam::{n:012d}:role/Stop{n},arn:aws:iam::{n:012d}:saml-provider/IdP" for n in range(1, 81)]
    saml = b64(response_xml(roles))
    env = dict(os.environ, TERM="dumb", PS1="$ ")
    env.pop("SAMLCREDS_NO_TTY", None)
    pid, fd = pty.fork()
    if pid == 0:  # child: bash owns the terminal and runs the command as a job of its own
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    shell = Tty.__new__(Tty)
    shell.pid, shell.fd, shell.output = pid, fd, b""
    shell.expect("$ ")
    shell.send(f"{shlex.quote(sys.executable)} -m samlcreds decode - --output json")
    shell.expect("Paste the SAMLResponse, then press Ctrl-D")
    half = len(saml) // 2
    for start in range(0, half, 1000):
        os.write(fd, saml[start:min(start + 1000, half)].encode())
        time.sleep(0.01)
    os.write(fd, b"\x1a")  # Ctrl-Z
    shell.expect("Stopped")
    shell.send("fg")
    time.sleep(0.5)
    paste(shell, saml[half:])
    shell.expect('"warnings"')
    shell.send("echo RC=$?")
    shell.expect("RC=")
    shell.send("exit")
    shell.wait()
    assert b"RC=0" in shell.output, shell.output.decode(errors="replace")[-2000:]
    assert b"arn:aws:iam::000000000080:role/Stop80" in shell.output
    assert saml[half + 100:half + 160].encode() not in shell.output  # typed after fg: not echoed
