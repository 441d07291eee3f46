"""The Python API's role picker: the menu, answers, the channels it asks on (a real pty for the terminal)."""

from __future__ import annotations

import builtins
import os
import threading

import pytest

from samlcreds import errors
from samlcreds.picker import NoWayToAsk, ROLE_HINT, _ask_terminal, ask_here, make_picker, numbered, role_menu
from samlcreds.roles import RolePair
from tests.samples import PROV_1, PROV_2, ROLE_A, ROLE_B, ROLE_C

# first-seen order mixes the accounts: the menu groups them
ROLES = (RolePair(ROLE_A, PROV_1), RolePair(ROLE_C, PROV_2), RolePair(ROLE_B, PROV_1))


def test_menu_groups_by_account_and_numbers_in_that_order():
    menu = role_menu(ROLES, {"222222222222": "audit"})
    assert menu.splitlines() == [
        "The assertion grants these roles:",
        "  Account 111111111111",
        f"    [1] Developer  ({ROLE_A})",
        f"    [2] team/ops/Admin  ({ROLE_B})",
        "  Account audit (222222222222)",
        f"    [3] Auditor  ({ROLE_C})",
    ]
    assert numbered(ROLES) == [ROLES[0], ROLES[2], ROLES[1]]


def test_answers_by_number_arn_or_name_after_unusable_ones():
    asked = []
    replies = iter(["", "9", "nope", "3"])

    def ask(menu, prompt):
        asked.append((menu, prompt))
        return next(replies)

    assert make_picker(ask)(ROLES) == ROLES[1]
    assert asked[0][0].startswith("The assertion grants") and asked[0][1] == "Role [1-3]: "
    assert asked[2][0] == "'9' is not one of the roles: enter a number from 1 to 3 (or a role ARN)."
    assert make_picker(lambda m, p: ROLE_B)(ROLES) == ROLES[2]
    assert make_picker(lambda m, p: "222222222222:Auditor")(ROLES) == ROLES[1]


def test_no_choice_and_no_way_to_ask_are_role_selection_errors_naming_role_keyword():
    def eof(menu, prompt):
        raise EOFError

    def nowhere(menu, prompt):
        raise NoWayToAsk()

    with pytest.raises(errors.RoleSelectionError, match="no role was chosen"):
        make_picker(eof)(ROLES)
    with pytest.raises(errors.RoleSelectionError, match="no way to ask") as caught:
        make_picker(nowhere)(ROLES)
    assert caught.value.hint == ROLE_HINT and "role=" in ROLE_HINT and "--role" in ROLE_HINT
    assert caught.value.roles == ROLES
    with pytest.raises(errors.RoleSelectionError, match="no role was chosen"):
        make_picker(lambda m, p: "x", attempts=2)(ROLES)


def test_a_kernels_input_is_used_when_it_replaced_the_builtin(monkeypatch, capsys):
    prompts = []
    monkeypatch.setattr(builtins, "input", lambda prompt: prompts.append(prompt) or "2")
    assert make_picker()(ROLES) == ROLES[2]
    assert prompts == ["Role [1-3]: "]
    assert "Account 111111111111" in capsys.readouterr().out

    def no_stdin(prompt):
        raise NotImplementedError("raw_input was called, but this frontend does not support input requests.")

    monkeypatch.setattr(builtins, "input", no_stdin)
    with pytest.raises(NoWayToAsk):
        ask_here("menu", "Role: ")


def test_without_kernel_or_terminal_there_is_no_way_to_ask(monkeypatch):
    monkeypatch.setenv("SAMLCREDS_NO_TTY", "1")
    with pytest.raises(NoWayToAsk):
        ask_here("menu", "Role: ")
    monkeypatch.delenv("SAMLCREDS_NO_TTY")
    with pytest.raises(NoWayToAsk):
        _ask_terminal("menu", "Role: ", path="/nonexistent/tty")


def test_terminal_menu_and_answer_on_a_real_pty(monkeypatch):
    monkeypatch.delenv("SAMLCREDS_NO_TTY", raising=False)
    master, slave = os.openpty()
    shown = bytearray()

    def person():
        while b"Role [1-3]: " not in shown:
            shown.extend(os.read(master, 4096))
        os.write(master, b"3\n")

    typist = threading.Thread(target=person, daemon=True)
    typist.start()
    try:
        answer = _ask_terminal(role_menu(ROLES), "Role [1-3]: ", path=os.ttyname(slave))
    finally:
        typist.join(5)
        os.close(master)
        os.close(slave)
    assert answer == "3"
    assert b"Account 222222222222" in shown
