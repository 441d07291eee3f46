"""``samlcreds logout``: forget cached credentials and IdP sessions."""

from __future__ import annotations

import shutil

import click

from samlcreds import config, credfile, errors, paths, written
from samlcreds.cache import CredentialCache
from samlcreds.cli.terminal import info
from samlcreds.idp.base import forget_saved_state, remove_saved_state, saved_sessions


@click.command(epilog="""\b
Examples:
  samlcreds logout --profile work
  samlcreds logout --profile work --forget-password
  samlcreds logout --all
""")
@click.option("--profile", "-p", help="Forget this profile's cached credentials and IdP session.")
@click.option("--all", "everything", is_flag=True, help="Forget every cached credential and IdP session.")
@click.option("--forget-password", is_flag=True,
              help="Also delete the IdP password stored in the OS keyring (of --profile, or of every profile with --all).")
def logout(profile, everything, forget_password):
    """Delete cached credentials, saved IdP sessions (cookies, browser profiles) and the temporary
    credentials samlcreds wrote into the credentials file.

    Only keys samlcreds wrote are removed from the credentials file, and only
    while they are still the ones it wrote; long-term keys are never touched.
    """
    if not profile and not everything:
        raise errors.UsageError("pass --profile NAME or --all")
    cache = CredentialCache(paths.credentials_cache_dir())
    sessions = paths.sessions_dir()
    if everything:
        removed = cache.clear()
        saved = sum(remove_saved_state(path) for path in saved_sessions(sessions))  # a .lock file is none
        if sessions.is_dir():
            shutil.rmtree(sessions, ignore_errors=True)  # what is left holds no session (lock files)
        taken = [name for name in written.profiles(credfile.credentials_path()) if _take_back(name)]
        forgotten = _forget_all_passwords() if forget_password else 0
        done = [f"{removed} cached credential(s)"] if removed else []
        done += [f"{saved} saved IdP session(s)"] if saved else []
        done += [f"the credentials samlcreds wrote to profile(s) {', '.join(taken)}"] if taken else []
        done += [f"{forgotten} stored password(s)"] if forgotten else []
        if not done:
            info("Nothing to remove: there were no cached credentials, saved IdP sessions"
                 + (", stored passwords" if forget_password else "") + " or credentials samlcreds wrote.")
        else:
            info("Removed " + ", ".join(done) + ".")
        return
    settings = config.resolve(profile)
    removed = cache.clear(settings.profile)
    cleared = forget_saved_state(settings.url, settings.username, sessions)
    took_back = _take_back(settings.profile)
    if not removed and not cleared and not took_back:
        info(f"Nothing to remove: profile {settings.profile} had no cached credentials, no saved IdP session "
             "and no credentials samlcreds wrote.")
    else:
        info(f"Removed {removed} cached credential(s) and {cleared} IdP session(s) of profile {settings.profile}"
             + (f", and its temporary credentials from {credfile.credentials_path()}" if took_back else "") + ".")
    if forget_password:
        from samlcreds import keyring_store

        if keyring_store.delete(settings.url, settings.username):
            info(f"Deleted the IdP password of {settings.username} from the OS keyring.")
        else:
            info("No IdP password of this profile was stored in the OS keyring.")


def _take_back(profile: str) -> bool:
    """Remove what samlcreds wrote into ``[profile]`` of the credentials file; True if it did."""
    path = credfile.credentials_path()
    outcome = written.remove(path, profile)
    if outcome == "changed":
        info(f"note: [{profile}] in {path} holds keys samlcreds did not write; left as they are.")
    return outcome == "removed"


def _forget_all_passwords() -> int:
    """Delete the stored password of every config profile with an IdP URL and user name."""
    import configparser

    from samlcreds import keyring_store

    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(config.config_path())
    except configparser.Error:
        return 0
    seen, count = set(), 0
    for section in parser.sections():
        name = config.profile_of_section(section)
        if name is None:
            continue
        settings = config.resolve(name)
        if (settings.url, settings.username) in seen:
            continue
        seen.add((settings.url, settings.username))
        count += keyring_store.delete(settings.url, settings.username)
    return count

