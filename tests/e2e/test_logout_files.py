"""``logout --profile`` / ``--all`` take back only the temporary credentials samlcreds wrote, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers import run_cli

ORIGINAL = (
    "# my keys; keep this comment\n"
    "[default]\n"
    "aws_access_key_id = AKIALONGTERMKEY00000\n"
    "aws_secret_access_key = long-term-secret\n"
    "\n"
    "[other]\n"
    "aws_access_key_id=AKIAOTHER00000000000\n"
    "aws_secret_access_key=other-secret\n"
    "region   =   eu-west-1\n"
)


def sign_in(profile: str) -> None:
    result = run_cli(["login", "--profile", profile, "--url", os.environ["SAMLCREDS_URL"], "--username", "bob",
                      "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr


def test_logout_profile_removes_only_what_samlcreds_wrote(sandbox_env):
    path = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    path.write_text(ORIGINAL)
    sign_in("work")
    sign_in("work2")
    written = path.read_text()
    assert written.startswith(ORIGINAL) and "[work]" in written and "[work2]" in written

    result = run_cli(["logout", "--profile", "work"])
    assert result.returncode == 0, result.stderr
    assert "its temporary credentials" in result.stderr
    after = path.read_text()
    # [work] and the blank line login put before it are gone, as if only work2 had signed in
    assert after == written[:written.index("\n[work]\n")] + written[written.index("\n[work2]\n"):]
    assert after.startswith(ORIGINAL) and "AKIALONGTERMKEY00000" in after and "[work2]" in after

    again = run_cli(["logout", "--profile", "work"])  # nothing more to take back
    assert again.returncode == 0 and path.read_text() == after

    result = run_cli(["logout", "--all"])
    assert result.returncode == 0, result.stderr
    assert "work2" in result.stderr
    assert path.read_text() == ORIGINAL


def test_logout_all_leaves_no_empty_sections_behind(sandbox_env):
    """[default], [sb2] and the --all-roles profiles samlcreds added go; the user's sections, comments and
    the empty section the user wrote stay byte for byte."""
    path = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    mine = "# mine\n[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = s\n\n[empty]\n"
    path.write_text(mine)
    sign_in("default")
    sign_in("sb2")
    result = run_cli(["login", "--profile", "org", "--all-roles", "--username", "carol", "--password-stdin"],
                     input="carol-pw\n")
    assert result.returncode == 0, result.stderr
    headers = [line for line in path.read_text().splitlines() if line.startswith("[")]
    assert len(headers) == 6 and "[111111111111-Developer]" in headers, headers

    result = run_cli(["logout", "--all"])
    assert result.returncode == 0, result.stderr
    assert path.read_text() == mine


def test_keys_someone_else_wrote_since_are_left_alone(sandbox_env):
    path = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    sign_in("work")
    replaced = "[work]\naws_access_key_id = AKIAMINENOW000000000\naws_secret_access_key = mine\n"
    path.write_text(replaced)
    result = run_cli(["logout", "--profile", "work"])
    assert result.returncode == 0, result.stderr
    assert "holds keys samlcreds did not write" in result.stderr
    assert path.read_text() == replaced


def test_long_term_keys_are_never_written_nor_removed(sandbox_env):
    path = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    path.write_text(ORIGINAL)
    result = run_cli(["login", "--profile", "default", "--url", os.environ["SAMLCREDS_URL"], "--username", "bob",
                      "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 6  # refused: long-term keys
    assert run_cli(["logout", "--profile", "default"]).returncode == 0
    assert run_cli(["logout", "--all"]).returncode == 0
    assert path.read_text() == ORIGINAL
