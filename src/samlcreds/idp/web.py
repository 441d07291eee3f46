"""What the providers speaking HTTP to the IdP with requests (``form``, ``ecp``) share.

Hosts of URLs, the plain-http rule for secrets, and requests' failures in
words. Standard library only at import time (requests' exception classes are
looked up when a failure is worded).
"""

from __future__ import annotations

import ipaddress
import urllib.parse

from samlcreds import errors


def host_of(url: str) -> str:
    """``host[:port]`` of ``url`` (the URL itself when it has none)."""
    return urllib.parse.urlsplit(url).netloc or url


def is_loopback(url: str) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8 or ``::1``."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_plain_http(url: str, allow_http: bool, sending: str) -> None:
    """Raise :class:`~samlcreds.errors.LoginFlowError` when a secret would go to ``url`` unencrypted.

    Allowed: https, loopback hosts, and anything when ``allow_http``
    (``saml_allow_http_idp``, labs only). ``sending`` words who would send
    what (``"ECP would send the password"``).
    """
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme == "https" or allow_http or is_loopback(url):
        return
    raise errors.LoginFlowError(
        f"credentials: {sending} over plain {scheme} to {host_of(url)}; samlcreds refuses to send it unencrypted",
        hint="Use the IdP's https URL (saml_url). For a lab IdP only: --allow-http-idp "
             "(saml_allow_http_idp = true).")


def request_failed(exc: Exception, url: str, timeout: float) -> errors.IdpUnreachable:
    """The error for requests' exception ``exc`` on a request to ``url`` (``timeout`` in seconds)."""
    import requests

    host = host_of(url)
    if isinstance(exc, requests.exceptions.Timeout):
        return errors.IdpUnreachable(f"the IdP at {host} did not answer within {timeout:g} s",
                                     hint="Try again, or raise the timeout (saml_timeout / --timeout).")
    if isinstance(exc, requests.exceptions.SSLError):
        return errors.IdpUnreachable(f"the TLS certificate of {host} could not be verified",
                                     hint="If your company uses its own CA, set REQUESTS_CA_BUNDLE to its bundle.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return errors.IdpUnreachable(f"could not connect to the IdP at {host}",
                                     hint="Check the URL (saml_url), the network and proxy settings (HTTPS_PROXY).")
    return errors.IdpUnreachable(f"the request to {host} failed: {type(exc).__name__}")


def server_error(url: str, status: int) -> errors.IdpUnreachable:
    """The error for an HTTP 5xx answer from the IdP at ``url``."""
    return errors.IdpUnreachable(f"the IdP at {host_of(url)} answered HTTP {status}",
                                 hint="The IdP has a problem; try again later.")
