"""A person at the keyboard: the default browser sign-in in a real X display, keystrokes from xdotool.

No driver is attached to the browser: samlcreds starts Debian's Chromium as a
plain process, the test finds its window by title and types into it (XTEST)
exactly as a person would. These tests FAIL (never skip) when Xvfb, xdotool
or Chromium is missing.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.parse

import boto3
import pytest

from samlcreds import errors
from samlcreds.saml import read_saml_response
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser import BrowserClosed, BrowserProvider
from samlcreds.aws import signin_host_partition
from sandbox.guard import Guard
from tests.e2e.browser_support import (
    SSP_LOGIN_TITLE,
    CmdlineWatch,
    Tty,
    browser_processes,
    type_credentials,
    wait_for_window,
    x_display,  # noqa: F401  (fixture)
)
from tests.helpers import run_cli

BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"
ACS_URLS = [
    "https://signin.aws.amazon.com/saml",
    "https://us-west-2.signin.aws.amazon.com/saml",
    "https://eu-central-1.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46",
    "https://signin.amazonaws-us-gov.com/saml",
    "https://signin.amazonaws.cn/saml",
]


def _caller_arn(profile: str) -> str:
    return boto3.Session(profile_name=profile).client("sts").get_caller_identity()["Arn"]


def test_first_sign_in_in_a_window_then_silent_without_a_terminal(sandbox_env, sandbox_idp, x_display,
                                                                   monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    marker = sandbox_env["HOME"]
    before = sandbox_idp.login_count("bob")
    with Guard(sandbox_idp.sso_url) as guard:
        args = ["login", "--provider", "browser", "--profile", "kb", "--url", guard.url]
        with CmdlineWatch(marker) as first:
            tty = Tty(*args, env=dict(os.environ))
            window = wait_for_window(x_display, SSP_LOGIN_TITLE, timeout=60)
            type_credentials(x_display, window, "bob", "bob-pw")
            code = tty.wait(90)
        shown = tty.output.decode(errors="replace")
        assert code == 0, shown
        assert "Opening a browser window" in shown and "unsupported command-line flag" in shown
        assert "bob-pw" not in shown
        assert sandbox_idp.login_count("bob") == before + 1
        assert _caller_arn("kb").lower() == BOB_ARN.lower()
        assert guard.reports and all(r["webdriver"] is False for r in guard.reports), guard.reports
        browsers = first.browsers()
        assert browsers and all(b"--headless" not in line for line in browsers.values())
        assert not first.with_automation_flags()
        assert not browser_processes(marker)

        # Later: no terminal, no password, no window: the IdP session lives in the profile.
        reports = len(guard.reports)
        with CmdlineWatch(marker, display=x_display) as second:
            windows_before = set(second.windows)
            started = time.monotonic()
            result = run_cli(args)
            took = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        assert took < 60
        assert sandbox_idp.login_count("bob") == before + 1
        assert _caller_arn("kb").lower() == BOB_ARN.lower()
        browsers = second.browsers()
        assert browsers and all(b"--headless=new" in line for line in browsers.values())
        assert second.windows == windows_before == set(), second.windows
        assert not second.with_automation_flags()
        assert len(guard.reports) > reports and guard.reports[-1]["webdriver"] is False
        assert not browser_processes(marker)


def test_no_idp_session_and_no_terminal_is_a_clear_error_in_bounded_time(sandbox_env, x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    started = time.monotonic()
    result = run_cli(["login", "--provider", "browser", "--profile", "fresh", "--username", "nobody"])
    assert time.monotonic() - started < 60
    assert result.returncode == 3, result.stderr
    assert "samlcreds login --profile fresh" in result.stderr
    assert "terminal" in result.stderr and "Traceback" not in result.stderr
    assert not browser_processes(sandbox_env["HOME"])


@pytest.mark.parametrize("acs_url", ACS_URLS)
def test_every_aws_signin_endpoint_is_captured_and_never_reached(acs_url, make_idp, tmp_path, x_display,
                                                                 monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    idp = make_idp(acs_url=acs_url, register=False)
    proxies = []
    request = LoginRequest(url=idp.sso_url, state_dir=tmp_path, interactive=True, timeout=60)

    def person():
        window = wait_for_window(x_display, SSP_LOGIN_TITLE, timeout=60)
        type_credentials(x_display, window, "bob", "bob-pw")

    typist = threading.Thread(target=person, daemon=True)
    typist.start()
    with CmdlineWatch(str(tmp_path)) as watch:
        saml = BrowserProvider(on_proxy=proxies.append).fetch_saml_response(request)
    typist.join(5)
    assertion = read_saml_response(saml)
    assert assertion.destination == acs_url
    host = urllib.parse.urlsplit(acs_url).hostname
    log = proxies[0].log
    # Every request for an AWS sign-in host was answered on loopback: the CONNECT, then the SAML POST.
    assert [(s.method, s.status) for s in log if s.method == "POST"] == [("POST", 200)]
    assert all(signin_host_partition(s.host.rsplit(":", 1)[0]) for s in log)
    assert f"{host}:443" in {s.host for s in log if s.method == "CONNECT"}
    assert not watch.with_automation_flags() and watch.browsers()
    assert not browser_processes(str(tmp_path))


def test_closing_the_window_is_browser_closed(make_idp, tmp_path, x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    idp = make_idp(register=False)
    request = LoginRequest(url=idp.sso_url, state_dir=tmp_path, interactive=True, headless=False, timeout=60)

    def person_closes_it():
        window = wait_for_window(x_display, SSP_LOGIN_TITLE, timeout=60)
        from tests.e2e.browser_support import xdotool

        xdotool(x_display, "windowfocus", "--sync", window)
        xdotool(x_display, "key", "ctrl+shift+w")

    closer = threading.Thread(target=person_closes_it, daemon=True)
    closer.start()
    started = time.monotonic()
    with pytest.raises(BrowserClosed) as info:
        BrowserProvider().fetch_saml_response(request)
    closer.join(5)
    assert time.monotonic() - started < 60
    assert isinstance(info.value, errors.AuthenticationError) and "closed" in str(info.value)
    assert not browser_processes(str(tmp_path))


def test_person_signs_in_through_lemonldap_then_silent(lemonldap_env, lemonldap_idp, x_display, monkeypatch):
    """The same person-at-the-keyboard sign-in through the second, independent IdP (LemonLDAP::NG)."""
    monkeypatch.setenv("DISPLAY", x_display)
    marker = lemonldap_env["HOME"]
    before = lemonldap_idp.login_count("rtyler")
    args = ["login", "--provider", "browser", "--profile", "ll"]
    with CmdlineWatch(marker) as first:
        tty = Tty(*args, env=dict(os.environ))
        window = wait_for_window(x_display, "Authentication portal", timeout=60)
        type_credentials(x_display, window, "rtyler", "rtyler")
        try:
            code = tty.wait(90)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; IdP log: {lemonldap_idp.log_lines()[-8:]}") from None
    assert code == 0, tty.output.decode(errors="replace")
    assert lemonldap_idp.login_count("rtyler") == before + 1
    arn = "arn:aws:sts::111111111111:assumed-role/ReadOnly/rtyler@badwolf.org"
    assert _caller_arn("ll") == arn
    assert first.browsers() and not first.with_automation_flags()
    assert not browser_processes(marker)

    with CmdlineWatch(marker, display=x_display) as second:
        result = run_cli(args)
    assert result.returncode == 0, result.stderr
    assert lemonldap_idp.login_count("rtyler") == before + 1  # the LemonLDAP session was reused
    assert _caller_arn("ll") == arn
    assert second.browsers() and all(b"--headless=new" in line for line in second.browsers().values())
    assert second.windows == set() and not second.with_automation_flags()
    assert not browser_processes(marker)
