"""The ``paste`` provider: a SAMLResponse the user copied, from a file or stdin.

The manual recipe (copy the SAMLResponse from the browser's developer tools)
with nothing else copied by hand.
"""

from __future__ import annotations

from typing import ClassVar

from samlcreds import errors
from samlcreds.idp.base import LoginRequest


class PasteProvider:
    """Reads the SAMLResponse from ``request.saml_file`` or ``request.read_input()``."""

    METHOD: ClassVar[str] = "paste"
    STATE_NAMES: ClassVar[tuple[str, ...]] = ()

    def fetch_saml_response(self, request: LoginRequest) -> str:
        """The text as given (decoding happens in :mod:`samlcreds.saml`).

        Raises :class:`~samlcreds.errors.UsageError` for an unreadable file.
        """
        if request.saml_file is not None:
            try:
                return request.saml_file.read_bytes().decode("utf-8", "replace")
            except OSError as exc:
                raise errors.UsageError(f"cannot read {request.saml_file}: {exc.strerror}") from None
        return request.read_input()
