"""Benchmark: credential_process against the sandbox.

1. 32 parallel cold ``samlcreds process`` calls (empty credential cache, live
   IdP session), with 3,600-s and with 900-s sessions: IdP sign-ins and STS
   calls seen by the sandbox (target 1 and 1), identical outputs, and the
   wall time as a ratio to one cold call and to one cold call plus 32
   parallel bare interpreter starts (the floor on this machine; target <= 1.2x).
   "One call" and the floor are medians of several runs, interleaved with the
   parallel runs.
2. What samlcreds adds to every AWS CLI call: ``aws sts get-caller-identity``
   with the credential_process profile (warm cache) as a ratio to a profile
   with static keys, measured alternately.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from report import median_ms, print_table, row
from sandbox_env import BIN, sandbox, sso_requests

N = 32
ROUNDS = 3  # parallel runs per duration; each is interleaved with ONE_CALLS single calls and a floor run
ONE_CALLS = 2
CLI_RUNS = 9


def run(args, env, **kw):
    return subprocess.run([str(BIN / "samlcreds"), *args], env=env, capture_output=True, text=True, **kw)


def parallel(command, env, n=N):
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: subprocess.run(command, env=env, capture_output=True, text=True), range(n)))


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    rows = []
    # compiled bytecode, as an installed package has (with PYTHONDONTWRITEBYTECODE set and sources edited since
    # the last run, every one of the 32 processes would compile samlcreds' modules again)
    src = Path(__file__).resolve().parent.parent / "src" / "samlcreds"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)
    with sandbox() as (idp, sts, env):
        cache = Path(env["XDG_CACHE_HOME"]) / "samlcreds" / "credentials"
        for profile, duration in (("cp", "3600"), ("short", "900")):
            run(["configure", "--profile", profile, "--url", idp.sso_url, "--username", "bob", "--duration", duration,
                 "--credential-process"], env, check=True)
        run(["login", "--profile", "cp", "--password-stdin"], env, input="bob-pw\n", check=True)  # the IdP session
        floor_cmd = [sys.executable, "-c", "import json"]
        for profile, duration in (("cp", 3600), ("short", 900)):
            process = [str(BIN / "samlcreds"), "process", "--profile", profile]
            ones, floors, walls, signins, calls, identical = [], [], [], [], [], True
            for _ in range(ROUNDS):
                for _ in range(ONE_CALLS):
                    shutil.rmtree(cache, ignore_errors=True)
                    elapsed, out = timed(lambda: subprocess.run(process, env=env, capture_output=True, check=True))
                    ones.append(elapsed)
                floors.append(timed(lambda: parallel(floor_cmd, env))[0])
                shutil.rmtree(cache, ignore_errors=True)
                sso, before = sso_requests(idp), len(sts.calls)
                elapsed, results = timed(lambda: parallel(process, env))
                if any(r.returncode for r in results):
                    sys.exit(f"a parallel call failed: {[r.stderr for r in results if r.returncode][:1]}")
                walls.append(elapsed)
                signins.append(sso_requests(idp) - sso)
                calls.append(len(sts.calls) - before)
                identical &= len({r.stdout for r in results}) == 1
            one, floor, wall = (statistics.median(v) for v in (ones, floors, walls))
            note = (f"sign-ins {'/'.join(map(str, signins))}, STS calls {'/'.join(map(str, calls))} per run, "
                    f"identical outputs: {'yes' if identical else 'NO'}")
            rows.append(row(f"{N} parallel cold calls, {duration}-s sessions: wall / one call",
                            f"{wall * 1e3:.0f} ms", f"{one * 1e3:.0f} ms one call", wall / one, None, note))
            rows.append(row(f"{N} parallel cold calls, {duration}-s sessions: wall / (one call + floor)",
                            f"{wall * 1e3:.0f} ms", f"{(one + floor) * 1e3:.0f} ms = {one * 1e3:.0f} + "
                            f"{floor * 1e3:.0f} ({N} parallel interpreter starts)", wall / (one + floor), 1.2))

        creds = Path(env["AWS_SHARED_CREDENTIALS_FILE"])
        creds.write_text("[static]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = x\n")
        aws = str(BIN / "aws")
        run(["process", "--profile", "cp"], env, check=True)  # warm
        times = {"static": [], "cp": []}
        for i in range(CLI_RUNS):
            for profile in (("static", "cp") if i % 2 else ("cp", "static")):
                start = time.perf_counter()
                subprocess.run([aws, "sts", "get-caller-identity", "--profile", profile], env=env, check=True,
                               capture_output=True)
                times[profile].append(time.perf_counter() - start)
        cp, static = median_ms(times["cp"]), median_ms(times["static"])
        rows.append(row("aws sts get-caller-identity, warm: credential_process vs static keys", f"{cp:.0f} ms",
                        f"{static:.0f} ms", cp / static, None, f"samlcreds adds {cp - static:.0f} ms"))
    print_table(f"credential_process (medians; {ROUNDS} parallel runs per duration, "
                f"{ROUNDS * ONE_CALLS} single calls)", rows)


if __name__ == "__main__":
    main()
