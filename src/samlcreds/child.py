"""Running a command as a child that behaves like ``exec``: signals pass through, its status is ours.

For ``samlcreds exec --server``, where samlcreds must stay alive beside the
command. The parent blocks the forwarded signals in every thread (so the
server threads started under :class:`Supervisor` never take them) and waits
for them with ``sigtimedwait``: a signal another process sent to samlcreds
(``si_pid`` ≠ 0, e.g. ``kill -TERM``) is sent on to the child; one the
terminal sent to the whole foreground process group (Ctrl-C, a window
resize: ``si_pid`` = 0) already reached the child and is not sent twice.
POSIX only (``os.posix_spawnp``, ``signal.sigtimedwait``).
"""

from __future__ import annotations

import os
import signal
import sys

#: Signals sent on to the child. SIGTSTP/SIGCONT stay with job control (both processes stop together).
FORWARDED = frozenset({signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGUSR1,
                       signal.SIGUSR2, signal.SIGWINCH, signal.SIGALRM})
#: Signals that dump core by default: after the child died of one, exit 128+N instead of raising it.
_CORE = frozenset({signal.SIGQUIT, signal.SIGILL, signal.SIGABRT, signal.SIGFPE, signal.SIGSEGV, signal.SIGBUS,
                   signal.SIGSYS, signal.SIGTRAP})


class Supervisor:
    """``with Supervisor() as s: start threads...; status = s.run(argv, env)``.

    Entering blocks :data:`FORWARDED` and SIGCHLD in the calling thread
    (threads started inside inherit that); leaving restores the mask.
    """

    def __init__(self) -> None:
        self._old_mask: set | None = None

    def __enter__(self) -> "Supervisor":
        self._old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED | {signal.SIGCHLD})
        return self

    def __exit__(self, *exc) -> None:
        if self._old_mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self._old_mask)
            self._old_mask = None

    def run(self, argv: list[str], env: dict[str, str]) -> int:
        """Start ``argv`` (searched on PATH, no shell) and wait for it.

        Returns ``os.waitstatus_to_exitcode``: the exit code, or ``-N`` when
        signal N killed it. Raises ``OSError`` (``FileNotFoundError``,
        ``PermissionError``...) when it cannot be started.
        """
        # the child gets the signal mask samlcreds started with, and SIGPIPE/SIGXFSZ back to their
        # defaults (Python ignores them), as subprocess does; handled signals are reset by exec itself
        pid = os.posix_spawnp(argv[0], argv, env, setsigmask=self._old_mask or set(),
                              setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))
        waited = FORWARDED | {signal.SIGCHLD}
        while True:
            info = signal.sigtimedwait(waited, 0.5)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            if info is not None and info.si_signo in FORWARDED and info.si_pid not in (0, pid):
                try:
                    os.kill(pid, info.si_signo)
                except ProcessLookupError:
                    pass


def exit_like(code: int) -> None:
    """End this process as the child ended: ``sys.exit(code)``, or die of the same signal.

    For core-dumping signals the exit status is 128+N instead (no core file of samlcreds).
    """
    if code >= 0:
        sys.exit(code)
    signum = -code
    if signum in _CORE:
        sys.exit(128 + signum)
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)  # a signal ignored by inheritance: the shell's convention
