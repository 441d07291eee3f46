"""The form provider's page analysis on small synthetic pages: what a browser would submit, and which
sign-in step each page shape is (pure functions, no network)."""

from __future__ import annotations

import lxml.html
import pytest

from samlcreds.idp.form import factors, pages, steps

URL = "https://idp.example.com/login?x=1"


def doc(body: str):
    return lxml.html.document_fromstring(f"<html><head></head><body>{body}</body></html>", base_url=URL)


def form_of(body: str):
    return next(doc(body).iter("form"))


def analyse(body: str, **kwargs) -> steps.Step:
    return steps.analyse(doc(body), URL, **kwargs)


# --- what is submitted -------------------------------------------------------------------------

def test_inputs_without_value_are_submitted_as_empty_strings():
    # Shibboleth IdP v4+: the local-storage page's _eventId_proceed has no value attribute
    form = form_of('<form method="post"><input type="hidden" name="shib_idp_ls_exception.shib_idp_session_ss">'
                   '<input type="hidden" name="_eventId_proceed"><input name="plain"></form>')
    assert pages.entry_list(form) == [("shib_idp_ls_exception.shib_idp_session_ss", ""),
                                      ("_eventId_proceed", ""), ("plain", "")]


def test_disabled_inputs_and_disabled_fieldsets_are_not_submitted():
    form = form_of('<form><input name="a" value="1" disabled><input name="b" value="2">'
                   '<fieldset disabled><legend><input name="in_legend" value="3"></legend>'
                   '<input name="c" value="4"></fieldset><select name="s" disabled><option>x</option></select>'
                   '</form>')
    assert pages.entry_list(form) == [("b", "2"), ("in_legend", "3")]


def test_only_the_clicked_submit_button_is_submitted():
    form = form_of('<form><input name="u" value="me"><button name="action" value="cancel">Cancel</button>'
                   '<input type="submit" name="action" value="login"><input type="image" name="img"></form>')
    buttons = pages.submitters(form)
    assert pages.entry_list(form, buttons[1]) == [("u", "me"), ("action", "login")]
    assert pages.entry_list(form, buttons[2]) == [("u", "me"), ("img.x", "0"), ("img.y", "0")]
    assert pages.entry_list(form) == [("u", "me")]


def test_checkboxes_and_radios_only_when_checked():
    form = form_of('<form><input type="checkbox" name="remember"><input type="checkbox" name="agree" checked>'
                   '<input type="radio" name="f" value="push"><input type="radio" name="f" value="otp" checked>'
                   '</form>')
    assert pages.entry_list(form) == [("agree", "on"), ("f", "otp")]
    push, otp = form.xpath(".//input[@name='f']")
    assert pages.entry_list(form, values={push: True, otp: False}) == [("agree", "on"), ("f", "push")]


def test_attribute_values_are_case_insensitive():
    form = form_of('<form METHOD="POST" action="/next"><INPUT TYPE="HIDDEN" NAME="RelayState" VALUE="r">'
                   '<input type="Submit" name="go" value="Go"></form>')
    assert pages.input_type(form.xpath(".//input")[0]) == "hidden"
    assert pages.form_target(form, URL) == pages.Target("https://idp.example.com/next", "POST")
    assert steps.is_auto_form(form)


def test_selects_textareas_and_unknown_types():
    form = form_of('<form><select name="d"><option value="a">A</option><option selected>B b</option></select>'
                   '<select name="e"><option value="first">1</option></select><textarea name="t">hi</textarea>'
                   '<input type="fancy" name="f" value="v"></form>')
    assert pages.entry_list(form) == [("d", "B b"), ("e", "first"), ("t", "hi"), ("f", "v")]
    assert pages.input_type(form.xpath(".//input")[0]) == "text"


def test_controls_outside_the_form_with_a_form_attribute():
    page = doc('<form id="f1" action="/a"><input name="a" value="1"></form><input form="f1" name="b" value="2">')
    assert pages.entry_list(next(page.iter("form"))) == [("a", "1"), ("b", "2")]


def test_form_target_defaults_and_submitter_overrides():
    form = form_of('<form><button formaction="/other" formmethod="post" name="b">Go</button></form>')
    assert pages.form_target(form, URL) == pages.Target("https://idp.example.com/login?x=1", "GET")
    button = pages.submitters(form)[0]
    assert pages.form_target(form, URL, button) == pages.Target("https://idp.example.com/other", "POST")
    assert pages.form_target(form_of('<form action="javascript:void(0)"></form>'), URL).javascript


# --- redirects --------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, expected", [
    ("0; url=/next", "https://idp.example.com/next"),
    ("0;URL='https://other.example/x?a=1'", "https://other.example/x?a=1"),
    ("5 ; url = step2", "https://idp.example.com/step2"),
    ("1800; url=/timeout", None),  # a session-timeout reload, not a redirect
    ("30", None),
])
def test_meta_refresh(content, expected):
    page = doc("")
    page.find("head").append(lxml.html.fragment_fromstring(f'<meta http-equiv="Refresh" content="{content}">'))
    assert pages.meta_refresh(page, URL) == expected


@pytest.mark.parametrize("script, expected", [
    ("window.location = '/sso/next';", "https://idp.example.com/sso/next"),
    ('location.href="https://idp.example.com/a?b=1&c=2"', "https://idp.example.com/a?b=1&c=2"),
    ("document.location.href = 'https:\\/\\/idp.example.com\\/x\\x3Fy=1';", "https://idp.example.com/x?y=1"),
    ("window.location.replace('/r');", "https://idp.example.com/r"),
    ("top.location.assign(\"/t\")", "https://idp.example.com/t"),
    ("if (a) { window.location = '/x'; }", None),  # not one statement
    ("var x = 1; window.location = '/x';", None),
    ("window.location = 'javascript:alert(1)'", None),
])
def test_script_redirect(script, expected):
    page = doc(f"<script>{script}</script>")
    assert pages.script_redirect(page, URL) == expected


def test_meta_refresh_page_is_a_redirect_step():
    page = lxml.html.document_fromstring('<html><head><meta http-equiv="refresh" content="0;url=/go"></head>'
                                         '<body>Redirecting</body></html>', base_url=URL)
    step = steps.analyse(page, URL)
    assert (step.kind, step.url) == (steps.REDIRECT, "https://idp.example.com/go")


# --- the SAMLResponse -------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["https://signin.aws.amazon.com/saml", "https://us-west-2.signin.aws.amazon.com/saml",
                                    "https://signin.amazonaws-us-gov.com/saml", "https://signin.amazonaws.cn/saml"])
def test_saml_response_posted_to_aws_ends_the_flow(action):
    step = analyse(f'<form method="post" action="{action}"><input type="hidden" name="SAMLResponse" value="QUJD">'
                   '<input type="hidden" name="RelayState" value=""></form>')
    assert (step.kind, step.saml_response) == (steps.SAML, "QUJD")


@pytest.mark.parametrize("action", ["https://keycloak.example.com/realms/x/broker/adfs/endpoint",
                                    "http://signin.aws.amazon.com/saml", "https://signin.aws.amazon.com.evil.example/saml"])
def test_saml_response_posted_elsewhere_is_a_chain_step(action):
    step = analyse(f'<form method="POST" action="{action}"><input type="hidden" name="SAMLResponse" value="QUJD">'
                   '<noscript><input type="submit" value="Continue"></noscript></form>')
    assert step.kind == steps.AUTO
    assert step.saml_destination == action


def test_aws_form_wins_over_broker_form():
    step = analyse('<form action="https://broker.example/acs"><input type="hidden" name="SAMLResponse" value="B"></form>'
                   '<form method="post" action="https://signin.aws.amazon.com/saml">'
                   '<input type="hidden" name="SAMLResponse" value="A"></form>')
    assert step.saml_response == "A"


# --- choosing the login form -----------------------------------------------------------------------

def test_password_form_beats_a_search_form_that_comes_first():
    step = analyse('<form action="/search" role="search"><input type="search" name="q"><button>Go</button></form>'
                   '<form method="post" action="/login"><input name="username"><input type="password" name="pw">'
                   '<button type="submit">Sign in</button></form>')
    assert step.kind == steps.PASSWORD
    assert (step.username.get("name"), step.password.get("name")) == ("username", "pw")
    assert step.target.url == "https://idp.example.com/login"


def test_identifier_form_beats_a_search_form_that_comes_first():
    step = analyse('<form action="/find"><input name="q" placeholder="Search the site"></form>'
                   '<form method="post" action="/id"><input name="loginfmt" type="email"><input type="submit" '
                   'value="Next"></form>')
    assert (step.kind, step.username.get("name")) == (steps.USERNAME, "loginfmt")


def test_a_search_form_alone_is_no_login_form():
    assert analyse('<form action="/s"><input name="q"><input type="submit" value="Search"></form>').kind == steps.NONE
    assert analyse('<form role="search"><input name="user_query"></form>').kind == steps.NONE


@pytest.mark.parametrize("honeypot", [
    '<input type="password" name="passwd" hidden>',
    '<input type="password" name="passwd" aria-hidden="true">',
    '<input type="password" name="passwd" style="color:red; DISPLAY: none">',
    '<div style="display:none"><input type="password" name="passwd"></div>',
    '<div hidden><span><input type="password" name="passwd"></span></div>',
])
def test_hidden_honeypot_password_at_an_identifier_step_is_ignored(honeypot):
    step = analyse(f'<form method="post" action="/id"><input name="login" type="text">{honeypot}'
                   '<input type="submit" value="Next"></form>')
    assert step.kind == steps.USERNAME
    assert step.password is None
    assert step.username.get("name") == "login"


def test_nameless_password_field_needs_javascript():
    step = analyse('<form><input name="user"><input type="password" id="pw"></form>')
    assert step.kind == steps.NEEDS_JS
    assert step.reason == "its password field has no name"


def test_javascript_action_needs_javascript():
    step = analyse('<form action="javascript:login()"><input name="user"><input type="password" name="pw"></form>')
    assert (step.kind, step.reason) == (steps.NEEDS_JS, "its form's action is a javascript: URL")


def test_two_visible_password_fields_are_counted():
    step = analyse('<form><input type="password" name="new"><input type="password" name="confirm"></form>')
    assert (step.kind, step.extra_passwords) == (steps.PASSWORD, 1)


def test_hidden_only_form_with_a_named_button_is_auto_submitted():
    step = analyse('<form method="post" action="/profile?execution=e1s1">'
                   '<button type="submit" name="_eventId_proceed">Continue</button></form>')
    assert step.kind == steps.AUTO
    assert pages.entry_list(step.form, step.submitter) == [("_eventId_proceed", "")]


def test_forms_with_visible_input_or_two_buttons_are_not_auto_submitted():
    assert not steps.is_auto_form(form_of('<form><input type="hidden" name="a"><input type="checkbox" name="c">'
                                          '</form>'))
    assert not steps.is_auto_form(form_of('<form><input type="hidden" name="a"><button>Accept</button>'
                                          '<button>Reject</button></form>'))
    assert not steps.is_auto_form(form_of('<form action="/logout"><input type="hidden" name="t">'
                                          '<button>Sign out</button></form>'))


# --- one-time codes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("field", [
    '<input name="code" autocomplete="one-time-code">',           # LemonLDAP::NG
    '<input name="otp" id="otp" type="text">',                    # Keycloak
    '<input name="totpPin" type="tel">',                          # Google
    '<input name="passcode" type="password">',                     # RSA SecurID
    '<input name="j_token" inputmode="numeric">',
    '<input id="verificationCode" name="vc">',
    '<input name="mfa_answer">',
    '<input name="x1"><label for="x1">2FA</label>'.replace("<input", '<input id="x1"', 1),
    '<label>Enter your PIN <input name="Pin"></label>',
    '<input name="f" inputmode="numeric">',
])
def test_code_fields_after_the_password(field):
    step = analyse(f'<form method="post" action="/mfa">{field}<button type="submit">Verify</button></form>',
                   expect_code=True)
    assert step.kind == steps.CODE, field
    assert step.username is None


def test_weak_code_hints_do_not_count_before_the_password():
    assert analyse('<form><input name="token"><input type="submit"></form>').kind != steps.CODE
    assert analyse('<form><input name="otp"><input type="submit"></form>').kind == steps.CODE


def test_securid_form_with_user_name_and_passcode_is_a_code_step():
    step = analyse('<form method="post"><input name="username"><input type="password" name="passcode">'
                   '<input type="submit" value="Log on"></form>')
    assert step.kind == steps.CODE
    assert (step.code.get("name"), step.username.get("name")) == ("passcode", "username")


def test_a_code_field_never_gets_the_user_name():
    # one text input named "otp" beside a password: not the user-name field
    step = analyse('<form><input name="otp"><input type="password" name="password"></form>')
    assert step.kind == steps.PASSWORD
    assert step.username is None


def test_code_form_submit_avoids_send_again_buttons():
    step = analyse('<form method="post"><input name="otp"><button name="resend">Send a new code</button>'
                   '<button name="verify">Verify</button></form>', expect_code=True)
    assert step.submitter.get("name") == "verify"


# --- factor choice ------------------------------------------------------------------------------------

def test_factor_choice_picks_the_code_radio_never_push():
    step = analyse('<form method="post" action="/mfa"><input type="hidden" name="state" value="s">'
                   '<label><input type="radio" name="factor" value="push" checked> Duo Push</label>'
                   '<label><input type="radio" name="factor" value="sms"> Text me</label>'
                   '<label><input type="radio" name="factor" value="totp"> Authenticator app code</label>'
                   '<button type="submit">Continue</button></form>')
    assert step.kind == steps.CHOICE and step.choice.found
    assert step.choice.control.get("value") == "totp"
    assert step.offers == ("a push notification", "a text message (SMS)")


def test_factor_choice_buttons_pick_the_code_button():
    step = analyse('<form method="post" action="/2fchoice"><input type="hidden" name="token" value="t">'
                   '<button type="submit" name="sf" value="u"><img alt="u2F"></button>'
                   '<button type="submit" name="sf" value="totp"><h4 trspan="totp2f"></h4></button></form>')
    assert step.kind == steps.CHOICE
    assert pages.entry_list(step.form, step.submitter) == [("token", "t"), ("sf", "totp")]


def test_factor_choice_select_picks_the_code_option():
    step = analyse('<form method="post"><select name="mfamethod"><option value="push">Push</option>'
                   '<option value="call">Phone call</option><option value="otp">Passcode</option></select>'
                   '<input type="submit" value="Next"></form>')
    assert step.kind == steps.CHOICE
    assert (step.choice.control.get("name"), step.choice.value) == ("mfamethod", "otp")


@pytest.mark.parametrize("body, offers", [
    ('<button name="factor" value="Duo Push">Send Me a Push</button><button name="factor" value="Phone Call">'
     'Call Me</button>', ("a push notification", "a phone call")),
    ('<input type="hidden" name="s" value="1"><button>Send Me a Push</button>', ("a push notification",)),
    ('<label><input type="radio" name="m" value="sms" checked>SMS</label>'
     '<label><input type="radio" name="m" value="key">Security key</label><button>Continue</button>',
     ("a text message (SMS)", "a security key")),
    ('<button name="method" value="email">Email me a code</button>', ("an email",)),
])
def test_factor_choice_without_a_code_option_picks_nothing(body, offers):
    step = analyse(f'<form method="post">{body}</form>')
    assert step.kind == steps.CHOICE
    assert not step.choice.found
    assert step.offers == offers


def test_continue_and_submit_buttons_are_no_factors():
    assert factors.factor_choice(form_of('<form><input type="hidden" name="a"><button>Continue</button></form>')) \
        is None
    assert factors.categories("Submit") == set()


def test_identifier_page_with_a_security_key_button_is_an_identifier_step():
    step = analyse('<form method="post"><input name="username"><button name="passkey">Sign in with a passkey'
                   '</button><button name="next">Next</button></form>')
    assert step.kind == steps.USERNAME
    assert step.submitter.get("name") == "next"
