"""The role picker on a real pseudo-terminal: its prompt stays the last thing on screen while it waits.

No IdP is needed: ``login --saml-file`` reads a hand-built SAMLResponse with two
roles, and the picker asks before any STS call. The spinner (rich, on a
colour terminal) must stay off for the whole question.
"""

from __future__ import annotations

import os
import pty
import re
import select
import socket
import sys
import time

from tests.helpers import isolated_environ
from tests.samples import b64, response_xml

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def _read(fd, seconds: float) -> bytes:
    out = b""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def _screen(data: bytes) -> str:
    return ANSI.sub("", data.decode("utf-8", "replace")).replace("\r", "")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_picker_prompt_is_last_on_screen_while_waiting(tmp_path):
    saml = tmp_path / "response.b64"
    saml.write_text(b64(response_xml()))
    env = isolated_environ(tmp_path, AWS_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}", TERM="xterm-256color",
                           COLUMNS="100", LINES="30")
    env.pop("SAMLCREDS_NO_TTY", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: samlcreds with the pty as its controlling terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "samlcreds", "login", "--saml-file", str(saml),
                                    "--profile", "p", "--timeout", "2"], env)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"Role [1-2]: " not in seen:
            assert time.monotonic() < deadline, _screen(seen)
            seen += _read(fd, 0.5)
        seen += _read(fd, 1.5)  # the spinner would redraw ~12 times a second
        screen = _screen(seen)
        assert "[1] Developer" in screen and "[2] team/ops/Admin" in screen, screen
        assert screen.endswith("Role [1-2]: "), repr(screen[-200:])
        os.write(fd, b"2\r")
        rest = _screen(_read(fd, 30))
        assert "Admin" in rest or "STS" in rest, rest
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
        os.close(fd)
