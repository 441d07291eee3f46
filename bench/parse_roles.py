"""Benchmark: reading an assertion that grants 1,000 roles, samlcreds against its peers.

Parsers, each run on the same base64 bytes in its own interpreter:

- ``floor``: ``lxml.etree.fromstring(base64.b64decode(text))`` (no reading at all);
- ``samlcreds``: :func:`samlcreds.saml.parse_saml_response` (every rule: hardened
  parse, namespaces by URI, comments in values, whitespace, both orders,
  partitions, the signed-assertion selector);
- ``awsprocesscreds``: ``SAMLCredentialFetcher._parse_roles`` (PyPI
  ``awsprocesscreds``, xml.etree);
- ``aws-adfs``: ``roles_assertion_extractor.extract`` (PyPI ``aws-adfs``, lxml;
  needs Debian ``libkrb5-dev`` to install), given the SAMLResponse in an HTML
  form as it expects.

The peers are installed with pip into their own venvs under a temp dir
(``--peers-dir DIR`` keeps and reuses them). Rounds are interleaved (one call
of each parser per round, the order rotating), each call timed inside its
interpreter; the table shows medians, the ratio to the floor and to
samlcreds, and how many of the 1,000 (role, provider) pairs each parser got
exactly right (every fourth value is padded with spaces and a newline, and
provider-first). 1,000 roles are past AWS's 100,000-character limit, so
samlcreds lifts it with ``max_length=None``.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.samples import AWS, attribute, response_xml  # noqa: E402

ROUNDS = 301  # cheap (~4 s); fewer rounds let the garbage collector's timing move the median
PROCESSES = 5  # interpreters per parser, their rounds interleaved too; the median is over all their calls
PEERS = {"awsprocesscreds": "awsprocesscreds", "aws-adfs": "aws-adfs"}

#: Run in each parser's interpreter: load the input, then time one call per "go" line.
WORKER = r"""
import base64, json, sys, time
kind, path = sys.argv[1], sys.argv[2]
text = open(path).read()
if kind == "floor":
    from lxml import etree
    def run():
        return etree.fromstring(base64.b64decode(text))
    def pairs(_):
        return []
elif kind == "samlcreds":
    from samlcreds.saml import parse_saml_response
    def run():
        return parse_saml_response(text, max_length=None)
    def pairs(result):
        return [[r.role_arn, r.principal_arn] for r in result.roles]
elif kind == "awsprocesscreds":
    from awsprocesscreds.saml import SAMLCredentialFetcher
    def run():
        return SAMLCredentialFetcher._parse_roles(None, text)
    def pairs(result):
        return [[r["RoleArn"], r["PrincipalArn"]] for r in result]
elif kind == "aws-adfs":
    import lxml.html
    from aws_adfs.roles_assertion_extractor import extract
    page = lxml.html.fromstring('<html><body><form><input type="hidden" name="SAMLResponse" value="%s"/>'
                                '</form></body></html>' % text)
    def run():
        return extract(page)
    def pairs(result):
        return [[role, provider] for provider, role in result[0]]
print(json.dumps({"pairs": pairs(run())}), flush=True)
for line in sys.stdin:
    start = time.perf_counter()
    run()
    print(time.perf_counter() - start, flush=True)
"""


def build() -> tuple[str, list[tuple[str, str]]]:
    """The base64 SAMLResponse granting 1,000 roles and the pairs it grants, in order."""
    values, expected = [], []
    for i in range(1000):
        partition = "aws" if i % 3 else "aws-us-gov"
        account = f"{100000000000 + i % 17:012d}"
        path = "" if i % 2 else f"team{i % 5}/sub/"
        role = f"arn:{partition}:iam::{account}:role/{path}Role{i}"
        provider = f"arn:{partition}:iam::{account}:saml-provider/Idp{i % 4}"
        values.append(f"{role},{provider}" if i % 4 else f" {provider} ,\n {role} ")
        expected.append((role, provider))
    xml = response_xml(roles=(), extra_attributes=attribute(AWS + "Role", *values))
    return base64.b64encode(xml.encode()).decode(), expected


def peer_python(peers_dir: Path, name: str) -> Path:
    """A venv under ``peers_dir`` with the PyPI package ``name`` installed (reused when present)."""
    venv = peers_dir / name
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        print(f"installing {name} from PyPI into {venv} ...", file=sys.stderr, flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", PEERS[name]],
                       check=True)
        (venv / ".installed").touch()
    return python


class Worker:
    """One parser in its own interpreter, timing one call per request."""

    def __init__(self, kind: str, python: Path, data_path: Path):
        self.kind = kind
        self.proc = subprocess.Popen([str(python), "-c", WORKER, kind, str(data_path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
        first = self.proc.stdout.readline()
        if not first:
            raise SystemExit(f"the {kind} worker failed to start")
        self.pairs = [tuple(p) for p in json.loads(first)["pairs"]]
        self.times: list[float] = []

    def once(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        self.times.append(float(self.proc.stdout.readline()))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def correct(got: list[tuple[str, str]], expected: list[tuple[str, str]]) -> int:
    """How many expected pairs were read exactly (a pair counted at most as often as it is expected)."""
    remaining = list(got)
    count = 0
    for pair in expected:
        if pair in remaining:
            remaining.remove(pair)
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers-dir", type=Path, help="keep the peers' venvs here and reuse them")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--processes", type=int, default=PROCESSES, help="interpreters per parser")
    args = parser.parse_args(argv)
    text, expected = build()
    with tempfile.TemporaryDirectory(prefix="samlcreds-parse-bench-") as tmp:
        peers_dir = args.peers_dir or Path(tmp) / "peers"
        peers_dir.mkdir(parents=True, exist_ok=True)
        data_path = Path(tmp) / "response.b64"
        data_path.write_text(text)
        pythons = {"floor": Path(sys.executable), "samlcreds": Path(sys.executable)}
        pythons.update({name: peer_python(peers_dir, name) for name in PEERS})
        # several interpreters per parser: one process's memory layout can move its times by ~10%
        workers = [Worker(kind, python, data_path) for _ in range(args.processes) for kind, python in pythons.items()]
        try:
            for i in range(args.rounds):
                for worker in workers[i % len(workers):] + workers[:i % len(workers)]:
                    worker.once()
        finally:
            for worker in workers:
                worker.close()
    med = {kind: statistics.median(t for w in workers if w.kind == kind for t in w.times) for kind in pythons}
    ok = {w.kind: correct(w.pairs, expected) for w in workers if w.kind != "floor"}
    print(f"Parsing 1,000 roles ({len(text):,} base64 characters), {args.rounds} interleaved rounds in "
          f"{args.processes} interpreters per parser, medians")
    print(f"{'parser':<17}{'median ms':>10}{'x floor':>9}{'x samlcreds':>13}{'pairs right':>13}")
    for kind in med:
        right = f"{ok[kind]}/{len(expected)}" if kind in ok else "-"
        print(f"{kind:<17}{med[kind] * 1e3:>10.2f}{med[kind] / med['floor']:>9.2f}"
              f"{med[kind] / med['samlcreds']:>13.2f}{right:>13}")
    correct_peers = [k for k in PEERS if ok[k] == len(expected)]
    if correct_peers:
        fastest = min(correct_peers, key=med.get)
        print(f"samlcreds / fastest correct peer ({fastest}): {med['samlcreds'] / med[fastest]:.2f}x (target <= 1.0x); "
              f"samlcreds / floor: {med['samlcreds'] / med['floor']:.2f}x (toward 1.5x)")
    if ok["samlcreds"] != len(expected):
        print("samlcreds got pairs wrong", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
