"""The browser provider's capture pieces without a browser: PAC script, throwaway TLS identity, capture proxy."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import socket
import ssl
import stat

import pytest

from samlcreds.idp.browser import pac
from samlcreds.idp.browser.capture import CaptureProxy, saml_response_from_body
from samlcreds.idp.browser.certs import CERT_NAMES
from samlcreds.idp.browser.launch import AUTOMATION_FLAGS, command_line


def test_pac_sends_only_aws_signin_hosts_to_the_capture_proxy():
    script = pac.pac_script(4242, {})
    assert "PROXY 127.0.0.1:4242" in script
    for host in ("signin.aws.amazon.com", "signin.amazonaws-us-gov.com", "signin.amazonaws.cn"):
        assert f'"{host}"' in script
    assert script.count("PROXY") == 1 and "return 'DIRECT';" in script


def test_pac_uses_the_users_proxies_and_no_proxy():
    script = pac.pac_script(1, {"HTTPS_PROXY": "http://u:secret@proxy.corp:3128", "http_proxy": "web.corp",
                                "NO_PROXY": "localhost, .internal.corp,*.example.org, 10.0.0.0/8, [::1]:80"})
    assert 'return "PROXY proxy.corp:3128"' in script and 'return "PROXY web.corp:80"' in script
    assert "secret" not in script and "u:" not in script
    assert '"internal.corp"' in script and '"example.org"' in script and '"localhost"' in script
    assert 'isInNet(host, "10.0.0.0", "255.0.0.0")' in script
    assert pac.pac_script(1, {"HTTPS_PROXY": "p:1", "NO_PROXY": "*"}).count("PROXY") == 1


def test_pac_data_url_round_trips():
    url = pac.pac_data_url(99, {})
    prefix = "data:application/x-ns-proxy-autoconfig;base64,"
    assert url.startswith(prefix)
    assert base64.b64decode(url[len(prefix):]).decode() == pac.pac_script(99, {})


def _tls_client(proxy: CaptureProxy, host: str) -> ssl.SSLSocket:
    """A client that tunnels through the proxy and accepts only the pinned key, as the browser does."""
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    tls = context.wrap_socket(raw, server_hostname=host)
    cert = tls.getpeercert(binary_form=True)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    spki = x509.load_der_x509_certificate(cert).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert base64.b64encode(hashlib.sha256(spki).digest()).decode() == proxy.spki_sha256
    names = x509.load_der_x509_certificate(cert).extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert tuple(names) == CERT_NAMES
    return tls


def _request(tls, method: str, path: str, host: str, body: bytes = b"", ctype: str = "") -> tuple[int, bytes]:
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    tls.sendall(head.encode() + b"\r\n" + body)
    response = http.client.HTTPResponse(tls)
    response.begin()
    return response.status, response.read()


def test_capture_proxy_answers_the_saml_post_and_404s_the_rest():
    with CaptureProxy() as proxy:
        tls = _tls_client(proxy, "us-gov-west-1.signin.amazonaws-us-gov.com")
        status, page = _request(tls, "GET", "/saml", "signin")
        assert status == 404 and b"nothing was sent to AWS" in page
        status, _ = _request(tls, "POST", "/federation", "signin", b"SAMLResponse=QUJD",
                             "application/x-www-form-urlencoded")
        assert status == 404 and proxy.saml_response is None
        status, page = _request(tls, "POST", "/saml", "signin", b"RelayState=x&SAMLResponse=QUJD%2B%3D",
                                "application/x-www-form-urlencoded")
        assert status == 200 and b"You can close this window" in page and b"history.replaceState" in page
        assert proxy.wait(1) == "QUJD+="
        tls.close()
        assert [(s.method, s.path, s.status) for s in proxy.log] == [
            ("CONNECT", "", 200), ("GET", "/saml", 404), ("POST", "/federation", 404), ("POST", "/saml", 200)]


def test_capture_proxy_refuses_other_hosts_and_plain_requests():
    with CaptureProxy() as proxy:
        for target in ("accounts.google.com:443", "signin.aws.amazon.com:80", "evil.signin.aws.amazon.com:443"):
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as raw:
                raw.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
                assert raw.recv(4096).startswith(b"HTTP/1.1 403")
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as raw:
            raw.sendall(b"GET http://signin.aws.amazon.com/saml HTTP/1.1\r\nHost: signin.aws.amazon.com\r\n\r\n")
            assert raw.recv(4096).startswith(b"HTTP/1.1 404")
        assert proxy.saml_response is None and proxy.wait(0) is None


def test_key_never_touches_a_readable_file(tmp_path, monkeypatch):
    """Without memfd the PEM goes to a 0600 file in a 0700 directory, removed right after loading."""
    from samlcreds.idp.browser import certs

    made = []
    real_mkdtemp = certs.tempfile.mkdtemp

    def mkdtemp(**kwargs):
        path = real_mkdtemp(dir=tmp_path, **kwargs)
        made.append(path)
        return path

    real_load = ssl.SSLContext.load_cert_chain

    def load(self, certfile, *args, **kwargs):
        mode = os.stat(certfile).st_mode
        assert stat.S_IMODE(mode) == 0o600 and stat.S_IMODE(os.stat(os.path.dirname(certfile)).st_mode) == 0o700
        return real_load(self, certfile, *args, **kwargs)

    monkeypatch.delattr(certs.os, "memfd_create", raising=False)
    monkeypatch.setattr(certs.tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", load)
    identity = certs.make_identity()
    assert identity.spki_sha256 and made and not os.path.exists(made[0])


def test_command_line_has_no_driver_flags_and_no_sandbox_only_as_root(tmp_path):
    args = command_line("/usr/bin/chromium", tmp_path, pac_url="data:x", spki_pin="PIN", url="https://idp/sso",
                        headless=True, extra_args=["--remote-debugging-port=9222", "--lang=fr"], is_root=False)
    assert not [a for a in args if a.startswith(AUTOMATION_FLAGS)]
    assert "--no-sandbox" not in args and "--headless=new" in args and "--lang=fr" in args
    assert args[-1] == "https://idp/sso" and f"--user-data-dir={tmp_path}" in args
    assert "--ignore-certificate-errors-spki-list=PIN" in args
    root = command_line("/c", tmp_path, pac_url="d", spki_pin="P", url="u", headless=False, is_root=True)
    assert "--no-sandbox" in root and not [a for a in root if a.startswith("--headless")]


def test_saml_response_from_body():
    assert saml_response_from_body(b"RelayState=x&SAMLResponse=PHNhbWw%2BCg%3D%3D") == "PHNhbWw+Cg=="
    body = b"--b\r\nContent-Disposition: form-data; name=\"SAMLResponse\"\r\n\r\nQUJD\r\n--b--\r\n"
    assert saml_response_from_body(body, "multipart/form-data; boundary=b") == "QUJD"
    assert saml_response_from_body(b"RelayState=x") is None


@pytest.mark.parametrize("environ, expected", [
    ({}, (None, None, [])),
    ({"https_proxy": "https://p:8443", "HTTP_PROXY": "http://[::1]:3128", "no_proxy": "A.b, c"},
     ("p:8443", "[::1]:3128", ["a.b", "c"])),
])
def test_upstream(environ, expected):
    assert pac.upstream(environ) == expected
