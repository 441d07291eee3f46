"""The provider protocol and its registry.

A provider is addressed by its ``METHOD`` name (``saml_provider`` in a
profile, ``--provider`` on the command line) and returns the base64
SAMLResponse the IdP would have posted to AWS. Providers never print; they
ask for input only through the callables in :class:`LoginRequest`. Each one
also names where it keeps an account's IdP session (:func:`saved_state`,
:attr:`Provider.STATE_NAMES`), so ``samlcreds logout`` can count and forget them
(:func:`forget_saved_state`, :func:`saved_sessions`).
"""

from __future__ import annotations

import importlib
import ipaddress
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Protocol, runtime_checkable

from samlcreds import errors


def _no_password(prompt: str) -> str:
    raise errors.InteractionRequired("a password is needed but no way to ask for it was given")


def _no_input() -> str:
    raise errors.InteractionRequired("a SAMLResponse is needed but no input was given")


def _no_notice(message: str) -> None:
    """Notices are dropped unless the caller gives a ``notify`` callable."""


def is_loopback(url: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class LoginRequest:
    """What a provider needs to sign in.

    ``url``: the IdP's SSO URL. ``get_password(prompt)`` returns the password
    (from a no-echo prompt or stdin; never argv). ``read_input()`` returns text
    the user supplies (the paste provider's SAMLResponse). ``timeout`` in
    seconds per request. ``state_dir``: where a provider may keep session state
    (cookies, browser profile), 0700. ``debug_dir``: where to save pages
    (secrets removed) when debugging, or ``None``.
    """

    url: str | None = None
    username: str | None = None
    get_password: Callable[[str], str] = _no_password
    read_input: Callable[[], str] = _no_input
    saml_file: Path | None = None
    timeout: float = 30.0
    state_dir: Path | None = None
    debug_dir: Path | None = None
    interactive: bool = True
    #: browser provider: ``None`` = headless when the IdP session is live, else
    #: a window; ``True``/``False`` force it.
    headless: bool | None = None
    #: browser provider: fill the user name/password into plain HTML forms.
    autofill: bool = False
    #: browser provider: CSS selectors overriding auto-fill's choices.
    username_selector: str | None = None
    password_selector: str | None = None
    submit_selector: str | None = None
    #: browser provider: path of a Chrome/Chromium/Edge executable, or a
    #: Playwright channel name (``chrome``, ``msedge``, ``chromium``).
    browser: str | None = None
    #: where ``browser`` came from, for messages: ``--browser``, ``SAMLCREDS_BROWSER`` or
    #: ``saml_browser in [profile P]`` (``config.Settings.origin``); ``None``: not known.
    browser_origin: str | None = None
    #: where ``url`` came from, for hints: ``--url``, ``SAMLCREDS_URL`` or ``saml_url in [profile P]``
    #: (``config.Settings.origin``); ``None``: not known (hints then say ``saml_url``).
    url_origin: str | None = None
    #: browser provider: ``native`` (default: no driver attached) or
    #: ``playwright`` (implied by ``autofill``).
    browser_driver: str | None = None
    #: the samlcreds profile being signed in, for messages (``samlcreds login --profile P``).
    profile_name: str | None = None
    #: form provider: ``get_code(prompt)`` returns a one-time code typed by the
    #: user (echo may stay on), or ``None`` when there is no one to ask.
    get_code: Callable[[str], str] | None = None
    #: form provider: command printing a one-time code (``saml_otp_command``).
    otp_command: str | None = None
    #: form, ECP, browser auto-fill: allow a password over plain http to a non-loopback host (labs).
    allow_http: bool = False
    #: ``notify(message)``: a one-line notice for the user (the CLI prints it on stderr).
    notify: Callable[[str], None] = _no_notice

    @property
    def url_named(self) -> str:
        """The sign-in URL's setting as hints name it: where it came from (``--url``,
        ``SAMLCREDS_URL``, ``saml_url in [profile work]``), else ``saml_url``."""
        return self.url_origin or "saml_url"

    def secret_may_go_to(self, url: str) -> bool:
        """May a password or code be sent to, or typed into a page at, ``url``?

        https always; plain http only to a loopback host or with ``allow_http``
        (saml_allow_http_idp, labs only); any other scheme (``about:``, ``data:``...) never.
        """
        try:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            return scheme == "https" or (scheme == "http" and (self.allow_http or is_loopback(url)))
        except ValueError:  # an address on an IdP page that does not parse ("https://[x/")
            return False


def request_for(settings, **fields) -> LoginRequest:
    """A :class:`LoginRequest` carrying ``settings`` (a ``config.Settings``) plus ``fields``.

    ``fields`` are the non-settings parts: ``get_password``, ``read_input``,
    ``saml_file``, ``state_dir``, ``debug_dir``, ``interactive``, ``headless``,
    ``get_code``, ``notify``.
    """
    return LoginRequest(
        url=settings.url,
        username=settings.username,
        timeout=settings.signin_timeout,
        autofill=settings.autofill,
        username_selector=settings.username_selector,
        password_selector=settings.password_selector,
        submit_selector=settings.submit_selector,
        browser=settings.browser,
        browser_origin=settings.origin("browser"),
        url_origin=settings.origin("url"),
        browser_driver=settings.browser_driver,
        profile_name=settings.profile,
        otp_command=settings.otp_command,
        allow_http=settings.allow_http_idp,
        **fields,
    )


def how_to_give(source: str) -> str:
    """How a hint tells the user to give setting ``source`` (as :meth:`Settings.origin` names it) another
    value: ``Pass --browser``, ``Give browser=`` (the Python API), ``Set saml_url in [profile P] to``."""
    if source.startswith("--"):
        return f"Pass {source}"
    return f"Give {source}" if source.endswith("=") else f"Set {source} to"


#: Hex digits of an account's key in the names of its state files (:func:`account_state_path`).
KEY_DIGITS = 16


def idp_host(url: str | None) -> str:
    """The IdP host of ``url`` as saved sessions are keyed by it: ``host[:port]``, lower case (``""`` without one).

    Any ``user:password@`` in the URL is left out: the host is shown in messages (``logout``).
    A URL that does not parse (``http://[::1``; settings refuse it, see
    :func:`samlcreds.setting_values.parse_url`) has no host.
    """
    try:
        return urllib.parse.urlsplit(url or "").netloc.rpartition("@")[2].lower()
    except ValueError:
        return ""


def account_state_path(state_dir: Path | None, url: str | None, username: str | None, name: str) -> Path | None:
    """``state_dir/<name with {key}>`` for one IdP account, or ``None`` without a state_dir or URL.

    ``{key}`` in ``name`` (e.g. ``"cookies-{key}.txt"``) becomes the first
    :data:`KEY_DIGITS` hex digits of SHA-256 over the IdP host (:func:`idp_host`) and the user name, so
    each account has its own state and no user name appears in a file name. The key is the account's,
    not a profile's: every profile signing in as that user at that IdP shares the state.
    """
    if state_dir is None or not url:
        return None
    import hashlib

    key = hashlib.sha256(f"{idp_host(url)}\0{username or ''}".encode()).hexdigest()[:KEY_DIGITS]
    return Path(state_dir) / name.format(key=key)


@runtime_checkable
class Provider(Protocol):
    """Something that can produce a SAMLResponse for a :class:`LoginRequest`."""

    METHOD: ClassVar[str]
    #: Names under the state dir of what holds one account's IdP session, ``{key}`` standing for the
    #: account's key (:func:`account_state_path`, which the provider uses to find them too);
    #: ``()`` for a provider that keeps none. :func:`saved_state` is derived from it.
    STATE_NAMES: ClassVar[tuple[str, ...]]

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """Return the base64 SAMLResponse; raise a SamlcredsError on failure."""
        ...


#: METHOD name -> "module:Class", imported on first use (keeps startup cheap).
_REGISTRY: dict[str, str] = {
    "paste": "samlcreds.idp.paste:PasteProvider",
    "form": "samlcreds.idp.form:FormProvider",
    "browser": "samlcreds.idp.browser.provider:BrowserProvider",
    "ecp": "samlcreds.idp.ecp:EcpProvider",
}


def provider_names() -> list[str]:
    """Names of the registered providers, sorted."""
    return sorted(_REGISTRY)


def get_provider(method: str) -> Provider:
    """An instance of the provider registered as ``method``.

    Raises :class:`~samlcreds.errors.UsageError` naming the known providers.
    """
    target = _REGISTRY.get(method)
    if target is None:
        raise errors.UsageError(
            f"unknown provider {method!r}",
            hint=f"Choose one of: {', '.join(provider_names())}.",
        )
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls()


def saved_state(provider: Provider, url: str | None, username: str | None, state_dir: Path) -> list[Path]:
    """The files and directories under ``state_dir`` holding ``provider``'s IdP session of this account.

    One per :attr:`Provider.STATE_NAMES`, whether or not they exist yet; ``[]`` without a URL.
    """
    paths = (account_state_path(state_dir, url, username, name) for name in provider.STATE_NAMES)
    return [path for path in paths if path is not None]


def forget_saved_state(url: str | None, username: str | None, state_dir: Path) -> int:
    """Delete the saved IdP session of the account (``url``, ``username``) of every registered provider.

    Returns how many files or directories were removed (0 when there were none).
    Raises :class:`~samlcreds.errors.LocalFileError` when one cannot be deleted (:func:`remove_saved_state`).
    """
    removed = 0
    for method in provider_names():
        for path in saved_state(get_provider(method), url, username, state_dir):
            if path.exists() or path.is_symlink():
                removed += remove_saved_state(path)
    return removed


def remove_saved_state(path: Path) -> bool:
    """Delete one saved IdP session: a file, or a directory (a browser profile) with all it holds.

    True when it was deleted, False when it was already gone. Raises
    :class:`~samlcreds.errors.LocalFileError` naming what could not be deleted
    (permissions, an immutable attribute, a read-only file system): that
    session may still sign the user in at the IdP.
    """
    import shutil
    import sys

    failed = [path]  # what rmtree could not delete (its OSError names a child by its name only)

    def note(function, name, error) -> None:
        failed[0] = Path(name)
        raise error if isinstance(error, BaseException) else error[1]  # (onexc's exception, onerror's exc_info)

    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, **{"onexc" if sys.version_info >= (3, 12) else "onerror": note})
        else:
            path.unlink()
    except OSError as exc:
        if not (path.exists() or path.is_symlink()):
            return False  # deleted meanwhile (another logout)
        where = f" ({failed[0]})" if failed[0] != path else ""
        raise errors.LocalFileError(
            f"cannot delete the saved IdP session {path}: {exc.strerror or exc}{where}",
            hint="It may still sign you in at the IdP. Check its permissions, attributes (lsattr) and whether "
                 "it is on a read-only file system, then run 'samlcreds logout' again.") from None
    return True


def saved_sessions(state_dir: Path) -> list[Path]:
    """The saved IdP sessions under ``state_dir`` of every account and registered provider, sorted.

    One path per session: an entry named as a provider's :attr:`Provider.STATE_NAMES` say, with an
    account key in place of ``{key}``. Anything else there (a browser profile's ``.lock`` file beside
    it, an interrupted atomic write) is not a session. ``[]`` when ``state_dir`` cannot be listed.
    """
    import re

    try:
        entries = os.listdir(state_dir)
    except OSError:
        return []
    names = [name for method in provider_names() for name in get_provider(method).STATE_NAMES]
    patterns = [re.compile(re.escape(prefix) + f"[0-9a-f]{{{KEY_DIGITS}}}" + re.escape(suffix))
                for prefix, _, suffix in (name.partition("{key}") for name in names)]
    return sorted(Path(state_dir) / entry for entry in entries if any(p.fullmatch(entry) for p in patterns))
