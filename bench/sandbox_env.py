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


@contextlib.contextmanager
def sandbox(auth: bool = False):
    """Yield ``(idp, sts, env)``; ``env`` is an isolated environment dict for subprocesses."""
    with tempfile.TemporaryDirectory(prefix="samlcreds-bench-") as tmp:
        home = Path(tmp) / "home"
        (home / ".aws").mkdir(parents=True)
        idp, sts = SimpleSamlIdp(Path(tmp) / "idp"), StrictSts()
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


def sso_requests(idp) -> int:
    """Requests the IdP's SSO endpoint answered (one per sign-in attempt)."""
    return sum("SSOService.php" in line for line in idp.server_log.read_text(errors="replace").splitlines())
