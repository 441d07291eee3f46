"""Starting the user's browser as a plain child process, and making sure it ends.

No driver is attached: no ``--remote-debugging-pipe``/``--remote-debugging-port``,
no ``--enable-automation``, so ``navigator.webdriver`` stays ``false`` and the
IdP sees the user's ordinary browser. The command line holds the profile, the
PAC script (a ``data:`` URL with no secret), the capture certificate's public
SPKI pin and the IdP's sign-in URL; never a password or SAMLResponse.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from samlcreds.idp.browser.errors import BrowserLaunchFailed
from samlcreds.idp.browser.profile import CACHE_DIR, kill_profile_processes, profile_processes

#: Keep the browser from calling Google services on its own (sync, leak check,
#: autofill servers, component updates, metrics, safe-browsing pings).
QUIET_ARGS = ("--no-first-run", "--no-default-browser-check", "--disable-sync", "--disable-default-apps",
              "--disable-background-networking", "--disable-component-update", "--disable-domain-reliability",
              "--disable-client-side-phishing-detection", "--metrics-recording-only", "--password-store=basic",
              "--disable-component-extensions-with-background-pages", "--disable-field-trial-config",
              "--disable-features=PasswordLeakDetection,AutofillServerCommunication,OptimizationHints,"
              "MediaRouter,Translate,NetworkTimeServiceQuerying")
#: The flags a driver would add; never on our command line (a test checks the live processes).
AUTOMATION_FLAGS = ("--remote-debugging-pipe", "--remote-debugging-port", "--enable-automation")
#: The launched process must still be running this long after start (else it failed or handed off).
ALIVE_CHECK_SECONDS = 0.5
#: After SIGINT (a normal exit: Chromium writes its cookie store and preferences), wait this long before SIGKILL.
#: SIGTERM would not do: Chromium 156 then exits without writing the cookies it holds.
CLOSE_GRACE_SECONDS = 5.0


def command_line(executable: str, profile: Path, *, pac_url: str, spki_pin: str, url: str, headless: bool,
                 extra_args: Sequence[str] = (), is_root: bool | None = None) -> list[str]:
    """The browser's argv. ``--no-sandbox`` only when running as root (Chromium refuses root without it)."""
    if is_root is None:
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    args = [executable, f"--user-data-dir={profile}", f"--proxy-pac-url={pac_url}",
            f"--ignore-certificate-errors-spki-list={spki_pin}",
            f"--disk-cache-dir={profile / CACHE_DIR}", *QUIET_ARGS]
    if headless:
        args.append("--headless=new")
    if is_root:
        args.append("--no-sandbox")
    args += [a for a in extra_args if not a.startswith(AUTOMATION_FLAGS)]
    args.append(url)
    return args


class BrowserProcess:
    """One running browser (its own session and process group) on one profile.

    ``popen`` is injected for tests. :meth:`close` ends it gracefully and then
    makes sure no process of it is left (process group and profile sweep).
    """

    def __init__(self, argv: list[str], profile: Path, *, description: str,
                 popen: Callable[..., subprocess.Popen] = subprocess.Popen) -> None:
        self.profile = profile
        self.description = description
        log = profile / "samlcreds-browser.log"
        with contextlib.suppress(OSError):
            log.unlink()
        self._log_path = log
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            kwargs = {"stdin": subprocess.DEVNULL, "stdout": fd, "stderr": fd}
            if sys.platform != "win32":
                kwargs["start_new_session"] = True
            try:
                self.process = popen(argv, **kwargs)
            except OSError as exc:
                raise BrowserLaunchFailed(
                    f"the browser {description} did not start: {exc.strerror or exc}",
                    hint="Check --browser / saml_browser / SAMLCREDS_BROWSER.",
                ) from None
        finally:
            os.close(fd)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        """Still running? An exited browser stays unreaped (a zombie), so its process group id cannot be reused
        before :meth:`close` has swept the group."""
        if self.process.returncode is not None:
            return False
        if hasattr(os, "waitid"):
            try:
                return os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None
            except ChildProcessError:
                return self.process.poll() is None
        return self.process.poll() is None

    def check_started(self, seconds: float = ALIVE_CHECK_SECONDS) -> None:
        """Raise :class:`BrowserLaunchFailed` when the browser exits within ``seconds`` of starting."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                break
            time.sleep(0.05)
        if self.alive():
            return
        tail = self.log_tail()
        self.close()
        code = self.process.returncode
        if code == 0:
            raise BrowserLaunchFailed(
                f"the browser {self.description} exited at once: it handed the sign-in to a browser already "
                f"running on the profile {self.profile}",
                hint="Close the other samlcreds browser window (or that browser), then try again.",
            )
        raise BrowserLaunchFailed(
            f"the browser {self.description} did not start (exit status {code})" + (f": {tail}" if tail else ""),
            hint="Check --browser / saml_browser / SAMLCREDS_BROWSER. On Linux a window needs DISPLAY or WAYLAND_DISPLAY.",
        )

    def log_tail(self, limit: int = 300) -> str:
        """The last line of the browser's own error output (no secrets go there)."""
        try:
            lines = [ln for ln in self._log_path.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1][:limit] if lines else ""

    def close(self, grace: float = CLOSE_GRACE_SECONDS) -> None:
        """SIGINT (a graceful exit that flushes the profile), then SIGKILL what is left after ``grace`` s."""
        if self.alive():
            with contextlib.suppress(OSError):
                self.process.send_signal(signal.SIGINT if sys.platform != "win32" else signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            # The network service writes the cookie store as it shuts down, after the browser process
            # may have gone: let the helpers end on their own before anything is killed.
            while profile_processes(self.profile) and time.monotonic() < deadline:
                time.sleep(0.05)
        if sys.platform != "win32":
            with contextlib.suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)
        else:
            with contextlib.suppress(OSError):
                self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        kill_profile_processes(self.profile)
        with contextlib.suppress(OSError):
            self._log_path.unlink()
