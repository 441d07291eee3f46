"""The detached process that looks up account aliases after a sign-in (samlcreds.accounts): it holds
fresh credentials on its stdin, so it imports only samlcreds' own modules and ends at its own limit.
Real child processes, real sockets, real botocore."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from samlcreds import accounts
from samlcreds.creds import Credentials


def _creds(account: str) -> Credentials:
    return Credentials("ASIAEXAMPLEKEYID0002", "secret-key-for-the-lookup", "token-for-the-lookup",
                       datetime.now(timezone.utc) + timedelta(hours=1), account_id=account)


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
