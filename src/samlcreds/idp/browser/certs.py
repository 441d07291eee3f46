"""A throwaway TLS identity for the capture proxy: made in memory for one sign-in, trusted by one browser.

The browser is told to accept exactly this certificate with
``--ignore-certificate-errors-spki-list=<base64 SHA-256 of its
SubjectPublicKeyInfo>`` (Chromium's ``switches::kIgnoreCertificateErrorsSPKIList``);
nothing is installed into any trust store, and the key never outlives the
sign-in. Python's :mod:`ssl` loads keys only from files, so the PEM is handed
over through an anonymous ``memfd_create`` file (Linux) or, elsewhere, a 0600
file in a fresh 0700 directory that is removed as soon as it is loaded.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import hashlib
import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass

from samlcreds.aws import SIGNIN_HOSTS

#: Names the certificate covers: every AWS sign-in host and its regional subdomains.
CERT_NAMES = tuple(name for host in SIGNIN_HOSTS for name in (host, "*." + host))


@dataclass(frozen=True)
class TlsIdentity:
    """A server :class:`ssl.SSLContext` and the SPKI pin the browser is given (base64 SHA-256)."""

    context: ssl.SSLContext
    spki_sha256: str


def make_identity(now: datetime.datetime | None = None) -> TlsIdentity:
    """A new P-256 key and a self-signed certificate for :data:`CERT_NAMES`, valid for one day.

    The server context speaks only HTTP/1.1 (ALPN) and TLS 1.2 or later.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = now or datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "samlcreds sign-in capture")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in CERT_NAMES]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
           + cert.public_bytes(serialization.Encoding.PEM))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    _load_pem(context, pem)
    return TlsIdentity(context, base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii"))


def _load_pem(context: ssl.SSLContext, pem: bytes) -> None:
    """``load_cert_chain`` from a file nobody else can read, gone right after."""
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fd = os.memfd_create("samlcreds-capture-key", getattr(os, "MFD_CLOEXEC", 0))
        try:
            os.write(fd, pem)
            context.load_cert_chain(f"/proc/self/fd/{fd}")
            return
        finally:
            os.close(fd)
    directory = tempfile.mkdtemp(prefix="samlcreds-key-")  # 0700
    try:
        path = os.path.join(directory, "capture.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        context.load_cert_chain(path)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(directory)
