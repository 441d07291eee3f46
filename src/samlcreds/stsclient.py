"""The process's botocore session and unsigned STS clients: built once, prepared while the IdP is asked.

:func:`make_client` keeps one client per set of arguments for the life of
the process (botocore loads its JSON models once, and its clients are
thread-safe); :func:`prepare_client` builds it in a background thread during
a sign-in. The STS call itself and its errors: :mod:`samlcreds.sts`.
"""

from __future__ import annotations

import logging

from samlcreds import errors
from samlcreds.config import DEFAULT_TIMEOUT

#: Connect/read timeout of the STS call, seconds, when none is configured (saml_timeout's one default).
DEFAULT_STS_TIMEOUT = DEFAULT_TIMEOUT
log = logging.getLogger(__name__)


def partition_of_region(region: str, profile: str | None = None) -> str | None:
    """The partition botocore's endpoint data puts ``region`` in (``None`` if unknown)."""
    try:
        return _shared_session(profile).get_partition_for_region(region)
    except errors.SamlcredsError:
        raise
    except Exception:  # botocore raises UnknownRegionError (name varies by version)
        return None


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
    import urllib3  # noqa: F401 - imported in this thread first: see above

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
