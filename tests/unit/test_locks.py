"""The one lock interface (samlcreds.locks) and its users' wording of lock failures."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from samlcreds import cache, errors, inifile, locks

HOLD = """
import sys, time
from samlcreds.locks import FileLock
lock = FileLock(sys.argv[1])
assert lock.acquire(5)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _holder(path, seconds=30):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_acquire_release(tmp_path):
    lock = locks.FileLock(tmp_path / "a.lock")
    assert lock.acquire(0) and lock.held
    lock.release()
    assert not lock.held
    assert (tmp_path / "a.lock").stat().st_mode & 0o777 == 0o600


def test_reentrant_in_a_thread(tmp_path):
    lock = locks.FileLock(tmp_path / "a.lock")
    assert lock.acquire(0) and lock.acquire(0)
    lock.release()
    assert lock.held  # one hold left
    lock.release()
    assert not lock.held


def test_release_without_holding_is_a_no_op(tmp_path):
    locks.FileLock(tmp_path / "a.lock").release()


def test_other_thread_waits_then_times_out(tmp_path):
    path = tmp_path / "a.lock"
    assert locks.FileLock(path).acquire(0)
    results = []
    worker = threading.Thread(target=lambda: results.append(locks.FileLock(path).acquire(0.2)))
    started = time.monotonic()
    worker.start()
    worker.join()
    assert results == [False] and time.monotonic() - started >= 0.2
    locks.FileLock(path).release()


def test_other_thread_gets_it_after_release(tmp_path):
    path = tmp_path / "a.lock"
    lock = locks.FileLock(path)
    assert lock.acquire(0)
    results = []
    worker = threading.Thread(target=lambda: results.append(locks.FileLock(path).acquire(5)))
    worker.start()
    time.sleep(0.1)
    lock.release()
    worker.join()
    assert results == [True]


def test_other_process_holds_it(tmp_path):
    path = tmp_path / "a.lock"
    proc = _holder(path)
    try:
        assert locks.FileLock(path).acquire(0.1) is False
    finally:
        proc.kill()
        proc.wait()
    lock = locks.FileLock(path)  # the kernel freed the dead holder's lock
    assert lock.acquire(2)
    lock.release()


def test_holding_raises_lock_timeout(tmp_path):
    path = tmp_path / "a.lock"
    proc = _holder(path)
    try:
        with pytest.raises(locks.LockTimeout):
            with locks.FileLock(path).holding(0.1):
                pass
    finally:
        proc.kill()
        proc.wait()


def test_unwritable_directory_is_oserror(tmp_path):
    with pytest.raises(OSError):
        locks.FileLock(tmp_path / "missing" / "a.lock").acquire(0)


def test_cache_single_flight_busy_is_cache_error(tmp_path):
    store = cache.CredentialCache(tmp_path / "credentials")
    key = {"profile": "p"}
    store.acquire(key, 0)  # creates <cache>/locks
    path = store._lock(key).path
    store.release(key)
    proc = _holder(path)
    try:
        with pytest.raises(errors.CacheError, match="signing in for profile p"):
            store.acquire(key, 0.1)
    finally:
        proc.kill()
        proc.wait()


def test_cache_lock_directory_unusable(tmp_path):
    (tmp_path / "locks").write_text("a file where the directory should be")
    with pytest.raises(errors.LocalFileError):
        cache.CredentialCache(tmp_path / "credentials").acquire({"profile": "p"}, 0)


def test_cache_single_flight_is_reentrant(tmp_path):
    store = cache.CredentialCache(tmp_path / "credentials")
    with store.single_flight({"profile": "p"}, 0):
        with store.single_flight({"profile": "p"}, 0):
            pass


def test_ini_edit_lock_busy_is_local_file_error(tmp_path):
    target = tmp_path / "credentials"
    proc = _holder(str(target) + ".lock")
    try:
        with pytest.raises(errors.LocalFileError, match="holds the lock"):
            with inifile.locked(target, timeout=0.1):
                pass
    finally:
        proc.kill()
        proc.wait()
    assert not target.exists()


EDIT = """
import sys
from pathlib import Path
from samlcreds import errors, inifile
try:
    with inifile.locked(Path(sys.argv[1]), timeout=0.3):
        print("got it")
except errors.LocalFileError as exc:
    print(exc.message)
"""


def test_ini_edits_exclude_each_other_whatever_the_cache_dir_and_the_path_spelling(tmp_path):
    """Why the ini-edit lock is FILE.lock beside the file, not in the cache's locks/: a process with
    another cache directory (SAMLCREDS_CACHE_DIR, a dev container mounting ~/.aws but not ~/.cache) or
    reaching the file by another path (the container's mount: a symlinked directory here) edits the
    same file, and must wait for the lock all the same."""
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True)
    (tmp_path / "mounted").symlink_to(aws)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}

    def edit(path, cache):
        out = subprocess.run([sys.executable, "-c", EDIT, str(path)], capture_output=True, text=True, timeout=60,
                             env=dict(env, SAMLCREDS_CACHE_DIR=str(tmp_path / cache)))
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    with inifile.locked(aws / "credentials", timeout=1):
        assert edit(tmp_path / "mounted" / "credentials", "other-cache").startswith(
            "another process holds the lock on")
    assert edit(tmp_path / "mounted" / "credentials", "other-cache") == "got it"
    assert sorted(p.name for p in aws.iterdir()) == ["credentials.lock"]


def test_reentrant_whatever_the_spelling_of_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, second = locks.FileLock("./a.lock"), locks.FileLock(tmp_path / "sub" / ".." / "a.lock")
    assert first.acquire(0)
    assert second.acquire(0.2) and second.held  # the same file: a second hold, not a wait on itself
    second.release()
    assert first.held
    first.release()
    assert not first.held and not second.held


def test_process_with_a_relative_cache_dir_does_not_wait_on_itself(tmp_path):
    """A cache miss takes the single-flight lock on the light path (plain strings) and again in the full
    command (pathlib): with SAMLCREDS_CACHE_DIR=./cache both must be one lock."""
    (tmp_path / "config").write_text("[profile p]\nsaml_url = http://127.0.0.1:9/sso\nsaml_username = u\n")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "config"), SAMLCREDS_CACHE_DIR="./cache",
               SAMLCREDS_NO_TTY="1")
    out = subprocess.run([sys.executable, "-m", "samlcreds", "process", "--profile", "p", "--lock-timeout", "5"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == errors.ExitCode.AUTHENTICATION, out.stderr  # it reached the (absent) IdP
    assert "could not connect to the IdP" in out.stderr and "another samlcreds process" not in out.stderr
