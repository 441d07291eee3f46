"""``samlcreds exec --server`` and ``samlcreds serve``: botocore's container provider in the child, for real."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import urllib.parse

import requests

from tests.helpers import RUNS, run_cli

BOB_ROLE = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"

CHILD = textwrap.dedent("""
    import json, os, sys, urllib.request, urllib.error
    import boto3, botocore.session
    uri, token = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"], os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    def status(headers):
        try:
            return urllib.request.urlopen(urllib.request.Request(uri, headers=headers), timeout=10).status
        except urllib.error.HTTPError as exc:
            return exc.code
    creds = botocore.session.Session().get_credentials()
    report = {
        "uri": uri,
        "method": creds.method,
        "arn": boto3.Session().client("sts").get_caller_identity()["Arn"],
        "static": [k for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")
                   if k in os.environ],
        "no_token": status({}),
        "wrong_token": status({"Authorization": token[:-1] + ("A" if token[-1] != "A" else "B")}),
        "right_token": status({"Authorization": token}),
        "region": os.environ.get("AWS_REGION"),
    }
    print(json.dumps(report))
    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
""")


def configure_bob(profile="work", *extra):
    result = run_cli(["configure", "--profile", profile, "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "bob", *extra])
    assert result.returncode == 0, result.stderr
    result = run_cli(["login", "--profile", profile, "--password-stdin", "--print", "json"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr


def refused(uri: str) -> bool:
    parsed = urllib.parse.urlsplit(uri)
    with socket.socket() as sock:
        return sock.connect_ex((parsed.hostname, parsed.port)) != 0


def test_child_uses_container_credentials_and_the_server_goes_away(sandbox_env, sandbox_idp):
    configure_bob()
    logins = sandbox_idp.login_count()
    result = run_cli(["exec", "--server", "--profile", "work", "--", sys.executable, "-c", CHILD, "3"])
    assert result.returncode == 3, result.stderr  # the child's exit status
    report = json.loads(result.stdout)
    assert report["method"] == "container-role"
    assert report["arn"] == BOB_ROLE
    assert report["static"] == []
    assert (report["no_token"], report["wrong_token"], report["right_token"]) == (401, 403, 200)
    assert urllib.parse.urlsplit(report["uri"]).hostname == "127.0.0.1"
    assert report["region"] == "us-east-1"
    assert refused(report["uri"])  # gone with the child
    assert sandbox_idp.login_count() == logins


def test_server_refreshes_through_the_idp_session(sandbox_env, sandbox_idp, sandbox_sts):
    configure_bob("short", "--duration", "900")  # STS's minimum: served until 5 minutes are left
    logins, calls = sandbox_idp.login_count(), len(sandbox_sts.calls)
    # between its two requests the child makes the cached entry look 2 minutes from expiry
    code = textwrap.dedent("""
        import json, os, pathlib, urllib.request
        req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                                     headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
        get = lambda: json.load(urllib.request.urlopen(req, timeout=30))
        docs = [get(), get()]  # the second is a cache hit
        cache = pathlib.Path(os.environ["XDG_CACHE_HOME"]) / "samlcreds" / "credentials"
        for path in cache.iterdir():  # now under 5 minutes left: the next request refreshes
            stored = json.loads(path.read_text())
            stored.update(obtained_at=stored["obtained_at"] - 700, expires_at=stored["expires_at"] - 700)
            path.write_text(json.dumps(stored))
        docs.append(get())
        keys = [d["AccessKeyId"] for d in docs]
        print(json.dumps([sorted(d) for d in docs] + [keys[0] == keys[1], keys[1] != keys[2]]))
    """)
    result = run_cli(["exec", "--server", "-p", "short", "--", sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    keys_a, keys_b, keys_c, hit, refreshed = json.loads(result.stdout)
    assert keys_a == keys_b == keys_c == ["AccessKeyId", "Expiration", "SecretAccessKey", "Token"]
    assert hit and refreshed
    assert len(sandbox_sts.calls) == calls + 1  # only the refresh: the login's credentials were cached
    assert sandbox_idp.login_count() == logins  # no password: the IdP session


def _start(args, env=None):
    full = dict(os.environ if env is None else env, SAMLCREDS_NO_TTY="1")
    return subprocess.Popen([sys.executable, "-m", "samlcreds", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=full, start_new_session=True)


def _finish(proc, timeout=30):
    out, err = proc.communicate(timeout=timeout)
    RUNS.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return out, err


def test_signals_reach_the_child_and_its_fate_is_ours(sandbox_env):
    configure_bob()
    handled = "import signal, sys, time\nsignal.signal(signal.SIGTERM, lambda *a: (print('got TERM', flush=True), sys.exit(7)))\nprint('ready', flush=True)\ntime.sleep(60)\n"
    proc = _start(["exec", "--server", "-p", "work", "--", sys.executable, "-c", handled])
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)  # to samlcreds, which passes it on
    out, err = _finish(proc)
    assert "got TERM" in out and proc.returncode == 7, err

    default = "import time\nprint('ready', flush=True)\ntime.sleep(60)\n"
    proc = _start(["exec", "--server", "-p", "work", "--", sys.executable, "-c", default])
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    _finish(proc)
    assert proc.returncode == -signal.SIGTERM  # the child died of it, and so does samlcreds


def test_command_not_found_is_127(sandbox_env):
    configure_bob()
    result = run_cli(["exec", "--server", "-p", "work", "--", "no-such-command-samlcreds"])
    assert result.returncode == 127
    assert "command not found" in result.stderr


def test_serve_prints_the_exports_and_serves_until_interrupted(sandbox_env):
    configure_bob()
    proc = _start(["serve", "--profile", "work"])
    try:
        exports = dict(line.removeprefix("export ").split("=", 1) for line in
                       (proc.stdout.readline().strip(), proc.stdout.readline().strip()))
        assert sorted(exports) == ["AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        env = {k: v for k, v in os.environ.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE")}
        env.update(exports)
        child = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
        assert child.returncode == 0, child.stderr
        report = json.loads(child.stdout)
        assert (report["method"], report["arn"]) == ("container-role", BOB_ROLE)
        assert (report["no_token"], report["wrong_token"]) == (401, 403)
        uri = exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        assert requests.get(uri, headers={"Authorization": "Bearer x"}, timeout=5).status_code == 403
    finally:
        proc.send_signal(signal.SIGINT)
        _finish(proc)
    assert proc.returncode == 0
    assert refused(uri)


def test_keys_in_the_default_profile_do_not_win_over_the_served_credentials(sandbox_env, sandbox_idp, tmp_path):
    """botocore takes [default] of the credentials file before container credentials: the child must not see it."""
    from pathlib import Path

    configure_bob()
    credentials = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    credentials.parent.mkdir(parents=True, exist_ok=True)
    with credentials.open("a") as file:
        file.write("\n[default]\naws_access_key_id = AKIAOTHERUSER0000000\naws_secret_access_key = other\n")
    result = run_cli(["exec", "--server", "--profile", "work", "--", sys.executable, "-c", CHILD])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["method"], report["arn"]) == ("container-role", BOB_ROLE)
    assert f"[default] of {credentials} holds keys" in result.stderr
    assert "AKIAOTHERUSER" not in result.stderr and "AKIAOTHERUSER" in credentials.read_text()  # file untouched
    config = Path(sandbox_env["AWS_CONFIG_FILE"])
    with config.open("a") as file:
        file.write("\n[default]\ncredential_process = /bin/false\n")
    warned = run_cli(["exec", "--server", "--profile", "work", "--", sys.executable, "-c", "pass"])
    assert warned.returncode == 0, warned.stderr
    assert f"warning: [default] of {config} (credential_process) gives credentials" in warned.stderr
