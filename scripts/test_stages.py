"""``make test``: the whole suite once, in stages that say what they run and how long they took.

Every test file under tests/ belongs to exactly one stage (unit, sandbox
end-to-end, browser, faults, stress; a file in a new directory lands in the
end-to-end stage), so nothing is skipped and nothing runs twice. Every
stage runs even after one fails; the exit status is 1 when any stage failed.
Arguments after the script name go to every pytest run (e.g. ``-x``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: (name, what it needs, expected duration on 2 cores)
STAGES = (
    ("unit", "pure logic: no IdP, STS, browser or network", "under 1 min"),
    ("sandbox e2e", "real SimpleSAMLphp / LemonLDAP::NG IdPs, the strict STS, botocore and the AWS CLI", "2-4 min"),
    ("browser", "Debian's Chromium in a real X display (Xvfb) with xdotool keystrokes", "1-3 min"),
    ("faults", "IdP/STS down, slow, throttled; read-only home, full disk, Ctrl-C", "1-2 min"),
    ("stress", "50 processes x 20 rounds on the AWS files and the cache", "1-2 min"),
)


def stage_of(path: Path) -> str:
    """The stage a test file (relative to the checkout) belongs to."""
    parts = path.parts
    if parts[1] == "unit":
        return "unit"
    if parts[1] == "faults":
        return "faults"
    if parts[1] == "stress":
        return "stress"
    if parts[1] == "browser" or "browser" in path.stem:
        return "browser"
    return "sandbox e2e"


def plan() -> dict[str, list[str]]:
    files = sorted(p.relative_to(ROOT) for p in (ROOT / "tests").rglob("test_*.py"))
    stages: dict[str, list[str]] = {name: [] for name, _, _ in STAGES}
    for path in files:
        stages[stage_of(path)].append(str(path))
    return stages


def failures(report: Path) -> list[str]:
    """``test id: first line of the message`` for each failed or erroring test in a JUnit XML report."""
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError):
        return []
    found = []
    for case in root.iter("testcase"):
        for outcome in case:
            if outcome.tag in ("failure", "error"):
                message = (outcome.get("message") or "").strip().splitlines()
                test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
                found.append(f"{test_id}: {message[0][:160] if message else outcome.tag}")
    return found


def main(extra: list[str]) -> int:
    stages = plan()
    results = []
    total_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="samlcreds-stages-") as tmp:
        for number, (name, needs, expected) in enumerate(STAGES, 1):
            files = stages[name]
            print(f"\n=== make test: stage {number}/{len(STAGES)}: {name} ({len(files)} files; {needs}; "
                  f"expect {expected}) ===", flush=True)
            if not files:
                results.append((name, 0, 0.0, []))
                print("(no test files)")
                continue
            report = Path(tmp) / f"{number}.xml"
            started = time.monotonic()
            status = subprocess.call([sys.executable, "-m", "pytest", "-q", f"--junitxml={report}",
                                      *extra, *files], cwd=ROOT)
            elapsed = time.monotonic() - started
            results.append((name, status, elapsed, failures(report) if status else []))
            print(f"=== stage {name}: {'passed' if status == 0 else 'FAILED'} in {elapsed:.0f} s ===", flush=True)
    print(f"\n=== make test: {time.monotonic() - total_start:.0f} s in all ===")
    for name, status, elapsed, _ in results:
        print(f"  {name:<12} {'ok' if status == 0 else 'FAILED':<7} {elapsed:6.0f} s")
    # repeated last, so that the tail of a long log names what failed
    for name, status, _, failed in results:
        for line in failed:
            print(f"  FAILED in {name}: {line}")
        if status and not failed:
            print(f"  FAILED in {name}: pytest exited {status} (see the stage's output above)")
    return 0 if all(status == 0 for _, status, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
