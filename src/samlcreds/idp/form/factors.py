"""Second-factor choice pages and which button to click.

A factor-choice page lets the user pick how to prove it is them: a push to a
phone app, a text message, a call, an email, a security key, or a code from an
authenticator app or token. Picking any of the first five makes the IdP send
something (or wait for a device) by itself, which the user did not ask for;
samlcreds only ever picks an option that lets the user type a code. Pure
functions over lxml HTML forms.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from samlcreds.idp.form.pages import TEXT_TYPES, controls, input_type, is_disabled, is_hidden, label_text

#: category -> (pattern on an option's words, how the error message names it). Order matters for wording.
CATEGORIES = {
    "push": (re.compile(r"push|notification|duo mobile", re.I), "a push notification"),
    "sms": (re.compile(r"(?<![a-z])(?:sms|text(?:\s*me|\s*message)?|txt)(?![a-z])", re.I), "a text message (SMS)"),
    "call": (re.compile(r"(?<![a-z])(?:call|voice|phone)(?![a-z])", re.I), "a phone call"),
    "email": (re.compile(r"e-?mail|(?<![a-z])mail(?![a-z])", re.I), "an email"),
    "key": (re.compile(r"security[ _-]?key|webauthn|fido|u2f|yubikey|passkey|windows hello|biometric|"
                       r"touch ?id|face ?id", re.I), "a security key"),
    "code": (re.compile(r"code|otp|authenticator|token|one[ _-]?time|verification|(?<![a-z])pin(?![a-z])", re.I),
             "a one-time code"),
}
#: Factors that make the IdP send something or wait on a device as soon as they are picked.
SENDING = ("push", "sms", "call", "email", "key")
_AVOID = re.compile(r"(?<![a-z])(?:cancel|back|log ?out|sign ?out|abort|forgot|reset|register|sign ?up|"
                    r"create|another|different|send|resend)(?![a-z])", re.I)


class Pick(NamedTuple):
    """What to do on a factor-choice page.

    ``control``: the radio input or ``select`` to set (``None`` for a button
    choice) and ``value`` (the ``select``'s option value); ``submitter``: the
    button to click; ``found``: whether a code option exists. ``offers``: how
    the page's options are named in messages ("a push notification", ...).
    """

    control: object
    value: str | None
    submitter: object
    found: bool
    offers: tuple[str, ...]


def categories(words: str) -> set[str]:
    """The factor categories an option's words name (empty for "Continue", "Submit"...)."""
    return {name for name, (pattern, _) in CATEGORIES.items() if pattern.search(words)}


def is_code_option(found: set[str]) -> bool:
    """An option that lets the user type a code and sends nothing by itself."""
    return "code" in found and not found.intersection(SENDING)


def is_avoided(button) -> bool:
    """A button a sign-in must not click: it picks a sending factor, cancels, goes back, resets, signs
    out or starts something else ("Send me a push", "Cancel", "Forgot password?", "Try another way")."""
    words = label_text(button) + " " + (button.get("name") or "")
    return bool(_AVOID.search(words) or categories(words).intersection(SENDING))


def default_submitter(form):
    """The button a person signing in would press: the first submit button not :func:`is_avoided`
    (a browser's default button is the first one; ``None`` when every button is avoided)."""
    for el in controls(form):
        if input_type(el) in ("submit", "image") and not is_disabled(el) and not is_avoided(el):
            return el
    return None


def factor_choice(form) -> Pick | None:
    """The :class:`Pick` for a factor-choice form, or ``None`` when ``form`` is not one.

    A factor-choice form has no visible text or password input and offers
    options (radio buttons, a ``select``, or submit buttons) of which at
    least one names a second factor (push, SMS, call, email, security key,
    code). The pick is the first code option (see :func:`is_code_option`);
    without one, ``found`` is False and nothing may be submitted.
    """
    visible = [el for el in controls(form) if not is_hidden(el) and not is_disabled(el)]
    if any(input_type(el) in TEXT_TYPES | {"password", "textarea"} for el in visible):
        return None
    options: list[tuple[object, str | None, object, set[str]]] = []  # (control, value, submitter, categories)
    for el in visible:
        kind = input_type(el)
        if kind == "radio":
            words = label_text(el) + " " + (el.get("value") or "")
            options.append((el, None, None, categories(words)))
        elif kind == "select":
            for option in el.iter("option"):
                if option.get("disabled") is None:
                    words = " ".join(option.itertext()) + " " + (option.get("value") or "")
                    options.append((el, option.get("value") if option.get("value") is not None
                                    else " ".join(" ".join(option.itertext()).split()), None, categories(words)))
        elif kind in ("submit", "image"):
            words = label_text(el) + " " + (el.get("name") or "")
            options.append((None, None, el, categories(words)))
    if not any(found for *_, found in options):
        return None
    offers: list[str] = []
    for name, (_, phrase) in CATEGORIES.items():
        if name != "code" and any(name in found for *_, found in options) and phrase not in offers:
            offers.append(phrase)
    for control, value, submitter, found in options:
        if is_code_option(found):
            if submitter is None:
                submitter = default_submitter(form)
            return Pick(control, value, submitter, True, tuple(offers))
    return Pick(None, None, None, False, tuple(offers) or ("a second factor samlcreds cannot use",))
