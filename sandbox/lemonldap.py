"""A second, independently written SAML IdP for tests: LemonLDAP::NG 2.16 (Perl + Lasso) under ``plackup``.

:class:`LemonLdapIdp` writes a complete LemonLDAP::NG configuration into a
work directory (selected with ``LLNG_DEFAULTCONFFILE``; nothing under /etc or
/var/lib is touched): an ini naming a ``File`` configuration backend,
``lmConf-1.json`` written here, a fresh RSA signing key and certificate from
``openssl``, file session stores, and an ``app.psgi`` that serves the portal
plus its ``/static`` and ``/javascript`` files with ``plackup`` on 127.0.0.1.

What it serves, as a real deployment would for AWS:

* the ``Demo`` authentication backend: users ``dwho``, ``rtyler``, ``msmith``,
  each with the password equal to the user name (LemonLDAP's own rule);
* the SAML issuer, with AWS's SP (``urn:amazon:webservices``, ACS
  ``https://signin.aws.amazon.com/saml`` or another) and IdP-initiated SSO at
  :attr:`LemonLdapIdp.sso_url` (``/saml/singleSignOn?IDPInitiated=1&spConfKey=aws``);
* signed Response and Assertion, attributes ``Role`` (several values: a
  ``;``-separated macro split by ``multiValuesSeparator``), ``RoleSessionName``
  (the user's mail) and ``SessionDuration`` in the ``uri`` NameFormat;
* TOTP as second factor (``totp2fActivation``) for the users given a
  ``totp_secret``: their device is written into their persistent session at
  start, and the portal then asks for a code (form field ``code`` posted to
  ``/totp2fcheck``) after the password.

Its log (:attr:`LemonLdapIdp.log_path`, LemonLDAP's ``Std`` logger on stderr,
level ``notice``) is what :meth:`LemonLdapIdp.failed_logins`,
:meth:`LemonLdapIdp.failed_codes` and :meth:`LemonLdapIdp.login_count` read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import requests
from lxml import html as lxml_html

from sandbox import lemonldap_conf as conf
from sandbox.idp import (ACCOUNT_A, ACCOUNT_B, ACS_GLOBAL, ATTR_ROLE, ATTR_SESSION_DURATION, ATTR_SESSION_NAME,
                         IdpError, IdpLoginError, free_port, provider_arn, role_arn)
from sandbox.server import ServerProcess

LLNG_PERL = Path("/usr/share/perl5/Lemonldap/NG/Portal/Main.pm")
PROVIDER_NAME = "LemonLdapIdP"
#: The Demo backend's users; each one's password is the user name.
DEMO_USERS = ("dwho", "rtyler", "msmith")
#: dwho's TOTP secret in the default users (base32, as ``oathtool --totp -b`` takes it).
DWHO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_DEMO_MAIL = {"dwho": "dwho@badwolf.org", "rtyler": "rtyler@badwolf.org", "msmith": "msmith@badwolf.org"}

def default_users(session_duration: int = 3600, provider_name: str = PROVIDER_NAME) -> dict:
    """The Demo backend's three users with AWS roles; ``dwho`` also has TOTP.

    Structure as :func:`sandbox.idp.default_users` (``{user: {"password", "attributes"}}``) plus
    ``"totp_secret"`` (base32) for a user with a TOTP device:

    * dwho / dwho + TOTP :data:`DWHO_TOTP_SECRET`: 111…:role/Developer and 222…:role/Auditor;
    * rtyler / rtyler: 111…:role/ReadOnly;
    * msmith / msmith: 111…:role/Developer and 111…:role/team/ops/Admin (``provider,role`` order).
    """
    pa, pb = provider_arn(ACCOUNT_A, provider_name), provider_arn(ACCOUNT_B, provider_name)

    def user(name: str, roles: list[str], **extra) -> dict:
        return {"password": name, **extra, "attributes": {
            ATTR_ROLE: roles, ATTR_SESSION_NAME: [_DEMO_MAIL[name]], ATTR_SESSION_DURATION: [str(session_duration)]}}

    return {
        "dwho": user("dwho", [f"{role_arn(ACCOUNT_A, 'Developer')},{pa}", f"{role_arn(ACCOUNT_B, 'Auditor')},{pb}"],
                     totp_secret=DWHO_TOTP_SECRET),
        "rtyler": user("rtyler", [f"{role_arn(ACCOUNT_A, 'ReadOnly')},{pa}"]),
        "msmith": user("msmith", [f"{role_arn(ACCOUNT_A, 'Developer')},{pa}",
                                  f"{pa},{role_arn(ACCOUNT_A, 'team/ops/Admin')}"]),
    }


def check_prerequisites() -> list[str]:
    """Human-readable problems (empty when plackup, LemonLDAP::NG's portal and openssl are installed)."""
    problems = []
    for tool, package in (("plackup", "libplack-perl"), ("perl", "perl"), ("openssl", "openssl")):
        if shutil.which(tool) is None:
            problems.append(f"'{tool}' not found on PATH (apt-get install {package})")
    if not LLNG_PERL.exists() or not conf.LLNG_TEMPLATES.is_dir():
        problems.append("LemonLDAP::NG's portal is not installed (apt-get install --no-install-recommends "
                        "liblemonldap-ng-portal-perl lemonldap-ng-fastcgi-server liblasso-perl; see the Makefile)")
    return problems


class LemonLdapIdp(ServerProcess):
    """LemonLDAP::NG 2.16 portal and SAML IdP under ``plackup --host 127.0.0.1``.

    Same interface as :class:`sandbox.idp.SimpleSamlIdp` where the STS setup
    and the tests need it: ``users``, ``provider_name``, ``metadata_xml``,
    ``entity_id``, ``sso_url``, ``base_url``, ``cert_pem``, ``start()``,
    ``stop()``, ``login_count(user)``. ``users`` keys must be Demo users
    (:data:`DEMO_USERS`); their passwords are their names whatever is given.
    """

    def __init__(self, workdir: Path, *, port: int = 0, acs_url: str = ACS_GLOBAL, users: dict | None = None,
                 session_duration: int = 3600, provider_name: str = PROVIDER_NAME) -> None:
        self.workdir = Path(workdir)
        self._auto_port = not port
        self.port = port or free_port()
        self.acs_url = acs_url
        self.provider_name = provider_name
        self.users = users if users is not None else default_users(session_duration, provider_name)
        unknown = sorted(set(self.users) - set(DEMO_USERS))
        if unknown:
            raise IdpError(f"LemonLDAP's Demo backend has only the users {', '.join(DEMO_USERS)}, not {unknown}")
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self._metadata_xml: str | None = None

    # ----------------------------------------------------------------- urls
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/saml/metadata"

    @property
    def sso_url(self) -> str:
        """IdP-initiated SSO for AWS (what a user bookmarks)."""
        return f"{self.base_url}/saml/singleSignOn?IDPInitiated=1&spConfKey={conf.SP_CONF_KEY}"

    # ---------------------------------------------------------------- paths
    @property
    def cert_pem(self) -> Path:
        return self.workdir / "cert" / "idp.crt"

    @property
    def key_pem(self) -> Path:
        return self.workdir / "cert" / "idp.key"

    @property
    def log_path(self) -> Path:
        """plackup's stderr: LemonLDAP's log lines (``[notice] ...``) and Perl errors."""
        return self.workdir / "log" / "lemonldap.log"

    @property
    def metadata_xml(self) -> str:
        """The IdP's SAML 2.0 metadata as LemonLDAP serves it, with its signing certificate."""
        if self._metadata_xml is None:
            resp = requests.get(self.entity_id, timeout=10)
            resp.raise_for_status()
            self._metadata_xml = resp.text
        return self._metadata_xml

    @property
    def cert_der_b64(self) -> str:
        lines = self.cert_pem.read_text().strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))

    # ------------------------------------------------------------------ log
    def log_lines(self) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def _count(self, pattern: str) -> int:
        rx = re.compile(pattern)
        return sum(1 for line in self.log_lines() if rx.search(line))

    def login_count(self, username: str | None = None) -> int:
        """Sessions opened so far (LemonLDAP logs ``<user> connected`` once password and code were accepted)."""
        who = re.escape(username) if username else r"\S+"
        return self._count(rf"\] {who} connected$")

    def failed_logins(self, username: str | None = None) -> int:
        """Refused passwords so far (the Demo backend logs ``Bad password for <user>``)."""
        who = re.escape(username) if username else r"\S+"
        return self._count(rf"Bad password for {who}\b")

    def failed_codes(self, username: str | None = None) -> int:
        """Refused TOTP codes so far (``totp2f: invalid attempt for <user>``)."""
        who = re.escape(username) if username else r"\S+"
        return self._count(rf"totp2f: invalid attempt for {who}\b")

    def accepted_codes(self, username: str | None = None) -> int:
        """Accepted TOTP codes so far (``totp2f verification for <user>``, logged after a good code)."""
        who = re.escape(username) if username else r"\S+"
        return self._count(rf"totp2f verification for {who}$")

    def code_attempts(self, username: str | None = None) -> int:
        """TOTP codes checked at the IdP so far, right or wrong."""
        return self.accepted_codes(username) + self.failed_codes(username)

    # ------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 30.0) -> "LemonLdapIdp":
        problems = check_prerequisites()
        if problems:
            raise IdpError("; ".join(problems))
        for attempt in range(3):
            self._write_everything()
            self._spawn()
            try:
                self._wait_ready(timeout)
                return self
            except _PortTaken:
                if not self._auto_port or attempt == 2:
                    raise IdpError(f"port {self.port} is in use; see {self.log_path}") from None
                self.port = free_port()
        return self

    # ------------------------------------------------------------- internals
    def _spawn(self) -> None:
        env = dict(os.environ, LLNG_DEFAULTCONFFILE=str(self.workdir / "lemonldap-ng.ini"))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")
        cmd = ["plackup", "--no-default-middleware", "-p", str(self.port), "--host", "127.0.0.1",
               str(self.workdir / "app.psgi")]
        if shutil.which("setpriv"):
            cmd = ["setpriv", "--pdeathsig", "TERM", "--", *cmd]  # dies with us even after a SIGKILL
        self._proc = subprocess.Popen(cmd, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                                      stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            rc = self._proc.poll()
            if rc is not None:
                self.stop()
                if "Address already in use" in self._log_tail(5):
                    raise _PortTaken()
                raise IdpError(f"plackup exited with {rc}; see {self.log_path}:\n{self._log_tail()}")
            try:
                resp = requests.get(self.entity_id, timeout=2)
                if resp.status_code == 200 and b"EntityDescriptor" in resp.content:
                    self._metadata_xml = resp.text
                    return
                last = f"HTTP {resp.status_code}: {resp.text[:300]}"
            except requests.RequestException as exc:
                last = repr(exc)
            time.sleep(0.1)
        self.stop()
        raise IdpError(f"LemonLDAP not ready after {timeout}s ({last}); see {self.log_path}:\n{self._log_tail()}")

    def _log_tail(self, n: int = 30) -> str:
        return "\n".join(self.log_lines()[-n:])

    def _write_everything(self) -> None:
        w = self.workdir
        for sub in ("conf", "cache", "cert", "log", "sessions/lock", "psessions/lock"):
            (w / sub).mkdir(parents=True, exist_ok=True)
        self._make_keypair()
        (w / "lemonldap-ng.ini").write_text(conf.ini(w))
        (w / "conf" / "lmConf-1.json").write_text(json.dumps(conf.lmconf(self), indent=1))
        (w / "totp-devices.json").write_text(json.dumps({
            "storage": {"Directory": str(w / "psessions"), "LockDirectory": str(w / "psessions" / "lock")},
            "devices": {uid: [{"type": "TOTP", "name": "sandbox phone", "epoch": int(time.time()),
                               "_secret": spec["totp_secret"]}]
                        for uid, spec in self.users.items() if spec.get("totp_secret")},
            "static": str(conf.LLNG_STATIC), "javascript": str(conf.JAVASCRIPT),
        }))
        (w / "app.psgi").write_text(conf.APP_PSGI)
        shutil.rmtree(w / "cache", ignore_errors=True)  # a stale configuration cache would hide the new port
        (w / "cache").mkdir()

    def _make_keypair(self) -> None:
        if self.cert_pem.exists() and self.key_pem.exists():
            return
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
             "-subj", "/CN=samlcreds sandbox LemonLDAP IdP", "-keyout", str(self.key_pem), "-out", str(self.cert_pem)],
            check=True, capture_output=True)

class _PortTaken(Exception):
    """plackup could not bind its port (someone took the free port first)."""


def totp_code(secret: str) -> str:
    """The current TOTP code for a base32 ``secret``, from ``oathtool --totp -b`` (RFC 6238, 30 s, 6 digits)."""
    out = subprocess.run(["oathtool", "--totp", "-b", secret], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _submit(session: requests.Session, response, form, values: dict) -> requests.Response:
    data = {i.get("name"): i.get("value", "") for i in form.xpath(".//input[@name]")}
    data.update(values)
    action = form.get("action") or response.url
    resp = session.post(urllib.parse.urljoin(response.url, action), data=data, timeout=15)
    resp.raise_for_status()
    return resp


def fetch_saml_response(idp: LemonLdapIdp, username: str, password: str, code: str | None = None,
                        session: requests.Session | None = None) -> str:
    """Log in at ``idp`` with ``requests`` (password, then TOTP ``code`` if asked) and return the SAMLResponse.

    ``code`` defaults to the current code of the user's ``totp_secret``.
    Raises :class:`~sandbox.idp.IdpLoginError` when the password or code is refused.
    """
    s = session or requests.Session()
    resp = s.get(idp.sso_url, timeout=15)
    resp.raise_for_status()
    for step in ("password", "code", "done"):
        page = lxml_html.fromstring(resp.content, base_url=resp.url)
        saml = page.xpath("//input[@name='SAMLResponse']/@value")
        if saml:
            return saml[0]
        if step == "password" and page.xpath("//form//input[@name='password']"):
            form = page.xpath("//form[.//input[@name='password']]")[0]
            resp = _submit(s, resp, form, {"user": username, "password": password})
        elif step == "code" and page.xpath("//form//input[@name='code']"):
            form = page.xpath("//form[.//input[@name='code']]")[0]
            secret = idp.users.get(username, {}).get("totp_secret")
            if code is None and not secret:
                raise IdpLoginError(f"{username!r} is asked for a TOTP code but has no totp_secret")
            resp = _submit(s, resp, form, {"code": code if code is not None else totp_code(secret)})
        elif page.xpath("//form//input[@name='password']"):
            raise IdpLoginError(f"login failed for {username!r}: wrong username or password")
    raise IdpLoginError(f"LemonLDAP answered without a SAMLResponse for {username!r} (refused code?)")
