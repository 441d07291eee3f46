"""Checks on who sent the assertion and to whom: ``issuer``, ``audience``, ``recipient``."""

from __future__ import annotations

from samlcreds.aws import AWS_AUDIENCES, PARTITION_SIGNIN_HOST, parse_signin_url, signin_saml_url
from samlcreds.doctor.context import Context, content_check
from samlcreds.doctor.registry import Finding, check, failed, passed, warned


@check("issuer")
def check_issuer(ctx: Context) -> Finding:
    """``issuer``: the Issuer equals the entityID of the IdP metadata in the IAM SAML provider.

    Source: IAM User Guide, "Create a SAML identity provider in IAM" (the
    provider is defined by the IdP's metadata) and STS's ``Issuer`` response
    element (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
    """
    a = ctx.assertion
    if ctx.unreadable:
        issuers = [a.issuer] if a.issuer else []
    else:
        issuers = [i for i in (a.response_issuer, a.assertion_issuer) if i is not None]
    if not issuers or not all(issuers):
        return failed("the assertion has no Issuer", "The IdP must send its entity ID as Issuer.")
    if len(set(issuers)) > 1:
        return failed(f"the Response's Issuer {issuers[0]!r} differs from the Assertion's {issuers[1]!r}",
                      "Configure the IdP to use one entity ID for both.")
    issuer = issuers[0]
    idp = ctx.idp
    if idp is None:
        return warned(f"Issuer is {issuer!r}; not compared with the IdP's entityID (no --metadata)",
                      "Pass --metadata FILE (the metadata uploaded to the IAM SAML provider) to compare.")
    if idp.entity_id == issuer:
        return passed(f"Issuer {issuer!r} matches the metadata's entityID")
    return failed(f"Issuer {issuer!r} differs from the metadata's entityID {idp.entity_id!r}",
                  "The IAM SAML provider trusts another IdP entity: upload this IdP's current metadata to the "
                  "provider (aws iam update-saml-provider), or set the IdP's entity ID back to the one in the metadata.")


@content_check("audience")
def check_audience(ctx: Context) -> Finding:
    """``audience``: the AudienceRestriction names AWS.

    Accepted: ``https://signin.aws.amazon.com/saml``, ``urn:amazon:webservices``,
    ``urn:amazon:webservices:govcloud`` (IAM User Guide, "Configure your SAML
    2.0 IdP with relying party trust",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_relying-party.html;
    AWS's SP metadata https://signin.aws.amazon.com/static/saml-metadata.xml),
    and the China entity IDs ``urn:amazon:webservices:cn-north-1`` /
    ``cn-northwest-1`` (:data:`samlcreds.aws.AWS_AUDIENCES`). With several
    AudienceRestriction elements, each must name AWS (SAML core 2.5.1.4).
    """
    restrictions = ctx.assertion.audience_restrictions
    expected = "urn:amazon:webservices (or https://signin.aws.amazon.com/saml; GovCloud: urn:amazon:webservices:govcloud)"
    fix = (f"Set the AWS app's audience / SP entity ID at the IdP to {expected}. "
           "Okta, Entra ID and ADFS call it 'Audience URI', 'Identifier (Entity ID)' or 'Relying party identifier'.")
    if not restrictions:
        return failed("the assertion has no AudienceRestriction; AWS requires its own audience", fix)
    for values in restrictions:
        if not any(value in AWS_AUDIENCES for value in values):
            shown = ", ".join(repr(v) for v in values) or "(empty)"
            return failed(f"the Audience is {shown}; AWS accepts only its own: {', '.join(list(AWS_AUDIENCES)[:3])}",
                          fix)
    ok = [v for v in ctx.assertion.audiences if v in AWS_AUDIENCES]
    return passed(f"Audience {ok[0]!r} is AWS's")


@content_check("recipient")
def check_recipient(ctx: Context) -> Finding:
    """``recipient``: Recipient (and Destination) is an AWS sign-in SAML endpoint of the roles' partition.

    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response": exactly one SubjectConfirmationData with a ``Recipient`` that
    matches the AWS sign-in endpoint (``https://signin.aws.amazon.com/saml``,
    ``https://REGION.signin.aws.amazon.com/saml``, GovCloud
    ``https://signin.amazonaws-us-gov.com/saml``, China
    ``https://signin.amazonaws.cn/saml``; :func:`samlcreds.aws.parse_signin_url`).
    """
    a = ctx.assertion
    acs_fix = ("Set the AWS app's ACS / Recipient URL at the IdP to https://signin.aws.amazon.com/saml "
               "(regional: https://REGION.signin.aws.amazon.com/saml; GovCloud: "
               "https://signin.amazonaws-us-gov.com/saml; China: https://signin.amazonaws.cn/saml).")
    count = len(a.subject_confirmations)
    if count != 1:
        return failed(f"the assertion has {count} SubjectConfirmation elements; AWS requires exactly one (with "
                      "Recipient and NotOnOrAfter)", acs_fix)
    if not a.recipient:
        return failed("the SubjectConfirmationData has no Recipient; AWS requires the sign-in endpoint there",
                      acs_fix)
    endpoint = parse_signin_url(a.recipient)
    if endpoint is None:
        return failed(f"Recipient {a.recipient!r} is not an AWS sign-in SAML endpoint", acs_fix)
    if a.destination:
        dest = parse_signin_url(a.destination)
        if dest is None:
            return failed(f"Destination {a.destination!r} is not an AWS sign-in SAML endpoint", acs_fix)
        if dest.partition != endpoint.partition:
            return failed(f"Destination {a.destination!r} and Recipient {a.recipient!r} are in different "
                          "partitions", acs_fix)
    partitions = sorted({pair.partition for pair in a.roles})
    wrong = [p for p in partitions if p != endpoint.partition]
    if wrong:
        need = ", ".join(f"{p} roles need " + (signin_saml_url(p) if p in PARTITION_SIGNIN_HOST
                                                else "the sign-in endpoint of that partition") for p in wrong)
        return failed(f"Recipient {a.recipient!r} is in partition {endpoint.partition}, but the assertion grants "
                      f"roles in {', '.join(wrong)}",
                      f"{need}: use a separate IdP app per partition, each with its own ACS URL and roles.")
    where = f"region {endpoint.region}" if endpoint.region else "global endpoint"
    return passed(f"Recipient {a.recipient} is AWS's sign-in endpoint (partition {endpoint.partition}, {where})"
                  + (", matching the roles" if partitions else ""))
