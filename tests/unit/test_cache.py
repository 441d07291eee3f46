"""The credential cache and its single-flight lock."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from samlcreds import errors
from samlcreds.cache import CredentialCache, usable
from samlcreds.creds import Credentials

KEY = {"profile": "p", "role": "r", "endpoint": ""}


def doc(minutes: float) -> dict:
    return Credentials("ASIAX", "s", "t", datetime.now(timezone.utc) + timedelta(minutes=minutes)).to_process_json()


def test_store_load_modes_and_window(tmp_path):
    cache = CredentialCache(tmp_path / "c" / "credentials")
    path = cache.store(KEY, doc(60), {"role_arn": "arn"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    entry = cache.load(KEY)
    assert entry.meta == {"role_arn": "arn"} and usable(entry)
    cache.store(KEY, doc(10))
    assert not usable(cache.load(KEY))  # inside botocore's 15-minute refresh window
    assert usable(cache.load(KEY), window=300)


def test_corrupt_or_foreign_entries_are_misses(tmp_path):
    cache = CredentialCache(tmp_path)
    path = cache.store(KEY, doc(60))
    for junk in (b"", b"{", b"[]", b'{"key": {}, "credentials": {}}', b"\xff\xfe"):
        path.write_bytes(junk)
        assert cache.load(KEY) is None
    cache.store(KEY, doc(60))
    assert cache.load(dict(KEY, role="other")) is None


def test_clear_by_profile(tmp_path):
    cache = CredentialCache(tmp_path)
    cache.store(KEY, doc(60))
    cache.store(dict(KEY, profile="q"), doc(60))
    assert cache.clear("p") == 1 and cache.load(KEY) is None
    assert cache.load(dict(KEY, profile="q")) is not None


def test_lock_of_a_killed_holder_is_free_at_once(tmp_path):
    code = ("import sys, time; sys.path[:0] = sys.argv[1:2];"
            "from samlcreds.cache import CredentialCache;"
            f"CredentialCache(sys.argv[2]).acquire({KEY!r}); print('held', flush=True); time.sleep(60)")
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    holder = subprocess.Popen([sys.executable, "-c", code, src, str(tmp_path / "credentials")],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    cache = CredentialCache(tmp_path / "credentials")
    with pytest.raises(errors.CacheError, match="signing in"):
        cache.acquire(KEY, timeout=0.2)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    with cache.single_flight(KEY, timeout=5):
        assert time.monotonic() - started < 1
