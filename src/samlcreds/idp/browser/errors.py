"""The browser provider's errors (subclasses of :mod:`samlcreds.errors`, so the CLI words them and picks the exit code)."""

from __future__ import annotations

from samlcreds import errors


class PlaywrightMissing(errors.UsageError):
    """The Playwright mode was asked for, but the ``playwright`` package is not installed."""


class BrowserNotFound(errors.UsageError):
    """No Chrome/Chromium/Edge was found (nothing is downloaded)."""


class BrowserLaunchFailed(errors.UsageError):
    """The browser was found but did not start (or handed the sign-in to another running browser)."""


class BrowserClosed(errors.AuthenticationError):
    """The browser window (or the browser) was closed before the sign-in finished."""


class SignInTimeout(errors.AuthenticationError):
    """No SAMLResponse arrived within the timeout."""


class NeedsUser(Exception):
    """Internal: the headless attempt ended without a SAMLResponse; the IdP wants the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
