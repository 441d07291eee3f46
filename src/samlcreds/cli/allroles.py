"""``login --all-roles`` and ``configure --all-roles``: one sign-in, a profile per granted role."""

from __future__ import annotations

import json

import click

from samlcreds import accounts, allroles, config, credfile, errors
from samlcreds.cli.fetching import fetch_assertion
from samlcreds.cli.terminal import info, status
from samlcreds.profile import profile_names, quote_word


def _sign_in(settings, request):
    assertion = fetch_assertion(settings, request, prepare_sts=True)
    assertion.raise_for_problems()
    if not assertion.roles:
        raise errors.RoleSelectionError("the assertion grants no roles")
    return assertion


def login_all_roles(settings, request, *, template: str, print_format: str | None,
                    overwrite_long_term: bool) -> None:
    """Sign in once, assume every granted role concurrently, write (or print) each; exit 5 if any failed."""
    assertion = _sign_in(settings, request)
    names = accounts.names(settings.profile)
    profiles = allroles.profile_names(assertion.roles, template, names)
    with status(enabled=True) as update:
        update(f"calling STS AssumeRoleWithSAML for {len(profiles)} roles")
        outcomes = allroles.assume_all(assertion, profiles, region=settings.region, duration=settings.duration,
                                       profile=settings.profile, timeout=settings.sts_timeout)
    from samlcreds.cli.configure import credential_process_is_ours

    lookups = accounts.AliasLookups(settings.profile)
    written, left = [], []
    for outcome in outcomes:
        if outcome.ok and print_format is None and credential_process_is_ours(outcome.profile):
            left.append(outcome.profile)  # static keys there would win over its credential_process, for good
        elif outcome.ok and print_format is None:
            try:
                credfile.write_profile(outcome.profile, outcome.credentials, overwrite_long_term=overwrite_long_term)
            except errors.SamlcredsError as exc:
                outcome = allroles.RoleOutcome(outcome.role, outcome.profile, error=exc)
        if outcome.ok:
            lookups.add(outcome.credentials)
        written.append(outcome)
    for outcome in written:
        where = accounts.label(outcome.role.account_id, names)
        if outcome.ok:
            info(f"ok      [{outcome.profile}] {outcome.role.role_name} in {where}, expires "
                 f"{outcome.credentials.expiration:%H:%M:%S} UTC")
        else:
            info(f"FAILED  [{outcome.profile}] {outcome.role.role_name} in {where}: {outcome.error.message}")
    if print_format == "json":
        click.echo(json.dumps([_outcome_json(o, names) for o in written], indent=2))
    elif print_format == "env":
        raise errors.UsageError("--print env cannot hold several roles; use --print json with --all-roles")
    failed = [o for o in written if not o.ok]
    ok = len(written) - len(failed)
    if print_format is None:
        info(f"Wrote {ok - len(left)} of {len(written)} profile(s) to {credfile.credentials_path()}.")
    if left:
        info(f"Not written: {', '.join(left)} (their credential_process is samlcreds, which signs in for them "
             "when an AWS tool asks; keys in the credentials file would be used instead and never refreshed).")
    lookups.start()
    if failed:
        raise click.exceptions.Exit(max(o.error.exit_code for o in failed))


def _outcome_json(outcome, names) -> dict:
    role = outcome.role
    doc = {"profile": outcome.profile, "role_arn": role.role_arn, "principal_arn": role.principal_arn,
           "account_id": role.account_id, "account_name": names.get(role.account_id), "ok": outcome.ok}
    if outcome.ok:
        doc["credentials"] = outcome.credentials.to_process_json()
    else:
        doc["error"] = outcome.error.message
    return doc


#: Settings each role profile gets its own value of.
PER_ROLE_SETTINGS = ("role", "principal_arn")


def configure_all_roles(settings, request, *, template: str, remove_static_keys: bool = False) -> None:
    """Sign in once and write a config profile per role whose credential_process is samlcreds.

    A profile that already exists is said to be updated (its other keys stay). Keys in the
    credentials file for these profiles (``login --all-roles`` writes them) would be used instead of
    credential_process: :func:`~samlcreds.cli.configure.check_shadowing_keys` names them in one
    warning, or removes the temporary ones with ``remove_static_keys``.
    """
    from samlcreds.cli.configure import check_shadowing_keys, credential_process_command

    assertion = _sign_in(settings, request)
    names = accounts.names(settings.profile)
    profiles = allroles.profile_names(assertion.roles, template, names)
    existing = set(profile_names())
    # every sign-in setting the role profiles need to sign in as this one does (browser, autofill, OTP...),
    # but not the role itself
    shared = {config.KEYS[name][0]: text for name, text in settings.as_text().items()
              if name not in PER_ROLE_SETTINGS}
    for role, name in profiles.items():
        values = dict(shared, saml_role_arn=role.role_arn, saml_principal_arn=role.principal_arn,
                      credential_process=credential_process_command(name))
        path = config.write_profile_settings(name, values)
        info(f"[{config.section_name(name)}] {role.role_arn}" + (" (updated)" if name in existing else ""))
    info(f"Wrote {len(profiles)} profile(s) with credential_process to {path}; "
         f"e.g. aws sts get-caller-identity --profile {quote_word(next(iter(profiles.values())))}")
    check_shadowing_keys(list(profiles.values()), remove_static_keys, "run this again with --remove-static-keys")

