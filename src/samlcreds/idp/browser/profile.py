"""The dedicated browser profile of one IdP account: where it lives, its settings, its clean-up, its lock.

One ``--user-data-dir`` per IdP host and user name, ``state_dir/browser-<hash>``
(0700, kept between sign-ins), so the IdP session is reused. Always a
dedicated directory: Chrome started on the user's everyday profile hands the
URL to the running browser and drops every flag.

The profile's preferences (``Default/Preferences``) are set before each launch:

* ``session.restore_on_startup = 1`` ("continue where you left off"): Chromium
  then keeps *session* cookies across restarts (``ProfileImpl::
  ShouldRestoreOldSessionCookies``), which is how SimpleSAMLphp's, ADFS's and
  Shibboleth's sessions survive without a driver. The session-restore files
  themselves are deleted after every sign-in (:func:`scrub_profile`), so
  nothing is restored and no page or POST body stays on disk;
* the password manager, its leak check, autofill and Chrome sign-in/sync off;
* the last exit marked clean (no "restore pages?" bubble after a kill).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path

from samlcreds import errors
from samlcreds.idp.base import LoginRequest, account_state_path

#: Waiting for a browser profile that another samlcreds process is using.
PROFILE_LOCK_SECONDS = 120.0
#: Chromium's session-restore files keep the tabs' history (with POST bodies);
#: the HTTP cache may hold the IdP's auto-posting page. Deleted after every sign-in.
SESSION_RESTORE_FILES = ("Sessions", "Sessions_Encrypted", "Current Session", "Current Tabs",
                         "Last Session", "Last Tabs", "Cache", "Code Cache")
#: The disk cache lives here (``--disk-cache-dir``) and is deleted after every sign-in.
CACHE_DIR = "samlcreds-cache"
#: Preferences written into the profile before each launch (dotted path -> value).
PREFERENCES = {
    "session.restore_on_startup": 1,
    "credentials_enable_service": False,
    "profile.password_manager_enabled": False,
    "profile.password_manager_leak_detection": False,
    "autofill.enabled": False,
    "autofill.profile_enabled": False,
    "autofill.credit_card_enabled": False,
    "signin.allowed": False,
    "sync.requested": False,
    "translate.enabled": False,
    "search.suggest_enabled": False,
    "browser.check_default_browser": False,
    "profile.exit_type": "Normal",
    "profile.exited_cleanly": True,
}


#: The browser profile of one IdP account in the state dir (see :func:`~samlcreds.idp.base.account_state_path`).
PROFILE = "browser-{key}"


def profile_dir(request: LoginRequest) -> Path | None:
    """``state_dir/browser-<hash of IdP host and user name>``, or ``None`` without a state_dir or URL."""
    return account_state_path(request.state_dir, request.url, request.username, PROFILE)


def prepare_profile(profile: Path) -> None:
    """Create the profile (0700) and write :data:`PREFERENCES` into ``Default/Preferences`` (0600)."""
    from samlcreds.safefile import atomic_write, ensure_private_dir

    ensure_private_dir(profile)
    with contextlib.suppress(OSError):
        os.chmod(profile, 0o700)
    path = profile / "Default" / "Preferences"
    try:
        prefs = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        prefs = {}
    if not isinstance(prefs, dict):
        prefs = {}
    changed = False
    for dotted, value in PREFERENCES.items():
        node = prefs
        *parents, leaf = dotted.split(".")
        for name in parents:
            if not isinstance(node.get(name), dict):
                node[name] = {}
            node = node[name]
        if node.get(leaf) != value:
            node[leaf] = value
            changed = True
    if changed:
        atomic_write(path, json.dumps(prefs).encode("utf-8"), mode=0o600)


def scrub_profile(profile: Path) -> None:
    """Delete what in a browser profile could hold a SAMLResponse (session-restore data, caches)."""
    for base in (profile, *profile.glob("Default"), *profile.glob("Profile *")):
        for name in (*SESSION_RESTORE_FILES, CACHE_DIR):
            path = base / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                with contextlib.suppress(OSError):
                    path.unlink()


class ProfileLock:
    """Only one samlcreds at a time may use a profile (Chromium would hand the second launch to the first).

    The one lock interface, :class:`samlcreds.locks.FileLock`, on ``PROFILE.lock``.
    """

    def __init__(self, profile: Path, timeout: float = PROFILE_LOCK_SECONDS) -> None:
        from samlcreds.locks import FileLock

        self.timeout = timeout
        self._lock = FileLock(str(profile) + ".lock")
        self._profile = profile

    def __enter__(self) -> "ProfileLock":
        try:
            taken = self._lock.acquire(self.timeout)
        except OSError as exc:
            raise errors.LocalFileError(f"cannot create the lock file {self._profile}.lock: {exc.strerror or exc}",
                                        hint="Check that the cache directory is writable.") from None
        if not taken:
            raise errors.AuthenticationError(
                f"another samlcreds sign-in has been using the browser profile for over {self.timeout:g} s",
                hint="Finish or close the other sign-in (its browser window), then try again.",
            )
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()


def profile_processes(profile: Path) -> list[int]:
    """Linux: PIDs of live processes started with ``--user-data-dir=<profile>`` (ours, by its unique path)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    marker = f"--user-data-dir={profile}".encode()
    me = os.getpid()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            # Chromium's helpers rewrite their argv into one space-separated string.
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ") + b" "
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and marker + b" " in cmdline:
            found.append(int(entry.name))
    return found


def kill_profile_processes(profile: Path) -> None:
    """SIGKILL every process still using ``profile`` (see :func:`profile_processes`), until none is left."""
    for _ in range(10):
        victims = profile_processes(profile)
        if not victims:
            return
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
