"""Safe local files: private directories, atomic writes, interrupts held back while writing.

Files holding secrets (credentials, cache entries, cookie jars) are written
0600 in 0700 directories, atomically: a temporary file in the same directory,
fsynced, renamed over the original, so a reader sees the old or the new file,
never a mix, and a failure (full disk, read-only file system, Ctrl-C) leaves
the original untouched and no temporary file behind.

Standard library only, no ``pathlib`` at import time (the cache imports this
on its write path); functions take :class:`pathlib.Path` arguments.
"""

from __future__ import annotations

import contextlib
import os
import signal

from samlcreds import errors

__all__ = ["atomic_write", "ensure_private_dir", "read_text", "signals_deferred"]


def ensure_private_dir(directory) -> None:
    """Create ``directory`` (a Path) and its missing parents, each with mode 0700.

    Existing directories keep their mode. Raises
    :class:`~samlcreds.errors.LocalFileError`, also when a file (or a
    dangling link) is where the directory should be.
    """
    missing = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    try:
        for path in reversed(missing):
            path.mkdir(mode=0o700, exist_ok=True)
            os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
    except OSError as exc:
        raise errors.LocalFileError(f"cannot create {directory}: {exc.strerror}",
                                    hint="Check that the directory is writable.") from None
    if not directory.is_dir():
        raise errors.LocalFileError(f"cannot use {directory}: it exists and is not a directory",
                                    hint="Move that file away, or point the setting at another path.")


def read_text(path) -> str | None:
    """The text of the file at ``path`` (bytes kept through ``surrogateescape``), or ``None`` if absent.

    Raises :class:`~samlcreds.errors.LocalFileError` when it cannot be read.
    """
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise errors.LocalFileError(f"cannot read {path}: {exc.strerror}") from None


def atomic_write(path, data: bytes, mode: int = 0o600, owner: tuple[int, int] | None = None) -> None:
    """Replace the file at ``path`` (a Path) with ``data``: temp file in the same directory, fsync, rename.

    The new file has ``mode`` and, when given (and the process may: root), ``owner`` (uid, gid): root
    editing a user's file must leave it the user's. The directory is created 0700 when missing.
    SIGINT/SIGTERM wait until the
    rename is done. On any failure the original file is untouched and the
    temp file removed. Raises :class:`~samlcreds.errors.LocalFileError`.
    """
    ensure_private_dir(path.parent)
    with signals_deferred():
        _write_and_rename(path, data, mode, owner)


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT/SIGTERM until the block ends; they are delivered right after.

    A Ctrl-C between creating the temp file and the rename would leave a stray
    temp file holding secrets (or stop before the rename with work done). No-op
    where ``pthread_sigmask`` is missing (Windows) and outside the main thread's
    signal handling (the mask is per thread).
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write_and_rename(path, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    import tempfile

    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, mode)
        if owner is not None and owner != (os.geteuid(), os.getegid()):
            with contextlib.suppress(PermissionError):  # only root may give a file away; others keep it theirs
                os.fchown(fd, *owner)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise errors.LocalFileError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="Check free disk space and permissions; the existing file was left unchanged.",
        ) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _fsync_dir(directory) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
