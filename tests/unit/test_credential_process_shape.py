"""Whether a profile's credential_process is samlcreds' own: read from the command's shape, for that profile."""

from __future__ import annotations

import pytest

from samlcreds.cli.configure import credential_process_command, runs_samlcreds_process


@pytest.mark.parametrize("command,profile,ours", [
    ("samlcreds process --profile work", "work", True),
    ("/opt/venv/bin/samlcreds process --profile work", "work", True),
    ('"/home/me/my tools/samlcreds" process --profile work', "work", True),
    ("/usr/bin/python3 -m samlcreds process --profile work", "work", True),
    ("samlcreds process -p work", "work", True),
    ("samlcreds process --profile=work", "work", True),
    ("samlcreds process --profile 'my work'", "my work", True),
    ("samlcreds process --profile other", "work", False),   # another profile's credentials
    ("samlcreds env --profile work", "work", False),
    ("/usr/bin/not-samlcreds process --profile work", "work", False),
    ("aws-vault export --format=json work # samlcreds", "work", False),
    ("samlcreds process", "work", False),
    ("", "work", False),
    ("samlcreds process --profile 'unclosed", "work", False),
])
def test_runs_samlcreds_process(command, profile, ours):
    assert runs_samlcreds_process(command, profile) is ours


@pytest.mark.parametrize("profile", ["work", "my work", "a'b"])
def test_what_configure_writes_is_recognised(profile):
    assert runs_samlcreds_process(credential_process_command(profile), profile)
