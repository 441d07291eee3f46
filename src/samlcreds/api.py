"""The Python API: boto3 sessions and credentials from a SAML sign-in, for scripts and notebooks.

Two ways in:

* **a profile** (``samlcreds.session(profile="work")``): botocore refreshable
  credentials from a credential provider (``METHOD = "custom-saml"``) plugged in
  through botocore's public ``credential_provider`` component. botocore
  refreshes them in its advisory window (15 minutes before expiry) through the
  same cache, single-flight lock and IdP session reuse as ``samlcreds process``;
  failures are shown, never retried in a loop (:mod:`samlcreds.refreshing`).
* **a pasted SAMLResponse** (``samlcreds.session(saml_response=TEXT, role=...)``):
  checked like ``samlcreds login --saml-file`` (same encodings, same errors),
  redeemed at STS at once; these credentials cannot be refreshed.

Prompts use the channel the caller has: the password with ``getpass`` (in a
Jupyter kernel ipykernel's password box, elsewhere the terminal) and the role
picker with ``input`` in a kernel, the terminal elsewhere
(:mod:`samlcreds.picker`). A sign-in called from a thread that runs an asyncio
event loop (Jupyter, asyncio programs) runs in a worker thread
(:mod:`samlcreds.offloop`).
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import re
import sys
from pathlib import Path
from typing import Callable, Union

from samlcreds import config, errors, flow, offloop, paths
from samlcreds import picker as pickers
from samlcreds.creds import Credentials
from samlcreds.idp.base import LoginRequest, request_for
from samlcreds.refreshing import RefreshWarning, Refresher
from samlcreds.roles import is_role_arn

__all__ = ["session", "credentials", "botocore_session", "ask_password", "SamlCredentialProvider",
           "RefreshWarning"]

#: A SAMLResponse as the user has it: text (base64, URL-encoded, a form body, an HTML page, XML) or a file.
SamlText = Union[str, bytes, "os.PathLike[str]"]
AGAIN = "Call samlcreds.session() again to sign in (in a notebook: run its cell again)."
NO_DISPLAY_HINT = (
    "There is no display here for a browser window (DISPLAY and WAYLAND_DISPLAY are unset: JupyterHub on a "
    "server, SSH). Use the paste recipe: sign in with the browser on your own computer, copy the SAMLResponse "
    "(developer tools > Network > the POST to signin.aws.amazon.com/saml > Payload) and pass it: "
    "samlcreds.session(saml_response=getpass.getpass('SAMLResponse: '), role='ROLE_ARN').")
ENCRYPTED_HINT = ("Pass role_arn='ROLE_ARN' and principal_arn='SAML_PROVIDER_ARN' to send it to AWS as it is "
                  "(on the command line: --role-arn and --principal-arn), or ask the IdP administrator to turn "
                  "off assertion encryption for the AWS app.")
NOT_REFRESHABLE = ("credentials from a pasted SAMLResponse cannot be refreshed: "
                   "sign in again and pass a fresh saml_response")


def ask_password(prompt: str) -> str:
    """The default password prompt: ``getpass`` (Jupyter's password box, or the terminal).

    Raises :class:`~samlcreds.errors.InteractionRequired` when there is nowhere to ask.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)  # never fall back to an echoing read
        try:
            return getpass.getpass(prompt)
        except (EOFError, getpass.GetPassWarning, OSError, NotImplementedError):
            # NotImplementedError: IPython's StdinNotImplementedError (nbclient, papermill: no input box)
            raise errors.InteractionRequired(
                "the IdP asks for a password and there is no terminal or notebook input box to ask in",
                hint="Run 'samlcreds login --profile PROFILE' in a terminal first (later sign-ins reuse the "
                "IdP session), or pass get_password=... to samlcreds.session()/credentials().",
            ) from None


class SamlCredentialProvider:
    """A botocore credential provider (``METHOD = "custom-saml"``) backed by samlcreds.

    ``load()`` returns botocore refreshable credentials whose ``refresh_using``
    is ``refresher`` (a :class:`~samlcreds.refreshing.Refresher`): deferred
    (nothing happens until the first API call) unless the refresher already
    holds credentials.
    """

    METHOD = "custom-saml"
    CANONICAL_NAME = "custom-saml"

    def __init__(self, refresher: Refresher) -> None:
        self.refresher = refresher

    def refresh(self) -> dict[str, str]:
        """botocore's refresh callback: ``{access_key, secret_key, token, expiry_time}``."""
        return self.refresher()

    def load(self):
        from botocore.credentials import DeferredRefreshableCredentials, RefreshableCredentials

        current = self.refresher.current
        if current is None:
            return DeferredRefreshableCredentials(refresh_using=self.refresh, method=self.METHOD)
        return RefreshableCredentials.create_from_metadata(current.to_botocore_metadata(), self.refresh,
                                                           self.METHOD)


def botocore_session(profile: str | None = None, *, saml_response: SamlText | None = None,
                     role_arn: str | None = None, get_password: Callable[[str], str] = ask_password,
                     picker: flow.Picker | None = pickers.ask_role,
                     get_code: Callable[[str], str] | None = None, **overrides):
    """A fresh ``botocore.session.Session`` whose only credential provider is samlcreds'.

    Arguments as for :func:`session`.
    """
    import botocore.credentials

    from samlcreds.stsclient import botocore_session as plain_session

    if saml_response is None:
        fetcher = _fetcher(profile, _with_role_arn(overrides, role_arn), get_password, picker, get_code)
        settings = fetcher.settings
        refresher = Refresher(lambda: _calling(fetcher.settings, fetcher.fetch), cached=fetcher.cached,
                              label=f"of profile {settings.profile!r}", again=AGAIN)
    else:
        settings = config.resolve(profile, given_as="argument", **overrides)
        result = _calling(settings, lambda: _paste_login(settings, saml_response, role_arn, picker))
        refresher = Refresher(_not_refreshable, current=result.credentials,
                              label=f"for role {result.role.role_arn}")
    session = plain_session(settings.profile)  # the profile's endpoint, CA bundle, retries...
    resolver = botocore.credentials.CredentialResolver(providers=[SamlCredentialProvider(refresher)])
    session.register_component("credential_provider", resolver)
    if settings.region:
        session.set_config_variable("region", settings.region)
    return session


def session(profile: str | None = None, *, saml_response: SamlText | None = None, role_arn: str | None = None,
            get_password: Callable[[str], str] = ask_password, picker: flow.Picker | None = pickers.ask_role,
            get_code: Callable[[str], str] | None = None, **overrides):
    """A ``boto3.Session`` with credentials from a SAML sign-in.

    ``profile``: the samlcreds profile (default ``AWS_DEFAULT_PROFILE``,
    ``AWS_PROFILE`` or ``default``). ``overrides``: settings by name as on the
    command line (``role`` -- a role ARN, ``ACCOUNT_ID:ROLE_NAME`` or name --,
    ``duration`` in seconds, ``region``, ``url``, ``username``, ``provider``,
    ``principal_arn``...).

    Without ``saml_response`` the credentials refresh themselves: nothing
    happens until the first API call, which signs in (or reads the cache).
    botocore refreshes them 15 minutes before expiry; a failed refresh is shown
    once as a :class:`~samlcreds.refreshing.RefreshWarning` and calls go on with
    the current credentials until they expire, then the error is raised.

    ``saml_response``: the paste recipe. The SAMLResponse the IdP posted to AWS,
    as text in any form ``samlcreds login --saml-file`` accepts (base64,
    URL-encoded, the form body, the HTML page, XML; str or bytes) or a file
    path. It is checked and redeemed at STS now (the assertion is valid about
    5 minutes after sign-in), so errors are raised here. **These credentials are
    not refreshable**: when they expire, calls raise
    :class:`~samlcreds.errors.NotRefreshable` ("sign in again and pass a fresh
    saml_response"). For an encrypted assertion, whose roles cannot be read,
    pass ``role_arn=`` and ``principal_arn=``.

    ``get_password(prompt)``: the password prompt (default: ``getpass``).
    ``get_code(prompt)``: a one-time code when the IdP asks for one and the
    profile has no ``saml_otp_command`` (default ``None``: such a sign-in
    raises :class:`~samlcreds.errors.InteractionRequired` naming the key).
    ``picker(roles) -> RolePair``: asks which role when several are granted and
    none is set (default: :data:`samlcreds.picker.ask_role`, the kernel's input
    box or the terminal; ``None``: never ask). The choice is not remembered
    beyond this session.

    Errors (:class:`~samlcreds.errors.SamlcredsError` subclasses, raised on
    the first API call for a profile, here for ``saml_response``):
    :class:`~samlcreds.errors.InteractionRequired` when input is needed and
    there is nowhere to ask, :class:`~samlcreds.errors.InvalidCredentials`,
    :class:`~samlcreds.errors.RoleSelectionError`,
    :class:`~samlcreds.errors.SamlAssertionError` (the pasted text),
    :class:`~samlcreds.errors.StsError`...
    """
    import boto3

    return boto3.Session(botocore_session=botocore_session(
        profile, saml_response=saml_response, role_arn=role_arn, get_password=get_password, picker=picker,
        get_code=get_code, **overrides))


def credentials(profile: str | None = None, *, saml_response: SamlText | None = None, role_arn: str | None = None,
                get_password: Callable[[str], str] = ask_password, picker: flow.Picker | None = pickers.ask_role,
                get_code: Callable[[str], str] | None = None, **overrides) -> Credentials:
    """Credentials now: cached or from a fresh sign-in, or from a pasted ``saml_response``.

    Arguments and errors as for :func:`session`. Returns a frozen
    :class:`~samlcreds.creds.Credentials` with a tz-aware UTC ``expiration``.
    """
    if saml_response is not None:
        settings = config.resolve(profile, given_as="argument", **overrides)
        return _calling(settings, lambda: _paste_login(settings, saml_response, role_arn, picker)).credentials
    fetcher = _fetcher(profile, _with_role_arn(overrides, role_arn), get_password, picker, get_code)
    return _calling(fetcher.settings, fetcher.fetch)


def _with_role_arn(overrides: dict, role_arn: str | None) -> dict:
    return {**overrides, "role": role_arn} if role_arn else overrides


def _fetcher(profile: str | None, overrides: dict, get_password, picker, get_code=None):
    """The profile's fetcher: cache and sign-in, through role chaining for role_arn + source_profile."""
    from samlcreds.chain import fetcher_for

    unknown = set(overrides) - set(config.KEYS)
    if unknown:
        raise errors.UsageError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    ask = offloop.on_caller(get_password)  # prompts run in the caller's thread, even from a worker
    ask_code = offloop.on_caller(get_code) if get_code is not None else None

    def request_factory_for(settings: config.Settings):
        password = ask
        if get_password is ask_password:  # no password given: one stored in the OS keyring comes first
            from samlcreds.keyring_store import KeyringPassword

            password = KeyringPassword(ask, url=settings.url, username=settings.username,
                                       remember=settings.remember_password)
        return lambda: request_for(settings, get_password=password, get_code=ask_code,
                                   state_dir=paths.sessions_dir(), interactive=True)

    return fetcher_for(profile, request_factory_for, picker=offloop.on_caller(_picker(picker, profile)),
                       overrides=overrides, bind_chosen_role=True, given_as="argument")


def _picker(picker, profile: str | None):
    """``picker``; the default one with the profile's account names; ``None``: one that never asks."""
    if picker is None:
        return pickers.refuse
    if picker is not pickers.ask_role:
        return picker
    from samlcreds import accounts

    try:
        names = accounts.names(profile)
    except errors.SamlcredsError:  # a broken saml_account_names must not stop the sign-in
        names = {}
    return pickers.make_picker(account_names=names)


def _paste_login(settings: config.Settings, saml_response: SamlText, role_arn: str | None,
                 picker) -> flow.LoginResult:
    """The CLI's ``login --provider paste`` path: the same parsing, checks and STS call."""
    if isinstance(saml_response, os.PathLike):
        request = LoginRequest(saml_file=Path(saml_response))
    elif isinstance(saml_response, (str, bytes)):
        request = LoginRequest(read_input=lambda: saml_response)
    else:
        raise errors.UsageError(
            f"saml_response must be the SAMLResponse text (str or bytes) or a file path, "
            f"not {type(saml_response).__name__}")
    if not role_arn and settings.role and is_role_arn(settings.role):
        role_arn = settings.role  # with principal_arn: the pair for an encrypted assertion
    try:
        return flow.login(dataclasses.replace(settings, provider="paste"), request, role_arn=role_arn,
                          picker=offloop.on_caller(_picker(picker, settings.profile)))
    except errors.TruncatedSamlResponse as exc:
        if isinstance(saml_response, (str, bytes)) and len(saml_response.strip()) in TERMINAL_LINE_LIMITS:
            exc.hint = (f"It is {len(saml_response.strip()):,} characters long, where a terminal cuts a typed or "
                        "pasted line (getpass() in a terminal Python): save it to a file and pass "
                        "saml_response=pathlib.Path(FILE), or run 'samlcreds login --provider paste'.")
        raise


#: The lengths a terminal in canonical mode cuts an input line at (Linux N_TTY_BUF_SIZE - 1, macOS MAX_CANON),
#: as ``input()`` or ``getpass()`` there hand it over.
TERMINAL_LINE_LIMITS = (4095, 4096, 1023, 1024)


def _not_refreshable() -> Credentials:
    raise errors.NotRefreshable(NOT_REFRESHABLE)


def _calling(settings: config.Settings, fn):
    """``fn()`` off any running event loop, with errors worded for Python callers."""
    try:
        return offloop.call(fn)
    except errors.SamlcredsError as exc:
        raise _for_python(exc, settings) from None


def _for_python(exc: errors.SamlcredsError, settings: config.Settings) -> errors.SamlcredsError:
    """``exc`` with a hint a Python caller can follow (``role=`` rather than ``--role``...)."""
    import copy

    hint = None
    if isinstance(exc, errors.RoleSelectionError) and exc.roles and "--role" in (exc.hint or ""):
        hint = pickers.ROLE_HINT
    elif isinstance(exc, errors.EncryptedAssertion):
        hint = ENCRYPTED_HINT
    elif (settings.provider == "browser" and not _has_display()
          and (isinstance(exc, errors.InteractionRequired) or type(exc).__module__.startswith("samlcreds.idp.browser"))):
        hint = NO_DISPLAY_HINT
    if hint is None:
        hint = keyword_hint(exc.hint) if exc.hint else exc.hint
    if hint == exc.hint:
        return exc
    reworded = copy.copy(exc)
    reworded.hint = hint
    return reworded


#: A flag in a hint, and a command line quoted in one (its flags are the command's: kept).
_FLAG_OR_QUOTED = re.compile(r"'samlcreds [^']*'|(?<![\w-])--(?P<name>[a-z][a-z0-9-]*)")


def keyword_hint(hint: str) -> str:
    """``hint`` with the flags that stand for settings (and ``--role-arn``) named as this API's keyword
    arguments: ``pass --url`` becomes ``pass url=``; quoted ``samlcreds ...`` command lines stay."""
    def keyword(match: re.Match) -> str:
        name = (match["name"] or "").replace("-", "_")
        return f"{name}=" if name in config.KEYS or name == "role_arn" else match[0]

    return _FLAG_OR_QUOTED.sub(keyword, hint)


def _has_display(environ=None) -> bool:
    env = os.environ if environ is None else environ
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
