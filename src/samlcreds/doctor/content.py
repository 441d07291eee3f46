"""Checks on the assertion's content: ``name_id``, ``roles``, ``role_session_name``, ``source_identity``,
``session_duration``, ``principal_tags``.

Source of the rules: IAM User Guide, "Configure SAML assertions for the
authentication response"
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
(each check's docstring names its section).
"""

from __future__ import annotations

import re
from typing import Sequence

from samlcreds import errors
from samlcreds.aws import MAX_DURATION, MIN_DURATION, SESSION_NAME_RE
from samlcreds.doctor.context import Context, content_check
from samlcreds.doctor.registry import Finding, check, failed, passed, warned
from samlcreds.saml.names import ATTR_PRINCIPAL_TAG, ATTR_ROLE, ATTR_ROLE_SESSION_NAME, ATTR_SESSION_DURATION

#: Session tag limits (IAM User Guide, "Pass session tags in AWS STS").
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256

@content_check("name_id")
def check_name_id(ctx: Context) -> Finding:
    """``name_id``: the Subject carries a NameID.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section Subject and NameID.
    """
    if ctx.assertion.name_id:
        fmt = ctx.assertion.name_id_format
        shown = f" (format {str(fmt).rsplit(':', 1)[-1]})" if fmt else ""
        return passed(f"NameID is present{shown}")
    return failed("the Subject has no NameID (or an empty one)",
                 "Configure the AWS app at the IdP to send a NameID (persistent, transient, emailAddress or "
                 "unspecified format).")


def _misspelled(names: Sequence[str], canonical: str) -> list[str]:
    return [n for n in names if n != canonical and n.casefold() == canonical.casefold()]


@content_check("roles")
def check_roles(ctx: Context) -> Finding:
    """``roles``: the Role values are well-formed pairs, each provider in its role's account and partition.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section Role attribute (values ``role ARN,provider ARN``; the
    attribute name is case-sensitive).
    """
    assertion = ctx.assertion
    value_fix = ("At the IdP, make each Role value 'arn:aws:iam::ACCOUNT:role/NAME,"
                 "arn:aws:iam::ACCOUNT:saml-provider/NAME' (role and provider from the same account).")
    misspelled = _misspelled(assertion.attribute_names, ATTR_ROLE)
    if misspelled:
        return failed(f"the Role attribute is named {misspelled[0]!r}; AWS requires exactly "
                     f"{ATTR_ROLE!r} (names are case-sensitive)", "Fix the attribute name in the IdP's AWS app.")
    bad = [p for p in assertion.problems if isinstance(p, (errors.BadRoleValue, errors.NoRoleAttribute))]
    if any(isinstance(p, errors.NoRoleAttribute) for p in bad) or not assertion.roles and not bad:
        return failed(f"the assertion has no {ATTR_ROLE} attribute, so it grants no role",
                     "Add the Role attribute to the IdP's AWS app, one value per role: 'arn:aws:iam::ACCOUNT:"
                     "role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME'.")
    if bad:
        return failed("; ".join(p.message for p in bad), value_fix)
    mismatched = []
    for pair in assertion.roles:
        provider_account = pair.principal_arn.split(":")[4]
        provider_partition = pair.principal_arn.split(":")[1]
        if provider_account != pair.account_id or provider_partition != pair.partition:
            mismatched.append(f"{pair.role_arn} is paired with provider {pair.principal_arn} of another "
                              f"{'account' if provider_account != pair.account_id else 'partition'}")
    if mismatched:
        return failed("; ".join(mismatched),
                     "AssumeRoleWithSAML needs the SAML provider in the role's own account: create the provider "
                     "(same IdP metadata) in that account and point the Role value at it.")
    listed = ", ".join(pair.role_arn for pair in assertion.roles)
    return passed(f"{len(assertion.roles)} role(s), each with a provider in its account: {listed}")


@content_check("role_session_name")
def check_role_session_name(ctx: Context) -> Finding:
    """``role_session_name``: RoleSessionName is present and matches ``[\\w+=,.@-]{2,64}``.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section RoleSessionName; STS API reference (RoleSessionName pattern).
    """
    assertion = ctx.assertion
    fix = ("Map RoleSessionName at the IdP to a value of 2-64 letters, digits and _+=,.@- "
           "(the user's email address or user name usually fits).")
    misspelled = _misspelled(assertion.attribute_names, ATTR_ROLE_SESSION_NAME)
    if misspelled and assertion.role_session_name is None:
        return failed(f"the RoleSessionName attribute is named {misspelled[0]!r}; AWS "
                     f"requires exactly {ATTR_ROLE_SESSION_NAME!r} (names are case-sensitive)",
                     "Fix the attribute name in the IdP's AWS app.")
    name = assertion.role_session_name
    if name is None:
        return failed(f"the assertion has no {ATTR_ROLE_SESSION_NAME} attribute, which AWS "
                     "requires", "Add the RoleSessionName attribute to the IdP's AWS app. " + fix)
    if not SESSION_NAME_RE.match(name):
        reason = _name_reason(name)
        return failed(f"RoleSessionName {name!r} breaks AWS's rule "
                     f"[\\w+=,.@-]{{2,64}}: {reason}", fix)
    return passed(f"RoleSessionName {name!r} fits AWS's rule")


def _name_reason(value: str) -> str:
    if len(value) < 2:
        return f"it is {len(value)} character(s) long (minimum 2)"
    if len(value) > 64:
        return f"it is {len(value)} characters long (maximum 64)"
    bad = sorted({c for c in value if not re.match(r"[\w+=,.@-]", c, re.ASCII)})
    shown = ", ".join("space" if c == " " else repr(c) for c in bad)
    return f"it contains characters AWS does not allow: {shown}"


@check("source_identity")
def check_source_identity(ctx: Context) -> Finding | None:
    """``source_identity`` (only when present): matches ``[\\w+=,.@-]{2,64}`` and does not start with ``aws:``.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section SourceIdentity; "Monitor and control actions taken with
    assumed roles" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
    """
    value = ctx.assertion.source_identity
    if value is None:
        return None
    fix = ("Map SourceIdentity at the IdP to a value of 2-64 letters, digits and _+=,.@- that does not start "
           "with 'aws:'. The role's trust policy also needs sts:SetSourceIdentity.")
    if value.lower().startswith("aws:"):
        return failed(f"SourceIdentity {value!r} starts with 'aws:', which AWS reserves", fix)
    if not SESSION_NAME_RE.match(value):
        return failed(f"SourceIdentity {value!r} breaks AWS's rule [\\w+=,.@-]{{2,64}}: "
                     f"{_name_reason(value)}", fix)
    return passed(f"SourceIdentity {value!r} fits AWS's rule (the role's trust policy "
                 "must allow sts:SetSourceIdentity)")


@content_check("session_duration")
def check_session_duration(ctx: Context) -> Finding:
    """``session_duration``: SessionDuration, when present, is a whole number 900-43200.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section SessionDuration.
    """
    assertion = ctx.assertion
    fix = f"Set SessionDuration at the IdP to a number of seconds from {MIN_DURATION} to {MAX_DURATION} (e.g. 3600)."
    misspelled = _misspelled(assertion.attribute_names, ATTR_SESSION_DURATION)
    if misspelled:
        return failed(f"the SessionDuration attribute is named {misspelled[0]!r}; AWS "
                     f"requires exactly {ATTR_SESSION_DURATION!r}", "Fix the attribute name in the IdP's AWS app.")
    if ATTR_SESSION_DURATION not in assertion.attribute_names:
        return passed("no SessionDuration attribute (optional); the requested duration "
                     "applies")
    seconds = assertion.session_duration
    if seconds is None:
        shown = assertion.session_duration_text or ""
        return failed(f"SessionDuration {shown!r} is not a whole number of seconds", fix)
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        return failed(f"SessionDuration {seconds} is outside AWS's range "
                     f"{MIN_DURATION}-{MAX_DURATION} seconds", fix)
    return passed(f"SessionDuration {seconds} s is within {MIN_DURATION}-{MAX_DURATION}")


@content_check("principal_tags")
def check_principal_tags(ctx: Context) -> Finding:
    """``principal_tags``: at most 50 session tags, keys ≤ 128 and values ≤ 256 characters.

    Source: IAM User Guide, "Pass session tags in AWS STS", section Session
    tagging quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html).
    """
    tags = ctx.assertion.principal_tags
    if not tags:
        return passed("no PrincipalTag attributes (optional)")
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(f"{len(tags)} tags (AWS allows {MAX_TAGS})")
    long_keys = [k for k, _ in tags if len(k) > MAX_TAG_KEY or not k]
    long_values = [k for k, v in tags if len(v) > MAX_TAG_VALUE]
    if long_keys:
        problems.append(f"tag key(s) empty or longer than {MAX_TAG_KEY} characters: "
                        + ", ".join(repr(k[:40]) for k in long_keys))
    if long_values:
        problems.append(f"value(s) longer than {MAX_TAG_VALUE} characters for tag(s) "
                        + ", ".join(repr(k[:40]) for k in long_values))
    if problems:
        return failed("; ".join(problems),
                     f"At the IdP, send at most {MAX_TAGS} {ATTR_PRINCIPAL_TAG}KEY attributes, keys of at most "
                     f"{MAX_TAG_KEY} and values of at most {MAX_TAG_VALUE} characters.")
    transitive = [k for k in ctx.assertion.transitive_tag_keys if k not in {key for key, _ in tags}]
    if transitive:
        return warned(f"{len(tags)} tag(s) within limits, but TransitiveTagKeys names "
                     f"keys that are not tags: {', '.join(transitive)}",
                     "Make TransitiveTagKeys list only keys sent as PrincipalTag attributes.")
    return passed(f"{len(tags)} tag(s) within AWS's limits (the role's trust policy must "
                 "allow sts:TagSession)")
