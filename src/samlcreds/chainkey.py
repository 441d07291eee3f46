"""A chained profile's cache key, from the config file's text: the light layer under :mod:`samlcreds.chain`.

Cached chained credentials are keyed by the chained profile's own fields
(``role_arn``, ``role_session_name``, ``external_id``, DurationSeconds), the
STS region of the AssumeRole call and the file name of the source's cache
entry (:func:`samlcreds.cache.key_name`), so a new source key is a new
chained key. :class:`samlcreds.chain.ChainedFetcher` builds the key from its
resolved profiles with :func:`chained_key` and :func:`chain_region`; the
cache-hit path of ``samlcreds process`` builds the same key from the file's
text with :func:`key_from_config`, importing only the standard library and
:mod:`samlcreds.profile`, :mod:`samlcreds.cache` and :mod:`samlcreds.aws`
(no botocore, no :mod:`samlcreds.config`). ``tests/unit/test_chain_key.py``
checks both agree.

AWS rules (IAM User Guide, "Role chaining"; STS API reference, AssumeRole):
a chained session lasts 900-3,600 seconds (:data:`samlcreds.aws.CHAINED_MAX_DURATION`).
"""

from __future__ import annotations

from samlcreds import aws
from samlcreds.cache import key_from_values, key_name
from samlcreds.profile import default_profile_name, is_chained, read_profile, resolve_values, split_words

#: How many profiles a chain may pass through before it counts as a loop.
MAX_CHAIN = 10


def check_chained_duration(value, profile: str = "?") -> int:
    """DurationSeconds of a chained session: 900-3600 (default 3600); else :class:`~samlcreds.errors.UsageError`."""
    if value is None or str(value).strip() == "":
        return aws.CHAINED_MAX_DURATION
    from samlcreds import errors

    try:
        seconds = int(str(value).strip())
    except ValueError:
        raise errors.UsageError(f"duration_seconds {value!r} of profile {profile} is not a whole number") from None
    if seconds > aws.CHAINED_MAX_DURATION:
        raise errors.UsageError(
            f"duration_seconds {seconds} of profile {profile} is longer than AWS allows for role chaining",
            hint=f"AWS limits a session assumed with another role's credentials to {aws.CHAINED_MAX_DURATION} "
            "seconds (1 hour), whatever the role's MaxSessionDuration; set duration_seconds = 3600 or less.")
    if seconds < aws.MIN_DURATION:
        raise errors.UsageError(f"duration_seconds {seconds} of profile {profile} is below AWS's minimum "
                                f"of {aws.MIN_DURATION}")
    return seconds


def chain_region(role_arn: str, own: str | None, source: str | None) -> str:
    """The STS region of a chain's AssumeRole: the profile's ``own``, the ``source``'s, else the partition's default."""
    partition = aws.arn_partition(role_arn) or "aws"
    return own or source or aws.PARTITION_DEFAULT_REGION.get(partition, "us-east-1")


def chained_key(profile: str, role_arn: str, source_key: dict[str, str], *, role_session_name: str | None,
                external_id: str | None, duration: int, region: str) -> dict[str, str]:
    """The cache key of ``profile``'s chained credentials (``source_key``: the source's cache key)."""
    return {"profile": profile, "chain_role_arn": role_arn, "source": key_name(source_key),
            "role_session_name": role_session_name or "", "external_id": external_id or "",
            "duration": str(duration), "region": region}


def samlcreds_source(profile: str, environ=None, *, stored: dict | None = None) -> str | None:
    """The profile whose ``saml_*`` settings sign in for ``profile``, or ``None`` if samlcreds does not.

    ``profile`` itself when it has ``saml_*`` keys; the ``--profile`` of a
    ``credential_process = samlcreds process --profile NAME`` (``profile``
    when it names none). ``stored``: ``profile``'s keys when already read.
    """
    values = read_profile(profile, environ) if stored is None else stored
    if any(key.startswith("saml_") for key in values):
        return profile
    command = values.get("credential_process", "")
    if "samlcreds" not in command:
        return None
    try:
        words = split_words(command)
    except ValueError:
        return None
    if "process" not in words:
        return None
    args = words[words.index("process") + 1:]
    for i, word in enumerate(args):
        if word in ("--profile", "-p") and i + 1 < len(args):
            return args[i + 1]
        if word.startswith("--profile="):
            return word.partition("=")[2]
    return profile


def key_from_config(profile: str | None, environ=None, *, stored: dict | None = None) -> dict[str, str] | None:
    """The cache key ``samlcreds process --profile PROFILE`` reads, plain or chained, from the file's text.

    ``None`` where the full command must decide and say what is wrong: half
    a chain, ``mfa_serial``, a ``duration_seconds`` out of range, a loop, a
    source that does not sign in with samlcreds. ``stored``: the profile's
    keys when already read. Reading the file may raise what
    :func:`samlcreds.profile.read_profile` raises.
    """
    found = _key(profile or default_profile_name(environ), environ, (), stored)
    return None if found is None else found[0]


def _key(name: str, environ, seen: tuple, stored: dict | None = None) -> tuple[dict[str, str], str | None] | None:
    """``(cache key, region setting)`` of the fetcher :func:`samlcreds.chain.fetcher_for` makes for ``name``."""
    if stored is None:
        stored = read_profile(name, environ)
    _, values = resolve_values(name, environ, stored=stored)
    if not is_chained(stored):
        return key_from_values(name, values, environ), values.get("region")
    if name in seen or len(seen) > MAX_CHAIN:
        return None
    role_arn, source = stored.get("role_arn", "").strip(), stored.get("source_profile", "").strip()
    if not (role_arn and source) or stored.get("mfa_serial", "").strip():
        return None
    try:
        duration = check_chained_duration(stored.get("duration_seconds"), name)
    except Exception:  # noqa: BLE001 - a UsageError the full command reports
        return None
    source_stored = read_profile(source, environ)
    signer = source if is_chained(source_stored) else samlcreds_source(source, environ, stored=source_stored)
    if signer is None:
        return None
    found = _key(signer, environ, seen + (name,), source_stored if signer == source else None)
    if found is None:
        return None
    source_key, source_region = found
    region = chain_region(role_arn, stored.get("region", "").strip() or None, source_region)
    key = chained_key(name, role_arn, source_key, role_session_name=stored.get("role_session_name", "").strip(),
                      external_id=stored.get("external_id", "").strip(), duration=duration, region=region)
    return key, values.get("region")
