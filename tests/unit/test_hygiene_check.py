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


def test_log_records_of_samlcreds_and_botocore_are_checked_the_sandbox_servers_are_not():
    import logging

    def record(name, message):
        return logging.LogRecord(name, logging.DEBUG, __file__, 1, message, None, None)

    token = "FQoGZXIvYXdzEXAMPLETOKEN"
    text = hygiene.log_text([record("samlcreds.sts", f"sent {token}"), record("botocore.endpoint", "b"),
                             record("moto.iam.access_control", f"X-Amz-Security-Token: {token}-server"),
                             record("werkzeug", "GET /")])
    assert hygiene.leaks({"log records": text}, [token]) == [("log records", "FQoGZX...")]
    assert f"{token}-server" not in text and "b" in text.split("\n")
