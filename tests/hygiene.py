"""Secret hygiene over every test that uses the sandbox (imported by tests/conftest.py).

After each test, no password, SAMLResponse, secret key or session token from
the run may appear in: the stderr of any samlcreds run, any argv samlcreds was
started with, any log record, or the command line of any process still alive.
(stdout is exempt: printing credentials is the job of --print, env and process.)
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests import helpers

PASSWORDS = ("alice-pw", "bob-pw", "carol-pw")


def _issued_secrets() -> list[str]:
    from moto.backends import get_backend

    found = []
    for account in ("111111111111", "222222222222"):
        for backend in get_backend("sts")[account].values():
            for role in getattr(backend, "assumed_roles", []):
                found += [role.secret_access_key, role.session_token]
    return [s for s in found if s]


def _saml_responses(request) -> list[str]:
    if "sandbox_sts" not in request.fixturenames:
        return []
    values = [c.get("SAMLAssertion", "") for c in request.getfixturevalue("sandbox_sts").calls]
    out = []
    for value in values:
        if len(value) > 200:
            out += [value, value[100:160]]  # a slice catches partial leaks too
    return out


def _live_cmdlines() -> list[str]:
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(path.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            continue
    return lines


@pytest.fixture(autouse=True)
def secret_hygiene(request, caplog):
    helpers.RUNS.clear()
    caplog.set_level(logging.DEBUG)
    yield
    if "sandbox_env" not in request.fixturenames:
        return
    secrets = [*PASSWORDS, *_issued_secrets(), *_saml_responses(request)]
    places = {f"stderr of {' '.join(map(str, run.args[3:]))}": run.stderr or "" for run in helpers.RUNS}
    places.update({f"argv of run {i}": " ".join(map(str, run.args)) for i, run in enumerate(helpers.RUNS)})
    places["log records"] = "\n".join(record.getMessage() for record in caplog.records)
    places["live process argv"] = "\n".join(_live_cmdlines())
    leaks = [(where, secret[:6] + "...") for where, text in places.items() for secret in secrets if secret in text]
    assert not leaks, f"secrets leaked: {leaks}"
