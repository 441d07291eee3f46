"""``samlcreds console``: open the AWS console signed in as a profile's role."""

from __future__ import annotations

import click

from samlcreds import console as federation
from samlcreds.cli.exec_ import region_for
from samlcreds.cli.fetching import fetch_with, make_fetcher
from samlcreds.cli.options import pass_debug
from samlcreds.cli.terminal import info


@click.command(epilog="""\b
Examples:
  samlcreds console --profile work
  samlcreds console --profile work --print          # the URL only, on stdout
  samlcreds console -p work --destination https://console.aws.amazon.com/s3/home
The URL signs anyone in for 15 minutes: treat it like a password.
""")
@click.option("--profile", "-p", help="Profile whose credentials to use (SAML or chained).")
@click.option("--print", "print_only", is_flag=True, help="Print the sign-in URL on stdout instead of opening a browser.")
@click.option("--destination", help="Console page to land on (default: the partition's console, in the profile's region).")
@pass_debug
def console(profile, print_only, destination, debug):
    """Sign in to the AWS console with a profile's credentials (cached; signs in when needed)."""
    fetcher = make_fetcher(profile, debug=debug)
    creds = fetch_with(fetcher)
    settings = fetcher.settings
    signer = fetcher
    while getattr(signer, "source", None) is not None:  # a chained profile: the profile that signs in
        signer = signer.source
    issuer = signer.settings.url  # where AWS sends the user when the console session ends
    url = federation.console_signin_url(creds, region=region_for(settings), destination=destination,
                                        issuer=issuer, timeout=settings.sts_timeout)
    if print_only:
        click.echo(url)
        return
    import webbrowser

    if not webbrowser.open(url, new=2):
        info("samlcreds: no web browser could be started; run 'samlcreds console --print' and open the URL "
             "yourself (it is valid for 15 minutes).")
        raise SystemExit(1)
    info(f"Opened the AWS console as {creds.assumed_role_arn or creds.role_arn or settings.profile}.")
