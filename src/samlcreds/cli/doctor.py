"""``samlcreds doctor``: run AWS's checks on a SAMLResponse locally and explain each failure."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from samlcreds import errors
from samlcreds.cli.options import login_options, pass_debug


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
@pass_debug
def doctor(source, metadata_path, profile, provider, url, username, password_stdin, saml_file, region, timeout,
           headless, autofill, browser, output, debug):
    """Check a SAMLResponse the way AWS does, and say how to fix each problem.

    Reads SOURCE (a file, or '-' for stdin), --saml-file, or stdin; with
    --profile/--url/--provider (and no SOURCE) it signs in first.
    """
    from samlcreds.doctor import has_failures, parse_idp_metadata, run_checks

    metadata_xml = None
    if metadata_path:
        metadata_xml = _read(metadata_path, "metadata")
        parse_idp_metadata(metadata_xml)  # a bad metadata file is a usage error, before any sign-in
    if source and saml_file:
        raise errors.UsageError("give the SAMLResponse either as SOURCE or with --saml-file, not both")
    source = source or saml_file
    if source:
        checks = run_checks(_read(source, "SAMLResponse"), metadata_xml=metadata_xml)
    elif profile or url or provider:
        checks = _from_login(profile, provider, url, username, password_stdin, region, timeout, headless,
                             autofill, browser, debug, metadata_xml)
    else:
        if sys.stdin.isatty():
            click.echo("Paste the SAMLResponse, then press Ctrl-D on a new line:", err=True)
        checks = run_checks(sys.stdin.buffer.read(), metadata_xml=metadata_xml)
    if output == "json":
        click.echo(json.dumps({"checks": [check.to_dict() for check in checks]}, indent=2))
    else:
        _print_text(checks)
    if has_failures(checks):
        raise click.exceptions.Exit(errors.SamlAssertionError.exit_code)


def _read(path: str, what: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise errors.UsageError(f"cannot read the {what} file {path}: {exc.strerror}") from None


def _from_login(profile, provider, url, username, password_stdin, region, timeout, headless, autofill, browser,
                debug, metadata_xml):
    from samlcreds import flow
    from samlcreds.cli.options import Inputs, build_request, resolve_settings
    from samlcreds.cli.terminal import Terminal, status
    from samlcreds.doctor import check_assertion, checks_for_error, parse_idp_metadata

    settings = resolve_settings(profile, provider, url, username, None, region, timeout,
                                autofill=autofill, browser=browser)
    inputs = Inputs(password_stdin=password_stdin, terminal=Terminal())
    request = build_request(settings, saml_file=None, inputs=inputs, debug=debug, headless=headless)
    try:
        with status(enabled=True) as update:
            update("signing in at the IdP")
            assertion = flow.fetch_assertion(settings, request)
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
