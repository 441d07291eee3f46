"""AWS console sign-in URLs from temporary credentials (the federation endpoint).

AWS reference: IAM User Guide, "Enable custom identity broker access to the
AWS console": ``GET <federation>?Action=getSigninToken&Session=<JSON>`` with
``{"sessionId", "sessionKey", "sessionToken"}`` answers ``{"SigninToken": ...}``;
the sign-in URL is ``<federation>?Action=login&Issuer=...&Destination=...&SigninToken=...``.
``SessionDuration`` is not sent: AWS documents it for GetFederationToken
credentials and refuses it with role-chaining ones; without it the console
session follows the credentials' own session. The URL signs anyone in for
:data:`samlcreds.aws.SIGNIN_TOKEN_LIFETIME` seconds: it is a secret, never logged.

``getSigninToken`` is sent with GET, the session keys in the query string,
because that is the only form AWS documents (the guide's request example and
its Python, Java and Ruby samples are all query strings; no POST or
form-encoded body is described). The keys are kept out of urllib3's request
log (:class:`_NoQueryLogged`); a TLS-intercepting proxy could still log the URL.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.parse

from samlcreds import aws, errors
from samlcreds.creds import Credentials

#: Environment variable replacing the partition's federation endpoint (tests, proxies).
FEDERATION_URL_ENV = "SAMLCREDS_FEDERATION_URL"
log = logging.getLogger(__name__)  # never given the token or the URL


def credentials_partition(creds: Credentials, region: str | None = None) -> str:
    """The partition of ``creds``: from its role ARNs, else ``region``'s, else ``aws``."""
    for arn in (creds.role_arn, creds.assumed_role_arn):
        partition = aws.arn_partition(arn)
        if partition:
            return partition
    if region:
        from samlcreds.stsclient import partition_of_region

        return partition_of_region(region) or "aws"
    return "aws"


def federation_endpoint(partition: str, environ: dict | None = None) -> str:
    """``SAMLCREDS_FEDERATION_URL`` when set, else ``https://<partition's sign-in host>/federation``.

    Raises :class:`~samlcreds.errors.UsageError` for a partition without a known console.
    """
    env = os.environ if environ is None else environ
    if env.get(FEDERATION_URL_ENV):
        return env[FEDERATION_URL_ENV]
    try:
        return aws.federation_url(partition)
    except KeyError:
        raise errors.UsageError(f"samlcreds knows no console sign-in host for partition {partition}",
                                hint=f"Set {FEDERATION_URL_ENV} to that partition's federation endpoint.") from None


def signin_token(creds: Credentials, endpoint: str, *, timeout: float = 30.0, session=None) -> str:
    """The SigninToken the federation ``endpoint`` gives for ``creds`` (``Action=getSigninToken``).

    Raises :class:`~samlcreds.errors.StsUnreachable` when the endpoint cannot be
    reached and :class:`~samlcreds.errors.StsError` when it refuses the credentials.
    """
    import requests

    document = json.dumps({"sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key,
                           "sessionToken": creds.session_token})
    http = session or requests.Session()
    quiet = _NoQueryLogged()
    pool_log = logging.getLogger("urllib3.connectionpool")  # logs each request's URL, with the keys in it
    pool_log.addFilter(quiet)
    try:
        answer = http.get(endpoint, params={"Action": "getSigninToken", "Session": document}, timeout=timeout,
                          allow_redirects=False)
    except requests.RequestException as exc:
        raise errors.StsUnreachable(f"could not reach the AWS federation endpoint {_host(endpoint)}: "
                                    f"{type(exc).__name__}",
                                    hint="Check the network and proxy settings (HTTPS_PROXY).") from None
    finally:
        pool_log.removeFilter(quiet)
    token = None
    if answer.status_code == 200:
        try:
            token = answer.json().get("SigninToken")
        except (ValueError, AttributeError):
            token = None
    if not token:
        raise errors.StsError(
            f"the AWS federation endpoint {_host(endpoint)} refused the credentials (HTTP {answer.status_code})",
            code=f"HTTP{answer.status_code}",
            hint="The credentials may have expired or come from a session AWS does not allow in the console; "
            "run 'samlcreds login' again.")
    log.debug("federation endpoint %s issued a sign-in token", _host(endpoint))
    return token


def login_url(token: str, endpoint: str, *, destination: str, issuer: str | None = None) -> str:
    """The console sign-in URL (``Action=login``) for ``token``, landing on ``destination``."""
    params = {"Action": "login", "Destination": destination, "SigninToken": token}
    if issuer:
        params["Issuer"] = issuer
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + separator + urllib.parse.urlencode(params)


def console_signin_url(creds: Credentials, *, region: str | None = None, destination: str | None = None,
                       issuer: str | None = None, timeout: float = 30.0, environ: dict | None = None) -> str:
    """The whole exchange: credentials → SigninToken → sign-in URL (a secret for 15 minutes).

    ``destination`` defaults to the partition's console (in ``region`` when
    given); it must be an ``https`` URL (:class:`~samlcreds.errors.UsageError`).
    """
    partition = credentials_partition(creds, region)
    if destination is None:
        try:
            destination = aws.console_url(partition, region)
        except KeyError:
            raise errors.UsageError(f"samlcreds knows no console for partition {partition}",
                                    hint="Pass --destination with the console URL.") from None
    elif urllib.parse.urlsplit(destination).scheme != "https" or not urllib.parse.urlsplit(destination).netloc:
        raise errors.UsageError(f"--destination {destination!r} is not an https URL",
                                hint=f"Use a console URL such as {aws.console_url(partition, region)}")
    endpoint = federation_endpoint(partition, environ)
    return login_url(signin_token(creds, endpoint, timeout=timeout), endpoint, destination=destination,
                     issuer=issuer)


class _NoQueryLogged(logging.Filter):
    """Drops urllib3's request lines for the federation endpoint: their URL holds the session keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "getSigninToken" not in str(record.args)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url
