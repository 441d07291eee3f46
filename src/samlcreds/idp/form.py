"""The ``form`` provider: a generic HTML form login with requests + lxml.html.

It follows the IdP's pages the way a browser without JavaScript would:

1. GET the SSO URL (redirects followed, cookies kept);
2. on each page: a form with a ``SAMLResponse`` field ends the flow (that is
   the page that would post to AWS); else the form with a password input gets
   the user name and password, a form with only a user-name input gets the
   user name (identifier-first logins), a form of hidden fields is submitted as
   is (SAML/JS-less "continue" pages);
3. the login form coming back after the password was sent means the password
   was refused.

Cookies are kept per IdP account in ``state_dir`` (0600), so while the IdP
session lives a later login needs no password. No IdP-specific code.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import os
import re
import urllib.parse
from pathlib import Path
from typing import ClassVar

from samlcreds import errors
from samlcreds.idp.base import LoginRequest

MAX_STEPS = 12
#: Larger IdP pages are refused: libxml2's HTML parser is quadratic in some inputs.
MAX_PAGE_BYTES = 4 * 1024 * 1024
_USERNAME_HINT = re.compile(r"user|login|email|mail|name|ident|account|principal", re.I)
_TEXT_TYPES = {"text", "email", "tel", ""}
_ERROR_CLASS = re.compile(r"error|alert|warn|fail|invalid", re.I)


class FormProvider:
    """Signs in through the IdP's HTML forms; see the module docstring."""

    METHOD: ClassVar[str] = "form"

    def __init__(self, session_factory=None) -> None:
        self._session_factory = session_factory

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """Return the base64 SAMLResponse the IdP's final page would post to AWS.

        Raises :class:`~samlcreds.errors.UsageError` without a URL,
        :class:`~samlcreds.errors.InvalidCredentials` when the login form
        comes back after the password, :class:`~samlcreds.errors.IdpUnreachable`
        for connection failures, timeouts and 5xx answers, and
        :class:`~samlcreds.errors.LoginFlowError` when no usable form is found.
        """
        import requests

        if not request.url:
            raise errors.UsageError("no IdP sign-in URL is configured",
                                    hint="Pass --url or set saml_url in the profile (samlcreds configure).")
        session = self._session_factory() if self._session_factory else requests.Session()
        jar_path = cookie_jar_path(request)
        jar = _load_cookies(jar_path)
        if jar is not None:
            session.cookies = jar  # type: ignore[assignment]
        flow = _Flow(session, request)
        saml_response = flow.run()
        if jar_path is not None:
            _save_cookies(session.cookies, jar_path)
        return saml_response


def cookie_jar_path(request: LoginRequest) -> Path | None:
    """``state_dir/cookies-<hash of IdP host and user>.txt``, or ``None`` without a state_dir."""
    if request.state_dir is None or not request.url:
        return None
    host = urllib.parse.urlsplit(request.url).netloc.lower()
    key = hashlib.sha256(f"{host}\0{request.username or ''}".encode()).hexdigest()[:16]
    return request.state_dir / f"cookies-{key}.txt"


def _load_cookies(path: Path | None):
    if path is None:
        return None
    jar = http.cookiejar.LWPCookieJar(str(path))
    try:
        jar.load(ignore_discard=True, ignore_expires=False)
    except (OSError, http.cookiejar.LoadError):
        return jar  # missing or corrupt: start with an empty jar
    return jar


def _save_cookies(cookies, path: Path) -> None:
    from samlcreds.inifile import atomic_write, ensure_private_dir

    ensure_private_dir(path.parent)
    jar = cookies if isinstance(cookies, http.cookiejar.LWPCookieJar) else None
    if jar is None:
        jar = http.cookiejar.LWPCookieJar(str(path))
        for cookie in cookies:
            jar.set_cookie(cookie)
    text = jar.as_lwp_str(ignore_discard=True, ignore_expires=False)
    atomic_write(path, ("#LWP-Cookies-2.0\n" + text).encode("utf-8"), mode=0o600)


class _Flow:
    """One walk through the IdP's pages."""

    def __init__(self, session, request: LoginRequest) -> None:
        self.session = session
        self.request = request
        self.password_sent = False
        self.username_sent = False
        self.timeout = request.timeout

    def run(self) -> str:
        response = self._call("GET", self.request.url)
        for _ in range(MAX_STEPS):
            page = _parse(response)
            saml = _saml_response_value(page)
            if saml is not None:
                return saml
            form, kind = _pick_form(page)
            if form is None:
                self._fail_no_form(response, page)
            data = self._fill(form, kind, response, page)
            action = form.get("action") or response.url
            action = urllib.parse.urljoin(response.url, action)
            method = (form.get("method") or "GET").upper()
            if method == "POST":
                response = self._call("POST", action, data=data)
            else:
                response = self._call("GET", action, params=data)
        raise errors.LoginFlowError(
            f"the IdP's pages did not lead to a SAMLResponse after {MAX_STEPS} steps",
            hint="The IdP may need JavaScript or MFA: try --provider browser.",
        )

    def _call(self, method: str, url: str, **kwargs):
        import requests

        try:
            response = self.session.request(method, url, timeout=self.timeout, allow_redirects=True, **kwargs)
        except requests.exceptions.Timeout:
            raise errors.IdpUnreachable(
                f"the IdP at {_host(url)} did not answer within {self.timeout:g} s",
                hint="Try again, or raise the timeout (saml_timeout / --timeout).",
            ) from None
        except requests.exceptions.SSLError:
            raise errors.IdpUnreachable(
                f"the TLS certificate of {_host(url)} could not be verified",
                hint="If your company uses its own CA, set REQUESTS_CA_BUNDLE to its bundle.",
            ) from None
        except requests.exceptions.ConnectionError:
            raise errors.IdpUnreachable(
                f"could not connect to the IdP at {_host(url)}",
                hint="Check the URL (saml_url), the network and proxy settings (HTTPS_PROXY).",
            ) from None
        except requests.exceptions.TooManyRedirects:
            raise errors.LoginFlowError(f"the IdP at {_host(url)} redirects in a loop") from None
        except requests.exceptions.RequestException as exc:
            raise errors.IdpUnreachable(f"the request to {_host(url)} failed: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise errors.IdpUnreachable(
                f"the IdP at {_host(response.url)} answered HTTP {response.status_code}",
                hint="The IdP has a problem; try again later.",
            )
        return response

    def _fill(self, form, kind: str, response, page) -> list[tuple[str, str]]:
        values = [(name, value or "") for name, value in form.form_values()]
        submit = _first_submit(form)
        if submit is not None:
            values.append(submit)
        user_input = _username_input(form)
        if kind == "password":
            if self.password_sent:
                raise _refused("the IdP showed its login form again: the user name or password was refused",
                               page, "Check the user name (--username / saml_username) and password, then "
                               "try again.")
            if user_input is not None:
                values = _set(values, user_input.get("name"), self._username(response))
            password_input = form.xpath(".//input[@type='password']")[0]
            prompt = f"Password for {self.request.username or 'you'} at {_host(response.url)}: "
            values = _set(values, password_input.get("name"), self.request.get_password(prompt))
            self.password_sent = True
        elif kind == "username":
            if self.username_sent:
                raise _refused("the IdP asked for the user name again: it was refused", page,
                               "Check --username / saml_username.")
            values = _set(values, user_input.get("name"), self._username(response))
            self.username_sent = True
        return values

    def _username(self, response) -> str:
        if not self.request.username:
            raise errors.UsageError(
                f"the IdP at {_host(response.url)} asks for a user name, and none is configured",
                hint="Pass --username or set saml_username in the profile.",
            )
        return self.request.username

    def _fail_no_form(self, response, page) -> None:
        saved = ""
        if self.request.debug_dir is not None:
            saved_path = save_debug_page(self.request.debug_dir, response.text)
            saved = f" The page was saved (secrets removed) to {saved_path}."
        status = response.status_code
        title = " ".join(page.xpath("//title//text()")).strip()[:80] if page is not None else ""
        what = f"HTTP {status}" + (f", page title {title!r}" if title else "")
        if status >= 400:
            raise errors.LoginFlowError(f"the IdP answered with an error page ({what}) at {_host(response.url)}."
                                        + saved, hint="Check the sign-in URL (saml_url).")
        raise errors.LoginFlowError(
            f"no login form or SAMLResponse was found on the IdP's page ({what}) at {_host(response.url)}."
            + saved,
            hint="The IdP may need JavaScript or MFA: try --provider browser. Run with --debug to save the page.",
        )


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _parse(response):
    import lxml.html

    content = response.content or b"<html></html>"
    if len(content) > MAX_PAGE_BYTES:
        raise errors.LoginFlowError(
            f"the IdP at {_host(response.url)} sent a page of {len(content):,} bytes; samlcreds reads at most "
            f"{MAX_PAGE_BYTES:,}",
            hint="Check the sign-in URL (saml_url); an IdP login page is far smaller.",
        )
    try:
        return lxml.html.document_fromstring(content, base_url=response.url)
    except Exception:  # lxml.etree.ParserError on empty/odd documents
        return lxml.html.document_fromstring(b"<html></html>")


def _saml_response_value(page) -> str | None:
    for value in page.xpath("//form//input[@name='SAMLResponse']/@value | //input[@name='SAMLResponse']/@value"):
        if str(value).strip():
            return str(value)
    return None


def _pick_form(page):
    """The form to act on and its kind: ``password``, ``username`` or ``auto``."""
    forms = page.xpath("//form")
    for form in forms:
        if form.xpath(".//input[@type='password']"):
            return form, "password"
    for form in forms:
        if _username_input(form) is not None:
            return form, "username"
    for form in forms:
        inputs = form.xpath(".//input")
        if inputs and all((i.get("type") or "text").lower() in ("hidden", "submit") for i in inputs):
            if form.xpath(".//input[@type='hidden']"):
                return form, "auto"
    return None, ""


def _username_input(form):
    candidates = [
        el for el in form.xpath(".//input")
        if (el.get("type") or "text").lower() in _TEXT_TYPES and el.get("name")
    ]
    if not candidates:
        return None
    for el in candidates:
        if _USERNAME_HINT.search(el.get("name", "") + " " + el.get("id", "") + " " + el.get("autocomplete", "")):
            return el
    return candidates[0]


def _first_submit(form) -> tuple[str, str] | None:
    for el in form.xpath(".//input[@type='submit'] | .//button[not(@type) or @type='submit']"):
        if el.get("name"):
            return el.get("name"), el.get("value") or ""
    return None


def _set(values: list[tuple[str, str]], name: str | None, value: str) -> list[tuple[str, str]]:
    if not name:
        return values
    out = [(k, v) for k, v in values if k != name]
    out.append((name, value))
    return out


def _refused(message: str, page, hint: str) -> errors.InvalidCredentials:
    """InvalidCredentials quoting the IdP page's own error text, if it shows one."""
    detail = _error_text(page)
    return errors.InvalidCredentials(message + (f" (the page says: {detail})" if detail else ""), hint=hint)


def _error_text(page) -> str:
    texts = []
    for el in page.xpath("//*[@class or @id or @role]"):
        marker = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
        if _ERROR_CLASS.search(marker):
            text = " ".join(" ".join(el.xpath(".//text()")).split())
            if text and text not in texts:
                texts.append(text)
    return "; ".join(texts)[:200]


def save_debug_page(directory: Path, text: str) -> Path:
    """Save an IdP page for debugging with form values and hidden fields blanked.

    Values of password, SAMLResponse and hidden inputs (AuthState and the
    like) are removed. The file is 0600 in a 0700 directory.
    """
    from samlcreds.inifile import atomic_write, ensure_private_dir

    redacted = re.sub(
        r"(<input\b[^>]*?\bvalue\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)",
        lambda m: m.group(1) + '"[removed]"',
        text,
        flags=re.I,
    )
    ensure_private_dir(directory)
    path = directory / f"idp-page-{os.getpid()}.html"
    atomic_write(path, redacted.encode("utf-8", "replace"), mode=0o600)
    return path
