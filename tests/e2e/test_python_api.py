"""samlcreds.session() / credentials(): refreshable botocore credentials through the cache."""

from __future__ import annotations

import json
from datetime import timezone

import pytest

import samlcreds
from samlcreds import paths
from samlcreds.errors import InvalidCredentials

BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"


@pytest.fixture
def bob_profile(sandbox_env):
    from samlcreds import config

    config.write_profile_settings("api", {"saml_provider": "form", "saml_url": sandbox_env["SAMLCREDS_URL"],
                                          "saml_username": "bob", "region": "us-east-1"})
    return "api"


def test_session_refreshes_itself_past_the_lifetime(bob_profile, sandbox_idp, sandbox_sts):
    asked = []

    def password(prompt):
        asked.append(prompt)
        return "bob-pw"

    session = samlcreds.session(profile=bob_profile, duration=900, get_password=password)
    creds = session.get_credentials()
    assert creds.method == "custom-saml"
    sts = session.client("sts")
    assert sts.get_caller_identity()["Arn"] == BOB_ARN
    first_key = creds.get_frozen_credentials().access_key
    calls = len(sandbox_sts.calls)
    # 900 s credentials are inside botocore's 15-minute advisory window: it asks again, a cache hit
    assert sts.get_caller_identity()["Arn"] == BOB_ARN
    assert len(sandbox_sts.calls) == calls and creds.get_frozen_credentials().access_key == first_key
    # with under 5 minutes left the cached entry is never handed out: botocore's next ask refreshes
    for path in paths.credentials_cache_dir().iterdir():
        stored = json.loads(path.read_text())
        stored.update(obtained_at=stored["obtained_at"] - 700, expires_at=stored["expires_at"] - 700)
        path.write_text(json.dumps(stored))
    session.client("ec2").describe_instances()
    assert len(sandbox_sts.calls) > calls
    assert creds.get_frozen_credentials().access_key != first_key
    assert len(asked) == 1  # later refreshes reused the IdP session: no more prompts


def test_credentials_value(bob_profile):
    creds = samlcreds.credentials(profile=bob_profile, get_password=lambda prompt: "bob-pw")
    assert creds.expiration.tzinfo is not None and creds.expiration.utcoffset() == timezone.utc.utcoffset(None)
    assert creds.access_key_id and creds.secret_access_key and creds.session_token
    assert "secret_access_key" not in repr(creds)
    with pytest.raises(AttributeError):
        creds.access_key_id = "x"  # frozen


def test_wrong_password_raises_a_typed_error(bob_profile):
    with pytest.raises(InvalidCredentials):
        samlcreds.credentials(profile=bob_profile, role="ReadOnly", get_password=lambda prompt: "wrong")
