"""The STS exchange: AssumeRoleWithSAML through botocore, unsigned.

- The client uses ``Config(signature_version=UNSIGNED)``, so botocore never
  resolves credentials for it: a profile whose ``credential_process`` is
  samlcreds itself cannot recurse.
- Endpoints, partitions, ``AWS_ENDPOINT_URL_STS`` / ``AWS_ENDPOINT_URL``,
  proxies and ``AWS_CA_BUNDLE`` are botocore's own behaviour; no STS URL is
  written here.
- Region choice: :func:`choose_region`. The botocore session and clients
  (built once per process, prepared during a sign-in): :mod:`samlcreds.stsclient`.

AWS reference: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
"""

from __future__ import annotations

from datetime import timezone

from samlcreds import errors
from samlcreds.aws import DEFAULT_DURATION, PARTITION_DEFAULT_REGION, parse_signin_url
from samlcreds.setting_values import parse_duration
from samlcreds.creds import Credentials
from samlcreds.roles import RolePair
from samlcreds.stsclient import DEFAULT_STS_TIMEOUT, make_client, partition_of_region

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
