"""Role chaining: a profile with ``role_arn`` + ``source_profile`` whose source signs in with samlcreds.

The profile keys are the AWS config file's own (botocore reads the same ones):
``role_arn``, ``source_profile``, ``role_session_name``, ``external_id``,
``duration_seconds``; ``mfa_serial`` is refused (the MFA happened at the IdP).
The source is a samlcreds profile: it has ``saml_*`` keys itself, or its
``credential_process`` runs ``samlcreds process --profile NAME``, or it is
chained itself. AssumeRole goes through botocore, signed with the source's
credentials; the chained credentials are cached like any others.

AWS rules (IAM User Guide, "Role chaining"; STS API reference, AssumeRole):
a session from role chaining lasts at most one hour
(:data:`samlcreds.aws.CHAINED_MAX_DURATION`), at least 900 seconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable, NamedTuple

from samlcreds import aws, config, errors, paths
from samlcreds.cache import CredentialCache, usable
from samlcreds.chainkey import MAX_CHAIN, chain_region, chained_key, check_chained_duration, samlcreds_source
from samlcreds.creds import Credentials
from samlcreds.profile import is_chained, quote_word

__all__ = ["CHAIN_KEYS", "ChainSpec", "ChainedFetcher", "assume_role", "chain_spec", "check_chained_duration",
           "describe", "fetcher_for", "samlcreds_source"]

#: The AWS config keys of a chained profile.
CHAIN_KEYS = ("role_arn", "source_profile", "role_session_name", "external_id", "duration_seconds",
              "mfa_serial")


class ChainSpec(NamedTuple):
    """A chained profile: assume ``role_arn`` with ``source_profile``'s credentials.

    ``duration``: DurationSeconds (900-3600). ``region``: the profile's region, or ``None``.
    """

    profile: str
    role_arn: str
    source_profile: str
    role_session_name: str | None = None
    external_id: str | None = None
    duration: int = aws.CHAINED_MAX_DURATION
    region: str | None = None


def chain_spec(profile: str, environ: dict | None = None) -> ChainSpec | None:
    """The :class:`ChainSpec` of ``profile``, or ``None`` when it has no ``role_arn``/``source_profile``.

    Raises :class:`~samlcreds.errors.UsageError` for ``mfa_serial``, a
    ``role_arn`` without ``source_profile`` (or the reverse), and a
    ``duration_seconds`` outside 900-3600 (checked here, before any STS call).
    """
    values = config.read_profile(profile, environ)
    if not is_chained(values):
        return None
    role_arn, source = values.get("role_arn", "").strip(), values.get("source_profile", "").strip()
    if not (role_arn and source):
        missing = "source_profile" if role_arn else "role_arn"
        raise errors.UsageError(f"profile {profile} sets {'role_arn' if role_arn else 'source_profile'} "
                                f"but not {missing}",
                                hint="A chained profile needs both role_arn and source_profile.")
    if values.get("mfa_serial", "").strip():
        raise errors.UsageError(
            f"profile {profile} sets mfa_serial; samlcreds does not ask for MFA codes when chaining roles",
            hint="Remove mfa_serial: the multi-factor sign-in already happened at the IdP (the source "
            "role's trust policy can require it through the SAML assertion).")
    return ChainSpec(profile=profile, role_arn=role_arn, source_profile=source,
                     role_session_name=values.get("role_session_name", "").strip() or None,
                     external_id=values.get("external_id", "").strip() or None,
                     duration=check_chained_duration(values.get("duration_seconds"), profile),
                     region=values.get("region", "").strip() or None)


def assume_role(source: Credentials, spec: ChainSpec, *, region: str,
                timeout: float = config.DEFAULT_TIMEOUT, clock: Callable[[], float] = time.time) -> Credentials:
    """STS AssumeRole of ``spec.role_arn`` signed with ``source`` (through botocore).

    Raises :class:`~samlcreds.errors.StsError` or :class:`~samlcreds.errors.StsUnreachable`.
    """
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from samlcreds.sts import credentials_of, unreachable
    from samlcreds.stsclient import botocore_session, create_sts_client

    session = botocore_session(spec.profile)
    client = create_sts_client(
        session, region, aws_access_key_id=source.access_key_id,
        aws_secret_access_key=source.secret_access_key, aws_session_token=source.session_token,
        config=Config(connect_timeout=timeout, read_timeout=timeout, user_agent_extra="samlcreds",
                      retries={"mode": "standard", "max_attempts": 3}))
    params = {"RoleArn": spec.role_arn, "DurationSeconds": spec.duration,
              "RoleSessionName": spec.role_session_name or f"samlcreds-{int(clock())}"}
    if spec.external_id:
        params["ExternalId"] = spec.external_id
    try:
        answer = client.assume_role(**params)
    except ClientError as exc:
        err = exc.response.get("Error", {})
        code, message = err.get("Code") or "Unknown", err.get("Message") or ""
        hint = ("Check that the trust policy of the role allows sts:AssumeRole by the source role "
                f"(profile {spec.source_profile}), and external_id if it requires one.")
        if code == "ValidationError" and "duration" in message.lower():
            hint = f"Role chaining allows at most {aws.CHAINED_MAX_DURATION} s; lower duration_seconds."
        raise errors.StsError(f"STS refused AssumeRole of {spec.role_arn} for profile {spec.profile} "
                              f"(AWS {code}: {message})", code=code, aws_message=message,
                              request_id=(exc.response.get("ResponseMetadata") or {}).get("RequestId"),
                              hint=hint) from None
    except BotoCoreError as exc:
        raise unreachable(exc, "AssumeRole") from None
    return credentials_of(answer, role_arn=spec.role_arn, account_id=spec.role_arn.split(":")[4])


class ChainedFetcher:
    """Credentials for a chained profile through the cache: source credentials → AssumeRole.

    ``source`` is the source profile's fetcher (a :class:`~samlcreds.fetcher.CachingFetcher`
    or another :class:`ChainedFetcher`); it serves cached source credentials without signing in.
    Same interface as ``CachingFetcher``: ``settings``, ``key``, ``cached()``, ``fetch()``.
    """

    def __init__(self, spec: ChainSpec, source, *, cache: CredentialCache | None = None,
                 window: float | None = None, lock_timeout: float = 300.0,
                 assume: Callable[..., Credentials] = assume_role,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.spec = spec
        self.source = source
        self.settings = config.resolve(spec.profile)
        self.cache = cache or CredentialCache(paths.credentials_cache_dir())
        #: seconds of validity a cached entry must keep; ``None``: sized to its lifetime (cache.refresh_window)
        self.window = window
        self.lock_timeout = lock_timeout
        self.assume = assume
        self.clock = clock

    @property
    def key(self) -> dict[str, str]:
        """The cache key (:func:`samlcreds.chainkey.chained_key`; the cache-hit path builds the same)."""
        spec = self.spec
        return chained_key(spec.profile, spec.role_arn, self.source.key, role_session_name=spec.role_session_name,
                           external_id=spec.external_id, duration=spec.duration, region=self.region)

    @property
    def region(self) -> str:
        """The STS region for AssumeRole: the profile's, the source's, else the partition's default."""
        return chain_region(self.spec.role_arn, self.spec.region, self.source.settings.region)

    def cached(self) -> Credentials | None:
        """Cached chained credentials still usable (:func:`samlcreds.cache.usable`), else ``None``."""
        entry = self.cache.load(self.key)
        if usable(entry, self.window, self.clock().timestamp(), lifetime=self.spec.duration):
            return Credentials.from_cache_entry(entry)
        return None

    def fetch(self, *, fresh: bool = False) -> Credentials:
        """Cached chained credentials, or the source's (cached or signed in) exchanged by AssumeRole.

        ``fresh``: call AssumeRole even when the cache holds chained credentials
        (``samlcreds login``); the source's cached credentials are still used.
        """
        found = None if fresh else self.cached()
        if found is not None:
            return found
        with self.cache.single_flight(self.key, timeout=self.lock_timeout):
            found = None if fresh else self.cached()
            if found is not None:
                return found
            source = self.source.fetch()
            chained = self.assume(source, self.spec, region=self.region,
                                  timeout=self.settings.sts_timeout)
            self.cache.store(self.key, *chained.to_cache_entry(), obtained_at=self.clock().timestamp())
            return chained


def fetcher_for(profile: str | None, request_factory_for: Callable, *, picker=None,
                window: float | None = None, lock_timeout: float = 300.0, overrides: dict | None = None,
                environ: dict | None = None, bind_chosen_role: bool = False, given_as: config.GivenAs = "flag",
                may_paste: bool = False, _seen: tuple = ()):
    """The fetcher for ``profile``: a ``CachingFetcher`` for a samlcreds profile, a
    :class:`ChainedFetcher` for a chained one (its source resolved the same way).

    ``request_factory_for(settings)`` returns the ``LoginRequest`` factory for
    the profile that signs in. ``overrides`` (settings by name) apply to the
    profile that signs in, named in messages as ``given_as`` says (:func:`samlcreds.config.resolve`);
    ``bind_chosen_role`` and ``may_paste`` are the ``CachingFetcher``'s. Raises
    :class:`~samlcreds.errors.UsageError` for a chain loop or a source that is not a samlcreds profile.
    """
    from samlcreds.fetcher import CachingFetcher

    name = profile or config.default_profile_name(environ)
    spec = chain_spec(name, environ)
    if spec is None:
        settings = config.resolve(name, given_as=given_as,
                                  **{k: v for k, v in (overrides or {}).items() if v is not None})
        return CachingFetcher(settings, request_factory_for(settings), picker=picker, window=window,
                              lock_timeout=lock_timeout, bind_chosen_role=bind_chosen_role, may_paste=may_paste)
    if name in _seen or len(_seen) > MAX_CHAIN:
        raise errors.UsageError(f"profiles {' -> '.join(_seen + (name,))} form a source_profile loop")
    source_name = spec.source_profile
    if chain_spec(source_name, environ) is not None:  # botocore too prefers role_arn to credential_process
        signer = source_name
    else:
        signer = samlcreds_source(source_name, environ)
    if signer is None:
        raise errors.UsageError(
            f"source_profile {source_name} of profile {name} does not sign in with samlcreds",
            hint=f"Give [{config.section_name(source_name)}] saml_* settings "
            f"(samlcreds configure --profile {quote_word(source_name)}) "
            "or credential_process = samlcreds process --profile ...")
    source = fetcher_for(signer, request_factory_for, picker=picker, lock_timeout=lock_timeout,
                         overrides=overrides, environ=environ, bind_chosen_role=bind_chosen_role,
                         given_as=given_as, may_paste=may_paste, _seen=_seen + (name,))
    return ChainedFetcher(spec, source, window=window, lock_timeout=lock_timeout)


def describe(fetcher) -> str:
    """``"work -> chained"``: the profiles a fetcher goes through, for messages."""
    names = []
    while fetcher is not None:
        names.append(fetcher.settings.profile)
        fetcher = getattr(fetcher, "source", None)
    return " -> ".join(reversed(names))

