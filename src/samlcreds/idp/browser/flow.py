"""Playwright mode, the page side: watch one driven browser context until the SAMLResponse is captured.

The AWS sign-in hosts are routed inside the driver: the SAML POST is answered
with the "signed in" page and its form body gives the SAMLResponse; nothing
reaches AWS. With auto-fill, plain HTML forms get the user name and password
(identifier-first pages too); the password is asked for only when a password
field is shown, and the login form coming back after it raises
:class:`~samlcreds.errors.InvalidCredentials` (a refused password is never retried).
Auto-fill types only into the main frame or a frame of its origin, on https
(plain http on loopback or with saml_allow_http_idp); a form anywhere else is
left to the user (a window), like any form auto-fill cannot handle.
"""

from __future__ import annotations

import contextlib
import re
import time
import urllib.parse
from typing import Callable

from samlcreds import errors
from samlcreds.aws import parse_signin_url, signin_host_partition
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser.capture import DONE_PAGE, saml_response_from_body
from samlcreds.idp.browser.errors import BrowserClosed, NeedsUser, SignInTimeout
from samlcreds.idp.browser.inspect_js import INSPECT_JS

#: A page counts as settled after this long without navigation or form changes.
SETTLE_SECONDS = 1.5
#: Headless (``headless=None``): a page without any form field that does not
#: lead to a SAMLResponse within this long is taken to need the user.
HEADLESS_IDLE_SECONDS = 15.0
#: After auto-fill submits, how long to wait for the IdP to answer before judging the page.
SUBMIT_WAIT_SECONDS = 10.0
POLL_MS = 100

STOP_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>samlcreds</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; margin: 3em">
<p>samlcreds stopped this request to AWS sign-in: it carried no SAMLResponse.</p>
</body></html>"""


def _origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in; opaque URLs match nothing."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"https": 443, "http": 80}.get(scheme)
    except ValueError:
        port = None
    return (scheme, (parts.hostname or "").lower(), port) if parts.hostname else (url, "", None)


def is_aws_signin_host(url: str) -> bool:
    """Is ``url`` on an AWS sign-in host (global or regional, any partition)?"""
    return signin_host_partition(urllib.parse.urlsplit(url).hostname) is not None


class Secrets:
    """The password, asked for at most once per sign-in and kept only in memory."""

    def __init__(self, request: LoginRequest) -> None:
        self._request = request
        self._password: str | None = None

    def password(self, prompt: str) -> str:
        if self._password is None:
            self._password = self._request.get_password(prompt)
        return self._password


class Flow:
    """Watches one browser context until the SAMLResponse is captured (or it fails)."""

    def __init__(self, context, request: LoginRequest, secrets: Secrets, *, headless: bool, detect: bool,
                 idle_limit: bool, on_request: Callable[[str], None] | None) -> None:
        self.context = context
        self.request = request
        self.secrets = secrets
        self.headless = headless
        self.detect = detect
        self.idle_limit = idle_limit
        self.on_request = on_request
        self.saml: str | None = None
        self.failure: errors.SamlcredsError | None = None
        self.closed = False
        now = time.monotonic()
        self.started = now
        self.last_change = now
        self.nav_count = 0
        self.signature: str | None = None
        self.username_sent = False
        self.password_sent = False
        self.submitted_at: float | None = None
        self.submitted_nav = 0
        self.submitted_signature: str | None = None
        self.last_host = urllib.parse.urlsplit(request.url or "").netloc
        self.refusal_said: str | None = None

    # ----------------------------------------------------------- events
    def _on_close(self, *_args) -> None:
        self.closed = True

    def _watch(self, page) -> None:
        page.on("framenavigated", lambda frame: self._navigated(page, frame))
        page.on("load", lambda *_: self._touch())
        page.on("domcontentloaded", lambda *_: self._touch())

    def _navigated(self, page, frame) -> None:
        self._touch()
        if frame == page.main_frame:
            self.nav_count += 1
            host = urllib.parse.urlsplit(frame.url).netloc
            if host and not is_aws_signin_host(frame.url):
                self.last_host = host

    def _touch(self) -> None:
        self.last_change = time.monotonic()

    def _intercept(self, route) -> None:
        req = route.request
        value = None
        if parse_signin_url(req.url) is not None:
            with contextlib.suppress(Exception):
                value = saml_response_from_body(req.post_data_buffer, req.headers.get("content-type"),
                                                urllib.parse.urlsplit(req.url).query)
        if value:
            if self.saml is None:
                self.saml = value
            with contextlib.suppress(Exception):
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=DONE_PAGE)
            return
        if req.is_navigation_request() and req.frame == req.frame.page.main_frame and self.saml is None:
            self.failure = errors.LoginFlowError(
                "the IdP sent the browser to AWS sign-in without a SAMLResponse",
                hint=f"Check that the sign-in URL ({self.request.url_named}) is the IdP's SAML app for AWS.",
            )
            with contextlib.suppress(Exception):
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=STOP_PAGE)
            return
        with contextlib.suppress(Exception):
            route.abort("blockedbyclient")

    # ------------------------------------------------------------- loop
    def run(self) -> str:
        from playwright.sync_api import Error as PlaywrightError

        context = self.context
        context.on("close", self._on_close)
        context.on("page", self._watch)
        if self.on_request is not None:
            hook = self.on_request
            context.on("request", lambda req: hook(req.url))
        context.route(is_aws_signin_host, self._intercept)
        pages = [p for p in context.pages if not p.is_closed()]
        page = pages[0] if pages else context.new_page()
        for extra in context.pages:
            self._watch(extra)
        limit = self.request.timeout
        deadline = self.started + limit
        try:
            page.goto(self.request.url, wait_until="commit", timeout=max(limit, 1.0) * 1000)
        except PlaywrightError as exc:
            self._goto_failed(exc)
        while True:
            if self.saml is not None:
                return self.saml
            if self.failure is not None:
                raise self.failure
            if self.closed:
                raise self._closed_error()
            now = time.monotonic()
            if now >= deadline:
                raise SignInTimeout(
                    f"no SAMLResponse arrived within {limit:g} s"
                    + (f" (last page at {self.last_host})" if self.last_host else ""),
                    hint="Finish signing in sooner or raise the timeout (--timeout / saml_timeout); check the "
                         f"sign-in URL ({self.request.url_named}).",
                )
            self._step(now)
            if self.saml is None and self.failure is None:
                self._pump()

    def _goto_failed(self, exc) -> None:
        if self.saml is not None or self.closed:
            return
        text = str(exc)
        match = re.search(r"net::ERR_[A-Z_]+", text)
        if match and match.group(0) != "net::ERR_ABORTED":
            host = urllib.parse.urlsplit(self.request.url).netloc
            raise errors.IdpUnreachable(
                f"could not load the IdP sign-in page at {host} ({match.group(0)})",
                hint=f"Check the URL ({self.request.url_named}), the network and proxy settings (HTTPS_PROXY).",
            ) from None
        if "Timeout" in type(exc).__name__ or "Timeout" in text:
            return  # the loop reports the timeout
        # navigation interrupted by a redirect or the auto-posting form: keep watching

    def _pump(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.context.wait_for_event("close", timeout=POLL_MS)
            self.closed = True
        except PlaywrightError:
            pass  # TimeoutError (the usual case) or the browser going away (seen through events)

    def _closed_error(self) -> BrowserClosed:
        return BrowserClosed(
            "the browser was closed before the sign-in finished",
            hint="Run samlcreds login again and finish signing in in the browser window.",
        )

    def _active_page(self):
        pages = [p for p in self.context.pages if not p.is_closed()]
        return pages[-1] if pages else None

    # ------------------------------------------------------- judge a page
    def _step(self, now: float) -> None:
        from playwright.sync_api import Error as PlaywrightError

        page = self._active_page()
        if page is None:
            self.closed = True
            return
        try:
            frame, info = self._inspect(page)
        except PlaywrightError:
            return  # navigating: the next tick looks again
        if info is None:
            return
        if info["signature"] != self.signature:
            self.signature = info["signature"]
            self.last_change = now
        settled = info["ready"] == "complete" and now - self.last_change >= SETTLE_SECONDS
        if self.request.autofill and info["ready"] != "loading" and self._answered(info, now, settled):
            if info.get("refusal"):
                self._leave_to_user(info["refusal"])
            else:
                try:
                    if self._autofill(page, frame, info):
                        return
                except PlaywrightError:
                    return
        if not self.detect or not settled or self.saml is not None:
            return
        if self.submitted_at is not None and not self._answered(info, now, settled):
            return
        if info["fields"]:
            what = "the IdP's page asks for input"
            if info["password"] and not self.request.autofill:
                what = "the IdP asks for a password"
            raise NeedsUser(what)
        if self.idle_limit and now - self.last_change >= min(HEADLESS_IDLE_SECONDS, self.request.timeout):
            raise NeedsUser("the IdP's page did not lead to AWS without interaction")

    def _inspect(self, page):
        """The frame to fill and what the inspection found there (``info["refusal"]``: why auto-fill must
        not type into it, or None). Main frame first; a frame auto-fill may use wins over one it may not."""
        selectors = {"username": self.request.username_selector, "password": self.request.password_selector,
                     "submit": self.request.submit_selector}
        main = page.main_frame
        frames = [main, *[f for f in page.frames if f != main]]
        first_info = None
        refused = None
        for frame in frames:
            try:
                info = frame.evaluate(INSPECT_JS, selectors)
            except Exception:
                if frame == main:
                    raise
                continue
            if frame == main:
                first_info = info
            if info and info["fields"]:
                if frame != main:
                    info["ready"] = first_info["ready"] if first_info else info["ready"]
                info["refusal"] = self._refusal(main, frame)
                if info["refusal"] is None:
                    return frame, info
                refused = refused or (frame, info)
        if refused is not None:
            return refused
        if first_info is not None:
            first_info["refusal"] = None
        return main, first_info

    def _refusal(self, main, frame) -> str | None:
        """Why auto-fill must not type into ``frame``: not the main frame nor of its origin (scheme, host,
        port: RFC 6454), or not https (plain http only on loopback or with saml_allow_http_idp)."""
        where = urllib.parse.urlsplit(frame.url)
        host = where.netloc or frame.url[:40]
        if frame != main and _origin(frame.url) != _origin(main.url):
            return f"the sign-in form is in a frame from another site ({host})"
        if not self.request.secret_may_go_to(frame.url):
            return (f"the sign-in page at {host} is not https (plain http is filled only on loopback or with "
                    "saml_allow_http_idp)")
        return None

    def _answered(self, info: dict, now: float, settled: bool) -> bool:
        """After an auto-fill submit: did the IdP answer (navigation, changed form, or waited long enough)?"""
        if self.submitted_at is None:
            return True
        if self.nav_count != self.submitted_nav and info["ready"] == "complete":
            return settled or info["signature"] != self.submitted_signature
        if info["signature"] != self.submitted_signature:
            return True
        return now - self.submitted_at >= SUBMIT_WAIT_SECONDS

    # ------------------------------------------------------------ auto-fill
    def _leave_to_user(self, refusal: str) -> None:
        """Auto-fill may not type here: the headless attempt needs the user (NeedsUser); in a window the
        user is told once to type it."""
        if self.detect:
            raise NeedsUser(f"auto-fill left the form alone: {refusal}")
        if refusal != self.refusal_said:
            self.refusal_said = refusal
            self.request.notify(f"samlcreds did not fill the sign-in form: {refusal}; type it in the window.")

    def _autofill(self, page, frame, info: dict) -> bool:
        """Fill and submit a login form; ``True`` when something was submitted."""
        username = self.request.username
        host = urllib.parse.urlsplit(frame.url).netloc or self.last_host
        if info["password"]:
            if self.password_sent:
                raise errors.InvalidCredentials(
                    f"the IdP at {host} showed its login form again: the user name or password was refused",
                    hint="Check the user name (--username / saml_username) and password, then try again.",
                )
            if info["user"]:
                if username and (info["userValue"] or "") != username:
                    frame.locator('[data-samlcreds="username"]').first.fill(username, timeout=5000)
                elif not username and not info["userValue"]:
                    return False
            password = self.secrets.password(f"Password for {username or 'you'} at {host}: ")
            target = frame.locator('[data-samlcreds="password"]').first
            target.fill(password, timeout=5000)
            self.password_sent = True
            self.username_sent = self.username_sent or info["user"]
            self._submit(frame, target, info)
            return True
        if info["user"]:
            if self.username_sent or self.password_sent:
                if info["userLike"] and not self.password_sent:
                    raise errors.InvalidCredentials(
                        f"the IdP at {host} asked for the user name again: it was refused",
                        hint="Check --username / saml_username.",
                    )
                return False  # a code or other question after the password: the user answers it
            if not username:
                return False
            target = frame.locator('[data-samlcreds="username"]').first
            if (info["userValue"] or "") != username:
                target.fill(username, timeout=5000)
            self.username_sent = True
            self._submit(frame, target, info)
            return True
        return False

    def _submit(self, frame, target, info: dict) -> None:
        for role, what in (("username", "user name"), ("password", "password")):
            field = frame.locator(f'[data-samlcreds="{role}"]').first
            if (role == "username" and not info["user"]) or (role == "password" and not info["password"]):
                continue
            problem = field.evaluate("el => el.validity.valid ? '' : (el.validationMessage || 'invalid')",
                                     timeout=5000)
            if problem:
                raise errors.LoginFlowError(
                    f"the IdP's sign-in form does not accept the {what}: {problem}",
                    hint="Check --username / saml_username (the form may expect an email address)."
                    if role == "username" else "Check the password.",
                )
        self.submitted_at = time.monotonic()
        self.submitted_nav = self.nav_count
        self.submitted_signature = info["signature"]
        if self.request.submit_selector and info["submit"]:
            frame.locator('[data-samlcreds="submit"]').first.click(timeout=5000, no_wait_after=True)
        elif info["inForm"] or not info["submit"]:
            target.press("Enter", timeout=5000, no_wait_after=True)
        else:
            frame.locator('[data-samlcreds="submit"]').first.click(timeout=5000, no_wait_after=True)
