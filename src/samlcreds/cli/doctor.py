"""``samlcreds doctor``: run AWS's checks on a SAMLResponse locally and explain each failure."""

from __future__ import annotations

import json
import textwrap

import click

from samlcreds import errors
from samlcreds.cli.options import SignInOptions, login_options


@click.command(epilog="""\b
Examples:
  samlcreds doctor response.txt --metadata idp-metadata.xml
  pbpaste | samlcreds doctor --metadata idp-metadata.xml --output json
  samlcreds doctor --profile work --metadata idp-metadata.xml     # signs in first
  samlcreds doctor response.txt                                   # integrity only, no trust check

Exit code 4 when a check fails (AWS would refuse the SAMLResponse), 0 otherwise.
""")
@click.argument("source", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--metadata", "metadata_path", type=click.Path(dir_okay=False),
              help="The IdP's SAML metadata XML (as uploaded to the IAM SAML provider): checks the signature "
                   "against its certificate and the Issuer against its entityID.")
@login_options
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def doctor(source, metadata_path, sign_in: SignInOptions, output):
    """Check a SAMLResponse the way AWS does, and say how to fix each problem.

    Reads SOURCE (a file, or '-' for stdin), --saml-file, or stdin; with
    --profile/--url/--provider (and no SOURCE) it signs in first.
    """
    from samlcreds.cli.decode import read_source
    from samlcreds.doctor import has_failures, parse_idp_metadata, run_checks

    metadata_xml = None
    if metadata_path:
        metadata_xml = read_source(metadata_path, "metadata")
        parse_idp_metadata(metadata_xml)  # a bad metadata file is a usage error, before any sign-in
    if source and sign_in.saml_file:
        raise errors.UsageError("give the SAMLResponse either as SOURCE or with --saml-file, not both")
    source = source or sign_in.saml_file
    if source:
        checks = run_checks(read_source(source), metadata_xml=metadata_xml)
    elif sign_in.profile or sign_in.url or sign_in.provider:
        checks = _from_login(sign_in, metadata_xml)
    else:
        checks = run_checks(read_source("-"), metadata_xml=metadata_xml)
    if output == "json":
        click.echo(json.dumps({"checks": [check.to_dict() for check in checks]}, indent=2))
    else:
        _print_text(checks)
    if has_failures(checks):
        raise click.exceptions.Exit(errors.SamlAssertionError.exit_code)


def _from_login(sign_in: SignInOptions, metadata_xml):
    from samlcreds.cli.fetching import fetch_assertion
    from samlcreds.cli.options import Inputs
    from samlcreds.doctor import check_assertion, checks_for_error, parse_idp_metadata

    settings = sign_in.settings()
    request = sign_in.request(settings, Inputs(password_stdin=sign_in.password_stdin))
    try:
        assertion = fetch_assertion(settings, request)
    except errors.SamlAssertionError as exc:
        return checks_for_error(exc)
    idps = parse_idp_metadata(metadata_xml) if metadata_xml is not None else None
    return check_assertion(assertion, idps=idps)


_LABELS = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


def _print_text(checks) -> None:
    width = max(len(check.id) for check in checks)
    indent = " " * (4 + 2 + width + 2)
    wrap = max(60, min(_columns(), 120) - len(indent))
    for check in checks:
        lines = textwrap.wrap(check.message, wrap) or [""]
        click.echo(f"{_LABELS.get(check.status, check.status.upper()):4}  {check.id:<{width}}  {lines[0]}")
        for line in lines[1:]:
            click.echo(indent + line)
        if check.fix and check.status != "pass":
            fix_lines = textwrap.wrap("fix: " + check.fix, wrap)
            for line in fix_lines:
                click.echo(indent + line)
    failed = sum(check.status == "fail" for check in checks)
    warned = sum(check.status == "warn" for check in checks)
    click.echo("")
    if failed:
        click.echo(f"{failed} check(s) failed, {warned} warning(s): AWS would refuse this SAMLResponse.")
    elif warned:
        click.echo(f"No check failed; {warned} warning(s).")
    else:
        click.echo("Every check passed.")


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns
