"""Benchmark: a cold form login against the sandbox, end to end to a written profile.

Runs the login flow in-process (as ``samlcreds login`` does, minus process
start) and splits its wall time into waiting on the IdP (HTTP via requests),
waiting on STS (botocore's HTTP send) and samlcreds' own work (everything
else: parsing pages and the assertion, choosing the role, writing the file).
Also reports the wall time of the real CLI (``samlcreds login``) in a
subprocess, whose extra is interpreter start and imports.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time

from sandbox_env import BIN, sandbox

ROUNDS = 7


class Timer:
    def __init__(self):
        self.total = 0.0

    def wrap(self, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - start
        return timed


def main() -> None:
    import botocore.httpsession
    import requests.adapters

    from samlcreds import config, credfile, flow
    from samlcreds.idp.base import LoginRequest

    idp_wait, sts_wait = Timer(), Timer()
    requests.adapters.HTTPAdapter.send = idp_wait.wrap(requests.adapters.HTTPAdapter.send)
    botocore.httpsession.URLLib3Session.send = sts_wait.wrap(botocore.httpsession.URLLib3Session.send)
    rows = []
    with sandbox() as (idp, sts, env):
        os.environ.clear()
        os.environ.update(env)
        for _ in range(ROUNDS):
            idp_wait.total = sts_wait.total = 0.0
            start = time.perf_counter()
            settings = config.resolve("bench", url=idp.sso_url, username="alice", role="111111111111:Developer")
            request = LoginRequest(url=settings.url, username="alice", get_password=lambda prompt: "alice-pw")
            result = flow.login(settings, request)
            credfile.write_profile("bench", result.credentials)
            total = time.perf_counter() - start
            rows.append((total, idp_wait.total, sts_wait.total))
        cli_times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([str(BIN / "samlcreds"), "login", "--profile", "cli", "--url", idp.sso_url, "--username",
                            "alice", "--role", "111111111111:Developer", "--password-stdin"],
                           input="alice-pw\n", text=True, env=env, check=True, capture_output=True)
            cli_times.append(time.perf_counter() - start)
    total, idp_t, sts_t = (statistics.median(col) for col in zip(*rows[1:]))  # first round warms imports
    own = total - idp_t - sts_t
    print(f"cold form login to a written profile (median of {ROUNDS - 1}, in-process):")
    print(f"  total      {total * 1e3:7.1f} ms")
    print(f"  IdP wait   {idp_t * 1e3:7.1f} ms  ({idp_t / total:.0%})")
    print(f"  STS wait   {sts_t * 1e3:7.1f} ms  ({sts_t / total:.0%})")
    print(f"  samlcreds  {own * 1e3:7.1f} ms  ({own / total:.0%}) own work")
    print(f"'samlcreds login' CLI in a subprocess: {statistics.median(cli_times) * 1e3:.0f} ms median of 3 "
          f"({statistics.median(cli_times) / total:.1f}x the in-process flow: interpreter start + imports)")


if __name__ == "__main__":
    main()
