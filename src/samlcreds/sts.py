"""The STS exchange: AssumeRoleWithSAML through botocore, unsigned.

- The client uses ``Config(signature_version=UNSIGNED)``, so botocore never
  resolves credentials for it: a profile whose ``credential_process`` is
  samlcreds itself cannot recurse.
- Endpoints, partitions, ``AWS_ENDPOINT_URL_STS`` / ``AWS_ENDPOINT_URL``,
  proxies and ``AWS_CA_BUNDLE`` are botocore's own behaviour; no STS URL is
  written here.
- Region choice: :func:`choose_region`.

AWS reference: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
"""

from __future__ import annotations

import logging
from datetime import timezone

from samlcreds import errors
from samlcreds.aws import DEFAULT_DURATION, PARTITION_DEFAULT_REGION, parse_signin_url
from samlcreds.config import DEFAULT_TIMEOUT, parse_duration
from samlcreds.creds import Credentials
from samlcreds.roles import RolePair

log = logging.getLogger(__name__)

#: Connect/read timeout of the STS call, seconds, when none is configured (saml_timeout's one default).
DEFAULT_STS_TIMEOUT = DEFAULT_TIMEOUT


def partition_of_region(region: str, profile: str | None = None) -> str | None:
    """The partition botocore's endpoint data puts ``region`` in (``None`` if unknown)."""
    try:
        return _shared_session(profile).get_partition_for_region(region)
    except errors.SamlcredsError:
        raise
    except Exception:  # botocore raises UnknownRegionError (name varies by version)
        return None


def choose_region(role: RolePair, signin_url: str | None = None, configured: str | None = None,
                  profile: str | None = None) -> str:
    """The region whose STS endpoint to call.

    1. ``configured`` (flag, ``SAMLCREDS_REGION``/profile ``region``), which
       must be in the role's partition (else :class:`~samlcreds.errors.UsageError`);
    2. the region of a regional sign-in host in the same partition;
    3. the partition's default region (us-east-1, us-gov-west-1, cn-north-1).
    """
    partition = role.partition
    if configured:
        found = partition_of_region(configured, profile)
        if found is not None and found != partition:
            raise errors.UsageError(
                f"region {configured} is in partition {found}, but role {role.role_arn} is in {partition}",
                hint=f"Pass --region with a region of {partition} (e.g. {PARTITION_DEFAULT_REGION.get(partition, '?')}).",
            )
        return configured
    endpoint = parse_signin_url(signin_url)
    if endpoint and endpoint.partition == partition and endpoint.region:
        return endpoint.region
    try:
        return PARTITION_DEFAULT_REGION[partition]
    except KeyError:
        raise errors.UsageError(
            f"no default region is known for partition {partition}",
            hint="Pass --region (or set region in the profile).",
        ) from None


def check_duration(duration: int | str | None) -> int:
    """Validate DurationSeconds: an integer 900-43,200 (default 3,600).

    The role's own MaxSessionDuration (≤ 43,200) is only known to STS, which
    answers ValidationError above it. Raises :class:`~samlcreds.errors.UsageError`.
    """
    if duration is None or duration == "":
        return DEFAULT_DURATION
    return parse_duration(duration)


def botocore_session(profile: str | None = None):
    """A fresh botocore session using ``profile`` when the config file has it.

    When it does not (a new profile, or a stale ``AWS_PROFILE``), the session
    is pinned to no profile instead of raising ProfileNotFound: the STS call
    is unsigned and needs no credentials. A config file that does not parse
    raises :class:`~samlcreds.errors.FileParseError`.
    """
    import botocore.session
    from botocore.exceptions import ConfigParseError

    session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    try:
        available = session.available_profiles
    except ConfigParseError as exc:
        raise errors.FileParseError(f"the AWS config file does not parse: {exc}",
                                    hint="Fix the line it names; samlcreds changed nothing.") from None
    if profile in available:
        session.set_config_variable("profile", profile)
    return session


_SHARED: dict = {}  # ("session", profile, env) -> botocore session; ("client", ..., env) -> STS client


def _shared_session(profile: str | None):
    """The process's botocore session for ``profile`` (built once: its loader caches the JSON models)."""
    import threading

    _wait_for_prepared()
    key = ("session", profile, _environment())
    lock = _SHARED.setdefault("lock", threading.Lock())
    with lock:
        session = _SHARED.get(key)
        if session is None:
            session = _SHARED[key] = botocore_session(profile)
            _only_sts(session)
        return session


def _only_sts(session) -> None:
    """Make ``session``'s model loader list only STS among its services.

    botocore's ``Loader.load_service_model`` first lists every service it
    has models for (``list_available_services``: ~450 directories statted
    per model type, 10-30 ms per client) just to check that the one asked for
    exists. This session only ever builds STS clients, so the list is
    answered from STS's own directory: ``["sts"]`` when it has a model of
    that type, else ``[]`` — the same answer for STS, the same errors otherwise.
    """
    from botocore.exceptions import DataNotFoundError

    loader = session.get_component("data_loader")

    def list_available_services(type_name, _versions=loader.list_api_versions):
        try:
            return ["sts"] if _versions("sts", type_name) else []
        except DataNotFoundError:  # no model of that type for STS
            return []

    loader.list_available_services = list_available_services


def _environment() -> tuple:
    """The environment variables botocore reads when it builds a session or client."""
    import os

    return tuple(os.environ.get(name) for name in (
        "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_STS_REGIONAL_ENDPOINTS",
        "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"))


def prepare_client(region: str | None, *, profile: str | None = None, timeout: float = DEFAULT_STS_TIMEOUT) -> None:
    """Start building the STS client :func:`make_client` will be asked for, in a background thread.

    Importing botocore, loading its endpoint and STS models and building a
    client (~100-150 ms of CPU) depends on nothing the IdP answers, so a
    sign-in starts it before asking the IdP and the work fills the time spent
    waiting for the IdP's pages. ``region`` is a guess (the configured one,
    else us-east-1): a client for another region reuses the prepared session
    and costs ~2 ms. Errors are dropped here: :func:`make_client` meets them
    again and raises them, in the caller's thread.

    Two threads must never import the same modules at once (a concurrent
    circular import hands one of them a partly initialised module), so: the
    thread starts only while botocore is not imported yet (otherwise little
    is left to gain: the client alone is ~20 ms), at most once per process;
    urllib3, which requests (the IdP side) imports too, is imported here in
    the calling thread first; :func:`make_client` and the session wait for the
    thread (its work is local and bounded: no request is sent); and nothing
    else in samlcreds imports botocore during a sign-in.
    """
    import sys
    import threading

    if "botocore" in sys.modules:
        return
    import urllib3  # noqa: F401 - see above

    def build() -> None:
        try:
            make_client(region or "us-east-1", profile=profile, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - raised again, in the caller's thread, by make_client
            log.debug("preparing the STS client failed: %s", type(exc).__name__)

    with _SHARED.setdefault("lock", threading.Lock()):
        if "prepared" in _SHARED:
            return
        thread = _SHARED["prepared"] = threading.Thread(target=build, name="sts-prepare", daemon=True)
    thread.start()


def _wait_for_prepared() -> None:
    import threading

    thread = _SHARED.get("prepared")
    if thread is not None and thread is not threading.current_thread() and thread.ident is not None:
        thread.join()


def make_client(region: str, *, profile: str | None = None, endpoint_url: str | None = None,
                timeout: float = DEFAULT_STS_TIMEOUT):
    """An unsigned botocore STS client for ``region`` (one per set of arguments in a process).

    ``profile`` selects config-file settings (endpoint_url, ca_bundle...) when
    that profile exists; credentials are never resolved. Building a client
    costs ~20 ms once botocore is imported (~150 ms with the import: it loads and parses its models), so clients and their
    session are kept for the life of the process; botocore clients are thread-safe.
    Waits for a client :func:`prepare_client` is building.
    """
    _wait_for_prepared()
    key = ("client", region, profile, endpoint_url, timeout, _environment())
    client = _SHARED.get(key)
    if client is None:
        client = _SHARED[key] = _new_client(region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
    return client


def _new_client(region: str, *, profile: str | None, endpoint_url: str | None, timeout: float):
    from botocore import UNSIGNED
    from botocore.config import Config

    session = _shared_session(profile)
    config = Config(
        signature_version=UNSIGNED,
        region_name=region,
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": "standard", "max_attempts": 3},
        user_agent_extra="samlcreds",
    )
    return create_sts_client(session, region, endpoint_url=endpoint_url, config=config)


def create_sts_client(session, region: str, **kwargs):
    """``session.create_client("sts", region_name=region, **kwargs)``; what botocore refuses while
    building it (a region, an endpoint URL, ``sts_regional_endpoints``, ``defaults_mode``... from the
    flags, ``AWS_*`` variables or the profile) is a :class:`~samlcreds.errors.UsageError`."""
    from botocore.exceptions import BotoCoreError, InvalidRegionError

    try:
        return session.create_client("sts", region_name=region, **kwargs)
    except InvalidRegionError:
        raise errors.UsageError(f"{region!r} is not a valid region name",
                                hint="Pass --region like us-east-1 (or fix region in the profile).") from None
    except (BotoCoreError, ValueError) as exc:  # ValueError: an endpoint URL botocore or urllib cannot read
        raise errors.UsageError(f"botocore cannot build the STS client: {exc}",
                                hint="Check AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL and the other AWS_* variables, "
                                "and the profile's endpoint_url, sts_regional_endpoints and defaults_mode.") from None


def assume_role_with_saml(
    saml_assertion_b64: str,
    role: RolePair,
    *,
    region: str,
    duration: int = DEFAULT_DURATION,
    optional_attributes: tuple[str, ...] = (),
    client=None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    timeout: float = DEFAULT_STS_TIMEOUT,
) -> Credentials:
    """Call STS AssumeRoleWithSAML and return the :class:`Credentials`.

    ``saml_assertion_b64``: single-line standard base64 of the SAMLResponse.
    ``optional_attributes``: names of attributes the assertion carried that
    need extra trust-policy permissions (worded into AccessDenied messages).
    ``timeout``: connect and read timeout in seconds.
    Raises :class:`~samlcreds.errors.StsError` (with AWS's code and RequestId)
    or :class:`~samlcreds.errors.StsUnreachable`.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    if client is None:
        client = make_client(region, profile=profile, endpoint_url=endpoint_url, timeout=timeout)
    try:
        answer = client.assume_role_with_saml(
            RoleArn=role.role_arn,
            PrincipalArn=role.principal_arn,
            SAMLAssertion=saml_assertion_b64,
            DurationSeconds=duration,
        )
    except ClientError as exc:
        raise translate_client_error(exc, role=role, duration=duration,
                                     optional_attributes=optional_attributes) from None
    except BotoCoreError as exc:
        raise unreachable(exc, "AssumeRoleWithSAML") from None
    return credentials_of(answer, role_arn=role.role_arn, account_id=role.account_id)


def credentials_of(answer: dict, *, role_arn: str, account_id: str) -> Credentials:
    """The :class:`Credentials` of an AssumeRole or AssumeRoleWithSAML answer (botocore's parsed dict)."""
    creds = answer["Credentials"]
    return Credentials(
        access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"],
        session_token=creds["SessionToken"],
        expiration=creds["Expiration"].astimezone(timezone.utc),
        account_id=account_id,
        role_arn=role_arn,
        assumed_role_arn=(answer.get("AssumedRoleUser") or {}).get("Arn"),
    )


def unreachable(exc, operation: str) -> errors.StsUnreachable:
    """The error for a botocore ``BotoCoreError`` (no answer from STS) during ``operation``."""
    from botocore.exceptions import EndpointConnectionError

    if isinstance(exc, EndpointConnectionError):
        return errors.StsUnreachable(
            f"could not reach STS at {exc.kwargs.get('endpoint_url', '?')}",
            hint="Check the network, proxy settings (HTTPS_PROXY) and --region / AWS_ENDPOINT_URL_STS.")
    return errors.StsUnreachable(f"the STS {operation} request failed: {exc}",
                                 hint="Check the network, proxy and CA bundle (AWS_CA_BUNDLE) settings.")


def translate_client_error(exc, *, role: RolePair, duration: int,
                           optional_attributes: tuple[str, ...] = ()) -> errors.StsError:
    """Word a botocore ``ClientError`` from AssumeRoleWithSAML for a person.

    Covers every error code in botocore's STS model plus AccessDenied,
    ValidationError and throttling; unknown codes keep AWS's own message.
    """
    err = exc.response.get("Error", {})
    code = err.get("Code") or "Unknown"
    aws_message = err.get("Message") or ""
    request_id = (exc.response.get("ResponseMetadata") or {}).get("RequestId")
    message, hint = explain_sts_error(code, aws_message, role=role, duration=duration,
                                      optional_attributes=optional_attributes)
    said = aws_message.rstrip().rstrip(".;,:")  # "role.; RequestId" otherwise
    suffix = f" (AWS {code}: {said}" + (f"; RequestId {request_id})" if request_id else ")")
    return errors.StsError(message + suffix, code=code, request_id=request_id,
                           aws_message=aws_message, hint=hint)


def explain_sts_error(code: str, aws_message: str, *, role: RolePair, duration: int,
                      optional_attributes: tuple[str, ...] = ()) -> tuple[str, str]:
    """``(what is wrong, what to do)`` for an STS error code and message."""
    lower = aws_message.lower()
    if code == "ValidationError" and "maxsessionduration" in lower:
        return (f"the requested duration of {duration} s is longer than role {role.role_name}'s "
                "maximum session duration",
                "Use a shorter --duration (e.g. 3600), or raise the role's MaxSessionDuration in IAM.")
    if code in ("ExpiredTokenException", "ExpiredToken") or ("expired" in lower and "token" in code.lower()):
        return ("the SAML assertion has expired (AWS accepts it only within 5 minutes of issue, "
                "and before its NotOnOrAfter)",
                "Sign in again to get a fresh SAMLResponse; check that this computer's clock is right.")
    if code == "AccessDenied":
        extra = ""
        if optional_attributes:
            extra = (" The assertion also carried " + ", ".join(optional_attributes)
                     + "; the role's trust policy must allow those actions too.")
        return (f"AWS refused to let this SAML provider assume {role.role_arn}",
                "Check the role's trust policy: it must allow sts:AssumeRoleWithSAML for principal "
                f"{role.principal_arn} with a SAML:aud condition matching the sign-in endpoint." + extra)
    if code == "InvalidIdentityToken" and ("provider" in lower and ("exist" in lower or "not found" in lower)):
        return (f"the SAML provider {role.principal_arn} does not exist where STS looked",
                "Check the provider ARN's account, name and partition, and that --region is in the "
                "same partition (GovCloud/China roles need their own regions).")
    table = {
        "InvalidIdentityToken": (
            "AWS could not validate the SAML assertion (signature, issuer, audience, recipient or "
            "attributes do not match the SAML provider in IAM)",
            "Run 'samlcreds decode' to see what the assertion holds; ask the IdP administrator to "
            "check that the IdP metadata uploaded to IAM is current."),
        "IDPRejectedClaim": (
            "AWS rejected a claim in the assertion",
            "Check the Role, RoleSessionName and other AWS attributes the IdP sends."),
        "IDPCommunicationError": (
            "AWS could not communicate with the identity provider",
            "Try again later; if it persists, ask the IdP administrator."),
        "MalformedPolicyDocument": (
            "a session policy or tag in the request is malformed",
            "Check PrincipalTag attributes sent by the IdP."),
        "PackedPolicyTooLarge": (
            "the session tags or policies are too large for AWS",
            "Ask the IdP administrator to send fewer or shorter PrincipalTag attributes."),
        "RegionDisabledException": (
            "STS is not activated in the chosen region for this account",
            "Pass --region with an activated region (e.g. us-east-1), or activate STS in IAM's "
            "account settings."),
        "ValidationError": (
            "AWS refused a request parameter",
            "Check --duration (900-43200 and not above the role's maximum) and the role ARN."),
        "InvalidParameterValue": (
            "AWS refused a request parameter",
            "Check --duration and the role and provider ARNs."),
        "Throttling": (
            "STS is throttling requests",
            "Wait a moment and try again."),
        "ThrottlingException": (
            "STS is throttling requests",
            "Wait a moment and try again."),
        "InsufficientSessionLifetime": (
            "the session lifetime is too short for this request",
            "Use a longer --duration."),
        "SessionDurationEscalationException": (
            "the requested session duration is longer than allowed for this chained session",
            "Use a shorter --duration (role chaining is limited to 3600 s)."),
        "ExpiredTradeInTokenException": (
            "the trade-in token has expired", "Sign in again."),
        "InvalidAuthorizationMessageException": (
            "AWS reported an invalid authorization message", "Sign in again."),
        "InvalidContextAssertion": (
            "AWS refused a context assertion in the request", "Sign in again."),
        "InvalidSubjectCredentials": (
            "AWS refused the subject credentials", "Sign in again."),
        "JWTPayloadSizeExceededException": (
            "a token in the request is too large", "Ask the IdP administrator to send fewer claims."),
        "OutboundWebIdentityFederationDisabledException": (
            "outbound identity federation is disabled for this account",
            "Ask an account administrator to enable it, or use another role."),
    }
    if code in table:
        return table[code]
    return (f"STS refused the request ({aws_message or code})",
            "See the AWS message; run 'samlcreds decode' to inspect the assertion.")
