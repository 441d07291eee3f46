"""What the browser tests share: live browser processes, a real X display, a person's keystrokes, a pty,
the Chromium check, and HTML answers for the tests' loopback pages.

Nothing here drives a browser: the keystrokes come from ``xdotool`` (XTEST),
as from a keyboard; windows are found by their title.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

AUTOMATION_FLAGS = (b"--remote-debugging-pipe", b"--remote-debugging-port", b"--enable-automation")
SSP_LOGIN_TITLE = "Enter your username and password"


def cmdlines(marker: str) -> dict[int, bytes]:
    """``pid -> command line`` (NULs as spaces) of live processes whose command line mentions ``marker``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and marker.encode() in cmdline:
            found[int(entry.name)] = cmdline
    return found


def browser_processes(marker: str) -> list[int]:
    """PIDs of live processes whose command line mentions ``marker`` (a test's unique tmp path)."""
    return sorted(cmdlines(marker))


class CmdlineWatch:
    """Samples, every 50 ms in a thread, the command lines of processes mentioning ``marker`` (and, with a
    ``display``, its visible windows every 200 ms)."""

    def __init__(self, marker: str, display: str | None = None) -> None:
        self.marker = marker
        self.display = display
        self.seen: dict[int, bytes] = {}
        self.windows: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rounds = 0
        while not self._stop.is_set():
            self.seen.update(cmdlines(self.marker))
            if self.display and rounds % 4 == 0:
                self.windows.update(visible_windows(self.display))
            rounds += 1
            self._stop.wait(0.05)

    def __enter__(self) -> "CmdlineWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def browsers(self) -> dict[int, bytes]:
        """The sampled browser main processes (``--user-data-dir`` and not a ``--type=`` helper)."""
        return {pid: line for pid, line in self.seen.items()
                if b"--user-data-dir=" in line and b"--type=" not in line}

    def with_automation_flags(self) -> list[bytes]:
        return [line for line in self.seen.values() if any(flag in line for flag in AUTOMATION_FLAGS)]


def require_chromium():
    """The Chromium the browser tests use; FAILS (never skips) the test when there is none."""
    from samlcreds.idp.browser import BrowserNotFound, find_browser

    try:
        return find_browser()
    except BrowserNotFound as exc:
        pytest.fail(f"no Chromium for the browser tests: {exc} (apt-get install chromium)", pytrace=False)


def send_html(handler, body: str, status: int = 200) -> None:
    """Answer an ``http.server`` request with the HTML page ``body``."""
    data = body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed (the Makefile's setup installs it from Debian)", pytrace=False)
    return path


@pytest.fixture(scope="module")
def x_display():
    """A real X server (``Xvfb -displayfd``) for the module; yields ``":N"``."""
    require("Xvfb")
    require("xdotool")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1280x900x24"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 20
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        if select.select([read_fd], [], [], 0.5)[0]:
            chunk = os.read(read_fd, 16)
            if not chunk:
                break
            number += chunk
    os.close(read_fd)
    if not number.strip():
        proc.kill()
        pytest.fail("Xvfb did not start", pytrace=False)
    try:
        yield ":" + number.decode().strip()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def xdotool(display: str, *args: str, input: str | None = None, timeout: float = 30) -> str:
    env = dict(os.environ, DISPLAY=display)
    result = subprocess.run(["xdotool", *args], input=input, capture_output=True, text=True, env=env,
                            timeout=timeout)
    return result.stdout


def wait_for_window(display: str, title: str, timeout: float = 60) -> str:
    """The id of the first visible window whose title contains ``title`` (polls until ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = xdotool(display, "search", "--onlyvisible", "--name", title).split()
        if found:
            return found[0]
        time.sleep(0.2)
    names = [xdotool(display, "getwindowname", w).strip()
             for w in xdotool(display, "search", "--onlyvisible", "--name", ".").split()]
    raise AssertionError(f"no window titled {title!r} within {timeout:g} s; windows: {names}")


def visible_windows(display: str) -> list[str]:
    return xdotool(display, "search", "--onlyvisible", "--name", ".").split()


def type_credentials(display: str, window: str, username: str, password: str) -> None:
    """As a person would: focus the window, type the user name, Tab, the password, Enter.

    The text goes to xdotool on stdin (``type --file -``), never in its argv.
    """
    time.sleep(0.5)  # a person looks at the page before typing
    xdotool(display, "windowfocus", "--sync", window)
    time.sleep(0.3)
    xdotool(display, "type", "--delay", "25", "--file", "-", input=username)
    xdotool(display, "key", "Tab")
    xdotool(display, "type", "--delay", "25", "--file", "-", input=password)
    xdotool(display, "key", "Return")


class Tty:
    """``samlcreds ARGS`` with a pty as its controlling terminal; ``env`` is its whole environment."""

    def __init__(self, *args: str, env: dict) -> None:
        env = dict(env)
        env.pop("SAMLCREDS_NO_TTY", None)
        env["TERM"] = "dumb"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.execvpe(sys.executable, [sys.executable, "-m", "samlcreds", *args], env)
        self.output = b""

    def read(self) -> None:
        try:
            while select.select([self.fd], [], [], 0)[0]:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    return
                self.output += chunk
        except OSError:
            pass

    def wait(self, timeout: float = 90) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.1)[0]:
                self.read()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.read()
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"did not finish: {self.output.decode(errors='replace')!r}")
