"""The :class:`Check` value and the one registry of doctor's checks (which generates the check ids).

A check is a function of a :class:`~samlcreds.doctor.context.Context`
registered with :func:`check` under its id; it returns a :class:`Finding`
(or ``None`` when it does not apply). :func:`run_registered` runs them in
registration order (the order of :data:`CHECK_IDS` once every family module
is imported, see :mod:`samlcreds.doctor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple

PASS = "pass"
WARN = "warn"
FAIL = "fail"

#: The id of the check a SAMLResponse that cannot be read at all fails.
FORMAT = "format"


@dataclass(frozen=True)
class Check:
    """The outcome of one check: ``id`` (stable), ``status`` (pass/warn/fail),
    ``message`` (what was found, in plain words) and ``fix`` (what to change,
    at the IdP or in IAM; empty when nothing needs changing)."""

    id: str
    status: str
    message: str
    fix: str = ""

    def to_dict(self) -> dict:
        """The JSON form: ``{"id", "status", "message", "fix"}``."""
        return {"id": self.id, "status": self.status, "message": self.message, "fix": self.fix}


class Finding(NamedTuple):
    """What a check found: ``status``, ``message``, ``fix`` (the registry adds the id)."""

    status: str
    message: str
    fix: str = ""


def passed(message: str, fix: str = "") -> Finding:
    return Finding(PASS, message, fix)


def warned(message: str, fix: str = "") -> Finding:
    return Finding(WARN, message, fix)


def failed(message: str, fix: str = "") -> Finding:
    return Finding(FAIL, message, fix)


CheckFunction = Callable[..., "Finding | None"]
_REGISTRY: dict[str, CheckFunction] = {}


def check(check_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check ``check_id`` (ids are unique)."""

    def register(function: CheckFunction) -> CheckFunction:
        if check_id in _REGISTRY or check_id == FORMAT:
            raise ValueError(f"check id {check_id!r} registered twice")
        _REGISTRY[check_id] = function
        function.check_id = check_id  # type: ignore[attr-defined]
        return function

    return register


def check_ids() -> tuple[str, ...]:
    """Every check id in the order checks run, ``format`` first."""
    return (FORMAT, *_REGISTRY)


def run_registered(ctx) -> list[Check]:
    """Run every registered check on ``ctx``; checks that do not apply are left out."""
    checks = []
    for check_id, function in _REGISTRY.items():
        finding = function(ctx)
        if finding is not None:
            checks.append(Check(check_id, *finding))
    return checks


def has_failures(checks: Iterable[Check]) -> bool:
    """True when any check failed (the CLI then exits with code 4)."""
    return any(item.status == FAIL for item in checks)
