"""make test's stages cover every test file exactly once (scripts/test_stages.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _stages():
    spec = importlib.util.spec_from_file_location("test_stages", ROOT / "scripts" / "test_stages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_test_file_in_exactly_one_stage():
    module = _stages()
    planned = [f for files in module.plan().values() for f in files]
    on_disk = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py"))
    assert sorted(planned) == on_disk and len(planned) == len(set(planned))


def test_stage_rules():
    module = _stages()
    assert module.stage_of(Path("tests/unit/test_x.py")) == "unit"
    assert module.stage_of(Path("tests/unit/test_browser_locate.py")) == "unit"
    assert module.stage_of(Path("tests/e2e/test_browser_google.py")) == "browser"
    assert module.stage_of(Path("tests/faults/test_faults.py")) == "faults"
    assert module.stage_of(Path("tests/stress/test_concurrent_files.py")) == "stress"
    assert module.stage_of(Path("tests/new_place/test_y.py")) == "sandbox e2e"
