"""Profile settings: flags over ``SAMLCREDS_*`` environment over the AWS config file.

Settings live in the AWS config file (``AWS_CONFIG_FILE`` or ``~/.aws/config``)
in ``[profile NAME]`` (``[default]`` for the default profile), as keys prefixed
``saml_``, parsed the way botocore's config loader parses them (see
:mod:`samlcreds.profile`; a test checks both agree).

=======================  ============================  ===========================
profile key              environment variable          meaning
=======================  ============================  ===========================
``saml_provider``        ``SAMLCREDS_PROVIDER``        ``form``, ``paste``, ``browser``
``saml_url``             ``SAMLCREDS_URL``             the IdP's SSO (sign-in) URL
``saml_username``        ``SAMLCREDS_USERNAME``        user name at the IdP
``saml_role_arn``        ``SAMLCREDS_ROLE``            role ARN, ``ACCOUNT:NAME`` or name
``saml_principal_arn``  ``SAMLCREDS_PRINCIPAL_ARN``   SAML provider ARN (rarely needed)
``saml_duration``        ``SAMLCREDS_DURATION``        DurationSeconds, 900-43200
``saml_timeout``         ``SAMLCREDS_TIMEOUT``         IdP/STS timeout in seconds
``region``               ``SAMLCREDS_REGION``          STS region (also used by the SDKs)
``saml_autofill``        ``SAMLCREDS_AUTOFILL``        browser: fill plain login forms
``saml_*_selector``      ``SAMLCREDS_*_SELECTOR``      browser: username/password/submit CSS
``saml_browser``         ``SAMLCREDS_BROWSER``         browser: executable path or channel
``saml_browser_driver``  ``SAMLCREDS_BROWSER_DRIVER``  browser: ``native`` or ``playwright``
=======================  ============================  ===========================
"""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from samlcreds import errors, inifile
from samlcreds.profile import KEYS, default_profile_name, profile_of_section, read_profile, resolve_values, section_name

__all__ = ["KEYS", "Settings", "config_path", "profile_of_section", "read_profile", "resolve",
           "section_name", "default_profile_name", "write_profile_settings"]

DEFAULT_PROVIDER = "form"
_FIELDS = ("profile",) + tuple(KEYS)


class Settings(namedtuple("Settings", _FIELDS, defaults=("default",) + (None,) * len(KEYS))):
    """Resolved settings for one profile (immutable); ``None`` means unset.

    Fields: ``profile`` and one per entry of :data:`KEYS` (``provider``,
    ``url``, ``username``, ``role``, ``principal_arn``, ``duration`` (str,
    seconds), ``timeout``, ``region``, browser options...).
    """

    __slots__ = ()

    @property
    def autofill_enabled(self) -> bool:
        """``autofill`` read as a boolean (true/yes/1/on)."""
        return str(self.autofill or "").strip().lower() in ("1", "true", "yes", "on")

    @property
    def timeout_seconds(self) -> float:
        """``timeout`` as seconds (default 30; 300 for the browser provider, where a person signs in)."""
        if not self.timeout:
            return 300.0 if self.provider == "browser" else 30.0
        import math

        try:
            value = float(self.timeout)
        except ValueError:
            raise errors.UsageError(f"timeout {self.timeout!r} is not a number of seconds") from None
        if not math.isfinite(value) or value <= 0:
            raise errors.UsageError(f"timeout {self.timeout!r} must be a positive number of seconds")
        return value


def config_path(environ: dict | None = None) -> Path:
    """The AWS config file botocore reads."""
    env = os.environ if environ is None else environ
    return Path(env.get("AWS_CONFIG_FILE") or "~/.aws/config").expanduser()


def resolve(profile: str | None = None, *, environ: dict | None = None, **flags) -> Settings:
    """Settings for ``profile`` with precedence flags > ``SAMLCREDS_*`` env > config file.

    ``profile`` defaults as botocore does (``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``). Raises
    :class:`~samlcreds.errors.FileParseError` for an unparsable config file and
    :class:`~samlcreds.errors.UsageError` for an unknown setting name.
    """
    unknown = set(flags) - set(KEYS)
    if unknown:
        raise errors.UsageError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    name, values = resolve_values(profile, environ, flags)
    return Settings(profile=name, **values)


def write_profile_settings(profile: str, values: dict[str, str], environ: dict | None = None) -> Path:
    """Store settings (by profile key) in the config file without touching other bytes.

    Raises :class:`~samlcreds.errors.UsageError` for values or profile names
    that would not stay one ini line (see :func:`samlcreds.inifile.check_entries`).
    """
    if any(c in profile for c in "\"'"):  # section_name() quotes names with spaces
        raise errors.UsageError(f"profile name {profile!r} cannot hold quotes",
                                hint="Use letters, digits and -_.@ in profile names.")
    path = config_path(environ)
    inifile.update_section(path, section_name(profile), values,
                           matches=lambda header: profile_of_section(header) == profile)
    return path
