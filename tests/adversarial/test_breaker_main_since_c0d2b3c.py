"""Breaker findings on what changed on main after c0d2b3c (alias lookup process, STS client
prepared in a thread, console redirect, chained light path, role/base64 parsing).

Each test pins one defect found by poking at the change; real parts (real child processes,
real sockets, real botocore), no mocks.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from samlcreds import accounts
from samlcreds.creds import Credentials


def _creds(account: str) -> Credentials:
    return Credentials("ASIAEXAMPLEKEYID0002", "secret-key-for-the-lookup", "token-for-the-lookup",
                       datetime.now(timezone.utc) + timedelta(hours=1), account_id=account)


# --- the detached alias lookup process ----------------------------------------------------------

def test_alias_lookup_process_imports_nothing_from_the_current_directory(isolated_env, monkeypatch, tmp_path):
    """``python -c`` puts the current directory first on sys.path: a ``json.py`` in the directory the
    user runs ``samlcreds login`` in (a cloned repository, say) ran inside the lookup process, which
    holds the fresh credentials on its stdin. The lookup must import only samlcreds' own modules."""
    hostile = tmp_path / "checkout"
    hostile.mkdir()
    marker = tmp_path / "ran-from-cwd"
    (hostile / "json.py").write_text(f"open({str(marker)!r}, 'w').write('imported from the cwd')\n"
                                     "raise ImportError('not the real json')\n")
    monkeypatch.chdir(hostile)
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9")  # refused at once: "no alias"
    lookups = accounts.AliasLookups()
    lookups.add(_creds("444444444444"))
    child = lookups.start()
    assert child is not None
    assert child.wait(timeout=30) == 0
    assert not marker.exists(), "the lookup process imported json.py from the current directory"
    stored = json.loads((Path(isolated_env["XDG_CACHE_HOME"]) / "samlcreds" / "account-aliases.json").read_text())
    assert stored["444444444444"]["alias"] is None  # the lookup did run, with the real modules


def _trickling_server():
    """A loopback HTTP server that answers every request one byte each 0.3 s, forever (a slow proxy,
    a hostile endpoint): botocore's read timeout is per read, so it never fires."""
    listener = socket.create_server(("127.0.0.1", 0))

    def drip(conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
                while True:
                    conn.sendall(b"<")
                    time.sleep(0.3)
            except OSError:
                pass

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener


def test_alias_lookup_process_ends_at_its_limit_even_when_sigalrm_was_ignored(isolated_env, monkeypatch):
    """The process's life limit is SIGALRM's default action; a command started with SIGALRM ignored
    (SIG_IGN survives exec) handed that on, and against an IAM endpoint that trickles its answer the
    lookup process lived on for good (seen: still running after 40 s)."""
    listener = _trickling_server()
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", f"http://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setattr(accounts, "LOOKUP_PROCESS_LIMIT", 2)  # the child's own limit stays the bound
    previous = signal.signal(signal.SIGALRM, signal.SIG_IGN)
    try:
        lookups = accounts.AliasLookups()
        lookups.add(_creds("555555555555"))
        started = time.monotonic()
        child = lookups.start()
    finally:
        signal.signal(signal.SIGALRM, previous)
    try:
        assert child.wait(timeout=15) == -signal.SIGALRM
        assert time.monotonic() - started < 10
    finally:
        if child.poll() is None:
            child.kill()
        listener.close()


# --- the cache-hit (light) path of 'samlcreds process' agrees with the full command ----------------

def test_light_path_reads_short_option_equals_as_click_does(tmp_path):
    """click reads ``-p=work`` as the profile ``=work`` (a short option's value is the rest of the word);
    the light path read it as ``work`` and served work's cached credentials, while the same command on
    a cold cache said profile ``=work`` has no sign-in URL. Warm or cold, one answer."""
    from tests.adversarial.test_adversarial import PROFILE_BODY, _seed_cache
    from tests.helpers import isolated_environ, run_cli

    cold = isolated_environ(tmp_path / "cold", config_text="[profile work]\n" + PROFILE_BODY)
    warm = isolated_environ(tmp_path / "warm", config_text="[profile work]\n" + PROFILE_BODY)
    _seed_cache(warm, "work")
    assert run_cli(["process", "--profile", "work"], env=warm).returncode == 0  # the entry is a hit
    answers = [run_cli(["process", "-p=work"], env=env) for env in (cold, warm)]
    assert "ASIAFAKE" not in answers[1].stdout, "the light path served profile work for -p=work"
    assert [a.returncode for a in answers] == [answers[0].returncode] * 2 and answers[0].returncode != 0
    assert "=work" in answers[1].stderr, answers[1].stderr


# --- the STS client: what botocore refuses while building it is a usage error, not a traceback ----

@pytest.mark.parametrize("setting", [
    {"AWS_ENDPOINT_URL_STS": "sts.internal.example"},  # no scheme: botocore's ValueError
    {"AWS_ENDPOINT_URL": "http://[::1"},  # urllib's ValueError
    {"AWS_STS_REGIONAL_ENDPOINTS": "sometimes"},  # botocore's InvalidSTSRegionalEndpointsConfigError
    {"AWS_DEFAULTS_MODE": "fastest"},  # InvalidDefaultsMode
    {"config": "sts_regional_endpoints = sometimes"},  # the same, from the profile
], ids=["endpoint-without-scheme", "broken-ipv6-endpoint", "regional-endpoints", "defaults-mode", "profile"])
def test_a_setting_botocore_refuses_for_the_sts_client_is_a_clear_error(tmp_path, setting):
    """These reached the user as a Python traceback (exit 1), after the sign-in at the IdP: the STS
    client (prepared in a thread during the sign-in, built again in the caller) is made only then."""
    from tests import samples
    from tests.helpers import isolated_environ, run_cli

    extra = {k: v for k, v in setting.items() if k != "config"}
    config = "[profile p]\nsaml_role_arn = 111111111111:Developer\n" + (setting.get("config", "") + "\n")
    env = isolated_environ(tmp_path, config_text=config, **extra)
    path = tmp_path / "response.b64"
    path.write_text(samples.b64(samples.response_xml()))
    result = run_cli(["login", "--profile", "p", "--saml-file", str(path), "--print", "json"], env=env)
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "STS client" in result.stderr and result.stdout == ""


def test_a_setting_botocore_refuses_for_a_chained_assume_role_is_a_clear_error(tmp_path):
    """The same for role chaining's AssumeRole client (source credentials cached: no sign-in)."""
    from tests.adversarial.test_adversarial import PROFILE_BODY, _seed_cache
    from tests.helpers import isolated_environ, run_cli

    env = isolated_environ(tmp_path, config_text="[profile src]\n" + PROFILE_BODY + "[profile deploy]\n"
                           "role_arn = arn:aws:iam::222222222222:role/Deploy\nsource_profile = src\n",
                           AWS_STS_REGIONAL_ENDPOINTS="sometimes")
    _seed_cache(env, "src")
    result = run_cli(["process", "--profile", "deploy"], env=env)
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode == 2 and "STS client" in result.stderr, (result.returncode, result.stderr)
    assert result.stdout == ""
