"""A wrong one-time code answered by a form-less error page (LemonLDAP::NG's shape: the message
element is empty, JavaScript fills it in) is a refused code, not a page that needs JavaScript."""

from __future__ import annotations

import sys

import pytest

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.form import FormProvider
from tests.unit.form_server import PageServer, code_form, login_form, page

PRINT_CODE = f"{sys.executable} -c \"print('123456')\""
#: What LemonLDAP::NG 2.16 serves after a wrong TOTP code (PE_BADOTP = 96), trimmed.
LLNG_BAD_CODE = page('<script src="/static/common/js/portal.js"></script><div id="errorcontent">'
                     '<div class="message message-negative alert" role="alert"><span trmsg="96"></span></div>'
                     '<a href="/" class="btn">Go to portal</a></div>', title="Authentication portal")


def _login(server: PageServer) -> str:
    return FormProvider().fetch_saml_response(LoginRequest(
        url=server.base + "/", username="dwho", get_password=lambda prompt: "pw", otp_command=PRINT_CODE,
        timeout=10))


def test_form_less_page_after_the_code_is_a_refused_code():
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": LLNG_BAD_CODE}) as server:
        with pytest.raises(errors.InvalidCredentials) as info:
            _login(server)
        assert info.value.message.startswith("the one-time code was refused (the IdP answered it with a page "
                                             "that leads nowhere)")
        assert "saml_otp_command" in info.value.hint
        assert len(server.posts("/mfa")) == 1 and len(server.posts("/login")) == 1


def test_the_same_page_before_any_code_still_needs_javascript():
    with PageServer({"/": login_form(), "/login": LLNG_BAD_CODE}) as server:
        with pytest.raises(errors.LoginFlowError, match="needs JavaScript: it has scripts and no form"):
            _login(server)
