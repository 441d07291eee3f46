"""One walk through an IdP's pages with requests: each page's step (see :mod:`.steps`) is acted on
until a form posts a SAMLResponse to AWS.

Secrets go only where they belong: the user name into the user-name field, the
password into the password field, a one-time code into the code field; never
over plain http to anything but loopback (unless allowed); a refused password
is never sent again; a refused code is asked for once more only at a terminal.
"""

from __future__ import annotations

import logging
import re
import urllib.parse

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.form import pages, steps
from samlcreds.idp.form.otp import CodeSource
from samlcreds.idp.web import host_of, no_username_hint, read_body, refuse_plain_http, request_failed, server_error

log = logging.getLogger(__name__)  # steps and hosts only: never values, queries or codes
MAX_STEPS = 16
#: Larger IdP pages are refused: libxml2's HTML parser is quadratic in some inputs.
MAX_PAGE_BYTES = 4 * 1024 * 1024
#: Elements with more attributes are refused: libxml2's HTML parser takes time quadratic in an element's
#: attribute count (25,000 take a second, 400,000 minutes), whatever the page's size.
MAX_ATTRIBUTES = 2000
#: Tags long enough to hold that many attributes (a SAMLResponse field is one long value, few words).
_LONG_TAG = re.compile(rb"<[^<>]{16384,}")
_BROWSER_HINT = "Use --provider browser (a real browser runs the IdP's scripts)."
_OR_BROWSER = "use --provider browser (a real browser runs the IdP's scripts)."
_CODE_HINT = "Check the code source (saml_otp_command, or the code you typed: is it the current one?) and try again."


class Walk:
    """The pages of one sign-in; :meth:`run` returns the SAMLResponse for AWS."""

    def __init__(self, session, request: LoginRequest, codes: CodeSource | None = None) -> None:
        self.session = session
        self.request = request
        self.codes = codes or CodeSource(request.otp_command, request.get_code)
        self.password_sent = False
        self.username_sent = False
        self.code_sent = False
        self.code_chosen = False
        self.other_host_said = False
        self.seen: set = set()
        self.chain_to: str | None = None

    def run(self) -> str:
        """Walk from ``request.url`` to the SAMLResponse; see :class:`~samlcreds.idp.form.FormProvider`."""
        response = self.call("GET", self.request.url)
        for _ in range(MAX_STEPS):
            page = parse(response, self.request.url_named)
            step = steps.analyse(page, response.url, expect_code=self.password_sent or self.code_chosen
                                 or self.code_sent)
            log.debug("form: %s step on %s", step.kind, _where(response.url))
            if step.kind == steps.SAML:
                return step.saml_response
            response = self.act(step, page, response)
        raise errors.LoginFlowError(
            f"the IdP's pages did not lead to a SAMLResponse for AWS after {MAX_STEPS} steps",
            hint="The IdP may need JavaScript: " + _BROWSER_HINT)

    def act(self, step: steps.Step, page, response):
        """Act on one page's step and return the next page's response."""
        kind = step.kind
        url = response.url
        if kind == steps.NEEDS_JS:
            raise errors.LoginFlowError(f"the page at {host_of(url)} needs JavaScript: {step.reason}",
                                        hint=_BROWSER_HINT)
        if kind == steps.NONE:
            self.fail_no_form(response, page)
        if kind == steps.PASSWORD:
            return self.submit(step, self.fill_password(step, page, url))
        if kind == steps.CODE:
            return self.submit(step, self.fill_code(step, page, url))
        if kind == steps.USERNAME:
            if self.username_sent or self.password_sent:
                raise refused(f"credentials: the IdP at {host_of(url)} asked for the user name again: the user "
                              "name was refused", page, "Check --username / saml_username.", password=False)
            self.username_sent = True
            return self.submit(step, {step.username: self.username(url)})
        self.check_repeat(url, step)
        if kind == steps.REDIRECT:
            return self.call("GET", step.url)
        if kind == steps.CHOICE:
            if not step.choice.found:
                raise errors.LoginFlowError(f"factor choice: this IdP asks for {_or(step.offers)}; "
                                            "use --provider browser",
                                            hint="samlcreds never picks a factor that sends something "
                                                 "(push, SMS, call, email, security key) by itself.")
            self.code_chosen = True
            values = {}
            if step.choice.control is not None:
                values = _pick_values(step.choice)
            return self.submit(step, values)
        if step.saml_destination:
            self.chain_to = step.saml_destination
        return self.submit(step, {})

    def fill_password(self, step: steps.Step, page, url: str) -> dict:
        if self.code_sent:
            raise refused("the one-time code was refused: the IdP went back to its login form", page,
                          _CODE_HINT, password=False)
        if self.password_sent:
            raise refused(f"credentials: the IdP at {host_of(url)} showed its login form again: the user name or "
                          "password was refused", page, "Check the user name (--username / saml_username) and "
                          "password, then try again.")
        if step.extra_passwords:
            raise errors.LoginFlowError(
                f"the page at {host_of(url)} asks for {step.extra_passwords + 1} passwords (a password change "
                "or confirmation); samlcreds types the password into one field only",
                hint="Change the password at the IdP in a browser, or " + _OR_BROWSER)
        self.check_destination(step.target.url, "password", password=True, method=step.target.method)
        values = {}
        if step.username is not None and step.username.get("readonly") is None:
            values[step.username] = self.username(url)
        prompt = f"Password for {self.request.username or 'you'} at {host_of(url)}: "
        values[step.password] = self.request.get_password(prompt)
        self.password_sent = True
        return values

    def fill_code(self, step: steps.Step, page, url: str) -> dict:
        refused_before = self.code_sent
        if refused_before and not self.codes.retry_allowed():
            raise refused("the one-time code was refused", page,
                          _CODE_HINT, password=False)
        self.check_destination(step.target.url, "one-time code", method=step.target.method)
        values = {step.code: self.codes.code(host_of(url), refused=refused_before)}
        if step.username is not None and step.username.get("readonly") is None and not (
                step.username.get("value") or "").strip():
            values[step.username] = self.username(url)
        self.code_sent = True
        return values

    def check_destination(self, url: str, what: str, *, password: bool = False, method: str = "POST") -> None:
        """Refuse a GET form (the secret would be in the URL, so in logs and Referer headers) and plain
        http to a non-loopback host; say once when the password leaves the IdP's host."""
        if method.upper() != "POST":
            raise errors.LoginFlowError(
                f"credentials: the IdP's form would send the {what} in the URL (a {method.upper()} form to "
                f"{host_of(url)}); samlcreds refuses to put it where logs keep it",
                hint=_BROWSER_HINT)
        refuse_plain_http(self.request, url, f"the IdP's form would send the {what}")
        configured = (urllib.parse.urlsplit(self.request.url or "").hostname or "").lower()
        target = (urllib.parse.urlsplit(url).hostname or "").lower()
        if password and configured and target != configured and not self.other_host_said:
            self.other_host_said = True
            self.request.notify(f"note: the IdP's login form sends the password to {host_of(url)}, "
                                f"not to {configured} (the host of {self.request.url_named})")

    def check_repeat(self, url: str, step: steps.Step) -> None:
        key = (step.kind, pages.signature(url, step.form) if step.form is not None else (url, step.url))
        if key in self.seen:
            raise errors.LoginFlowError(f"the IdP keeps showing the same page ({_where(url)})",
                                        hint="The IdP may need JavaScript or cookies a browser keeps: "
                                             + _BROWSER_HINT)
        self.seen.add(key)

    def submit(self, step: steps.Step, values: dict):
        pairs = pages.entry_list(step.form, step.submitter, values)
        target = step.target
        if target.method == "POST":
            if target.multipart:
                return self.call("POST", target.url, files=[(k, (None, v)) for k, v in pairs])
            return self.call("POST", target.url, data=pairs)
        base = urllib.parse.urlsplit(target.url)._replace(query="").geturl()  # a GET form replaces the query
        return self.call("GET", base, params=pairs)

    def username(self, url: str) -> str:
        if not self.request.username:
            raise errors.UsageError(
                f"the IdP at {host_of(url)} asks for a user name, and none is configured",
                hint=no_username_hint(self.request))
        return self.request.username

    def call(self, method: str, url: str, **kwargs):
        """One request (redirects followed, cookies kept), errors translated."""
        import requests

        timeout = self.request.timeout
        try:
            response = self.session.request(method, url, timeout=timeout, allow_redirects=True, stream=True,
                                            hooks={"response": self._on_answer}, **kwargs)
        except errors.SamlcredsError:
            raise
        except requests.exceptions.TooManyRedirects:
            raise errors.LoginFlowError(f"the IdP at {host_of(url)} redirects in a loop") from None
        except requests.exceptions.InvalidSchema:  # a redirect elsewhere than http(s) is refused in _on_answer
            raise _not_web(url) from None
        except requests.exceptions.RequestException as exc:
            raise request_failed(exc, url, timeout, self.request.url_named, self.request.url) from None
        if response.status_code >= 500:
            raise server_error(response.url, response.status_code)
        return response

    def _on_answer(self, response, **_):
        """Every answer, each redirect included, as it arrives: its body read at once within the page size
        and the timeout (:func:`~samlcreds.idp.web.read_body`; requests would read it whole, even to follow
        a redirect), and a 307/308 redirect checked: it re-sends the body, so never to plain http off
        loopback once a secret is in it. A redirect to no web address (or to one that does not parse) is
        refused before requests follows it."""
        # where requests keeps a body it has read: .content, .text and its redirect handling then use this one
        response._content = read_body(response, MAX_PAGE_BYTES + 1, self.request.timeout)
        response._content_consumed = True
        if not response.is_redirect:
            return response
        location = pages.absolute(response.url, response.headers["location"])
        if _scheme(location) not in ("http:", "https:"):
            raise _not_web(location)
        if response.status_code in (307, 308) and response.request.method == "POST" and (
                self.password_sent or self.code_sent):
            self.check_destination(location, "password or code")
        return response

    def fail_no_form(self, response, page) -> None:
        saved = ""
        if self.request.debug_dir is not None:
            from samlcreds.idp.form.state import save_debug_page

            path = save_debug_page(self.request.debug_dir, response.text)
            saved = f" The page was saved (secrets removed) to {path}."
        status = response.status_code
        title = " ".join(page.xpath("//title//text()")).strip()[:80]
        what = f"HTTP {status}" + (f", page title {title!r}" if title else "")
        where = host_of(response.url)
        if self.chain_to:
            raise errors.LoginFlowError(
                f"the IdP posted its SAMLResponse to {host_of(self.chain_to)}, not to AWS, and that page "
                f"({what}) leads nowhere." + saved,
                hint=f"Check that {self.request.url_named} is the IdP-initiated sign-in URL for AWS, or " + _OR_BROWSER)
        if self.code_sent and status < 400 and not page.xpath("//form"):
            # LemonLDAP::NG answers a wrong code with a form-less error page whose text JavaScript fills in
            raise refused("the one-time code was refused: the IdP answered it with an error page that ends "
                          "the sign-in",
                          page, _CODE_HINT + saved, password=False)
        if status >= 400:
            raise errors.LoginFlowError(f"the IdP answered with an error page ({what}) at {where}." + saved,
                                        hint=f"Check the sign-in URL ({self.request.url_named}).")
        if not page.xpath("//form") and page.xpath("//script | //noscript"):
            raise errors.LoginFlowError(f"the page at {where} needs JavaScript: it has scripts and no form "
                                        f"({what})." + saved, hint=_BROWSER_HINT)
        raise errors.LoginFlowError(
            f"no login form or SAMLResponse was found on the IdP's page ({what}) at {where}." + saved,
            hint="The IdP may need JavaScript: try --provider browser. Run with --debug to save the page.")


def parse(response, url_named: str = "saml_url"):
    """The response's HTML as an lxml document root (an empty one when it does not parse).

    Raises :class:`~samlcreds.errors.LoginFlowError` for a page over
    :data:`MAX_PAGE_BYTES` or with an element of over :data:`MAX_ATTRIBUTES` (its hint names the
    sign-in URL's setting as ``url_named``).

    libxml2's HTML parser through ``lxml.etree.HTMLParser``, which is what
    ``lxml.html`` wraps; its element classes (which nothing here uses) cost
    ~2 ms to import on every cold sign-in.
    """
    from lxml import etree

    content = response.content or b"<html></html>"
    if len(content) > MAX_PAGE_BYTES:
        raise errors.LoginFlowError(
            f"the IdP at {host_of(response.url)} sent a page of over {MAX_PAGE_BYTES:,} bytes, the most samlcreds "
            "reads",
            hint=f"Check the sign-in URL ({url_named}); an IdP login page is far smaller.")
    if any(len(tag.group().split()) > MAX_ATTRIBUTES for tag in _LONG_TAG.finditer(content)):
        raise errors.LoginFlowError(
            f"the IdP at {host_of(response.url)} sent a page with an element of over {MAX_ATTRIBUTES:,} "
            "attributes, which samlcreds does not parse",
            hint=f"Check the sign-in URL ({url_named}); an IdP login page has no such element.")
    try:
        root = etree.fromstring(content, etree.HTMLParser(), base_url=response.url)
    except Exception:  # noqa: BLE001 - lxml raises on odd documents
        root = None
    return root if root is not None else etree.fromstring(b"<html></html>", etree.HTMLParser())


def refused(message: str, page, hint: str, *, password: bool = True) -> errors.InvalidCredentials:
    """InvalidCredentials quoting the IdP page's own error text, if it shows one.

    ``password=False``: the IdP refused a one-time code or the user name, not the
    password (:class:`~samlcreds.errors.FactorRefused`; a stored password is kept).
    """
    detail = error_text(page)
    cls = errors.InvalidCredentials if password else errors.FactorRefused
    return cls(message + (f" (the page says: {detail})" if detail else ""), hint=hint)


#: Buttons inside an error box ("Go to portal", "Try again") are no part of its message.
_BUTTON_TEXT = ("ancestor-or-self::button or ancestor-or-self::*[@role='button'] or "
                "ancestor-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' btn ')]")


def error_text(page) -> str:
    """The text of the page's error/alert elements (by class, id or role), buttons left out, at most
    200 characters."""
    pattern = re.compile(r"error|alert|warn|fail|invalid", re.I)
    texts: list[str] = []
    marked = [el for el in page.xpath("//*[@class or @id or @role]")
              if pattern.search(" ".join(filter(None, (el.get("class"), el.get("id"), el.get("role")))))]
    inner = set(marked)
    for el in marked:  # the innermost boxes: an error container's buttons and links are no message
        inner.difference_update(el.iterancestors())
    for el in marked:
        if el in inner:
            text = " ".join(" ".join(el.xpath(f".//text()[not({_BUTTON_TEXT})]")).split())
            if text and text not in texts:
                texts.append(text)
    return "; ".join(texts)[:200]


def _pick_values(pick) -> dict:
    if pages.input_type(pick.control) == "select":
        return {pick.control: pick.value}
    values = {pick.control: True}
    form_radios = pick.control.getroottree().xpath("//input[@name=$n]", n=pick.control.get("name") or "")
    for other in form_radios:
        if other is not pick.control and pages.input_type(other) == "radio":
            values[other] = False
    return values


def _or(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _where(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc + parts.path


def _scheme(url: str) -> str:
    return (urllib.parse.urlsplit(url).scheme.lower() or "an unknown scheme") + ":"


def _not_web(url: str) -> errors.LoginFlowError:
    """The error for the IdP's pages leading to ``url``, which is no http(s) address (``file:``, ``data:``)."""
    return errors.LoginFlowError(f"the IdP's page leads to {_scheme(url)}, which is not a web address",
                                 hint=_BROWSER_HINT)
