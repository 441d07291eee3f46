"""The login flow: IdP → SAMLResponse → role choice → STS → :class:`Credentials`.

One direction: each step takes the previous step's value. Nothing here prints,
prompts or exits; the caller supplies callables for the password, pasted
input, the role picker and progress messages.
"""

from __future__ import annotations

import logging
from typing import Callable, NamedTuple, Sequence

from samlcreds import errors
from samlcreds.saml import SamlAssertion, parse_saml_response
from samlcreds.config import DEFAULT_PROVIDER, Settings
from samlcreds.creds import Credentials
from samlcreds.idp.base import LoginRequest, get_provider
from samlcreds.roles import RolePair, choose_role, describe_roles, is_provider_arn, is_role_arn
from samlcreds.sts import assume_role_with_saml, check_duration, choose_region
from samlcreds.stsclient import prepare_client
from samlcreds.profile import quote_word

Picker = Callable[[Sequence[RolePair]], RolePair]
log = logging.getLogger(__name__)  # never given passwords, SAMLResponses or keys


class LoginResult(NamedTuple):
    """The outcome of a login: credentials, the role used, the assertion and the STS region."""

    credentials: Credentials
    role: RolePair
    assertion: SamlAssertion
    region: str


def fetch_assertion(settings: Settings, request: LoginRequest, *, prepare_sts: bool = False) -> SamlAssertion:
    """Sign in with the configured provider and read the SAMLResponse (not yet validated).

    ``prepare_sts``: the caller will call STS next, so its client is built
    meanwhile (:func:`samlcreds.stsclient.prepare_client`), while the IdP is asked. Before signing
    in, each :meth:`~samlcreds.config.Settings.override_notes` line goes to ``request.notify``.
    """
    method = settings.provider or DEFAULT_PROVIDER
    if method != "paste" and not settings.url:
        from samlcreds.profile import config_file

        missing = settings.profile_found is False and settings.profile != "default"
        raise errors.UsageError(
            f"profile {settings.profile} has no IdP sign-in URL (saml_url)"
            + (f"; the profile is not in {config_file()}" if missing else ""),
            hint=f"Run 'samlcreds configure --profile {quote_word(settings.profile)} --url URL', or pass --url.",
        )
    log.debug("signing in with provider %s for profile %s", method, settings.profile)
    for note in settings.override_notes():  # SAMLCREDS_URL over the profile's saml_url: the password goes there
        request.notify(note)
    hooks = request.get_password  # e.g. samlcreds.keyring_store.KeyringPassword: told how the sign-in went
    provider = get_provider(method)
    if prepare_sts:
        prepare_client(settings.region, profile=settings.profile, timeout=settings.sts_timeout)
    try:
        saml_response = provider.fetch_saml_response(request)
    except errors.InvalidCredentials as exc:
        refused = getattr(hooks, "refused", None)
        if refused is None or not exc.password_refused:  # a refused one-time code keeps a stored password
            raise
        raise refused(exc) from None
    succeeded = getattr(hooks, "succeeded", None)
    if succeeded is not None:
        succeeded()
    assertion = parse_saml_response(saml_response)
    log.debug("assertion from %s grants %d role(s); %d problem(s), %d warning(s)", assertion.issuer,
              len(assertion.roles), len(assertion.problems), len(assertion.warnings))
    return assertion


def select_role(
    assertion: SamlAssertion,
    *,
    wanted: str | None = None,
    role_arn: str | None = None,
    principal_arn: str | None = None,
    picker: Picker | None = None,
) -> RolePair:
    """The role to assume.

    ``role_arn`` + ``principal_arn`` given: that pair (it must be one the
    assertion grants, unless the assertion is encrypted and its roles cannot
    be read). Else ``wanted`` (ARN, ``ACCOUNT:NAME`` or name), a single role,
    or ``picker(roles)``. Without a picker and several roles:
    :class:`~samlcreds.errors.RoleSelectionError` listing them.
    Assertion problems are raised first (:class:`~samlcreds.errors.SamlAssertionError`).
    """
    if role_arn and principal_arn:
        if not is_role_arn(role_arn):
            raise errors.UsageError(f"--role-arn {role_arn!r} is not an IAM role ARN")
        if not is_provider_arn(principal_arn):
            raise errors.UsageError(f"--principal-arn {principal_arn!r} is not an IAM saml-provider ARN")
        explicit = RolePair(role_arn, principal_arn)
        if assertion.encrypted:
            return explicit
        assertion.raise_for_problems()
        if explicit not in assertion.roles:
            raise errors.RoleSelectionError(
                f"the assertion does not grant {role_arn} with provider {principal_arn}; it grants:\n"
                + describe_roles(assertion.roles),
                roles=assertion.roles,
                hint="Pass one of the roles above.",
            )
        return explicit
    if assertion.encrypted and (role_arn or principal_arn):
        raise errors.UsageError("an encrypted assertion needs both the role ARN and the principal ARN "
                                "(--role-arn and --principal-arn; role_arn= and principal_arn= in Python)")
    assertion.raise_for_problems()
    chosen = choose_role(assertion.roles, role_arn or wanted, principal_arn=principal_arn)
    if chosen is not None:
        return chosen
    if picker is None:
        raise errors.RoleSelectionError(
            "the assertion grants several roles and no terminal is available to choose:\n"
            + describe_roles(assertion.roles),
            roles=assertion.roles,
            hint="Pass --role ROLE_ARN (or ACCOUNT_ID:ROLE_NAME), or set saml_role_arn in the profile.",
        )
    return picker(assertion.roles)


def login(
    settings: Settings,
    request: LoginRequest,
    *,
    role_arn: str | None = None,
    principal_arn: str | None = None,
    picker: Picker | None = None,
    progress: Callable[[str], None] = lambda message: None,
    assertion: SamlAssertion | None = None,
) -> LoginResult:
    """Run the whole flow and return a :class:`LoginResult`.

    ``assertion`` skips the IdP step (already read). Errors: any
    :class:`~samlcreds.errors.SamlcredsError` subclass.
    """
    duration = check_duration(settings.duration)
    if assertion is None:
        progress("signing in at the IdP")
        assertion = fetch_assertion(settings, request, prepare_sts=True)
    role = select_role(
        assertion,
        wanted=settings.role,
        role_arn=role_arn,
        principal_arn=principal_arn or settings.principal_arn,
        picker=picker,
    )
    region = choose_region(role, assertion.signin_url, settings.region, profile=settings.profile)
    log.debug("assuming %s with %s in %s for %d s", role.role_arn, role.principal_arn, region, duration)
    progress(f"calling STS AssumeRoleWithSAML in {region}")
    credentials = assume_role_with_saml(
        assertion.to_base64(),
        role,
        region=region,
        duration=duration,
        optional_attributes=assertion.optional_attributes,
        profile=settings.profile,
        timeout=settings.sts_timeout,
    )
    log.debug("STS issued %s, expiring %s", credentials.access_key_id, credentials.expiration.isoformat())
    return LoginResult(credentials=credentials, role=role, assertion=assertion, region=region)
