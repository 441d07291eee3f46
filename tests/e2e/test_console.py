"""``samlcreds console`` against the sandbox's federation endpoint (which checks keys against its STS)."""

from __future__ import annotations

import json
import os
import pathlib
import stat
import sys
import urllib.parse

import pytest
import requests

from samlcreds import aws, console
from tests.helpers import run_cli, run_main

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


#: A $BROWSER that records its argv, fetches the URL it was given without following the redirect,
#: and records the status, the headers and a second fetch's status (the loopback link is one-use).
FAKE_BROWSER = """
import json, pathlib, sys, urllib.error, urllib.request

class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None  # report the 303 instead of following it

opener = urllib.request.build_opener(Stay)
record = {"argv": sys.argv}
for attempt in ("first", "again"):
    try:
        answer = opener.open(sys.argv[1], timeout=10)
        record[attempt] = {"status": answer.status, "headers": dict(answer.headers)}
    except urllib.error.HTTPError as exc:
        record[attempt] = {"status": exc.code, "headers": dict(exc.headers)}
    except urllib.error.URLError as exc:
        record[attempt] = {"status": None, "error": str(exc.reason)}
pathlib.Path(OUT).write_text(json.dumps(record))
"""


def fake_browser(tmp_path, script: str = FAKE_BROWSER) -> tuple[pathlib.Path, pathlib.Path]:
    """An executable $BROWSER running ``script`` (OUT: the file it writes); returns (browser, OUT)."""
    seen = tmp_path / "browser-saw.json"
    browser = tmp_path / "fake-browser"
    browser.write_text(f"#!{sys.executable}\nOUT = {str(seen)!r}\n{script}")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    return browser, seen


def test_console_browser_gets_a_one_use_loopback_redirect(sandbox_env, sandbox_sts, tmp_path):
    configure_bob()
    sign_in()
    browser, seen = fake_browser(tmp_path)
    env = dict(os.environ, BROWSER=str(browser))
    result = run_cli(["console", "--profile", "work", "--destination", "https://console.aws.amazon.com/s3/home"],
                     env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the URL went to the browser only
    assert "Opened the AWS console as " + BOB_ROLE in result.stderr
    record = json.loads(seen.read_text())
    # the browser was started with a loopback URL only: no token, no federation endpoint in its argv
    token = sandbox_sts.federation.issued[-1]["token"]
    argv = " ".join(record["argv"])
    assert "SigninToken" not in argv and token not in argv and sandbox_sts.federation_url not in argv
    loopback = urllib.parse.urlsplit(record["argv"][1])
    assert loopback.scheme == "http" and loopback.hostname == "127.0.0.1" and len(loopback.path) > 40
    first = record["first"]
    assert first["status"] == 303, first
    assert first["headers"]["Cache-Control"] == "no-store"
    assert first["headers"]["Referrer-Policy"] == "no-referrer"
    url = first["headers"]["Location"]
    assert url.startswith(sandbox_sts.federation_url + "?")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query["SigninToken"] == token and query["Destination"] == "https://console.aws.amazon.com/s3/home"
    assert record["again"]["status"] == 404  # one use only
    assert token not in result.stderr and "SigninToken" not in result.stderr
    answer = requests.get(url, allow_redirects=False, timeout=10)  # the Location really signs in
    assert answer.status_code == 302 and answer.headers["Location"] == query["Destination"]
    with pytest.raises(requests.ConnectionError):  # the loopback server is gone
        requests.get(record["argv"][1], timeout=5)


def test_console_loopback_refuses_wrong_paths_and_other_users(sandbox_env, sandbox_sts, tmp_path):
    """Another local user who reads the loopback URL in the browser's argv and races it gets 404;
    so does any other path or Host. The user's own browser still gets the redirect afterwards."""
    if os.geteuid() != 0:
        pytest.skip("needs root to fetch as another user (setpriv)")
    configure_bob()
    sign_in()
    spy = r"""
import subprocess, sys, urllib.parse
FETCH = '''
import http.client, sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
connection.request("GET", parts.path, headers=dict([sys.argv[2].split(": ")]) if len(sys.argv) > 2 else {})
print(connection.getresponse().status)
'''
def status(*args, user=None):
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if user else []
    return int(subprocess.run([*prefix, sys.executable, "-c", FETCH, *args], capture_output=True, text=True,
                              check=True).stdout)
url = sys.argv[1]
parts = urllib.parse.urlsplit(url)
spied = {
    "other_user": status(url, user="nobody"),
    "other_path": status(parts._replace(path=parts.path[:-1]).geturl()),
    "other_host": status(url, "Host: localhost:%d" % parts.port),
}
"""
    browser, seen = fake_browser(tmp_path, spy + FAKE_BROWSER.replace('record = {"argv": sys.argv}',
                                                                      'record = {"argv": sys.argv, **spied}'))
    result = run_cli(["console", "--profile", "work"], env=dict(os.environ, BROWSER=str(browser)))
    assert result.returncode == 0, result.stderr
    record = json.loads(seen.read_text())
    assert record["other_user"] == 404 and record["other_path"] == 404 and record["other_host"] == 404
    assert record["first"]["status"] == 303
    assert record["first"]["headers"]["Location"].startswith(sandbox_sts.federation_url + "?")


def test_console_says_when_the_browser_never_opens_the_link(sandbox_env, sandbox_sts, tmp_path, monkeypatch):
    import webbrowser

    from samlcreds.servers import redirect

    configure_bob()
    sign_in()
    browser, seen = fake_browser(tmp_path, "import sys, pathlib\npathlib.Path(OUT).write_text(sys.argv[1])\n")
    monkeypatch.setattr(redirect, "BROWSER_WAIT", 1.0)
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # register again from this run's BROWSER
    result = run_main(["console", "--profile", "work"], env=dict(os.environ, BROWSER=str(browser)))
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    assert result.returncode == 2, result.stderr
    assert "waiting up to 1 s for the browser" in result.stderr
    assert "the browser did not open the console sign-in within 1 s" in result.stderr
    assert "samlcreds console --profile work --print" in result.stderr and result.stdout == ""
    with pytest.raises(requests.ConnectionError):  # the link no longer works
        requests.get(seen.read_text(), timeout=5)


#: A $BROWSER behind a forwarder that rewrites Host (or on another machine's 127.0.0.1): refused.
FORWARDED_BROWSER = """
import http.client, pathlib, sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
connection.request("GET", parts.path, headers={"Host": "localhost:%d" % parts.port})
pathlib.Path(OUT).write_text(str(connection.getresponse().status))
"""


def test_console_ends_the_wait_soon_when_its_request_was_refused(sandbox_env, sandbox_sts, tmp_path):
    """Not the whole 60 s then "did not open": the refusal is named, with --print as the way out."""
    configure_bob()
    sign_in()
    browser, seen = fake_browser(tmp_path, FORWARDED_BROWSER)
    result = run_cli(["console", "--profile", "work"], env=dict(os.environ, BROWSER=str(browser)), timeout=30)
    assert seen.read_text() == "404"
    assert result.returncode == 2, result.stderr
    assert "a request for the one-use console link was refused" in result.stderr and "Host header was not 127.0.0.1:" in result.stderr
    assert "samlcreds console --profile work --print" in result.stderr and "another machine" in result.stderr
    assert "did not open the console sign-in within" not in result.stderr and result.stdout == ""
    token = sandbox_sts.federation.issued[-1]["token"]
    assert token not in result.stderr and "SigninToken" not in result.stderr


#: A $BROWSER whose first connections go away before reading the answer (TCP reset), then fetches.
DROPPING_BROWSER = """
import socket, struct, sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
request = ("GET %s HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\n\\r\\n" % (parts.path + "x", parts.port)).encode()
for data in (request, request[:12]) * 2:
    client = socket.create_connection((parts.hostname, parts.port), timeout=5)
    client.sendall(data)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
"""


def test_console_prints_no_traceback_when_a_client_drops_its_connection(sandbox_env, sandbox_sts, tmp_path):
    configure_bob()
    sign_in()
    browser, seen = fake_browser(tmp_path, DROPPING_BROWSER + FAKE_BROWSER)
    result = run_cli(["console", "--profile", "work"], env=dict(os.environ, BROWSER=str(browser)))
    assert result.returncode == 0, result.stderr
    assert json.loads(seen.read_text())["first"]["status"] == 303
    assert "Traceback" not in result.stderr and "Exception occurred" not in result.stderr, result.stderr


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


@pytest.mark.parametrize("command", [["console", "--print"], ["env"], ["process"], ["exec", "--", "true"]])
def test_a_missing_user_name_names_the_configure_command_once(sandbox_env, command):
    """These commands have no --username: the hint names the command that stores it, for this profile."""
    result = run_cli(["configure", "--profile", "sb2", "--provider", "form", "--url", os.environ["SAMLCREDS_URL"]])
    assert result.returncode == 0, result.stderr
    result = run_cli([command[0], "--profile", "sb2", *command[1:]])
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[1:] == ["  Run 'samlcreds configure --profile sb2 --username NAME'."]
    assert result.stdout == ""
