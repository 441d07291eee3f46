"""Every role of one sign-in at once: one AssumeRoleWithSAML per role, run concurrently.

AWS accepts a SAMLResponse for 5 minutes after it was issued
(:data:`samlcreds.aws.REDEEM_WINDOW_SECONDS`) and the same assertion may be
redeemed for each role it grants, so the calls run in parallel threads to
finish well inside that window. One role's failure does not stop the others.
"""

from __future__ import annotations

import string
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence

from samlcreds import errors
from samlcreds.saml import SamlAssertion
from samlcreds.creds import Credentials
from samlcreds.roles import RolePair
from samlcreds.sts import assume_role_with_saml, check_duration, choose_region
from samlcreds.stsclient import DEFAULT_STS_TIMEOUT

DEFAULT_TEMPLATE = "{account}-{role}"
#: Placeholders of ``--profile-template``.
FIELDS = ("account", "account_id", "role")
MAX_WORKERS = 8


@dataclass(frozen=True)
class RoleOutcome:
    """One role's result: its profile name and credentials, or the error STS (or the file) gave."""

    role: RolePair
    profile: str
    credentials: Credentials | None = None
    error: errors.SamlcredsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def profile_names(roles: Sequence[RolePair], template: str, names: dict[str, str]) -> dict[RolePair, str]:
    """The profile name of each role from ``template`` (``{account}``: name when known, else the ID;
    ``{account_id}``; ``{role}``: the role's name without its path).

    Raises :class:`~samlcreds.errors.UsageError` for an unknown placeholder, a
    name that would not be a usable profile name, or two roles getting one name.
    """
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}
    except ValueError as exc:
        raise errors.UsageError(f"--profile-template {template!r} does not parse: {exc}") from None
    unknown = used - set(FIELDS)
    if unknown:
        raise errors.UsageError(f"--profile-template uses unknown placeholder(s) {', '.join(sorted(unknown))}",
                                hint="Use {account}, {account_id} and {role}.")
    found: dict[RolePair, str] = {}
    for role in roles:
        name = template.format(account=names.get(role.account_id) or role.account_id,
                               account_id=role.account_id, role=role.role_name)
        if not name or any(c.isspace() or c in "[]\"'#;" for c in name):
            raise errors.UsageError(f"--profile-template gives {name!r} for {role.role_arn}, which cannot be a "
                                    "profile name", hint="Use letters, digits and -_.@ around the placeholders.")
        found[role] = name
    clashes = sorted({n for n in found.values() if list(found.values()).count(n) > 1})
    if clashes:
        # what tells the clashing roles apart: their names when they share an account, else their accounts
        same_account = any(len({r.account_id for r, n in found.items() if n == clash}) == 1 for clash in clashes)
        missing = "{role}" if same_account and "role" not in used else "{account_id}"
        raise errors.UsageError(f"--profile-template gives several roles the same profile name: {', '.join(clashes)}",
                                hint=f"Add {missing} to the template, e.g. '{{account_id}}-{{role}}'.")
    return found


def assume_all(assertion: SamlAssertion, profiles: dict[RolePair, str], *, region: str | None = None,
               duration=None, profile: str | None = None, timeout: float = DEFAULT_STS_TIMEOUT,
               max_workers: int = MAX_WORKERS) -> list[RoleOutcome]:
    """AssumeRoleWithSAML for each role of ``profiles`` concurrently; outcomes in the same order.

    ``region``: the configured STS region (else each role's own, see
    :func:`samlcreds.sts.choose_region`). Errors per role are captured in the
    outcome, never raised; a bad ``duration`` raises
    :class:`~samlcreds.errors.UsageError` before any call.
    """
    seconds = check_duration(duration)
    saml_b64 = assertion.to_base64()

    def one(role: RolePair) -> RoleOutcome:
        try:
            creds = assume_role_with_saml(saml_b64, role, region=choose_region(role, assertion.signin_url, region),
                                          duration=seconds, optional_attributes=assertion.optional_attributes,
                                          profile=profile, timeout=timeout)
        except errors.SamlcredsError as exc:
            return RoleOutcome(role, profiles[role], error=exc)
        return RoleOutcome(role, profiles[role], credentials=creds)

    roles = list(profiles)
    if not roles:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(roles)), thread_name_prefix="assume") as pool:
        return list(pool.map(one, roles))
