"""Where samlcreds keeps its own files (all 0700 directories).

``SAMLCREDS_CACHE_DIR`` overrides the base (default: platformdirs' user
cache directory, e.g. ``~/.cache/samlcreds`` on Linux).
"""

from __future__ import annotations

import os
import sys


def cache_dir_str(environ: dict | None = None) -> str:
    """Base directory for cached credentials and IdP sessions, as a string.

    On Linux and other XDG systems this is platformdirs' rule written out
    (``$XDG_CACHE_HOME/samlcreds``, else ``~/.cache/samlcreds``) so that the
    credential_process cache-hit path need not import platformdirs (~10 ms);
    elsewhere platformdirs answers. ``tests/unit/test_paths.py`` checks the two agree.
    """
    env = os.environ if environ is None else environ
    override = env.get("SAMLCREDS_CACHE_DIR")
    if override:
        return os.path.expanduser(override)
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = env.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return os.path.join(base, "samlcreds")
    import platformdirs

    return platformdirs.user_cache_dir("samlcreds", appauthor=False)


def cache_dir(environ: dict | None = None):
    """Base directory for cached credentials and IdP sessions (a ``pathlib.Path``)."""
    from pathlib import Path

    return Path(cache_dir_str(environ))


def sessions_dir(environ: dict | None = None):
    """IdP sessions (cookie jars, browser profiles)."""
    return cache_dir(environ) / "sessions"


def credentials_cache_dir(environ: dict | None = None):
    """Cached STS credentials, one file per cache key."""
    return cache_dir(environ) / "credentials"


def credentials_cache_dir_str(environ: dict | None = None) -> str:
    """:func:`credentials_cache_dir` as a string, without importing pathlib."""
    return os.path.join(cache_dir_str(environ), "credentials")
