"""Benchmark: the cache-hit path of ``samlcreds process`` (what every AWS call pays).

Median wall time of ``samlcreds process --profile P`` with a warm cache, as a
ratio to ``python -c "import json"`` (an interpreter start), run alternately
in the same loop; target <= 1.5x, in two set-ups:

- with bytecode: samlcreds' modules compiled (``__pycache__`` written);
- without: a copy of the package with no ``__pycache__`` on ``PYTHONPATH``
  and ``PYTHONDONTWRITEBYTECODE=1``, as with read-only installs or that
  setting — each run compiles samlcreds' modules from source (the standard
  library keeps its bytecode, for the floor too).

Also reports the modules the warm path imports beyond the floor's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import median_ms, print_table, row

RUNS = 41
SRC = Path(__file__).resolve().parent.parent / "src"


def prepare(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_", "PYTHON"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / "cache"), AWS_CONFIG_FILE=str(home / "config"))
    (home / "config").write_text("[default]\nregion = eu-west-1\n\n[profile bench]\nsaml_url = https://idp.example/sso\n"
                                 "saml_username = me\nsaml_role_arn = 111111111111:Dev\nsaml_duration = 3600\n"
                                 "credential_process = samlcreds process --profile bench\n")
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


def modules(command: list[str], env: dict) -> set[str]:
    out = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], env=env, capture_output=True, text=True)
    return {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line} - {"imported package"}


def measure(commands: dict[str, list[str]], env: dict) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(RUNS):
        for name in (list(commands) if i % 2 else list(commands)[::-1]):
            start = time.perf_counter()
            subprocess.run(commands[name], env=env, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: median_ms(samples) for name, samples in times.items()}


def main() -> None:
    exe = Path(sys.executable).with_name("samlcreds")
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare(Path(tmp))
        ours = [str(exe), "process", "--profile", "bench"]
        floor = [sys.executable, "-c", "import json"]
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC / "samlcreds")], check=True)
        out = subprocess.run(ours, env=env, capture_output=True, text=True, check=True)
        assert json.loads(out.stdout)["AccessKeyId"] == "ASIABENCH", out.stdout
        extra = sorted(modules([sys.executable, *ours], env) - modules(floor, env))
        with_bytecode = measure({"floor": floor, "ours": ours}, env)

        copy = Path(tmp) / "site"
        shutil.copytree(SRC / "samlcreds", copy / "samlcreds", ignore=shutil.ignore_patterns("__pycache__"))
        cold_env = dict(env, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
        out = subprocess.run(ours, env=cold_env, capture_output=True, text=True, check=True)
        assert json.loads(out.stdout)["AccessKeyId"] == "ASIABENCH", out.stdout
        without = measure({"floor": floor, "ours": ours}, cold_env)
        assert not list(copy.rglob("*.pyc")), "bytecode was written"
    print_table(f"warm 'samlcreds process' (cache hit), median of {RUNS}, interleaved", [
        row("warm process, with bytecode", f"{with_bytecode['ours']:.1f} ms",
            f"{with_bytecode['floor']:.1f} ms python -c 'import json'", with_bytecode["ours"] / with_bytecode["floor"], 1.5),
        row("warm process, without bytecode", f"{without['ours']:.1f} ms",
            f"{without['floor']:.1f} ms python -c 'import json'", without["ours"] / without["floor"], 1.5,
            "PYTHONDONTWRITEBYTECODE, no __pycache__"),
    ])
    print(f"  modules beyond the floor's on the warm path: {', '.join(extra) or 'none'}")


if __name__ == "__main__":
    main()
