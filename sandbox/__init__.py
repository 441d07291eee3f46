"""Local test sandbox for samlcreds (development tool, not shipped in the wheel).

* :mod:`sandbox.idp` runs a real SAML 2.0 IdP (SimpleSAMLphp under ``php -S``)
  that signs AWS-style assertions for a few test users.
* :mod:`sandbox.sts` runs an STS-compatible endpoint: a strict
  ``AssumeRoleWithSAML`` layer in front of moto's in-process server.
* :mod:`sandbox.fixtures` exposes both as pytest fixtures.
* ``python -m sandbox`` starts both and prints shell exports.
"""

from sandbox.idp import SimpleSamlIdp, default_users, fetch_saml_response
from sandbox.sts import StrictSts

__all__ = ["SimpleSamlIdp", "StrictSts", "default_users", "fetch_saml_response"]
