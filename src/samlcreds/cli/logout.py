"""``samlcreds logout``: forget cached credentials and IdP sessions."""

from __future__ import annotations

import shutil

import click

from samlcreds import config, credfile, errors, idpaccounts, paths, written
from samlcreds.cache import CredentialCache
from samlcreds.cli.terminal import info
from samlcreds.idp.base import forget_saved_state, remove_saved_state, saved_sessions
from samlcreds.profile import quote_word
from samlcreds.cli.options import complete_profiles


@click.command(epilog="""\b
Examples:
  samlcreds logout --profile work
  samlcreds logout --profile work --forget-password
  samlcreds logout --profile br --url https://idp.example.com/sso --username alice
  samlcreds logout --all
""")
@click.option("--profile", "-p", shell_complete=complete_profiles,
               help="Forget this profile's cached credentials and IdP session.")
@click.option("--url", help="With --profile: the IdP SSO URL it signed in with, when not its saml_url "
              "(as given to login --url).")
@click.option("--username", "-u", help="With --profile: the IdP user name it signed in as, when not its "
              "saml_username (as given to login --username).")
@click.option("--all", "everything", is_flag=True, help="Forget every cached credential and IdP session.")
@click.option("--forget-password", is_flag=True,
              help="Also delete the IdP password stored in the OS keyring (of --profile, or of every profile with --all).")
def logout(profile, url, username, everything, forget_password):
    """Delete cached credentials, saved IdP sessions (cookies, browser profiles) and the temporary
    credentials samlcreds wrote into the credentials file.

    Only keys samlcreds wrote are removed from the credentials file, and only
    while they are still the ones it wrote; long-term keys are never touched.
    A saved IdP session belongs to the IdP user and host, so forgetting a
    profile's signs out every profile with that user and IdP.
    """
    if not profile and not everything:
        raise errors.UsageError("pass --profile NAME or --all")
    if everything and (url or username):
        raise errors.UsageError("--url and --username go with --profile",
                                hint="logout --all forgets every IdP session, whatever its URL and user.")
    cache = CredentialCache(paths.credentials_cache_dir())
    sessions = paths.sessions_dir()
    if everything:
        keys = cache.keys()  # before clearing: the IdP accounts of sign-ins made with flags, for --forget-password
        removed = cache.clear()
        saved = sum(remove_saved_state(path) for path in saved_sessions(sessions))  # a .lock file is none
        if sessions.is_dir():
            shutil.rmtree(sessions, ignore_errors=True)  # what is left holds no session (lock files)
        taken = [name for name in written.profiles(credfile.credentials_path()) if _take_back(name)]
        forgotten = _forget_all_passwords(keys) if forget_password else 0
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
    _logout_profile(config.resolve(profile, url=url, username=username), cache, sessions, forget_password)


def _logout_profile(settings: config.Settings, cache: CredentialCache, sessions, forget_password: bool) -> None:
    """``logout --profile``: the profile's cached credentials, the sessions of the IdP accounts it signs
    in with (:mod:`samlcreds.idpaccounts`) and what samlcreds wrote into its credentials-file section."""
    profile = settings.profile
    keys = cache.keys()  # before clearing: they record the IdP accounts of sign-ins made with flags
    accounts = idpaccounts.of_profile(settings, keys)
    removed = cache.clear(profile)
    ended = [account for account in accounts if forget_saved_state(account.url, account.username, sessions)]
    took_back = _take_back(profile)
    if removed or took_back:
        info(f"Removed {removed} cached credential(s) of profile {profile}"
             + (f", and its temporary credentials from {credfile.credentials_path()}" if took_back else "") + ".")
    others_keys = [key for key in keys if key.get("profile") != profile]
    for account in ended:
        others = idpaccounts.sharing(account, profile, others_keys)
        info(f"Deleted the IdP session of {account.describe()}, which every profile with that user and IdP "
             "shares" + (f": {', '.join(others)} must sign in again too." if others else "."))
    if not removed and not ended and not took_back:
        info(f"Nothing to remove: profile {profile} had no cached credentials, "
             + ("no saved IdP session and " if accounts else "") + "no credentials samlcreds wrote.")
    left = len(saved_sessions(sessions))
    if not ended and left:
        info(_sessions_left(profile, accounts, left))
    if forget_password:
        _forget_passwords(profile, accounts)


def _sessions_left(profile: str, accounts: list, left: int) -> str:
    """What to say when no session of ``profile`` was deleted while ``left`` saved sessions remain."""
    source = config.read_profile(profile).get("source_profile", "").strip()
    if source:
        return (f"note: profile {profile} assumes its role with the credentials of profile {source}, whose IdP "
                f"session it uses: to end that session, run samlcreds logout --profile {quote_word(source)}")
    how = (f"pass the --url and --username it signed in with: samlcreds logout --profile {quote_word(profile)} "
           "--url URL --username USER, or forget every IdP session: samlcreds logout --all.")
    if not accounts:
        return (f"warning: samlcreds cannot tell which IdP session profile {profile} signed in with (no --url, "
                f"no SAMLCREDS_URL, no saml_url in the profile and no cached credentials record one), so it "
                f"deleted none; {left} saved IdP session(s) remain. To sign out, " + how)
    names = " or ".join(account.describe() for account in accounts)
    return (f"note: there was no saved IdP session of {names}; {left} saved IdP session(s) of other users or "
            f"IdPs remain. If profile {profile} signed in with another IdP URL or user name, " + how)


def _forget_passwords(profile: str, accounts: list) -> None:
    """Delete the stored IdP password of each of ``accounts`` (those with a user name)."""
    from samlcreds import keyring_store

    named = [account for account in accounts if account.username]
    if not named:
        info(f"No IdP password deleted: samlcreds cannot tell which IdP user profile {profile} signs in as; "
             "pass the --url and --username it signed in with.")
    for account in named:
        if keyring_store.delete(account.url, account.username):
            info(f"Deleted the IdP password of {account.describe()} from the OS keyring.")
        else:
            info(f"No IdP password of {account.describe()} was stored in the OS keyring.")


def _take_back(profile: str) -> bool:
    """Remove what samlcreds wrote into ``[profile]`` of the credentials file; True if it did."""
    path = credfile.credentials_path()
    outcome = written.remove(path, profile)
    if outcome == "changed":
        info(f"note: [{profile}] in {path} holds keys samlcreds did not write; left as they are.")
    return outcome == "removed"


def _forget_all_passwords(cache_keys: list) -> int:
    """Delete the stored password of every IdP account with a user name that a config profile names or
    cached credentials (``cache_keys``) were signed in with; returns how many were stored."""
    from samlcreds import keyring_store
    from samlcreds.profile import profile_names

    accounts = [idpaccounts.IdpAccount(key.get("url") or "", key.get("username") or "") for key in cache_keys]
    for name in profile_names():
        settings = config.resolve(name)
        accounts.append(idpaccounts.IdpAccount(settings.url or "", settings.username or ""))
    unique = {(account.host, account.username): account for account in accounts if account.host and account.username}
    return sum(keyring_store.delete(account.url, account.username) for account in unique.values())
