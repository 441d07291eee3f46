"""``samlcreds.cli.exit_now``: the console script's exit keeps what a normal exit guarantees."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def _run(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with block-buffered stdout (as under the AWS CLI)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60, env=env)


def test_status_buffered_output_atexit_handlers_and_threads_are_kept(tmp_path):
    marker = tmp_path / "atexit-ran"
    result = _run(f"""
        import atexit, sys, threading, time
        from samlcreds.cli import exit_now
        atexit.register(lambda: open({str(marker)!r}, "w").write("yes"))
        def late():
            time.sleep(0.3)
            print("from the thread")
        threading.Thread(target=late).start()  # not a daemon: a normal exit waits for it
        sys.stdout.write("x" * 100_000)  # more than the buffer holds, and a tail still buffered
        sys.stderr.write("on stderr")
        exit_now(7)
        print("not reached")
    """)
    assert result.returncode == 7
    assert result.stdout == "x" * 100_000 + "from the thread\n"
    assert result.stderr == "on stderr"
    assert marker.read_text() == "yes"


@pytest.mark.parametrize("fd", [1, 2])
@pytest.mark.parametrize(("status", "expected"), [(0, 120), (2, 2)])
def test_an_unflushable_standard_stream_makes_a_success_120(fd, status, expected):
    """As CPython's exit (flush_std_files fails: Py_Exit says 120), but a failure keeps its own status."""
    result = _run(f"""
        import os, sys
        from samlcreds.cli import exit_now
        sys.stdout.write("lost")
        sys.stderr = open(os.devnull, "w")  # block-buffered, so that its flush is what fails
        sys.stderr.write("lost")
        os.close({fd} if {fd} == 1 else sys.stderr.fileno())
        exit_now({status})
    """)
    assert result.returncode == expected


def test_a_closed_stdout_is_skipped_as_cpython_skips_it():
    result = _run("""
        import sys
        from samlcreds.cli import exit_now
        sys.stdout.close()
        exit_now(0)
    """)
    assert result.returncode == 0


def test_the_console_script_ends_through_it(tmp_path):
    """A whole command: its status and output are the same as through ``sys.exit``, and the interpreter
    is not finalized (the ``__del__`` of an object still alive, which finalization would call, is not)."""
    result = _run("""
        import os, sys
        class Finalized:
            def __del__(self, write=os.write):
                write(2, b"finalized")
        alive = Finalized()
        sys.argv = ["samlcreds", "--version"]
        from samlcreds.cli import main
        main()
    """)
    assert result.returncode == 0 and result.stdout.startswith("samlcreds")
    assert "finalized" not in result.stderr
    bad = _run("""
        import sys
        sys.argv = ["samlcreds", "no-such-command"]
        from samlcreds.cli import main
        main()
    """)
    assert bad.returncode == 2 and "no-such-command" in bad.stderr


def test_an_executor_left_open_is_stopped_as_a_normal_exit_stops_it():
    """concurrent.futures registers its clean-up with threading (not atexit): its idle workers must not hang the exit."""
    result = _run("""
        import concurrent.futures
        from samlcreds.cli import exit_now
        pool = concurrent.futures.ThreadPoolExecutor(2)
        pool.submit(print, "ran")
        exit_now(3)
    """)
    assert (result.returncode, result.stdout) == (3, "ran\n")


def test_ctrl_c_while_waiting_for_a_thread_exits_130_without_a_traceback(tmp_path):
    """main() promises that Ctrl-C anywhere exits 130 without a traceback; that includes exit_now's wait
    for a non-daemon thread (the interrupt stops the wait, the atexit handlers still run)."""
    marker = tmp_path / "atexit-ran"
    result = _run(f"""
        import atexit, os, signal, threading, time
        from samlcreds.cli import exit_now
        atexit.register(lambda: open({str(marker)!r}, "w").write("yes"))
        def stuck():
            while threading.main_thread().is_alive():  # the main thread stops once exit_now waits for us
                time.sleep(0.01)
            os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C
            time.sleep(60)
        threading.Thread(target=stuck).start()
        print("out")
        exit_now(0)
    """)
    assert result.returncode == 130, result.stderr
    assert result.stdout == "out\n"
    assert "Traceback" not in result.stderr and result.stderr.endswith("samlcreds: interrupted\n")
    assert marker.read_text() == "yes"


def test_a_full_disk_on_stdout_is_exit_6_with_a_message_and_a_closed_stdout_is_no_error():
    samlcreds = [sys.executable, "-c", "import sys; from samlcreds.cli import main; sys.argv[0] = 'samlcreds'; main()"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        result = subprocess.run([*samlcreds, "--help"], stdout=full, stderr=subprocess.PIPE, text=True, env=env,
                                timeout=60)
    assert result.returncode == 6
    assert result.stderr == "samlcreds: error: cannot write to standard output: No space left on device\n"
    closed = subprocess.run([*samlcreds, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env, timeout=60, close_fds=True, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 0 and closed.stderr == ""
