"""Secret hygiene over every test that runs samlcreds (imported by tests/conftest.py, autouse).

After each test that ran samlcreds (a subprocess or in-process run recorded in
``tests.helpers.RUNS``), used the sandbox, or logged through the ``samlcreds``
logger, no password, SAMLResponse, secret key or session token known to the
test may appear in: the stderr of any run, any argv samlcreds was started
with, any log record, or the command line of any process the test started that is still alive.
(stdout is exempt: printing credentials is the job of --print, env and process.)

Known secrets: the sandbox users' passwords, what the sandbox STS issued,
the SAMLResponses it received, and what a test registered in
``tests.helpers.SECRETS`` (e.g. the keys of a seeded cache entry).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from tests import helpers

PASSWORDS = ("alice-pw", "bob-pw", "carol-pw")
SANDBOX_FIXTURES = ("sandbox_env", "sandbox_sts", "sandbox_idp")
#: Loggers of the sandbox's AWS side, which runs in the test process (moto's server): it receives the keys and
#: session tokens samlcreds signs with, as AWS does, and at DEBUG logs the requests' headers. That is the
#: server's view, not samlcreds' output (the detached IAM alias lookup's request can land in any test's logs).
SERVER_LOGGERS = ("moto", "werkzeug")


def _issued_secrets() -> list[str]:
    if "moto" not in sys.modules:  # no STS ran in this process: nothing issued
        return []
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


def _ours(pid: str, home: bytes | None) -> bool:
    """A process this test started: a descendant of pytest, or one running with the test's HOME
    (a child that outlived its parent). Other processes on the machine are not this test's."""
    me = str(os.getpid())
    current = pid
    for _ in range(64):
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            break
        parent = stat.rsplit(")", 1)[1].split()[1]
        if parent == me:
            return True
        if parent in ("0", "1", current):
            break
        current = parent
    if home is None:
        return False
    try:
        return home in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _live_cmdlines() -> list[str]:
    home = os.environ.get("HOME", "")
    marker = f"HOME={home}".encode() if "pytest-of-" in home else None  # only an isolated test HOME
    lines = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        pid = path.parent.name
        if pid == str(os.getpid()) or not _ours(pid, marker):
            continue
        try:
            lines.append(path.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            continue
    return lines


def leaks(places: dict[str, str], secrets) -> list[tuple[str, str]]:
    """``(where, start of secret)`` for each secret found in a place's text."""
    return [(where, secret[:6] + "...") for where, text in places.items() for secret in secrets
            if secret and secret in text]


def log_text(records) -> str:
    """The messages of ``records`` that samlcreds' side of a test produced (all but :data:`SERVER_LOGGERS`')."""
    return "\n".join(record.getMessage() for record in records if record.name.split(".")[0] not in SERVER_LOGGERS)


@pytest.fixture(autouse=True)
def secret_hygiene(request, caplog):
    helpers.RUNS.clear()
    helpers.SECRETS.clear()
    caplog.set_level(logging.DEBUG)
    yield
    ours = [record for record in caplog.records if record.name.startswith("samlcreds")]
    sandbox = any(name in request.fixturenames for name in SANDBOX_FIXTURES)
    if not (helpers.RUNS or sandbox or ours):
        return  # samlcreds did not run: nothing to check
    secrets = [*PASSWORDS, *helpers.SECRETS, *_issued_secrets(), *_saml_responses(request)]
    places = {f"stderr of {' '.join(map(str, run.args[3:]))}": run.stderr or "" for run in helpers.RUNS}
    places.update({f"argv of run {i}": " ".join(map(str, run.args)) for i, run in enumerate(helpers.RUNS)})
    places["log records"] = log_text(caplog.records)
    if helpers.RUNS or sandbox:
        places["live process argv"] = "\n".join(_live_cmdlines())
    found = leaks(places, secrets)
    assert not found, f"secrets leaked: {found}"
