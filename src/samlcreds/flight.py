"""The single-flight lock: one sign-in per cache key across threads and processes.

``<cache dir>/locks/<key name>.lock`` holds an OS file lock (``flock(2)``;
filelock's where that is missing), released by the kernel if the holder
dies; threads of one process queue on an in-process lock first. Re-entrant
within a thread. Used through :class:`samlcreds.cache.CredentialCache`
(``acquire``/``release``/``single_flight``); apart from the cache so that a
cache hit loads none of it.
"""

from __future__ import annotations

import os
import time

from samlcreds.cache import key_name


def acquire(directory: str, key: dict[str, str], timeout: float) -> None:
    """Take the lock for ``key`` of the cache in ``directory`` (see :meth:`CredentialCache.acquire`)."""
    from samlcreds import errors

    name = key_name(key)
    held = _held()
    if name in held:
        held[name][1] += 1
        return
    waiting = (f"another samlcreds process has been signing in for profile {key.get('profile')} "
               f"for over {timeout:.0f} s")
    hint = ("Finish or cancel that sign-in (it may be waiting for a password in another terminal), "
            "then try again.")
    thread_lock = _thread_lock(name)
    if not thread_lock.acquire(timeout=max(timeout, 0)):
        raise errors.CacheError(waiting, hint=hint)
    locks = os.path.join(os.path.dirname(directory), "locks")
    try:
        if not os.path.isdir(locks):
            _ensure_private_dir(locks)
        lock = _lock_file(os.path.join(locks, name + ".lock"))
        if not _poll(lock, timeout):
            raise errors.CacheError(waiting, hint=hint)
    except OSError as exc:
        thread_lock.release()
        raise errors.CacheError(f"cannot use the lock file in {locks}: {exc.strerror or exc}",
                                hint="Check that the cache directory is writable.") from None
    except BaseException:
        thread_lock.release()
        raise
    held[name] = [lock, 1, thread_lock]


class Flight:
    """``with cache.single_flight(key):`` — holds the lock for ``key`` inside the block."""

    def __init__(self, cache, key: dict[str, str], timeout: float) -> None:
        self.cache, self.key, self.timeout = cache, key, timeout

    def __enter__(self) -> None:
        self.cache.acquire(self.key, self.timeout)

    def __exit__(self, *exc) -> None:
        self.cache.release(self.key)


def release(key: dict[str, str]) -> None:
    """Release one hold of the lock for ``key``."""
    name = key_name(key)
    held = _held()
    entry = held.get(name)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] == 0:
        del held[name]
        try:
            entry[0].release()
        finally:
            entry[2].release()


_STATE: dict = {}  # "local": threading.local of held locks; "locks": per-key threading.Lock


def _held() -> dict:
    """This thread's held locks: key name -> [file lock, hold count, thread lock]."""
    local = _STATE.get("local")
    if local is None:
        import threading

        local = _STATE.setdefault("local", threading.local())
    if not hasattr(local, "held"):
        local.held = {}
    return local.held


def _thread_lock(name: str):
    """The in-process lock for key ``name`` (threads queue here before the lock file)."""
    import threading

    guard = _STATE.setdefault("guard", threading.Lock())
    with guard:
        return _STATE.setdefault("locks", {}).setdefault(name, threading.Lock())


class _FlockLock:
    """An exclusive ``flock(2)`` lock on a file, from the standard library (Unix).

    The same kind of lock filelock takes on Unix; used here because importing
    filelock 4 costs ~50 ms, paid by each of the processes that wait while
    one of them signs in (32 ``aws`` calls starting at once). Released by the
    kernel if the process dies.
    """

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def try_acquire(self) -> bool:
        import fcntl

        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the descriptor drops the lock
            self.fd = -1

    release = close


class _FileLock:
    """filelock's lock where ``flock(2)`` is missing (Windows)."""

    def __init__(self, path: str) -> None:
        from samlcreds.inifile import file_lock

        self.lock = file_lock(path, 0)

    def try_acquire(self) -> bool:
        import filelock

        from samlcreds.inifile import signals_deferred

        with signals_deferred():  # an interrupt must not land inside filelock's bookkeeping
            try:
                self.lock.acquire(timeout=0)
                return True
            except filelock.Timeout:
                return False

    def close(self) -> None:
        pass

    def release(self) -> None:
        from samlcreds.inifile import signals_deferred

        with signals_deferred():
            self.lock.release()


def _lock_file(path: str):
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return _FileLock(path)
    return _FlockLock(path)


def _poll(lock, timeout: float) -> bool:
    """Try ``lock`` every 50 ms until ``timeout`` seconds pass; Ctrl-C lands between tries."""
    deadline = time.monotonic() + timeout
    try:
        while not lock.try_acquire():
            if time.monotonic() >= deadline:
                lock.close()
                return False
            time.sleep(0.05)
    except BaseException:
        lock.close()
        raise
    return True


def _ensure_private_dir(path: str) -> None:
    from pathlib import Path

    from samlcreds.inifile import ensure_private_dir

    ensure_private_dir(Path(path))


