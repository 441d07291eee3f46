"""The ``form`` provider: any IdP's HTML sign-in pages, with requests + lxml (libxml2's HTML parser).

It follows the IdP's pages the way a browser without JavaScript would
(:mod:`.pages`: what a form submits; :mod:`.steps`: which step a page is;
:mod:`.factors`: factor-choice pages; :mod:`.otp`: where one-time codes come
from; :mod:`.walk`: the walk itself):

1. GET the SSO URL (redirects followed, cookies kept);
2. on each page: a form posting a ``SAMLResponse`` to an AWS sign-in SAML
   endpoint ends the flow; a login form gets the user name and password, a
   one-time-code form a code (``saml_otp_command``, else a prompt), a
   factor-choice page its "code" option (never push, SMS, call, email or a
   security key), an identifier-only form the user name; meta refreshes and
   one-line script redirects are followed, and forms without visible input
   (hidden fields and at most a button, a SAMLResponse for another SP of an
   IdP chain) are submitted as a browser's script would;
3. the login form coming back after the password means the password was
   refused, the code form coming back that the code was; a page repeating
   (same URL, same form) stops the walk.

Cookies are kept per IdP account in ``state_dir`` (0600), so while the IdP
session lives a later login needs no password. No IdP-specific code.
"""

from __future__ import annotations

from typing import ClassVar

from samlcreds import errors
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.form.state import COOKIE_JAR, cookie_jar_path, load_cookies, save_cookies, save_debug_page

__all__ = ["FormProvider", "cookie_jar_path", "save_debug_page"]


class FormProvider:
    """Signs in through the IdP's HTML forms; see the module docstring."""

    METHOD: ClassVar[str] = "form"
    STATE_NAMES: ClassVar[tuple[str, ...]] = (COOKIE_JAR,)

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """Return the base64 SAMLResponse the IdP's final page would post to AWS.

        Raises :class:`~samlcreds.errors.UsageError` without a URL or user
        name; :class:`~samlcreds.errors.InvalidCredentials` when the login
        form comes back after the password ("credentials: ... refused") or the
        code form after a code ("the one-time code was refused");
        :class:`~samlcreds.errors.InteractionRequired` when a code is needed
        and there is neither ``saml_otp_command`` nor ``request.get_code``;
        :class:`~samlcreds.errors.IdpUnreachable` for connection failures,
        timeouts and 5xx answers; :class:`~samlcreds.errors.LoginFlowError`
        when the pages need JavaScript, offer only factors that send
        something, repeat, would send a secret over plain http off loopback,
        or hold no usable form.
        """
        import requests

        from samlcreds.idp.form.walk import Walk

        if not request.url:
            raise errors.UsageError("no IdP sign-in URL is configured",
                                    hint="Pass --url or set saml_url in the profile (samlcreds configure).")
        session = requests.Session()
        jar_path = cookie_jar_path(request)
        jar = load_cookies(jar_path)
        if jar is not None:
            session.cookies = jar  # type: ignore[assignment]
        saml_response = Walk(session, request).run()
        if jar_path is not None:
            save_cookies(session.cookies, jar_path)
        return saml_response
