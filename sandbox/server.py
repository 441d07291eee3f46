"""A sandbox server run as a child process: the life cycle the sandbox IdPs share."""

from __future__ import annotations

import os
import signal
import subprocess


class ServerProcess:
    """The life cycle both sandbox IdPs share: a server in its own process group, its log file.

    Subclasses set ``_proc`` (a ``subprocess.Popen``) and ``_log_file`` and define ``start()``.
    """

    _proc = None
    _log_file = None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None
