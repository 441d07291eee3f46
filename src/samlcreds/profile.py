"""Reading a profile's samlcreds settings: the light layer under :mod:`samlcreds.config`.

Standard library only and no ``pathlib``/``dataclasses`` at import time:
``samlcreds process`` reads settings on every AWS call (cache-hit path).

The file is the AWS config file (``AWS_CONFIG_FILE`` or ``~/.aws/config``);
sections ``[default]`` and ``[profile NAME]``, parsed with ``configparser``
the way botocore's ``configloader`` does.
"""

from __future__ import annotations

import os

#: setting name -> (profile key, environment variable)
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
    "otp_command": ("saml_otp_command", "SAMLCREDS_OTP_COMMAND"),
    "allow_http_idp": ("saml_allow_http_idp", "SAMLCREDS_ALLOW_HTTP_IDP"),
}


def config_file(environ=None) -> str:
    """Path of the AWS config file botocore reads (a string)."""
    env = os.environ if environ is None else environ
    return os.path.expanduser(env.get("AWS_CONFIG_FILE") or "~/.aws/config")


def profile_of_section(section: str) -> str | None:
    """Profile a config-file section defines, botocore's way (``None`` if none).

    botocore (``configloader.build_profile_map``) shell-splits a section that
    starts with ``profile`` and takes it when it is exactly two words:
    ``[profile work]``, ``[profile  work]`` and ``[profile "my work"]`` define
    ``work``/``my work``; ``[profile my work]`` defines nothing.
    """
    if section == "default":
        return "default"
    if not section.startswith("profile"):
        return None
    if any(c in section for c in "\"'\\"):
        import shlex

        try:
            parts = shlex.split(section)
        except ValueError:
            return None
    else:  # what shlex.split gives for text without quotes or backslashes, without importing it
        parts = section.split()
    return parts[1] if len(parts) == 2 and parts[0] == "profile" else None


def section_name(profile: str) -> str:
    """Config-file section for ``profile``: ``default``, ``profile NAME`` or ``profile "NA ME"``."""
    if profile == "default":
        return "default"
    if any(c.isspace() for c in profile):
        return f'profile "{profile}"'
    return f"profile {profile}"


def default_profile_name(environ=None) -> str:
    """The profile botocore uses when none is named: ``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``."""
    env = os.environ if environ is None else environ
    return env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE") or "default"


def read_profile(profile: str, environ=None) -> dict[str, str]:
    """The profile's keys from the config file ({} if the file or profile is absent).

    Raises :class:`~samlcreds.errors.FileParseError` (naming the line) for a
    file that does not parse.
    """
    import configparser

    path = config_file(environ)
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        from samlcreds import errors

        raise errors.LocalFileError(f"cannot read {path}: {exc.strerror}") from None
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=path)
    except configparser.Error:
        from pathlib import Path

        from samlcreds import errors, inifile

        inifile.validate(text, Path(path))  # raises FileParseError naming the line
        raise errors.FileParseError(f"{path} does not parse") from None
    found: dict[str, str] = {}
    for section in parser.sections():
        if profile_of_section(section) == profile:
            found.update(parser.items(section))
    return found


def resolve_values(profile: str | None, environ=None, flags=None, keys=None) -> tuple[str, dict[str, str]]:
    """``(profile name, {setting: text})`` with precedence flags > ``SAMLCREDS_*`` env > profile.

    ``profile`` defaults as in botocore (:func:`default_profile_name`).
    ``keys``: setting -> (profile key, variable), default :data:`KEYS`
    (:data:`samlcreds.config.KEYS` is the full table; a test checks they agree).
    Unset settings are absent from the dict.
    """
    env = os.environ if environ is None else environ
    flags = flags or {}
    name = profile or default_profile_name(env)
    stored = read_profile(name, env)
    values: dict[str, str] = {}
    for setting, (key, var) in (KEYS if keys is None else keys).items():
        flag = flags.get(setting)
        if flag is not None:
            values[setting] = str(flag)
        elif env.get(var):
            values[setting] = env[var]
        elif stored.get(key) not in (None, ""):
            values[setting] = str(stored[key]).strip()
    return name, values
