"""Checks on what is signed: ``signature`` (each signature verifies) and ``signed_element`` (the right element is)."""

from __future__ import annotations

from samlcreds.doctor.context import Context
from samlcreds.doctor.registry import Finding, check, failed, passed, warned
from samlcreds.doctor.verify import verify_signature

_FIX_WRAP = ("Do not use this SAMLResponse. An IdP sends exactly one Assertion; a second, unsigned one is how "
             "XML signature wrapping smuggles in other roles. If it came straight from your IdP, report it to the "
             "IdP administrator.")
_FIX_SIGN = "Turn on signing of the assertion (or the response) for the AWS app at the IdP."


@check("signature")
def check_signature(ctx: Context) -> Finding:
    """``signature``: every XML signature of the Response and its assertions is valid against the IdP's certificate.

    AWS verifies the signature of the Response or of the Assertion with the
    certificate in the metadata uploaded to the IAM SAML provider (IAM User
    Guide, "Create a SAML identity provider in IAM",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html;
    STS answers ``InvalidIdentityToken`` otherwise). Without metadata only the
    integrity is checked, against the certificate embedded in ds:KeyInfo.
    """
    signatures = ctx.assertion.signatures
    if not signatures:
        return failed("neither the Response nor the Assertion is signed; AWS accepts only signed SAML responses",
                      _FIX_SIGN)
    idp = ctx.idp
    results = [verify_signature(fact, idp) for fact in signatures]
    failures = [r for r in results if not r.ok]
    if failures:
        message = "; ".join(r.detail for r in failures)
        if any(r.tampered for r in failures):
            fix = ("Use the SAMLResponse exactly as the IdP sent it: any edit, re-encoding or re-indentation of "
                   "the XML breaks the signature. If you did not change it, something on the way did; sign in again.")
        elif any(r.wrong_cert for r in failures):
            fix = ("The IdP signs with a different certificate than the one in the IAM SAML provider's metadata "
                   "(e.g. after a certificate rotation): download the IdP's current metadata and update the provider "
                   "(aws iam update-saml-provider --saml-provider-arn ARN --saml-metadata-document file://metadata.xml), "
                   "or switch the IdP back to the certificate in the metadata.")
        elif any(r.misplaced for r in failures):
            fix = _FIX_WRAP
        else:
            fix = "Pass --metadata with the IdP's metadata, or ask the IdP administrator to sign with an X.509 key."
        return failed(message, fix)
    parts = [f"{r.label}: {r.detail}" for r in results]
    status, fix = passed, ""
    weak = sorted({r.algorithm for r in results if "sha1" in r.algorithm.lower()})
    if weak:
        status = warned
        parts.append(f"signed with {', '.join(weak)} (SHA-1 is weak)")
        fix = "Switch the IdP's signing algorithm for the AWS app to RSA-SHA256."
    expired = [r.expired_cert for r in results if r.expired_cert]
    if expired:
        status = warned
        parts.append(f"the signing certificate is outside its validity period ({expired[0]})")
        fix = ("Rotate the IdP's signing certificate, then upload the new metadata to the IAM SAML provider "
               "(aws iam update-saml-provider).")
    if any(r.trust == "embedded" for r in results):
        status = warned
        parts.append("only integrity was checked, not trust: the certificate came from the signature itself, "
                     "not from the IdP metadata AWS uses")
        fix = fix or ("Pass --metadata FILE with the IdP metadata uploaded to the IAM SAML provider to check that "
                      "AWS trusts this signer.")
    return status("; ".join(parts), fix)


@check("signed_element")
def check_signed_element(ctx: Context) -> Finding:
    """``signed_element``: which element is signed, and that the roles come from it.

    AWS accepts a signed Response or a signed Assertion, and reads the one
    Assertion the Response holds (the response "must include exactly one"
    SubjectConfirmation/Assertion; IAM User Guide, "Configure SAML assertions
    for the authentication response"). Several assertions, or an assertion
    hidden elsewhere, is the shape of XML signature wrapping: the unsigned
    copy's roles must never be trusted. "Signed" means signed by a signature
    sitting in the element and referencing exactly it
    (:func:`samlcreds.saml.select_assertion`).
    """
    a = ctx.assertion
    if a.nested_assertions:
        return failed(f"{a.nested_assertions} Assertion element(s) are nested inside other elements instead of "
                      "being direct children of the Response (XML signature wrapping)", _FIX_WRAP)
    if not a.assertions:
        if a.encrypted:
            what = "the Response is signed" if a.response_signed else "the Response is not signed"
            return warned(f"{what}; the assertion is encrypted, so which element is signed inside it cannot be "
                          "checked locally")
        return failed("the Response holds no Assertion", "The IdP must send one signed Assertion for the AWS app.")
    if len(a.assertions) > 1:
        described = "; ".join(
            f"Assertion #{s.index} (ID {s.id or '(none)'}, {'signed' if s.signed else 'unsigned'}, roles: "
            f"{', '.join(s.role_arns) or 'no roles'})" for s in a.assertions)
        signed = [s.index for s in a.assertions if s.signed]
        if signed:
            which = f"only Assertion #{signed[0]} is signed" if len(signed) == 1 else \
                f"Assertions {', '.join(f'#{n}' for n in signed)} are signed"
        elif a.response_signed:
            which = "no assertion is signed on its own (only the Response is)"
        else:
            which = "no assertion is signed"
        return failed(f"the Response holds {len(a.assertions)} assertions and AWS reads exactly one; {which}; "
                      f"samlcreds reads Assertion #{a.assertion_index}: {described}", _FIX_WRAP)
    ident = a.assertion_id or "(none)"
    if a.assertion_signed and a.response_signed:
        return passed(f"the Response and its one Assertion (ID {ident}) are signed; the roles come from the signed "
                      "Assertion")
    if a.assertion_signed:
        return passed(f"the Assertion (ID {ident}) is signed; the roles come from it")
    if a.response_signed:
        return passed(f"the Response is signed and covers its one Assertion (ID {ident}), which the roles come from")
    detail = (" (there is a ds:Signature, but it does not reference the element it sits in)" if a.signatures else "")
    return failed(f"neither the Response nor the Assertion is signed{detail}", _FIX_SIGN)
