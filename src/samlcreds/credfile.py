"""Writing temporary credentials into a profile of the shared credentials file.

File: ``AWS_SHARED_CREDENTIALS_FILE`` or ``~/.aws/credentials`` (botocore's
rule). Section ``[PROFILE]``. Edits go through :mod:`samlcreds.inifile`.
"""

from __future__ import annotations

import os
from pathlib import Path

from samlcreds import errors, inifile
from samlcreds.creds import Credentials, iso_utc

#: Keys samlcreds writes.
WRITTEN_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                "aws_credential_expiration")
#: Keys other tools leave behind that would contradict fresh credentials.
STALE_KEYS = ("aws_security_token", "x_security_token_expires", "aws_session_expiration",
              "aws_expiration", "expiration", "x_principal_arn")


def credentials_path(environ: dict | None = None) -> Path:
    """The shared credentials file botocore reads."""
    env = os.environ if environ is None else environ
    return Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials").expanduser()


def write_profile(profile: str, creds: Credentials, *, path: Path | None = None,
                  overwrite_long_term: bool = False) -> Path:
    """Write ``creds`` into ``[profile]`` of the credentials file; returns the path.

    Refuses (:class:`~samlcreds.errors.LocalFileError`) to replace long-term
    keys (an access key without a session token) unless
    ``overwrite_long_term``: they cannot be recovered.
    """
    target = path or credentials_path()

    def guard(existing: dict[str, str]) -> None:
        if overwrite_long_term:
            return
        if existing.get("aws_access_key_id") and not (
            existing.get("aws_session_token") or existing.get("aws_security_token")
        ):
            raise errors.LocalFileError(
                f"profile [{profile}] in {target} holds long-term access keys; "
                "samlcreds will not overwrite them",
                hint="Choose another --profile, or pass --overwrite-long-term-keys if you really "
                "mean to replace them.",
            )

    values = {
        "aws_access_key_id": creds.access_key_id,
        "aws_secret_access_key": creds.secret_access_key,
        "aws_session_token": creds.session_token,
        "aws_credential_expiration": iso_utc(creds.expiration),
    }
    inifile.update_section(target, profile, values, remove=STALE_KEYS, guard=guard)
    from samlcreds import written

    written.record(target, profile, creds.access_key_id)  # for `samlcreds logout --profile` to take back
    return target
