"""The ``samlcreds`` command group, global options, and :func:`main`: errors → messages and exit codes."""

from __future__ import annotations

import logging
import sys
from typing import Sequence

import click

from samlcreds import __version__, errors
from samlcreds.cli.terminal import Environment
from samlcreds.errors import ExitCode

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
problem, 126/127 exec could not run the command, 130 interrupted.
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
    """Loads commands lazily, lists their whole summaries and remembers which one runs (for hints)."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def format_commands(self, ctx, formatter):
        """The command list with whole summaries (click cuts them at ~45 characters with '...')."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        """The command, with a failed write to stdout passed to :func:`main` as such (click would answer
        a closed pipe with status 1 by itself)."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            from samlcreds.cli import stdout_failure

            if stdout_failure(exc) is None:
                raise
            raise _StdoutFailed(exc) from None

    def resolve_command(self, ctx, args):
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            import difflib

            close = difflib.get_close_matches(args[0], list(COMMANDS), n=2)
            if close:
                ctx.fail(f"No such command {args[0]!r}. Did you mean {' or '.join(map(repr, close))}?")
        name, command, rest = super().resolve_command(ctx, args)
        _INVOKED[:] = [command, rest]  # for report(): hints name only this command's flags, and its profile
        return name, command, rest

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        import importlib

        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)


_INVOKED: list = []  # the subcommand being run and its arguments


class _StdoutFailed(Exception):
    """A command's write to stdout failed (``error``: the OSError); see :func:`main`."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def report(exc: errors.SamlcredsError, command: click.Command | None = None, profile: str | None = None) -> None:
    """Print an error and its hint to stderr; the hint names only flags ``command`` has and, for the others,
    the command to run on ``profile`` (see :func:`samlcreds.cli.hints.hint_for`)."""
    click.echo(f"samlcreds: error: {exc.message}", err=True)
    if exc.hint:
        from samlcreds.cli.hints import hint_for  # only on this path: its patterns compile at import

        click.echo(f"  {hint_for(exc.hint, command, profile)}", err=True)


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


def main(args: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run ``samlcreds ARGS`` in ``env`` and return its exit status (an :class:`~samlcreds.errors.ExitCode`,
    or the status click or ``exec`` chose).

    ``args`` defaults to ``sys.argv[1:]``; ``env`` (streams, process
    environment, terminal) to the process's own. A
    :class:`~samlcreds.errors.SamlcredsError` is printed as ``samlcreds: error:
    MESSAGE`` plus its hint, Ctrl-C as ``samlcreds: interrupted`` (130); a
    failed write to stdout (a full disk) as ``cannot write to standard output``
    (6; a reader that closed the pipe gets no message); any other exception
    is a bug: its traceback goes to stderr and the status is 1.
    """
    args = list(sys.argv[1:] if args is None else args)
    _INVOKED.clear()
    with (env or Environment()).applied():
        status = _run(args)
        if not _flush_stdout() and status == ExitCode.OK:
            return ExitCode.LOCAL_FILE
        return status


def _run(args: list[str]) -> int:
    """:func:`main`'s command run and error mapping, in the applied environment."""
    try:
        status = cli.main(args, prog_name="samlcreds", standalone_mode=False)
    except errors.SamlcredsError as exc:
        from samlcreds.cli.hints import profile_of

        command, rest = _INVOKED or (None, [])
        report(exc, command, profile_of(command, rest))
        return exc.exit_code
    except _StdoutFailed as failed:
        from samlcreds.cli import report_stdout_failure

        report_stdout_failure(failed.error)
        return ExitCode.LOCAL_FILE
    except click.ClickException as exc:  # usage errors: click words them
        exc.show()
        return exc.exit_code
    except (KeyboardInterrupt, click.Abort):
        click.echo("samlcreds: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a failed write to stdout, else a bug: show where
        from samlcreds.cli import report_stdout_failure

        if report_stdout_failure(exc):
            return ExitCode.LOCAL_FILE
        import traceback

        traceback.print_exc()
        return ExitCode.ERROR
    # click returns the status of a ctx.exit()/Exit(n), else the command's return value (unused)
    return status if isinstance(status, int) and not isinstance(status, bool) else ExitCode.OK


def _flush_stdout() -> bool:
    """Flush stdout (a closed or absent one counts as flushed); False, reported, when the write failed."""
    from samlcreds.cli import report_stdout_failure

    try:
        if sys.stdout is not None and not sys.stdout.closed:
            sys.stdout.flush()
    except OSError as exc:
        if not report_stdout_failure(exc):
            raise
        return False
    return True
