"""Where samlcreds keeps its own files (all 0700 directories).

``SAMLCREDS_CACHE_DIR`` overrides the base (default: platformdirs' user
cache directory, e.g. ``~/.cache/samlcreds`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(environ: dict | None = None) -> Path:
    """Base directory for cached credentials and IdP sessions."""
    env = os.environ if environ is None else environ
    override = env.get("SAMLCREDS_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("samlcreds", appauthor=False))


def sessions_dir(environ: dict | None = None) -> Path:
    """IdP sessions (cookie jars, browser profiles)."""
    return cache_dir(environ) / "sessions"


def credentials_cache_dir(environ: dict | None = None) -> Path:
    """Cached STS credentials, one file per cache key."""
    return cache_dir(environ) / "credentials"
