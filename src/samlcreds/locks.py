"""The one lock interface: an exclusive lock on a lock file, shared by threads and processes.

Used for the credential cache's single flight (one sign-in while other
``samlcreds process`` calls wait), for ini-file edits (``FILE.lock``) and for
browser profiles (one browser per profile).

- Between processes: ``flock(2)`` on the lock file (standard library; the same
  kind of lock ``filelock`` takes on Unix, so both interoperate), released by
  the kernel if the holder dies. Where ``fcntl`` is missing (Windows),
  ``filelock``. filelock 4 costs ~50 ms to import, paid by every waiting
  process, hence flock where it exists.
- Between threads of one process: they queue on an in-process lock first, so
  only one thread polls the file.
- Re-entrant within a thread: a second :meth:`FileLock.acquire` by the holder
  counts up, whichever spelling of the path it uses (``./c/x.lock``, ``c/x.lock``);
  each hold needs its :meth:`FileLock.release`.
- Waiting polls every 50 ms (many waiters polling faster took a third of two
  cores from the one signing in); a Ctrl-C lands between tries, never inside
  the lock call.

Standard library only at import time: the cache-miss path of
``samlcreds process`` imports this module.
"""

from __future__ import annotations

import contextlib
import os
import time

__all__ = ["FileLock", "LockTimeout", "POLL_SECONDS"]

#: Seconds between two tries of a busy lock.
POLL_SECONDS = 0.05


class LockTimeout(Exception):
    """The lock stayed busy for the whole timeout (callers word their own error)."""


class FileLock:
    """An exclusive lock on the lock file at ``path`` (a str or Path; created 0600, never deleted).

    The directory must exist. :meth:`acquire` raises ``OSError`` when the
    lock file cannot be created (read-only or full file system, permissions).
    """

    def __init__(self, path, *, poll: float = POLL_SECONDS) -> None:
        # one spelling per file: ./c/x.lock and c/x.lock are one lock for re-entry, as they are for flock(2)
        self.path = os.path.abspath(os.fspath(path))
        self.poll = poll

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds; False if it stayed busy."""
        held = _held()
        entry = held.get(self.path)
        if entry is not None:
            entry[1] += 1
            return True
        deadline = time.monotonic() + max(timeout, 0)
        thread_lock = _thread_lock(self.path)
        if not thread_lock.acquire(timeout=max(timeout, 0)):
            return False
        try:
            handle = _os_lock(self.path)
            if not _poll(handle, deadline, self.poll):
                thread_lock.release()
                return False
        except BaseException:
            thread_lock.release()
            raise
        held[self.path] = [handle, 1, thread_lock]
        return True

    def release(self) -> None:
        """Give back one hold; the last one frees the lock. Not holding it is a no-op."""
        held = _held()
        entry = held.get(self.path)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del held[self.path]
            try:
                entry[0].release()
            finally:
                entry[2].release()

    @property
    def held(self) -> bool:
        """True when this thread holds the lock."""
        return self.path in _held()

    @contextlib.contextmanager
    def holding(self, timeout: float):
        """Hold the lock for the block; :class:`LockTimeout` if it stays busy ``timeout`` seconds."""
        if not self.acquire(timeout):
            raise LockTimeout(self.path)
        try:
            yield self
        finally:
            self.release()


_STATE: dict = {}  # "local": threading.local with .held; "guard"/"locks": per-path threading.Lock


def _held() -> dict:
    """This thread's held locks: path -> [OS lock, hold count, thread lock]."""
    local = _STATE.get("local")
    if local is None:
        import threading

        local = _STATE.setdefault("local", threading.local())
    if not hasattr(local, "held"):
        local.held = {}
    return local.held


def _thread_lock(path: str):
    import threading

    guard = _STATE.setdefault("guard", threading.Lock())
    with guard:
        return _STATE.setdefault("locks", {}).setdefault(path, threading.Lock())


class _Flock:
    """``flock(2)`` on an open descriptor; closing the descriptor drops the lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = -1

    def try_acquire(self) -> bool:
        import fcntl

        from samlcreds.safefile import signals_deferred

        with signals_deferred():  # an interrupt must not leave an open, locked descriptor unrecorded
            if self.fd < 0:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
        return True

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    close = release


class _FilelockLock:
    """filelock's lock where ``flock(2)`` is missing (Windows); one object per path for the process.

    filelock's ``__del__`` runs Python code, and a Ctrl-C handled inside it is
    lost: keeping the objects alive means no finalizer runs between two holds.
    """

    _objects: dict = {}

    def __init__(self, path: str) -> None:
        import filelock

        self.lock = self._objects.get(path) or self._objects.setdefault(path, filelock.FileLock(path, mode=0o600))

    def try_acquire(self) -> bool:
        import filelock

        from samlcreds.safefile import signals_deferred

        with signals_deferred():
            try:
                self.lock.acquire(timeout=0)
                return True
            except filelock.Timeout:
                return False

    def release(self) -> None:
        from samlcreds.safefile import signals_deferred

        with signals_deferred():
            with contextlib.suppress(Exception):
                self.lock.release()

    def close(self) -> None:
        pass


def _os_lock(path: str):
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return _FilelockLock(path)
    return _Flock(path)


def _poll(lock, deadline: float, poll: float) -> bool:
    """Try ``lock`` every ``poll`` seconds until ``deadline`` (monotonic); Ctrl-C lands between tries."""
    try:
        while not lock.try_acquire():
            if time.monotonic() >= deadline:
                lock.close()
                return False
            time.sleep(poll)
    except BaseException:
        lock.close()
        raise
    return True
