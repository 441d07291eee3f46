"""Account names for 12-digit account IDs: configured, else the account's IAM alias (cached a week).

Two sources, neither of them AWS's sign-in page (which peers scrape and which
changes without notice):

1. ``saml_account_names = 111111111111=prod, 222222222222=shared`` in the
   profile or in ``[default]`` (the profile's entries win);
2. the account alias from ``iam:ListAccountAliases``, asked with credentials
   samlcreds obtained for that account anyway, in a background thread with a
   1-second budget for the request (the command waits no longer); never fatal; remembered for a week in
   ``<cache dir>/account-aliases.json`` (0600). Not every role may call it;
   a refusal is remembered as "no alias" too.

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
#: The whole time a lookup may take, seconds.
ALIAS_BUDGET = 1.0
_ACCOUNT_RE = re.compile(r"\d{12}")
_FILE = "account-aliases.json"
log = logging.getLogger(__name__)
_write_lock = threading.Lock()


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
    from samlcreds.safefile import atomic_write

    with _write_lock:
        try:
            stored = json.loads(_alias_path().read_bytes())
            if not isinstance(stored, dict):
                stored = {}
        except (OSError, ValueError):
            stored = {}
        stored[account] = {"alias": alias, "at": time.time()}
        try:
            atomic_write(_alias_path(), json.dumps(stored, indent=1).encode(), mode=0o600)
        except (OSError, errors.SamlcredsError) as exc:
            log.debug("cannot remember the account alias: %s", exc)


def names(profile: str | None = None, environ: dict | None = None) -> dict[str, str]:
    """Every known name: cached aliases, overridden by ``saml_account_names``."""
    found = {account: alias for account, alias in cached_aliases().items() if alias}
    found.update(configured_names(profile, environ))
    return found


def label(account_id: str, known: dict[str, str]) -> str:
    """``"prod (111111111111)"``, or the bare ID when no name is known."""
    name = known.get(account_id)
    return f"{name} ({account_id})" if name else account_id


def iam_client(creds, *, timeout: float = ALIAS_BUDGET, region: str = "us-east-1"):
    """A botocore IAM client signed with ``creds``: ``timeout`` seconds to connect and to read, one attempt."""
    import botocore.session
    from botocore.config import Config

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    return session.create_client(
        "iam", region_name=region, aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key, aws_session_token=creds.session_token,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}))


def list_account_alias(client) -> str | None:
    """The account's alias from ``iam:ListAccountAliases`` (``None`` if it has none); botocore's errors pass."""
    aliases = client.list_account_aliases().get("AccountAliases") or []
    return aliases[0] if aliases else None


#: Seconds to wait for botocore to build the IAM client (loading its model) before giving up waiting.
_CLIENT_WAIT = 3.0


class AliasLookups:
    """Background alias lookups for accounts whose credentials were just obtained.

    ``add(creds)`` starts one thread per account not named or looked up
    recently; ``wait()`` gives each request the 1-second budget (counted from
    when its client is ready: building a botocore client is local work).
    Failures (no permission, no network, timeouts) are remembered as "no
    alias" and never raised.
    """

    def __init__(self, profile: str | None = None, budget: float = ALIAS_BUDGET) -> None:
        self.budget = budget
        self._lookups: list[tuple[threading.Thread, threading.Event, list]] = []
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
        ready, ready_at = threading.Event(), []

        def look_up() -> None:
            try:
                client = iam_client(creds, timeout=self.budget, region=region or "us-east-1")
            except Exception as exc:  # noqa: BLE001 - best effort
                log.debug("no IAM client for the alias of %s: %s", account, type(exc).__name__)
                return
            finally:
                ready_at.append(time.monotonic())
                ready.set()
            try:
                alias = list_account_alias(client)
            except Exception as exc:  # noqa: BLE001 - best effort: any failure means "no alias"
                log.debug("no account alias for %s: %s", account, type(exc).__name__)
                alias = None
            _remember(account, alias)

        thread = threading.Thread(target=look_up, name=f"alias-{account}", daemon=True)
        thread.start()
        self._lookups.append((thread, ready, ready_at))

    def wait(self) -> None:
        """Wait for each lookup until its budget is spent (then leave it: it is a daemon thread)."""
        for thread, ready, ready_at in self._lookups:
            if not ready.wait(_CLIENT_WAIT):
                continue
            thread.join(max(0.0, ready_at[0] + self.budget + 0.1 - time.monotonic()))
