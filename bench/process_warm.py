"""Benchmark: the cache-hit path of ``samlcreds process`` (what every AWS call pays).

Median wall time of ``samlcreds process --profile P`` with a warm cache over
N runs, as a ratio to ``python3 -c "import json"`` run alternately in the same
loop (the floor: an interpreter start). Target <= 1.5x. Also checks that the
warm path imports none of boto3, botocore, requests, lxml, playwright, click.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 60
HEAVY = ("boto3", "botocore", "requests", "lxml", "playwright", "click", "rich")


def prepare(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), AWS_CONFIG_FILE=str(home / "config"))
    (home / "config").write_text("[profile bench]\nsaml_url = https://idp.example/sso\nsaml_username = me\n"
                                 "saml_role_arn = 111111111111:Dev\n")
    code = (
        "from samlcreds import config, paths\n"
        "from samlcreds.cache import CredentialCache, cache_key\n"
        "from samlcreds.creds import Credentials\n"
        "from datetime import datetime, timedelta, timezone\n"
        "s = config.resolve('bench')\n"
        "c = Credentials('ASIABENCH', 'secret', 'token', datetime.now(timezone.utc) + timedelta(hours=1))\n"
        "CredentialCache(paths.credentials_cache_dir()).store(cache_key(s), c.to_process_json())\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return env


def imported_modules(command: list[str], env: dict) -> set[str]:
    out = subprocess.run([*command[:1], "-X", "importtime", *command[1:]], env=env, capture_output=True, text=True)
    return {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}


def main() -> None:
    exe = Path(sys.executable).with_name("samlcreds")
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare(Path(tmp))
        ours = [str(exe), "process", "--profile", "bench"]
        out = subprocess.run(ours, env=env, capture_output=True, text=True, check=True)
        assert json.loads(out.stdout)["AccessKeyId"] == "ASIABENCH", out.stdout
        heavy = imported_modules([sys.executable, "-m", "samlcreds", "process", "--profile", "bench"], env) & set(HEAVY)
        floor = [sys.executable, "-c", "import json"]
        times = {"floor": [], "ours": []}
        for _ in range(RUNS):
            for name, cmd in (("floor", floor), ("ours", ours)):
                start = time.perf_counter()
                subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
                times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"warm 'samlcreds process': {med['ours'] * 1e3:.1f} ms median of {RUNS}")
    print(f"floor 'python -c \"import json\"': {med['floor'] * 1e3:.1f} ms median of {RUNS}")
    print(f"ratio: {med['ours'] / med['floor']:.2f}x (target <= 1.5x)")
    print(f"heavy modules imported on the warm path: {sorted(heavy) or 'none'}")


if __name__ == "__main__":
    main()
