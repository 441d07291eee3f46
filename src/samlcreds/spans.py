"""Durations in plain words, one way everywhere: ``45 s``, ``12 min 5 s``, ``12 h``, ``3 h 20 min``, ``4 days``."""

from __future__ import annotations


def span(seconds: float) -> str:
    """``seconds`` (its absolute value, rounded) in words; zero parts are left out ("12 h", not "12 h 0 min")."""
    seconds = abs(int(round(seconds)))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min" + (f" {seconds % 60} s" if seconds % 60 else "")
    if seconds < 172_800:
        minutes = seconds % 3600 // 60
        return f"{seconds // 3600} h" + (f" {minutes} min" if minutes else "")
    return f"{seconds // 86_400} days"
