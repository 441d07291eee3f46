"""Finding the user's own Chrome, Chromium or Edge (never a download).

``saml_browser`` (or ``SAMLCREDS_BROWSER``) may be an executable path, a name
on PATH, or a channel name (``chrome``, ``msedge``, ``chrome-beta``...,
``chromium``). Without one: Chrome/Chromium/Edge on PATH or in the platform's
standard install locations, then (Playwright mode only) Playwright's own
Chromium when it is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass

from samlcreds.idp.base import how_to_give
from samlcreds.idp.browser.errors import BrowserNotFound

#: Playwright channel names (the browser must already be installed).
CHANNELS = ("chrome", "chrome-beta", "chrome-dev", "chrome-canary",
            "msedge", "msedge-beta", "msedge-dev", "msedge-canary")
#: Executable names looked up on PATH, in this order.
PATH_NAMES = ("google-chrome", "google-chrome-stable", "chromium", "chromium-browser",
              "microsoft-edge", "microsoft-edge-stable", "chrome", "msedge")
CHROMIUM_NAMES = ("chromium", "chromium-browser")
#: Standard install locations, per platform.
STANDARD_LOCATIONS = {
    "linux": ("/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome",
              "/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium",
              "/usr/bin/microsoft-edge", "/usr/bin/microsoft-edge-stable", "/opt/microsoft/msedge/msedge"),
    "darwin": ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
               "/Applications/Chromium.app/Contents/MacOS/Chromium",
               "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
               "~/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
               "~/Applications/Chromium.app/Contents/MacOS/Chromium",
               "~/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"),
    "win32": (r"%ProgramFiles%\Google\Chrome\Application\chrome.exe",
              r"%ProgramFiles(x86)%\Google\Chrome\Application\chrome.exe",
              r"%LocalAppData%\Google\Chrome\Application\chrome.exe",
              r"%ProgramFiles(x86)%\Microsoft\Edge\Application\msedge.exe",
              r"%ProgramFiles%\Microsoft\Edge\Application\msedge.exe",
              r"%LocalAppData%\Chromium\Application\chrome.exe"),
}
#: A channel's executable, for launching it without Playwright: PATH names, then
#: fragments of the standard locations that belong to it.
CHANNEL_EXECUTABLES = {
    "chrome": (("google-chrome", "google-chrome-stable"), ("Google Chrome.app", "google/chrome/chrome",
                                                          r"Google\Chrome\Application")),
    "chrome-beta": (("google-chrome-beta",), ("Google Chrome Beta.app", "google/chrome-beta/chrome")),
    "chrome-dev": (("google-chrome-unstable",), ("Google Chrome Dev.app", "google/chrome-unstable/chrome")),
    "chrome-canary": ((), ("Google Chrome Canary.app",)),
    "msedge": (("microsoft-edge", "microsoft-edge-stable"), ("Microsoft Edge.app", "microsoft/msedge/msedge",
                                                            r"Microsoft\Edge\Application")),
    "msedge-beta": (("microsoft-edge-beta",), ("Microsoft Edge Beta.app", "microsoft/msedge-beta/msedge")),
    "msedge-dev": (("microsoft-edge-dev",), ("Microsoft Edge Dev.app", "microsoft/msedge-dev/msedge")),
    "msedge-canary": ((), ("Microsoft Edge Canary.app",)),
}


@dataclass(frozen=True)
class BrowserChoice:
    """What to launch: an executable path or a Playwright channel; ``description`` for messages."""

    executable_path: str | None
    channel: str | None
    description: str


def find_browser(configured: str | None = None, *, origin: str | None = None, environ: dict | None = None,
                 bundled: str | None = None, platform: str | None = None) -> BrowserChoice:
    """Choose the browser.

    ``configured`` (``saml_browser``), else ``SAMLCREDS_BROWSER`` in ``environ``:
    an executable path, a name on PATH, or a channel (``chrome``, ``msedge``,
    ``chromium``; ``chromium`` means a system Chromium, else ``bundled``).
    Without one: Chrome/Chromium/Edge on PATH or in the platform's standard
    locations, then ``bundled`` (Playwright's own Chromium) when it exists.
    ``origin``: where ``configured`` came from (``--browser``, ``SAMLCREDS_BROWSER``,
    ``saml_browser in [profile P]``), named in errors. Raises :class:`BrowserNotFound`
    naming what was looked for.
    """
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    wanted = (configured or env.get("SAMLCREDS_BROWSER") or "").strip()
    if wanted:
        source = (origin or "saml_browser / SAMLCREDS_BROWSER") if configured else "SAMLCREDS_BROWSER"
        return _configured_browser(wanted, env, bundled, platform, source)
    looked: list[str] = []
    for name in PATH_NAMES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return BrowserChoice(found, None, found)
    looked.append("PATH (" + ", ".join(PATH_NAMES) + ")")
    for location in _standard_locations(platform, env):
        if _is_executable(location):
            return BrowserChoice(location, None, location)
        looked.append(location)
    if bundled and _is_executable(bundled):
        return BrowserChoice(bundled, None, f"Playwright's Chromium ({bundled})")
    looked.append("Playwright's bundled Chromium (not installed)" if bundled is not None else "")
    raise BrowserNotFound(
        "no Chrome, Chromium or Edge browser was found for the browser provider; looked in: "
        + "; ".join(x for x in looked if x),
        hint="Install Google Chrome, Chromium or Microsoft Edge, or point samlcreds at one: "
             "saml_browser = /path/to/chrome in the profile, --browser PATH, or SAMLCREDS_BROWSER.",
    )


def channel_executable(choice: BrowserChoice, *, environ: dict | None = None,
                       platform: str | None = None) -> str:
    """The executable to start for ``choice`` (a channel resolved to its installed binary).

    Raises :class:`BrowserNotFound` when the channel's browser is not installed.
    """
    if choice.executable_path:
        return choice.executable_path
    env = os.environ if environ is None else environ
    names, fragments = CHANNEL_EXECUTABLES.get(choice.channel or "", ((), ()))
    for name in names:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return found
    for location in _standard_locations(platform or sys.platform, env):
        if any(fragment in location for fragment in fragments) and _is_executable(location):
            return location
    raise BrowserNotFound(
        f"{choice.description} is not installed",
        hint="Install that browser, or set saml_browser to the path of an installed Chrome/Chromium/Edge. "
             "samlcreds never downloads a browser.",
    )


def _configured_browser(wanted: str, env, bundled: str | None, platform: str, source: str) -> BrowserChoice:
    if wanted.lower() == "chromium":
        for name in CHROMIUM_NAMES:
            found = shutil.which(name, path=env.get("PATH"))
            if found:
                return BrowserChoice(found, None, found)
        for location in _standard_locations(platform, env):
            if "chromium" in location.lower() and _is_executable(location):
                return BrowserChoice(location, None, location)
        if bundled and _is_executable(bundled):
            return BrowserChoice(bundled, None, f"Playwright's Chromium ({bundled})")
        give = how_to_give(source)
        raise BrowserNotFound(
            f"the browser 'chromium' ({source}) was not found on PATH or in the standard locations",
            hint=f"Install Chromium (e.g. apt-get install chromium), or {give[0].lower()}{give[1:]} a browser's path.",
        )
    if wanted.lower() in CHANNELS:
        return BrowserChoice(None, wanted.lower(), f"the installed {wanted.lower()}")
    path = os.path.expandvars(os.path.expanduser(wanted))
    if os.sep in path or (os.altsep and os.altsep in path):
        if _is_executable(path):
            return BrowserChoice(path, None, path)
        raise BrowserNotFound(
            f"the browser {wanted!r} ({source}) does not exist or is not executable",
            hint=f"{how_to_give(source)} the path of a Chrome/Chromium/Edge executable, or chrome, msedge or chromium.",
        )
    found = shutil.which(path, path=env.get("PATH"))
    if found:
        return BrowserChoice(found, None, found)
    raise BrowserNotFound(
        f"the browser {wanted!r} ({source}) is not a known channel "
        f"({', '.join(CHANNELS)}, chromium) and was not found on PATH",
        hint=f"{how_to_give(source)} the full path of a Chrome/Chromium/Edge executable.",
    )


def _standard_locations(platform: str, env) -> list[str]:
    key = "win32" if platform.startswith("win") else "darwin" if platform == "darwin" else "linux"
    out = []
    for location in STANDARD_LOCATIONS[key]:
        if key == "win32":
            location = re.sub(r"%([^%]+)%", lambda m: env.get(m.group(1), m.group(0)), location)
            if "%" in location:
                continue
        out.append(os.path.expanduser(location))
    return out


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
