"""flow.select_role over assertions read from hand-built SAMLResponses (no IdP, no STS)."""

from __future__ import annotations

import pytest

from samlcreds import errors, flow
from samlcreds.saml import parse_saml_response
from samlcreds.roles import RolePair
from tests.samples import PROV_1, PROV_2, ROLE_A, ROLE_B, ROLE_C, b64, response_xml


def _assertion(*roles, **kwargs):
    return parse_saml_response(b64(response_xml(roles or (f"{ROLE_A},{PROV_1}", f"{PROV_1},{ROLE_B}"), **kwargs)))


def test_either_order_of_the_pair():
    assertion = _assertion()
    assert assertion.roles == (RolePair(ROLE_A, PROV_1), RolePair(ROLE_B, PROV_1))


def test_wanted_by_name():
    assert flow.select_role(_assertion(), wanted="Admin") == RolePair(ROLE_B, PROV_1)


def test_single_role_needs_no_choice():
    assert flow.select_role(_assertion(f"{ROLE_C},{PROV_2}")) == RolePair(ROLE_C, PROV_2)


def test_several_roles_without_picker_lists_them():
    with pytest.raises(errors.RoleSelectionError, match="no terminal is available") as caught:
        flow.select_role(_assertion())
    assert ROLE_A in caught.value.message and ROLE_B in caught.value.message
    assert "--role" in caught.value.hint


def test_picker_gets_the_roles_and_its_choice_is_used():
    seen = []

    def pick(roles):
        seen.append(tuple(roles))
        return roles[1]

    assert flow.select_role(_assertion(), picker=pick) == RolePair(ROLE_B, PROV_1)
    assert seen == [(RolePair(ROLE_A, PROV_1), RolePair(ROLE_B, PROV_1))]


def test_wanted_wins_over_the_picker():
    assert flow.select_role(_assertion(), wanted=ROLE_A, picker=lambda roles: 1 / 0) == RolePair(ROLE_A, PROV_1)


def test_explicit_pair_must_be_granted():
    with pytest.raises(errors.RoleSelectionError, match="does not grant"):
        flow.select_role(_assertion(), role_arn=ROLE_C, principal_arn=PROV_2)
    assert flow.select_role(_assertion(), role_arn=ROLE_B, principal_arn=PROV_1) == RolePair(ROLE_B, PROV_1)


@pytest.mark.parametrize("role_arn,principal_arn,match", [
    ("Admin", PROV_1, "not an IAM role ARN"),
    (ROLE_A, ROLE_B, "not an IAM saml-provider ARN"),
])
def test_explicit_pair_must_be_arns(role_arn, principal_arn, match):
    with pytest.raises(errors.UsageError, match=match):
        flow.select_role(_assertion(), role_arn=role_arn, principal_arn=principal_arn)


def test_assertion_problems_come_first():
    assertion = _assertion(session_name="has spaces, not allowed")
    assert assertion.problems
    with pytest.raises(errors.BadRoleSessionName):
        flow.select_role(assertion, wanted="Admin")


def test_status_not_success_is_refused_when_read():
    with pytest.raises(errors.StatusNotSuccess, match="Requester"):
        _assertion(status="urn:oasis:names:tc:SAML:2.0:status:Requester")


def test_no_role_attribute():
    assertion = parse_saml_response(b64(response_xml(roles=())))
    with pytest.raises(errors.NoRoleAttribute):
        flow.select_role(assertion)


def test_principal_setting_narrows_the_name():
    twin = f"{ROLE_A},arn:aws:iam::111111111111:saml-provider/Other"
    assertion = _assertion(f"{ROLE_A},{PROV_1}", twin)
    chosen = flow.select_role(assertion, wanted="Developer",
                              principal_arn="arn:aws:iam::111111111111:saml-provider/Other")
    assert chosen.principal_arn.endswith("/Other")
