"""Line-preserving, atomic, locked edits of the AWS ini files.

Only the target section's managed keys change; every other byte (comments,
order, blank lines, other profiles, line endings, a missing final newline)
stays as it was. The file is validated with the same parser botocore uses
(``configparser``) before any change; a file that does not parse is refused
with the line number and left untouched.

Writes go to a temporary file in the same directory (mode 0600), are fsynced
and renamed over the original under a ``filelock`` lock (``FILE.lock``), so
readers see the old or the new file, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
from pathlib import Path
from typing import Iterable, Mapping

from samlcreds import errors

_HEADER_RE = re.compile(r"^\s*\[\s*(?P<name>[^\]]*?)\s*\]\s*(?:[#;].*)?$")
_KEY_RE = re.compile(r"^(?P<key>[^\s=:#;\[][^=:]*?)\s*[=:]")
LOCK_TIMEOUT = 30.0


def breaks_line(text: str) -> bool:
    """True when ``text`` holds anything that ends a line for Python or for ini readers (or a NUL)."""
    return "\0" in text or "".join(text.splitlines()) != text


def check_entries(section: str, values: Mapping[str, str]) -> None:
    """Refuse a section name or values that would not stay one ini line each.

    A line break (of any kind Python knows) would smuggle in another key or
    section; ``[`` / ``]`` in a section name would end its header early; an
    empty section name or value is a mistake. Raises :class:`~samlcreds.errors.UsageError`.
    """
    name = section.split(" ", 1)[1] if section.startswith("profile ") else section
    if breaks_line(section) or any(c in section for c in "[]") or not name.strip():
        raise errors.UsageError(f"profile name {name!r} cannot be written as an ini section",
                                hint="Use letters, digits and -_.@ in profile names.")
    for key, value in values.items():
        if breaks_line(f"{key}{value}") or not str(value).strip():
            raise errors.UsageError(f"the value for {key} is empty or spans several lines: {str(value)[:40]!r}",
                                    hint="Pass a single-line value.")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split at ``\n`` only (as ``configparser`` reads files).

    ``str.splitlines`` would also split at U+2028, ``\x0b``, ``\x1c``... which
    configparser and botocore treat as ordinary characters.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def read_text(path: Path) -> str | None:
    """The file's text (bytes kept through ``surrogateescape``), or ``None`` if absent."""
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise errors.LocalFileError(f"cannot read {path}: {exc.strerror}") from None


def validate(text: str, path: Path) -> None:
    """Raise :class:`~samlcreds.errors.FileParseError` if ``text`` is not a valid ini file."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=str(path))
    except configparser.MissingSectionHeaderError as exc:
        raise errors.FileParseError(
            f"{path} line {exc.lineno} is outside any [section]: {exc.line.strip()[:40]!r}",
            hint="Fix or remove that line; samlcreds changed nothing.",
        ) from None
    except configparser.ParsingError as exc:
        lineno = exc.errors[0][0] if exc.errors else "?"
        raise errors.FileParseError(
            f"{path} does not parse at line {lineno}",
            hint="Fix that line; samlcreds changed nothing.",
        ) from None
    except configparser.Error as exc:
        raise errors.FileParseError(
            f"{path} does not parse: {exc.message.splitlines()[0]}",
            hint="Fix the file; samlcreds changed nothing.",
        ) from None


def section_keys(text: str, section: str) -> dict[str, str]:
    """Keys and values of ``section`` (the last one if repeated), lower-cased keys."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    parser.read_string(text)
    if not parser.has_section(section):
        return {}
    return dict(parser.items(section))


def edit_section(text: str, section: str, values: Mapping[str, str],
                 remove: Iterable[str] = (), matches=None) -> str:
    """Return ``text`` with ``section`` holding ``values`` and without ``remove`` keys.

    Existing lines for keys in ``values`` or ``remove`` (and their
    continuation lines) are dropped from the section; the new ``key = value``
    lines go after the section's last non-blank line. A missing section is
    appended. Other lines are returned byte for byte.
    """
    check_entries(section, values)
    newline = "\r\n" if "\r\n" in text else "\n"
    drop = {k.lower() for k in values} | {k.lower() for k in remove}
    lines = split_lines(text)
    start, end = _find_section(lines, section, matches)
    new_lines = [f"{key} = {value}{newline}" for key, value in values.items()]
    if start is None:
        prefix = text
        if prefix and not prefix.endswith(("\n", "\r")):
            prefix += newline
        if prefix.strip():
            prefix += newline
        return prefix + f"[{section}]{newline}" + "".join(new_lines)
    body = _drop_keys(lines[start + 1:end], drop)
    last = len(body)
    while last > 0 and not body[last - 1].strip():
        last -= 1
    if last and not body[last - 1].endswith(("\n", "\r")):
        body[last - 1] += newline
    header = lines[start]
    if not header.endswith(("\n", "\r")):
        header += newline
    body[last:last] = new_lines
    return "".join(lines[:start] + [header] + body + lines[end:])


def _find_section(lines: list[str], section: str, matches=None) -> tuple[int | None, int]:
    """Index of the last ``[section]`` header and the index where it ends."""
    start = None
    for index, line in enumerate(lines):
        match = _HEADER_RE.match(line)
        if match and (matches(match["name"]) if matches else match["name"] == section):
            start = index
    if start is None:
        return None, len(lines)
    end = len(lines)
    for index in range(start + 1, len(lines)):
        if _HEADER_RE.match(lines[index]):
            end = index
            break
    return start, end


def _drop_keys(body: list[str], drop: set[str]) -> list[str]:
    kept: list[str] = []
    dropping = False
    for line in body:
        is_continuation = line[:1] in (" ", "\t") and line.strip() and not line.lstrip().startswith(("#", ";"))
        if dropping and is_continuation:
            continue
        dropping = False
        match = _KEY_RE.match(line)
        if match and match["key"].strip().lower() in drop:
            dropping = True
            continue
        kept.append(line)
    return kept


def ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` and its missing parents, each with mode 0700.

    Existing directories keep their mode. Raises
    :class:`~samlcreds.errors.LocalFileError`.
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
    if not directory.is_dir():  # a file (or a dangling link) where the directory should be
        raise errors.LocalFileError(f"cannot use {directory}: it exists and is not a directory",
                                    hint="Move that file away, or point the setting at another path.")


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: temp file in the same directory, fsync, rename.

    On any failure the original file is untouched and the temp file removed.
    Raises :class:`~samlcreds.errors.LocalFileError`.
    """
    ensure_private_dir(path.parent)
    with signals_deferred():
        _write_and_rename(path, data, mode)


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT/SIGTERM until the block ends; they are delivered right after.

    A Ctrl-C between creating the temp file and the rename would leave a stray
    temp file holding secrets (or stop before the rename with work done).
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write_and_rename(path: Path, data: bytes, mode: int) -> None:
    import tempfile

    fd, tmp = -1, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, mode)
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


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT):
    """Hold ``PATH.lock`` (filelock; released if the holder dies).

    SIGINT/SIGTERM are held back from taking the lock to releasing it (the
    edit takes milliseconds): an interrupt inside the lock library's own
    bookkeeping could leave it stuck. They are delivered right after.
    """
    ensure_private_dir(path.parent)
    lock = file_lock(str(path) + ".lock", timeout)
    with signals_deferred():
        with _acquired(lock, path, timeout):
            yield


_FILE_LOCKS: dict = {}


def file_lock(path: str, timeout: float):
    """One ``filelock.FileLock`` per lock file for the life of the process.

    filelock's ``__del__`` runs Python code; a Ctrl-C handled inside it is
    "ignored" by Python and lost. Keeping the objects alive means no
    finalizer runs between two edits (seen: a write loop that survived SIGINT).
    """
    import filelock

    lock = _FILE_LOCKS.get(path)
    if lock is None:
        lock = _FILE_LOCKS.setdefault(path, filelock.FileLock(path, mode=0o600))
    lock.timeout = timeout
    return lock


@contextlib.contextmanager
def _acquired(lock, path: Path, timeout: float):
    import filelock

    try:
        lock.acquire()
    except filelock.Timeout:
        raise errors.LocalFileError(
            f"another process holds the lock on {path} for over {timeout:.0f} s",
            hint=f"If no samlcreds is running, remove {path}.lock.",
        ) from None
    except OSError as exc:  # read-only or full file system, permissions
        raise errors.LocalFileError(
            f"cannot create the lock file {path}.lock: {exc.strerror or exc}",
            hint="Check that the directory is writable; nothing was changed.",
        ) from None
    try:
        yield
    finally:
        lock.release()


def update_section(path: Path, section: str, values: Mapping[str, str],
                   remove: Iterable[str] = (), *, guard=None, matches=None) -> None:
    """Set ``values`` in ``[section]`` of the ini file at ``path``, atomically and locked.

    ``guard(existing_keys: dict)`` may raise to refuse the change after the
    current file is read under the lock. Raises
    :class:`~samlcreds.errors.FileParseError` for an unparsable file (nothing
    changed) and :class:`~samlcreds.errors.LocalFileError` for I/O failures.
    """
    with locked(path):
        text = read_text(path)
        if text is None:
            text = ""
        validate(text, path)
        if guard is not None:
            guard(section_keys(text, section))
        updated = edit_section(text, section, values, remove, matches)
        validate(updated, path)
        atomic_write(path, updated.encode("utf-8", "surrogateescape"))


def remove_keys(path: Path, section: str, keys: Iterable[str]) -> bool:
    """Drop ``keys`` from ``[section]``; returns whether anything changed."""
    with locked(path):
        text = read_text(path)
        if text is None:
            return False
        validate(text, path)
        lines = split_lines(text)
        start, end = _find_section(lines, section)
        if start is None:
            return False
        body = _drop_keys(lines[start + 1:end], {k.lower() for k in keys})
        updated = "".join(lines[: start + 1] + body + lines[end:])
        if updated == text:
            return False
        atomic_write(path, updated.encode("utf-8", "surrogateescape"))
        return True
