"""`make demo`: the main job of samlcreds, end to end, on the local sandbox.

Starts the sandbox (SimpleSAMLphp IdP + strict STS in front of moto, IAM auth
on), runs ``samlcreds login`` as the two-role user ``alice`` with the password
on stdin, then uses the written profile from boto3 (``describe_instances``) and
the AWS CLI (``aws sts get-caller-identity``), prints the identity, and stops
the sandbox.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.idp import SimpleSamlIdp  # noqa: E402
from sandbox.sts import StrictSts  # noqa: E402

PROFILE = "demo"
#: The sandbox user alice's password (a fixture in sandbox/README.md, not a secret).
SANDBOX_PASSWORD = "alice-pw"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="samlcreds-demo-") as tmp:
        work = Path(tmp)
        idp = SimpleSamlIdp(work / "idp")
        sts = StrictSts()
        try:
            print("starting the sandbox IdP (SimpleSAMLphp) and STS (strict layer + moto) ...", flush=True)
            idp.start()
            sts.start()
            sts.setup_from_idp(idp)
            sts.reset_auth()
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith("AWS_") and k not in ("SAMLCREDS_URL",)}
            env.update({
                "HOME": str(work / "home"),
                "XDG_CACHE_HOME": str(work / "home" / ".cache"),
                "AWS_CONFIG_FILE": str(work / "home" / ".aws" / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(work / "home" / ".aws" / "credentials"),
                "AWS_ENDPOINT_URL": sts.endpoint_url,
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
            })
            bin_dir = Path(sys.executable).parent
            configure = [str(bin_dir / "samlcreds"), "configure", "--profile", PROFILE, "--provider", "form",
                         "--url", idp.sso_url, "--username", "alice", "--role", "111111111111:Developer"]
            print("$ " + shlex.join(["samlcreds", *configure[1:]]), flush=True)
            subprocess.run(configure, env=env, check=True, stderr=sys.stdout)
            login = [str(bin_dir / "samlcreds"), "login", "--profile", PROFILE, "--password-stdin"]
            # what runs, as typed: the password of the sandbox's demo user (sandbox/README.md) on stdin
            print(f"$ echo {SANDBOX_PASSWORD} | " + shlex.join(["samlcreds", *login[1:]]), flush=True)
            subprocess.run(login, env=env, input=SANDBOX_PASSWORD + "\n", text=True, check=True, stderr=sys.stdout)

            os.environ.clear()
            os.environ.update(env)
            import boto3

            session = boto3.Session(profile_name=PROFILE)
            reservations = session.client("ec2").describe_instances()["Reservations"]
            print(f"boto3 ec2.describe_instances(): {len(reservations)} reservations", flush=True)
            aws = [str(bin_dir / "aws"), "sts", "get-caller-identity", "--profile", PROFILE, "--output", "json"]
            print("$ aws sts get-caller-identity --profile demo", flush=True)
            identity = subprocess.run(aws, env=env, check=True, capture_output=True, text=True).stdout
            print(json.dumps(json.loads(identity), indent=2))
        except subprocess.CalledProcessError as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
        finally:
            sts.stop()
            idp.stop()
            print("sandbox stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
