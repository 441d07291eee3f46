"""``python -m sandbox``: run the SAML IdP and the strict STS/moto endpoint until SIGTERM/SIGINT.

Prints shell exports (and writes them to ``--env-file``) for trying samlcreds or
the AWS CLI against the sandbox, plus the users and their passwords.
``--lemonldap`` also starts the second IdP, LemonLDAP::NG (its URL is printed;
pass it as ``--url`` or ``saml_url``).

The IdPs' sign-in URLs are exported as ``SAMLCREDS_SANDBOX_URL`` (and
``SAMLCREDS_SANDBOX_ECP_URL``, ``SAMLCREDS_SANDBOX_LEMONLDAP_URL``), which samlcreds
does not read: pass them to ``samlcreds configure --url`` as a user would. An
exported ``SAMLCREDS_URL`` would override the ``saml_url`` of every profile
(flags > environment > profile), so a profile configured for LemonLDAP::NG would
sign in at SimpleSAMLphp; the env file unsets it.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from sandbox.idp import ACS_GLOBAL, SimpleSamlIdp
from sandbox.lemonldap import LemonLdapIdp
from sandbox.sts import ATTR_ROLE, StrictSts

#: A role to try role chaining with (role_arn + source_profile): bob's ReadOnly may sts:AssumeRole it.
CHAIN_ROLE = "arn:aws:iam::222222222222:role/Deploy"
CHAIN_SOURCE = "arn:aws:iam::111111111111:role/ReadOnly"


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that the file appears complete or not at all (temp file, then rename).

    Whoever waits for the env file (a script, the tests) reads it as soon as it exists; written in
    place it exists, empty, between the open and the write.
    """
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(text)
    Path(handle.name).chmod(0o644)
    Path(handle.name).replace(path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    p.add_argument("--workdir", type=Path, help="directory for IdP config, logs and AWS files (default: temp dir)")
    p.add_argument("--idp-port", type=int, default=0, help="IdP port (default: free port)")
    p.add_argument("--sts-port", type=int, default=0, help="STS/moto port (default: free port)")
    p.add_argument("--acs-url", default=ACS_GLOBAL, help=f"AssertionConsumerService URL (default {ACS_GLOBAL})")
    p.add_argument("--env-file", type=Path, help="also write the export lines to this file")
    p.add_argument("--auth", action="store_true", help="turn on moto IAM auth enforcement after setup")
    p.add_argument("--lemonldap", action="store_true",
                   help="also start LemonLDAP::NG as a second IdP (users dwho with TOTP, rtyler, msmith)")
    p.add_argument("--lemonldap-port", type=int, default=0, help="LemonLDAP::NG port (default: free port)")
    return p.parse_args(argv)


def environment(workdir: Path, idp: SimpleSamlIdp, sts: StrictSts,
                lemonldap: LemonLdapIdp | None = None) -> dict[str, str]:
    aws = workdir / "aws"
    aws.mkdir(parents=True, exist_ok=True)
    urls = {"SAMLCREDS_SANDBOX_URL": idp.sso_url, "SAMLCREDS_SANDBOX_ECP_URL": idp.ecp_url}
    if lemonldap is not None:
        urls["SAMLCREDS_SANDBOX_LEMONLDAP_URL"] = lemonldap.sso_url
    return {
        "AWS_ENDPOINT_URL": sts.endpoint_url,
        **urls,  # not SAMLCREDS_URL: it would override every profile's saml_url (see the module docstring)
        "SAMLCREDS_FEDERATION_URL": sts.federation_url,  # samlcreds console
        "AWS_CONFIG_FILE": str(aws / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(aws / "credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
        # keep samlcreds' cached credentials and IdP sessions out of the real ~/.cache
        "SAMLCREDS_CACHE_DIR": str(workdir / "samlcreds-cache"),
        # the IdP metadata (as uploaded to the IAM SAML provider), for `samlcreds doctor --metadata`
        "SAMLCREDS_SANDBOX_METADATA": str(idp.write_metadata(workdir / "idp-metadata.xml")),
    }


def export_lines(env: dict[str, str]) -> list[str]:
    unset = ("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE "
             "SAMLCREDS_URL")
    return [unset] + [f"export {k}={shlex.quote(v)}" for k, v in env.items()]


def describe_users(idp) -> list[str]:
    lines = []
    for name, spec in idp.users.items():
        totp = f" + TOTP (oathtool --totp -b {spec['totp_secret']})" if spec.get("totp_secret") else ""
        lines.append(f"#   {name} / {spec['password']}{totp}")
        lines += [f"#       Role: {v}" for v in spec.get("attributes", {}).get(ATTR_ROLE, [])]
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="samlcreds-sandbox-")
        args.workdir = Path(tmp.name)
    args.workdir.mkdir(parents=True, exist_ok=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    started = time.monotonic()
    idp = SimpleSamlIdp(args.workdir / "idp", port=args.idp_port, acs_url=args.acs_url)
    sts = StrictSts(port=args.sts_port)
    llng = LemonLdapIdp(args.workdir / "lemonldap", port=args.lemonldap_port, acs_url=args.acs_url) \
        if args.lemonldap else None
    try:
        idp.start()
        sts.start()
        sts.setup_from_idp(idp)
        sts.create_chain_role(CHAIN_ROLE, CHAIN_SOURCE)
        if llng is not None:
            llng.start()
            sts.setup_from_idp(llng)
        if args.auth:
            sts.reset_auth()
        env = environment(args.workdir, idp, sts, llng)
        lines = export_lines(env)
        if args.env_file:
            write_whole(args.env_file, "\n".join(lines) + "\n")
        print(f"# samlcreds sandbox ready in {time.monotonic() - started:.1f}s "
              f"(IdP {idp.base_url}, STS/moto {sts.endpoint_url}, IAM auth {'ON' if args.auth else 'off'})")
        print(f"# IdP entity ID: {idp.entity_id}; workdir: {args.workdir}")
        print(f"# sign-in URL (--url / saml_url): {idp.sso_url}")
        print(f"# ECP endpoint (--provider ecp --url): {idp.ecp_url}")
        print("# users:")
        print("\n".join(describe_users(idp)))
        print(f"# role chaining: {CHAIN_ROLE} trusts {CHAIN_SOURCE} (bob's role)")
        if llng is not None:
            print(f"# LemonLDAP::NG IdP (--url / saml_url): {llng.sso_url}; log: {llng.log_path}")
            print("# LemonLDAP::NG users:")
            print("\n".join(describe_users(llng)))
        print("\n".join(lines), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sts.stop()
        if llng is not None:
            llng.stop()
        idp.stop()
        if tmp is not None:
            tmp.cleanup()
        print("# sandbox stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
