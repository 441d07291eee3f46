"""IdP login providers: each turns a sign-in into a SAMLResponse.

See :mod:`samlcreds.idp.base` for the protocol and the registry.
"""

from samlcreds.idp.base import LoginRequest, Provider, get_provider, provider_names

__all__ = ["LoginRequest", "Provider", "get_provider", "provider_names"]
