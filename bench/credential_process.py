"""Benchmark: credential_process against the sandbox.

1. Parallel cold start: 32 concurrent ``samlcreds process`` calls on an empty
   cache (IdP session live): IdP sign-ins and STS calls seen by the sandbox
   (target 1 and 1) and the wall time as a ratio to one cold call (target <= 1.5x).
2. What samlcreds adds to every AWS CLI call: ``aws sts get-caller-identity``
   with the credential_process profile (warm cache) as a ratio to a profile
   with static keys, measured alternately.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sandbox_env import BIN, sandbox, sso_requests

N = 32
CLI_RUNS = 7


def run(args, env, **kw):
    return subprocess.run([str(BIN / "samlcreds"), *args], env=env, capture_output=True, text=True, **kw)


def main() -> None:
    with sandbox() as (idp, sts, env):
        run(["configure", "--profile", "cp", "--url", idp.sso_url, "--username", "bob", "--credential-process"],
            env, check=True)
        run(["login", "--profile", "cp", "--password-stdin"], env, input="bob-pw\n", check=True)
        cache = Path(env["XDG_CACHE_HOME"]) / "samlcreds" / "credentials"

        shutil.rmtree(cache)
        start = time.perf_counter()
        run(["process", "--profile", "cp"], env, check=True)
        one = time.perf_counter() - start

        shutil.rmtree(cache)
        sso, calls = sso_requests(idp), len(sts.calls)
        start = time.perf_counter()
        with ThreadPoolExecutor(N) as pool:
            results = list(pool.map(lambda _: run(["process", "--profile", "cp"], env), range(N)))
        many = time.perf_counter() - start
        assert all(r.returncode == 0 for r in results)
        identical = len({r.stdout for r in results}) == 1
        import sys

        start = time.perf_counter()
        with ThreadPoolExecutor(N) as pool:
            list(pool.map(lambda _: subprocess.run([sys.executable, "-c", "import json"], env=env), range(N)))
        starts = time.perf_counter() - start
        print(f"{N} parallel cold 'samlcreds process' calls: {sso_requests(idp) - sso} IdP sign-in(s), "
              f"{len(sts.calls) - calls} STS call(s), identical outputs: {identical}")
        print(f"  wall {many * 1e3:.0f} ms vs one cold call {one * 1e3:.0f} ms: ratio {many / one:.2f}x "
              "(target <= 1.5x)")
        print(f"  floor: {N} parallel bare interpreter starts take {starts * 1e3:.0f} ms on this machine; "
              f"one cold call + that floor = {(one + starts) * 1e3:.0f} ms "
              f"({(one + starts) / one:.2f}x one call)")

        creds = Path(env["AWS_SHARED_CREDENTIALS_FILE"])
        creds.write_text("[static]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = x\n")
        aws = str(BIN / "aws")
        times = {"static": [], "cp": []}
        for _ in range(CLI_RUNS):
            for profile in ("static", "cp"):
                start = time.perf_counter()
                subprocess.run([aws, "sts", "get-caller-identity", "--profile", profile], env=env, check=True,
                               capture_output=True)
                times[profile].append(time.perf_counter() - start)
        cp, static = statistics.median(times["cp"]), statistics.median(times["static"])
        print(f"aws sts get-caller-identity, warm: credential_process {cp * 1e3:.0f} ms vs static keys "
              f"{static * 1e3:.0f} ms: ratio {cp / static:.2f}x (samlcreds adds {(cp - static) * 1e3:.0f} ms)")


if __name__ == "__main__":
    main()
