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
#: What LemonLDAP::NG 2.16 serves after a wrong TOTP code (PE_BADOTP = 96; its error.tpl), trimmed.
LLNG_BAD_CODE = page('<script src="/static/common/js/portal.js"></script><div id="errorcontent" class="container">'
                     '<div class="message message-negative alert" role="alert"><span trmsg="96"></span></div>'
                     '<div id="error"><div class="buttons"><a href="/?cancel=1" class="btn btn-primary" '
                     'role="button"><span class="fa fa-home"></span><span trspan="goToPortal">Go to portal</span>'
                     '</a></div></div></div>', title="Authentication portal")


def _login(server: PageServer) -> str:
    return FormProvider().fetch_saml_response(LoginRequest(
        url=server.base + "/", username="dwho", get_password=lambda prompt: "pw", otp_command=PRINT_CODE,
        timeout=10))


def test_form_less_page_after_the_code_is_a_refused_code():
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": LLNG_BAD_CODE}) as server:
        with pytest.raises(errors.InvalidCredentials) as info:
            _login(server)
        # one sentence: the error box's button ("Go to portal") is not quoted as what the page says
        assert info.value.message == ("the one-time code was refused: the IdP answered it with an error page "
                                      "that ends the sign-in")
        assert "saml_otp_command" in info.value.hint
        assert len(server.posts("/mfa")) == 1 and len(server.posts("/login")) == 1


def test_the_same_page_before_any_code_still_needs_javascript():
    with PageServer({"/": login_form(), "/login": LLNG_BAD_CODE}) as server:
        with pytest.raises(errors.LoginFlowError, match="needs JavaScript: it has scripts and no form"):
            _login(server)


def test_an_error_box_is_quoted_without_its_buttons():
    said = page('<div id="error"><p class="alert">Invalid code</p><div class="buttons">'
                '<a class="btn" href="/">Go to portal</a><button>Retry</button></div></div>')
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": said}) as server:
        with pytest.raises(errors.InvalidCredentials) as info:
            _login(server)
        assert info.value.message == ("the one-time code was refused: the IdP answered it with an error page "
                                      "that ends the sign-in (the page says: Invalid code)")
