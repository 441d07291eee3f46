"""Error hints worded for the command that runs: only its flags, the exact other command to run, no repeats.

The library's hints name flags (``Pass --username or set saml_username in the
profile.``). ``samlcreds console`` has no ``--username``: there the flag's
alternative is dropped and what is left names the command that stores the
setting (``Run 'samlcreds configure --profile sb2 --username NAME'.``).
"""

from __future__ import annotations

import re
from typing import Callable

import click

from samlcreds.profile import quote_word

#: A samlcreds command line quoted in a hint ('samlcreds configure --url URL'), or unquoted to the sentence end.
_COMMAND_LINE = re.compile(r"'samlcreds [^']*'|\"samlcreds [^\"]*\"|`samlcreds [^`]*`|\bsamlcreds [a-z]+(?: [^\s.;,]+)*")
_FLAG = re.compile(r"(?<![\w-])--(?P<name>[a-z][a-z0-9-]*)")
#: A value placeholder after a flag (``--role ROLE_ARN``), and a parenthesis after it (``(or ACCOUNT_ID:NAME)``).
_VALUE = r"(?: (?P<value>[A-Z][A-Z0-9_]*)(?![\w:]))?"
_ASIDE = r"(?: \([^()]*\))?"
#: A value chosen after a flag (``--provider browser``, ``--duration 3600``).
_CHOICE = r" (?P<value>[a-z0-9](?:[\w.:/-]*[\w/])?)(?: or (?P<other>[a-z0-9]\w*))?"
#: The placeholder for a setting's value in a configure command line, when the hint gives none.
_PLACEHOLDERS = {"username": "NAME", "role": "ROLE"}
_UPPER = "\x00"  # marks a letter to capitalize: the start of a sentence whose first words were dropped
_KEPT = "\x01"  # brackets the index of a command line kept as it is


def hint_for(hint: str, command: click.Command | None, profile: str | None = None) -> str:
    """``hint`` naming only flags ``command`` has; ``profile``: the profile the command ran on, if any.

    For each flag ``command`` lacks that stands for a setting (:data:`samlcreds.profile.KEYS`):
    an alternative naming it (``Pass --username, or ...``, ``..., or pass --url``,
    ``(--timeout / saml_timeout)``) is dropped; ``set KEY in the profile`` and ``Pass --FLAG``
    become ``run 'samlcreds configure --profile PROFILE --FLAG VALUE'`` when ``configure``
    has the flag and the profile is known, else ``set KEY in the profile`` (``Use --provider
    browser`` likewise, with its value; ``add``/``drop`` a switch: ``set KEY = true``/``false``);
    any other mention becomes ``KEY in the profile``. Flags inside a quoted ``samlcreds ...``
    command line are kept: they belong to that command.
    """
    if command is None:
        return hint
    from samlcreds.profile import KEYS

    own = _flags_of(command)
    stores = _flags_of(_configure()) if profile else set()
    lacking = [name for name in dict.fromkeys(m["name"] for m in _FLAG.finditer(hint))
               if "--" + name not in own and name.replace("-", "_") in KEYS]
    kept: list[str] = []  # the quoted command lines, as _KEPT placeholders while flags are reworded

    def keep(line: str) -> str:
        kept.append(line)
        return f"{_KEPT}{len(kept) - 1}{_KEPT}"

    text = _COMMAND_LINE.sub(lambda m: keep(m[0]), hint)
    for name in lacking:
        key = KEYS[name.replace("-", "_")][0]
        store = None
        if "--" + name in stores:
            store = lambda value, name=name, where=quote_word(profile): keep(  # noqa: E731
                f"'samlcreds configure --profile {where} --{name} "
                f"{value or _PLACEHOLDERS.get(name, name.replace('-', '_').upper())}'")
        text = _reword(text, name, key, store, kept)
    text = re.sub(_UPPER + r"(\W*)(\w)", lambda m: m[1] + m[2].upper(), text).replace(_UPPER, "")
    return re.sub(f"{_KEPT}(\\d+){_KEPT}", lambda m: kept[int(m[1])], text)


def _reword(text: str, name: str, key: str, store: Callable[[str | None], str] | None,
            kept: list[str]) -> str:
    """``text`` without flag ``--name``, which the command lacks; ``store(value)``: the configure command
    line storing the setting (``None``: there is none to name); ``kept``: the command lines the
    :data:`_KEPT` placeholders in ``text`` stand for."""
    flag, key_re = re.escape("--" + name), re.escape(key)
    values: list[str] = []

    def covers(part: str) -> bool:
        """Does ``part`` of a sentence give the setting another way (its key, or a command line with the flag)?"""
        part = re.sub(f"{_KEPT}(\\d+){_KEPT}", lambda m: kept[int(m[1])], part)
        return re.search(rf"\b{key_re}\b|(?<![\w-]){flag}\b", part) is not None

    def dropped(match: re.Match) -> str:
        if not covers(re.split(r"[.;]", match.string[match.end():], maxsplit=1)[0]):
            return match[0]  # the only way given: reworded below
        if match["value"]:
            values.append(match["value"])
        return _UPPER if match["verb"][0].isupper() else ""

    def dropped_after(match: re.Match) -> str:
        before = re.split(r"[.;]", match.string[:match.start()])[-1]
        return "" if covers(before) else match[0]

    text = re.sub(rf"\b(?P<verb>[Pp]ass) {flag}{_VALUE} \(or (?:set|fix) {key_re} in the profile\)",
                  lambda m: f"{'S' if m['verb'][0].isupper() else 's'}et {key} in the profile", text)
    # "Pass --username or set ...", "..., or pass --url." (when the rest of the sentence gives the setting),
    # "(--timeout / saml_timeout)": drop the flag's side
    text = re.sub(rf"\b(?P<verb>[Pp]ass|[Uu]se) {flag}{_VALUE}{_ASIDE},? or ", dropped, text)
    text = re.sub(rf",? or (?:pass |use )?{flag}{_VALUE}{_ASIDE}(?=[.;)]|$)", dropped_after, text)
    text = re.sub(rf", {flag}{_VALUE}(?=, )", dropped_after, text)
    text = re.sub(rf" \((?:or )?{flag}{_VALUE}\)", "", text)
    text = re.sub(rf"{flag} / (?={key_re}\b)|(?<={key_re}) / {flag}\b", "", text)
    text = re.sub(rf"(?<![\w-]){flag} \(({key_re}\b[^()]*)\)", r"\1", text)  # "--allow-http-idp (saml_... = true)"

    def stored(match: re.Match) -> str:
        upper = match["verb"][0].isupper()
        if store is None:
            return f"{'S' if upper else 's'}et {key} in the profile"
        return f"{'R' if upper else 'r'}un {store(match['value'] or (values[0] if values else None))}"

    # what is left: store the setting (with configure), or name its profile key
    text = re.sub(rf"\b(?P<verb>[Ss]et) {key_re} in the profile(?: \({_KEPT}\d+{_KEPT}\))?(?P<value>)",
                  stored, text)
    text = re.sub(rf"\b(?P<verb>[Pp]ass) {flag}{_VALUE}", stored, text)
    text = re.sub(rf"\b(?P<verb>[Uu]se|[Tt]ry) {flag}{_CHOICE}",
                  lambda m: (stored(m) if store else f"{m['verb']} {key} = {m['value']} in the profile")
                  + (f" (or {m['other']})" if m["other"] else ""), text)
    text = re.sub(rf"\b(?P<verb>[Aa]dd|[Dd]rop) {flag}\b(?! [A-Z])",  # a switch: --autofill, --remember-password
                  lambda m: f"{'S' if m['verb'][0].isupper() else 's'}et {key} = "
                            f"{'true' if m['verb'][0] in 'Aa' else 'false'} in the profile", text)
    return re.sub(rf"(?<![\w-]){flag}\b", f"{key} in the profile", text)


def _flags_of(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def _configure() -> click.Command:
    from samlcreds.cli.configure import configure

    return configure


def profile_of(command: click.Command | None, args: list[str]) -> str | None:
    """The profile ``command`` runs on with ``args``: its ``--profile``, else botocore's default;
    ``None`` for a command without ``--profile`` or arguments that do not parse."""
    if command is None or not any(param.name == "profile" for param in command.params):
        return None
    from samlcreds.profile import default_profile_name

    try:
        with command.make_context(command.name, list(args), resilient_parsing=True) as ctx:
            named = ctx.params.get("profile")
    except (click.ClickException, click.exceptions.Exit):
        return None
    return named or default_profile_name()
