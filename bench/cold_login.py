"""Benchmark: a cold sign-in, samlcreds against awsprocesscreds, end to end on the same IdP and STS.

Both CLIs run as subprocesses, alternately (A/B then B/A), against the same
sandbox IdP behind a loopback TLS proxy (awsprocesscreds requires https) and
the same STS: no cache and no IdP session, the password on stdin, the
credential JSON on stdout.

- samlcreds: ``samlcreds login --url ... --username alice --role ARN
  --password-stdin --print json`` with an empty cache directory each run;
- awsprocesscreds 0.0.2 from PyPI in its own venv (see peers.py for the
  launcher's adaptations to the sandbox's form): ``-e URL -u alice -p adfs
  -a ARN --no-cache``.

samlcreds also looks up the account's IAM alias after a sign-in (remembered
for a week), in a detached process the command does not wait for; it is
measured both as the week's first sign-in and with the alias known, and the
bench waits for that process's answer before the next run (so it does not
take CPU from it). Both have their bytecode compiled. Reports medians of wall time and of CPU
time (user + system of the child, less disturbed by other load on the
machine) and their ratios (target <= 1.0x).
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import peers
from report import median_ms, print_table, row
from sandbox_env import BIN, sandbox

ROUNDS = 25
ROLE = "arn:aws:iam::111111111111:role/Developer"


def wait_for_file(path: Path, limit: float = 30.0) -> bytes:
    """The file's bytes once it exists (the alias lookup runs in a detached process after the command)."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if time.monotonic() > deadline:
            sys.exit(f"{path} was not written within {limit:.0f} s: the alias lookup did not finish")
        time.sleep(0.01)
    return path.read_bytes()


def main() -> None:
    src = Path(__file__).resolve().parent.parent / "src" / "samlcreds"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True)  # bytecode, as the peer has
    with tempfile.TemporaryDirectory(prefix="samlcreds-peers-") as tmp:
        peer = peers.awsprocesscreds(Path(tmp))
        with sandbox(tls=True) as (idp, sts, env):
            cache = Path(env["XDG_CACHE_HOME"])
            commands = {
                "samlcreds": [str(BIN / "samlcreds"), "login", "--url", idp.sso_url, "--username", "alice",
                              "--role", ROLE, "--password-stdin", "--print", "json"],
                "awsprocesscreds": [*peer, "-e", idp.sso_url, "-u", "alice", "-p", "adfs", "-a", ROLE,
                                    "--no-cache"],
            }
            # samlcreds also looks up the account's IAM alias after a sign-in (remembered for a week in
            # <cache>/account-aliases.json): measured both as the week's first sign-in and with the alias known
            names = ["samlcreds", "samlcreds, alias known", "awsprocesscreds"]
            commands["samlcreds, alias known"] = commands["samlcreds"]
            times: dict[str, list[float]] = {name: [] for name in names}
            cpu: dict[str, list[float]] = {name: [] for name in names}
            aliases = None
            logins, calls = idp.login_count(), len(sts.calls)
            for i in range(ROUNDS + 1):
                for name in (names if i % 2 else names[::-1]):
                    shutil.rmtree(cache, ignore_errors=True)
                    if name == "samlcreds, alias known" and aliases is not None:
                        (cache / "samlcreds").mkdir(parents=True)
                        (cache / "samlcreds" / "account-aliases.json").write_bytes(aliases)
                    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
                    out = subprocess.run(commands[name], input="alice-pw\n", env=env, capture_output=True, text=True)
                    elapsed, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
                    if out.returncode != 0 or not json.loads(out.stdout).get("SessionToken"):
                        sys.exit(f"{name} failed ({out.returncode}): {out.stderr[-2000:]}")
                    if name == "samlcreds":  # let the detached alias lookup finish before the next run
                        remembered = wait_for_file(cache / "samlcreds" / "account-aliases.json")
                        if aliases is None:
                            aliases = remembered
                    if i:  # the first round warms the page cache
                        times[name].append(elapsed)
                        cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            signins, sts_calls = idp.login_count() - logins, len(sts.calls) - calls
    theirs, theirs_cpu = median_ms(times["awsprocesscreds"]), median_ms(cpu["awsprocesscreds"])
    rows = []
    for name, label in (("samlcreds", "week's first sign-in (alias asked after, detached: not counted)"),
                        ("samlcreds, alias known", "alias known")):
        ours, ours_cpu = median_ms(times[name]), median_ms(cpu[name])
        rows.append(row(f"cold sign-in, wall, {label}", f"{ours:.0f} ms", f"{theirs:.0f} ms awsprocesscreds",
                        ours / theirs, 1.0, "same IdP (via TLS) and STS"))
        rows.append(row(f"cold sign-in, CPU, {label}", f"{ours_cpu:.0f} ms", f"{theirs_cpu:.0f} ms awsprocesscreds",
                        ours_cpu / theirs_cpu, 1.0, "user + system of the client process"))
    print_table(f"cold sign-in, end to end (median of {ROUNDS}, interleaved; {signins} password sign-ins and "
                f"{sts_calls} STS calls in all)", rows)

if __name__ == "__main__":
    main()
