"""``python -m sandbox.saml USER PASSWORD``: print a fresh SAMLResponse from the running sandbox IdP.

The IdP's SSO URL comes from ``--url``, else ``SAMLCREDS_SANDBOX_URL`` (set by the
sandbox's env file), else ``SAMLCREDS_URL``. For trying ``samlcreds decode``, ``roles --saml-file`` and
``login --provider paste`` by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from types import SimpleNamespace

from sandbox.idp import IdpLoginError, fetch_saml_response


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.saml", description=__doc__)
    parser.add_argument("username")
    parser.add_argument("password")
    parser.add_argument("--url", default=os.environ.get("SAMLCREDS_SANDBOX_URL") or os.environ.get("SAMLCREDS_URL"), help="IdP SSO URL")
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("no IdP URL: source the sandbox env file or pass --url")
    try:
        print(fetch_saml_response(SimpleNamespace(sso_url=args.url), args.username, args.password))
    except IdpLoginError as exc:
        print(f"sandbox.saml: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
