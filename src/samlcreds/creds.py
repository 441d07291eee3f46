"""The :class:`Credentials` value and its renderings for AWS tools.

Formats:
- credential_process JSON: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html
  (``Version`` 1, ``Expiration`` ISO-8601 with a zone).
- botocore refreshable-credentials metadata: ``access_key``, ``secret_key``,
  ``token``, ``expiry_time`` (see botocore.credentials.RefreshableCredentials).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

#: The export syntaxes :meth:`Credentials.to_shell` writes.
SHELLS = ("sh", "fish", "powershell")
#: Other shell names ``--shell`` takes: the POSIX shells write ``sh``'s ``export NAME='value'``
#: (POSIX.1-2017, Shell Command Language, 2.14 export), ``pwsh`` is PowerShell.
SHELL_ALIASES = {"bash": "sh", "zsh": "sh", "ksh": "sh", "dash": "sh", "pwsh": "powershell"}
#: Every name ``--shell`` takes.
SHELL_NAMES = SHELLS + tuple(SHELL_ALIASES)


def iso_utc(moment: datetime) -> str:
    """``2026-11-30T05:00:00Z``: whole seconds, UTC, ending in ``Z``."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Credentials:
    """Temporary AWS credentials from STS.

    ``expiration`` is tz-aware UTC (STS's ``Credentials.Expiration``).
    ``secret_access_key`` and ``session_token`` are kept out of ``repr``.
    """

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    account_id: str | None = None
    role_arn: str | None = None
    assumed_role_arn: str | None = None

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until expiry (negative once expired)."""
        now = now or datetime.now(timezone.utc)
        return (self.expiration - now).total_seconds()

    def to_process_json(self) -> dict:
        """The credential_process document (``Version`` 1, ``Expiration`` in UTC ``Z``)."""
        doc = {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": iso_utc(self.expiration),
        }
        if self.account_id:
            doc["AccountId"] = self.account_id
        return doc

    def to_json(self) -> str:
        """:meth:`to_process_json` serialised, one line."""
        return json.dumps(self.to_process_json())

    def to_env(self, region: str | None = None) -> dict[str, str]:
        """Environment variables the SDKs read for these credentials."""
        env = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
            "AWS_CREDENTIAL_EXPIRATION": iso_utc(self.expiration),
        }
        if region:
            env["AWS_REGION"] = region
            env["AWS_DEFAULT_REGION"] = region
        return env

    def to_shell(self, shell: str = "sh", region: str | None = None) -> str:
        """Export statements for ``sh``, ``fish`` or ``powershell`` (or a :data:`SHELL_ALIASES` name:
        ``bash``, ``zsh``, ``ksh``, ``dash`` get ``sh``'s, ``pwsh`` PowerShell's).

        Raises ``ValueError`` for another shell name.
        """
        shell = SHELL_ALIASES.get(shell, shell)
        env = self.to_env(region)
        if shell == "sh":
            lines = [f"export {k}={shlex.quote(v)}" for k, v in env.items()]
        elif shell == "fish":
            lines = [f"set -gx {k} {_fish_quote(v)}" for k, v in env.items()]
        elif shell == "powershell":
            lines = [f"$Env:{k} = '{_powershell_escape(v)}'" for k, v in env.items()]
        else:
            raise ValueError(f"unknown shell {shell!r}; choose one of {', '.join(SHELL_NAMES)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_process_json(cls, document: dict) -> "Credentials":
        """Inverse of :meth:`to_process_json`. Raises ``KeyError``/``ValueError`` on bad input."""
        text = document["Expiration"]
        expiration = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        return cls(
            access_key_id=document["AccessKeyId"],
            secret_access_key=document["SecretAccessKey"],
            session_token=document.get("SessionToken", ""),
            expiration=expiration.astimezone(timezone.utc),
            account_id=document.get("AccountId"),
        )

    def to_cache_entry(self) -> tuple[dict, dict]:
        """``(document, meta)`` for :meth:`samlcreds.cache.CredentialCache.store`: the credential_process
        document and, beside it, ``role_arn`` and ``assumed_role_arn``."""
        return self.to_process_json(), {"role_arn": self.role_arn, "assumed_role_arn": self.assumed_role_arn}

    @classmethod
    def from_cache_entry(cls, entry) -> "Credentials":
        """Inverse of :meth:`to_cache_entry` for a :class:`samlcreds.cache.CacheEntry` (``document``, ``meta``)."""
        return replace(cls.from_process_json(entry.document), role_arn=entry.meta.get("role_arn"),
                       assumed_role_arn=entry.meta.get("assumed_role_arn"))

    def to_botocore_metadata(self) -> dict[str, str]:
        """The dict botocore's RefreshableCredentials ``refresh_using`` must return."""
        return {
            "access_key": self.access_key_id,
            "secret_key": self.secret_access_key,
            "token": self.session_token,
            "expiry_time": iso_utc(self.expiration),
        }


def _powershell_escape(value: str) -> str:
    """Double every character PowerShell takes as a single quote (ASCII and typographic)."""
    for quote in "'\u2018\u2019\u201a\u201b":
        value = value.replace(quote, quote * 2)
    return value


def _fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
