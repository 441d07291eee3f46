"""Peers installed from PyPI into their own venvs under a temporary directory.

:func:`awsprocesscreds` builds a venv with ``pip install awsprocesscreds``
(the AWS CLI team's SAML credential_process, 0.0.2) and a launcher for it.

The launcher runs awsprocesscreds' own CLI (``awsprocesscreds.cli.saml``) with
adaptations to the sandbox IdP (SimpleSAMLphp's login form), neither of
which changes what it imports or does per request: its ``adfs`` form
authenticator is told the form's field names (``username``/``password``
instead of ADFS's ``ctl00$...``), and the form's relative action (``?``) is
resolved against the page that holds the form, as a browser does, instead of
against the configured endpoint (and a hidden input without a name is
skipped instead of raising ``KeyError``). The password is read from stdin (its
``getpass`` prompter needs a terminal).
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

LAUNCHER = '''\
import sys

from awsprocesscreds import cli, saml
from botocore.compat import urljoin

Auth = saml.ADFSFormsBasedAuthenticator
Auth.USERNAME_FIELD, Auth.PASSWORD_FIELD = "username", "password"


def _retrieve_login_form_from_endpoint(self, endpoint):  # theirs, but the action joined to the page's URL
    response = self._requests_session.get(endpoint, verify=True)
    self._assert_non_error_response(response)
    form = self._parse_form_from_html(response.text)
    if form is None:
        raise saml.SAMLError(self._ERROR_NO_FORM % endpoint)
    action = urljoin(response.url, form.attrib.get("action", ""))
    if not action.lower().startswith("https://"):
        raise saml.SAMLError("Your SAML IdP must use HTTPS connection")
    fields = form.findall(".//input")
    return action, {tag.attrib["name"]: tag.attrib.get("value", "") for tag in fields if "name" in tag.attrib}


Auth._retrieve_login_form_from_endpoint = _retrieve_login_form_from_endpoint
cli.saml(prompter=lambda prompt: sys.stdin.readline().rstrip("\\n"))
'''


def awsprocesscreds(directory: Path) -> list[str]:
    """Install awsprocesscreds into ``directory``/awsprocesscreds; returns the command to run it."""
    home = Path(directory) / "awsprocesscreds"
    venv.EnvBuilder(with_pip=True).create(home)
    python = home / "bin" / "python"
    out = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "awsprocesscreds"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"pip install awsprocesscreds failed:\n{out.stderr[-3000:]}")
    # bytecode for everything installed, as pip writes it (also when PYTHONDONTWRITEBYTECODE is set)
    subprocess.run([str(python), "-m", "compileall", "-q", *_site_packages(python)], check=True,
                   stdout=subprocess.DEVNULL)
    launcher = home / "awsprocesscreds-sandbox.py"
    launcher.write_text(LAUNCHER)
    return [str(python), str(launcher)]


def _site_packages(python: Path) -> list[str]:
    code = "import site, sys; print('\\n'.join(site.getsitepackages()))"
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    return out.stdout.split()


if __name__ == "__main__":  # pragma: no cover - manual check
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(awsprocesscreds(Path(tmp)), file=sys.stderr)
