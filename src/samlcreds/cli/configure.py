"""``samlcreds configure``: store a profile's SAML settings in the AWS config file."""

from __future__ import annotations

import click

from samlcreds import config, errors
from samlcreds.cli.terminal import Terminal, info
from samlcreds.idp.base import provider_names
from samlcreds.sts import check_duration

PROMPTS = [
    ("provider", "IdP login provider ({names})", "form"),
    ("url", "IdP sign-in (SSO) URL", None),
    ("username", "User name at the IdP", None),
    ("role", "Role (ARN, ACCOUNT_ID:ROLE_NAME or name; empty to choose at login)", None),
    ("duration", "Session duration in seconds", "3600"),
    ("region", "Region", None),
]


@click.command(epilog="""\b
Examples:
  samlcreds configure --profile work
  samlcreds configure --profile work --provider form --url https://idp.example.com/sso \\
      --username me@example.com --role 111111111111:Developer --duration 3600 --region eu-west-1
""")
@click.option("--profile", "-p", help="Profile to configure (default: AWS_PROFILE or default).")
@click.option("--provider", help="IdP login provider (saml_provider).")
@click.option("--url", help="The IdP's SSO sign-in URL (saml_url).")
@click.option("--username", "-u", help="User name at the IdP (saml_username).")
@click.option("--role", help="Role ARN, ACCOUNT_ID:ROLE_NAME or name (saml_role_arn).")
@click.option("--principal-arn", help="SAML provider ARN (saml_principal_arn).")
@click.option("--duration", type=int, help="DurationSeconds, 900-43200 (saml_duration).")
@click.option("--timeout", type=float, help="IdP/STS timeout in seconds (saml_timeout).")
@click.option("--region", help="Region (region).")
def configure(profile, provider, url, username, role, principal_arn, duration, timeout, region):
    """Write SAML settings into [profile NAME] of the AWS config file.

    Every setting can be given by flag; with none given and a terminal,
    samlcreds asks for each. Other lines of the file are kept byte for byte.
    """
    import os

    name = profile or os.environ.get("AWS_PROFILE") or "default"
    given = {"provider": provider, "url": url, "username": username, "role": role,
             "principal_arn": principal_arn, "duration": duration, "timeout": timeout, "region": region}
    values = {k: str(v) for k, v in given.items() if v is not None}
    if not values:
        terminal = Terminal()
        if not terminal.available:
            raise errors.UsageError("no settings were given and there is no terminal to ask on",
                                    hint="Pass settings as flags, e.g. --url and --username.")
        current = config.resolve(name)
        for key, label, default in PROMPTS:
            shown = getattr(current, key) or default
            label = label.format(names=", ".join(provider_names()))
            answer = terminal.ask(f"{label}{f' [{shown}]' if shown else ''}: ").strip()
            if answer or shown:
                values[key] = answer or shown
    if "provider" in values and values["provider"] not in provider_names():
        raise errors.UsageError(f"unknown provider {values['provider']!r}",
                                hint=f"Choose one of: {', '.join(provider_names())}.")
    if "duration" in values:
        check_duration(values["duration"])
    stored = {config.KEYS[key][0]: value for key, value in values.items()}
    path = config.write_profile_settings(name, stored)
    info(f"Saved {', '.join(stored)} in [{config.section_name(name)}] of {path}")
