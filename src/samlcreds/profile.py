"""Reading a profile's samlcreds settings: the light layer under :mod:`samlcreds.config`.

Standard library only and no ``pathlib``/``dataclasses`` at import time:
``samlcreds process`` reads settings on every AWS call (cache-hit path).

The file is the AWS config file (``AWS_CONFIG_FILE`` or ``~/.aws/config``);
sections ``[default]`` and ``[profile NAME]``, read the way botocore's
``configloader`` reads them (``configparser.RawConfigParser``): by a small
reader of ``RawConfigParser``'s rules (:func:`_sections`) that hands any file
it is not sure of — a ``[DEFAULT]`` section, duplicates, lines that do not
parse — to ``configparser`` itself. ``tests/unit/test_profile_reader.py``
checks both against botocore's loader.
"""

from __future__ import annotations

import os

#: setting name -> (profile key, environment variable): the one table of where each setting is read.
#: :class:`samlcreds.config.Settings` gives each its type, default and parser (same names, same order).
KEYS = {
    "provider": ("saml_provider", "SAMLCREDS_PROVIDER"),
    "url": ("saml_url", "SAMLCREDS_URL"),
    "username": ("saml_username", "SAMLCREDS_USERNAME"),
    "role": ("saml_role_arn", "SAMLCREDS_ROLE"),
    "principal_arn": ("saml_principal_arn", "SAMLCREDS_PRINCIPAL_ARN"),
    "duration": ("saml_duration", "SAMLCREDS_DURATION"),
    "timeout": ("saml_timeout", "SAMLCREDS_TIMEOUT"),
    "region": ("region", "SAMLCREDS_REGION"),
    "autofill": ("saml_autofill", "SAMLCREDS_AUTOFILL"),
    "username_selector": ("saml_username_selector", "SAMLCREDS_USERNAME_SELECTOR"),
    "password_selector": ("saml_password_selector", "SAMLCREDS_PASSWORD_SELECTOR"),
    "submit_selector": ("saml_submit_selector", "SAMLCREDS_SUBMIT_SELECTOR"),
    "browser": ("saml_browser", "SAMLCREDS_BROWSER"),
    "browser_driver": ("saml_browser_driver", "SAMLCREDS_BROWSER_DRIVER"),
    "otp_command": ("saml_otp_command", "SAMLCREDS_OTP_COMMAND"),
    "allow_http_idp": ("saml_allow_http_idp", "SAMLCREDS_ALLOW_HTTP_IDP"),
    "remember_password": ("saml_remember_password", "SAMLCREDS_REMEMBER_PASSWORD"),
}


def config_file(environ=None) -> str:
    """Path of the AWS config file botocore reads (a string)."""
    env = os.environ if environ is None else environ
    return os.path.expanduser(env.get("AWS_CONFIG_FILE") or "~/.aws/config")


def profile_of_section(section: str) -> str | None:
    """Profile a config-file section defines, botocore's way (``None`` if none).

    botocore (``configloader.build_profile_map``) shell-splits a section whose
    name starts with ``profile`` and takes the second word when there are
    exactly two: ``[profile work]``, ``[profile  work]`` and
    ``[profile "my work"]`` define ``work``/``my work``; ``[profile my work]``
    defines nothing (and, as in botocore, ``[profiles work]`` defines ``work``).
    """
    if section == "default":
        return "default"
    if not section.startswith("profile"):
        return None
    try:
        parts = split_words(section)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


#: The characters ``shlex.quote`` leaves a word unquoted for (its ``[^\w@%+=:,./-]``, ASCII).
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def quote_word(text: str) -> str:
    """``text`` as one word of a POSIX shell command, for the commands hints show: as it is when
    ``shlex.quote`` would leave it so, else in double quotes with ``$``, backquote, ``"`` and ``\\``
    escaped (hints put commands in single quotes, which a single-quoted word would end); only text
    holding ``!`` (history expansion in double quotes) gets ``shlex.quote``'s single quotes."""
    if text and all(c in _SAFE for c in text):
        return text
    if "!" not in text:
        return '"' + "".join("\\" + c if c in '$`"\\' else c for c in text) + '"'
    import shlex

    return shlex.quote(text)


def split_words(text: str) -> list[str]:
    """``shlex.split(text)``, importing ``shlex`` only for text with quotes or backslashes.

    Raises ``ValueError`` as ``shlex`` does (an unclosed quote).
    """
    if any(c in text for c in "\"'\\"):
        import shlex

        return shlex.split(text)
    # what shlex.split gives for text without quotes or backslashes: split at its whitespace, " \t\r\n"
    parts = text.replace("\t", " ").replace("\r", " ").replace("\n", " ").split(" ")
    return [part for part in parts if part]


#: The AWS config keys that make a profile chained: it assumes ``role_arn`` with ``source_profile``'s credentials.
CHAIN_MARKERS = ("role_arn", "source_profile")


def is_chained(values) -> bool:
    """True when the profile's keys ``values`` (:func:`read_profile`) set ``role_arn`` or ``source_profile``.

    Such a profile is a role chain (:mod:`samlcreds.chain`), whatever else it sets, as in botocore,
    whose assume-role provider comes before ``credential_process``.
    """
    return any(str(values.get(key) or "").strip() for key in CHAIN_MARKERS)


def section_name(profile: str) -> str:
    """Config-file section for ``profile``: ``default``, ``profile NAME``, or ``profile "NA ME"`` when
    botocore would read the plain form as another profile or none (spaces, a backslash: see
    :func:`profile_of_section`). A name botocore reads back in neither form (one with ``"``, or
    ending in a backslash) gets the quoted form; writers refuse it
    (:func:`samlcreds.config.write_profile_settings`)."""
    if profile == "default":
        return "default"
    plain = f"profile {profile}"
    return plain if profile_of_section(plain) == profile else f'profile "{profile}"'


def default_profile_name(environ=None) -> str:
    """The profile botocore uses when none is named: ``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``."""
    env = os.environ if environ is None else environ
    return env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE") or "default"


def read_profile(profile: str, environ=None) -> dict[str, str]:
    """The profile's keys from the config file ({} if the file or profile is absent).

    As botocore: keys lower-cased, values stripped, and when several
    sections define the profile (``[profile a]``, ``[profile  a]``) the last
    one wins. Raises :class:`~samlcreds.errors.FileParseError` (naming the
    line) for a file that does not parse.
    """
    found: dict[str, str] = {}
    for section, values in _file_sections(environ).items():
        if profile_of_section(section) == profile:
            found = values
    return dict(found)


def profile_names(environ=None) -> list[str]:
    """The profiles the config file defines, in file order, each once ([] without a file).

    Raises :class:`~samlcreds.errors.FileParseError` as :func:`read_profile` does.
    """
    names = (profile_of_section(section) for section in _file_sections(environ))
    return list(dict.fromkeys(name for name in names if name is not None))


def _file_sections(environ=None) -> dict[str, dict[str, str]]:
    """``{section: {key: value}}`` of the config file ({} without one); errors as :func:`read_profile`."""
    path = config_file(environ)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        from samlcreds import errors

        raise errors.LocalFileError(f"cannot read {path}: {exc.strerror}") from None
    sections = _sections(data)
    if sections is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            from samlcreds import errors

            raise errors.not_utf8(path, data[:exc.start].count(b"\n") + 1) from None
        sections = _configparser_sections(text, path)
    return sections


_SECTION = None  # compiled on first use: configparser.RawConfigParser.SECTCRE and OPTCRE


def _sections(data: bytes) -> dict[str, dict[str, str]] | None:
    """``{section: {key: value}}`` as ``RawConfigParser`` reads ``data``; ``None`` when unsure.

    Exact for the files it accepts: UTF-8 text; lines split at ``\\r\\n``,
    ``\\r`` or ``\\n`` (a text-mode file, as botocore opens it); full-line
    ``#``/``;`` comments; ``key = value`` or ``key: value`` (first delimiter,
    key lower-cased, both stripped); indented continuation lines joined with
    ``\\n`` (blank lines inside kept, trailing ones dropped). Anything else —
    invalid UTF-8, a ``[DEFAULT]`` section, a duplicate section or key, a line
    before the first section or without a delimiter — returns ``None``.
    """
    global _SECTION
    if _SECTION is None:
        import re

        _SECTION = (re.compile(r"\[(?P<header>.+)\]"),
                    re.compile(r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$"))
    section_re, option_re = _SECTION
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    sections: dict[str, dict[str, list[str]]] = {}
    current = option = None
    indent_level = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        value = line.strip()
        if not value or value[0] in "#;":
            if not value and option is not None:
                current[option].append("")  # configparser keeps blank lines inside a value
            continue
        indent = len(line) - len(line.lstrip())
        if option is not None and indent > indent_level:
            current[option].append(value)
            continue
        indent_level = indent
        match = section_re.match(value)
        if match:
            name = match.group("header")
            if name in sections or name == "DEFAULT":
                return None
            current, option = sections.setdefault(name, {}), None
            continue
        match = option_re.match(value) if current is not None else None
        if match is None or not match.group("option"):
            return None
        option = match.group("option").rstrip().lower()
        if option in current:
            return None
        current[option] = [match.group("value").strip()]
    return {name: {key: "\n".join(parts).rstrip() for key, parts in values.items()}
            for name, values in sections.items()}


def _configparser_sections(text: str, path: str) -> dict[str, dict[str, str]]:
    """``{section: {key: value}}`` by ``configparser`` (files :func:`_sections` is unsure of)."""
    import configparser
    import io

    parser = configparser.RawConfigParser()
    try:
        parser.read_file(io.StringIO(text, newline=None), source=path)  # line breaks as a text-mode file
    except configparser.Error:
        from pathlib import Path

        from samlcreds import errors, inifile

        inifile.validate(text, Path(path))  # raises FileParseError naming the line
        raise errors.FileParseError(f"{path} does not parse") from None
    return {section: dict(parser.items(section)) for section in parser.sections()}


def resolve_values(profile: str | None, environ=None, flags=None, stored=None) -> tuple[str, dict[str, str]]:
    """``(profile name, {setting: text})`` with precedence flags > ``SAMLCREDS_*`` env > profile.

    ``profile`` defaults as in botocore (:func:`default_profile_name`).
    Settings are those of :data:`KEYS`.
    ``stored``: the profile's keys when already read (:func:`read_profile`).
    Unset settings are absent from the dict.
    """
    env = os.environ if environ is None else environ
    flags = flags or {}
    name = profile or default_profile_name(env)
    if stored is None:
        stored = read_profile(name, env)
    values: dict[str, str] = {}
    for setting, (key, var) in KEYS.items():
        flag = flags.get(setting)
        if flag is not None:
            values[setting] = str(flag)
        elif env.get(var):
            values[setting] = env[var]
        elif stored.get(key) not in (None, ""):
            values[setting] = str(stored[key]).strip()
    return name, values
