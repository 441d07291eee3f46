"""Role pairs and matching a user's choice (samlcreds.roles), no IdP needed."""

from __future__ import annotations

import pytest

from samlcreds import errors
from samlcreds.roles import (RolePair, choose_role, describe_roles, group_by_account, is_provider_arn, is_role_arn,
                             match_roles)
from tests.samples import PROV_1, PROV_2, ROLE_A, ROLE_B, ROLE_C

A = RolePair(ROLE_A, PROV_1)
B = RolePair(ROLE_B, PROV_1)
C = RolePair(ROLE_C, PROV_2)
GOV = RolePair("arn:aws-us-gov:iam::333333333333:role/Developer", "arn:aws-us-gov:iam::333333333333:saml-provider/X")
ROLES = (A, B, C)


def test_pair_parts():
    assert (B.partition, B.account_id, B.role_name, B.path_name) == ("aws", "111111111111", "Admin", "team/ops/Admin")
    assert (GOV.partition, GOV.account_id) == ("aws-us-gov", "333333333333")


def test_pair_from_an_invalid_arn_says_so():
    with pytest.raises(ValueError, match="not a role ARN"):
        RolePair("arn:aws:iam::1:role/X", PROV_1).account_id


@pytest.mark.parametrize("text,ok", [
    (ROLE_A, True), (ROLE_B, True), ("arn:aws-cn:iam::123456789012:role/R", True),
    ("arn:aws:iam::12345678901:role/R", False), ("arn:aws:iam::123456789012:user/R", False),
    ("arn:aws:iam::123456789012:role/", False), (PROV_1, False), (" " + ROLE_A, False),
])
def test_is_role_arn(text, ok):
    assert is_role_arn(text) is ok


@pytest.mark.parametrize("text,ok", [
    (PROV_1, True), ("arn:aws-us-gov:iam::123456789012:saml-provider/Okta.Prod", True),
    ("arn:aws:iam::123456789012:saml-provider/", False), (ROLE_A, False),
    ("arn:aws:iam::123456789012:oidc-provider/x", False),
])
def test_is_provider_arn(text, ok):
    assert is_provider_arn(text) is ok


@pytest.mark.parametrize("wanted,expected", [
    (ROLE_A, [A]),
    ("111111111111:Developer", [A]),
    ("Developer", [A]),
    ("Admin", [B]),
    ("team/ops/Admin", [B]),
    ("111111111111:team/ops/Admin", [B]),
    ("222222222222:Auditor", [C]),
    ("222222222222:Developer", []),
    ("developer", [A]),  # case-insensitive only when nothing matches exactly
    ("  Auditor  ", [C]),
    ("arn:aws:iam::111111111111:role/developer", []),  # ARNs compare as given
    ("Nope", []),
])
def test_match_roles(wanted, expected):
    assert match_roles(ROLES, wanted) == expected


def test_exact_match_wins_over_case_folded():
    lower = RolePair("arn:aws:iam::111111111111:role/dev", PROV_1)
    upper = RolePair("arn:aws:iam::111111111111:role/Dev", PROV_1)
    assert match_roles((lower, upper), "Dev") == [upper]


def test_same_name_in_two_accounts_needs_the_account():
    other = RolePair("arn:aws:iam::222222222222:role/Developer", PROV_2)
    with pytest.raises(errors.RoleSelectionError, match="matches several roles") as caught:
        choose_role((A, other), "Developer")
    assert caught.value.roles == (A, other)
    assert choose_role((A, other), "222222222222:Developer") == other


def test_choose_single_role_without_asking():
    assert choose_role((C,)) == C


def test_several_roles_and_no_wish_means_ask():
    assert choose_role(ROLES) is None


def test_no_roles():
    with pytest.raises(errors.RoleSelectionError, match="grants no roles"):
        choose_role(())


def test_unknown_role_lists_the_offered_ones():
    with pytest.raises(errors.RoleSelectionError) as caught:
        choose_role(ROLES, "Nope")
    assert ROLE_C in caught.value.message and "--role" in caught.value.hint
    assert caught.value.exit_code == errors.ExitCode.USAGE


def test_principal_filters_the_match():
    twin = RolePair(ROLE_A, "arn:aws:iam::111111111111:saml-provider/Other")
    assert choose_role((A, twin), ROLE_A, principal_arn=twin.principal_arn) == twin
    with pytest.raises(errors.RoleSelectionError):
        choose_role((A,), ROLE_A, principal_arn=PROV_2)


def test_group_by_account_keeps_first_seen_order():
    groups = group_by_account((C, A, B))
    assert list(groups) == ["222222222222", "111111111111"]
    assert groups["111111111111"] == [A, B]


def test_describe_roles():
    assert describe_roles((A, C)) == (f"  account 111111111111:\n    {ROLE_A}\n"
                                      f"  account 222222222222:\n    {ROLE_C}")
