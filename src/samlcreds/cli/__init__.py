"""The command-line interface: the only layer that prints, prompts or exits.

One module per command; :mod:`samlcreds.cli.main` holds the group and
``main(args, env)``, which maps errors to exit codes and returns the status
(tests run it in-process). :func:`main` here is the console script: a
``process`` cache hit is answered before click or any AWS library is loaded.
"""

import atexit
import gc
import os
import sys

#: Allocations between young-generation collections during a CLI run (CPython's default is 700).
GC_THRESHOLD = 100_000


def main() -> None:
    """Console-script entry point. Ctrl-C anywhere exits 130 without a traceback.

    A command's start-up allocates ~90,000 long-lived objects (imports,
    botocore's JSON models); with CPython's default thresholds that means
    ~130 collections, one of them a full one, costing ~60 ms of a cold sign-in.
    A CLI run collects every :data:`GC_THRESHOLD` allocations instead, which
    a one-shot command never reaches and a long-running one (a server, a
    browser sign-in) still does. The command's status ends the process
    through :func:`exit_now`.
    """
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        if sys.argv[1:2] == ["process"]:
            from samlcreds.cli.process import serve_from_cache

            if serve_from_cache(sys.argv[2:]):
                exit_now(0)
        from samlcreds.cli.main import main as run

        status = int(run(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.stderr.write("samlcreds: interrupted\n")
        sys.exit(130)
    exit_now(status)


def stdout_failure(exc: BaseException) -> str | None:
    """The ``samlcreds: error:`` line for ``exc`` when it is a failed write to standard output, else ``None``.

    A reader that closed the pipe (``| head``) gets an empty string: it asked for no more, and
    nothing is printed. Other write errors (``> /dev/full``) name the OS's reason.
    """
    import errno

    # a full disk or quota, a closed pipe, an I/O error, a file too big
    failed_write = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EPIPE, errno.EIO, errno.EFBIG}
    if not isinstance(exc, OSError) or exc.errno not in failed_write:
        return None
    if exc.errno == errno.EPIPE:
        return ""
    return f"samlcreds: error: cannot write to standard output: {exc.strerror or exc}\n"


def report_stdout_failure(exc: BaseException) -> bool:
    """Print :func:`stdout_failure`'s line (if any) to stderr and detach stdout; False when ``exc`` is not one."""
    line = stdout_failure(exc)
    if line is None:
        return False
    try:
        sys.stdout = None  # nothing more is written there, nor flushed at exit
        if line:
            sys.stderr.write(line)
            sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    return True


def exit_now(status: int) -> None:
    """End the process with ``status`` the way ``sys.exit`` would, minus tearing the interpreter down.

    What a normal exit does that matters here is done first, in its order
    (CPython 3.11, Python/pylifecycle.c: ``Py_FinalizeEx``, ``Py_Exit``):
    non-daemon threads are waited for (after threading's own exit callbacks,
    which stop idle ``concurrent.futures`` workers), the ``atexit`` handlers
    run (``logging.shutdown``, temporary directories' clean-up; a Ctrl-C during
    the wait for threads stops it and makes the status 130), stdout and
    stderr are flushed as ``flush_std_files`` does: a closed one is skipped,
    and a failed flush makes a status of 0 into 120 (CPython makes any
    status 120, and prints "Exception ignored"; here a failure keeps its own
    status and nothing is printed). What is skipped is CPython's
    finalization — every module torn down and a full garbage collection:
    ~110 ms of CPU after a cold sign-in (a quarter of it), for a process about to end (the
    kernel frees its memory and closes its files) — and so is C's ``exit``.
    Lost with them: the buffer of a file object nobody closed (finalization
    would have flushed it; samlcreds closes every file it writes before this
    point) and ``__del__`` methods of objects still alive.
    """
    threading = sys.modules.get("threading")
    shutdown = getattr(threading, "_shutdown", None) if threading is not None else (lambda: None)
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if shutdown is None or run_exitfuncs is None:  # private hooks (3.10-3.13) gone: exit the normal way
        sys.exit(status)
    try:
        shutdown()  # what Py_FinalizeEx's wait_for_thread_shutdown calls: threading's exit callbacks, then joins
    except KeyboardInterrupt:  # Ctrl-C while a thread is waited for: stop waiting (main()'s promise)
        sys.stderr.write("samlcreds: interrupted\n")
        status = 130
    run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or getattr(stream, "closed", True):  # skipped, as flush_std_files skips it
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status)
