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

__all__ = ["sandbox_idp", "sandbox_sts", "sandbox_env", "make_idp", "lemonldap_idp", "lemonldap_env"]

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
def sandbox_env(sandbox_sts, sandbox_idp, isolated_env, monkeypatch):
    """The test's isolated environment (tests/conftest.py ``isolated_env``) pointed at the sandbox IdP and STS."""
    extra = {
        "AWS_ENDPOINT_URL": sandbox_sts.endpoint_url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "SAMLCREDS_URL": sandbox_idp.sso_url,
        "SAMLCREDS_FEDERATION_URL": sandbox_sts.federation_url,
    }
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    isolated_env.update(extra)
    yield isolated_env


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
