"""What samlcreds wrote into the shared credentials file, so ``logout`` can take back exactly that.

A record per credentials file and profile of the access key ID samlcreds last
wrote there, in ``<cache dir>/written-profiles.json`` (0600; key IDs are not
secrets). :func:`remove` drops :data:`samlcreds.credfile.WRITTEN_KEYS` from a
profile only while its ``aws_access_key_id`` is still the one recorded: keys
someone else put there since (long-term keys above all) are never touched,
a section left empty goes (:func:`samlcreds.inifile.drop_empty_section`), and
every other byte of the file is kept.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from samlcreds import paths

_FILE = "written-profiles.json"
_lock = threading.Lock()


def _record_path() -> Path:
    return paths.cache_dir() / _FILE


def _load() -> dict:
    try:
        stored = json.loads(_record_path().read_bytes())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _save(stored: dict) -> None:
    from samlcreds.safefile import atomic_write

    atomic_write(_record_path(), json.dumps(stored, indent=1, sort_keys=True).encode(), mode=0o600)


def record(credentials_file: Path, profile: str, access_key_id: str) -> None:
    """Remember that samlcreds wrote ``access_key_id`` into ``[profile]`` of ``credentials_file``."""
    with _lock:
        stored = _load()
        stored.setdefault(str(Path(credentials_file).absolute()), {})[profile] = access_key_id
        _save(stored)


def profiles(credentials_file: Path) -> list[str]:
    """Profiles samlcreds has written into ``credentials_file`` (and not taken back)."""
    return sorted(_load().get(str(Path(credentials_file).absolute()), {}))


def remove(credentials_file: Path, profile: str) -> str:
    """Take back what samlcreds wrote into ``[profile]``.

    Returns ``"removed"``, ``"not written"`` (no record: nothing touched),
    ``"changed"`` (the profile holds other keys now: nothing touched, record
    dropped) or ``"gone"`` (the keys are no longer there). Raises
    :class:`~samlcreds.errors.LocalFileError` / ``FileParseError`` from the file edit.
    """
    from samlcreds import credfile, inifile

    key = str(Path(credentials_file).absolute())
    with _lock:
        stored = _load()
        expected = stored.get(key, {}).get(profile)
        if expected is None:
            return "not written"
        text = inifile.read_text(Path(credentials_file)) or ""
        current = inifile.section_keys(text, profile).get("aws_access_key_id") if text else None
        if current is None:
            outcome = "gone"
        elif current != expected:
            outcome = "changed"
        else:
            inifile.remove_keys(Path(credentials_file), profile, credfile.WRITTEN_KEYS, drop_emptied=True)
            outcome = "removed"
        del stored[key][profile]
        if not stored[key]:
            del stored[key]
        _save(stored)
        return outcome
