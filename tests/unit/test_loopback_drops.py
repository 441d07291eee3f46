"""A client that goes away before reading its answer (browser tab closed, SDK timed out) is a debug line
of samlcreds' loopback servers, never a traceback on stderr. Real sockets, reset by the client."""

from __future__ import annotations

import logging
import socket
import struct
import time
from datetime import datetime, timedelta, timezone

import pytest

from samlcreds.creds import Credentials
from samlcreds.idp.browser.capture import CaptureProxy
from samlcreds.servers.container import CredentialsServer
from samlcreds.servers.redirect import OneShotRedirect


def reset_after(port: int, data: bytes) -> None:
    """Send ``data`` to 127.0.0.1:``port`` and close with a TCP reset (SO_LINGER 0), reading nothing."""
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(data)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def credentials() -> Credentials:
    return Credentials("ASIAEXAMPLEDROPPED01", "dropped-secret", "dropped-token",
                       datetime.now(timezone.utc) + timedelta(hours=1))


SERVERS = {
    "console-redirect": lambda: OneShotRedirect("https://signin.example.invalid/federation?SigninToken=x"),
    "container-credentials": lambda: CredentialsServer(credentials, token="t0ken"),
    "browser-capture": CaptureProxy,
}


@pytest.mark.parametrize("make", SERVERS.values(), ids=SERVERS.keys())
def test_a_client_that_resets_its_connection_prints_no_traceback(make, capfd, caplog):
    caplog.set_level(logging.DEBUG, logger="samlcreds.servers.loopback")
    with make() as server:
        port = server.port
        path = getattr(server, "path", "/")
        complete = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: t0ken\r\n\r\n").encode()
        for _ in range(3):
            reset_after(port, complete)  # the answer is written to a reset socket
            reset_after(port, complete[:20])  # the rest of the request never comes
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("failed: Connection" in r.getMessage() or
                                                      "failed: BrokenPipe" in r.getMessage() for r in caplog.records):
            time.sleep(0.05)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err
    drops = [r for r in caplog.records if r.name == "samlcreds.servers.loopback"]
    assert drops, "no client drop was seen: the test did not test anything"
    assert all(r.levelno == logging.DEBUG and not r.exc_info for r in drops), [r.getMessage() for r in drops]
