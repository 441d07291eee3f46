"""``logout`` with a saved IdP session it cannot delete (an immutable browser profile: root ignores chmod,
not ``chattr +i``): an error naming it, exit 6, never "removed" while its cookies are still there."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from samlcreds import paths
from samlcreds.idp.base import get_provider, saved_state
from tests.helpers import isolated_environ, run_cli

URL = "https://idp.example.invalid/sso"
CONFIG = f"[profile work]\nsaml_url = {URL}\nsaml_username = bob\nsaml_role_arn = 111111111111:ReadOnly\n"


@pytest.fixture
def stuck_profile(tmp_path):
    """(env, the browser profile of work's IdP account, made immutable; its Cookies file inside)."""
    if shutil.which("chattr") is None:
        pytest.fail("chattr (e2fsprogs) is needed for this test", pytrace=False)
    env = isolated_environ(tmp_path, config_text=CONFIG)
    [profile] = saved_state(get_provider("browser"), URL, "bob", paths.sessions_dir(env))
    (profile / "Default").mkdir(parents=True)
    cookies = profile / "Default" / "Cookies"
    cookies.write_text("an IdP session cookie")
    done = subprocess.run(["chattr", "+i", str(profile / "Default")], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"cannot make a directory immutable here: {done.stderr}", pytrace=False)
    try:
        yield env, profile, cookies
    finally:
        subprocess.run(["chattr", "-i", str(profile / "Default")], check=False)


def assert_refused(result, profile: Path, cookies: Path) -> None:
    assert result.returncode == 6, (result.returncode, result.stderr)
    assert f"cannot delete the saved IdP session {profile}: Operation not permitted ({cookies})" in result.stderr, \
        result.stderr
    assert "may still sign you in" in result.stderr
    assert "Removed" not in result.stderr and "Traceback" not in result.stderr
    assert cookies.read_text() == "an IdP session cookie"


def test_logout_profile_says_it_could_not_delete_the_browser_profile(stuck_profile):
    env, profile, cookies = stuck_profile
    assert_refused(run_cli(["logout", "--profile", "work"], env=env), profile, cookies)


def test_logout_all_says_it_could_not_delete_the_browser_profile(stuck_profile):
    env, profile, cookies = stuck_profile
    assert_refused(run_cli(["logout", "--all"], env=env), profile, cookies)


def test_logout_removes_the_same_profile_once_it_can(stuck_profile):
    env, profile, cookies = stuck_profile
    subprocess.run(["chattr", "-i", str(profile / "Default")], check=True)
    result = run_cli(["logout", "--profile", "work"], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("Deleted the IdP session of bob at idp.example.invalid, which every profile with that "
                             "user and IdP shares.\n")
    assert not profile.exists()
