"""Reading SAMLResponses: the one reader of SAML facts.

- :mod:`~samlcreds.saml.decode`: a SAMLResponse as pasted → the exact XML bytes;
- :mod:`~samlcreds.saml.xml`: the hardened XML parse (no DTD, entities or network);
- :mod:`~samlcreds.saml.response`: the Response → :class:`SamlAssertion`, and the
  one definition of "the signed assertion" (:func:`select_assertion`);
- :mod:`~samlcreds.saml.attributes`: the AWS attributes of the assertion;
- :mod:`~samlcreds.saml.value`: the :class:`SamlAssertion` value;
- :mod:`~samlcreds.saml.names`: namespaces and AWS attribute names.

Role values are parsed next to the ARN rules, in :mod:`samlcreds.roles`.
"""

from samlcreds.saml.decode import MAX_BASE64_LENGTH, decode_saml_response
from samlcreds.saml.names import NS_ASSERTION, NS_DSIG, NS_METADATA, NS_PROTOCOL
from samlcreds.saml.response import parse_saml_response, read_saml_response, select_assertion
from samlcreds.saml.value import AssertionSummary, SamlAssertion, SignatureFact, SubjectConfirmation
from samlcreds.saml.xml import parse_xml, parse_xs_datetime

__all__ = [
    "MAX_BASE64_LENGTH",
    "NS_ASSERTION",
    "NS_DSIG",
    "NS_METADATA",
    "NS_PROTOCOL",
    "AssertionSummary",
    "SamlAssertion",
    "SignatureFact",
    "SubjectConfirmation",
    "decode_saml_response",
    "parse_saml_response",
    "parse_xml",
    "parse_xs_datetime",
    "read_saml_response",
    "select_assertion",
]
