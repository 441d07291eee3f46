"""Where a one-time code comes from: ``saml_otp_command``, the user at a terminal, or nowhere.

Like aws-vault's ``mfa_process``: the command is split the way botocore splits
``credential_process`` (``botocore.compat.compat_shell_split``), run without a
shell, and the first line of its stdout is the code. Codes are never logged.
"""

from __future__ import annotations

import os
import subprocess
from typing import Callable

from samlcreds import errors

#: Seconds the code command may take (a password manager may wait for its user to unlock it).
COMMAND_TIMEOUT = 120.0
KEY = "saml_otp_command"
ENV = "SAMLCREDS_OTP_COMMAND"
#: Where a command comes from, as messages name it: the profile key (or its variable), or configure's flag.
SOURCE = f"{KEY} (or {ENV})"
FLAG = "--otp-command"
#: Commands to suggest: none puts a TOTP secret in argv, where every local user can read it (``ps``).
#: oathtool (2.6.7+) reads ``@FILE``; the README's "One-time codes" section says the same.
EXAMPLES = "pass otp work/idp, or oathtool --totp -b @/home/me/.config/idp-totp (a 0600 file holding the secret)"


def command_hint(source: str = SOURCE) -> str:
    """The hint for a code command that failed, naming where it came from (``source``)."""
    return f"Check {source}: it must print the code on its first line, e.g. {EXAMPLES}."


_COMMAND_HINT = command_hint()


def split_code_command(command: str, *, source: str = KEY) -> list[str]:
    """``command``'s argv, split as botocore splits ``credential_process`` (``compat_shell_split``).

    That is ``shlex.split`` on POSIX (botocore has its own splitter only for
    Windows); botocore is not imported here, because a sign-in imports it in
    another thread meanwhile (:func:`samlcreds.stsclient.prepare_client`).
    Raises :class:`~samlcreds.errors.UsageError` when it does not split
    (an unclosed quote) or is empty, naming ``source`` (``saml_otp_command``,
    or :data:`FLAG` when configure was given it).
    """
    if os.name == "nt":  # pragma: no cover - botocore's Windows rules
        from botocore.compat import compat_shell_split as split
    else:
        from shlex import split

    hint = command_hint(SOURCE if source == KEY else source)
    try:
        argv = split(command)
    except ValueError as exc:
        raise errors.UsageError(f"{source} does not split into a command line: {exc}", hint=hint) from None
    if not argv:
        raise errors.UsageError(f"{source} is empty", hint=hint)
    return argv


def missing_program(argv: list[str]) -> str | None:
    """Why ``argv[0]`` would not start now, or ``None`` when it would: not on PATH, no such file,
    not executable (``shutil.which``'s rules, which are ``subprocess``'s lookup). A guess only: the
    sign-in may run with another PATH or directory, so callers warn rather than refuse."""
    import shutil

    program = argv[0]
    if shutil.which(program):
        return None
    has_dir = os.sep in program or bool(os.altsep and os.altsep in program)
    if has_dir and os.path.isfile(program):
        return f"{program!r} is not executable"
    if has_dir:
        return f"{program!r} does not exist"
    return f"{program!r} was not found on PATH"


def run_code_command(command: str, *, timeout: float = COMMAND_TIMEOUT, runner=subprocess.run) -> str:
    """The code printed on the first stdout line of ``command`` (run without a shell).

    The command's stderr goes to the user's stderr, its stdin is empty.
    Raises :class:`~samlcreds.errors.LoginFlowError` when it cannot be
    started, fails, times out or prints nothing, and
    :class:`~samlcreds.errors.UsageError` when it does not split (:func:`split_code_command`).
    """
    argv = split_code_command(command)
    program = argv[0]
    try:
        done = runner(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=timeout, check=False)
    except FileNotFoundError:
        raise errors.LoginFlowError(f"the one-time code command {program!r} ({KEY}) was not found",
                                    hint=_COMMAND_HINT) from None
    except PermissionError:
        raise errors.LoginFlowError(f"the one-time code command {program!r} ({KEY}) cannot be run "
                                    "(permission denied)", hint=_COMMAND_HINT) from None
    except subprocess.TimeoutExpired:
        raise errors.LoginFlowError(f"the one-time code command {program!r} ({KEY}) did not finish within "
                                    f"{timeout:g} s", hint=_COMMAND_HINT) from None
    except OSError as exc:
        raise errors.LoginFlowError(f"the one-time code command {program!r} ({KEY}) cannot be run: "
                                    f"{exc.strerror}", hint=_COMMAND_HINT) from None
    if done.returncode != 0:
        raise errors.LoginFlowError(f"the one-time code command {program!r} ({KEY}) exited with status "
                                    f"{done.returncode}", hint=_COMMAND_HINT)
    lines = (done.stdout or b"").decode("utf-8", "replace").splitlines()
    code = lines[0].strip() if lines else ""
    if not code:
        raise errors.LoginFlowError(f"the one-time code command {program!r} ({KEY}) printed no code",
                                    hint=_COMMAND_HINT)
    return code


class CodeSource:
    """Hands out one-time codes for one sign-in: from ``command``, else ``ask(prompt)``, else none.

    ``retry_allowed()`` says whether a refused code may be asked for once
    more: only a person at a terminal types a new code (a command would print
    the same refused one).
    """

    def __init__(self, command: str | None, ask: Callable[[str], str] | None, *, timeout: float = COMMAND_TIMEOUT,
                 runner=subprocess.run) -> None:
        self.command = command
        self.ask = ask
        self.timeout = timeout
        self.runner = runner
        self.asked = 0

    def code(self, host: str, *, refused: bool = False) -> str:
        """A code for the IdP at ``host``; ``refused``: the last one was refused.

        Raises :class:`~samlcreds.errors.InteractionRequired` naming
        ``saml_otp_command`` when there is neither a command nor a way to ask.
        """
        self.asked += 1
        if self.command:
            return run_code_command(self.command, timeout=self.timeout, runner=self.runner)
        if self.ask is None:
            raise errors.InteractionRequired(
                f"the IdP at {host} asks for a one-time code and there is no terminal to ask on; "
                f"set {KEY} in the profile (or {ENV}) to a command that prints the code",
                hint=f"For example: {KEY} = {EXAMPLES}. Or run samlcreds in a terminal to type the code.")
        prompt = f"One-time code for {host}: "
        code = self.ask(("The one-time code was refused. " if refused else "") + prompt).strip()
        if not code:
            raise errors.InteractionRequired("no one-time code was entered")
        return code

    def retry_allowed(self) -> bool:
        """True once: after the first code typed at a terminal was refused."""
        return not self.command and self.ask is not None and self.asked < 2
