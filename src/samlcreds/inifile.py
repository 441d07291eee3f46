"""Line-preserving edits of the AWS ini files (atomic and locked).

Only the target section's managed keys change; every other byte (comments,
order, blank lines, other profiles, line endings, a missing final newline)
stays as it was. The file is validated with the same parser botocore uses
(``configparser``) before any change; a file that does not parse is refused
with the line number and left untouched.

Writes are :func:`samlcreds.safefile.atomic_write` (mode 0600, fsync, rename)
under a :class:`samlcreds.locks.FileLock` on ``FILE.lock``, so readers see the
old or the new file, never a mix, and writers never lose each other's edits.
The lock sits beside the file, not in the cache's ``locks/``: every process
editing the file must find it, also one with another cache directory or
another path to the file (a container's mount of ``~/.aws``). A file that is
a symlink (dotfiles kept in a repository) is edited at its target, which stays
where it is (:func:`edited_file`); the file keeps its owner and mode, and one
without its owner's write permission (``chmod a-w``) is refused, not replaced.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path
from typing import Iterable, Mapping

from samlcreds import errors
from samlcreds.safefile import atomic_write, ensure_private_dir, read_text, signals_deferred  # noqa: F401

# atomic_write, ensure_private_dir, read_text and signals_deferred live in
# samlcreds.safefile; they stay importable from here for callers not yet switched.

#: A section header; ``name`` is all between the brackets, spaces included, as configparser (and so
#: botocore) takes it: ``[ profile p ]`` is no section for profile p, and an edit of p must not go there.
_HEADER_RE = re.compile(r"^\s*\[(?P<name>[^\]]*)\]\s*(?:[#;].*)?$")
#: What :func:`~samlcreds.safefile.read_text` makes of bytes that are not UTF-8 (``surrogateescape``).
_NOT_UTF8_RE = re.compile("[\udc80-\udcff]")
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


def validate(text: str, path: Path, *, utf8: bool = False) -> None:
    """Raise :class:`~samlcreds.errors.FileParseError` if ``text`` is not a valid ini file, or, with
    ``utf8``, not UTF-8 (:func:`~samlcreds.errors.not_utf8`; :func:`~samlcreds.safefile.read_text` keeps
    such bytes as surrogates): for the config file, which samlcreds' own reader refuses then too."""
    import configparser

    bad = None if not utf8 or text.isascii() else _NOT_UTF8_RE.search(text)
    if bad is not None:
        raise errors.not_utf8(path, text.count("\n", 0, bad.start()) + 1)

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
    return start, _find_section_end(lines, start)


def _find_section_end(lines: list[str], start: int) -> int:
    """Index of the header after the one at ``start`` (``len(lines)`` when it is the last section)."""
    for index in range(start + 1, len(lines)):
        if _HEADER_RE.match(lines[index]):
            return index
    return len(lines)


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


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT):
    """Hold ``PATH.lock`` (a :class:`samlcreds.locks.FileLock`) for an edit of ``path``.

    Raises :class:`~samlcreds.errors.LocalFileError` when another process
    holds it for ``timeout`` seconds or the lock file cannot be created.
    """
    from samlcreds.locks import FileLock

    ensure_private_dir(path.parent)
    lock = FileLock(str(path) + ".lock")
    try:
        acquired = lock.acquire(timeout)
    except OSError as exc:  # read-only or full file system, permissions
        raise errors.LocalFileError(
            f"cannot create the lock file {path}.lock: {exc.strerror or exc}",
            hint="Check that the directory is writable; nothing was changed.",
        ) from None
    if not acquired:
        raise errors.LocalFileError(
            f"another process holds the lock on {path} for over {timeout:.0f} s",
            hint=f"If no samlcreds is running, remove {path}.lock.",
        )
    try:
        yield
    finally:
        lock.release()


def edited_file(path: Path) -> Path:
    """The file an edit of ``path`` replaces: ``path``, or the file a symlink there leads to (a rename
    over the link would replace it with a copy, and the link would be gone)."""
    return Path(os.path.realpath(path))


def _replace(path: Path, shown: Path, text: str, private: bool = True) -> None:
    """:func:`~samlcreds.safefile.atomic_write` ``text`` over the file at ``path`` (``shown`` in messages),
    keeping its owner and group and its mode (``private``: no more than 0600, for a file holding
    secrets; a new file is 0600), unless the file may not be written: a rename would replace it
    anyway. Raises :class:`~samlcreds.errors.LocalFileError` for one without its owner's write
    permission (``chmod a-w``, which root ignores) or that this user cannot write."""
    try:
        found = path.stat()
    except OSError:
        found = None  # missing: created
    if found is None:
        return atomic_write(path, text.encode("utf-8", "surrogateescape"))
    mode = stat.S_IMODE(found.st_mode)
    if not (mode & stat.S_IWUSR and os.access(path, os.W_OK)):
        from samlcreds.profile import quote_word

        raise errors.LocalFileError(
            f"{shown} is read-only (mode {mode:04o}); samlcreds leaves it unchanged",
            hint=f"Make it writable (chmod u+w {quote_word(str(path))}) and run the command again.")
    atomic_write(path, text.encode("utf-8", "surrogateescape"), mode=mode & 0o600 if private else mode,
                 owner=(found.st_uid, found.st_gid))


def update_section(path: Path, section: str, values: Mapping[str, str],
                   remove: Iterable[str] = (), *, guard=None, matches=None, utf8: bool = False,
                   private: bool = True) -> None:
    """Set ``values`` in ``[section]`` of the ini file at ``path``, atomically and locked.

    ``guard(existing_keys: dict)`` may raise to refuse the change after the
    current file is read under the lock. ``utf8``: refuse a file that is not
    UTF-8 (:func:`validate`; else its other bytes are kept as they are);
    ``private``: a file holding secrets, kept at 0600 or less (:func:`_replace`). A
    symlink is edited at its target (:func:`edited_file`); nothing to change
    writes nothing. Raises :class:`~samlcreds.errors.FileParseError` for an
    unparsable file (nothing changed) and
    :class:`~samlcreds.errors.LocalFileError` for I/O failures and a read-only file.
    """
    shown, path = path, edited_file(path)
    with locked(path):
        text = read_text(path)
        if text is None:
            text = ""
        validate(text, shown, utf8=utf8)
        if guard is not None:
            guard(section_keys(text, section))
        updated = edit_section(text, section, values, remove, matches)
        validate(updated, shown)
        _check_read_back(updated, section, values, matches, shown)
        if updated != text:
            _replace(path, shown, updated, private)


def remove_keys(path: Path, section: str, keys: Iterable[str], *, drop_emptied: bool = False,
                utf8: bool = False, private: bool = True) -> bool:
    """Drop ``keys`` from ``[section]``; returns whether anything changed.

    ``drop_emptied``: when that leaves the section holding nothing (no key, no comment, no comment on
    its header line, only blank lines), remove the section too (:func:`drop_empty_section`).
    The file, ``utf8``, ``private`` and errors are as for :func:`update_section`.
    """
    shown, path = path, edited_file(path)
    with locked(path):
        text = read_text(path)
        if text is None:
            return False
        validate(text, shown, utf8=utf8)
        lines = split_lines(text)
        start, end = _find_section(lines, section)
        if start is None:
            return False
        body = _drop_keys(lines[start + 1:end], {k.lower() for k in keys})
        if body == lines[start + 1:end]:
            return False
        lines[start + 1:end] = body
        updated = "".join(lines)
        if drop_emptied:
            dropped = "".join(drop_empty_section(lines, start))
            if dropped != updated and _parsed(dropped) == _parsed(updated, without=section):
                updated = dropped  # else an odd file (an indented header would join the key before): keep it
        _replace(path, shown, updated, private)
        return True


def _check_read_back(updated: str, section: str, values: Mapping[str, str], matches, shown: Path) -> None:
    """Raise :class:`~samlcreds.errors.FileParseError` unless botocore's parser reads ``values`` back from
    ``[section]`` of ``updated``: an indented header after a key is that key's next line to configparser,
    so keys written below it would land in the section before."""
    parsed = _parsed(updated) or {}
    found: dict[str, str] = {}
    for name, keys in parsed.items():
        if matches(name) if matches else name == section:
            found.update(keys)
    if any(found.get(key.lower()) != str(value).strip() for key, value in values.items()):
        raise errors.FileParseError(
            f"{shown}: the settings would not be read back from [{section}] (an indented [section] line is "
            "part of the line before it to botocore); samlcreds changed nothing",
            hint="Remove the spaces before the file's [section] lines, then run the command again.")


def _parsed(text: str, without: str | None = None) -> dict | None:
    """``{section: {key: value}}`` as botocore's parser reads ``text`` (``None`` if it does not parse)."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return {name: dict(parser.items(name)) for name in parser.sections() if name != without}


def drop_empty_section(lines: list[str], start: int) -> list[str]:
    """``lines`` (:func:`split_lines`) without the section whose header is ``lines[start]``, if it is empty.

    Empty: only blank lines up to the next header and nothing after the header's ``]``. Undoes what
    :func:`edit_section` adds when it appends a section: the header, and the one blank line before it
    when something precedes it; with nothing before it, the blank lines after it go too (they only
    separated it from the next section). Every other line is kept. A section holding anything
    else is returned unchanged.
    """
    end = _find_section_end(lines, start)
    header = lines[start]
    if header.split("]", 1)[1].strip() or any(line.strip() for line in lines[start + 1:end]):
        return lines
    before = lines[:start]
    after = lines[start + 1:]
    if any(line.strip() for line in before):
        if not before[-1].strip():
            before = before[:-1]
    else:
        after = lines[end:]
    return before + after
