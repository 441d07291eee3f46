"""The secret-hygiene check itself can fail (tests/hygiene.py)."""

from __future__ import annotations

from tests import helpers, hygiene


def test_leak_in_stderr_is_found():
    found = hygiene.leaks({"stderr of login": "oops alice-pw"}, hygiene.PASSWORDS)
    assert found == [("stderr of login", "alice-...")]


def test_no_leak_no_finding():
    assert hygiene.leaks({"stderr": "fine", "argv": "samlcreds login"}, [*hygiene.PASSWORDS, "s" * 40]) == []


def test_empty_secret_matches_nothing():
    assert hygiene.leaks({"stderr": "anything"}, [""]) == []


def test_in_process_runs_are_recorded(isolated_env):
    run = helpers.run_main(["--version"])
    assert run.returncode == 0 and run in helpers.RUNS


def test_live_argv_of_a_child_is_seen():
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "alice-pw"])
    try:
        time.sleep(0.2)
        assert any("alice-pw" in line for line in hygiene._live_cmdlines())
    finally:
        child.kill()
        child.wait()
    assert not any("alice-pw" in line for line in hygiene._live_cmdlines())
