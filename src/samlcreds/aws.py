"""AWS facts every layer shares: partitions, sign-in and console hosts, SP audiences, duration bounds.

One place for them, imported by the STS client, the IdP providers, doctor and
the console command alike; nothing here talks to AWS or imports botocore.
Importing it costs only modules ``json`` loads too (``urllib.parse`` is imported
where used): the cache-hit path of ``samlcreds process`` for a chained profile
reads the duration bounds and partition regions here (:mod:`samlcreds.chainkey`).

Sources: STS API reference (AssumeRoleWithSAML, AssumeRole: DurationSeconds);
IAM User Guide "Configure your SAML 2.0 IdP with relying party trust" (sign-in
endpoints), "Enable custom identity broker access to the AWS console"
(federation endpoint), "Role chaining" (1-hour limit); AWS's SP metadata
https://signin.aws.amazon.com/static/saml-metadata.xml (audiences).
"""

from __future__ import annotations

import re
from collections import namedtuple

#: DurationSeconds bounds of AssumeRoleWithSAML, seconds; the default is STS's own.
MIN_DURATION = 900
MAX_DURATION = 43_200
DEFAULT_DURATION = 3_600
#: AssumeRole with credentials that came from another role (role chaining) is
#: limited to one hour, whatever the role's MaxSessionDuration.
CHAINED_MAX_DURATION = 3_600
#: AWS: a SAML response must be redeemed within 5 minutes of its IssueInstant (seconds).
REDEEM_WINDOW_SECONDS = 300

#: AWS sign-in hosts that receive SAML (and serve the federation endpoint), per partition.
SIGNIN_HOSTS = {
    "signin.aws.amazon.com": "aws",
    "signin.amazonaws-us-gov.com": "aws-us-gov",
    "signin.amazonaws.cn": "aws-cn",
}
#: partition -> its global sign-in host.
PARTITION_SIGNIN_HOST = {partition: host for host, partition in SIGNIN_HOSTS.items()}
#: partition -> its console host.
CONSOLE_HOSTS = {
    "aws": "console.aws.amazon.com",
    "aws-us-gov": "console.amazonaws-us-gov.com",
    "aws-cn": "console.amazonaws.cn",
}
#: The region of each partition's global sign-in endpoint, used when neither a
#: regional sign-in host nor a configured region says otherwise.
PARTITION_DEFAULT_REGION = {
    "aws": "us-east-1",
    "aws-us-gov": "us-gov-west-1",
    "aws-cn": "cn-north-1",
}
#: AWS's SP entity ID (the Issuer of an AuthnRequest on AWS's behalf; AWS's SP metadata).
SP_ENTITY_ID = "urn:amazon:webservices"
#: Audience values AWS accepts, with the partition each belongs to. The first
#: three are AWS's documented SP entity IDs / sign-in URL; the China entity IDs
#: are those AWS's China metadata uses (``urn:amazon:webservices:cn-north-1``).
AWS_AUDIENCES = {
    "https://signin.aws.amazon.com/saml": "aws",
    "urn:amazon:webservices": "aws",
    "urn:amazon:webservices:govcloud": "aws-us-gov",
    "urn:amazon:webservices:cn-north-1": "aws-cn",
    "urn:amazon:webservices:cn-northwest-1": "aws-cn",
}

_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


class SigninEndpoint(namedtuple("SigninEndpoint", ("partition", "region"))):
    """An AWS sign-in SAML endpoint: its partition and region (``None`` when global); immutable."""

    __slots__ = ()


def signin_host_partition(host: str | None) -> str | None:
    """The partition of an AWS sign-in host (global or ``REGION.`` prefixed), else ``None``.

    ``signin.aws.amazon.com`` and ``us-west-2.signin.aws.amazon.com`` → ``aws``;
    ``signin.amazonaws-us-gov.com`` → ``aws-us-gov``; ``signin.amazonaws.cn`` → ``aws-cn``.
    """
    host = (host or "").lower().rstrip(".")
    for base, partition in SIGNIN_HOSTS.items():
        if host == base:
            return partition
        if host.endswith("." + base) and _REGION_RE.fullmatch(host[: -len(base) - 1]):
            return partition
    return None


def parse_signin_url(url: str | None) -> SigninEndpoint | None:
    """Recognise an AWS sign-in SAML endpoint (ACS) URL.

    ``https://signin.aws.amazon.com/saml`` → (aws, None);
    ``https://us-west-2.signin.aws.amazon.com/saml[/acs/ID]`` → (aws, us-west-2);
    ``https://signin.amazonaws-us-gov.com/saml`` → (aws-us-gov, None);
    ``https://signin.amazonaws.cn/saml`` → (aws-cn, None). Anything else → ``None``.
    """
    if not url:
        return None
    import urllib.parse

    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme != "https" or not parsed.path.startswith("/saml"):
        return None
    host = (parsed.hostname or "").lower()
    partition = signin_host_partition(host)
    if partition is None:
        return None
    base = PARTITION_SIGNIN_HOST[partition]
    return SigninEndpoint(partition, host[: -len(base) - 1] if host != base else None)


def signin_saml_url(partition: str) -> str:
    """The global sign-in SAML endpoint (ACS) of ``partition``; ``KeyError`` if unknown."""
    return f"https://{PARTITION_SIGNIN_HOST[partition]}/saml"

#: AssumeRoleWithSAML's SAMLAssertion: 4 to 100,000 characters of base64 (STS API reference).
MIN_SAML_ASSERTION_LENGTH = 4
MAX_SAML_ASSERTION_LENGTH = 100_000
#: RoleSessionName and SourceIdentity: 2-64 characters of ``[\w+=,.@-]`` (STS API reference);
#: SourceIdentity must also not start with ``aws:``.
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)

#: Path of the federation endpoint on each partition's sign-in host (getSigninToken, login).
FEDERATION_PATH = "/federation"
#: How long a console sign-in URL (its SigninToken) can be used, seconds.
SIGNIN_TOKEN_LIFETIME = 15 * 60


def federation_url(partition: str) -> str:
    """``https://<sign-in host>/federation`` of ``partition``; ``KeyError`` if unknown."""
    return f"https://{PARTITION_SIGNIN_HOST[partition]}{FEDERATION_PATH}"


def console_url(partition: str, region: str | None = None) -> str:
    """The partition's console home, in ``region`` when given; ``KeyError`` for an unknown partition.

    ``https://console.aws.amazon.com/`` or
    ``https://console.aws.amazon.com/console/home?region=eu-west-1``.
    """
    import urllib.parse

    base = f"https://{CONSOLE_HOSTS[partition]}/"
    return base if not region else f"{base}console/home?region={urllib.parse.quote(region)}"


def arn_partition(arn: str | None) -> str | None:
    """The partition field of an ARN (``arn:aws-us-gov:...`` → ``aws-us-gov``), else ``None``."""
    parts = (arn or "").split(":")
    return parts[1] if len(parts) > 5 and parts[0] == "arn" and parts[1] else None
