"""Options shared by the commands that sign in (login, roles, doctor), parsed once into :class:`SignInOptions`."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import NamedTuple

import click

from samlcreds import config, errors, paths
from samlcreds.cli.paste import read_paste
from samlcreds.cli.terminal import Terminal, current_terminal, info
from samlcreds.idp.base import LoginRequest, request_for
from samlcreds.profile import profile_names, quote_word


def complete_profiles(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of ``--profile``: the config file's profiles starting with ``incomplete``."""
    try:
        return [name for name in profile_names() if name.startswith(incomplete)]
    except Exception:  # noqa: BLE001 - an unreadable config file completes nothing, quietly
        return []


def complete_providers(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of ``--provider``: the registered IdP login providers."""
    from samlcreds.idp.base import provider_names

    return [name for name in provider_names() if name.startswith(incomplete)]


#: ``--browser`` and ``--browser-driver``, as the sign-in commands and ``configure`` take them.
BROWSER_OPTION = click.option("--browser", help="Browser provider: Chrome/Chromium/Edge executable path or channel "
                              "(saml_browser).")
BROWSER_DRIVER_OPTION = click.option(
    "--browser-driver", type=click.Choice(config.BROWSER_DRIVERS, case_sensitive=False),
    help="Browser provider: native (your browser, no driver attached; the default) or playwright "
    "(implied by --autofill; refused by Google) (saml_browser_driver).")

#: The click parameters :func:`login_options` adds, in the order of ``--help``.
_OPTIONS = (
    click.option("--profile", "-p", shell_complete=complete_profiles,
                 help="Profile to use (default: AWS_DEFAULT_PROFILE, AWS_PROFILE or default)."),
    click.option("--provider", shell_complete=complete_providers,
                 help="IdP login provider: form, paste, browser, ecp (saml_provider)."),
    click.option("--url", help="The IdP's SSO sign-in URL (saml_url)."),
    click.option("--username", "-u", help="User name at the IdP (saml_username)."),
    click.option("--password-stdin", is_flag=True, help="Read the password from stdin (one line)."),
    click.option("--saml-file", type=click.Path(dir_okay=False, allow_dash=True),
                 help="Read the SAMLResponse from this file ('-' for stdin); implies --provider paste."),
    click.option("--region", help="STS region (default: from the sign-in endpoint / role partition)."),
    click.option("--timeout", type=float,
                 help="Seconds to wait on the IdP and STS (default 30; 300 for a browser sign-in)."),
    click.option("--headless/--no-headless", default=None,
                 help="Browser provider: force headless or a window (default: headless when the IdP session is live)."),
    click.option("--autofill", is_flag=True, default=None,
                 help="Browser provider: fill the user name and password into plain login forms."),
    BROWSER_OPTION,
    BROWSER_DRIVER_OPTION,
    click.option("--allow-http-idp", is_flag=True, default=None,
                 help="Labs only: allow sending the password over plain http (saml_allow_http_idp; form, ECP, auto-fill)."),
)


class SignInOptions(NamedTuple):
    """The sign-in flags of one command, as given (``None``: not given), plus the group's ``--debug``."""

    profile: str | None = None
    provider: str | None = None
    url: str | None = None
    username: str | None = None
    password_stdin: bool = False
    saml_file: str | None = None
    region: str | None = None
    timeout: float | None = None
    headless: bool | None = None
    autofill: bool | None = None
    browser: str | None = None
    browser_driver: str | None = None
    allow_http_idp: bool | None = None
    debug: bool = False

    def settings(self, **more) -> config.Settings:
        """Settings from these flags (and ``more`` settings by name) > env > profile.

        ``--saml-file`` means the paste provider. Raises
        :class:`~samlcreds.errors.UsageError` for bad values.
        """
        return config.resolve(self.profile, **self.overrides(), **more)

    def overrides(self) -> dict:
        """The settings these flags give, by name (``None``: not given)."""
        return dict(provider=self.provider or ("paste" if self.saml_file else None), url=self.url,
                    username=self.username, region=self.region, timeout=self.timeout,
                    autofill=True if self.autofill else None, browser=self.browser,
                    browser_driver=self.browser_driver, allow_http_idp=True if self.allow_http_idp else None)

    def request(self, settings: config.Settings, inputs: Inputs, *, remember_asked: bool = False) -> LoginRequest:
        """The :class:`LoginRequest` for ``settings`` with these flags.

        ``remember_asked``: ``--remember-password`` was given, so a sign-in
        that stores nothing says why.
        """
        from samlcreds.keyring_store import KeyringPassword

        path = Path(self.saml_file) if self.saml_file and self.saml_file != "-" else None
        # a password given on stdin is the one to use; else one stored in the OS keyring comes first
        get_password = KeyringPassword(inputs.password, url=settings.url, username=settings.username,
                                       remember=settings.remember_password, use_stored=not inputs.password_stdin,
                                       notify=info, unstored=_unstored(settings) if remember_asked else None)
        return request_for(
            settings,
            get_password=get_password,
            read_input=inputs.pasted,
            saml_file=path,
            state_dir=paths.sessions_dir(),
            debug_dir=paths.cache_dir() / "debug" if self.debug else None,
            interactive=inputs.terminal.available,
            headless=self.headless,
            get_code=inputs.code if inputs.terminal.available else None,
            notify=info,
        )


_NAMES = tuple(name for name in SignInOptions._fields if name != "debug")


def _unstored(settings: config.Settings) -> str:
    """Why a successful sign-in with these settings typed no password that could be stored."""
    if settings.provider == "paste":
        return "a pasted SAMLResponse involves no password"
    if settings.provider == "browser" and not settings.autofill:
        return ("you type the password into the browser window yourself, and samlcreds never sees it "
                "(it stores the password it fills in with --autofill)")
    return ("the IdP session was still valid, so the IdP did not ask for the password; it is stored at the "
            f"next sign-in that asks for it ('samlcreds logout --profile {quote_word(settings.profile)}' ends the "
            "session now)")


def login_options(func):
    """Decorate a command with the sign-in flags, passed to it as one ``sign_in`` :class:`SignInOptions`."""

    @functools.wraps(func)
    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        given = {name: kwargs.pop(name) for name in _NAMES}
        sign_in = SignInOptions(**given, debug=bool((ctx.obj or {}).get("debug")))
        return func(*args, sign_in=sign_in, **kwargs)

    for decorator in reversed(_OPTIONS):
        wrapper = decorator(wrapper)
    return wrapper


class Inputs:
    """Reads the password and pasted input once, from stdin or the terminal."""

    def __init__(self, *, password_stdin: bool = False, terminal: Terminal | None = None) -> None:
        self.password_stdin = password_stdin
        self.terminal = terminal or current_terminal()
        self._password: str | None = None
        self.password_asked = False

    def password(self, prompt: str) -> str:
        if self._password is not None:
            return self._password
        self.password_asked = True
        if self.password_stdin and sys.stdin.isatty():  # typed, not piped: never echo it
            self._password = self.terminal.ask_secret(prompt)
        elif self.password_stdin:
            line = sys.stdin.readline()
            if not line:
                raise errors.UsageError("--password-stdin was given but stdin is empty")
            self._password = line.rstrip("\r\n")
        elif self.terminal.available:
            self._password = self.terminal.ask_secret(prompt)
        else:
            raise errors.InteractionRequired(
                "the IdP asks for a password and there is no terminal to ask on",
                hint="Pass --password-stdin and pipe the password in, or run in a terminal.",
            )
        return self._password

    def pasted(self) -> str:
        return read_pasted()

    def code(self, prompt: str) -> str:
        """A one-time code typed at the terminal, not echoed (like the password: never shown on screen)."""
        return self.terminal.ask_secret(prompt, what="one-time code")


def read_pasted() -> str:
    """All of stdin as text (asking for a paste when stdin is a terminal: :func:`read_paste`)."""
    return read_paste().decode("utf-8", errors="replace")


def pass_debug(func):
    """Pass the group's ``--debug`` flag as ``debug``."""

    @functools.wraps(func)
    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        return func(*args, debug=bool((ctx.obj or {}).get("debug")), **kwargs)

    return wrapper
