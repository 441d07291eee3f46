"""Shell completion (click's, as the README tells users to turn it on): commands, flags, profiles, providers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def complete(words: str, env: dict) -> list[str]:
    """What bash completion offers for the command line ``words`` (the last word being typed)."""
    parts = words.split(" ")
    run = subprocess.run([sys.executable, "-m", "samlcreds"], capture_output=True, text=True, timeout=60,
                         env=dict(env, COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1),
                                  _SAMLCREDS_COMPLETE="bash_complete"))
    assert run.returncode == 0, run.stderr
    return [line.split(",", 1)[1] for line in run.stdout.splitlines()]


def test_profiles_and_providers_complete(isolated_env):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text("[profile work]\nregion = eu-west-1\n[profile wiki]\n[default]\n"
                                                      '[profile "my team"]\n')
    assert complete("samlcreds lo", isolated_env) == ["login", "logout"]
    assert complete("samlcreds login --profile w", isolated_env) == ["work", "wiki"]
    assert complete("samlcreds exec -p ", isolated_env) == ["work", "wiki", "default", "my team"]
    assert complete("samlcreds login --provider ", isolated_env) == ["browser", "ecp", "form", "paste"]
