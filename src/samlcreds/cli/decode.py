"""``samlcreds decode``: show what a SAMLResponse holds, without secrets."""

from __future__ import annotations

import json

import click

from samlcreds import errors
from samlcreds.saml import SamlAssertion, parse_saml_response
from samlcreds.creds import iso_utc
from samlcreds.cli.paste import read_paste
from samlcreds.spans import span


def assertion_summary(assertion: SamlAssertion, names: dict[str, str] | None = None) -> dict:
    """A JSON-ready summary of the assertion (no raw XML, no signature values); ``names``: account ID -> name."""

    def when(value):
        return iso_utc(value) if value else None

    return {
        "roles": [{"role_arn": r.role_arn, "principal_arn": r.principal_arn, "account_id": r.account_id,
                   "account_name": (names or {}).get(r.account_id)} for r in assertion.roles],
        "role_session_name": assertion.role_session_name,
        "session_duration": assertion.session_duration,
        "source_identity": assertion.source_identity,
        "principal_tags": dict(assertion.principal_tags),
        "transitive_tag_keys": list(assertion.transitive_tag_keys),
        "issuer": assertion.issuer,
        "destination": assertion.destination,
        "recipient": assertion.recipient,
        "audiences": list(assertion.audiences),
        "name_id": assertion.name_id,
        "status_code": assertion.status_code,
        "issue_instant": when(assertion.issue_instant),
        "not_before": when(assertion.not_before),
        "not_on_or_after": when(assertion.not_on_or_after),
        "session_not_on_or_after": when(assertion.session_not_on_or_after),
        "assertion_id": assertion.assertion_id,
        "assertion_index": assertion.assertion_index,
        "assertion_count": len(assertion.assertions),
        "encrypted": assertion.encrypted,
        "signed_elements": list(assertion.signed_elements),
        "attribute_names": list(assertion.attribute_names),
        "problems": [{"error": type(p).__name__, "message": p.message} for p in assertion.problems],
        "warnings": list(assertion.warnings),
    }


@click.command(epilog="""\b
Examples:
  samlcreds decode response.txt
  pbpaste | samlcreds decode --output json
""")
@click.argument("source", required=False, default="-", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def decode(source, output):
    """Show what a SAMLResponse (file or stdin) holds, with warnings.

    Exit code 4 when AWS would refuse it for a reason visible locally.
    """
    assertion = parse_saml_response(read_source(source))
    from samlcreds import accounts

    try:
        names = accounts.names()
    except errors.SamlcredsError:  # a broken saml_account_names must not hide what the assertion holds
        names = {}
    summary = assertion_summary(assertion, names)
    expired = _expiry_problem(assertion)
    if expired:
        summary["problems"].append({"error": "Expired", "message": expired})
    if output == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        _print_text(summary)
    if summary["problems"]:
        raise click.exceptions.Exit(errors.SamlAssertionError.exit_code)


def read_source(path: str, what: str = "SAMLResponse") -> bytes:
    """The bytes of ``path``, or of stdin for ``-`` (asking for a paste when stdin is a terminal).

    Shared by ``decode`` and ``doctor``. Raises :class:`~samlcreds.errors.UsageError`
    when the file cannot be read.
    """
    if path == "-":
        return read_paste(what)
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise errors.UsageError(f"cannot read the {what} file {path}: {exc.strerror}",
                                hint="Check the path, or pass - to read it from stdin (paste it).") from None


def _expiry_problem(assertion: SamlAssertion) -> str | None:
    """A message when the assertion is outside its validity window now (local clock)."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    end = assertion.not_on_or_after
    if end is not None and now >= end:
        return (f"the assertion expired at {iso_utc(end)} ({span((now - end).total_seconds())} ago, "
                "by this computer's clock); AWS will refuse it: sign in again")
    if assertion.not_before is not None and now < assertion.not_before:
        return (f"the assertion is not valid before {iso_utc(assertion.not_before)} "
                "(is this computer's clock behind?)")
    return None


def _print_text(summary: dict) -> None:
    click.echo("Roles:")
    for role in summary["roles"] or [{"role_arn": "(none)", "principal_arn": "-"}]:
        account = f"  account {role['account_name']}" if role.get("account_name") else ""
        click.echo(f"  {role['role_arn']}  (provider {role['principal_arn']}){account}")
    labels = [
        ("role_session_name", "RoleSessionName"), ("session_duration", "SessionDuration"),
        ("source_identity", "SourceIdentity"), ("issuer", "Issuer"), ("destination", "Destination"),
        ("recipient", "Recipient"), ("audiences", "Audience"), ("name_id", "NameID"),
        ("issue_instant", "IssueInstant"), ("not_before", "NotBefore"),
        ("not_on_or_after", "NotOnOrAfter"), ("session_not_on_or_after", "SessionNotOnOrAfter"),
        ("signed_elements", "Signed"), ("principal_tags", "PrincipalTags"),
    ]
    if summary["assertion_count"] > 1:
        click.echo(f"Assertion: #{summary['assertion_index']} of {summary['assertion_count']} "
                   f"(ID {summary['assertion_id'] or '(none)'}), the one the roles above come from")
    for key, label in labels:
        value = summary[key]
        if value in (None, [], {}):
            continue
        if isinstance(value, list):
            value = ", ".join(value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        click.echo(f"{label}: {value}")
    for problem in summary["problems"]:
        click.echo(f"error: {problem['message']}")
    for warning in summary["warnings"]:
        click.echo(f"warning: {warning}")
