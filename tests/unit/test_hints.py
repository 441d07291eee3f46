"""Hints worded for the command that runs (samlcreds.cli.hints): every hint the library can give, for every
command, names only that command's flags, the exact other command to run, and never says a thing twice."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from samlcreds.cli.hints import hint_for
from samlcreds.cli.main import COMMANDS, cli
from samlcreds.profile import KEYS

SRC = Path(__file__).resolve().parents[2] / "src" / "samlcreds"


def _command(name):
    return cli.get_command(click.Context(cli), name)


def _text(node, constants) -> str | None:
    """The text of a hint expression, ``{...}`` parts as PROFILE; ``None`` when it is not text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "PROFILE" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, constants), _text(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.IfExp):
        return _text(node.body, constants)
    return None


def library_hints() -> list[str]:
    """Every ``hint=`` text in src/samlcreds, and what ``*_hint`` functions return (module-level
    string constants followed)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text())
        constants = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                text = _text(node.value, constants)
                if text is not None:
                    constants[node.targets[0].id] = text
        returned = [ret.value for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) and fn.name.endswith("_hint")
                    for ret in ast.walk(fn) if isinstance(ret, ast.Return) and ret.value is not None]
        given = [node.value for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == "hint"]
        for node in given + returned:
            text = _text(node, constants)
            if text and "--" in text:
                found.append(text)
    return sorted(set(found))


HINTS = library_hints()
_QUOTED = re.compile(r"'samlcreds [^']*'|\"samlcreds [^\"]*\"|`samlcreds [^`]*`|\bsamlcreds [a-z]+(?: [^\s.;,]+)*")


def _flags(command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def _mentions(text: str, setting: str) -> int:
    """How often ``text`` gives ``setting``: its profile key, its flag (also inside a command line)."""
    key, flag = KEYS[setting][0], "--" + setting.replace("_", "-")
    return len(re.findall(rf"\b{re.escape(key)}\b", text)) + len(re.findall(rf"(?<![\w-]){re.escape(flag)}\b", text))


def test_the_library_has_hints_to_check():
    assert len(HINTS) > 40
    assert "Pass --username or set saml_username in the profile." in HINTS  # idp.web.no_username_hint
    assert "Pass --username or run 'samlcreds configure --profile PROFILE --username NAME'." in HINTS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_hint_names_a_flag_the_command_lacks_or_repeats_itself(command):
    cmd = _command(command)
    own = _flags(cmd)
    for hint in HINTS:
        said = hint_for(hint, cmd, "work")
        outside = _QUOTED.sub("", said)
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", outside):
            assert flag in own or flag.removeprefix("--").replace("-", "_") not in KEYS, (hint, said)
        for setting in KEYS:
            assert _mentions(said, setting) <= _mentions(hint, setting), (setting, hint, said)
        words = said.lower().split()
        runs = [" ".join(words[i:i + 4]) for i in range(len(words) - 3)]
        assert len(runs) == len(set(runs)) or hint.lower().count(runs[0]) > 1, (hint, said)
        assert said[:1].isupper() == hint[:1].isupper(), (hint, said)  # a sentence still starts as one


@pytest.mark.parametrize("hint,command,expected", [
    # the reported one: console has no --username
    ("Pass --username or set saml_username in the profile.", "console",
     "Run 'samlcreds configure --profile sb2 --username NAME'."),
    ("Pass --username or set saml_username in the profile.", "login",
     "Pass --username or set saml_username in the profile."),
    ("Pass --username, or run in a terminal.", "env",
     "Run 'samlcreds configure --profile sb2 --username NAME', or run in a terminal."),
    ("Check the user name (--username / saml_username) and password, then try again.", "process",
     "Check the user name (saml_username) and password, then try again."),
    ("Run 'samlcreds configure --profile sb2 --url URL', or pass --url.", "exec",
     "Run 'samlcreds configure --profile sb2 --url URL'."),
    ("Pass --url or set saml_url in the profile (samlcreds configure).", "env",
     "Run 'samlcreds configure --profile sb2 --url URL'."),
    ("Pass --role ROLE_ARN (or ACCOUNT_ID:ROLE_NAME), or set saml_role_arn in the profile.", "console",
     "Run 'samlcreds configure --profile sb2 --role ROLE_ARN'."),
    ("Use --provider browser (a real browser runs the IdP's scripts).", "process",
     "Run 'samlcreds configure --profile sb2 --provider browser' (a real browser runs the IdP's scripts)."),
    ("Pass --region with a region of aws.", "env",
     "Run 'samlcreds configure --profile sb2 --region REGION' with a region of aws."),
    ("Install one: saml_browser = /path/to/chrome in the profile, --browser PATH, or SAMLCREDS_BROWSER.",
     "console", "Install one: saml_browser = /path/to/chrome in the profile, or SAMLCREDS_BROWSER."),
    ("Try again, or raise the timeout (saml_timeout / --timeout).", "env",
     "Try again, or raise the timeout (saml_timeout)."),
    # no profile known: the profile key, as before
    ("Pass --username or set saml_username in the profile.", "console", "Set saml_username in the profile."),
])
def test_hint_for_a_command_and_profile(hint, command, expected):
    profile = None if expected.startswith("Set ") else "sb2"
    assert hint_for(hint, _command(command), profile) == expected


def test_a_profile_name_with_spaces_is_quoted():
    assert hint_for("Pass --username.", _command("env"), "my work") == \
        "Run 'samlcreds configure --profile \"my work\" --username NAME'."
