"""``samlcreds login``: sign in, pick a role, write or print credentials."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import click

from samlcreds import accounts, chain, config, credfile, errors, fetcher, flow
from samlcreds.cache import cache_key
from samlcreds.cli.options import Inputs, build_request, login_options, pass_debug, resolve_settings
from samlcreds.cli.terminal import Terminal, info, make_picker, status
from samlcreds.creds import SHELLS


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
@click.option("--duration", type=int, help="Session length in seconds, 900-43200 (default 3600).")
@click.option("--print", "print_format", type=click.Choice(["env", "json"]),
              help="Print the credentials instead of writing the credentials file.")
@click.option("--shell", type=click.Choice(SHELLS), default="sh", show_default=True,
              help="Shell flavour for --print env.")
@click.option("--overwrite-long-term-keys", is_flag=True,
              help="Allow replacing long-term access keys in the target profile.")
@click.option("--remember-password", is_flag=True, default=None,
              help="Store the IdP password in the OS keyring after the sign-in succeeds (saml_remember_password).")
@click.option("--all-roles", is_flag=True,
              help="Assume every role the sign-in grants, each into its own profile (see --profile-template).")
@click.option("--profile-template", default="{account}-{role}", show_default=True,
              help="With --all-roles: profile names; {account} (name, else ID), {account_id}, {role}.")
@pass_debug
def login(profile, provider, url, username, password_stdin, saml_file, region, timeout, headless, autofill,
          browser, role, role_arn, principal_arn, duration, print_format, shell, overwrite_long_term_keys,
          remember_password, all_roles, profile_template, debug):
    """Sign in at the IdP and get temporary AWS credentials for a role.

    By default the credentials are written to PROFILE in the shared
    credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials).
    """
    settings = resolve_settings(profile, provider, url, username, saml_file, region, timeout,
                                autofill=autofill, browser=browser, role=role_arn or role,
                                principal_arn=principal_arn, duration=duration,
                                remember_password=True if remember_password else None)
    terminal = Terminal()
    inputs = Inputs(password_stdin=password_stdin, terminal=terminal)
    if all_roles:
        from samlcreds.cli.allroles import login_all_roles

        if role or role_arn or principal_arn:
            raise errors.UsageError("--all-roles and --role/--role-arn/--principal-arn are exclusive")
        request = build_request(settings, saml_file=saml_file, inputs=inputs, debug=debug, headless=headless)
        return login_all_roles(dataclasses.replace(settings, role=None), request, template=profile_template,
                               print_format=print_format, overwrite_long_term=overwrite_long_term_keys)
    if chain.chain_spec(settings.profile) is not None:
        return _login_chained(settings.profile, inputs, debug, print_format, shell, overwrite_long_term_keys)
    request = build_request(settings, saml_file=saml_file, inputs=inputs, debug=debug, headless=headless)
    picker = make_picker(terminal, accounts.names(settings.profile)) if terminal.available else None
    with status(enabled=True) as update:
        result = flow.login(settings, request, role_arn=role_arn, principal_arn=principal_arn,
                            picker=picker, progress=update)
    lookups = accounts.AliasLookups(settings.profile)
    lookups.add(result.credentials)  # the account's alias, for names next time (background, 1 s at most)
    # cache first: if the disk is full, nothing of the user's changes (the cache only ever
    # holds valid credentials, so a later failed file write leaves nothing wrong behind)
    fetcher.remember(settings, result)
    if password_stdin and not inputs.password_asked:
        info("note: the IdP session was still valid, so the password was not needed (or checked)")
    for warning in result.assertion.warnings:
        info(f"samlcreds: warning: {warning}")
    creds = result.credentials
    suggested = result.assertion.session_duration
    if suggested and suggested != 3600 and not settings.is_set("duration"):
        info(f"note: the IdP suggests SessionDuration={suggested} s; "
             f"pass --duration to use it (the default is 3600 s)")
    minutes = int(creds.seconds_left(datetime.now(timezone.utc)) // 60)
    if print_format == "json":
        click.echo(creds.to_json())
    elif print_format == "env":
        click.echo(creds.to_shell(shell, region=settings.region or result.region), nl=False)
    elif "samlcreds" in config.read_profile(settings.profile).get("credential_process", ""):
        stored = config.resolve(settings.profile)
        if cache_key(stored) == cache_key(settings):
            info(f"Cached credentials for {result.role.role_arn}; profile [{settings.profile}] gets them "
                 "through credential_process.")
        else:
            info(f"Cached credentials for {result.role.role_arn}, but profile [{settings.profile}]'s "
                 "credential_process uses the profile's own settings, not the flags given here; to change "
                 f"them run: samlcreds configure --profile {settings.profile} ...")
    else:
        path = credfile.write_profile(settings.profile, creds,
                                      overwrite_long_term=overwrite_long_term_keys)
        info(f"Wrote credentials for {result.role.role_arn} to profile [{settings.profile}] in {path}")
    info(f"They expire at {creds.expiration:%Y-%m-%d %H:%M:%S} UTC (in {minutes} min).")
    lookups.wait()


def _login_chained(profile, inputs, debug, print_format, shell, overwrite_long_term_keys):
    """``login`` for a role_arn + source_profile profile: the source's credentials (cached, or a
    sign-in), then a fresh AssumeRole, written or printed like any login's."""
    from samlcreds.cli.fetching import fetch_with, make_fetcher

    chained = make_fetcher(profile, debug=debug, inputs=inputs)
    with status(enabled=True) as update:
        update("getting the source profile's credentials and calling STS AssumeRole")
        creds = fetch_with(_Fresh(chained))
    if print_format == "json":
        click.echo(creds.to_json())
    elif print_format == "env":
        click.echo(creds.to_shell(shell, region=chained.settings.region), nl=False)
    else:
        path = credfile.write_profile(profile, creds, overwrite_long_term=overwrite_long_term_keys)
        info(f"Wrote credentials for {creds.role_arn} (chained: {chain.describe(chained)}) to profile "
             f"[{profile}] in {path}")
    minutes = int(creds.seconds_left(datetime.now(timezone.utc)) // 60)
    info(f"They expire at {creds.expiration:%Y-%m-%d %H:%M:%S} UTC (in {minutes} min).")


class _Fresh:
    """A fetcher whose ``fetch()`` always calls AssumeRole again (its source may still be cached)."""

    def __init__(self, fetcher) -> None:
        self.fetcher, self.settings = fetcher, fetcher.settings

    def fetch(self):
        return self.fetcher.fetch(fresh=True)
