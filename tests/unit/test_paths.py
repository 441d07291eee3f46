"""The cache directory rule written out for speed agrees with platformdirs."""

from __future__ import annotations

import platformdirs

from samlcreds import paths


def test_cache_dir_matches_platformdirs(monkeypatch, tmp_path):
    monkeypatch.delenv("SAMLCREDS_CACHE_DIR", raising=False)
    for xdg in (None, str(tmp_path / "xdg")):
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert paths.cache_dir_str() == platformdirs.user_cache_dir("samlcreds", appauthor=False)
    monkeypatch.setenv("SAMLCREDS_CACHE_DIR", str(tmp_path / "mine"))
    assert paths.credentials_cache_dir() == tmp_path / "mine" / "credentials"
