"""Shared by the sandbox benchmarks: start the sandbox and an isolated environment."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.idp import SimpleSamlIdp  # noqa: E402
from sandbox.sts import StrictSts  # noqa: E402

BIN = Path(sys.executable).parent


class TlsIdp(SimpleSamlIdp):
    """The sandbox IdP reached through a :class:`tls_proxy.TlsProxy` (its base URL is the proxy's)."""

    def __init__(self, workdir: Path, proxy) -> None:
        super().__init__(workdir)
        self.proxy = proxy

    @property
    def base_url(self) -> str:
        return self.proxy.base_url

    def _config(self) -> dict:
        config = super()._config()
        config["trusted.url.domains"] += [f"127.0.0.1:{self.proxy.port}"]
        return config

    def _spawn(self) -> None:
        self.proxy.backend_port = self.port
        super()._spawn()


@contextlib.contextmanager
def sandbox(auth: bool = False, tls: bool = False):
    """Yield ``(idp, sts, env)``; ``env`` is an isolated environment dict for subprocesses.

    ``tls``: the IdP is reached through a loopback TLS proxy (``idp.sso_url``
    is https; ``env`` and this process trust its certificate via ``REQUESTS_CA_BUNDLE``).
    """
    with tempfile.TemporaryDirectory(prefix="samlcreds-bench-") as tmp:
        home = Path(tmp) / "home"
        (home / ".aws").mkdir(parents=True)
        proxy = None
        if tls:
            from tls_proxy import TlsProxy

            proxy = TlsProxy(Path(tmp)).start()
            os.environ["REQUESTS_CA_BUNDLE"] = str(proxy.ca_file)
            idp = TlsIdp(Path(tmp) / "idp", proxy)
        else:
            idp = SimpleSamlIdp(Path(tmp) / "idp")
        sts = StrictSts()
        try:
            idp.start()
            sts.start()
            sts.setup_from_idp(idp)
            if auth:
                sts.reset_auth()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
            env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"),
                       AWS_CONFIG_FILE=str(home / ".aws" / "config"),
                       AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
                       AWS_ENDPOINT_URL=sts.endpoint_url, AWS_DEFAULT_REGION="us-east-1",
                       AWS_EC2_METADATA_DISABLED="true", SAMLCREDS_NO_TTY="1")
            yield idp, sts, env
        finally:
            sts.stop()
            idp.stop()
            if proxy is not None:
                proxy.stop()


def sso_requests(idp) -> int:
    """Requests the IdP's SSO endpoint answered (one per sign-in attempt)."""
    return sum("SSOService.php" in line for line in idp.server_log.read_text(errors="replace").splitlines())
