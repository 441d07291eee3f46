"""``samlcreds console`` against the sandbox's federation endpoint (which checks keys against its STS)."""

from __future__ import annotations

import os
import stat
import sys
import urllib.parse

import requests

from samlcreds import aws, console
from tests.helpers import run_cli

BOB_ROLE = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"


def configure_bob(profile: str = "work", *extra: str) -> None:
    result = run_cli(["configure", "--profile", profile, "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "bob", *extra])
    assert result.returncode == 0, result.stderr


def sign_in(profile: str = "work") -> None:
    result = run_cli(["login", "--profile", profile, "--password-stdin", "--print", "json"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr


def test_console_print_gives_a_url_that_signs_in_as_the_role(sandbox_env, sandbox_sts, sandbox_idp):
    configure_bob()
    sign_in()
    logins = sandbox_idp.login_count()
    result = run_cli(["console", "--profile", "work", "--print"])
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert result.stdout.count("\n") == 1 and url.startswith(sandbox_sts.federation_url + "?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["Action"] == "login"
    assert query["Destination"] == "https://console.aws.amazon.com/console/home?region=us-east-1"
    assert query["Issuer"] == os.environ["SAMLCREDS_URL"]
    token = query["SigninToken"]
    assert token not in result.stderr and url not in result.stderr
    issued = sandbox_sts.federation.issued[-1]
    assert issued["token"] == token and issued["role_arn"] == BOB_ROLE
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"] == query["Destination"]
    assert sandbox_sts.federation.logins[-1]["role_arn"] == BOB_ROLE
    assert sandbox_idp.login_count() == logins  # served from the cache


def test_console_destination_and_browser(sandbox_env, sandbox_sts, tmp_path):
    configure_bob()
    sign_in()
    seen = tmp_path / "browser-url"
    browser = tmp_path / "fake-browser"
    browser.write_text(f"#!{sys.executable}\nimport sys, pathlib\npathlib.Path({str(seen)!r}).write_text(sys.argv[1])\n")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, BROWSER=str(browser))
    result = run_cli(["console", "--profile", "work", "--destination", "https://console.aws.amazon.com/s3/home"],
                     env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the URL went to the browser only
    url = seen.read_text()
    assert url not in result.stderr and "SigninToken" not in result.stderr
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["Destination"] == "https://console.aws.amazon.com/s3/home"
    assert requests.get(url, allow_redirects=False, timeout=10).status_code == 302


def test_console_refuses_a_non_https_destination(sandbox_env):
    configure_bob()
    sign_in()
    result = run_cli(["console", "--profile", "work", "--print", "--destination", "http://evil.example/"])
    assert result.returncode == 2
    assert "not an https URL" in result.stderr and result.stdout == ""


def test_federation_endpoint_refuses_forged_keys(sandbox_env, sandbox_sts):
    from samlcreds import errors
    from samlcreds.creds import Credentials
    from datetime import datetime, timedelta, timezone

    forged = Credentials("ASIAFORGED0000000000", "not-the-secret", "not-the-token",
                         datetime.now(timezone.utc) + timedelta(hours=1))
    try:
        console.signin_token(forged, sandbox_sts.federation_url)
    except errors.StsError as exc:
        assert "refused the credentials (HTTP 400)" in exc.message
    else:
        raise AssertionError("forged keys got a sign-in token")
    assert sandbox_sts.federation.refused[-1] == "unknown sessionId"


def test_partition_hosts():
    assert aws.federation_url("aws") == "https://signin.aws.amazon.com/federation"
    assert aws.federation_url("aws-us-gov") == "https://signin.amazonaws-us-gov.com/federation"
    assert aws.federation_url("aws-cn") == "https://signin.amazonaws.cn/federation"
    assert aws.console_url("aws-cn", "cn-north-1") == "https://console.amazonaws.cn/console/home?region=cn-north-1"
    assert aws.console_url("aws-us-gov") == "https://console.amazonaws-us-gov.com/"
    assert console.federation_endpoint("aws-us-gov", {}) == "https://signin.amazonaws-us-gov.com/federation"
    assert console.federation_endpoint("aws", {"SAMLCREDS_FEDERATION_URL": "http://127.0.0.1:9/f"}) == \
        "http://127.0.0.1:9/f"
    url = console.login_url("TOKEN", "https://signin.aws.amazon.com/federation",
                            destination="https://console.aws.amazon.com/", issuer="https://idp/sso")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query == {"Action": "login", "Destination": "https://console.aws.amazon.com/", "SigninToken": "TOKEN",
                     "Issuer": "https://idp/sso"}


def test_keys_never_reach_the_logs(sandbox_env, sandbox_sts, caplog):
    import logging

    import samlcreds

    configure_bob()
    sign_in()
    caplog.set_level(logging.DEBUG)
    creds = samlcreds.credentials("work")
    url = console.console_signin_url(creds)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "getSigninToken" not in text and creds.secret_access_key not in text and url not in text
    assert any("federation endpoint" in record.getMessage() for record in caplog.records)
