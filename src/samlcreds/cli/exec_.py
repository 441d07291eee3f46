"""``samlcreds exec``: run a command with a profile's credentials in its environment."""

from __future__ import annotations

import os

import click

from samlcreds import errors
from samlcreds.profile import KEYS
from samlcreds.cli.fetching import fetch_credentials, fetch_with, make_fetcher
from samlcreds.cli.options import complete_profiles, pass_debug

#: Variables that would make the child pick other credentials or a profile.
REMOVED = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)
#: Sign-in flags of other commands, which exec does not take: given before the command, they would be run as it
#: (``exec -p work --url U -- aws``); anything else starting with '-' may be a command's name after ``--``.
_SIGN_IN_FLAGS = frozenset(["--" + name.replace("_", "-") for name in KEYS if name != "region"]  # exec's own
                           + ["--password-stdin", "--saml-file", "--role-arn", "--debug", "-u"])
#: Set in the child so that a nested ``samlcreds exec`` refuses to run.
MARKER = "SAMLCREDS_EXEC_PROFILE"


def region_for(settings) -> str | None:
    """The region to hand on: the profile's, else the caller's ``AWS_REGION``/``AWS_DEFAULT_REGION``."""
    return settings.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def child_environment(environ: dict, credentials: dict[str, str], region: str | None, profile: str) -> dict:
    """``environ`` without other credential variables, plus ``credentials`` (variables), ``region``
    (``AWS_REGION``, ``AWS_DEFAULT_REGION``) and :data:`MARKER`."""
    env = {k: v for k, v in environ.items() if k not in REMOVED}
    env.update(credentials)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    env[MARKER] = profile
    return env


def unshadowed_environment() -> dict[str, str]:
    """What the child of ``exec --server`` needs so that the served credentials are the ones it uses.

    An SDK with no profile set takes ``[default]``'s credentials before container credentials
    (botocore's chain). Keys in ``[default]`` of the credentials file are hidden from the child
    (``AWS_SHARED_CREDENTIALS_FILE=/dev/null``, said on stderr); credentials in ``[default]`` of the
    config file cannot be hidden without hiding its other settings: warned about.
    """
    from samlcreds import credfile
    from samlcreds.cli.terminal import info

    env: dict[str, str] = {}
    shadow = credfile.default_profile_shadows_container()
    if shadow.credentials_file:
        env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        info(f"samlcreds: note: [default] of {shadow.credentials_file} holds keys the command's AWS SDKs would "
             f"use instead of the served credentials; the command runs with AWS_SHARED_CREDENTIALS_FILE={os.devnull}.")
    if shadow.config_keys:
        info(f"samlcreds: warning: [default] of {shadow.config_file} ({', '.join(shadow.config_keys)}) gives "
             "credentials the command's AWS SDKs use before the served ones: it will run with those. Move them "
             "into a named profile.")
    return env


def cannot_run(exc: OSError, program: str) -> CommandNotRunnable:
    """The error for ``program`` failing to start: not found (127), not executable or not runnable (126)."""
    if isinstance(exc, FileNotFoundError):
        return CommandNotRunnable(f"command not found: {program}", exit_code=127)
    if isinstance(exc, PermissionError):
        return CommandNotRunnable(f"command not executable: {program}", exit_code=126)
    # ENOEXEC (no #! line), ENOTDIR, ENAMETOOLONG, E2BIG...
    return CommandNotRunnable(f"cannot run {program[:80]}: {exc.strerror or exc}", exit_code=126)


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
               epilog="""\b
Examples:
  samlcreds exec --profile work -- aws s3 ls
  samlcreds exec -p work -- terraform plan
  samlcreds exec --server -p work -- python long_job.py   # credentials that refresh themselves
""")
@click.option("--profile", "-p", shell_complete=complete_profiles,
               help="Profile whose credentials to use.")
@click.option("--region", help="Region for the child (default: the profile's region).")
@click.option("--server", is_flag=True,
              help="Serve refreshing credentials on a loopback port (AWS_CONTAINER_CREDENTIALS_FULL_URI) "
              "instead of setting static keys.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@pass_debug
def exec_(profile, region, server, command, debug):
    """Run COMMAND (no shell) with AWS_* credential variables set.

    The command replaces samlcreds (exec), so its exit status is returned and
    signals reach it directly. With --server samlcreds stays beside it, serving
    credentials that it refreshes through the cache and IdP session, and passes
    signals on and the exit status back just the same.
    """
    if os.environ.get(MARKER):
        raise errors.UsageError(
            f"already inside 'samlcreds exec' for profile {os.environ[MARKER]}; refusing to nest",
            hint="Run the command directly, or exit the outer samlcreds exec first.")
    if command[0].partition("=")[0] in _SIGN_IN_FLAGS:  # taken for the command: click passes unknown options on
        raise errors.UsageError(f"exec has no option {command[0].partition('=')[0]}",
                                hint="exec takes --profile, --region and --server, then the command after '--'; "
                                "sign-in settings come from the profile (samlcreds configure).")
    if server:
        return _exec_with_server(profile, region, command, debug)
    settings, creds = fetch_credentials(profile, debug=debug)  # --region is the child's, not the login's
    env = child_environment(dict(os.environ), creds.to_env(), region or region_for(settings), settings.profile)
    try:
        os.execvpe(command[0], list(command), env)
    except OSError as exc:
        raise cannot_run(exc, command[0]) from None


def _exec_with_server(profile, region, command, debug):
    from samlcreds.child import Supervisor, exit_like
    from samlcreds.cli.terminal import info
    from samlcreds.servers.container import CredentialsServer

    fetcher = make_fetcher(profile, debug=debug)
    fetch_with(fetcher)  # sign in now, in the foreground, rather than on the child's first call
    settings = fetcher.settings

    def failed(exc: errors.SamlcredsError) -> None:
        info(f"samlcreds: error: credentials for the child: {exc.message}")

    with Supervisor() as supervisor:  # server threads start with the forwarded signals blocked
        credentials_server = CredentialsServer(lambda: fetch_with(fetcher), on_error=failed).start()
        try:
            env = child_environment(dict(os.environ), credentials_server.environment(), region or region_for(settings),
                                    settings.profile)
            env.update(unshadowed_environment())
            try:
                code = supervisor.run(list(command), env)
            except OSError as exc:
                raise cannot_run(exc, command[0]) from None
        finally:
            credentials_server.stop()
    exit_like(code)


class CommandNotRunnable(errors.UsageError):
    """The command given to exec could not be started (exit 127 not found, 126 not executable, as shells do)."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code
