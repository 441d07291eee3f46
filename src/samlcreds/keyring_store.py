"""The IdP password in the OS keyring (the optional ``keyring`` package: ``samlcreds[keyring]``).

Entries are keyed by the IdP host and the user name: service
``samlcreds:<host>``, user name as given. A password is stored only after a
sign-in it succeeded with, and only when asked (``saml_remember_password =
true`` or ``--remember-password``). A stored password the IdP refuses is
deleted at once and never tried again: retrying a stale stored password is
how keyring integrations lock accounts (gimme-aws-creds#295).

Providers never see this module: :class:`KeyringPassword` wraps the
``get_password`` callable of a :class:`~samlcreds.idp.base.LoginRequest`,
and :func:`samlcreds.flow.fetch_assertion` calls its ``succeeded()`` /
``refused(exc)`` hooks. The keyring is only opened when the IdP actually asks
for a password (never on the credential cache-hit path: some keyrings take
seconds to answer).
"""

from __future__ import annotations

import logging
from typing import Callable

from samlcreds import errors

SERVICE_PREFIX = "samlcreds:"
log = logging.getLogger(__name__)  # never given a password
#: Where the README explains the keyring (its section's title).
README = "the README's section \"The IdP password in the OS keyring\""


def service_name(url: str | None) -> str | None:
    """``samlcreds:<IdP host[:port]>`` for an IdP URL (:func:`samlcreds.idp.base.idp_host`: no
    ``user:password@``, which keyring listings would show), or ``None`` without a host."""
    from samlcreds.idp.base import idp_host

    host = idp_host(url)
    return SERVICE_PREFIX + host if host else None


def _keyring():
    try:
        import keyring
    except ImportError:
        raise errors.UsageError("remembering the IdP password needs the keyring package, which is not installed",
                                hint="Install it into the Python samlcreds runs on: "
                                     f"{errors.pip_install_command('keyring>=24')} "
                                     "(what the samlcreds[keyring] extra installs).") from None
    return keyring


def _store_failed_hint(exc: Exception) -> str:
    """What to do when the keyring refused to store: no backend at all, or one that said no."""
    if type(exc).__name__ == "NoKeyringError":  # keyring.errors.NoKeyringError: no backend found
        return ("No OS keyring is reachable from this session: on Linux a Secret Service (gnome-keyring, "
                "KWallet, KeePassXC) must be running and unlocked on the session D-Bus "
                "(DBUS_SESSION_BUS_ADDRESS; often missing over ssh or in a container), on macOS the login "
                f"Keychain. See {README}.")
    return ("Check that the keyring (Secret Service, Keychain, Credential Manager) is running and unlocked, "
            f"then sign in again with --remember-password. See {README}.")


def get(url: str | None, username: str | None) -> str | None:
    """The stored password, or ``None`` (none stored, no keyring package or backend, keyring errors)."""
    service = service_name(url)
    if not service or not username:
        return None
    try:
        return _keyring().get_password(service, username)
    except Exception as exc:  # noqa: BLE001 - keyring backends raise many kinds; a miss either way
        log.debug("no password from the keyring: %s", type(exc).__name__)
        return None


def store(url: str | None, username: str | None, password: str) -> None:
    """Store ``password`` for the IdP host of ``url`` and ``username``.

    Raises :class:`~samlcreds.errors.UsageError` without the keyring package
    and :class:`~samlcreds.errors.LocalFileError` when the keyring refuses.
    """
    service = service_name(url)
    if not service or not username:
        raise errors.UsageError("remembering the password needs the IdP URL and a user name (saml_username)")
    keyring = _keyring()
    try:
        keyring.set_password(service, username, password)
    except Exception as exc:  # noqa: BLE001 - keyring.errors.* and backend errors
        raise errors.LocalFileError(f"the OS keyring did not store the password ({type(exc).__name__})",
                                    hint=_store_failed_hint(exc)) from None


def delete(url: str | None, username: str | None) -> bool:
    """Delete the stored password; ``True`` if there was one. Never raises for a missing entry."""
    service = service_name(url)
    if not service or not username:
        return False
    try:
        keyring = _keyring()
    except errors.UsageError:
        return False
    try:
        if keyring.get_password(service, username) is None:
            return False
        keyring.delete_password(service, username)
        return True
    except Exception as exc:  # noqa: BLE001 - PasswordDeleteError, backend errors
        log.debug("could not delete the stored password: %s", type(exc).__name__)
        return False


class KeyringPassword:
    """A ``get_password(prompt)`` that tries the keyring first, once.

    ``ask``: the real prompt (terminal, stdin...). ``use_stored``: try the
    keyring (off when the user gives a password, e.g. ``--password-stdin``).
    ``remember``: store the typed password after the sign-in succeeded.
    ``notify(message)``: tells the user what happened (never the password).
    ``unstored``: when set (``--remember-password`` was asked for), why no
    password was typed in this sign-in, said when nothing could be stored.
    """

    def __init__(self, ask: Callable[[str], str], *, url: str | None, username: str | None,
                 remember: bool = False, use_stored: bool = True,
                 notify: Callable[[str], None] = lambda message: None, unstored: str | None = None) -> None:
        self.ask = ask
        self.url, self.username = url, username
        self.remember, self.use_stored, self.notify = remember, use_stored, notify
        self.unstored = unstored
        self.from_keyring = False
        self._tried_stored = False
        self._typed: str | None = None

    def __call__(self, prompt: str) -> str:
        if self.use_stored and not self._tried_stored:
            self._tried_stored = True
            stored = get(self.url, self.username)
            if stored:
                self.from_keyring = True
                log.debug("using the IdP password stored in the OS keyring")
                return stored
        self._typed = self.ask(prompt)
        return self._typed

    def succeeded(self) -> None:
        """The sign-in succeeded: store a typed password if asked to (or say why nothing was stored)."""
        if not self.remember or self.from_keyring:
            return
        if self._typed is None:
            if self.unstored:
                self.notify(f"note: nothing was stored in the OS keyring: {self.unstored}")
            return
        try:
            store(self.url, self.username, self._typed)
        except errors.SamlcredsError as exc:
            self.notify(f"samlcreds: warning: {exc.message}" + (f"\n  {exc.hint}" if exc.hint else ""))
            return
        self.notify(f"Stored the IdP password of {self.username} in the OS keyring.")

    def refused(self, exc: errors.SamlcredsError) -> errors.SamlcredsError:
        """The IdP refused a password: delete a stored one now; returns the error to raise."""
        if not self.from_keyring:
            return exc
        deleted = delete(self.url, self.username)
        self.from_keyring = False
        if deleted:
            return errors.InvalidCredentials(
                f"{exc.message}; it was the password stored in the OS keyring, which samlcreds has deleted "
                "and will not try again",
                hint="Sign in with your current password (add --remember-password to store it).")
        return errors.InvalidCredentials(
            f"{exc.message}; it was the password stored in the OS keyring, and deleting it failed",
            hint="Remove it with 'samlcreds logout --profile PROFILE --forget-password' before signing in again.")
