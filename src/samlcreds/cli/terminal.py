"""Talking to the user: stderr messages, the controlling terminal, a status spinner, the CLI's environment.

Prompts read from the controlling terminal (``/dev/tty``) so that stdin and
stdout stay free for data (``--password-stdin``, JSON output, credential_process).
:class:`Environment` is what a run of the CLI talks to (streams, process
environment, terminal); :func:`samlcreds.cli.main.main` takes one, so the CLI
runs in-process in tests.
"""

from __future__ import annotations

import contextlib
import getpass
import io
import os
import sys
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Sequence, TextIO

import click

from samlcreds import errors
from samlcreds.roles import RolePair, group_by_account


class Terminal:
    """The controlling terminal, if any. ``available`` is False without one."""

    def __init__(self, path: str = "/dev/tty") -> None:
        self.path = path

    @property
    def available(self) -> bool:
        if os.environ.get("SAMLCREDS_NO_TTY"):
            return False
        try:
            with open(self.path, "r+b", buffering=0):
                return True
        except OSError:
            return False

    def ask_secret(self, prompt: str, what: str = "password") -> str:
        """Read a line without echo (getpass uses the terminal itself): a password or a one-time code
        (``what``, for the error when none is entered)."""
        with spinner_paused():
            try:
                return getpass.getpass(prompt)
            except EOFError:
                raise errors.InteractionRequired(f"no {what} was entered") from None

    def ask(self, prompt: str) -> str:
        """Read a visible line from the terminal."""
        with spinner_paused():
            self.say(prompt)
            with open(self.path, encoding="utf-8") as tty:  # a tty cannot be opened "r+" buffered
                line = tty.readline()
        if not line:
            raise errors.InteractionRequired("no answer was entered")
        return line.rstrip("\r\n")

    def say(self, text: str) -> None:
        """Write to the terminal (used for pickers so stderr stays for messages)."""
        with spinner_paused(), open(self.path, "w", encoding="utf-8") as tty:
            tty.write(text)


@dataclass
class Environment:
    """What one run of the CLI talks to (httpie's ``Environment``); ``None`` means the process's own.

    ``stdin`` may be given as text or bytes (read as a UTF-8 stream).
    ``environ`` replaces the process environment for the run. ``terminal``
    answers prompts instead of ``/dev/tty``.
    """

    stdin: TextIO | str | bytes | None = None
    stdout: TextIO | None = None
    stderr: TextIO | None = None
    environ: Mapping[str, str] | None = None
    terminal: "Terminal | None" = None

    @contextlib.contextmanager
    def applied(self) -> Iterator["Environment"]:
        """Make this the environment of the code run in the block (streams, ``os.environ``, terminal)."""
        stdin = self.stdin
        if isinstance(stdin, (str, bytes)):
            data = stdin.encode() if isinstance(stdin, str) else stdin
            stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        saved = (sys.stdin, sys.stdout, sys.stderr)
        saved_environ = dict(os.environ) if self.environ is not None else None
        sys.stdin = stdin or sys.stdin
        sys.stdout = self.stdout or sys.stdout
        sys.stderr = self.stderr or sys.stderr
        if self.environ is not None:
            os.environ.clear()
            os.environ.update(self.environ)
        _ENVIRONMENTS.append(self)
        try:
            yield self
        finally:
            _ENVIRONMENTS.pop()
            sys.stdin, sys.stdout, sys.stderr = saved
            if saved_environ is not None:
                os.environ.clear()
                os.environ.update(saved_environ)


_ENVIRONMENTS: list[Environment] = []


def current_terminal() -> Terminal:
    """The terminal of the CLI run in progress: the injected one, else the controlling terminal."""
    injected = _ENVIRONMENTS[-1].terminal if _ENVIRONMENTS else None
    return injected if injected is not None else Terminal()


#: The spinner on screen, if any, and how many prompts hold it paused.
_SPINNER: list = []
_PAUSES = [0]


@contextlib.contextmanager
def spinner_paused():
    """Keep the spinner off for the block, e.g. a whole question (list, prompt, answer).

    Re-entrant: only the outermost pause stops and restarts it, so a prompt
    inside a question does not bring the spinner back over the question.
    """
    spinner = _SPINNER[-1] if _SPINNER else None
    if spinner is None:
        yield
        return
    if _PAUSES[0] == 0:
        spinner.stop()
    _PAUSES[0] += 1
    try:
        yield
    finally:
        _PAUSES[0] -= 1
        if _PAUSES[0] == 0:
            spinner.start()


def info(message: str) -> None:
    """A message for the user on stderr (never secrets)."""
    click.echo(message, err=True)


@contextlib.contextmanager
def status(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while waiting on the network; yields ``update(text)``.

    Off unless stderr is a terminal (then messages would only be noise in logs).
    """
    if not enabled or not sys.stderr.isatty():
        yield lambda text: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("starting") as spinner:
        _SPINNER.append(spinner)
        try:
            yield lambda text: spinner.update(text)
        finally:
            _SPINNER.remove(spinner)


def make_picker(terminal: Terminal, names: dict[str, str] | None = None) -> Callable[[Sequence[RolePair]], RolePair]:
    """An interactive role picker on the terminal, roles grouped by account (``names``: ID -> name)."""

    def pick(roles: Sequence[RolePair]) -> RolePair:
        numbered: list[RolePair] = []
        lines = ["The assertion grants these roles:"]
        for account, pairs in group_by_account(roles).items():
            name = (names or {}).get(account)
            lines.append(f"  Account {name} ({account})" if name else f"  Account {account}")
            for pair in pairs:
                numbered.append(pair)
                lines.append(f"    [{len(numbered)}] {pair.path_name}  ({pair.role_arn})")
        with spinner_paused():  # the whole question: the spinner must not redraw over the prompt
            terminal.say("\n".join(lines) + "\n")
            for _ in range(5):
                answer = terminal.ask(f"Role [1-{len(numbered)}]: ").strip()
                if answer.isdigit() and 1 <= int(answer) <= len(numbered):
                    return numbered[int(answer) - 1]
                terminal.say(f"Please enter a number from 1 to {len(numbered)}.\n")
        raise errors.RoleSelectionError("no role was chosen", roles=roles)

    return pick
