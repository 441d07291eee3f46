"""``samlcreds login``: sign in, pick a role, write or print credentials."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import NamedTuple

import click

from samlcreds import accounts, allroles, chain, config, credfile, errors, fetcher, flow
from samlcreds.aws import DEFAULT_DURATION
from samlcreds.cache import cache_key
from samlcreds.cli.options import Inputs, SignInOptions, login_options
from samlcreds.cli.terminal import current_terminal, info, make_picker, status
from samlcreds.creds import SHELL_NAMES
from samlcreds.spans import span
from samlcreds.profile import quote_word


class LoginOptions(NamedTuple):
    """What ``samlcreds login`` was asked to do: the sign-in flags and its own."""

    sign_in: SignInOptions
    role: str | None = None
    role_arn: str | None = None
    principal_arn: str | None = None
    duration: int | None = None
    print_format: str | None = None
    shell: str = "sh"
    overwrite_long_term_keys: bool = False
    remember_password: bool | None = None
    all_roles: bool = False
    profile_template: str = allroles.DEFAULT_TEMPLATE


@click.command(epilog="""\b
Examples:
  samlcreds login --profile work
  samlcreds login --profile work --role 111111111111:Developer --duration 3600
  echo "$PW" | samlcreds login --url https://idp/sso --username me --password-stdin
  samlcreds login --saml-file response.txt --print json
  eval "$(samlcreds login --profile work --print env)"
""")
@login_options
@click.option("--role", help="Role to assume: role ARN, ACCOUNT_ID:ROLE_NAME or role name (saml_role_arn).")
@click.option("--role-arn", help="Exact role ARN (with --principal-arn: also for encrypted assertions).")
@click.option("--principal-arn", help="SAML provider (principal) ARN of the role.")
@click.option("--duration", type=int, help=f"Session length in seconds, 900-43200 (default {DEFAULT_DURATION}).")
@click.option("--print", "print_format", type=click.Choice(["env", "json"]),
              help="Print the credentials instead of writing the credentials file.")
@click.option("--shell", type=click.Choice(SHELL_NAMES), default="sh", show_default=True,
              help="Shell syntax for --print env: sh (also bash, zsh, ksh, dash), fish or powershell (also pwsh).")
@click.option("--overwrite-long-term-keys", is_flag=True,
              help="Allow replacing long-term access keys in the target profile.")
@click.option("--remember-password", is_flag=True, default=None,
              help="Store the IdP password in the OS keyring after the sign-in succeeds (saml_remember_password).")
@click.option("--all-roles", is_flag=True,
              help="Assume every role the sign-in grants, each into its own profile (see --profile-template).")
@click.option("--profile-template", default=allroles.DEFAULT_TEMPLATE, show_default=True,
              help="With --all-roles: profile names; {account} (name, else ID), {account_id}, {role}.")
def login(sign_in: SignInOptions, **own) -> None:
    """Sign in at the IdP and get temporary AWS credentials for a role.

    By default the credentials are written to PROFILE in the shared
    credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials).
    """
    run_login(LoginOptions(sign_in=sign_in, **own))


def run_login(options: LoginOptions) -> None:
    """Sign in, then write (or print, or leave to credential_process) the credentials."""
    sign_in = options.sign_in
    settings = sign_in.settings(role=options.role_arn or options.role, principal_arn=options.principal_arn,
                                duration=options.duration,
                                remember_password=True if options.remember_password else None)
    terminal = current_terminal()
    inputs = Inputs(password_stdin=sign_in.password_stdin, terminal=terminal)
    if options.profile_template != allroles.DEFAULT_TEMPLATE and not options.all_roles:
        raise errors.UsageError("--profile-template goes with --all-roles", hint="Add --all-roles, or drop it.")
    if options.all_roles:
        from samlcreds.cli.allroles import login_all_roles

        if options.role or options.role_arn or options.principal_arn:
            raise errors.UsageError("--all-roles and --role/--role-arn/--principal-arn are exclusive")
        request = sign_in.request(settings, inputs, remember_asked=bool(options.remember_password))
        return login_all_roles(dataclasses.replace(settings, role=None), request,
                               template=options.profile_template, print_format=options.print_format,
                               overwrite_long_term=options.overwrite_long_term_keys)
    if chain.chain_spec(settings.profile) is not None:
        return _login_chained(settings.profile, inputs, options)
    request = sign_in.request(settings, inputs, remember_asked=bool(options.remember_password))
    picker = make_picker(terminal, accounts.names(settings.profile)) if terminal.available else None
    session_reused = False
    try:
        with status(enabled=True) as update:
            update("checking the SAMLResponse" if settings.provider == "paste" else "signing in at the IdP")
            assertion = flow.fetch_assertion(settings, request, prepare_sts=True)
            session_reused = sign_in.password_stdin and not inputs.password_asked and settings.provider != "paste"
            result = flow.login(settings, request, role_arn=options.role_arn, principal_arn=options.principal_arn,
                                picker=picker, progress=update, assertion=assertion)
    finally:
        if session_reused:  # on the error path too: a wrong password would not have been noticed
            info("note: the IdP session was still valid, so the password was not checked")
    lookups = accounts.AliasLookups(settings.profile)
    lookups.add(result.credentials)  # the account's alias, for names next time (a detached process, after)
    # cache first: if the disk is full, nothing of the user's changes (the cache only ever
    # holds valid credentials, so a later failed file write leaves nothing wrong behind)
    fetcher.remember(settings, result)
    for warning in result.assertion.warnings:
        info(f"samlcreds: warning: {warning}")
    creds = result.credentials
    suggested = result.assertion.session_duration
    if suggested and suggested != settings.duration and not settings.is_set("duration"):
        info(f"note: the IdP suggests SessionDuration={suggested} s; "
             f"pass --duration to use it (the default is {DEFAULT_DURATION} s)")
    from samlcreds.cli.configure import credential_process_is_ours  # after a sign-in only

    if options.print_format == "json":
        click.echo(creds.to_json())
    elif options.print_format == "env":
        click.echo(creds.to_shell(options.shell, region=settings.region or result.region), nl=False)
    elif credential_process_is_ours(settings.profile):
        stored = config.resolve(settings.profile)
        if cache_key(stored) == cache_key(settings):
            info(f"Cached credentials for {result.role.role_arn}; profile [{settings.profile}] gets them "
                 "through credential_process.")
        else:
            info(f"Cached credentials for {result.role.role_arn}, but profile [{settings.profile}]'s "
                 "credential_process uses the profile's own settings, not the flags given here; to change "
                 f"them run: samlcreds configure --profile {quote_word(settings.profile)} ...")
    else:
        path = credfile.write_profile(settings.profile, creds,
                                      overwrite_long_term=options.overwrite_long_term_keys)
        info(f"Wrote credentials for {result.role.role_arn} to profile [{settings.profile}] in {path}")
    info(_expiry_text(creds))
    lookups.start()


def _login_chained(profile: str, inputs: Inputs, options: LoginOptions) -> None:
    """``login`` for a role_arn + source_profile profile: the source's credentials (cached, or a
    sign-in with the sign-in flags), then a fresh AssumeRole, written or printed like any login's.

    Raises :class:`~samlcreds.errors.UsageError` for the role flags: the profile's own
    ``role_arn`` is the role, and the source profile's settings choose the SAML role.
    """
    from samlcreds.cli.fetching import fetch_with, make_fetcher

    given = [flag for flag, value in (("--role", options.role), ("--role-arn", options.role_arn),
                                      ("--principal-arn", options.principal_arn), ("--duration", options.duration))
             if value is not None]
    if given:
        source = chain.chain_spec(profile).source_profile
        raise errors.UsageError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not go with profile {profile}: it chains, "
            f"assuming its role_arn with the credentials of source_profile {source}",
            hint=f"The SAML role is the source's: 'samlcreds configure --profile {quote_word(source)} --role "
            f"ROLE'; the chained role and its length are role_arn and duration_seconds in "
            f"[{config.section_name(profile)}].")
    chained = make_fetcher(profile, inputs=inputs, sign_in=options.sign_in, may_paste=True)
    with status(enabled=True) as update:
        update("getting the source profile's credentials and calling STS AssumeRole")
        creds = fetch_with(_Fresh(chained))
    if options.print_format == "json":
        click.echo(creds.to_json())
    elif options.print_format == "env":
        click.echo(creds.to_shell(options.shell, region=chained.settings.region), nl=False)
    else:
        path = credfile.write_profile(profile, creds, overwrite_long_term=options.overwrite_long_term_keys)
        info(f"Wrote credentials for {creds.role_arn} (chained: {chain.describe(chained)}) to profile "
             f"[{profile}] in {path}")
    info(_expiry_text(creds))


class _Fresh:
    """A fetcher whose ``fetch()`` always calls AssumeRole again (its source may still be cached)."""

    def __init__(self, fetcher) -> None:
        self.fetcher, self.settings = fetcher, fetcher.settings

    def fetch(self):
        return self.fetcher.fetch(fresh=True)


def _expiry_text(creds) -> str:
    minutes = max(int(creds.seconds_left(datetime.now(timezone.utc)) // 60), 0)
    return f"They expire at {creds.expiration:%Y-%m-%d %H:%M:%S} UTC (in {span(minutes * 60)})."
