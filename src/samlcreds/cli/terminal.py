"""Talking to the user: stderr messages, the controlling terminal, a status spinner.

Prompts read from the controlling terminal (``/dev/tty``) so that stdin and
stdout stay free for data (``--password-stdin``, JSON output, credential_process).
Tests inject their own :class:`Terminal`.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sys
from typing import Callable, Iterator, Sequence

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

    def ask_secret(self, prompt: str) -> str:
        """Read a line without echo (getpass uses the terminal itself)."""
        with _spinner_paused():
            try:
                return getpass.getpass(prompt)
            except EOFError:
                raise errors.InteractionRequired("no password was entered") from None

    def ask(self, prompt: str) -> str:
        """Read a visible line from the terminal."""
        with _spinner_paused():
            self.say(prompt)
            with open(self.path, encoding="utf-8") as tty:  # a tty cannot be opened "r+" buffered
                line = tty.readline()
        if not line:
            raise errors.InteractionRequired("no answer was entered")
        return line.rstrip("\r\n")

    def say(self, text: str) -> None:
        """Write to the terminal (used for pickers so stderr stays for messages)."""
        with _spinner_paused(), open(self.path, "w", encoding="utf-8") as tty:
            tty.write(text)


#: The spinner on screen, if any: prompts stop it so that it does not redraw over them.
_SPINNER = []


@contextlib.contextmanager
def _spinner_paused():
    spinner = _SPINNER[-1] if _SPINNER else None
    if spinner is not None:
        spinner.stop()
    try:
        yield
    finally:
        if spinner is not None:
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
        terminal.say("\n".join(lines) + "\n")
        for _ in range(5):
            answer = terminal.ask(f"Role [1-{len(numbered)}]: ").strip()
            if answer.isdigit() and 1 <= int(answer) <= len(numbered):
                return numbered[int(answer) - 1]
            terminal.say(f"Please enter a number from 1 to {len(numbered)}.\n")
        raise errors.RoleSelectionError("no role was chosen", roles=roles)

    return pick
