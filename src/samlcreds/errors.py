"""The one error root of samlcreds and its families.

Every error a user can cause or fix is a :class:`SamlcredsError`. Each family
carries the process exit code the CLI uses, an :class:`ExitCode` (the set is
documented in the README and in ``samlcreds --help``).

Messages never contain a password, a SAMLResponse or a secret key.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit statuses of ``samlcreds`` (126/127 follow the shells' convention for ``exec``)."""

    OK = 0
    #: unexpected error: a bug (the CLI prints a traceback)
    ERROR = 1
    #: a bad flag, setting or choice (also click's own usage errors)
    USAGE = 2
    #: signing in at the IdP failed or needs the user
    AUTHENTICATION = 3
    #: the SAMLResponse / assertion is unusable
    ASSERTION = 4
    #: STS refused the request or could not be reached
    STS = 5
    #: a local file or cache problem
    LOCAL_FILE = 6
    #: ``exec``: the command was found but cannot be run
    NOT_EXECUTABLE = 126
    #: ``exec``: the command was not found
    NOT_FOUND = 127
    #: interrupted (Ctrl-C)
    INTERRUPTED = 130


class SamlcredsError(Exception):
    """Root of every error samlcreds reports to a user.

    ``message`` says what is wrong; ``hint`` (optional) says what to do.
    """

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"

    def _render_traceback_(self) -> list[str]:
        """What IPython/Jupyter show instead of a traceback: the message and hint, short.

        (IPython's protocol for exceptions that render themselves.) These are
        errors a user can fix, not bugs: the CLI shows no traceback for them either.
        """
        return [f"{type(self).__name__}: {self}"]


# --- 2: usage -------------------------------------------------------------
class UsageError(SamlcredsError):
    """A flag, a setting or a choice is invalid."""

    exit_code = ExitCode.USAGE


class RoleSelectionError(UsageError):
    """The wanted role is not among those the assertion grants, or a choice is needed."""

    def __init__(self, message: str, *, roles=(), hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.roles = tuple(roles)


# --- 3: IdP authentication ------------------------------------------------
class AuthenticationError(SamlcredsError):
    """Signing in at the IdP failed."""

    exit_code = ExitCode.AUTHENTICATION


class InvalidCredentials(AuthenticationError):
    """The IdP showed its login form again after the password was sent."""

    #: True when the password is what the IdP refused (a stored password is then deleted).
    password_refused = True


class FactorRefused(InvalidCredentials):
    """The IdP refused something other than the password: a one-time code or the user name."""

    password_refused = False


class InteractionRequired(AuthenticationError):
    """Input from the user is needed but there is no terminal to ask on."""


class NotRefreshable(AuthenticationError):
    """Credentials that only the user can renew (from a pasted SAMLResponse) are expiring."""


class IdpUnreachable(AuthenticationError):
    """The IdP could not be reached, timed out or answered with a server error."""


class LoginFlowError(AuthenticationError):
    """The IdP's pages did not lead to a SAMLResponse (no form found, error page)."""


# --- 4: the assertion ------------------------------------------------------
class SamlAssertionError(SamlcredsError):
    """The SAMLResponse cannot be used; raised before any STS call."""

    exit_code = ExitCode.ASSERTION


class NotSamlResponse(SamlAssertionError):
    """The input is not a SAML 2.0 Response (e.g. an HTML login page)."""


class DamagedEncoding(SamlAssertionError):
    """The base64 was damaged in transit (``+`` turned into spaces)."""


class TruncatedSamlResponse(SamlAssertionError):
    """The base64 or the XML ends early: the SAMLResponse was cut off."""


class AssertionTooLarge(SamlAssertionError):
    """The base64 SAMLResponse is over AWS's 100,000 character limit."""


class UnsafeXml(SamlAssertionError):
    """The XML carries a DTD or entity declarations, which SAML forbids."""


class StatusNotSuccess(SamlAssertionError):
    """The IdP's Response carries a non-Success StatusCode."""


class NoRoleAttribute(SamlAssertionError):
    """The assertion has no ``https://aws.amazon.com/SAML/Attributes/Role`` attribute."""


class AttributeNameCase(SamlAssertionError):
    """An AWS attribute name is spelled in the wrong letter case."""


class BadRoleValue(SamlAssertionError):
    """A Role attribute value is not exactly one role ARN and one provider ARN."""


class BadRoleSessionName(SamlAssertionError):
    """RoleSessionName is missing or breaks AWS's rule."""


class EncryptedAssertion(SamlAssertionError):
    """The assertion is encrypted for AWS: its roles cannot be read locally."""


# --- 5: STS ---------------------------------------------------------------
class StsError(SamlcredsError):
    """STS refused AssumeRoleWithSAML; ``code`` and ``request_id`` are AWS's."""

    exit_code = ExitCode.STS

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        aws_message: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.request_id = request_id
        self.aws_message = aws_message


class StsUnreachable(StsError):
    """The STS endpoint could not be reached."""


# --- 6: local files --------------------------------------------------------
class LocalFileError(SamlcredsError):
    """A local file (config, credentials, cache) cannot be read or written."""

    exit_code = ExitCode.LOCAL_FILE


class FileParseError(LocalFileError):
    """An AWS ini file does not parse; nothing was changed."""


def not_utf8(path, line: int) -> FileParseError:
    """The error for an AWS ini file at ``path`` that is not UTF-8 from ``line`` (1-based) on: botocore
    reads it in the locale's encoding (configparser's default), UTF-8 on current systems, and fails too."""
    return FileParseError(f"{path} is not UTF-8 text (line {line}); botocore cannot read it either",
                          hint="Save the file as UTF-8.")


class CacheError(LocalFileError):
    """The credential cache or its lock is unusable."""


def pip_install_command(requirement: str) -> str:
    """The command installing ``requirement`` (an optional dependency, as pyproject's extras name it)
    into the Python running samlcreds: ``/path/to/python -m pip install 'keyring>=24'``."""
    import shlex
    import sys

    return f"{shlex.quote(sys.executable or 'python3')} -m pip install {shlex.quote(requirement)}"
