"""Checks on time: ``time_window`` (NotBefore/NotOnOrAfter) and ``redeem_window`` (5 minutes from IssueInstant)."""

from __future__ import annotations

from datetime import datetime

from samlcreds.aws import REDEEM_WINDOW_SECONDS
from samlcreds.creds import iso_utc
from samlcreds.doctor.context import Context, content_check, span
from samlcreds.doctor.registry import Finding, check, failed, passed
from samlcreds.saml.response import SUBJECT_NOT_ON_OR_AFTER


def _issue_instant(ctx: Context) -> datetime | None:
    return ctx.assertion.issue_instant or ctx.assertion.assertion_issue_instant


def _skew_note(ctx: Context) -> str:
    issued = _issue_instant(ctx)
    if issued is None:
        return "no IssueInstant to measure clock skew with"
    delta = (ctx.now - issued).total_seconds()
    if delta < 0:
        return (f"IssueInstant {iso_utc(issued)} is {span(delta)} in the future: this computer's clock is at least "
                f"{span(delta)} behind the IdP's")
    return f"issued {span(delta)} ago at {iso_utc(issued)}"


@content_check("time_window")
def check_time_window(ctx: Context) -> Finding:
    """``time_window``: now is within NotBefore / NotOnOrAfter (Conditions and SubjectConfirmationData).

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response" (SubjectConfirmationData needs NotOnOrAfter); SAML core 2.5.1.2.
    STS answers ``ExpiredTokenException`` past NotOnOrAfter. Checked against the
    local clock, so the message reports the skew measured from IssueInstant.
    """
    a = ctx.assertion
    confirm_after = next((c.not_on_or_after for c in a.subject_confirmations if c.not_on_or_after), None)
    skew = _skew_note(ctx)
    clock_fix = ("If the assertion is fresh, a clock is wrong: sync this computer's clock (NTP) or ask the IdP "
                 "administrator to check the IdP's.")
    if confirm_after is None:
        unreadable = next((w for w in a.warnings if w.startswith(SUBJECT_NOT_ON_OR_AFTER + " ")), None)
        if unreadable is not None:  # there is one, but it is no time
            return failed(f"{unreadable.rpartition(';')[0]}, and AWS requires one; {skew}",
                          "The IdP must write NotOnOrAfter as an xs:dateTime in UTC, e.g. 2026-12-03T09:05:00Z.")
        return failed(f"SubjectConfirmationData has no NotOnOrAfter, which AWS requires; {skew}",
                      "The IdP must set NotOnOrAfter on the bearer SubjectConfirmationData (most IdPs do by default).")
    end = min(t for t in (a.not_on_or_after, confirm_after) if t is not None)
    start = a.not_before
    if ctx.now >= end:
        return failed(f"the assertion expired at {iso_utc(end)} ({span((ctx.now - end).total_seconds())} ago); {skew}",
                      "Sign in again and use the new SAMLResponse at once. If a fresh one is already expired, the "
                      "IdP's assertion lifetime is too short (raise it, e.g. to 5 minutes) or "
                      + clock_fix[0].lower() + clock_fix[1:])
    if start is not None and ctx.now < start:
        return failed(f"the assertion is not valid before {iso_utc(start)} (in "
                      f"{span((start - ctx.now).total_seconds())}); {skew}", clock_fix)
    left = span((end - ctx.now).total_seconds())
    since = f"from {iso_utc(start)} " if start else ""
    return passed(f"valid {since}until {iso_utc(end)} ({left} left); {skew}")


@check("redeem_window")
def check_redeem_window(ctx: Context) -> Finding:
    """``redeem_window``: at most 5 minutes since IssueInstant.

    Source: AWS, "must be redeemed within 5 minutes of issuance" (IAM User
    Guide, "Troubleshoot SAML 2.0 federation with AWS",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html),
    whatever NotOnOrAfter the IdP sets (:data:`samlcreds.aws.REDEEM_WINDOW_SECONDS`).
    """
    issued = _issue_instant(ctx)
    if issued is None:
        return failed("the Response has no IssueInstant (SAML requires one)",
                      "The IdP must set IssueInstant on the Response.")
    age = (ctx.now - issued).total_seconds()
    limit = REDEEM_WINDOW_SECONDS
    if age > limit:
        return failed(f"issued {span(age)} ago at {iso_utc(issued)}; AWS must receive a SAML response within "
                      f"{span(limit)} of issuance",
                      "Sign in again and pass the fresh SAMLResponse at once. If it was fresh, this computer's clock "
                      f"is about {span(age)} ahead of the IdP's: sync it (NTP).")
    if age < 0:
        return passed(f"issued at {iso_utc(issued)}, {span(age)} in the local future (see time_window for the clock "
                      "skew)")
    return passed(f"issued {span(age)} ago; {span(limit - age)} left of AWS's {span(limit)} redemption window")
