"""Writing temporary credentials into a profile of the shared credentials file.

File: ``AWS_SHARED_CREDENTIALS_FILE`` or ``~/.aws/credentials`` (botocore's
rule). Section ``[PROFILE]``. Edits go through :mod:`samlcreds.inifile`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

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


def static_keys(profile: str, path: Path | None = None) -> dict[str, str]:
    """The keys of ``[profile]`` in the credentials file when it holds an ``aws_access_key_id`` (botocore's
    shared-credentials provider then answers for it, before credential_process or container credentials),
    else ``{}``. An unreadable or unparsable file counts as none (botocore will say so itself)."""
    from samlcreds import safefile

    text = safefile.read_text(path or credentials_path())
    if not text:
        return {}
    try:
        keys = inifile.section_keys(text, profile)
    except Exception:  # noqa: BLE001
        return {}
    return keys if keys.get("aws_access_key_id") else {}


def has_static_keys(profile: str, path: Path | None = None) -> bool:
    """True when ``[profile]`` of the credentials file holds an access key (:func:`static_keys`)."""
    return bool(static_keys(profile, path))


def is_long_term(keys: dict[str, str]) -> bool:
    """An access key without a session token: an IAM user's, which cannot be recovered once removed."""
    return bool(keys.get("aws_access_key_id")) and not (keys.get("aws_session_token")
                                                       or keys.get("aws_security_token"))


#: Keys of a config-file profile through which botocore finds credentials before container credentials
#: (its provider chain: env, assume-role, web identity, SSO, credentials file, credential_process, config file).
CONFIG_CREDENTIAL_KEYS = ("aws_access_key_id", "credential_process", "role_arn", "web_identity_token_file",
                          "sso_start_url", "sso_session")


class DefaultShadow(NamedTuple):
    """Credentials of the ``default`` profile that an SDK with no profile set uses before container credentials.

    ``credentials_file``: the credentials file when its ``[default]`` holds keys, else ``None``;
    ``config_keys``: the :data:`CONFIG_CREDENTIAL_KEYS` that ``[default]`` of ``config_file`` sets.
    """

    credentials_file: Path | None
    config_file: str
    config_keys: tuple[str, ...]

    def places(self) -> list[str]:
        """``["[default] of /path/credentials", "[default] of /path/config (credential_process)"]``, as found."""
        found = [f"[default] of {self.credentials_file}"] if self.credentials_file else []
        if self.config_keys:
            found.append(f"[default] of {self.config_file} ({', '.join(self.config_keys)})")
        return found


def default_profile_shadows_container(environ: dict | None = None) -> DefaultShadow:
    """What of the ``default`` profile would be used instead of container credentials (see :class:`DefaultShadow`)."""
    from samlcreds.profile import config_file, read_profile

    path = credentials_path(environ)
    try:
        stored = read_profile("default", environ)
    except Exception:  # noqa: BLE001 - an unparsable config: botocore will say so itself
        stored = {}
    return DefaultShadow(path if has_static_keys("default", path) else None, config_file(environ),
                         tuple(key for key in CONFIG_CREDENTIAL_KEYS if stored.get(key)))


def write_profile(profile: str, creds: Credentials, *, path: Path | None = None,
                  overwrite_long_term: bool = False) -> Path:
    """Write ``creds`` into ``[profile]`` of the credentials file; returns the path.

    Refuses (:class:`~samlcreds.errors.LocalFileError`) to replace long-term
    keys (an access key without a session token) unless
    ``overwrite_long_term``: they cannot be recovered.
    """
    target = path or credentials_path()

    def guard(existing: dict[str, str]) -> None:
        if not overwrite_long_term and is_long_term(existing):
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
