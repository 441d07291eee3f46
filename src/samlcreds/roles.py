"""Role pairs granted by an assertion and matching a user's choice among them.

AWS's Role attribute holds values of the form ``ROLE_ARN,PRINCIPAL_ARN`` (either
order): https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
"""

from __future__ import annotations

import re
import sys
from itertools import repeat
from typing import Iterable, NamedTuple, Sequence

from samlcreds.errors import BadRoleValue, RoleSelectionError

#: Partition ids in ARNs (``aws``, ``aws-us-gov``, ``aws-cn``, ``aws-iso-b``...).
PARTITION = r"aws(?:-[a-z]+)*"
#: Characters of a role name or path segment: "upper and lowercase alphanumeric characters [...]
#: _+=,.@-" (IAM API reference, CreateRole RoleName/Path) — ASCII only, hence ``re.ASCII`` below.
ROLE_RESOURCE = r"role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}"
#: SAML provider resource.
PROVIDER_RESOURCE = r"saml-provider/[\w.-]{1,128}"
ROLE_ARN_RE = re.compile(
    rf"^arn:(?P<partition>{PARTITION}):iam::(?P<account>\d{{12}}):role/(?P<path>(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{{1,64}})$",
    re.ASCII,
)
PROVIDER_ARN_RE = re.compile(
    rf"^arn:(?P<partition>{PARTITION}):iam::(?P<account>\d{{12}}):saml-provider/(?P<name>[\w.-]{{1,128}})$",
    re.ASCII,
)


# In a Role value the comma separates the two ARNs, so it is left out of names here.
_ROLE = rf"arn:({PARTITION}):iam::\d{{12}}:" + ROLE_RESOURCE.replace("[\\w+=,.@-]", "[\\w+=.@-]")
_PROVIDER = rf"arn:({PARTITION}):iam::\d{{12}}:{PROVIDER_RESOURCE}"
#: A Role value's end: optional whitespace, at most one trailing comma (Google Workspace
#: sends ``role,provider,``, which AWS accepts), optional whitespace.
_END = r"\s*(?:,\s*)?"
#: A well-formed Role value, role first / provider first; groups: ARN, partition, ARN, partition.
_ROLE_FIRST_RE = re.compile(rf"\s*({_ROLE})\s*,\s*({_PROVIDER}){_END}", re.ASCII)
_PROVIDER_FIRST_RE = re.compile(rf"\s*({_PROVIDER})\s*,\s*({_ROLE}){_END}", re.ASCII)
#: All Role values at once, each followed by a NUL (the fast path of :func:`parse_role_values`),
#: for ``fullmatch``: one value after another, each accepted exactly when :func:`parse_role_value`
#: accepts it (either pattern above, and both ARNs of one partition). For speed (sre checks a
#: bitmap character set faster than ``\w``/``\d``/``\s`` categories, and possessive quantifiers
#: keep no backtracking state, 3.11+) the classes are spelled out; a role's path segments are
#: ``c++/`` and its name ``c{1,64}+``; each value's partition is captured and tied by a
#: back-reference; the value's order is an alternation after the first ARN's account. It has no
#: other group, so matching builds no per-value object; the ARNs are then cut out with ``str``
#: methods (they hold no whitespace, comma or NUL). Anchored at both ends, it reads a hostile
#: whitespace run once (a search pattern starting ``\s*`` was tried from every character of the
#: run: quadratic, seconds of CPU for a Role value within AWS's assertion size).
_NAME = "[0-9A-Za-z_+=.@-]"
_SPACE = "[ \t\n\r\f\v]"  # \s under re.ASCII
#: Possessive quantifier suffix: Python 3.11+ (3.10's re refuses "++"); the plain greedy form
#: matches the same language here (backtracking into a run cannot make a failed match succeed).
_P = "+" if sys.version_info >= (3, 11) else ""
_FAST_ROLE_RESOURCE = rf"role/(?:{_NAME}+{_P}/)*{_P}{_NAME}{{1,64}}{_P}"
_FAST_PROVIDER_RESOURCE = rf"saml-provider/[0-9A-Za-z_.-]{{1,128}}{_P}"
_SEP = rf"{_SPACE}*{_P},{_SPACE}*{_P}"
_SECOND = r"arn:\1:iam::[0-9]{12}:"  # the second ARN's head: the first one's partition
_ROLE_VALUES_RE = re.compile(
    rf"{_SPACE}*{_P}(?:arn:(aws(?:-[a-z]+{_P})*{_P}):iam::[0-9]{{12}}:"
    rf"(?:{_FAST_ROLE_RESOURCE}{_SEP}{_SECOND}{_FAST_PROVIDER_RESOURCE}"
    rf"|{_FAST_PROVIDER_RESOURCE}{_SEP}{_SECOND}{_FAST_ROLE_RESOURCE})"
    rf"{_SPACE}*{_P}(?:,{_SPACE}*{_P})?\x00{_SPACE}*{_P})*{_P}"
)


class RolePair(NamedTuple):
    """A role the assertion grants and the SAML provider (principal) to assume it with.

    ``role_arn``: ``arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME``;
    ``principal_arn``: ``arn:PARTITION:iam::ACCOUNT:saml-provider/NAME``.
    An immutable named tuple (cheap to build: assertions may grant 1,000 roles).
    """

    role_arn: str
    principal_arn: str

    @property
    def _role_match(self) -> re.Match:
        match = ROLE_ARN_RE.match(self.role_arn)
        if match is None:  # constructed only from validated ARNs
            raise ValueError(f"not a role ARN: {self.role_arn}")
        return match

    @property
    def partition(self) -> str:
        """The role ARN's partition: ``aws``, ``aws-us-gov``, ``aws-cn``..."""
        return self._role_match["partition"]

    @property
    def account_id(self) -> str:
        """The 12-digit account ID of the role."""
        return self._role_match["account"]

    @property
    def role_name(self) -> str:
        """The role's name without its path (``Admin`` for ``role/team/ops/Admin``)."""
        return self._role_match["name"]

    @property
    def path_name(self) -> str:
        """The role's path and name (``team/ops/Admin``)."""
        match = self._role_match
        return match["path"] + match["name"]


def is_role_arn(text: str) -> bool:
    """True when ``text`` is an IAM role ARN (paths allowed)."""
    return ROLE_ARN_RE.match(text) is not None


def is_provider_arn(text: str) -> bool:
    """True when ``text`` is an IAM SAML provider ARN."""
    return PROVIDER_ARN_RE.match(text) is not None


def describe_roles(roles: Iterable[RolePair]) -> str:
    """One line per role, grouped by account, for error messages."""
    lines = []
    for account, pairs in group_by_account(roles).items():
        lines.append(f"  account {account}:")
        lines.extend(f"    {pair.role_arn}" for pair in pairs)
    return "\n".join(lines)


def group_by_account(roles: Iterable[RolePair]) -> dict[str, list[RolePair]]:
    """Roles grouped by account ID, accounts and roles in their first-seen order."""
    groups: dict[str, list[RolePair]] = {}
    for pair in roles:
        groups.setdefault(pair.account_id, []).append(pair)
    return groups


def match_roles(roles: Sequence[RolePair], wanted: str) -> list[RolePair]:
    """Roles matching ``wanted``: a role ARN, ``ACCOUNT_ID:ROLE_NAME`` or a role name.

    A name matches the role's name or its ``path/name``; matching is exact
    (IAM role names are case-insensitive for uniqueness but AWS compares ARNs
    as given, so a case-insensitive match is used only when nothing exact
    matches).
    """
    wanted = wanted.strip()
    if wanted.startswith("arn:"):
        return [pair for pair in roles if pair.role_arn == wanted]
    account, sep, name = wanted.partition(":")
    if sep and account.isdigit() and len(account) == 12:
        candidates = [pair for pair in roles if pair.account_id == account]
    else:
        candidates, name = list(roles), wanted
    exact = [pair for pair in candidates if name in (pair.role_name, pair.path_name)]
    if exact:
        return exact
    folded = name.casefold()
    return [p for p in candidates if folded in (p.role_name.casefold(), p.path_name.casefold())]


def choose_role(
    roles: Sequence[RolePair],
    wanted: str | None = None,
    *,
    principal_arn: str | None = None,
) -> RolePair | None:
    """Pick the role to assume, or ``None`` when the user must choose.

    - ``wanted`` given: the one role it matches; several matches or none raise
      :class:`RoleSelectionError` listing the roles offered.
    - nothing wanted and one role: that role.
    - nothing wanted and several roles: ``None`` (the caller asks the user or fails).

    ``principal_arn``, when given, must be the provider of the chosen role.
    """
    if not roles:
        raise RoleSelectionError("the assertion grants no roles")
    if wanted:
        found = match_roles(roles, wanted)
        if principal_arn:
            found = [pair for pair in found if pair.principal_arn == principal_arn]
        if len(found) == 1:
            return found[0]
        if not found:
            raise RoleSelectionError(
                f"role {wanted!r} is not among the roles the assertion grants:\n{describe_roles(roles)}",
                roles=roles,
                hint="Pass --role with one of the role ARNs above (or ACCOUNT_ID:ROLE_NAME).",
            )
        raise RoleSelectionError(
            f"role {wanted!r} matches several roles:\n{describe_roles(found)}",
            roles=found,
            hint="Pass the full role ARN, or ACCOUNT_ID:ROLE_NAME.",
        )
    if len(roles) == 1:
        return roles[0]
    return None


def parse_role_value(value: str) -> RolePair | BadRoleValue:
    """Split one Role attribute value into a :class:`RolePair`.

    Either order is accepted; whitespace and newlines around each ARN are
    trimmed, and one trailing comma is ignored (``role,provider,``, as Google
    Workspace sends and AWS accepts). Returns (does not raise)
    :class:`~samlcreds.errors.BadRoleValue` quoting the value when it is not
    exactly one role ARN and one provider ARN of the same partition.
    Source: IAM User Guide, "Configure SAML assertions for the authentication
    response", section Role attribute.
    """
    match = _ROLE_FIRST_RE.fullmatch(value)
    if match is not None:
        role, role_partition, provider, provider_partition = match.groups()
    else:
        match = _PROVIDER_FIRST_RE.fullmatch(value)
        if match is not None:
            provider, provider_partition, role, role_partition = match.groups()
    if match is not None:
        if role_partition == provider_partition:
            return RolePair(role, provider)
        return BadRoleValue(
            f"Role value {value.strip()!r} pairs a role and a provider from different partitions"
        )
    return BadRoleValue(
        f"Role value {value.strip()!r} is not exactly one role ARN and one saml-provider ARN "
        "separated by a comma",
        hint="Each Role value must be 'arn:aws:iam::ACCOUNT:role/NAME,arn:aws:iam::ACCOUNT:saml-provider/NAME'.",
    )


def parse_role_values(values: Sequence[str]) -> tuple[tuple[RolePair, ...], tuple[BadRoleValue, ...]]:
    """Every Role value read: the pairs (document order, duplicates dropped) and the bad values' errors.

    The same rules as :func:`parse_role_value`, checked for all values in one
    regular-expression match when every value is well-formed (assertions may
    grant 1,000 roles).
    """
    if values:
        joined = "\x00".join([*values, ""])  # each value followed by a NUL
        # the fast pattern spells out ASCII classes
        if joined.isascii() and _ROLE_VALUES_RE.fullmatch(joined) is not None:
            pairs = _pairs_of_well_formed(joined, len(values))
            if pairs is not None:
                return pairs, ()
    ordered: dict[RolePair, None] = {}
    problems = []
    for value in values:
        pair = parse_role_value(value)
        if isinstance(pair, BadRoleValue):
            problems.append(pair)
        else:
            ordered.setdefault(pair)
    return tuple(ordered), tuple(problems)


def _pairs_of_well_formed(joined: str, count: int) -> tuple[RolePair, ...] | None:
    """The pairs of ``count`` NUL-terminated values that ``_ROLE_VALUES_RE`` matched as a whole.

    ``None`` when a value held a NUL (it was read as two values). Commas, NULs
    and whitespace only separate ARNs here, so one ``str.split`` cuts them out.
    """
    arns = joined.replace(",", " ").replace("\x00", " ").split()
    if len(arns) != 2 * count:
        return None
    roles, providers = arns[0::2], arns[1::2]
    # ":saml-provider/" (with its colon) is only in provider ARNs: a role's names hold no colon
    firsts = "\x00".join(roles)
    at = firsts.find(":saml-provider/")
    if at >= 0:  # some values are provider-first: swap their two ARNs
        for i in range(firsts.count("\x00", 0, at), count):
            if ":role/" in providers[i]:
                roles[i], providers[i] = providers[i], roles[i]
    # tuple.__new__ builds each RolePair in C, skipping RolePair's Python-level __new__
    pairs = tuple(map(tuple.__new__, repeat(RolePair), zip(roles, providers)))
    if len(set(roles)) < count:  # a role repeated: drop repeated pairs (one role through two providers stays two)
        pairs = tuple(dict.fromkeys(pairs))
    return pairs
