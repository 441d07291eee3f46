"""The benchmarks' common table: one row per measure, samlcreds against its baseline or peer."""

from __future__ import annotations

import statistics


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def row(measure: str, ours: str, baseline: str, ratio: float | None, target: float | None,
        note: str = "") -> tuple:
    """One table row; ``ratio``/``target`` as ×; ``met`` is filled in from them."""
    met = "" if ratio is None or target is None else ("yes" if ratio <= target else "NO")
    return (measure, ours, baseline, "" if ratio is None else f"{ratio:.2f}x",
            "" if target is None else f"<= {target:g}x", met, note)


def print_table(title: str, rows: list[tuple]) -> None:
    """Print ``rows`` (from :func:`row`) under ``title`` as an aligned text table."""
    header = ("measure", "samlcreds", "baseline / peer", "ratio", "target", "met", "notes")
    table = [header, *rows]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    print(f"\n== {title}")
    for i, r in enumerate(table):
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(r, widths)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * width for width in widths))
