"""Parsers of setting values (text from a flag, variable or profile key -> typed value), and the rules
they check: each raises :class:`~samlcreds.errors.UsageError` for a bad value, and
:func:`samlcreds.config.resolve` adds where the value came from."""

from __future__ import annotations

import math
from typing import Any

from samlcreds import errors
from samlcreds.aws import MAX_DURATION, MIN_DURATION


def parse_text(value: str) -> str:
    """Text settings are taken as they are."""
    return value


def parse_timeout(value: Any) -> float:
    """A positive, finite number of seconds (``float``); :class:`~samlcreds.errors.UsageError` otherwise."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise errors.UsageError(f"timeout {value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise errors.UsageError(f"timeout {value!r} must be a positive number of seconds")
    return seconds


def parse_duration(value: Any) -> int:
    """DurationSeconds, a whole number MIN_DURATION-MAX_DURATION (STS API reference, AssumeRoleWithSAML)."""
    try:
        seconds = int(str(value).strip())
    except ValueError:
        raise errors.UsageError(
            f"duration {value!r} is not a whole number of seconds",
            hint=f"Use a number from {MIN_DURATION} to {MAX_DURATION} (e.g. 3600 for one hour).",
        ) from None
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise errors.UsageError(
            f"duration {seconds} is outside AWS's range {MIN_DURATION}-{MAX_DURATION} seconds",
            hint="Use --duration 3600 for one hour; the role's MaxSessionDuration may be lower.",
        )
    return seconds


def parse_url(value: Any) -> str | None:
    """An IdP sign-in URL: absolute ``http://`` or ``https://`` with a host (RFC 3986), returned without
    the spaces around it (``None`` for empty text).

    Raises :class:`~samlcreds.errors.UsageError` for anything else: a URL that
    does not parse (an unclosed ``[`` of an IPv6 address, a port that is not a
    number), another scheme, no scheme or no host. The message does not repeat
    the URL (it may hold ``user:password@``).
    """
    import urllib.parse

    text = str(value).strip()
    if not text:
        return None
    example = "Use the full address of the IdP's sign-in page, e.g. https://idp.example.com/sso."
    if any(c.isspace() or not c.isprintable() for c in text):  # urllib drops tabs and newlines unseen
        raise errors.UsageError("the sign-in URL has a space or a control character in it", hint=example)
    # CPython's own words for these may quote a part of the URL (a password, for a ':' in it without '@' after)
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        raise errors.UsageError("the sign-in URL does not parse: a '[' or ']' is out of place in its host",
                                hint=example) from None
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        raise errors.UsageError("the sign-in URL does not parse: its port is not a number from 0 to 65535",
                                hint=example + " A user name or password does not belong in it.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"starts with {parts.scheme}: instead of https://" if scheme and parts.netloc else \
            "does not start with https:// (or http://)"
        raise errors.UsageError(f"the sign-in URL {what}", hint=example)
    if not parts.hostname:
        raise errors.UsageError("the sign-in URL has no host", hint=example)
    return text


#: ``saml_browser_driver`` values: the browser with no driver attached (the default), or driven by Playwright.
BROWSER_DRIVERS = ("native", "playwright")


def parse_browser_driver(value: Any) -> str | None:
    """``native`` or ``playwright`` (any case, spaces around ignored); ``None`` for empty text.

    Raises :class:`~samlcreds.errors.UsageError` for any other value.
    """
    word = str(value).strip().lower()
    if not word:
        return None
    if word not in BROWSER_DRIVERS:
        raise errors.UsageError(f"unknown browser driver {str(value).strip()!r}",
                                hint=f"Use one of: {', '.join(BROWSER_DRIVERS)}.")
    return word


def browser_driver_for(driver: str | None, autofill: bool) -> str:
    """The driver a browser sign-in uses: ``driver`` (a parsed ``saml_browser_driver``), else
    ``playwright`` with auto-fill, else ``native``.

    Raises :class:`~samlcreds.errors.UsageError` for auto-fill with ``native``
    (filling a form needs a driver); ``login`` meets it at the sign-in, ``configure`` before saving.
    """
    if autofill and driver == "native":
        raise errors.UsageError(
            "auto-fill (--autofill / saml_autofill) needs the Playwright driver, but the browser driver "
            "(--browser-driver / saml_browser_driver) is native",
            hint="Drop --autofill to sign in yourself in the browser window, or set saml_browser_driver = "
                 "playwright (Google and other IdPs with anti-automation checks refuse a driven browser).",
        )
    return "playwright" if autofill else driver or "native"


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def parse_boolean(value: Any) -> bool:
    """``true/yes/1/on`` or ``false/no/0/off`` (any case), or a bool."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise errors.UsageError(f"{value!r} is not true or false", hint="Use true or false.")
