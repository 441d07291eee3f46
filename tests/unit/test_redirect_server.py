"""The console's one-shot loopback redirect over real sockets: whom it answers, and how long it waits
once it has refused a request."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from samlcreds.servers import redirect as redirect_module
from samlcreds.servers.redirect import REFUSED_GRACE, OneShotRedirect

TARGET = "https://signin.example.invalid/federation?Action=login&SigninToken=not-a-real-token"

#: Fetch argv[1] (with the Host header argv[2] when given) and print the status.
FETCH = """
import http.client, sys, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
connection.request("GET", parts.path, headers={"Host": sys.argv[2]} if len(sys.argv) > 2 else {})
print(connection.getresponse().status)
"""


def fetch(url: str, *, host: str | None = None, method: str = "GET") -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, parts.path, headers={"Host": host} if host else {})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def wrong_path(url: str) -> str:
    return url[:-1] + ("A" if url[-1] != "A" else "B")


def test_a_good_request_is_redirected_once():
    with OneShotRedirect(TARGET) as redirect:
        answer = fetch(redirect.url)
        assert answer.status == 303 and answer.headers["Location"] == TARGET
        assert answer.headers["Cache-Control"] == "no-store" and answer.headers["Referrer-Policy"] == "no-referrer"
        assert fetch(redirect.url).status == 404  # one use
        assert redirect.wait(5) and redirect.refused is None


@pytest.mark.parametrize("spoil, reason", [
    (lambda url: {"url": wrong_path(url)}, "it asked for another path"),
    (lambda url: {"url": url, "host": "localhost:%d" % urllib.parse.urlsplit(url).port}, "its Host header was not"),
    (lambda url: {"url": url, "method": "HEAD"}, "it was a HEAD, not a GET"),
], ids=["path", "host", "head"])
def test_a_refused_request_ends_the_wait_soon_after(spoil, reason, monkeypatch):
    monkeypatch.setattr(redirect_module, "REFUSED_GRACE", 0.3)  # (the test's speed only)
    with OneShotRedirect(TARGET) as redirect:
        assert fetch(**spoil(redirect.url)).status == 404
        started = time.monotonic()
        assert redirect.wait(60) is False
        waited = time.monotonic() - started
    assert waited < 30, waited  # REFUSED_GRACE after the refusal, not the whole 60 s
    assert redirect.refused.startswith(reason), redirect.refused
    assert TARGET not in redirect.refused


def test_a_good_request_after_a_refused_one_still_wins():
    with OneShotRedirect(TARGET) as redirect:
        assert fetch(wrong_path(redirect.url)).status == 404
        statuses = []

        def browser():
            time.sleep(REFUSED_GRACE / 4)  # after wait() started, before the grace is over
            statuses.append(fetch(redirect.url).status)

        late = threading.Thread(target=browser)
        late.start()
        assert redirect.wait(60) is True
        late.join(10)
    assert statuses == [303]


def test_no_request_at_all_waits_the_whole_timeout():
    with OneShotRedirect(TARGET) as redirect:
        started = time.monotonic()
        assert redirect.wait(0.5) is False
        assert time.monotonic() - started >= 0.5
        assert redirect.refused is None


#: A redirect run by nobody (uid 65534): imports as root, then drops to nobody before it listens.
AS_NOBODY = """
import encodings.ascii, encodings.idna, encodings.latin_1, os, sys  # (codecs load lazily: now, as root)
from samlcreds.servers.redirect import OneShotRedirect
os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
with OneShotRedirect(sys.argv[1]) as redirect:
    print(redirect.url, flush=True)
    print("served" if redirect.wait(30) else "not served: %s" % redirect.refused, flush=True)
"""


def as_user(uid: int, *args: str) -> int:
    """The status a fetch run as user and group ``uid`` (setpriv) gets."""
    done = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", sys.executable, "-c",
                           FETCH, *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peer's uid is read from /proc/net/tcp")
def test_root_and_the_same_user_are_answered_and_other_users_are_not():
    """samlcreds run by a user answers that user and root (WSL2's localhost relay, forwarders), not others."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the server as nobody and fetch as another user")
    server = subprocess.Popen([sys.executable, "-c", AS_NOBODY, TARGET], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        assert as_user(1, url) == 404  # daemon: another user
        answer = fetch(url)  # this test runs as root
        assert answer.status == 303 and answer.headers["Location"] == TARGET
        assert server.stdout.readline().strip() == "served"
    finally:
        server.kill()
        server.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peer's uid is read from /proc/net/tcp")
def test_another_user_is_named_in_the_refusal():
    if os.geteuid() != 0:
        pytest.skip("needs root to fetch as another user")
    with OneShotRedirect(TARGET) as redirect:
        assert as_user(65534, redirect.url) == 404
        assert redirect.refused == "it came from another user's process (uid 65534)"
        assert fetch(redirect.url).status == 303  # the user's own request still gets the redirect
        assert redirect.wait(5)
