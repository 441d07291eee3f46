"""The ``browser`` provider: pick the mode (no driver by default, Playwright for auto-fill) and run it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable, ClassVar, Iterable

from samlcreds import errors
from samlcreds.setting_values import BROWSER_DRIVERS as DRIVERS, browser_driver_for, parse_browser_driver
from samlcreds.idp.base import LoginRequest
from samlcreds.idp.browser.capture import CaptureProxy
from samlcreds.idp.browser.profile import PROFILE, ProfileLock, kill_profile_processes, profile_dir, scrub_profile

#: ``saml_browser_driver`` values (:data:`samlcreds.setting_values.BROWSER_DRIVERS`).
NATIVE, PLAYWRIGHT = DRIVERS


def driver_for(request: LoginRequest) -> str:
    """``native`` (the default) or ``playwright`` (asked for, or implied by auto-fill).

    Raises :class:`~samlcreds.errors.UsageError` for an unknown value and for
    auto-fill with ``native`` (filling a form needs a driver).
    """
    given = getattr(request, "browser_driver", None)
    try:
        wanted = parse_browser_driver(given) if given is not None else None
    except errors.UsageError as exc:
        raise errors.UsageError(f"{exc.message} (saml_browser_driver)", hint=exc.hint) from None
    return browser_driver_for(wanted, bool(request.autofill))


class BrowserProvider:
    """Signs in in the user's own browser and takes the SAMLResponse on loopback.

    ``on_request(url)`` (Playwright mode, tests): called with the URL of every
    request the driven browser makes. ``on_proxy(proxy)`` (default mode,
    tests): called with the running :class:`~.capture.CaptureProxy`.
    ``extra_args`` are appended to the browser's command line (never secrets).
    """

    METHOD: ClassVar[str] = "browser"
    STATE_NAMES: ClassVar[tuple[str, ...]] = (PROFILE,)

    def __init__(self, *, on_request: Callable[[str], None] | None = None,
                 on_proxy: Callable[[CaptureProxy], None] | None = None, extra_args: Iterable[str] = ()) -> None:
        self._on_request = on_request
        self._on_proxy = on_proxy
        self._extra_args = tuple(extra_args)

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """Return the base64 SAMLResponse the IdP made the browser post to AWS.

        Raises :class:`~.errors.BrowserNotFound`, :class:`~.errors.BrowserLaunchFailed`
        or :class:`~.errors.PlaywrightMissing` (usage); :class:`~samlcreds.errors.InteractionRequired`
        when the IdP needs the user and there is no terminal or display;
        :class:`~.errors.BrowserClosed`, :class:`~.errors.SignInTimeout`;
        Playwright mode also :class:`~samlcreds.errors.InvalidCredentials` (auto-fill)
        and :class:`~samlcreds.errors.IdpUnreachable`.
        """
        if not request.url:
            raise errors.UsageError("no IdP sign-in URL is configured",
                                    hint="Pass --url or set saml_url in the profile (samlcreds configure).")
        driver = driver_for(request)
        if driver == NATIVE:
            from samlcreds.idp.browser.locate import channel_executable, find_browser

            choice = find_browser(request.browser, origin=request.browser_origin)
            executable = channel_executable(choice)
        profile = profile_dir(request)
        temporary = profile is None
        if temporary:
            profile = Path(tempfile.mkdtemp(prefix="samlcreds-browser-"))
        else:
            from samlcreds.safefile import ensure_private_dir

            ensure_private_dir(profile.parent)
        try:
            with ProfileLock(profile):
                kill_profile_processes(profile)  # an earlier run killed before its own clean-up
                scrub_profile(profile)
                try:
                    if driver == NATIVE:
                        from samlcreds.idp.browser.native import NativeSignIn

                        return NativeSignIn(request, executable, choice.description, profile,
                                            extra_args=self._extra_args, on_proxy=self._on_proxy).run()
                    from samlcreds.idp.browser.driver import PlaywrightSignIn

                    return PlaywrightSignIn(request, profile, extra_args=self._extra_args,
                                            on_request=self._on_request).run()
                finally:
                    kill_profile_processes(profile)
                    scrub_profile(profile)
        finally:
            if temporary:
                shutil.rmtree(profile, ignore_errors=True)
