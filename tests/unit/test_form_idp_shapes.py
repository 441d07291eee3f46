"""Whole sign-ins through pages shaped like those of real IdPs (written here, simplified, not copies):
Shibboleth IdP v4 with client-side storage, Keycloak with OTP, ADFS brokered by Keycloak, a
Duo-style factor prompt, a SecurID passcode step, an SPA that needs JavaScript."""

from __future__ import annotations

import sys

import pytest

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.form import FormProvider
from tests.unit.form_server import PageServer, aws_form, page

PASSWORD = "pw-1"
CODE = f"{sys.executable} -c \"print(314159)\""


def sign_in(server: PageServer, path: str, **fields) -> str:
    request = LoginRequest(url=server.base + path, username="alice", get_password=lambda prompt: PASSWORD,
                           timeout=10, **fields)
    return FormProvider().fetch_saml_response(request)


SHIB_STORAGE = page("""
<form action="/idp/profile/SAML2/Unsolicited/SSO?execution=e1s1" method="post">
  <input name="csrf_token" type="hidden" value="_c1">
  <input name="shib_idp_ls_exception.shib_idp_session_ss" type="hidden">
  <input name="shib_idp_ls_success.shib_idp_session_ss" type="hidden" value="false">
  <input name="shib_idp_ls_value.shib_idp_session_ss" type="hidden">
  <input name="shib_idp_ls_supported" type="hidden">
  <input name="_eventId_proceed" type="hidden">
</form>
<script>/* reads localStorage, then */ document.forms[0].submit();</script>""", "Loading Session Information")
SHIB_LOGIN = page("""
<form action="/idp/profile/SAML2/Unsolicited/SSO?execution=e1s2" method="post">
  <input type="hidden" name="csrf_token" value="_c2">
  <label for="username">Username</label><input id="username" name="j_username" type="text" value="">
  <label for="password">Password</label><input id="password" name="j_password" type="password" value="">
  <input type="checkbox" name="donotcache" value="1" id="donotcache"><label for="donotcache">Don't Remember Login</label>
  <input id="_shib_idp_revokeConsent" type="checkbox" name="_shib_idp_revokeConsent" value="true">
  <button type="submit" name="_eventId_proceed">Login</button>
</form>""", "Web Login Service")


def test_shibboleth_v4_with_client_side_storage():
    def sso(hit):
        execution = dict(hit.query).get("execution")
        if hit.method == "GET":
            return SHIB_STORAGE
        return {"e1s1": SHIB_LOGIN, "e1s2": aws_form("U0hJQg==")}[execution]

    with PageServer({"/idp/profile/SAML2/Unsolicited/SSO": sso}) as server:
        assert sign_in(server, "/idp/profile/SAML2/Unsolicited/SSO?providerId=urn:amazon:webservices") == "U0hJQg=="
        first, second = server.posts("/idp/profile/SAML2/Unsolicited/SSO")
        assert first == {"csrf_token": "_c1", "shib_idp_ls_exception.shib_idp_session_ss": "",
                         "shib_idp_ls_success.shib_idp_session_ss": "false",
                         "shib_idp_ls_value.shib_idp_session_ss": "", "shib_idp_ls_supported": "",
                         "_eventId_proceed": ""}
        assert second == {"csrf_token": "_c2", "j_username": "alice", "j_password": PASSWORD, "_eventId_proceed": ""}


KC_LOGIN = page("""
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" method="post"
      action="/realms/corp/login-actions/authenticate?session_code=s1&amp;execution=x1&amp;client_id=urn:amazon:webservices&amp;tab_id=t1">
  <label for="username">Username or email</label>
  <input tabindex="1" id="username" name="username" value="" type="text" autofocus autocomplete="off">
  <label for="password">Password</label>
  <input tabindex="2" id="password" name="password" type="password" autocomplete="off">
  <input type="checkbox" id="rememberMe" name="rememberMe">
  <input type="hidden" id="id-hidden-input" name="credentialId">
  <input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In">
</form>""", "Sign in to corp")
KC_OTP = page("""
<form id="kc-otp-login-form" action="/realms/corp/login-actions/authenticate?execution=x2&amp;tab_id=t1" method="post">
  <input id="kc-otp-credential-1" type="radio" name="selectedCredentialId" value="cred-1" checked>
  <label for="kc-otp-credential-1">Phone app</label>
  <input id="kc-otp-credential-2" type="radio" name="selectedCredentialId" value="cred-2">
  <label for="kc-otp-credential-2">Tablet</label>
  <label for="otp">One-time code</label>
  <input id="otp" name="otp" autocomplete="off" type="text" autofocus>
  <input name="login" id="kc-login" type="submit" value="Sign In">
</form>""", "Sign in to corp")
KC_POST = """<html><body onload="document.forms[0].submit()">
<form name="saml-post-binding" method="post" action="https://signin.aws.amazon.com/saml">
  <input type="hidden" name="SAMLResponse" value="S0M=">
  <noscript><p>JavaScript is disabled. Press Continue.</p><input type="submit" value="Continue"></noscript>
</form></body></html>"""


def test_keycloak_with_otp():
    def authenticate(hit):
        return KC_OTP if dict(hit.query).get("execution") == "x1" else KC_POST

    with PageServer({"/realms/corp/protocol/saml/clients/aws": KC_LOGIN,
                     "/realms/corp/login-actions/authenticate": authenticate}) as server:
        assert sign_in(server, "/realms/corp/protocol/saml/clients/aws", otp_command=CODE) == "S0M="
        login, otp = server.posts("/realms/corp/login-actions/authenticate")
        assert login == {"username": "alice", "password": PASSWORD, "credentialId": "", "login": "Sign In"}
        assert otp == {"selectedCredentialId": "cred-1", "otp": "314159", "login": "Sign In"}


ADFS_LOGIN = page("""
<form method="post" id="loginForm" autocomplete="off" novalidate="novalidate"
      onKeyPress="if (event &amp;&amp; event.keyCode == 13) Login.submitLoginRequest();"
      action="/adfs/ls/?SAMLRequest=abc&amp;RelayState=r&amp;client-request-id=c">
  <input id="userNameInput" name="UserName" type="email" value="" tabindex="1" placeholder="someone@example.com">
  <input id="passwordInput" name="Password" type="password" tabindex="2" placeholder="Password" autocomplete="off">
  <input id="kmsiInput" type="checkbox" name="Kmsi" value="true">
  <span id="submitButton" class="submit" tabindex="4" role="button"
        onclick="return Login.submitLoginRequest();">Sign in</span>
  <input id="optionForms" type="hidden" name="AuthMethod" value="FormsAuthentication">
</form>""", "Sign In")
ADFS_TO_BROKER = page("""
<form method="POST" name="hiddenform" action="/realms/corp/broker/adfs/endpoint">
  <input type="hidden" name="SAMLResponse" value="QURGUw==">
  <input type="hidden" name="RelayState" value="kc-relay">
  <noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script>""", "Working...")


def test_adfs_brokered_by_keycloak_takes_only_awss_saml_response():
    routes = {"/realms/corp/protocol/saml/clients/aws": page(
                  "<script>window.location.href = '/adfs/ls/?SAMLRequest=abc&RelayState=r';</script>"),
              "/adfs/ls/": lambda hit: ADFS_LOGIN if hit.method == "GET" else ADFS_TO_BROKER,
              "/realms/corp/broker/adfs/endpoint": KC_POST}
    with PageServer(routes) as server:
        assert sign_in(server, "/realms/corp/protocol/saml/clients/aws") == "S0M="
        assert server.posts("/adfs/ls/") == [{"UserName": "alice", "Password": PASSWORD,
                                              "AuthMethod": "FormsAuthentication"}]
        assert server.posts("/realms/corp/broker/adfs/endpoint") == [{"SAMLResponse": "QURGUw==",
                                                                       "RelayState": "kc-relay"}]


DUO_PROMPT = page("""
<form id="endpoint-health-form" method="post" action="/frame/prompt">
  <input type="hidden" name="sid" value="duo-sid">
  <fieldset>
    <label><input type="radio" name="device" value="phone1" checked> iOS (XXX-XXX-1234)</label>
  </fieldset>
  <button class="positive auth-button" type="submit" name="factor" value="Duo Push">Send Me a Push</button>
  <button class="positive auth-button" type="submit" name="factor" value="Phone Call">Call Me</button>
  <button class="positive auth-button" type="submit" name="factor" value="Passcode">Enter a Passcode</button>
</form>""", "Duo Security")
DUO_PASSCODE = page("""
<form method="post" action="/frame/prompt">
  <input type="hidden" name="sid" value="duo-sid"><input type="hidden" name="factor" value="Passcode">
  <input type="text" name="passcode" autocomplete="off" placeholder="ex. 867539">
  <button type="submit" class="positive auth-button">Log In</button>
  <button type="submit" name="dampen_choice" value="true">Text me new codes</button>
</form>""", "Duo Security")


def test_duo_style_prompt_picks_the_passcode_never_push_or_call():
    def prompt(hit):
        fields = hit.fields()
        if fields.get("passcode"):
            return aws_form("RFVP")
        return DUO_PASSCODE if fields.get("factor") == "Passcode" else DUO_PROMPT

    with PageServer({"/": page('<form method="post" action="/login"><input name="username">'
                               '<input type="password" name="password"><input type="submit" value="Log in"></form>'),
                     "/login": DUO_PROMPT, "/frame/prompt": prompt}) as server:
        assert sign_in(server, "/", otp_command=CODE) == "RFVP"
        assert server.posts("/frame/prompt") == [
            {"sid": "duo-sid", "device": "phone1", "factor": "Passcode"},
            {"sid": "duo-sid", "factor": "Passcode", "passcode": "314159"}]


def test_duo_style_prompt_without_a_passcode_option_sends_nothing():
    push_or_call = DUO_PROMPT.replace('<button class="positive auth-button" type="submit" name="factor" '
                                      'value="Passcode">Enter a Passcode</button>', "")
    with PageServer({"/": page('<form method="post" action="/login"><input name="username">'
                               '<input type="password" name="password"></form>'),
                     "/login": push_or_call}) as server:
        with pytest.raises(errors.LoginFlowError) as info:
            sign_in(server, "/")
        assert info.value.message == ("factor choice: this IdP asks for a push notification or a phone call; "
                                      "use --provider browser")
        assert server.posts("/frame/prompt") == []


def test_securid_passcode_after_the_password_is_a_code_not_a_refused_password():
    securid = page('<form method="post" action="/nextcode"><p>Enter your RSA SecurID passcode</p>'
                   '<input type="password" name="Passcode" id="passcode"><input type="submit" value="Submit"></form>')
    with PageServer({"/": page('<form method="post" action="/login"><input name="user">'
                               '<input type="password" name="password"></form>'),
                     "/login": securid, "/nextcode": aws_form("UlNB")}) as server:
        assert sign_in(server, "/", get_code=lambda prompt: "12345678") == "UlNB"
        assert server.posts("/nextcode") == [{"Passcode": "12345678"}]


def test_single_page_app_login_needs_javascript():
    spa = page('<div id="okta-sign-in"></div><noscript><p>JavaScript is required.</p></noscript>'
               '<script src="/js/okta-sign-in.min.js"></script>', "Sign In")
    with PageServer({"/app/amazon_aws/exk1/sso/saml": spa}) as server:
        with pytest.raises(errors.LoginFlowError) as info:
            sign_in(server, "/app/amazon_aws/exk1/sso/saml")
        assert "needs JavaScript" in info.value.message and "--provider browser" in info.value.hint
