"""Atomic writes and private directories (samlcreds.safefile)."""

from __future__ import annotations

import os

import pytest

from samlcreds import errors, safefile


def test_atomic_write_makes_private_file_and_dirs(tmp_path):
    target = tmp_path / "a" / "b" / "secret.json"
    safefile.atomic_write(target, b"data")
    assert target.read_bytes() == b"data"
    assert target.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o700


def test_atomic_write_replaces_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "f"
    target.write_bytes(b"old")
    safefile.atomic_write(target, b"new" * 100_000)
    assert target.read_bytes() == b"new" * 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_failed_write_keeps_the_original(tmp_path):
    target = tmp_path / "f"
    target.mkdir()  # rename over a directory fails
    (target / "inside").write_text("keep")
    with pytest.raises(errors.LocalFileError, match="left unchanged"):
        safefile.atomic_write(target, b"new")
    assert (target / "inside").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_existing_directory_keeps_its_mode(tmp_path):
    (tmp_path / "d").mkdir(mode=0o755)
    os.chmod(tmp_path / "d", 0o755)
    safefile.ensure_private_dir(tmp_path / "d")
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755


def test_file_where_the_directory_should_be(tmp_path):
    (tmp_path / "d").write_text("x")
    with pytest.raises(errors.LocalFileError, match="not a directory"):
        safefile.ensure_private_dir(tmp_path / "d")


def test_read_text_absent_and_undecodable(tmp_path):
    assert safefile.read_text(tmp_path / "none") is None
    (tmp_path / "f").write_bytes(b"caf\xe9\n")
    text = safefile.read_text(tmp_path / "f")
    assert text.encode("utf-8", "surrogateescape") == b"caf\xe9\n"


def test_read_text_of_a_directory_is_local_file_error(tmp_path):
    with pytest.raises(errors.LocalFileError, match="cannot read"):
        safefile.read_text(tmp_path)


def test_signals_deferred_restores_the_mask():
    import signal

    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    with safefile.signals_deferred():
        assert signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
