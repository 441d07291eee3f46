"""Google Workspace as the SAML IdP for AWS.

Google Workspace signs users in to AWS through a "custom SAML app". Its
IdP-initiated sign-in URL is built from two IDs, which a Workspace admin finds
in the Google Admin console (admin.google.com):

* the **IdP id** (``idpid``): *Apps → Web and mobile apps →* the AWS SAML app
  *→ Download metadata* (or *Security → Authentication → SSO with SAML
  applications*). The *SSO URL* shown there is
  ``https://accounts.google.com/o/saml2/idp?idpid=C0xxxxxxx``; the value after
  ``idpid=`` is the IdP id. It is the same for every SAML app of the domain.
* the **SP id** (``spid``): open the AWS SAML app in *Apps → Web and mobile
  apps*; the SP id is the app's service ID in that page's URL in the Admin
  console (the ``service``/``…/samlapp/…`` part). The app's "Test SAML login"
  link and the user's app launcher link carry the same value as ``spid=``.

Use the resulting URL with the ``browser`` provider (Google's sign-in needs
JavaScript): ``samlcreds configure --provider browser --google-idp-id C0xxxxxxx
--google-sp-id 123456789012``.
"""

from __future__ import annotations

import urllib.parse

GOOGLE_INITSSO = "https://accounts.google.com/o/saml2/initsso"


def google_sso_url(idp_id: str, sp_id: str) -> str:
    """The IdP-initiated sign-in URL of a Google Workspace SAML app.

    ``https://accounts.google.com/o/saml2/initsso?idpid=IDP&spid=SP&forceauthn=false``
    with both IDs url-quoted. Raises :class:`ValueError` when an ID is empty.
    See the module docstring for where an admin finds the two IDs.
    """
    idp = (idp_id or "").strip()
    sp = (sp_id or "").strip()
    if not idp or not sp:
        raise ValueError("both the Google IdP id (idpid) and SP id (spid) are needed")
    query = urllib.parse.urlencode({"idpid": idp, "spid": sp, "forceauthn": "false"},
                                   quote_via=urllib.parse.quote)
    return f"{GOOGLE_INITSSO}?{query}"
