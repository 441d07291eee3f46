"""Account names for 12-digit account IDs: configured, else the account's IAM alias (cached a week).

Two sources, neither of them AWS's sign-in page (which peers scrape and which
changes without notice):

1. ``saml_account_names = 111111111111=prod, 222222222222=shared`` in the
   profile or in ``[default]`` (the profile's entries win);
2. the account alias from ``iam:ListAccountAliases``, asked with credentials
   samlcreds obtained for that account anyway, by a detached process after
   the command is done (:class:`AliasLookups`: the command never waits for
   it) with a 1-second timeout per read; never fatal; remembered for a
   week in ``<cache dir>/account-aliases.json`` (0600). Not every role may
   call it; a refusal is remembered as "no alias" too.

IAM API reference: ListAccountAliases (at most one alias per account).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time

from samlcreds import config, errors, paths

#: How long an alias lookup (or a refusal) is remembered, seconds.
ALIAS_TTL = 7 * 24 * 3600
#: A lookup's connect and read timeouts, seconds (per read: an answer that trickles in is ended by
#: :data:`LOOKUP_PROCESS_LIMIT`).
ALIAS_BUDGET = 1.0
_ACCOUNT_RE = re.compile(r"\d{12}")
_FILE = "account-aliases.json"
log = logging.getLogger(__name__)


def parse_account_names(text: str | None, where: str = "saml_account_names") -> dict[str, str]:
    """``"111111111111=prod, 222222222222=shared"`` → ``{"111111111111": "prod", ...}``.

    Raises :class:`~samlcreds.errors.UsageError` for an entry that is not ``12 digits=name``.
    """
    names: dict[str, str] = {}
    for entry in (text or "").replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        account, sep, name = (part.strip() for part in entry.partition("="))
        if not sep or not _ACCOUNT_RE.fullmatch(account) or not name:
            raise errors.UsageError(f"{where}: {entry!r} is not ACCOUNT_ID=NAME",
                                    hint="Write saml_account_names = 111111111111=prod, 222222222222=shared")
        names[account] = name
    return names


def configured_names(profile: str | None = None, environ: dict | None = None) -> dict[str, str]:
    """``saml_account_names`` of ``[default]`` updated with the profile's own."""
    name = profile or config.default_profile_name(environ)
    names = parse_account_names(config.read_profile("default", environ).get("saml_account_names"),
                                "saml_account_names in [default]")
    if name != "default":
        names.update(parse_account_names(config.read_profile(name, environ).get("saml_account_names"),
                                         f"saml_account_names of profile {name}"))
    return names


def _alias_path():
    return paths.cache_dir() / _FILE


def cached_aliases(now: float | None = None) -> dict[str, str | None]:
    """``{account: alias or None}`` for lookups younger than :data:`ALIAS_TTL`."""
    now = time.time() if now is None else now
    try:
        stored = json.loads(_alias_path().read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    found = {}
    for account, entry in stored.items():
        if isinstance(entry, dict) and isinstance(entry.get("at"), (int, float)) and now - entry["at"] < ALIAS_TTL:
            alias = entry.get("alias")
            found[account] = alias if isinstance(alias, str) and alias else None
    return found


def _remember(account: str, alias: str | None) -> None:
    """Record ``account``'s alias (or that it has none) in the alias file, under its lock.

    Read-modify-write under :class:`samlcreds.locks.FileLock` (lookups of
    several accounts, in several processes, may finish at once); never raises.
    """
    from samlcreds.locks import FileLock
    from samlcreds.safefile import atomic_write, ensure_private_dir

    path = _alias_path()
    try:
        ensure_private_dir(path.parent)
        with FileLock(f"{path}.lock").holding(5.0):
            try:
                stored = json.loads(path.read_bytes())
                if not isinstance(stored, dict):
                    stored = {}
            except (OSError, ValueError):
                stored = {}
            stored[account] = {"alias": alias, "at": time.time()}
            atomic_write(path, json.dumps(stored, indent=1).encode(), mode=0o600)
    except Exception as exc:  # noqa: BLE001 - a name for next time is never worth an error
        log.debug("cannot remember the account alias: %s", type(exc).__name__)


def names(profile: str | None = None, environ: dict | None = None) -> dict[str, str]:
    """Every known name: cached aliases, overridden by ``saml_account_names``."""
    found = {account: alias for account, alias in cached_aliases().items() if alias}
    found.update(configured_names(profile, environ))
    return found


def label(account_id: str, known: dict[str, str]) -> str:
    """``"prod (111111111111)"``, or the bare ID when no name is known."""
    name = known.get(account_id)
    return f"{name} ({account_id})" if name else account_id


def iam_client(creds, *, timeout: float = ALIAS_BUDGET, region: str = "us-east-1", session=None):
    """A botocore IAM client signed with ``creds``: ``timeout`` seconds to connect and to read, one attempt.

    ``session``: the botocore session to build it from (its loader keeps the
    IAM model: the first client costs ~150 ms of CPU, the next ones a few);
    a new one, pinned to no profile, by default.
    """
    from botocore.config import Config

    if session is None:
        import botocore.session

        session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return session.create_client(
        "iam", region_name=region, aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key, aws_session_token=creds.session_token,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}))


def list_account_alias(client) -> str | None:
    """The account's alias from ``iam:ListAccountAliases`` (``None`` if it has none); botocore's errors pass."""
    aliases = client.list_account_aliases().get("AccountAliases") or []
    return aliases[0] if aliases else None


def look_up(creds, region: str, budget: float = ALIAS_BUDGET, *, client=None) -> None:
    """Ask IAM for the alias of ``creds``' account and remember the answer; any failure means "no alias".

    ``client``: an IAM client for ``creds`` (:func:`iam_client`), else one is built.
    """
    account = creds.account_id
    try:
        alias = list_account_alias(client or iam_client(creds, timeout=budget, region=region))
    except Exception as exc:  # noqa: BLE001 - best effort: no permission, no network, timeouts
        log.debug("no account alias for %s: %s", account, type(exc).__name__)
        alias = None
    _remember(account, alias)


#: The detached lookup process's whole life, seconds (then SIGALRM ends it).
LOOKUP_PROCESS_LIMIT = 20


class AliasLookups:
    """Alias lookups for accounts whose credentials were just obtained, off the command's critical path.

    ``add(creds)`` notes each account not named or looked up recently;
    ``start()`` hands them to one detached process (its own session, stdin a
    pipe carrying the credentials as JSON: never argv or the environment,
    stdout/stderr ``/dev/null``, nothing imported from the current
    directory) and returns at once. That process builds one botocore session
    and an IAM client per account from it (loading botocore's IAM model, once,
    is most of the cost), asks the accounts in parallel with a
    :data:`ALIAS_BUDGET`-second timeout per read, remembers each answer, and
    is gone within :data:`LOOKUP_PROCESS_LIMIT` seconds. The command never waits for it: the
    alias is for names next time (the account was already chosen).
    """

    def __init__(self, profile: str | None = None, budget: float = ALIAS_BUDGET) -> None:
        self.budget = budget
        self.jobs: list[dict] = []
        try:
            self._skip = set(configured_names(profile)) | set(cached_aliases())
        except errors.SamlcredsError:
            self._skip = set()

    def add(self, creds, region: str | None = None) -> None:
        account = getattr(creds, "account_id", None)
        if not account or account in self._skip:
            return
        self._skip.add(account)
        if region is None:
            from samlcreds.aws import PARTITION_DEFAULT_REGION, arn_partition

            region = PARTITION_DEFAULT_REGION.get(arn_partition(getattr(creds, "role_arn", None)) or "aws")
        self.jobs.append({"credentials": creds.to_process_json(), "region": region or "us-east-1"})

    def start(self):
        """Start the detached lookup process (``None`` when there is nothing to look up or it cannot start).

        Skipped (``None``) where ``sys.executable`` is empty or ``None`` (an embedded interpreter: no
        Python to start); the lookup is only for names next time.
        """
        import sys

        if not self.jobs or not sys.executable:
            return None
        import os
        import subprocess

        payload = json.dumps({"budget": self.budget, "limit": LOOKUP_PROCESS_LIMIT, "jobs": self.jobs}).encode()
        # "-c" puts the current directory ("") first on sys.path: a json.py there would run with the
        # credentials at hand, so it goes before any import (sys is built in)
        code = ("import sys\nif sys.path[:1] == ['']: del sys.path[0]\n"
                f"from samlcreds.accounts import lookup_main; lookup_main(parent={os.getpid()})")
        try:
            child = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, close_fds=True)
            # about 1 KB an account: past the pipe's 64 KiB (--all-roles over dozens of accounts) this
            # waits until the child reads, which it does first
            child.stdin.write(payload)
            child.stdin.close()
        except OSError as exc:
            log.debug("no alias lookup process: %s", exc)
            return None
        _DETACHED.append(child)  # not collected (and warned about) while the command runs
        return child


_DETACHED: list = []
#: Seconds the lookup process waits for the command that started it to exit.
PARENT_WAIT = 1.0


def _yield_to_parent(parent: int | None) -> None:
    import os

    try:
        os.nice(19)
    except OSError:
        pass
    deadline = time.monotonic() + PARENT_WAIT
    while parent is not None and os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.01)


def lookup_main(stdin=None, parent: int | None = None) -> None:
    """The detached lookup process: read ``{"budget", "limit", "jobs"}`` JSON from stdin, look each account up.

    ``parent`` is the pid of the command that started it: the lookup (which
    loads botocore) begins once that command has exited, or after
    :data:`PARENT_WAIT` seconds, at the lowest CPU priority, so that it never
    slows the command the user is waiting for.
    """
    import signal
    import sys

    from samlcreds.creds import Credentials

    # SIGALRM's default action ends the process; a SIG_IGN inherited from the command's own parent
    # would keep it alive for as long as a slow IAM answer (or proxy) trickles in
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(LOOKUP_PROCESS_LIMIT)
    request = json.loads((stdin or sys.stdin.buffer).read())
    signal.alarm(max(1, min(int(request.get("limit", LOOKUP_PROCESS_LIMIT)), LOOKUP_PROCESS_LIMIT)))
    _yield_to_parent(parent)
    # one botocore session, and the clients built one after another in this thread (botocore is imported,
    # and the IAM model loaded, once); only the requests run in parallel (botocore clients are thread-safe)
    import botocore.session

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    threads = []
    for job in request["jobs"]:
        creds = Credentials.from_process_json(job["credentials"])
        try:
            client = iam_client(creds, timeout=request["budget"], region=job["region"], session=session)
        except Exception as exc:  # noqa: BLE001 - best effort, as in look_up
            log.debug("no IAM client for %s: %s", creds.account_id, type(exc).__name__)
            _remember(creds.account_id, None)
            continue
        thread = threading.Thread(target=look_up, args=(creds, job["region"], request["budget"]),
                                  kwargs={"client": client}, daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
