"""The ``samlcreds`` command group, global options and the error → exit-code mapping."""

from __future__ import annotations

import logging
import sys

import click

from samlcreds import __version__, errors

EPILOG = """\b
Examples:
  samlcreds configure --profile work --url https://idp.example.com/sso --username me
  samlcreds login --profile work --role 123456789012:Developer
  pbpaste | samlcreds login --provider paste --profile work
  samlcreds configure --profile work --credential-process   # then: aws s3 ls --profile work
  samlcreds exec --profile work -- terraform plan
  samlcreds exec --server --profile work -- python long_job.py
  samlcreds console --profile work
  samlcreds login --profile work --all-roles
  samlcreds decode response.b64 --output json
  samlcreds doctor response.b64 --metadata idp-metadata.xml
  samlcreds roles --profile work

Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 IdP sign-in failed or needs
you, 4 unusable SAMLResponse, 5 STS refused or unreachable, 6 local file
problem, 130 interrupted.
"""

COMMANDS = {
    "login": "samlcreds.cli.login:login",
    "configure": "samlcreds.cli.configure:configure",
    "roles": "samlcreds.cli.roles:roles",
    "decode": "samlcreds.cli.decode:decode",
    "doctor": "samlcreds.cli.doctor:doctor",
    "process": "samlcreds.cli.process:process",
    "exec": "samlcreds.cli.exec_:exec_",
    "env": "samlcreds.cli.env:env",
    "logout": "samlcreds.cli.logout:logout",
    "console": "samlcreds.cli.console:console",
    "serve": "samlcreds.cli.serve:serve",
}


class SamlcredsGroup(click.Group):
    """Loads commands lazily and turns :class:`SamlcredsError` into messages and exit codes."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        import importlib

        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except errors.SamlcredsError as exc:
            report(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("samlcreds: interrupted", err=True)
            ctx.exit(130)


def report(exc: errors.SamlcredsError) -> None:
    """Print an error and its hint to stderr."""
    click.echo(f"samlcreds: error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  {exc.hint}", err=True)


@click.group(cls=SamlcredsGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="samlcreds")
@click.option("-v", "--debug", is_flag=True, help="Log what samlcreds does (secrets redacted) to stderr.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn a SAML single sign-on into temporary AWS credentials.

    Sign in at your company's IdP, pick a role, and samlcreds writes
    credentials for the AWS CLI, boto3 and every SDK.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("samlcreds: %(name)s: %(message)s"))
        logger = logging.getLogger("samlcreds")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def run() -> None:
    """Run the click group on ``sys.argv``."""
    cli(prog_name="samlcreds")
