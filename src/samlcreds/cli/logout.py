"""``samlcreds logout``: forget cached credentials and IdP sessions."""

from __future__ import annotations

import shutil

import click

from samlcreds import config, errors, paths
from samlcreds.cache import CredentialCache
from samlcreds.cli.terminal import info


@click.command(epilog="""\b
Examples:
  samlcreds logout --profile work
  samlcreds logout --all
""")
@click.option("--profile", "-p", help="Forget this profile's cached credentials and IdP session.")
@click.option("--all", "everything", is_flag=True, help="Forget every cached credential and IdP session.")
def logout(profile, everything):
    """Delete cached credentials and saved IdP sessions (cookies, browser profiles)."""
    if not profile and not everything:
        raise errors.UsageError("pass --profile NAME or --all")
    cache = CredentialCache(paths.credentials_cache_dir())
    sessions = paths.sessions_dir()
    if everything:
        removed = cache.clear()
        saved = sum(1 for _ in sessions.iterdir()) if sessions.is_dir() else 0
        if sessions.is_dir():
            shutil.rmtree(sessions, ignore_errors=True)
        if not removed and not saved:
            info("Nothing to remove: there were no cached credentials and no saved IdP sessions.")
        else:
            info(f"Removed {removed} cached credential(s) and {saved} saved IdP session(s).")
        return
    settings = config.resolve(profile)
    removed = cache.clear(settings.profile)
    cleared = 0
    if sessions.is_dir():
        from samlcreds.idp.base import LoginRequest
        from samlcreds.idp.form import cookie_jar_path

        jar = cookie_jar_path(LoginRequest(url=settings.url, username=settings.username, state_dir=sessions))
        if jar is not None and jar.exists():
            jar.unlink()
            cleared += 1
        browser_profile = _browser_profile(settings, sessions)
        if browser_profile is not None and browser_profile.exists():
            shutil.rmtree(browser_profile, ignore_errors=True)
            cleared += 1
    if not removed and not cleared:
        info(f"Nothing to remove: profile {settings.profile} had no cached credentials and no saved IdP session.")
    else:
        info(f"Removed {removed} cached credential(s) and {cleared} IdP session(s) of profile {settings.profile}.")


def _browser_profile(settings, sessions):
    try:
        from samlcreds.idp import browser
    except ImportError:
        return None
    finder = getattr(browser, "profile_dir", None)
    if finder is None or not settings.url:
        return None
    from samlcreds.idp.base import LoginRequest

    return finder(LoginRequest(url=settings.url, username=settings.username, state_dir=sessions))
