"""What the form provider keeps on disk: the IdP's cookies per account, and debug copies of pages."""

from __future__ import annotations

import http.cookiejar
import os
import re
from pathlib import Path

from samlcreds.idp.base import LoginRequest, account_state_path


#: The cookie jar of one IdP account in the state dir (see :func:`~samlcreds.idp.base.account_state_path`).
COOKIE_JAR = "cookies-{key}.txt"


def cookie_jar_path(request: LoginRequest) -> Path | None:
    """``state_dir/cookies-<hash of IdP host and user>.txt``, or ``None`` without a state_dir or URL."""
    return account_state_path(request.state_dir, request.url, request.username, COOKIE_JAR)


def load_cookies(path: Path | None):
    """The LWP cookie jar at ``path`` (empty when missing or corrupt), or ``None`` without a path."""
    if path is None:
        return None
    jar = http.cookiejar.LWPCookieJar(str(path))
    try:
        jar.load(ignore_discard=True, ignore_expires=False)
    except (OSError, http.cookiejar.LoadError):
        return jar  # missing or corrupt: start with an empty jar
    return jar


def save_cookies(cookies, path: Path) -> None:
    """Write ``cookies`` to ``path`` atomically, 0600 in a 0700 directory."""
    from samlcreds.safefile import atomic_write, ensure_private_dir

    ensure_private_dir(path.parent)
    jar = cookies if isinstance(cookies, http.cookiejar.LWPCookieJar) else None
    if jar is None:
        jar = http.cookiejar.LWPCookieJar(str(path))
        for cookie in cookies:
            jar.set_cookie(cookie)
    text = jar.as_lwp_str(ignore_discard=True, ignore_expires=False)
    atomic_write(path, ("#LWP-Cookies-2.0\n" + text).encode("utf-8"), mode=0o600)


def save_debug_page(directory: Path, text: str) -> Path:
    """Save an IdP page for debugging with form values and hidden fields blanked.

    Values of password, SAMLResponse and hidden inputs (AuthState and the
    like) are removed. The file is 0600 in a 0700 directory.
    """
    from samlcreds.safefile import atomic_write, ensure_private_dir

    redacted = re.sub(
        r"(<input\b[^>]*?\bvalue\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)",
        lambda m: m.group(1) + '"[removed]"',
        text,
        flags=re.I,
    )
    ensure_private_dir(directory)
    path = directory / f"idp-page-{os.getpid()}.html"
    atomic_write(path, redacted.encode("utf-8", "replace"), mode=0o600)
    return path
