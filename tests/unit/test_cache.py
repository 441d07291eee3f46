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
from samlcreds.cache import FRESH_AGE, MIN_VALIDITY, CacheEntry, CredentialCache, refresh_window, usable
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
    entry = cache.load(KEY)
    assert entry.obtained_at is not None and abs(entry.lifetime() - 3600) < 5
    cache.store(KEY, doc(10), obtained_at=time.time() - 3000)  # a 1-hour credential with 10 minutes left
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


T0 = 1_800_000_000.0  # a fake clock: every check below passes ``now`` explicitly


def entry(lifetime: float, obtained_at: float | None = T0) -> CacheEntry:
    start = T0 if obtained_at is None else obtained_at
    return CacheEntry({}, expires_at=start + lifetime, obtained_at=obtained_at)


def test_window_fits_the_lifetime():
    assert refresh_window(3600) == 900  # botocore's advisory window
    assert refresh_window(43200) == 900
    assert refresh_window(1800) == 600  # a third of the lifetime
    assert refresh_window(900) == MIN_VALIDITY == 300  # STS's minimum duration
    assert refresh_window(600) == MIN_VALIDITY  # never under 5 minutes


def test_900_s_credentials_are_served_until_5_minutes_are_left():
    short = entry(900)
    assert usable(short, now=T0 + 1)  # fresh: the flight a waiter just waited for
    assert usable(short, now=T0 + 120)  # botocore asks again with 13 minutes left: a cache hit
    assert usable(short, now=T0 + 600)  # exactly 5 minutes left
    assert not usable(short, now=T0 + 601)
    assert not usable(short, now=T0 + 2000)  # expired


def test_hour_long_credentials_keep_botocores_window():
    hour = entry(3600)
    assert usable(hour, now=T0 + 2700)
    assert not usable(hour, now=T0 + 2701)
    middle = entry(1800)
    assert usable(middle, now=T0 + 1200) and not usable(middle, now=T0 + 1201)


def test_a_fresh_entry_is_served_whatever_the_window_but_never_under_5_minutes():
    short = entry(900)
    assert usable(short, window=900, now=T0 + FRESH_AGE - 1)  # an explicit window the lifetime cannot meet
    assert not usable(short, window=900, now=T0 + FRESH_AGE)
    assert usable(short, window=0, now=T0 + 600) and not usable(short, window=0, now=T0 + 601)
    tiny = entry(MIN_VALIDITY - 1)  # however fresh, under 5 minutes is never handed out
    assert not usable(tiny, now=T0) and not usable(tiny, window=0, now=T0)
    future = entry(900, obtained_at=T0 + 100)  # the clock went back: not "fresh", the window applies
    assert usable(future, now=T0) and not usable(future, window=2000, now=T0)


def test_entries_without_obtained_at_use_the_requested_duration():
    legacy = entry(900, obtained_at=None)
    assert not usable(legacy, now=T0 + 1)  # lifetime unknown: 3,600 s assumed, window 900 s
    assert usable(legacy, now=T0 + 1, lifetime=900)
    assert not usable(legacy, now=T0 + 601, lifetime=900)
    assert not usable(None, now=T0)


def test_obtained_at_round_trips_and_junk_is_ignored(tmp_path):
    cache = CredentialCache(tmp_path)
    path = cache.store(KEY, doc(15), obtained_at=T0)
    assert cache.load(KEY).obtained_at == T0
    import json

    stored = json.loads(path.read_text())
    for junk in ("soon", None, True, [1]):
        stored["obtained_at"] = junk
        path.write_text(json.dumps(stored))
        assert cache.load(KEY).obtained_at is None
