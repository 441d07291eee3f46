"""Whether a profile's credential_process is samlcreds' own: read from the command's shape, for that profile."""

from __future__ import annotations

import shlex
import sys

import pytest

from samlcreds import errors
from samlcreds.cli.configure import RUN_SAMLCREDS, credential_process_command, python_command, runs_samlcreds_process


@pytest.mark.parametrize("command,profile,ours", [
    ("samlcreds process --profile work", "work", True),
    ("/opt/venv/bin/samlcreds process --profile work", "work", True),
    ('"/home/me/my tools/samlcreds" process --profile work', "work", True),
    ("/usr/bin/python3 -m samlcreds process --profile work", "work", True),   # what configure wrote before -P
    ("/usr/bin/python3 -P -m samlcreds process --profile work", "work", True),
    ("/usr/bin/python3 -I -m samlcreds process --profile work", "work", True),
    (f'/usr/bin/python3.10 -c "{RUN_SAMLCREDS}" process --profile work', "work", True),
    ("/usr/bin/python3 -c 'import samlcreds' process --profile work", "work", False),
    ("/usr/bin/python3 -X -m samlcreds process --profile work", "work", False),
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


@pytest.mark.parametrize("version", [(3, 10, 14), (3, 11, 0), (3, 13, 1)])
def test_every_interpreter_form_is_recognised_and_stays_one_ini_value(version):
    argv = python_command("/opt/my python/bin/python3", version)
    assert argv[1:3] == (["-P", "-m"] if version >= (3, 11) else ["-c", RUN_SAMLCREDS])
    assert runs_samlcreds_process(shlex.join([*argv, "process", "--profile", "work"]), "work")
    assert not set(" ".join(argv)) & set(";#\n")  # some SDKs' profile parsers take " ;" / " #" for comments


def no_samlcreds_script(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "samlcreds" / "__main__.py")])  # python -m samlcreds
    monkeypatch.setenv("PATH", str(tmp_path))


def test_without_a_samlcreds_script_the_interpreter_runs_it_without_the_current_directory(monkeypatch, tmp_path):
    no_samlcreds_script(monkeypatch, tmp_path)
    command = credential_process_command("work")
    assert shlex.split(command) == [*python_command(sys.executable, sys.version_info), "process", "--profile", "work"]
    assert runs_samlcreds_process(command, "work")


@pytest.mark.parametrize("executable", ["", None])
def test_an_embedded_interpreter_without_a_script_is_a_usage_error(executable, monkeypatch, tmp_path):
    no_samlcreds_script(monkeypatch, tmp_path)
    monkeypatch.setattr(sys, "executable", executable)
    with pytest.raises(errors.UsageError, match="cannot tell which command runs samlcreds") as caught:
        credential_process_command("work")
    assert "on PATH" in caught.value.hint
