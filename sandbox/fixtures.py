"""pytest fixtures for the samlcreds sandbox; import them in tests/conftest.py with::

    from sandbox.fixtures import *  # noqa: F401,F403

* ``sandbox_idp`` (session): a started :class:`~sandbox.idp.SimpleSamlIdp` (users alice/bob/carol).
* ``sandbox_sts`` (session): a :class:`~sandbox.sts.StrictSts` set up from ``sandbox_idp``,
  with moto's IAM auth enforcement ON for requests to it (not process-wide).
* ``sandbox_env`` (function): isolated environment (HOME, AWS config/credentials files,
  XDG dirs in a per-test tmp dir, AWS_ENDPOINT_URL, SAMLCREDS_URL); yields the dict.
* ``make_idp`` (function): factory starting extra IdPs (other ACS URL, users,
  audience...), registered in ``sandbox_sts`` under a fresh provider name; stopped after the test.
* ``lemonldap_idp`` (session): a started :class:`~sandbox.lemonldap.LemonLdapIdp` (the second,
  independently written IdP: users dwho (+TOTP)/rtyler/msmith), registered in ``sandbox_sts``
  as provider ``LemonLdapIdP``.
* ``lemonldap_env`` (function): ``sandbox_env`` with ``SAMLCREDS_URL`` at LemonLDAP's IdP-initiated URL.

Missing php / SimpleSAMLphp / xmlsec1 / openssl, or LemonLDAP::NG / plackup for the
LemonLDAP fixtures, make the fixtures FAIL (never skip).
"""

from __future__ import annotations

import itertools

import pytest

from sandbox import lemonldap
from sandbox.idp import SimpleSamlIdp, check_prerequisites
from sandbox.sts import StrictSts

__all__ = ["sandbox_idp", "sandbox_sts", "sandbox_env", "make_idp", "lemonldap_idp", "lemonldap_env",
           "SANDBOX_REMOVED_ENV"]

# Variables that would leak real or ambient credentials into a test.
SANDBOX_REMOVED_ENV = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_provider_counter = itertools.count(1)


def _require_tools() -> None:
    problems = check_prerequisites()
    if problems:
        pytest.fail("samlcreds sandbox cannot run: " + "; ".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def sandbox_idp(tmp_path_factory):
    _require_tools()
    idp = SimpleSamlIdp(tmp_path_factory.mktemp("sandbox-idp"))
    idp.start()
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture(scope="session")
def sandbox_sts(sandbox_idp):
    sts = StrictSts().start()
    try:
        sts.setup_from_idp(sandbox_idp)
        sts.reset_auth()
        yield sts
    finally:
        sts.stop()


@pytest.fixture
def sandbox_env(sandbox_sts, sandbox_idp, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    env = {
        "HOME": str(home),
        "AWS_ENDPOINT_URL": sandbox_sts.endpoint_url,
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "SAMLCREDS_URL": sandbox_idp.sso_url,
        "SAMLCREDS_FEDERATION_URL": sandbox_sts.federation_url,
    }
    for name in SANDBOX_REMOVED_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env


@pytest.fixture
def make_idp(tmp_path_factory, request):
    """``make_idp(register=True, **SimpleSamlIdp_kwargs) -> started SimpleSamlIdp``.

    Each IdP gets a unique ``provider_name`` (``ExtraIdP1``, ...) unless given;
    with ``register=True`` it is registered in ``sandbox_sts`` (provider in each
    account its users' Role values name, roles created / trust extended).
    Custom ``users`` should point their Role values at ``provider_arn(account, name)``
    with that provider name.
    """
    started: list[SimpleSamlIdp] = []

    def factory(*, register: bool = True, **kwargs) -> SimpleSamlIdp:
        _require_tools()
        kwargs.setdefault("provider_name", f"ExtraIdP{next(_provider_counter)}")
        idp = SimpleSamlIdp(tmp_path_factory.mktemp("extra-idp"), **kwargs)
        idp.start()
        started.append(idp)
        if register:
            request.getfixturevalue("sandbox_sts").setup_from_idp(idp)
        return idp

    try:
        yield factory
    finally:
        for idp in started:
            idp.stop()


@pytest.fixture(scope="session")
def lemonldap_idp(tmp_path_factory, sandbox_sts):
    problems = lemonldap.check_prerequisites()
    if problems:
        pytest.fail("the LemonLDAP::NG sandbox IdP cannot run: " + "; ".join(problems), pytrace=False)
    idp = lemonldap.LemonLdapIdp(tmp_path_factory.mktemp("lemonldap-idp"))
    idp.start()
    try:
        sandbox_sts.setup_from_idp(idp)
        yield idp
    finally:
        idp.stop()


@pytest.fixture
def lemonldap_env(sandbox_env, lemonldap_idp, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_URL", lemonldap_idp.sso_url)
    yield dict(sandbox_env, SAMLCREDS_URL=lemonldap_idp.sso_url)
