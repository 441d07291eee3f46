"""``samlcreds serve``: a loopback credentials endpoint for IDEs and other long-running tools."""

from __future__ import annotations

import shlex

import click

from samlcreds import errors
from samlcreds.cli.fetching import fetch_with, make_fetcher
from samlcreds.cli.options import pass_debug
from samlcreds.cli.terminal import info


@click.command(epilog="""\b
Examples:
  samlcreds serve --profile work     # then give the two exports to the IDE or tool
  docker run --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI -e AWS_CONTAINER_AUTHORIZATION_TOKEN ...
The token is a secret: anyone with it and access to this computer's loopback gets the credentials.
""")
@click.option("--profile", "-p", help="Profile whose credentials to serve (SAML or chained).")
@pass_debug
def serve(profile, debug):
    """Serve a profile's credentials in the container-credentials format until interrupted.

    Prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN
    exports on stdout; botocore and the AWS SDKs given them fetch and refresh
    credentials from here (signing in again through the IdP session when needed).
    """
    import signal
    import threading

    from samlcreds.servers.container import CredentialsServer

    fetcher = make_fetcher(profile, debug=debug)
    fetch_with(fetcher)

    def failed(exc: errors.SamlcredsError) -> None:
        info(f"samlcreds: error: {exc.message}")

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    with CredentialsServer(lambda: fetch_with(fetcher), on_error=failed) as server:
        for name, value in server.environment().items():
            click.echo(f"export {name}={shlex.quote(value)}")
        info(f"Serving credentials of profile {fetcher.settings.profile} on 127.0.0.1:{server.port}; "
             "press Ctrl-C to stop.")
        from samlcreds.credfile import default_profile_shadows_container

        for where in default_profile_shadows_container().places():
            info(f"warning: {where} gives credentials that AWS SDKs on this machine with no profile set use "
                 "before the served ones; give such tools AWS_SHARED_CREDENTIALS_FILE=/dev/null too (for the "
                 "credentials file), or move those credentials into a named profile.")
        while not stop.wait(0.5):
            pass
    info("samlcreds: stopped serving credentials.")
