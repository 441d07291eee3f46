"""The ``browser`` provider: sign in in the user's own Chrome, Chromium or Edge.

The user signs in however the IdP requires (passwords, passkeys, security
keys, push, SSO redirects); samlcreds only takes the one request that
matters, the browser POSTing ``SAMLResponse`` to an AWS sign-in SAML endpoint
(see :func:`samlcreds.aws.parse_signin_url`), answers it with a "signed in"
page, and never lets it reach AWS. No IdP-specific selectors are involved.

Two modes (``saml_browser_driver``):

* ``native`` (default, :mod:`.native`): the browser runs as a plain child
  process, no driver attached (so Google Workspace accepts it); a PAC script
  (:mod:`.pac`) sends only the AWS sign-in hosts to a loopback proxy
  (:mod:`.capture`) holding a throwaway certificate (:mod:`.certs`) that the
  browser is told to accept (:mod:`.launch`);
* ``playwright`` (implied by ``--autofill``, :mod:`.driver`, :mod:`.flow`):
  driven by Playwright, which can fill plain login forms unattended; refused
  by Google and other IdPs with anti-automation checks.

Modules: :mod:`.locate` finds the browser, :mod:`.profile` keeps the
per-account profile (0700, under the cache dir, kept so the IdP session is
reused), :mod:`.provider` picks the mode. The browser never outlives a sign-in;
passwords and SAMLResponses are never logged, put in argv or saved.
"""

from samlcreds.idp.browser.capture import CaptureProxy, saml_response_from_body
from samlcreds.idp.browser.driver import proxy_settings
from samlcreds.idp.browser.errors import (
    BrowserClosed,
    BrowserLaunchFailed,
    BrowserNotFound,
    PlaywrightMissing,
    SignInTimeout,
)
from samlcreds.idp.browser.locate import BrowserChoice, find_browser
from samlcreds.idp.browser.profile import profile_dir, scrub_profile
from samlcreds.idp.browser.provider import DRIVERS, BrowserProvider, driver_for

__all__ = ["BrowserChoice", "BrowserClosed", "BrowserLaunchFailed", "BrowserNotFound", "BrowserProvider",
           "CaptureProxy", "DRIVERS", "PlaywrightMissing", "SignInTimeout", "driver_for", "find_browser",
           "profile_dir", "proxy_settings", "saml_response_from_body", "scrub_profile"]
