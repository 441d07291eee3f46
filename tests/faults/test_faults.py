"""Faults with the local sandbox: IdP and STS down, slow, failing or refusing; a
read-only home, a full disk and Ctrl-C during the credentials-file write.

In each: a clear message, the documented exit code (README "Exit codes"), no
traceback, and the user's credentials file, config file and cache byte for
byte as they were.
"""

from __future__ import annotations

import http.server
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import botocore.session
import pytest

from sandbox.idp import fetch_saml_response
from tests.helpers import run_cli

CREDENTIALS = """\
# the user's credentials file
[default]
aws_access_key_id = ASIAOLDOLDOLDOLD
aws_secret_access_key = old-secret
aws_session_token = old-token
aws_credential_expiration = 2001-01-01T00:00:00Z

[static]  ; long-term keys
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
"""
CONFIG = """\
# the user's config
[default]
region = us-east-1
saml_provider = paste

[profile other]
region = eu-west-1
"""
CACHE_ENTRY = b'{"key": {"profile": "other"}, "credentials": {"Version": 1}}'


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def user_files(sandbox_env):
    """The user's existing files; ``check()`` asserts they are byte-for-byte unchanged."""
    home = Path(sandbox_env["HOME"])
    cache = home / ".cache" / "samlcreds" / "credentials"
    cache.mkdir(parents=True)
    (cache / "other-0000.json").write_bytes(CACHE_ENTRY)
    Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"]).write_text(CREDENTIALS)
    Path(sandbox_env["AWS_CONFIG_FILE"]).write_text(CONFIG)

    def snapshot():
        return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*"))
                if p.is_file() and not p.name.endswith(".lock") and "sessions" not in p.parts}

    before = snapshot()

    class Files:
        def check(self):
            after = snapshot()
            assert after == before, sorted(set(after.items()) ^ set(before.items()))

    return Files()


def assert_fails(result, code: int, *needles: str):
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert "samlcreds: error:" in result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


# ----------------------------------------------------------------------- IdP
class _Slow(http.server.BaseHTTPRequestHandler):
    delay = 5.0
    status = 200

    def do_GET(self):
        time.sleep(self.delay)
        body = b"<html><body>slow</body></html>"
        try:
            self.send_response(self.status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def idp_server():
    servers = []

    def start(delay: float, status: int = 200) -> str:
        handler = type("H", (_Slow,), {"delay": delay, "status": status})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sso"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def login_form(url: str, *extra: str, password: str = "bob-pw"):
    return run_cli(["login", "--provider", "form", "--url", url, "--username", "bob", "--password-stdin",
                    "--role", "ReadOnly", *extra], input=password + "\n")


def test_idp_unreachable(user_files):
    result = login_form(f"http://127.0.0.1:{closed_port()}/sso")
    assert_fails(result, 3, "could not connect to the IdP")
    user_files.check()


def test_idp_slower_than_the_timeout(user_files, idp_server):
    url = idp_server(delay=6)
    started = time.monotonic()
    result = login_form(url, "--timeout", "1")
    assert time.monotonic() - started < 5, "the timeout was not applied"
    assert_fails(result, 3, "did not answer within 1 s")
    user_files.check()


@pytest.mark.parametrize("status", [500, 502, 503])
def test_idp_server_error(user_files, idp_server, status):
    result = login_form(idp_server(delay=0, status=status))
    assert_fails(result, 3, f"HTTP {status}")
    user_files.check()


def test_idp_wrong_password(user_files, sandbox_idp, sandbox_sts):
    before = len(sandbox_sts.calls)
    result = login_form(sandbox_idp.sso_url, password="not-the-password")
    assert_fails(result, 3, "password was refused")
    assert len(sandbox_sts.calls) == before
    user_files.check()


# ----------------------------------------------------------------------- STS
def paste_login(saml: str, *extra: str, env: dict | None = None):
    return run_cli(["login", "--provider", "paste", "--role", "ReadOnly", *extra], input=saml, env=env)


def test_sts_unreachable(user_files, sandbox_idp, sandbox_env):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}"}
    started = time.monotonic()
    result = paste_login(saml, env=env)
    assert_fails(result, 5, "could not reach STS")
    assert time.monotonic() - started < 60
    user_files.check()


def test_sts_5xx_is_retried_a_bounded_number_of_times(user_files, sandbox_idp, sandbox_sts):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    sandbox_sts.clear_failures()
    for _ in range(10):
        sandbox_sts.fail_next("InternalFailure", "We encountered an internal error.", 500)
    before = len(sandbox_sts.calls)
    try:
        result = paste_login(saml)
        calls = len(sandbox_sts.calls) - before
    finally:
        sandbox_sts.clear_failures()
    assert_fails(result, 5, "InternalFailure", "RequestId")
    assert 2 <= calls <= 5, f"STS saw {calls} calls"  # botocore standard mode: 3 attempts
    user_files.check()


def test_sts_throttling_recovers_within_the_retries(user_files, sandbox_idp, sandbox_sts, sandbox_env):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    sandbox_sts.clear_failures()
    sandbox_sts.throttle_next(2)
    before = len(sandbox_sts.calls)
    result = paste_login(saml, "--profile", "fresh")
    assert result.returncode == 0, result.stderr
    assert len(sandbox_sts.calls) - before == 3
    text = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"]).read_text()
    assert text.startswith(CREDENTIALS) and "[fresh]" in text


def test_sts_throttling_past_the_retries(user_files, sandbox_idp, sandbox_sts):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    sandbox_sts.clear_failures()
    sandbox_sts.throttle_next(8)
    before = len(sandbox_sts.calls)
    try:
        result = paste_login(saml)
        calls = len(sandbox_sts.calls) - before
    finally:
        sandbox_sts.clear_failures()
    assert_fails(result, 5, "throttling", "RequestId")
    assert 2 <= calls <= 5, f"STS saw {calls} calls"
    user_files.check()


def sts_error_codes() -> list[str]:
    model = botocore.session.get_session().get_service_model("sts")
    codes = {shape.metadata.get("error", {}).get("code") or shape.name for shape in model.error_shapes}
    return sorted(codes | {"AccessDenied", "ValidationError"})


def test_every_sts_error_code_gets_a_specific_message(user_files, sandbox_idp, sandbox_sts):
    """Each code in botocore's STS model (plus AccessDenied, ValidationError): not the generic
    fallback, AWS's code and RequestId quoted, exit 5."""
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    generic = "STS refused the request ("
    bad = []
    for code in sts_error_codes():
        sandbox_sts.clear_failures()
        for _ in range(10):  # botocore retries a few codes (IDPCommunicationError): fail every attempt
            sandbox_sts.fail_next(code, f"synthetic {code} message", 400)
        result = paste_login(saml)
        if (result.returncode != 5 or generic in result.stderr or "RequestId" not in result.stderr
                or code not in result.stderr or "Traceback" in result.stderr):
            bad.append((code, result.returncode, result.stderr.strip()[:200]))
    sandbox_sts.clear_failures()
    assert not bad, "\n".join(map(str, bad))
    user_files.check()


# ---------------------------------------------------------------- local files
def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is needed for this test", pytrace=False)
    return path


def test_read_only_home(user_files, sandbox_idp, sandbox_env):
    """A read-only bind mount of HOME (root ignores chmod) in a private mount namespace."""
    require("unshare")
    home = sandbox_env["HOME"]
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    script = (f'mount --bind "{home}" "{home}" && mount -o remount,bind,ro "{home}" && '
              f'exec "{sys.executable}" -m samlcreds login --provider paste --role ReadOnly')
    result = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], input=saml,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "SAMLCREDS_NO_TTY": "1"})
    assert "mount:" not in result.stderr, result.stderr
    assert_fails(result, 6, "Read-only file system")
    user_files.check()


def test_credentials_parent_is_a_file(user_files, sandbox_idp, sandbox_env):
    blocker = Path(sandbox_env["HOME"]) / "not-a-dir"
    blocker.write_text("x")
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    env = {**os.environ, "AWS_SHARED_CREDENTIALS_FILE": str(blocker / "credentials")}
    result = paste_login(saml, env=env)
    assert_fails(result, 6, "not-a-dir")
    assert blocker.read_text() == "x"


@pytest.fixture
def small_tmpfs(tmp_path):
    require("mount")
    mountpoint = tmp_path / "tmpfs"
    mountpoint.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mountpoint)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs: {done.stderr}", pytrace=False)
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def fill(directory: Path) -> None:
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as exc:
        assert exc.errno == 28, exc  # ENOSPC: the tmpfs is full
    finally:
        os.close(fd)


def test_disk_full_while_writing_credentials(user_files, sandbox_idp, sandbox_env, small_tmpfs):
    aws = small_tmpfs / "aws"
    aws.mkdir()
    creds = aws / "credentials"
    creds.write_text(CREDENTIALS)
    (aws / "credentials.lock").touch()
    fill(small_tmpfs)
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    # login caches the new credentials before writing the file: keep that cache out of the comparison
    env = {**os.environ, "AWS_SHARED_CREDENTIALS_FILE": str(creds),
           "SAMLCREDS_CACHE_DIR": str(small_tmpfs.parent / "other-cache")}
    result = paste_login(saml, env=env)
    assert_fails(result, 6, "No space left on device")
    assert creds.read_text() == CREDENTIALS
    assert sorted(p.name for p in aws.iterdir()) == ["credentials", "credentials.lock"]  # no temp file left
    user_files.check()


def test_disk_full_while_writing_the_cache(user_files, sandbox_idp, sandbox_env, small_tmpfs):
    fill(small_tmpfs)
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    env = {**os.environ, "SAMLCREDS_CACHE_DIR": str(small_tmpfs / "cache")}
    result = paste_login(saml, env=env)
    assert result.returncode == 6, result.stderr
    assert "Traceback" not in result.stderr
    user_files.check()


def test_disk_full_while_configure_writes(user_files, small_tmpfs):
    config = small_tmpfs / "config"
    config.write_text(CONFIG)
    fill(small_tmpfs)
    result = run_cli(["configure", "--profile", "new", "--provider", "form", "--url", "https://idp/sso",
                      "--username", "me"], env={**os.environ, "AWS_CONFIG_FILE": str(config)})
    assert_fails(result, 6, "No space left on device")
    assert config.read_text() == CONFIG
    user_files.check()


# -------------------------------------------------------------------- Ctrl-C
WRITE_LOOP = """
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from samlcreds import credfile
from samlcreds.creds import Credentials
path = Path(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    creds = Credentials(access_key_id=f"ASIANEW{n:08d}", secret_access_key="s" * 40,
                        session_token="t" * 2000, expiration=datetime.now(timezone.utc) + timedelta(hours=1))
    credfile.write_profile("default", creds, path=path)
"""


def test_sigint_during_credentials_writes_leaves_old_or_new(tmp_path):
    """A process rewriting the file in a loop gets SIGINT at random moments: the file always parses,
    holds the user's other bytes and a complete [default] (old or new), and no temp file is left."""
    import configparser

    rng = random.Random(5)
    path = tmp_path / "credentials"
    path.write_text(CREDENTIALS)
    static_part = CREDENTIALS[CREDENTIALS.index("[static]"):]
    for attempt in range(25):
        proc = subprocess.Popen([sys.executable, "-c", WRITE_LOOP, str(path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode != 0
        text = path.read_text()
        parser = configparser.RawConfigParser()
        parser.read_string(text)
        assert text.startswith("# the user's credentials file\n[default]\n")
        assert static_part in text
        key = parser["default"]["aws_access_key_id"]
        assert key == "ASIAOLDOLDOLDOLD" or (key.startswith("ASIANEW") and len(key) == 15), key
        assert parser["default"]["aws_session_token"] in ("old-token", "t" * 2000)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".credentials.")]
        assert leftovers == [], (attempt, leftovers)


def test_sigint_during_cli_login_exits_130_and_keeps_files(user_files, sandbox_idp, sandbox_env):
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    creds_path = Path(sandbox_env["AWS_SHARED_CREDENTIALS_FILE"])
    original = creds_path.read_bytes()
    codes = set()
    rng = random.Random(7)
    argv = [sys.executable, "-m", "samlcreds", "login", "--provider", "paste", "--role", "ReadOnly",
            "--profile", "default"]
    env = {**os.environ, "SAMLCREDS_NO_TTY": "1"}
    for _ in range(6):
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        proc.stdin.write(saml)
        proc.stdin.close()
        time.sleep(rng.uniform(0.02, 0.35))  # within the command: a paste login takes ~0.3-0.5 s here
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        err = proc.stderr.read()
        codes.add(proc.returncode)
        # 130, or killed by SIGINT once the work was done (a shell shows 130 for both)
        assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, err)
        assert "Traceback" not in err, err
        if proc.returncode == 130:
            assert "interrupted" in err
        text = creds_path.read_bytes()
        import configparser

        parser = configparser.RawConfigParser()
        parser.read_string(text.decode())
        if text != original:  # the login finished: [default] holds new STS keys, the rest is the user's
            key = parser["default"]["aws_access_key_id"]
            assert key.startswith("ASIA") and key != "ASIAOLDOLDOLDOLD", key
            assert parser["default"]["aws_session_token"] != "old-token"
            assert text.decode().startswith("# the user's credentials file\n[default]\n"), text[:80]
            assert "[static]  ; long-term keys\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n" in text.decode()
            assert proc.returncode != 130 or "interrupted" in err
        creds_path.write_bytes(original)
    assert codes & {130, -signal.SIGINT}, codes
