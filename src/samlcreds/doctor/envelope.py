"""Checks on the Response envelope: ``status`` and ``size``."""

from __future__ import annotations

import base64

from samlcreds.aws import MAX_SAML_ASSERTION_LENGTH
from samlcreds.doctor.context import Context
from samlcreds.doctor.registry import Finding, check, failed, passed
from samlcreds.saml.names import STATUS_SUCCESS


@check("status")
def check_status(ctx: Context) -> Finding:
    """``status``: the Response's StatusCode is Success (SAML core 3.2.2.2).

    A non-Success Response is refused by ``parse_saml_response`` and reported
    through :func:`samlcreds.doctor.checks_for_error`; this handles a missing StatusCode.
    """
    if ctx.assertion.status_code == STATUS_SUCCESS:
        return passed("the IdP answered with status Success")
    return failed("the Response has no samlp:Status/samlp:StatusCode (SAML requires one)",
                  "The IdP must send <samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>.")


@check("size")
def check_size(ctx: Context) -> Finding:
    """``size``: the base64 SAMLResponse is at most 100,000 characters.

    Source: STS API reference, AssumeRoleWithSAML, parameter SAMLAssertion
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html).
    """
    length = len(base64.b64encode(ctx.assertion.raw))
    limit = MAX_SAML_ASSERTION_LENGTH
    if length <= limit:
        return passed(f"{length:,} base64 characters (AWS accepts up to {limit:,})")
    return failed(f"the SAMLResponse is {length:,} base64 characters; AWS accepts at most {limit:,}",
                  "Ask the IdP administrator to send fewer roles or attributes (e.g. filter roles by group).")
