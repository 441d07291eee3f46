"""Profile settings: flags over ``SAMLCREDS_*`` environment over the AWS config file.

Settings live in the AWS config file (``AWS_CONFIG_FILE`` or ``~/.aws/config``)
in ``[profile NAME]`` (``[default]`` for the default profile), as keys prefixed
``saml_``, parsed the way botocore's config loader parses them (see
:mod:`samlcreds.profile`; a test checks both agree).

=====================  ===========================  ===========================
profile key            environment variable         meaning
=====================  ===========================  ===========================
``saml_provider``      ``SAMLCREDS_PROVIDER``       ``form``, ``paste``, ``browser``, ``ecp``
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
``saml_browser_driver`` ``SAMLCREDS_BROWSER_DRIVER`` browser: ``native`` (default) or ``playwright``
``saml_otp_command``   ``SAMLCREDS_OTP_COMMAND``    form: command printing a one-time code
=====================  ===========================  ===========================

``saml_allow_http_idp`` (``SAMLCREDS_ALLOW_HTTP_IDP``): form, ECP and browser
auto-fill, labs only: allow sending the password over plain http to a host that is not loopback.
``saml_remember_password`` (``SAMLCREDS_REMEMBER_PASSWORD``): keep the IdP
password in the OS keyring after a sign-in it succeeded with.

Adding a setting is a line in :data:`samlcreds.profile.KEYS` (its profile key
and environment variable) and a field of the same name in :class:`Settings`
(its type, default and parser). The cache-hit path of ``samlcreds process``
does not import this module: it reads the cache-key settings as text through
:func:`samlcreds.profile.resolve_values`, and :meth:`Settings.as_text` gives
the same text, so both compute the same cache key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping

from samlcreds import errors, inifile
from samlcreds.aws import DEFAULT_DURATION
from samlcreds.profile import (KEYS, config_file, default_profile_name, profile_of_section, read_profile,
                               resolve_values, section_name)
from samlcreds.setting_values import (BROWSER_DRIVERS, browser_driver_for, parse_boolean, parse_browser_driver,
                                      parse_duration, parse_text, parse_timeout, parse_url)

__all__ = ["KEYS", "Settings", "config_path", "profile_of_section", "read_profile", "resolve",
           "section_name", "default_profile_name", "write_profile_settings", "DEFAULT_PROVIDER", "NOTED_OVERRIDES",
           "DEFAULT_TIMEOUT", "BROWSER_SIGNIN_TIMEOUT", "BROWSER_DRIVERS", "browser_driver_for",
           "parse_browser_driver", "parse_duration", "parse_timeout", "parse_url", "GivenAs"]

DEFAULT_PROVIDER = "form"
#: How messages name the settings :func:`resolve` is given: command-line flags or Python keyword arguments.
GivenAs = Literal["flag", "argument"]
#: Seconds to wait on each IdP and STS request when ``saml_timeout`` is unset.
DEFAULT_TIMEOUT = 30.0
#: Seconds the browser provider waits for a person to sign in when ``saml_timeout`` is unset.
BROWSER_SIGNIN_TIMEOUT = 300.0


def setting(default: Any, parse: Callable[[Any], Any] = parse_text):
    """A :class:`Settings` field: its default and parser (text -> value).

    Its profile key and environment variable are :data:`samlcreds.profile.KEYS`'s entry of the field's name.
    """
    return field(default=default, metadata={"parse": parse})


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one profile (immutable), typed; see :func:`resolve`.

    Text given for a typed field (``Settings(duration="7200")``) is parsed;
    a bad value raises :class:`~samlcreds.errors.UsageError`. ``given`` holds
    the text each setting was given as (flag, environment or profile), for
    :meth:`as_text`; it and ``profile_found`` take no part in equality.
    """

    profile: str = "default"
    provider: str = setting(DEFAULT_PROVIDER)
    url: str | None = setting(None, parse_url)
    username: str | None = setting(None)
    role: str | None = setting(None)
    principal_arn: str | None = setting(None)
    #: DurationSeconds asked of STS.
    duration: int = setting(DEFAULT_DURATION, parse_duration)
    #: Seconds per IdP/STS request (and for a browser sign-in); ``None``: see :attr:`sts_timeout`, :attr:`signin_timeout`.
    timeout: float | None = setting(None, parse_timeout)
    region: str | None = setting(None)
    autofill: bool = setting(False, parse_boolean)
    username_selector: str | None = setting(None)
    password_selector: str | None = setting(None)
    submit_selector: str | None = setting(None)
    browser: str | None = setting(None)
    #: browser provider: ``native`` (no driver; the default) or ``playwright`` (implied by ``autofill``).
    browser_driver: str | None = setting(None, parse_browser_driver)
    #: form provider: command printing a one-time code (run without a shell).
    otp_command: str | None = setting(None)
    #: form, ECP and browser auto-fill: allow sending a password over plain http to a non-loopback IdP (labs).
    allow_http_idp: bool = setting(False, parse_boolean)
    #: store the IdP password in the OS keyring after a sign-in it succeeded with (samlcreds.keyring_store).
    remember_password: bool = setting(False, parse_boolean)
    given: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    #: whether the config file has a section for ``profile`` (``None``: not looked up)
    profile_found: bool | None = field(default=None, compare=False, repr=False)
    #: ``(setting, environment text, profile text)`` where a ``SAMLCREDS_*`` variable overrides a
    #: different value the profile itself sets (only :data:`NOTED_OVERRIDES`); see :meth:`override_notes`
    env_overrides: tuple[tuple[str, str, str], ...] = field(default=(), compare=False, repr=False)
    #: where each given setting came from: ``"flag"`` (or ``"argument"``, the Python API's keyword
    #: arguments: see :func:`resolve`), ``"env"`` or ``"profile"``; see :meth:`origin`
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for spec in _SETTINGS:
            value = getattr(self, spec.name)
            parse = spec.metadata["parse"]
            if value is not None and parse is not parse_text:
                object.__setattr__(self, spec.name, parse(value))

    @property
    def sts_timeout(self) -> float:
        """Seconds to wait on each IdP or STS request: ``timeout``, else :data:`DEFAULT_TIMEOUT` (30)."""
        return DEFAULT_TIMEOUT if self.timeout is None else self.timeout

    @property
    def signin_timeout(self) -> float:
        """Seconds a sign-in may take: ``timeout``, else 30, or :data:`BROWSER_SIGNIN_TIMEOUT` (300)
        for the browser provider, where a person signs in."""
        if self.timeout is not None:
            return self.timeout
        return BROWSER_SIGNIN_TIMEOUT if self.provider == "browser" else DEFAULT_TIMEOUT

    def is_set(self, name: str) -> bool:
        """True when setting ``name`` was given (flag, environment or profile) or differs from its default."""
        spec = _BY_NAME[name]
        return name in self.given or getattr(self, name) != spec.default

    def origin(self, name: str) -> str | None:
        """Where setting ``name`` came from, for messages: its flag (``--browser``), keyword argument
        (``browser=``), variable (``SAMLCREDS_BROWSER``) or key (``saml_browser in [profile work]``);
        ``None`` when not given."""
        kind = self.origins.get(name)
        return None if kind is None else _origin_text(name, kind, self.profile)

    def override_notes(self) -> list[str]:
        """One ``samlcreds: note:`` line per :attr:`env_overrides` entry, for the user before signing in.

        URLs are shown as ``scheme://host/…`` (no user info, path or query), user names and
        providers as they are; nothing else (never a password).
        """
        notes = []
        for name, env_text, profile_text in self.env_overrides:
            if getattr(self, name) != env_text or (self.provider == "paste" and name != "provider"):
                continue  # changed since (dataclasses.replace), or unused: a pasted SAMLResponse goes nowhere
            key, var = KEYS[name]
            shown = _shown_url if name == "url" else repr
            notes.append(f"samlcreds: note: {var} ({shown(env_text)}) overrides {key} of "
                         f"[{section_name(self.profile)}] ({shown(profile_text)}); unset {var} to use the "
                         "profile's")
        return notes

    def as_text(self) -> dict[str, str]:
        """``{setting: text}`` of the settings that are set, as the cache-hit path reads them.

        The text given is used while it still means the current value (a
        :func:`dataclasses.replace` may have changed it); else the value's text.
        """
        out: dict[str, str] = {}
        for spec in _SETTINGS:
            value = getattr(self, spec.name)
            text = self.given.get(spec.name)
            if text is not None and _parsed(spec, text) == value:
                out[spec.name] = text
            elif value != spec.default and value is not None:
                out[spec.name] = str(value).lower() if isinstance(value, bool) else str(value)
        return out


_SETTINGS = tuple(spec for spec in fields(Settings) if "parse" in spec.metadata)
_BY_NAME = {spec.name: spec for spec in _SETTINGS}


#: Settings whose override by the environment is pointed out (:meth:`Settings.override_notes`): they decide
#: where the password goes.
NOTED_OVERRIDES = ("url", "username", "provider")


def _shown_url(url: str) -> str:
    """``scheme://host[:port]/…`` of ``url``: where it points, without user info, path or query."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url.strip())
    host = parts.netloc.rpartition("@")[2]
    if not parts.scheme or not host:
        return "a URL that is not absolute"
    rest = "…" if (parts.path not in ("", "/") or parts.query or parts.fragment) else ""
    return f"{parts.scheme}://{host}/{rest}"


def _env_overrides(flags: Mapping, env: Mapping, stored: Mapping) -> tuple[tuple[str, str, str], ...]:
    """The :data:`NOTED_OVERRIDES` a ``SAMLCREDS_*`` variable sets to another value than the profile does."""
    found = []
    for name in NOTED_OVERRIDES:
        key, var = KEYS[name]
        env_text, profile_text = env.get(var), str(stored.get(key) or "").strip()
        if flags.get(name) is None and env_text and profile_text and env_text.strip() != profile_text:
            found.append((name, env_text, profile_text))
    return tuple(found)


def _parsed(spec, text: str):
    try:
        return spec.metadata["parse"](text)
    except errors.UsageError:
        return None


def config_path(environ: dict | None = None) -> Path:
    """The AWS config file botocore reads."""
    return Path(config_file(environ))


def resolve(profile: str | None = None, *, environ: Mapping[str, str] | None = None, given_as: GivenAs = "flag",
            **flags) -> Settings:
    """Settings for ``profile`` with precedence flags > ``SAMLCREDS_*`` env > config file.

    ``profile`` defaults as botocore does (``AWS_DEFAULT_PROFILE``, ``AWS_PROFILE``, ``default``);
    ``flags`` are settings by name (``None`` = not given), which messages name as
    command-line flags (``--url``), or with ``given_as="argument"`` as the Python
    API's keyword arguments (``url=``). Where a variable overrides a different
    ``saml_url``, ``saml_username`` or ``saml_provider`` of the profile, :attr:`Settings.env_overrides`
    says so (the precedence is botocore's, but a password may then go to another IdP). Raises
    :class:`~samlcreds.errors.FileParseError` for an unparsable config file and
    :class:`~samlcreds.errors.UsageError` for an unknown setting name or a bad
    value (naming the flag, variable or profile key it came from).
    """
    if given_as not in ("flag", "argument"):
        raise ValueError(f"given_as must be 'flag' or 'argument', not {given_as!r}")
    unknown = set(flags) - set(KEYS)
    if unknown:
        raise errors.UsageError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    env = os.environ if environ is None else environ
    name = profile or default_profile_name(env)
    stored = read_profile(name, env)
    name, given = resolve_values(name, env, flags, stored=stored)
    values: dict[str, Any] = {}
    for setting_name, text in given.items():
        spec = _BY_NAME[setting_name]
        try:
            values[setting_name] = spec.metadata["parse"](text)
        except errors.UsageError as exc:
            raise errors.UsageError(f"{exc.message} ({_source(setting_name, name, flags, env, given_as)})",
                                    hint=exc.hint) from None
    return Settings(profile=name, given=given, profile_found=bool(stored),
                    env_overrides=_env_overrides(flags, env, stored),
                    origins={setting_name: _origin_kind(setting_name, flags, env, given_as) for setting_name in given},
                    **values)


def _origin_kind(setting_name: str, flags: Mapping, env: Mapping, given_as: GivenAs = "flag") -> str:
    """``given_as`` (``"flag"`` or ``"argument"``), ``"env"`` or ``"profile"``: where a given setting's text
    came from (the precedence of :func:`samlcreds.profile.resolve_values`)."""
    if flags.get(setting_name) is not None:
        return given_as
    return "env" if env.get(KEYS[setting_name][1]) else "profile"


def _origin_text(setting_name: str, kind: str, profile: str) -> str:
    key, var = KEYS[setting_name]
    return {"flag": "--" + setting_name.replace("_", "-"), "argument": setting_name + "=", "env": var}.get(
        kind, f"{key} in [{section_name(profile)}]")


def _source(setting_name: str, profile: str, flags: Mapping, env: Mapping, given_as: GivenAs = "flag") -> str:
    kind = _origin_kind(setting_name, flags, env, given_as)
    text = _origin_text(setting_name, kind, profile)
    return f"{text} of {config_file(env)}" if kind == "profile" else f"from {text}"


def write_profile_settings(profile: str, values: dict[str, str], environ: dict | None = None, *,
                           remove: Iterable[str] = ()) -> Path:
    """Store settings (by profile key) in the config file, and drop the ``remove`` keys, without
    touching other bytes.

    Raises :class:`~samlcreds.errors.UsageError` for values or profile names
    that would not stay one ini line (see :func:`samlcreds.inifile.check_entries`), and for a
    profile name botocore would not read back from its header (:func:`section_name`: one with
    ``"``, or a trailing backslash).
    """
    if profile_of_section(section_name(profile)) != profile:
        raise errors.UsageError(f"profile name {profile!r} cannot be written so that botocore reads it back",
                                hint="Use letters, digits and -_.@ in profile names.")
    path = config_path(environ)
    inifile.update_section(path, section_name(profile), values, remove,
                           matches=lambda header: profile_of_section(header) == profile, utf8=True,
                           private=False)
    return path
