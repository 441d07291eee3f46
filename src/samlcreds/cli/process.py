"""``samlcreds process``: the command a profile's ``credential_process`` runs.

stdout carries only the credential_process JSON; messages go to stderr and
never hold secrets; prompts use the terminal (``/dev/tty``). The cache-hit
path (:func:`serve_from_cache`) imports neither click, boto3, botocore,
requests nor lxml, for plain and chained profiles (:mod:`samlcreds.chainkey`):
``samlcreds.cli.main.main`` calls it before loading the CLI.
"""

from __future__ import annotations

import json
import sys

from samlcreds.cache import DEFAULT_LOCK_TIMEOUT

def _parse_fast_args(argv: list[str]) -> tuple[str | None, float | None, float] | None:
    """``(profile, window or None, lock timeout)`` from the flags; ``None`` for anything else."""
    profile, window, lock_timeout = None, None, DEFAULT_LOCK_TIMEOUT
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=")
        if name not in ("--profile", "-p", "--refresh-window", "--lock-timeout") or (eq and name == "-p"):
            return None  # click reads -p=work as the profile "=work": the full command decides
        if not eq:
            if not args:
                return None
            value = args.pop(0)
        if name in ("--profile", "-p"):
            profile = value
            continue
        try:
            number = float(value)
        except ValueError:
            return None
        if name == "--refresh-window":
            window = number
        else:
            lock_timeout = number
    return profile, window, lock_timeout


def serve_from_cache(argv: list[str]) -> bool:
    """Print cached credentials and return True on a cache hit; False otherwise.

    On a miss it first waits, cheaply, for a sign-in another process may be
    running for the same key (the single-flight lock) and serves what that
    process cached. When it must sign in itself it returns False still holding
    the lock, so the full command (same process) signs in under it. Odd
    arguments or an unreadable config return False: the full command reports them.
    """
    parsed = _parse_fast_args(argv)
    if parsed is None:
        return False
    profile, window, lock_timeout = parsed
    try:
        from samlcreds import paths
        from samlcreds.cache import CredentialCache, key_from_values, key_lifetime, usable
        from samlcreds.profile import default_profile_name, is_chained, read_profile, resolve_values

        name = profile or default_profile_name()
        stored = read_profile(name)
        if is_chained(stored):  # role_arn + source_profile: the key ChainedFetcher caches under
            from samlcreds.chainkey import key_from_config

            key = key_from_config(name, stored=stored)
            if key is None:
                return False
        else:
            key = key_from_values(name, resolve_values(name, stored=stored)[1])
        cache = CredentialCache(paths.credentials_cache_dir_str())
        entry = cache.load(key)
        lifetime = key_lifetime(key)
    except Exception:  # noqa: BLE001 - the full command reports errors properly
        return False
    if not usable(entry, window, lifetime=lifetime):
        from samlcreds.errors import SamlcredsError

        try:
            cache.acquire(key, lock_timeout)
        except SamlcredsError as exc:
            sys.stderr.write(f"samlcreds: error: {exc.message}\n" + (f"  {exc.hint}\n" if exc.hint else ""))
            sys.exit(exc.exit_code)
        entry = cache.load(key)
        if not usable(entry, window, lifetime=lifetime):
            return False  # sign in below, under the lock we hold
        cache.release(key)
    try:
        sys.stdout.write(json.dumps(entry.document) + "\n")
        sys.stdout.flush()
    except OSError as exc:
        from samlcreds.cli import exit_now, report_stdout_failure
        from samlcreds.errors import ExitCode

        if not report_stdout_failure(exc):
            raise
        exit_now(ExitCode.LOCAL_FILE)
    return True


def _command():
    import click

    from samlcreds import errors
    from samlcreds.cache import MIN_VALIDITY
    from samlcreds.cli.fetching import fetch_credentials
    from samlcreds.cli.options import complete_profiles

    @click.command(epilog="""\b
In ~/.aws/config (samlcreds configure --credential-process writes it):
  [profile work]
  credential_process = samlcreds process --profile work
""")
    @click.option("--profile", "-p", shell_complete=complete_profiles,
                   help="Profile whose saml_* settings to use.")
    @click.option("--refresh-window", type=float, default=None,
                  help="Serve cached credentials only while at least this many seconds remain "
                  "[default: a third of their lifetime, 300-900 s].")
    @click.option("--lock-timeout", type=float, default=DEFAULT_LOCK_TIMEOUT, show_default=True,
                  help="Seconds to wait for another samlcreds process that is signing in.")
    def process(profile, refresh_window, lock_timeout):
        """Print credential_process JSON for a profile (cached; signs in when needed)."""
        _, creds = fetch_credentials(profile, window=refresh_window, lock_timeout=lock_timeout)
        if creds.seconds_left() < MIN_VALIDITY:
            raise errors.StsError(
                f"STS issued credentials that expire in under {MIN_VALIDITY} s; refusing to hand them out",
                hint="Check this computer's clock.")
        click.echo(json.dumps(creds.to_process_json()))

    return process


def __getattr__(name: str):
    if name == "process":
        return _command()
    raise AttributeError(name)
