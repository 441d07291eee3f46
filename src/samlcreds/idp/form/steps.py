"""Which sign-in step an IdP page is, and which of its fields get the user's secrets.

:func:`analyse` is pure: an lxml HTML document and its URL in, a :class:`Step`
out. The order of preference, for a page without JavaScript:

1. a form posting a ``SAMLResponse`` to an AWS sign-in SAML endpoint (the end);
2. a login form with a visible password field (hidden "honeypot" password
   inputs are ignored), a one-time-code form, a factor-choice form, an
   identifier-only form whose input looks like a user name (never a search form);
3. a ``<meta http-equiv=refresh>``, a one-line script redirect, or the one link a
   page without forms shows in ``<noscript>``;
4. a form without visible user input (hidden inputs and at most a button),
   including a ``SAMLResponse`` posted anywhere but AWS (one step of an IdP chain).

A chosen form whose password or code field has no name, or whose action is
``javascript:``, is a page that needs JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from samlcreds import aws
from samlcreds.idp.form import factors
from samlcreds.idp.form.pages import (BUTTON_TYPES, TEXT_TYPES, Target, describe, form_target, input_type,
                                      is_disabled, is_hidden, meta_refresh, noscript_link, script_redirect,
                                      submitters)

SAML = "saml"
PASSWORD = "password"
CODE = "code"
CHOICE = "choice"
USERNAME = "username"
REDIRECT = "redirect"
AUTO = "auto"
NEEDS_JS = "needs-js"
NONE = "none"

_USERNAME_HINT = re.compile(r"user|login|e-?mail|\bname\b|ident|account|principal|\bupn\b|\buid\b|"
                            r"benutzer|utilisateur", re.I)
_PASSWORD_HINT = re.compile(r"passw|pwd|kennwort|mot de passe|contrase|senha", re.I)
#: Words that make an input a one-time code field (tested on its name, id, autocomplete and label).
_CODE_STRONG = re.compile(
    r"(?<![a-z])(?:otp|totp|hotp|one[ _-]?time|passcode|pass[ _-]code|tokencode|token[ _-]?code|mfa|2fa|"
    r"two[ _-]?factor|second[ _-]?factor|verification|verify|securid|authenticator|auth[ _-]?code)", re.I)
_CODE_WEAK = re.compile(r"(?<![a-z])(?:code|token|pin)(?![a-z])|(?<=[a-z])(?:code|pin)(?![a-z])", re.I)
_SEARCH_WORD = re.compile(r"search|recherche|suche", re.I)
_SEARCH_NAME = re.compile(r"q|query|s|find|keywords?|terms?", re.I)


@dataclass
class Step:
    """One page's sign-in step.

    ``kind``: one of the module constants. ``form``/``target``: the form to
    submit and where. ``username``/``password``/``code``: the input elements
    that get those values (``None`` when absent). ``submitter``: the button
    to click. ``choice``: for factor-choice pages, the control to pick and its
    value (``None`` when no option lets the user type a code) and
    ``offers``, the page's factor labels. ``url``: the redirect target;
    ``saml_response``: the value at the end; ``reason``: why JavaScript is needed.
    """

    kind: str
    form: object = None
    target: Target | None = None
    submitter: object = None
    username: object = None
    password: object = None
    code: object = None
    choice: factors.Pick | None = None
    offers: tuple[str, ...] = ()
    url: str | None = None
    saml_response: str | None = None
    saml_destination: str | None = None
    reason: str = ""
    extra_passwords: int = field(default=0)


def analyse(doc, page_url: str, *, expect_code: bool = False) -> Step:
    """The sign-in step ``doc`` (served at ``page_url``) is; see the module docstring.

    ``expect_code``: a password was sent or a code factor chosen, so a field
    named only ``code``, ``token`` or ``pin`` (or a numeric input) is a
    one-time-code field; before that only unambiguous names count.
    """
    forms = list(doc.iter("form"))
    chain = None
    for form in forms:
        saml = _saml_value(form)
        if saml is not None:
            target = form_target(form, page_url)
            if aws.parse_signin_url(target.url) is not None:
                return Step(SAML, form=form, target=target, saml_response=saml)
            chain = chain or (form, target)
    for form in forms:
        step = _password_step(form, page_url)
        if step is not None:
            return _needs_js(step)
    for form in forms:
        step = _code_step(form, page_url, expect_code)
        if step is not None:
            return _needs_js(step)
    for form in forms:
        pick = factors.factor_choice(form)
        if pick is not None:
            return _needs_js(Step(CHOICE, form=form, target=form_target(form, page_url, pick.submitter),
                                  submitter=pick.submitter, choice=pick, offers=pick.offers))
    for form in forms:
        user = username_input(form)
        if user is not None and not is_search_form(form) and not _visible_of_type(form, {"password"}):
            submitter = factors.default_submitter(form)
            return _needs_js(Step(USERNAME, form=form, target=form_target(form, page_url, submitter),
                                  submitter=submitter, username=user))
    redirect = meta_refresh(doc, page_url) or script_redirect(doc, page_url) or noscript_link(doc, page_url)
    if redirect is not None:
        return Step(REDIRECT, url=redirect)
    if chain is not None:
        form, target = chain
        return _needs_js(Step(AUTO, form=form, target=target, submitter=factors.default_submitter(form),
                              saml_destination=target.url))
    for form in forms:
        if is_auto_form(form):
            submitter = factors.default_submitter(form)
            return _needs_js(Step(AUTO, form=form, target=form_target(form, page_url, submitter),
                                  submitter=submitter))
    return Step(NONE)


def _saml_value(form) -> str | None:
    for el in form.iter("input"):
        if el.get("name") == "SAMLResponse" and (el.get("value") or "").strip() and not is_disabled(el):
            return el.get("value").strip()
    return None


def _needs_js(step: Step) -> Step:
    if step.target is not None and step.target.javascript:
        return Step(NEEDS_JS, form=step.form, reason="its form's action is a javascript: URL")
    for what in ("password", "code", "username"):
        el = getattr(step, what)
        if el is not None and not el.get("name"):
            label = "one-time code" if what == "code" else what.replace("username", "user name")
            return Step(NEEDS_JS, form=step.form, reason=f"its {label} field has no name")
    return step


def _visible(form) -> list:
    from samlcreds.idp.form.pages import controls

    return [el for el in controls(form) if not is_hidden(el) and not is_disabled(el)]


def _visible_of_type(form, types: set[str]) -> list:
    return [el for el in _visible(form) if input_type(el) in types]


def is_code_input(el, *, expect_code: bool) -> bool:
    """An input for a one-time code: ``autocomplete=one-time-code``, a code-like name, id or label
    (otp, totp, passcode, verification, mfa, 2fa...), or, when a code is expected, ``code``/``token``/
    ``pin`` or ``inputmode=numeric``. A password-type field counts only by name or label (RSA SecurID)."""
    kind = input_type(el)
    if kind not in TEXT_TYPES | {"password"}:
        return False
    words = describe(el)
    if kind == "email" or (el.get("autocomplete") or "").strip().lower() in ("username", "email"):
        return False
    if kind == "password" and _PASSWORD_HINT.search(words) and not _CODE_STRONG.search(words):
        return False
    if (el.get("autocomplete") or "").strip().lower() == "one-time-code" or _CODE_STRONG.search(words):
        return True
    if expect_code or kind == "password":
        if _CODE_WEAK.search(words):
            return True
        return expect_code and kind != "password" and (el.get("inputmode") or "").strip().lower() == "numeric"
    return False


def username_input(form, *, only_one: bool = False):
    """The visible text input that looks like a user name (by name, id, autocomplete, type or label),
    never a code field or a search box; ``None`` if there is none. ``only_one``: a lone text input
    without such hints counts too (beside a password field, it can only be the user name)."""
    candidates = [el for el in _visible(form) if input_type(el) in ("text", "email", "tel")
                  and not is_code_input(el, expect_code=False) and not _is_search_name(el)]
    for el in candidates:
        if input_type(el) == "email" or (el.get("autocomplete") or "").strip().lower() in ("username", "email") \
                or _USERNAME_HINT.search(describe(el)):
            return el
    return candidates[0] if only_one and len(candidates) == 1 else None


def is_search_form(form) -> bool:
    """A search box: ``role=search``, an ``input type=search``, or a search-like action, name, id or class."""
    if (form.get("role") or "").lower() == "search" or any(input_type(el) == "search" for el in _visible(form)):
        return True
    words = " ".join(filter(None, (form.get("action"), form.get("id"), form.get("name"), form.get("class"))))
    if _SEARCH_WORD.search(words):
        return True
    return any(_is_search_name(el) for el in _visible(form) if input_type(el) in TEXT_TYPES)


def _is_search_name(el) -> bool:
    name = (el.get("name") or "").strip()
    return bool(_SEARCH_NAME.fullmatch(name) or _SEARCH_WORD.search(name + " " + (el.get("id") or "")))


def _password_step(form, page_url: str) -> Step | None:
    passwords = [el for el in _visible_of_type(form, {"password"}) if not is_code_input(el, expect_code=False)]
    if not passwords:
        return None
    submitter = factors.default_submitter(form)
    return Step(PASSWORD, form=form, target=form_target(form, page_url, submitter), submitter=submitter,
                username=username_input(form, only_one=True), password=passwords[0],
                extra_passwords=len(passwords) - 1)


def _code_step(form, page_url: str, expect_code: bool) -> Step | None:
    codes = [el for el in _visible(form) if is_code_input(el, expect_code=expect_code)]
    if not codes:
        return None
    submitter = factors.default_submitter(form)
    return Step(CODE, form=form, target=form_target(form, page_url, submitter), submitter=submitter,
                code=codes[0], username=username_input(form))


def is_auto_form(form) -> bool:
    """A form with no visible user input: hidden inputs and at most one button, with at least one
    hidden input or a named button (a "continue" page a browser's script would submit)."""
    visible = _visible(form)
    if any(input_type(el) not in BUTTON_TYPES for el in visible):
        return False
    buttons = [el for el in visible if input_type(el) in ("submit", "image")]
    if len(buttons) > 1 or (buttons and factors.is_avoided(buttons[0])):
        return False
    hidden = [el for el in form.iter("input") if input_type(el) == "hidden" and el.get("name")]
    return bool(hidden) or any(el.get("name") for el in submitters(form))
