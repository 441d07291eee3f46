"""Benchmark: decode + parse an assertion granting 1,000 roles.

Reports the median time of ``samlcreds.saml.parse_saml_response`` as a
ratio to the floor — a bare ``base64.b64decode`` + ``lxml.etree.fromstring``
of the same bytes — measured alternately in the same run. Target: <= 1.5x.
(1,000 roles are past AWS's 100,000-character limit, so the limit is lifted
with ``max_length=None`` here.)
"""

from __future__ import annotations

import base64
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402

from samlcreds.saml import parse_saml_response  # noqa: E402
from tests.samples import AWS, attribute, response_xml  # noqa: E402

ROUNDS = 41


def build() -> tuple[str, list[tuple[str, str]]]:
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


def floor(text: str):
    return etree.fromstring(base64.b64decode(text))


def ours(text: str):
    return parse_saml_response(text, max_length=None)


def main() -> None:
    text, expected = build()
    got = [(r.role_arn, r.principal_arn) for r in ours(text).roles]
    assert got == expected, "pairs differ"
    times = {"floor": [], "samlcreds": []}
    for _ in range(ROUNDS):
        for name, fn in (("floor", floor), ("samlcreds", ours)):
            start = time.perf_counter()
            fn(text)
            times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"1,000 roles, {len(text):,} base64 characters; all {len(got)} pairs right")
    print(f"floor (b64decode + lxml fromstring): {med['floor'] * 1e3:.2f} ms median")
    print(f"samlcreds parse_saml_response:       {med['samlcreds'] * 1e3:.2f} ms median")
    print(f"ratio: {med['samlcreds'] / med['floor']:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
