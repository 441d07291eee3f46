"""``samlcreds console``: open the AWS console signed in as a profile's role."""

from __future__ import annotations

import click

from samlcreds import console as federation
from samlcreds import errors
from samlcreds.cli.exec_ import region_for
from samlcreds.cli.fetching import fetch_with, make_fetcher
from samlcreds.cli.options import complete_profiles, pass_debug
from samlcreds.cli.terminal import info
from samlcreds.servers.redirect import BROWSER_WAIT
from samlcreds.profile import quote_word


@click.command(epilog=f"""\b
Examples:
  samlcreds console --profile work
  samlcreds console --profile work --print          # the URL only, on stdout
  samlcreds console -p work --destination https://console.aws.amazon.com/s3/home
The URL signs anyone in for 15 minutes: treat it like a password. Without --print the
browser is sent to it by a one-use redirect on 127.0.0.1 (waiting up to {BROWSER_WAIT:.0f} s), so the URL
is never on the browser's command line. When the browser runs on another machine (SSH, a
remote container), use --print. Exit 2 when no browser starts or none opens the link.
""")
@click.option("--profile", "-p", shell_complete=complete_profiles,
               help="Profile whose credentials to use (SAML or chained).")
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
    open_in_browser(url, profile=settings.profile)
    info(f"Opened the AWS console as {creds.assumed_role_arn or creds.role_arn or settings.profile}.")


def open_in_browser(url: str, wait: float | None = None, *, profile: str | None = None) -> None:
    """Open the secret sign-in ``url`` through a one-shot loopback redirect (never in the browser's argv).

    Waits ``wait`` seconds (default :data:`samlcreds.servers.redirect.BROWSER_WAIT`)
    for the browser to fetch the loopback URL, less when a request for it was
    refused (:meth:`~samlcreds.servers.redirect.OneShotRedirect.wait`); raises
    :class:`~samlcreds.errors.UsageError` when no browser starts or none fetches it, its hint
    naming ``samlcreds console --profile PROFILE --print``.
    """
    import webbrowser

    from samlcreds.servers import redirect as loopback

    wait = loopback.BROWSER_WAIT if wait is None else wait  # read now: tests shorten it
    again = f"samlcreds console --profile {quote_word(profile)} --print" if profile else "samlcreds console --print"
    later = (f"Run '{again}' and open the URL yourself (it is valid for 15 minutes); "
             "set BROWSER to choose the browser.")
    with loopback.OneShotRedirect(url) as handoff:
        if not webbrowser.open(handoff.url, new=2):
            raise errors.UsageError("no web browser could be started", hint=later)
        if not handoff.served:
            info(f"samlcreds: waiting up to {wait:.0f} s for the browser to open the console...")
        if handoff.wait(wait):
            return
    if handoff.refused is not None:
        raise errors.UsageError(
            f"a request for the one-use console link was refused ({handoff.refused}) and no other came; "
            "the link no longer works",
            hint="When the browser runs on another machine (over SSH, in a remote container) or reaches "
                 f"127.0.0.1 through a port forwarder, run '{again}' and paste the URL into "
                 "that browser yourself (it is valid for 15 minutes).")
    raise errors.UsageError(f"the browser did not open the console sign-in within {wait:.0f} s "
                            "(the link samlcreds gave it no longer works)", hint=later)
