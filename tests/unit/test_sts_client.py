"""One botocore session and STS client per process, and a model loader that lists only STS."""

from __future__ import annotations

import pytest
from botocore.exceptions import UnknownServiceError

from samlcreds import stsclient


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setattr(stsclient, "_SHARED", {})


def test_one_session_and_one_client_per_process():
    client = stsclient.make_client("us-east-1")
    assert stsclient.make_client("us-east-1") is client
    assert stsclient.partition_of_region("us-gov-west-1") == "aws-us-gov"  # answered by the same session
    sessions = [key for key in stsclient._SHARED if key[0] == "session"]
    assert len(sessions) == 1
    assert stsclient.make_client("eu-west-1") is not client
    assert len([key for key in stsclient._SHARED if key[0] == "session"]) == 1
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_a_changed_environment_gets_its_own_client(monkeypatch):
    client = stsclient.make_client("us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:10")
    other = stsclient.make_client("us-east-1")
    assert other is not client and other.meta.endpoint_url == "http://127.0.0.1:10"


def test_the_shared_loader_knows_sts_only():
    session = stsclient._shared_session(None)
    loader = session.get_component("data_loader")
    assert loader.list_available_services("service-2") == ["sts"]
    assert loader.list_available_services("waiters-2") == []  # STS has no waiters
    with pytest.raises(UnknownServiceError):
        session.create_client("s3", region_name="us-east-1")
    assert "s3" in stsclient.botocore_session(None).get_available_services()  # other sessions are untouched


def _fresh_python(code: str, **env) -> "subprocess.CompletedProcess":
    """``code`` in a new interpreter (botocore not imported yet), with ``env`` added."""
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "AWS_CONFIG_FILE": os.devnull, **env})


PREPARED = """
import sys, threading
from samlcreds import stsclient
built = []
real = stsclient._new_client
def recording(*args, **kwargs):
    built.append(threading.current_thread().name)
    return real(*args, **kwargs)
stsclient._new_client = recording
stsclient.prepare_client(None)
assert "prepared" in stsclient._SHARED
client = stsclient.make_client("us-east-1")
assert client is stsclient.make_client("us-east-1")
other = stsclient.make_client("eu-west-1")
print(",".join(built), client.meta.region_name, other.meta.region_name)
"""


def test_prepared_client_is_built_in_the_thread_and_handed_to_make_client():
    out = _fresh_python(PREPARED)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["sts-prepare,MainThread", "us-east-1", "eu-west-1"]


def test_an_error_in_the_prepare_thread_is_raised_in_the_caller():
    code = """
from samlcreds import errors, stsclient
stsclient.prepare_client(None)
try:
    stsclient.make_client("us-east-1")
except errors.UsageError as exc:
    print("usage:", exc.message)
"""
    out = _fresh_python(code, AWS_ENDPOINT_URL_STS="stsclient.internal.example")  # no scheme: botocore refuses it
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: botocore cannot build the STS client")


def test_no_prepare_thread_once_botocore_is_imported():
    out = _fresh_python("import botocore.session\nfrom samlcreds import stsclient\nstsclient.prepare_client(None)\n"
                        "print('prepared' in stsclient._SHARED)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
