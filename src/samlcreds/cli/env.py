"""``samlcreds env``: print shell exports of a profile's credentials."""

from __future__ import annotations

import click

from samlcreds.cli.exec_ import region_for
from samlcreds.cli.fetching import fetch_credentials
from samlcreds.cli.options import complete_profiles, pass_debug
from samlcreds.creds import SHELL_NAMES


@click.command(epilog="""\b
Examples:
  eval "$(samlcreds env --profile work)"
  samlcreds env --profile work --shell fish | source
  samlcreds env --profile work --shell powershell | Invoke-Expression
""")
@click.option("--profile", "-p", shell_complete=complete_profiles,
               help="Profile whose credentials to print.")
@click.option("--shell", type=click.Choice(SHELL_NAMES), default="sh", show_default=True,
              help="Shell syntax: sh (also bash, zsh, ksh, dash), fish or powershell (also pwsh).")
@pass_debug
def env(profile, shell, debug):
    """Print AWS_* export statements for a profile (cached; signs in when needed)."""
    settings, creds = fetch_credentials(profile, debug=debug)
    click.echo(creds.to_shell(shell, region=region_for(settings)), nl=False)
