"""The Python API's role picker: which role, when the assertion grants several and none is set.

It asks on the channel the password prompt uses: inside a Jupyter kernel the
``input`` builtin that ipykernel installs while a cell runs (an input box under
the cell), elsewhere the controlling terminal (``/dev/tty``). With neither (a
notebook run by nbclient/papermill, a service) it raises
:class:`~samlcreds.errors.RoleSelectionError` naming ``role=`` (and ``--role``
for the CLI). The picker remembers nothing: the choice is not written to any
profile; it holds for the one ``samlcreds.session()`` it was made for.

Pickers are plain callables ``picker(roles) -> RolePair`` (``flow.Picker``);
:func:`make_picker` builds one with another way to ask or account names.
"""

from __future__ import annotations

import builtins
import os
import types
from typing import Callable, Mapping, Sequence

from samlcreds import errors
from samlcreds.accounts import label
from samlcreds.roles import RolePair, describe_roles, group_by_account, match_roles

#: ``ask(menu, prompt) -> answer``; raises :class:`NoWayToAsk` when it cannot ask.
Ask = Callable[[str, str], str]

ROLE_HINT = ("Pass role='ROLE_ARN' (or 'ACCOUNT_ID:ROLE_NAME') to samlcreds.session() or "
             "samlcreds.credentials(), or set saml_role_arn in the profile (on the command line: --role).")


class NoWayToAsk(Exception):
    """Internal: neither a kernel's input box nor a terminal is available."""


def role_menu(roles: Sequence[RolePair], account_names: Mapping[str, str] | None = None) -> str:
    """The numbered list of ``roles``, grouped by account (``prod (111111111111)`` when ``account_names`` knows it).

    Numbers follow the grouped order; :func:`numbered` gives the same order.
    """
    names = account_names or {}
    lines, number = ["The assertion grants these roles:"], 0
    for account, pairs in group_by_account(roles).items():
        lines.append(f"  Account {label(account, names)}")
        for pair in pairs:
            number += 1
            lines.append(f"    [{number}] {pair.path_name}  ({pair.role_arn})")
    return "\n".join(lines)


def numbered(roles: Sequence[RolePair]) -> list[RolePair]:
    """``roles`` in the order :func:`role_menu` numbers them (1-based on screen)."""
    return [pair for pairs in group_by_account(roles).values() for pair in pairs]


def kernel_input() -> Callable[[str], str] | None:
    """ipykernel's ``input`` while a cell runs (it replaces the builtin), else ``None``."""
    current = builtins.input
    return None if isinstance(current, types.BuiltinFunctionType) else current


def ask_here(menu: str, prompt: str) -> str:
    """The default ``ask``: the kernel's input box, else the controlling terminal.

    Raises :class:`NoWayToAsk` without either (``SAMLCREDS_NO_TTY`` set or no
    ``/dev/tty``; a kernel whose front end takes no input), ``EOFError`` when the
    answer is end-of-input.
    """
    read = kernel_input()
    if read is not None:
        print(menu, flush=True)  # ipykernel flushes stdout before its input request
        try:
            return read(prompt)
        except NotImplementedError:  # IPython's StdinNotImplementedError: nbclient, papermill...
            raise NoWayToAsk() from None
    return _ask_terminal(menu, prompt)


def _ask_terminal(menu: str, prompt: str, path: str = "/dev/tty") -> str:
    if os.environ.get("SAMLCREDS_NO_TTY"):
        raise NoWayToAsk()
    try:
        with open(path, "w", encoding="utf-8") as out, open(path, encoding="utf-8") as tty:
            out.write(f"{menu}\n{prompt}")
            out.flush()
            line = tty.readline()
    except OSError:
        raise NoWayToAsk() from None
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def make_picker(ask: Ask = ask_here, *, account_names: Mapping[str, str] | None = None,
                attempts: int = 5) -> Callable[[Sequence[RolePair]], RolePair]:
    """A role picker asking with ``ask(menu, prompt)``.

    An answer is a number from the menu, or a role ARN, ``ACCOUNT_ID:ROLE_NAME``
    or role name matching exactly one role. After ``attempts`` unusable answers,
    at end of input, or with no way to ask, raises
    :class:`~samlcreds.errors.RoleSelectionError` (its hint names ``role=``).
    """

    def pick(roles: Sequence[RolePair]) -> RolePair:
        order = numbered(roles)
        menu = role_menu(roles, account_names)
        prompt = f"Role [1-{len(order)}]: "
        for _ in range(attempts):
            try:
                answer = ask(menu, prompt).strip()
            except NoWayToAsk:
                raise no_way_to_ask(roles) from None
            except EOFError:
                break
            chosen = _parse_answer(answer, order)
            if chosen is not None:
                return chosen
            menu = f"{answer!r} is not one of the roles: enter a number from 1 to {len(order)} (or a role ARN)."
        raise errors.RoleSelectionError("no role was chosen", roles=roles, hint=ROLE_HINT)

    return pick


def _parse_answer(answer: str, order: list[RolePair]) -> RolePair | None:
    if answer.isdigit():
        index = int(answer)
        return order[index - 1] if 1 <= index <= len(order) else None
    found = match_roles(order, answer) if answer else []
    return found[0] if len(found) == 1 else None


def no_way_to_ask(roles: Sequence[RolePair]) -> errors.RoleSelectionError:
    """The error when several roles are granted and nothing can ask which one."""
    return errors.RoleSelectionError(
        "the assertion grants several roles and there is no way to ask which one "
        "(no notebook input box and no terminal):\n" + describe_roles(roles),
        roles=roles, hint=ROLE_HINT)


def refuse(roles: Sequence[RolePair]) -> RolePair:
    """A picker that never asks (``picker=None`` in the API)."""
    raise no_way_to_ask(roles)


#: The API's default picker.
ask_role = make_picker()
