"""``samlcreds configure`` flags written to the profile, run in-process (no IdP needed)."""

from __future__ import annotations

import configparser
from pathlib import Path

from samlcreds import config
from samlcreds.errors import ExitCode
from tests.helpers import run_main


def profile_keys(env: dict, profile: str) -> dict:
    parser = configparser.RawConfigParser()
    parser.read(env["AWS_CONFIG_FILE"])
    return dict(parser[f"profile {profile}"])


def test_otp_command_is_written_like_the_other_settings(isolated_env):
    command = '"/opt/my tools/totp" --issuer work'
    run = run_main(["configure", "--profile", "w", "--url", "https://idp.example.com/sso", "--otp-command", command])
    assert run.returncode == ExitCode.OK, run.stderr
    assert "Saved saml_url, saml_otp_command in [profile w]" in run.stderr
    assert command not in run.stderr  # the command line is stored, not echoed
    assert profile_keys(isolated_env, "w") == {"saml_url": "https://idp.example.com/sso",
                                               "saml_otp_command": command}
    assert config.resolve("w").otp_command == command  # and read back as the setting, quotes and all


def test_otp_command_that_does_not_split_is_refused_and_nothing_written(isolated_env):
    run = run_main(["configure", "--profile", "w", "--url", "https://idp/sso", "--otp-command", '"/opt/totp'])
    assert run.returncode == ExitCode.USAGE
    assert "saml_otp_command does not split into a command line" in run.stderr
    assert "Traceback" not in run.stderr
    assert not Path(isolated_env["AWS_CONFIG_FILE"]).exists()


def test_empty_otp_command_is_refused_and_the_stored_one_kept(isolated_env):
    assert run_main(["configure", "--profile", "w", "--otp-command", "pass otp w"]).returncode == ExitCode.OK
    run = run_main(["configure", "--profile", "w", "--otp-command", ""])
    assert run.returncode == ExitCode.USAGE and "saml_otp_command is empty" in run.stderr
    assert config.resolve("w").otp_command == "pass otp w"


def test_otp_command_is_checked_with_all_roles_too_before_any_sign_in(isolated_env):
    """--all-roles signs in and copies the settings into every role's profile: a command that does not
    split (or an empty one) is refused before the sign-in, as without --all-roles."""
    for bad, message in (('"/opt/totp', "does not split into a command line"), ("", "is empty")):
        run = run_main(["configure", "--profile", "org", "--all-roles", "--url", "http://127.0.0.1:9/sso",
                        "--username", "carol", "--otp-command", bad])
        assert run.returncode == ExitCode.USAGE, run.stderr
        assert f"saml_otp_command {message}" in run.stderr and "Traceback" not in run.stderr
        assert not Path(isolated_env["AWS_CONFIG_FILE"]).exists()
