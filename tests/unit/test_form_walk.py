"""The form provider walking synthetic IdP pages served from a real loopback HTTP server:
what is posted where, and the exact error for each refusal."""

from __future__ import annotations

import os
import sys

import pytest

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.form import FormProvider
from samlcreds.idp.form.walk import Walk
from tests.unit.form_server import PageServer, Reply, aws_form, code_form, login_form, page

PASSWORD = "s3cret-pw"
PRINT_CODE = f"{sys.executable} -c \"print('123456'); print('ignored')\""


class Asked:
    """A get_password / get_code stand-in that records its prompts (the user's answers are given)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def login(server: PageServer, path: str = "/", **fields) -> str:
    fields.setdefault("username", "alice")
    fields.setdefault("get_password", lambda prompt: PASSWORD)
    return FormProvider().fetch_saml_response(LoginRequest(url=server.base + path, timeout=10, **fields))


def fails(server: PageServer, kind, message: str, **fields) -> errors.SamlcredsError:
    with pytest.raises(kind) as info:
        login(server, **fields)
    assert info.value.message == message.format(host=f"127.0.0.1:{server.port}")
    return info.value


def test_password_login_posts_the_form_as_a_browser_would():
    extra = ('<input type="hidden" name="AuthState" value="st"><input name="off" value="x" disabled>'
             '<input type="checkbox" name="remember"><INPUT TYPE="HIDDEN" NAME="lang">')
    with PageServer({"/": login_form(extra=extra), "/login": aws_form("QUJD")}) as server:
        assert login(server) == "QUJD"
        assert server.hits[-1].form == [("username", "alice"), ("password", PASSWORD), ("AuthState", "st"),
                                        ("lang", "")]


def test_shibboleth_local_storage_page_with_valueless_inputs_is_submitted_once():
    storage = page('<form method="post" action="/sso?execution=e1s1"><input type="hidden" name="shib_idp_ls_success.'
                   'shib_idp_session_ss"><input type="hidden" name="_eventId_proceed"></form>')
    with PageServer({"/": storage, "/sso": lambda hit: login_form() if hit.method == "POST" else storage,
                     "/login": aws_form()}) as server:
        login(server)
        assert server.posts("/sso") == [{"shib_idp_ls_success.shib_idp_session_ss": "", "_eventId_proceed": ""}]


def test_meta_refresh_and_script_redirects_are_followed():
    routes = {"/": page('<meta http-equiv="refresh" content="0; URL=/js">'),
              "/js": page("<script>window.location.replace('/start?x=1');</script>"),
              "/start": login_form(), "/login": aws_form()}
    with PageServer(routes) as server:
        login(server)
        assert [(h.method, h.path) for h in server.hits] == [("GET", "/"), ("GET", "/js"), ("GET", "/start"),
                                                               ("POST", "/login")]


def test_continue_page_with_only_a_named_button_is_auto_submitted():
    cont = page('<form method="POST" action="/next"><button name="_eventId_proceed">Continue</button></form>')
    with PageServer({"/": login_form(), "/login": cont, "/next": aws_form()}) as server:
        login(server)
        assert server.posts("/next") == [{"_eventId_proceed": ""}]


def test_get_form_replaces_the_action_query():
    form = page('<form action="/go?old=1"><input type="hidden" name="SAMLRequest" value="r"></form>')
    with PageServer({"/": form, "/go": login_form(), "/login": aws_form()}) as server:
        login(server)
        assert server.hits[1].query == [("SAMLRequest", "r")]


def test_a_repeated_page_stops_at_once():
    same = page('<form method="post" action="/"><input type="hidden" name="s" value="1"></form>')
    with PageServer({"/": same}) as server:
        fails(server, errors.LoginFlowError, "the IdP keeps showing the same page ({host}/)")
        assert len(server.posts("/")) == 1


def test_broker_chain_posts_the_first_saml_response_on_and_takes_awss():
    broker = page('<form method="post" action="/broker/endpoint"><input type="hidden" name="SAMLResponse" '
                  'value="Rk9SQlJPS0VS"><input type="hidden" name="RelayState" value="rs"></form>')
    with PageServer({"/": login_form(), "/login": broker, "/broker/endpoint": aws_form("Rk9SQVdT")}) as server:
        assert login(server) == "Rk9SQVdT"
        assert server.posts("/broker/endpoint") == [{"SAMLResponse": "Rk9SQlJPS0VS", "RelayState": "rs"}]


def test_chain_ending_nowhere_names_where_the_saml_response_went():
    broker = page('<form method="post" action="/acs"><input type="hidden" name="SAMLResponse" value="QQ"></form>')
    with PageServer({"/": broker, "/acs": page("<p>Welcome to the wiki</p>")}) as server:
        err = fails(server, errors.LoginFlowError, "the IdP posted its SAMLResponse to {host}, not to AWS, and "
                    "that page (HTTP 200, page title 'IdP') leads nowhere.")
        assert "saml_url" in err.hint


def test_search_form_first_never_gets_the_credentials():
    search = '<form action="/search"><input name="q"><input type="submit" value="Search"></form>'
    with PageServer({"/": page(search + login_form()[len("<!doctype html><html><head><title>IdP</title></head>"
                                                         "<body>"):]), "/login": aws_form()}) as server:
        login(server)
        assert [h.path for h in server.hits] == ["/", "/login"]


def test_honeypot_password_at_identifier_step_gets_nothing():
    ident = page('<form method="post" action="/id"><input name="login" type="email">'
                 '<input type="password" name="passwd" style="display:none"><input type="submit" value="Next"></form>')
    with PageServer({"/": ident, "/id": login_form(), "/login": aws_form()}) as server:
        login(server)
        assert server.posts("/id") == [{"login": "alice", "passwd": ""}]
        assert server.posts("/login")[0]["password"] == PASSWORD


@pytest.mark.parametrize("form, reason", [
    ('<form method="post" action="/login"><input name="user"><input type="password" id="pw"></form>',
     "its password field has no name"),
    ('<form method="post" action="javascript:void(0)"><input name="user"><input type="password" name="pw"></form>',
     "its form's action is a javascript: URL"),
])
def test_pages_needing_javascript_say_so_and_send_nothing(form, reason):
    with PageServer({"/": page(form)}) as server:
        err = fails(server, errors.LoginFlowError, "the page at {host} needs JavaScript: " + reason,
                    get_password=lambda p: pytest.fail("the password was asked for"))
        assert "--provider browser" in err.hint
        assert server.posts("/login") == []


def test_password_over_plain_http_to_a_remote_host_is_refused_before_asking():
    form = login_form(action="http://idp.example.com/login")
    with PageServer({"/": form}) as server:
        err = fails(server, errors.LoginFlowError, "credentials: the IdP's form would send the password over "
                    "plain http to idp.example.com; samlcreds refuses to send it unencrypted",
                    get_password=lambda p: pytest.fail("the password was asked for"))
        assert "--allow-http-idp" in err.hint


def test_password_form_sent_by_get_is_refused_before_asking():
    form = login_form().replace('method="post" ', "")  # no method: HTML's default is GET
    with PageServer({"/": form}) as server:
        err = fails(server, errors.LoginFlowError, "credentials: the IdP's form would send the password in "
                    "the URL (a GET form to {host}); samlcreds refuses to put it where logs keep it",
                    get_password=lambda p: pytest.fail("the password was asked for"))
        assert "--provider browser" in err.hint


def test_refused_code_or_user_name_is_not_a_refused_password():
    """A stored password is deleted only when the password is what the IdP refused (errors.FactorRefused)."""
    assert errors.InvalidCredentials("x").password_refused
    assert not errors.FactorRefused("x").password_refused
    assert isinstance(errors.FactorRefused("x"), errors.InvalidCredentials)  # still exit 3, same family


def test_allow_http_lifts_the_refusal_and_loopback_needs_no_flag():
    walk = Walk(None, LoginRequest(url="https://idp.example.com/", allow_http=True))
    walk.check_destination("http://idp.example.com/login", "password")
    strict = Walk(None, LoginRequest(url="http://127.0.0.1:1/"))
    for url in ("http://127.0.0.1:8080/x", "http://127.3.4.5/", "http://[::1]:9/", "http://localhost/"):
        strict.check_destination(url, "password")
    with pytest.raises(errors.LoginFlowError):
        strict.check_destination("http://10.0.0.1/login", "password")


def test_307_redirect_of_the_password_post_to_plain_http_is_refused():
    moved = Reply("", 307, {"Location": "http://idp.example.com/steal"})
    with PageServer({"/": login_form(), "/login": moved}) as server:
        fails(server, errors.LoginFlowError, "credentials: the IdP's form would send the password or code over "
              "plain http to idp.example.com; samlcreds refuses to send it unencrypted")


def test_password_posted_to_another_host_is_said_once():
    notices: list[str] = []
    with PageServer({}) as server:
        server.routes.update({"/": login_form(action=f"http://localhost:{server.port}/login"),
                              "/login": aws_form()})
        login(server, notify=notices.append)
        assert notices == [f"note: the IdP's login form sends the password to localhost:{server.port}, "
                           "not to 127.0.0.1 (the host of saml_url)"]


def test_refused_password_is_never_sent_again():
    asked = Asked(PASSWORD, "again")
    with PageServer({"/": login_form(), "/login": login_form(extra='<p class="error">Wrong password</p>')}) as server:
        fails(server, errors.InvalidCredentials, "credentials: the IdP at {host} showed its login form again: the "
              "user name or password was refused (the page says: Wrong password)", get_password=asked)
        assert len(server.posts("/login")) == 1
        assert asked.prompts == [f"Password for alice at 127.0.0.1:{server.port}: "]


def test_password_change_page_is_not_filled():
    change = page('<form method="post" action="/login"><input type="password" name="new">'
                  '<input type="password" name="confirm"></form>')
    with PageServer({"/": change}) as server:
        fails(server, errors.LoginFlowError, "the page at {host} asks for 2 passwords (a password change or "
              "confirmation); samlcreds types the password into one field only")


# --- one-time codes ---------------------------------------------------------------------------------

def test_code_from_saml_otp_command():
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": aws_form("T0s=")}) as server:
        assert login(server, otp_command=PRINT_CODE) == "T0s="
        assert server.posts("/mfa") == [{"token": "t1", "code": "123456"}]
        assert server.posts("/login") == [{"username": "alice", "password": PASSWORD}]


def test_code_typed_at_the_terminal_with_prompt_naming_the_idp_host():
    asked = Asked("654321")
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": aws_form()}) as server:
        login(server, get_code=asked)
        assert asked.prompts == [f"One-time code for 127.0.0.1:{server.port}: "]
        assert server.posts("/mfa")[0]["code"] == "654321"


def test_refused_code_is_asked_once_more_then_refused():
    asked = Asked("111111", "222222")
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": code_form()}) as server:
        fails(server, errors.InvalidCredentials, "the one-time code was refused", get_code=asked)
        assert [p["code"] for p in server.posts("/mfa")] == ["111111", "222222"]
        host = f"127.0.0.1:{server.port}"
        assert asked.prompts == [f"One-time code for {host}: ",
                                 f"The one-time code was refused. One-time code for {host}: "]
        assert len(server.posts("/login")) == 1


def test_second_code_accepted():
    tries = []
    with PageServer({"/": login_form(), "/login": code_form(),
                     "/mfa": lambda hit: tries.append(1) or (aws_form("Mg==") if len(tries) == 2 else code_form())}
                    ) as server:
        assert login(server, get_code=Asked("1", "2")) == "Mg=="


def test_refused_code_from_the_command_is_not_retried():
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": code_form()}) as server:
        fails(server, errors.InvalidCredentials, "the one-time code was refused", otp_command=PRINT_CODE)
        assert len(server.posts("/mfa")) == 1


def test_code_then_login_form_means_the_code_was_refused():
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": login_form()}) as server:
        fails(server, errors.InvalidCredentials, "the one-time code was refused: the IdP went back to its login "
              "form", otp_command=PRINT_CODE)
        assert len(server.posts("/login")) == 1


def test_no_code_source_is_interaction_required_naming_the_key():
    with PageServer({"/": login_form(), "/login": code_form()}) as server:
        err = fails(server, errors.InteractionRequired, "the IdP at {host} asks for a one-time code and there is "
                    "no terminal to ask on; set saml_otp_command in the profile (or SAMLCREDS_OTP_COMMAND) to a "
                    "command that prints the code")
        assert err.exit_code == 3
        assert server.posts("/mfa") == []


def test_user_name_and_password_never_go_into_the_code_field():
    with PageServer({"/": login_form(), "/login": code_form(field_html='<input name="otp" type="text">'),
                     "/mfa": aws_form()}) as server:
        login(server, otp_command=PRINT_CODE)
        assert server.posts("/mfa") == [{"token": "t1", "otp": "123456"}]


def test_securid_passcode_field_after_the_password():
    with PageServer({"/": login_form(), "/login": code_form(field_html='<input type="password" name="passcode">'),
                     "/mfa": aws_form()}) as server:
        login(server, get_code=Asked("99887766"))
        assert server.posts("/mfa") == [{"token": "t1", "passcode": "99887766"}]


# --- factor choice ------------------------------------------------------------------------------------

def test_factor_choice_picks_the_code_option_then_fills_the_code():
    choice = page('<form method="post" action="/choose"><input type="hidden" name="token" value="c">'
                  '<button type="submit" name="sf" value="push">Send Me a Push</button>'
                  '<button type="submit" name="sf" value="totp">Enter a code</button></form>')
    weak = code_form(field_html='<input name="token_value" inputmode="numeric">')
    with PageServer({"/": login_form(), "/login": choice, "/choose": weak, "/mfa": aws_form()}) as server:
        login(server, otp_command=PRINT_CODE)
        assert server.posts("/choose") == [{"token": "c", "sf": "totp"}]
        assert server.posts("/mfa")[0]["token_value"] == "123456"


def test_factor_choice_with_only_sending_factors_stops():
    choice = page('<form method="post" action="/choose"><label><input type="radio" name="factor" value="push" checked>'
                  'Duo Push</label><label><input type="radio" name="factor" value="call">Call me</label>'
                  '<button type="submit">Continue</button></form>')
    with PageServer({"/": login_form(), "/login": choice}) as server:
        fails(server, errors.LoginFlowError, "factor choice: this IdP asks for a push notification or a phone call; "
              "use --provider browser")
        assert server.posts("/choose") == []


def test_single_send_push_button_is_never_clicked():
    push = page('<form method="post" action="/push"><input type="hidden" name="tx" value="1">'
                '<button type="submit">Send Me a Push</button></form>')
    with PageServer({"/": login_form(), "/login": push}) as server:
        fails(server, errors.LoginFlowError, "factor choice: this IdP asks for a push notification; "
              "use --provider browser")
        assert server.posts("/push") == []


def test_page_without_forms_that_needs_javascript_says_so():
    spa = page('<div id="app"></div><noscript>You need to enable JavaScript to run this app.</noscript>'
               '<script src="/app.js"></script>')
    with PageServer({"/": spa}) as server:
        err = fails(server, errors.LoginFlowError, "the page at {host} needs JavaScript: it has scripts and no "
                    "form (HTTP 200, page title 'IdP').")
        assert "--provider browser" in err.hint


def test_page_without_any_form_is_a_clear_error():
    with PageServer({"/": page("<p>Welcome</p>")}) as server:
        fails(server, errors.LoginFlowError, "no login form or SAMLResponse was found on the IdP's page "
              "(HTTP 200, page title 'IdP') at {host}.")
    with PageServer({"/": Reply(page("<p>Oops</p>"), 404)}) as server:
        fails(server, errors.LoginFlowError, "the IdP answered with an error page (HTTP 404, page title 'IdP') "
              "at {host}.")


def test_code_then_an_error_page_means_the_code_was_refused():
    # LemonLDAP::NG 2.16: a wrong TOTP code ends the sign-in on an error page whose text JavaScript fills in
    error = page('<div id="errorcontent"><div class="message message-negative alert" role="alert">'
                 '<span trmsg="96"></span></div><a href="/?cancel=1">Go to portal</a></div>')
    with PageServer({"/": login_form(), "/login": code_form(), "/mfa": error}) as server:
        fails(server, errors.InvalidCredentials, "the one-time code was refused: the IdP answered it with an error "
              "page that ends the sign-in", get_code=Asked("1", "2"))
        assert len(server.posts("/mfa")) == 1


def test_debug_copy_of_an_unusable_page_has_values_removed(tmp_path):
    secret_page = page('<div><input type="hidden" name="AuthState" value="very-secret-state">'
                       '<input name="x" value=\'y\'></div>')
    with PageServer({"/": secret_page}) as server:
        err = fails(server, errors.LoginFlowError, "no login form or SAMLResponse was found on the IdP's page "
                    f"(HTTP 200, page title 'IdP') at {{host}}. The page was saved (secrets removed) to "
                    f"{tmp_path / 'debug'}/idp-page-{os.getpid()}.html.", debug_dir=tmp_path / "debug")
    saved = next((tmp_path / "debug").iterdir())
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    text = saved.read_text()
    assert "very-secret-state" not in text and 'value="[removed]"' in text
    assert err.hint.startswith("The IdP may need JavaScript")


def test_cookies_are_kept_between_sign_ins(tmp_path):
    signed_in = Reply(aws_form(), headers={"Set-Cookie": "idp_session=abc; Path=/; Max-Age=3600"})
    with PageServer({"/": lambda hit: aws_form() if "idp_session=abc" in hit.cookie else login_form(),
                     "/login": signed_in}) as server:
        login(server, state_dir=tmp_path / "sessions")
        login(server, state_dir=tmp_path / "sessions", get_password=lambda p: pytest.fail("asked again"))
        assert len(server.posts("/login")) == 1
        jar = next((tmp_path / "sessions").iterdir())
        assert oct(jar.stat().st_mode & 0o777) == "0o600"


def test_refused_user_name_at_an_identifier_step():
    ident = page('<form method="post" action="/id"><input name="email" type="email"><button>Next</button></form>')
    with PageServer({"/": ident, "/id": ident.replace("<form", '<p class="error">No such account</p><form')}) as server:
        fails(server, errors.InvalidCredentials, "credentials: the IdP at {host} asked for the user name again: the "
              "user name was refused (the page says: No such account)")
        assert server.posts("/id") == [{"email": "alice"}]


def test_where_a_secret_may_go_one_rule_for_every_provider():
    """LoginRequest.secret_may_go_to: the rule the form, ECP and browser auto-fill providers share."""
    strict, lab = LoginRequest(), LoginRequest(allow_http=True)
    for url in ("https://idp.example.com/login", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x"):
        assert strict.secret_may_go_to(url), url
    for url in ("http://idp.example.com/login", "about:blank", "data:text/html,x", "file:///tmp/x", "ftp://h/x"):
        assert not strict.secret_may_go_to(url), url
    assert lab.secret_may_go_to("http://idp.example.com/login")
    assert not lab.secret_may_go_to("about:blank") and not lab.secret_may_go_to("javascript:alert(1)")


def test_host_of_never_shows_user_info():
    from samlcreds.idp.web import host_of

    assert host_of("https://me:hunter2@idp.example:8443/sso") == "idp.example:8443"
    assert host_of("https://idp.example/sso") == "idp.example"


def test_a_later_page_on_a_host_that_cannot_be_reached_does_not_blame_the_sign_in_url():
    with PageServer({"/": Reply("", 302, {"Location": "http://127.0.0.1:9/next"})}) as server:
        error = fails(server, errors.IdpUnreachable, "could not connect to the IdP at 127.0.0.1:9")
    assert error.hint == ("The IdP's pages lead on from saml_url to 127.0.0.1:9; check the network and proxy "
                          "settings (HTTPS_PROXY).")


@pytest.mark.parametrize("route", [
    {"/": Reply("", 302, {"Location": "http://[::1/x"})},
    {"/": '<html><head><meta http-equiv="refresh" content="0; url=http://[::1/x"></head><body></body></html>'},
])
def test_an_address_that_does_not_parse_on_the_idps_pages_is_a_login_flow_error(route):
    with PageServer(route) as server:
        fails(server, errors.LoginFlowError, "the IdP's page leads to an address that does not parse")


def test_a_redirect_to_another_scheme_names_the_redirects_scheme():
    with PageServer({"/": Reply("", 302, {"Location": "file:///etc/passwd"})}) as server:
        fails(server, errors.LoginFlowError, "the IdP's page leads to file:, which is not a web address")


@pytest.mark.parametrize("url", ["https://bücher.example/sso", "http://[fe80::1%eth0]:80/sso"])
def test_a_failure_at_the_sign_in_url_itself_blames_it_however_its_host_is_written(url):
    import requests

    from samlcreds.idp.web import request_failed

    failed = requests.Session().prepare_request(requests.Request("GET", url))
    error = request_failed(requests.exceptions.ConnectionError(request=failed), url, 30, "--url", url)
    assert error.hint == "Check the URL (--url), the network and proxy settings (HTTPS_PROXY)."
