"""Profile settings: flags over ``SAMLCREDS_*`` environment over the AWS config file.

Settings live in the AWS config file (``AWS_CONFIG_FILE`` or ``~/.aws/config``)
in ``[profile NAME]`` (``[default]`` for the default profile), as keys prefixed
``saml_``, read with botocore's own config loader.

=====================  ===========================  ===========================
profile key            environment variable         meaning
=====================  ===========================  ===========================
``saml_provider``      ``SAMLCREDS_PROVIDER``       ``form``, ``paste``, ``browser``
``saml_url``           ``SAMLCREDS_URL``            the IdP's SSO (sign-in) URL
``saml_username``      ``SAMLCREDS_USERNAME``       user name at the IdP
``saml_role_arn``      ``SAMLCREDS_ROLE``           role ARN, ``ACCOUNT:NAME`` or name
``saml_principal_arn`` ``SAMLCREDS_PRINCIPAL_ARN``  SAML provider ARN (rarely needed)
``saml_duration``      ``SAMLCREDS_DURATION``       DurationSeconds, 900-43200
``saml_timeout``       ``SAMLCREDS_TIMEOUT``        IdP/STS timeout in seconds
``region``             ``SAMLCREDS_REGION``         STS region (also used by the SDKs)
``saml_autofill``      ``SAMLCREDS_AUTOFILL``       browser: fill plain login forms
``saml_*_selector``    ``SAMLCREDS_*_SELECTOR``     browser: username/password/submit CSS
``saml_browser``       ``SAMLCREDS_BROWSER``        browser: executable path or channel
=====================  ===========================  ===========================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from samlcreds import errors, inifile

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
}
DEFAULT_PROVIDER = "form"


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one profile; ``None`` means unset."""

    profile: str = "default"
    provider: str | None = None
    url: str | None = None
    username: str | None = None
    role: str | None = None
    principal_arn: str | None = None
    duration: str | None = None
    timeout: str | None = None
    region: str | None = None
    autofill: str | None = None
    username_selector: str | None = None
    password_selector: str | None = None
    submit_selector: str | None = None
    browser: str | None = None

    @property
    def autofill_enabled(self) -> bool:
        """``autofill`` read as a boolean (true/yes/1/on)."""
        return str(self.autofill or "").strip().lower() in ("1", "true", "yes", "on")

    def merged(self, **overrides) -> "Settings":
        """A copy with the non-``None`` ``overrides`` applied."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise errors.UsageError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def timeout_seconds(self) -> float:
        """``timeout`` as seconds (default 30)."""
        if not self.timeout:
            return 30.0
        try:
            value = float(self.timeout)
        except ValueError:
            raise errors.UsageError(f"timeout {self.timeout!r} is not a number of seconds") from None
        if value <= 0:
            raise errors.UsageError("timeout must be positive")
        return value


def config_path(environ: dict | None = None) -> Path:
    """The AWS config file botocore reads."""
    env = os.environ if environ is None else environ
    return Path(env.get("AWS_CONFIG_FILE") or "~/.aws/config").expanduser()


def section_name(profile: str) -> str:
    """Config-file section for ``profile``: ``default`` or ``profile NAME``."""
    return "default" if profile == "default" else f"profile {profile}"


def read_profile(profile: str, environ: dict | None = None) -> dict[str, str]:
    """The profile's keys from the config file ({} if absent).

    Uses the standard library's ``configparser`` the way botocore's
    ``configloader`` does (``[default]``, ``[profile NAME]``, values with
    continuation lines as nested blocks), so that the credential_process cache
    hit path does not import botocore; ``tests/unit/test_config.py`` checks it
    against botocore's own loader. Raises
    :class:`~samlcreds.errors.FileParseError` (with the line) for a file that
    does not parse.
    """
    path = config_path(environ)
    text = inifile.read_text(path)
    if text is None:
        return {}
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        inifile.validate(text, path)  # raises FileParseError naming the line
        raise errors.FileParseError(f"{path} does not parse") from None
    found: dict[str, str] = {}
    for section in parser.sections():
        if profile_of_section(section) == profile:
            found.update(parser.items(section))
    return found


def profile_of_section(section: str) -> str | None:
    """Profile a config-file section defines, botocore's way (``None`` if none)."""
    if section == "default":
        return "default"
    parts = section.split()
    if len(parts) > 1 and parts[0] == "profile":
        return section[len("profile"):].strip()
    return None


def resolve(profile: str | None = None, *, environ: dict | None = None, **flags) -> Settings:
    """Settings for ``profile`` with precedence flags > ``SAMLCREDS_*`` env > config file.

    ``profile`` defaults to ``AWS_PROFILE`` then ``default``. Raises
    :class:`~samlcreds.errors.FileParseError` for an unparsable config file.
    """
    env = os.environ if environ is None else environ
    name = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    stored = read_profile(name, env)
    values: dict[str, str | None] = {}
    for setting, (key, var) in KEYS.items():
        flag = flags.get(setting)
        if flag is not None:
            values[setting] = str(flag)
        elif env.get(var):
            values[setting] = env[var]
        elif stored.get(key) not in (None, ""):
            values[setting] = str(stored[key]).strip()
    unknown = set(flags) - set(KEYS)
    if unknown:
        raise errors.UsageError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Settings(profile=name, **values)


def write_profile_settings(profile: str, values: dict[str, str], environ: dict | None = None) -> Path:
    """Store settings (by profile key) in the config file without touching other bytes."""
    path = config_path(environ)
    inifile.update_section(path, section_name(profile), values)
    return path
