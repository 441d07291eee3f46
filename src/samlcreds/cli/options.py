"""Options shared by the commands that sign in (login, roles), and their plumbing."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from samlcreds import config, errors, paths
from samlcreds.idp.base import LoginRequest, request_for
from samlcreds.cli.terminal import Terminal, info


def login_options(func):
    """Decorate a command with the sign-in flags."""
    decorators = [
        click.option("--profile", "-p", help="Profile whose settings to use (default: AWS_DEFAULT_PROFILE, AWS_PROFILE or default)."),
        click.option("--provider", help="IdP login provider: form, paste, browser, ecp (saml_provider)."),
        click.option("--url", help="The IdP's SSO sign-in URL (saml_url)."),
        click.option("--username", "-u", help="User name at the IdP (saml_username)."),
        click.option("--password-stdin", is_flag=True, help="Read the password from stdin (one line)."),
        click.option("--saml-file", type=click.Path(dir_okay=False, allow_dash=True),
                     help="Read the SAMLResponse from this file ('-' for stdin); implies --provider paste."),
        click.option("--region", help="STS region (default: from the sign-in endpoint / role partition)."),
        click.option("--timeout", type=float, help="Seconds to wait on the IdP and STS (default 30)."),
        click.option("--headless/--no-headless", default=None,
                     help="Browser provider: force headless or a window (default: headless when the IdP session is live)."),
        click.option("--autofill", is_flag=True, default=None,
                     help="Browser provider: fill the user name and password into plain login forms."),
        click.option("--browser", help="Browser provider: Chrome/Chromium/Edge executable path or channel."),
        click.option("--allow-http-idp", is_flag=True, default=None, expose_value=False, callback=_remember_flag,
                     help="Form provider, labs only: allow sending the password over plain http "
                          "(saml_allow_http_idp)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _remember_flag(ctx: click.Context, param: click.Parameter, value):
    """Keep a flag that is not a parameter of the command for :func:`resolve_settings`."""
    if value:
        ctx.meta[f"samlcreds.{param.name}"] = True
    return value


class Inputs:
    """Reads the password and pasted input once, from stdin or the terminal."""

    def __init__(self, *, password_stdin: bool, terminal: Terminal) -> None:
        self.password_stdin = password_stdin
        self.terminal = terminal
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
        """A one-time code typed at the terminal (visible: it is useless after a minute)."""
        return self.terminal.ask(prompt)


def read_pasted() -> str:
    """All of stdin, with an instruction first when stdin is a terminal."""
    if sys.stdin.isatty():
        click.echo("Paste the SAMLResponse, then press Ctrl-D on a new line:", err=True)
    return sys.stdin.read()


def build_request(settings: config.Settings, *, saml_file: str | None, inputs: Inputs,
                  debug: bool, headless: bool | None = None) -> LoginRequest:
    """The :class:`LoginRequest` for these settings and flags."""
    path = None
    if saml_file and saml_file != "-":
        path = Path(saml_file)
    from samlcreds.keyring_store import KeyringPassword

    # a password given on stdin is the one to use; else one stored in the OS keyring comes first
    get_password = KeyringPassword(inputs.password, url=settings.url, username=settings.username,
                                   remember=settings.remember_password, use_stored=not inputs.password_stdin,
                                   notify=info)
    return request_for(
        settings,
        get_password=get_password,
        read_input=inputs.pasted,
        saml_file=path,
        state_dir=paths.sessions_dir(),
        debug_dir=paths.cache_dir() / "debug" if debug else None,
        interactive=inputs.terminal.available,
        headless=headless,
        get_code=inputs.code if inputs.terminal.available else None,
        notify=info,
    )


def resolve_settings(profile, provider, url, username, saml_file, region, timeout, *, autofill=None,
                     browser=None, **extra) -> config.Settings:
    """Settings from flags > env > profile; ``--saml-file`` means the paste provider."""
    if saml_file:
        provider = provider or "paste"
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get("samlcreds.allow_http_idp"):
        extra.setdefault("allow_http_idp", "true")
    return config.resolve(profile, provider=provider, url=url, username=username, region=region,
                          timeout=timeout, autofill="true" if autofill else None, browser=browser, **extra)


def pass_debug(func):
    """Pass the group's ``--debug`` flag as ``debug``."""

    @functools.wraps(func)
    @click.pass_context
    def wrapper(ctx, *args, **kwargs):
        return func(*args, debug=bool((ctx.obj or {}).get("debug")), **kwargs)

    return wrapper
