"""One botocore session and STS client per process, and a model loader that lists only STS."""

from __future__ import annotations

import pytest
from botocore.exceptions import UnknownServiceError

from samlcreds import sts


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    monkeypatch.setattr(sts, "_SHARED", {})


def test_one_session_and_one_client_per_process():
    client = sts.make_client("us-east-1")
    assert sts.make_client("us-east-1") is client
    assert sts.partition_of_region("us-gov-west-1") == "aws-us-gov"  # answered by the same session
    sessions = [key for key in sts._SHARED if key[0] == "session"]
    assert len(sessions) == 1
    assert sts.make_client("eu-west-1") is not client
    assert len([key for key in sts._SHARED if key[0] == "session"]) == 1
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_a_changed_environment_gets_its_own_client(monkeypatch):
    client = sts.make_client("us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:10")
    other = sts.make_client("us-east-1")
    assert other is not client and other.meta.endpoint_url == "http://127.0.0.1:10"


def test_the_shared_loader_knows_sts_only():
    session = sts._shared_session(None)
    loader = session.get_component("data_loader")
    assert loader.list_available_services("service-2") == ["sts"]
    assert loader.list_available_services("waiters-2") == []  # STS has no waiters
    with pytest.raises(UnknownServiceError):
        session.create_client("s3", region_name="us-east-1")
    assert "s3" in sts.botocore_session(None).get_available_services()  # other sessions are untouched
