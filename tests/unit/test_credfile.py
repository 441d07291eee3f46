"""Golden tests for editing the shared credentials file: every other byte kept."""

from __future__ import annotations

import stat
from datetime import datetime, timezone

import botocore.session
import pytest

from samlcreds import credfile, errors
from samlcreds.creds import Credentials

CREDS = Credentials("ASIANEWKEY", "new/secret+key", "new-token", datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
NEW = ("aws_access_key_id = ASIANEWKEY\naws_secret_access_key = new/secret+key\n"
       "aws_session_token = new-token\naws_credential_expiration = 2030-01-02T03:04:05Z\n")


def write(tmp_path, text: str | bytes):
    path = tmp_path / "credentials"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def botocore_reads(path, monkeypatch, profile):
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path.parent / "none"))
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    creds = botocore.session.Session(profile=profile).get_credentials()
    return creds.access_key, creds.secret_key, creds.token


def test_new_file_is_created_private(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "credentials"
    credfile.write_profile("work", CREDS, path=path)
    assert path.read_text() == "[work]\n" + NEW
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert botocore_reads(path, monkeypatch, "work") == ("ASIANEWKEY", "new/secret+key", "new-token")


def test_comments_order_and_other_profiles_are_kept(tmp_path, monkeypatch):
    before = ("# my keys\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n\n"
              "; work below\n[work]  # temp\naws_access_key_id = ASIAOLD\n# keep me\n"
              "aws_secret_access_key = old\naws_session_token = oldtoken\n"
              "aws_security_token = oldtoken\nx_security_token_expires = 2020-01-01\nregion = eu-west-1\n\n"
              "[other]\naws_access_key_id = ASIAOTHER\n")
    path = write(tmp_path, before)
    path.chmod(0o644)
    credfile.write_profile("work", CREDS, path=path)
    after = path.read_text()
    expected = before.replace(
        "aws_access_key_id = ASIAOLD\n# keep me\naws_secret_access_key = old\naws_session_token = oldtoken\n"
        "aws_security_token = oldtoken\nx_security_token_expires = 2020-01-01\nregion = eu-west-1\n",
        "# keep me\nregion = eu-west-1\n" + NEW)
    assert after == expected
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert botocore_reads(path, monkeypatch, "work")[0] == "ASIANEWKEY"
    assert botocore_reads(path, monkeypatch, "default")[0] == "AKIADEFAULT"


def test_missing_final_newline(tmp_path):
    path = write(tmp_path, "[a]\naws_access_key_id = ASIAX\naws_secret_access_key = y")
    credfile.write_profile("b", CREDS, path=path)
    assert path.read_text() == "[a]\naws_access_key_id = ASIAX\naws_secret_access_key = y\n\n[b]\n" + NEW
    path = write(tmp_path, "[b]\nregion = x")
    credfile.write_profile("b", CREDS, path=path)
    assert path.read_text() == "[b]\nregion = x\n" + NEW


def test_crlf_and_non_utf8_bytes_survive(tmp_path):
    path = write(tmp_path, b"# caf\xe9\r\n[x]\r\nfoo = 1\r\n[b]\r\naws_access_key_id = ASIAOLD\r\naws_session_token = t\r\n")
    credfile.write_profile("b", CREDS, path=path)
    data = path.read_bytes()
    assert data.startswith(b"# caf\xe9\r\n[x]\r\nfoo = 1\r\n[b]\r\n")
    assert NEW.replace("\n", "\r\n").encode() in data


def test_unparsable_file_is_refused_and_kept(tmp_path):
    before = "[ok]\nx = 1\nthis line is junk\n"
    path = write(tmp_path, "aws_access_key_id = loose\n" + before)
    with pytest.raises(errors.FileParseError, match="line 1"):
        credfile.write_profile("work", CREDS, path=path)
    assert path.read_text() == "aws_access_key_id = loose\n" + before
    path = write(tmp_path, before)
    with pytest.raises(errors.FileParseError, match="line 3"):
        credfile.write_profile("work", CREDS, path=path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credentials", "credentials.lock"]


def test_long_term_keys_are_not_overwritten(tmp_path):
    before = "[work]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = s\n"
    path = write(tmp_path, before)
    with pytest.raises(errors.LocalFileError, match="long-term"):
        credfile.write_profile("work", CREDS, path=path)
    assert path.read_text() == before
    credfile.write_profile("work", CREDS, path=path, overwrite_long_term=True)
    assert "AKIALONGTERM" not in path.read_text()


def test_failed_write_keeps_the_file(tmp_path, monkeypatch):
    import os

    before = "[a]\nx = 1\n"
    path = write(tmp_path, before)

    def full_disk(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(errors.LocalFileError, match="No space left"):
        credfile.write_profile("a", CREDS, path=path)
    monkeypatch.undo()
    assert path.read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
