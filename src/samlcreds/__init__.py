"""samlcreds: turn a SAML single sign-on into temporary AWS credentials.

The library layer (everything outside :mod:`samlcreds.cli`) never prints,
prompts on its own or exits; it raises :class:`samlcreds.errors.SamlcredsError`
subclasses. The Python API for scripts and notebooks is :func:`session`
(a ``boto3.Session``) and :func:`credentials` (a frozen value object).
"""


__version__ = "0.1.0"

__all__ = ["__version__", "session", "credentials", "RefreshWarning"]


def __getattr__(name: str):
    if name == "RefreshWarning":  # lazily: ``import samlcreds`` stays cheap
        from samlcreds.refreshing import RefreshWarning

        return RefreshWarning
    raise AttributeError(f"module 'samlcreds' has no attribute {name!r}")


def session(profile: str | None = None, **overrides):
    """Return a ``boto3.Session`` holding credentials from a SAML login.

    ``samlcreds.session(profile="work")`` refreshes itself;
    ``samlcreds.session(saml_response=TEXT, role=...)`` redeems a pasted
    SAMLResponse now (not refreshable). See :func:`samlcreds.api.session`; imported lazily so that ``import
    samlcreds`` stays cheap (the credential_process cache path must not load
    boto3).
    """
    from samlcreds.api import session as _session

    return _session(profile=profile, **overrides)


def credentials(profile: str | None = None, **overrides):
    """Return :class:`samlcreds.creds.Credentials` from a SAML login.

    See :func:`samlcreds.api.credentials`.
    """
    from samlcreds.api import credentials as _credentials

    return _credentials(profile=profile, **overrides)
