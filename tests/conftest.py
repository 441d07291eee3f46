import pytest

from sandbox.fixtures import *  # noqa: F401,F403
from tests.hygiene import secret_hygiene  # noqa: F401,E402  (autouse: applies to the whole suite)


@pytest.fixture
def isolated_env(tmp_path, monkeypatch) -> dict:
    """The test's own environment (tests/helpers.isolated_environ), also applied to ``os.environ``."""
    from tests.helpers import isolated_environ

    env = isolated_environ(tmp_path)
    for name in [n for n in __import__("os").environ if n not in env]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
