"""Running the real CLI in a subprocess, as users and botocore do."""

from __future__ import annotations

import os
import subprocess
import sys

#: Every run of this test, for the secret-hygiene check in tests/e2e/conftest.py.
RUNS: list[subprocess.CompletedProcess] = []


def run_cli(args, *, input: str | None = None, env: dict | None = None, timeout: float = 120):
    """Run ``python -m samlcreds ARGS`` with the current environment (no terminal)."""
    full_env = dict(os.environ if env is None else env)
    full_env["SAMLCREDS_NO_TTY"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "samlcreds", *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        start_new_session=True,
    )
    RUNS.append(result)
    return result
