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
    # the flag it came from is named, not the key (or its variable) a sign-in reads
    assert "samlcreds: error: --otp-command does not split into a command line" in run.stderr
    assert "Check --otp-command: " in run.stderr and "SAMLCREDS_OTP_COMMAND" not in run.stderr
    assert "Traceback" not in run.stderr
    assert not Path(isolated_env["AWS_CONFIG_FILE"]).exists()


def test_empty_otp_command_is_refused_and_the_stored_one_kept(isolated_env):
    assert run_main(["configure", "--profile", "w", "--otp-command", "pass otp w"]).returncode == ExitCode.OK
    run = run_main(["configure", "--profile", "w", "--otp-command", ""])
    assert run.returncode == ExitCode.USAGE and "--otp-command is empty" in run.stderr
    assert config.resolve("w").otp_command == "pass otp w"


def test_otp_command_is_checked_with_all_roles_too_before_any_sign_in(isolated_env):
    """--all-roles signs in and copies the settings into every role's profile: a command that does not
    split (or an empty one) is refused before the sign-in, as without --all-roles."""
    for bad, message in (('"/opt/totp', "does not split into a command line"), ("", "is empty")):
        run = run_main(["configure", "--profile", "org", "--all-roles", "--url", "http://127.0.0.1:9/sso",
                        "--username", "carol", "--otp-command", bad])
        assert run.returncode == ExitCode.USAGE, run.stderr
        assert f"--otp-command {message}" in run.stderr and "Traceback" not in run.stderr
        assert not Path(isolated_env["AWS_CONFIG_FILE"]).exists()


def test_otp_command_whose_program_is_missing_is_saved_with_a_warning(isolated_env, tmp_path):
    run = run_main(["configure", "--profile", "w", "--otp-command", "nosuchotp-xyz x"])
    assert run.returncode == ExitCode.OK, run.stderr
    assert "warning: --otp-command's program 'nosuchotp-xyz' was not found on PATH; saved anyway" in run.stderr
    assert profile_keys(isolated_env, "w") == {"saml_otp_command": "nosuchotp-xyz x"}
    script = tmp_path / "totp"
    script.write_text("#!/bin/sh\necho 123456\n")
    run = run_main(["configure", "--profile", "w", "--otp-command", str(script)])
    assert f"warning: --otp-command's program '{script}' is not executable" in run.stderr
    script.chmod(0o700)
    run = run_main(["configure", "--profile", "w", "--otp-command", str(script)])
    assert run.returncode == ExitCode.OK and "warning" not in run.stderr
    assert run_main(["configure", "--profile", "w", "--otp-command", "sh -c true"]).stderr.count("warning") == 0


def test_browser_profile_by_flags(isolated_env, tmp_path):
    browser = tmp_path / "my chrome"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o700)
    run = run_main(["configure", "--profile", "b", "--provider", "browser", "--url", "https://idp.example.com/sso",
                    "--browser", str(browser), "--browser-driver", "PlayWright", "--autofill"])
    assert run.returncode == ExitCode.OK, run.stderr
    assert "warning" not in run.stderr
    assert profile_keys(isolated_env, "b") == {
        "saml_provider": "browser", "saml_url": "https://idp.example.com/sso", "saml_browser": str(browser),
        "saml_browser_driver": "playwright", "saml_autofill": "true"}
    settings = config.resolve("b")
    assert (settings.browser, settings.browser_driver, settings.autofill) == (str(browser), "playwright", True)
    assert run_main(["configure", "--profile", "b", "--no-autofill"]).returncode == ExitCode.OK
    assert config.resolve("b").autofill is False


def test_autofill_with_the_native_driver_is_refused_as_login_refuses_it(isolated_env):
    """The same rule as a sign-in's (config.browser_driver_for), over the flags and what the profile holds."""
    run = run_main(["configure", "--profile", "b", "--autofill", "--browser-driver", "native"])
    assert run.returncode == ExitCode.USAGE
    assert "auto-fill (--autofill / saml_autofill) needs the Playwright driver" in run.stderr
    assert not Path(isolated_env["AWS_CONFIG_FILE"]).exists()
    assert run_main(["configure", "--profile", "b", "--browser-driver", "native"]).returncode == ExitCode.OK
    run = run_main(["configure", "--profile", "b", "--autofill"])  # the profile's native driver
    assert run.returncode == ExitCode.USAGE and "needs the Playwright driver" in run.stderr
    assert profile_keys(isolated_env, "b") == {"saml_browser_driver": "native"}
    bad = run_main(["configure", "--profile", "b", "--browser-driver", "selenium"])
    assert bad.returncode == ExitCode.USAGE and "'selenium' is not one of 'native', 'playwright'" in bad.stderr


def test_browser_that_is_not_installed_is_saved_with_a_warning(isolated_env, tmp_path):
    run = run_main(["configure", "--profile", "b", "--browser", str(tmp_path / "no-chrome")])
    assert run.returncode == ExitCode.OK, run.stderr
    assert f"warning: the browser '{tmp_path / 'no-chrome'}' (saml_browser / SAMLCREDS_BROWSER) does not exist" \
        in run.stderr
    assert profile_keys(isolated_env, "b") == {"saml_browser": str(tmp_path / "no-chrome")}


def test_unset_removes_keys_by_key_or_setting_name_and_keeps_other_bytes(isolated_env):
    path = Path(isolated_env["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# mine\n[profile w]\nsaml_url = https://idp.example.com/sso\nregion = eu-west-1  \n"
                    "saml_otp_command = pass otp w\n\n[profile other]\nregion = us-east-1\n")
    run = run_main(["configure", "--profile", "w", "--unset", "saml_otp_command", "--unset", "region",
                    "--unset", "SAML_OTP_COMMAND"])
    assert run.returncode == ExitCode.OK, run.stderr
    assert "Removed saml_otp_command, region in [profile w]" in run.stderr
    assert path.read_text() == ("# mine\n[profile w]\nsaml_url = https://idp.example.com/sso\n\n"
                                "[profile other]\nregion = us-east-1\n")
    again = run_main(["configure", "--profile", "w", "--unset", "otp_command", "--region", "eu-north-1"])
    assert again.returncode == ExitCode.OK, again.stderr
    assert "Saved region in [profile w]" in again.stderr
    assert "saml_otp_command was not set in [profile w]" in again.stderr and "nothing to remove" in again.stderr
    assert profile_keys(isolated_env, "w") == {"saml_url": "https://idp.example.com/sso", "region": "eu-north-1"}


def test_unset_of_an_unknown_key_or_of_a_key_also_given_is_refused_and_nothing_written(isolated_env):
    path = Path(isolated_env["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[profile w]\nregion = eu-west-1\n")
    unknown = run_main(["configure", "--profile", "w", "--unset", "aws_secret_access_key"])
    assert unknown.returncode == ExitCode.USAGE
    assert "--unset 'aws_secret_access_key': not a samlcreds key" in unknown.stderr
    assert "saml_otp_command" in unknown.stderr  # the keys it can remove are listed
    both = run_main(["configure", "--profile", "w", "--unset", "region", "--region", "us-east-1"])
    assert both.returncode == ExitCode.USAGE and "--unset region and a new value" in both.stderr
    with_all = run_main(["configure", "--profile", "w", "--unset", "region", "--all-roles"])
    assert with_all.returncode == ExitCode.USAGE and "--unset does not go with --all-roles" in with_all.stderr
    assert path.read_text() == "[profile w]\nregion = eu-west-1\n"


def test_unset_writes_nothing_for_a_missing_profile_and_drops_a_section_it_empties(isolated_env):
    path = Path(isolated_env["AWS_CONFIG_FILE"])
    missing = run_main(["configure", "--profile", "nosuch", "--unset", "region"])
    assert missing.returncode == ExitCode.OK and "nothing to remove" in missing.stderr
    assert not path.exists()  # no empty [profile nosuch] made
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[profile keep]\nregion = eu-west-1\n\n[profile k]\nsaml_account_names = 111111111111=prod\n")
    run = run_main(["configure", "--profile", "k", "--unset", "saml_account_names"])
    assert run.returncode == ExitCode.OK, run.stderr
    assert "Removed saml_account_names in [profile k]" in run.stderr
    assert path.read_text() == "[profile keep]\nregion = eu-west-1\n"
