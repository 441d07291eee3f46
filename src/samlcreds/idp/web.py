"""What the providers speaking HTTP to the IdP with requests (``form``, ``ecp``) share.

Hosts of URLs, the refusal to send a secret unencrypted, the missing user name,
reading an answer within a size and a time, and requests' failures, in words.
requests is imported only when an answer is read or a failure is worded.
"""

from __future__ import annotations

import time
import urllib.parse

from samlcreds import errors
from samlcreds.idp.base import LoginRequest, idp_host
from samlcreds.profile import quote_word


def host_of(url: str) -> str:
    """``host[:port]`` of ``url`` as :func:`~samlcreds.idp.base.idp_host` gives it, for messages; a URL
    without a host (``about:blank``) as it is, and one that does not parse as a placeholder (it may hold
    ``user:password``)."""
    try:
        urllib.parse.urlsplit(url)
    except ValueError:
        return "(an address that does not parse)"
    return idp_host(url) or url


def no_username_hint(request: LoginRequest) -> str:
    """The hint for a sign-in that needs a user name and has none: the flag, or configure for the profile
    that signs in (``request.profile_name``: for a chained profile its source, not the profile asked for)."""
    if request.profile_name:
        return (f"Pass --username or run 'samlcreds configure --profile {quote_word(request.profile_name)} "
                "--username NAME'.")
    return "Pass --username or set saml_username in the profile."


def refuse_plain_http(request: LoginRequest, url: str, sending: str) -> None:
    """Raise :class:`~samlcreds.errors.LoginFlowError` when a secret may not go to ``url``.

    The rule is :meth:`LoginRequest.secret_may_go_to` (https; plain http only
    to loopback or with ``saml_allow_http_idp``). ``sending`` words who would
    send what (``"ECP would send the password"``).
    """
    if request.secret_may_go_to(url):
        return
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme != "http":
        where = f"an address starting {scheme}:" if scheme else "an address without https://"
        raise errors.LoginFlowError(f"credentials: {sending} to {where}; samlcreds sends secrets only over https",
                                    hint=f"Use the IdP's https URL ({request.url_named}).")
    raise errors.LoginFlowError(
        f"credentials: {sending} over plain http to {host_of(url)}; samlcreds refuses to send it unencrypted",
        hint=f"Use the IdP's https URL ({request.url_named}). For a lab IdP only: --allow-http-idp "
             "(saml_allow_http_idp = true).")


#: Bytes asked of the socket at a time while an answer is read (:func:`read_body`).
READ_SIZE = 65536


def read_body(response, limit: int, timeout: float, clock=time.monotonic) -> bytes:
    """The body of ``response`` (requests, sent with ``stream=True``): its first ``limit`` bytes at most,
    all of which must arrive within ``timeout`` seconds of the request being sent.

    requests' ``timeout`` bounds the connection and each wait for data, not the
    answer: a server sending a byte every few seconds, or a page without end,
    would hold a sign-in (and memory) for ever. urllib3's ``read1`` (2.3 and
    later) hands over what has arrived, so the deadline is checked between
    arrivals; a read already waiting may wait ``timeout`` more, so an answer
    ends within twice ``timeout`` at most. ``read1`` bounds what it inflates
    from a compressed answer by ``limit`` too (urllib3 2.6). The connection is
    closed when the body is cut. Raises ``requests.exceptions.ReadTimeout``
    (with :data:`PAST_DEADLINE` set) past the deadline and
    ``requests.exceptions.ChunkedEncodingError`` when the answer breaks off,
    both carrying the request (:func:`request_failed` names its host).
    """
    import requests
    from urllib3.exceptions import HTTPError, ReadTimeoutError

    deadline = clock() - response.elapsed.total_seconds() + timeout
    chunks, size = [], 0
    failure = {"request": response.request, "response": response}
    try:
        while size < limit:
            if clock() > deadline:
                late = requests.exceptions.ReadTimeout("the answer took too long", **failure)
                setattr(late, PAST_DEADLINE, True)
                raise late
            chunk = response.raw.read1(min(READ_SIZE, limit - size), decode_content=True)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
    except requests.exceptions.RequestException:  # the deadline's own (an OSError too)
        raise
    except ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc, **failure) from None
    except (HTTPError, OSError) as exc:
        raise requests.exceptions.ChunkedEncodingError(exc, **failure) from None
    response.close()  # the rest is not read: the connection cannot be used again
    return b"".join(chunks)


#: Set on the ``ReadTimeout`` :func:`read_body` raises when the whole answer took too long.
PAST_DEADLINE = "samlcreds_past_deadline"


def request_failed(exc: Exception, url: str, timeout: float, url_named: str = "saml_url",
                   sign_in_url: str | None = None) -> errors.IdpUnreachable:
    """The error for requests' exception ``exc`` on a request to ``url`` (``timeout`` in seconds).

    ``url_named``: the sign-in URL's setting as the hint names it (:attr:`LoginRequest.url_named`).
    ``sign_in_url``: where the sign-in began; when the request that failed (a redirect's, which ``exc``
    knows, or ``url``) went to another host, hints do not blame the sign-in URL.
    """
    import requests

    url = getattr(getattr(exc, "request", None), "url", None) or url  # the request that failed: a redirect's too
    host = host_of(url)
    later = sign_in_url is not None and _as_sent(url) != _as_sent(sign_in_url)
    led = f"The IdP's pages lead on from {url_named} to {host}; " if later else ""
    if isinstance(exc, requests.exceptions.Timeout):
        said = "did not finish its answer" if getattr(exc, PAST_DEADLINE, False) else "did not answer"
        return errors.IdpUnreachable(f"the IdP at {host} {said} within {timeout:g} s",
                                     hint="Try again, or raise the timeout (saml_timeout / --timeout).")
    if isinstance(exc, requests.exceptions.SSLError):
        return errors.IdpUnreachable(f"the TLS certificate of {host} could not be verified",
                                     hint="If your company uses its own CA, set REQUESTS_CA_BUNDLE to its bundle.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return errors.IdpUnreachable(f"could not connect to the IdP at {host}",
                                     hint=(f"{led}check" if led else f"Check the URL ({url_named}),")
                                     + " the network and proxy settings (HTTPS_PROXY).")
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return errors.IdpUnreachable(f"the IdP at {host} broke off its answer",
                                     hint="Try again; if it goes on, check the network and proxy settings "
                                     "(HTTPS_PROXY).")
    return errors.IdpUnreachable(f"the request to {host} failed: {type(exc).__name__}",
                                 hint=f"{led}try again later." if led else
                                 f"Check the URL ({url_named}) and try again.")


def _as_sent(url: str) -> str:
    """The host of ``url`` as requests sends it (IDNA, percent-encoding), to compare two URLs' hosts."""
    import requests

    prepared = requests.models.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except Exception:  # noqa: BLE001 - requests' InvalidURL, or a ValueError from urllib
        return host_of(url)
    return host_of(prepared.url or url)


def server_error(url: str, status: int) -> errors.IdpUnreachable:
    """The error for an HTTP 5xx answer from the IdP at ``url``."""
    return errors.IdpUnreachable(f"the IdP at {host_of(url)} answered HTTP {status}",
                                 hint="The IdP has a problem; try again later.")
