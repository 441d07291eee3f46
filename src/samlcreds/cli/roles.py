"""``samlcreds roles``: list the roles an assertion or a login offers."""

from __future__ import annotations

import json

import click

from samlcreds import accounts
from samlcreds.cli.fetching import fetch_assertion
from samlcreds.cli.options import Inputs, SignInOptions, login_options
from samlcreds.roles import group_by_account


@click.command(epilog="""\b
Examples:
  samlcreds roles --profile work
  samlcreds roles --saml-file response.txt --output json
""")
@login_options
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def roles(sign_in: SignInOptions, output: str) -> None:
    """List the roles a SAMLResponse grants (signs in unless --saml-file is given)."""
    settings = sign_in.settings()
    request = sign_in.request(settings, Inputs(password_stdin=sign_in.password_stdin))
    assertion = fetch_assertion(settings, request)
    assertion.raise_for_problems()
    names = accounts.names(settings.profile)
    if output == "json":
        click.echo(json.dumps([
            {"role_arn": r.role_arn, "principal_arn": r.principal_arn, "account_id": r.account_id,
             "account_name": names.get(r.account_id), "role_name": r.role_name} for r in assertion.roles], indent=2))
        return
    for account, pairs in group_by_account(assertion.roles).items():
        click.echo(f"Account {accounts.label(account, names)}")
        for pair in pairs:
            click.echo(f"  {pair.role_arn}  (provider {pair.principal_arn})")
