"""A real SAML 2.0 identity provider for tests: SimpleSAMLphp under ``php -S``.

:class:`SimpleSamlIdp` generates a complete SimpleSAMLphp configuration in a
work directory (selected with ``SIMPLESAMLPHP_CONFIG_DIR``; nothing under /etc
is touched), creates a fresh RSA signing key and certificate with ``openssl``,
and serves the Debian SimpleSAMLphp docroot with PHP's built-in web server.

It mimics what an enterprise IdP (Okta, ADFS, Entra ID, ...) sends to AWS:

* IdP-initiated SSO for the SP ``urn:amazon:webservices`` whose
  AssertionConsumerService is an AWS sign-in URL (configurable: global,
  regional, GovCloud, China);
* username/password login form (``exampleauth:UserPass``) that, on success,
  answers 200 with an auto-submitting HTML form POSTing ``SAMLResponse``;
* signed Response and signed Assertion (RSA-SHA256, exclusive c14n);
* SAML ECP (``'saml20.ecp' => true``, a PAOS AssertionConsumerService next to
  the POST one): a SOAP AuthnRequest with HTTP Basic credentials posted to
  :attr:`SimpleSamlIdp.ecp_url` gets the signed Response in a SOAP envelope;
* persistent NameID, attributes with the ``uri`` NameFormat:
  ``https://aws.amazon.com/SAML/Attributes/Role`` (multi-valued,
  ``role,provider`` or ``provider,role``), ``RoleSessionName`` and
  ``SessionDuration``.

Successful *password* logins are counted by a ``core:PHP`` authproc filter that
appends one line per login to ``<workdir>/logins.log``; it only counts when the
current request is the POST of the login form, so SSO that re-uses an existing
IdP session (cookie) is not counted.  See :meth:`SimpleSamlIdp.login_count`.

:func:`fetch_saml_response` drives the login with ``requests`` only and returns
the base64 ``SAMLResponse``; it raises :class:`IdpLoginError` on a bad password.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import requests
from lxml import html as lxml_html

from sandbox.server import ServerProcess

SSP_ROOT = Path("/usr/share/simplesamlphp")
SSP_WWW = SSP_ROOT / "www"

AWS_SP_ENTITY_ID = "urn:amazon:webservices"
ACS_GLOBAL = "https://signin.aws.amazon.com/saml"
ACS_US_WEST_2 = "https://us-west-2.signin.aws.amazon.com/saml"
ACS_GOVCLOUD = "https://signin.amazonaws-us-gov.com/saml"
ACS_CHINA = "https://signin.amazonaws.cn/saml"

ATTR_ROLE = "https://aws.amazon.com/SAML/Attributes/Role"
ATTR_SESSION_NAME = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
ATTR_SESSION_DURATION = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
NAMEFORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_PAOS = "urn:oasis:names:tc:SAML:2.0:bindings:PAOS"

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
PROVIDER_NAME = "SandboxIdP"

# Internal attribute carrying the NameID value; removed before the assertion is built.
_NAMEID_ATTR = "sandbox:nameid"
_LOGIN_PAGE = "loginuserpass.php"


class IdpError(RuntimeError):
    """The sandbox IdP could not be set up or started."""


class _PortTaken(Exception):
    """php -S could not bind its port (someone took the free port first)."""


class IdpLoginError(RuntimeError):
    """Login at the sandbox IdP failed (wrong password, unknown user, ...)."""


def role_arn(account: str, name: str, partition: str = "aws") -> str:
    """Build an IAM role ARN (``name`` may contain a path, e.g. ``team/ops/Admin``)."""
    return f"arn:{partition}:iam::{account}:role/{name}"


def provider_arn(account: str, name: str = PROVIDER_NAME, partition: str = "aws") -> str:
    """Build an IAM SAML provider ARN."""
    return f"arn:{partition}:iam::{account}:saml-provider/{name}"


def default_users(partition: str = "aws", session_duration: int = 3600,
                  provider_name: str = PROVIDER_NAME) -> dict:
    """The three standard sandbox users, with ARNs in ``partition`` and SAML provider ``provider_name``.

    Structure: ``{username: {"password": str, "attributes": {name: [values]}}}``.
    alice's first Role value is ``role,provider`` and her second ``provider,role``.
    """
    pa = provider_arn(ACCOUNT_A, provider_name, partition)
    pb = provider_arn(ACCOUNT_B, provider_name, partition)

    def user(name: str, roles: list[str]) -> dict:
        return {
            "password": f"{name}-pw",
            "attributes": {
                ATTR_ROLE: roles,
                ATTR_SESSION_NAME: [f"{name}@example.com"],
                ATTR_SESSION_DURATION: [str(session_duration)],
            },
        }

    return {
        "alice": user("alice", [
            f"{role_arn(ACCOUNT_A, 'Developer', partition)},{pa}",
            f"{pa},{role_arn(ACCOUNT_A, 'team/ops/Admin', partition)}",
        ]),
        "bob": user("bob", [f"{role_arn(ACCOUNT_A, 'ReadOnly', partition)},{pa}"]),
        "carol": user("carol", [
            f"{role_arn(ACCOUNT_A, 'Developer', partition)},{pa}",
            f"{role_arn(ACCOUNT_B, 'Auditor', partition)},{pb}",
        ]),
    }


def free_port() -> int:
    """Ask the kernel for a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_prerequisites() -> list[str]:
    """Return a list of human-readable problems (empty when php/SimpleSAMLphp/xmlsec1/openssl exist)."""
    problems = []
    for tool in ("php", "openssl", "xmlsec1"):
        if shutil.which(tool) is None:
            problems.append(f"'{tool}' not found on PATH (apt-get install php-cli php-xml php-mbstring xmlsec1 openssl)")
    if shutil.which("php"):
        modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower().split()
        missing = [m for m in ("dom", "openssl", "mbstring") if m not in modules]
        if missing:
            problems.append(f"PHP extensions missing: {', '.join(missing)} (apt-get install php-xml php-mbstring)")
    if not (SSP_WWW / "saml2" / "idp" / "SSOService.php").exists():
        problems.append(f"SimpleSAMLphp not found at {SSP_ROOT} (apt-get install simplesamlphp)")
    return problems


def _php_json_loader(json_name: str, var: str, merge: bool = False) -> str:
    """PHP source that loads ``json_name`` (next to the file) into ``$var``."""
    load = f"json_decode(file_get_contents(__DIR__ . '/{json_name}'), true, 512, JSON_THROW_ON_ERROR)"
    if merge:
        return f"<?php\nforeach ({load} as $k => $v) {{\n    ${var}[$k] = $v;\n}}\n"
    return f"<?php\n${var} = {load};\n"


class SimpleSamlIdp(ServerProcess):
    """SimpleSAMLphp 1.19 IdP running under ``php -S 127.0.0.1:PORT``.

    ``audience``: SimpleSAMLphp always puts the SP entity ID into the
    ``<Audience>``, so a different audience is produced by registering the SP
    (same ACS) under the entity ID ``audience`` and using that as
    ``spentityid`` in :attr:`sso_url`.

    ``provider_name`` (extra): the IAM SAML provider name the default users'
    Role values point to (``SandboxIdP``); an extra IdP needs its own name,
    since AWS binds one provider to one IdP entity ID and certificate.

    ``workers`` (extra): ``PHP_CLI_SERVER_WORKERS``.  The default 1 is a single
    process (requests are served one at a time) and stops cleanly; with more,
    php's master does not reap its workers, so after :meth:`stop` they remain
    as zombies until init reaps them.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        port: int = 0,
        acs_url: str = ACS_GLOBAL,
        sp_entity_id: str = AWS_SP_ENTITY_ID,
        audience: str | None = None,
        users: dict | None = None,
        session_duration: int = 3600,
        assertion_lifetime: int = 300,
        provider_name: str = PROVIDER_NAME,
        workers: int = 1,
    ) -> None:
        self.workdir = Path(workdir)
        self._auto_port = not port
        self.port = port or free_port()
        self.acs_url = acs_url
        self.sp_entity_id = audience or sp_entity_id
        self.audience = self.sp_entity_id
        self.provider_name = provider_name
        self.workers = workers
        self.users = users if users is not None else default_users(
            session_duration=session_duration, provider_name=provider_name)
        self.session_duration = session_duration
        self.assertion_lifetime = assertion_lifetime
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self._metadata_xml: str | None = None

    # ----------------------------------------------------------------- urls
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/saml2/idp/metadata.php"

    @property
    def sso_url(self) -> str:
        query = urllib.parse.urlencode({"spentityid": self.sp_entity_id})
        return f"{self.base_url}/saml2/idp/SSOService.php?{query}"

    @property
    def ecp_url(self) -> str:
        """The SAML ECP endpoint (SOAP AuthnRequest + HTTP Basic credentials; ``saml20.ecp`` is on)."""
        return f"{self.base_url}/saml2/idp/SSOService.php"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/module.php/core/{_LOGIN_PAGE}"

    # ---------------------------------------------------------------- paths
    @property
    def config_dir(self) -> Path:
        return self.workdir / "config"

    @property
    def cert_pem(self) -> Path:
        return self.workdir / "cert" / "idp.crt"

    @property
    def key_pem(self) -> Path:
        return self.workdir / "cert" / "idp.key"

    @property
    def server_log(self) -> Path:
        """``php -S`` output (access log + PHP errors)."""
        return self.workdir / "log" / "php-server.log"

    @property
    def ssp_log(self) -> Path:
        """SimpleSAMLphp's own log file."""
        return self.workdir / "log" / "simplesamlphp.log"

    @property
    def logins_file(self) -> Path:
        return self.workdir / "logins.log"

    @property
    def metadata_xml(self) -> str:
        """The IdP's SAML 2.0 metadata (as served by SimpleSAMLphp), with its signing certificate."""
        if self._metadata_xml is None:
            resp = requests.get(self.entity_id, timeout=10)
            resp.raise_for_status()
            self._metadata_xml = resp.text
        return self._metadata_xml

    def write_metadata(self, path: Path) -> Path:
        """Write the IdP's metadata (what an admin uploads to the IAM SAML provider) to ``path``; returns it."""
        path.write_text(self.metadata_xml)
        return path

    @property
    def cert_der_b64(self) -> str:
        """The signing certificate as base64 DER (no PEM armour)."""
        lines = self.cert_pem.read_text().strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))

    # ---------------------------------------------------------------- logins
    def login_count(self, username: str | None = None) -> int:
        """Number of successful password logins (optionally for one user) so far."""
        if not self.logins_file.exists():
            return 0
        lines = self.logins_file.read_text().splitlines()
        if username is not None:
            lines = [ln for ln in lines if ln.split("\t")[1:2] == [username]]
        return len(lines)

    # ------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 20.0) -> "SimpleSamlIdp":
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
                    raise IdpError(f"port {self.port} is in use; see {self.server_log}") from None
                self.port = free_port()  # lost the race for the free port: pick another one
        return self

    # ------------------------------------------------------------- internals
    def _spawn(self) -> None:
        env = dict(os.environ)
        env["SIMPLESAMLPHP_CONFIG_DIR"] = str(self.config_dir)
        if self.workers > 1:
            env["PHP_CLI_SERVER_WORKERS"] = str(self.workers)
        self.server_log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.server_log, "ab")
        cmd = ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(SSP_WWW)]
        if shutil.which("setpriv"):
            # php -S runs in its own session (so stop() can kill its group); make it die
            # with us too, even if the test runner is SIGKILLed and stop() never runs.
            cmd = ["setpriv", "--pdeathsig", "TERM", "--", *cmd]
        self._proc = subprocess.Popen(
            cmd, cwd=SSP_WWW, env=env, stdin=subprocess.DEVNULL,
            stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            rc = self._proc.poll()
            if rc is not None:
                self.stop()
                if "Address already in use" in self._log_tail(5):
                    raise _PortTaken()
                raise IdpError(f"php -S exited with {rc}; see {self.server_log}:\n{self._log_tail()}")
            try:
                resp = requests.get(self.entity_id, timeout=2)
                if resp.status_code == 200 and b"EntityDescriptor" in resp.content:
                    self._metadata_xml = resp.text
                    return
                last = f"HTTP {resp.status_code}: {resp.text[:500]}"
            except requests.RequestException as exc:
                last = repr(exc)
            time.sleep(0.1)
        self.stop()
        raise IdpError(f"IdP not ready after {timeout}s ({last}); see {self.server_log}:\n{self._log_tail()}")

    def _log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.server_log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _write_everything(self) -> None:
        for sub in ("config", "metadata", "cert", "log", "data", "tmp", "sessions"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        self._make_keypair()
        self._write_json_php(self.config_dir / "config.php", "config", self._config())
        self._write_json_php(self.config_dir / "authsources.php", "config", self._authsources())
        self._write_json_php(self.workdir / "metadata" / "saml20-idp-hosted.php", "metadata",
                             self._idp_hosted(), merge=True)
        self._write_json_php(self.workdir / "metadata" / "saml20-sp-remote.php", "metadata",
                             self._sp_remote(), merge=True)

    @staticmethod
    def _write_json_php(php_path: Path, var: str, data: dict, merge: bool = False) -> None:
        json_path = php_path.with_suffix(".json")
        json_path.write_text(json.dumps(data, indent=2))
        php_path.write_text(_php_json_loader(json_path.name, var, merge))

    def _make_keypair(self) -> None:
        if self.cert_pem.exists() and self.key_pem.exists():
            return
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
             "-subj", "/CN=samlcreds sandbox IdP", "-keyout", str(self.key_pem), "-out", str(self.cert_pem)],
            check=True, capture_output=True,
        )

    def _config(self) -> dict:
        w = self.workdir
        return {
            "baseurlpath": f"{self.base_url}/",
            "certdir": f"{w}/cert/",
            "loggingdir": f"{w}/log/",
            "datadir": f"{w}/data/",
            "tempdir": f"{w}/tmp",
            "metadatadir": f"{w}/metadata/",
            "attributenamemapdir": str(SSP_ROOT / "attributemap") + "/",
            "technicalcontact_name": "samlcreds sandbox",
            "technicalcontact_email": "sandbox@example.com",
            "timezone": "UTC",
            "secretsalt": secrets.token_hex(16),
            "auth.adminpassword": secrets.token_hex(16),
            "admin.protectindexpage": False,
            "admin.protectmetadata": False,
            "admin.checkforupdates": False,
            "trusted.url.domains": ["127.0.0.1", f"127.0.0.1:{self.port}"],
            "enable.saml20-idp": True,
            "module.enable": {"exampleauth": True, "core": True, "saml": True, "admin": True},
            "session.duration": 8 * 3600,
            "session.cookie.secure": False,
            "session.cookie.samesite": None,
            "language.cookie.secure": False,
            "language.cookie.samesite": None,
            "session.phpsession.savepath": f"{w}/sessions",
            "store.type": "phpsession",
            "logging.handler": "file",
            "logging.logfile": "simplesamlphp.log",
            "logging.level": 6,  # SimpleSAML\Logger::INFO
            "showerrors": True,
            "errorreporting": False,
            "production": False,
            "metadata.sources": [{"type": "flatfile"}],
            "debug": {"saml": False, "backtraces": True, "validatexml": False},
        }

    def _authsources(self) -> dict:
        users = {}
        for name, spec in self.users.items():
            if ":" in name:
                raise IdpError(f"username {name!r} may not contain ':' (exampleauth:UserPass)")
            attrs = {k: [str(v) for v in vals] for k, vals in spec.get("attributes", {}).items()}
            attrs[_NAMEID_ATTR] = [name]
            users[f"{name}:{spec['password']}"] = attrs
        return {"admin": ["core:AdminPassword"], "sandbox-userpass": {0: "exampleauth:UserPass", **users}}

    def _idp_hosted(self) -> dict:
        return {
            self.entity_id: {
                "host": "__DEFAULT__",
                "privatekey": str(self.key_pem),
                "certificate": str(self.cert_pem),
                "auth": "sandbox-userpass",
                "signature.algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "saml20.sign.response": True,
                "saml20.sign.assertion": True,
                "assertion.lifetime": self.assertion_lifetime,
                "NameIDFormat": NAMEID_PERSISTENT,
                "saml20.ecp": True,
            }
        }

    def _released_attributes(self) -> list[str]:
        names = {k for spec in self.users.values() for k in spec.get("attributes", {})}
        return sorted(names)

    def _login_counter_code(self) -> str:
        """PHP for core:PHP: append a line per *password* login (the POST of the login form, or ECP's POST
        of a SOAP AuthnRequest with Basic credentials)."""
        path = json.dumps(str(self.logins_file))
        return (
            "if (($_SERVER['REQUEST_METHOD'] ?? '') === 'POST'"
            f" && (strpos($_SERVER['REQUEST_URI'] ?? '', '{_LOGIN_PAGE}') !== false"
            " || isset($_SERVER['PHP_AUTH_USER']))) {"
            f" file_put_contents({path}, gmdate('c') . \"\\t\" . ($attributes['{_NAMEID_ATTR}'][0] ?? '?') . \"\\n\","
            " FILE_APPEND | LOCK_EX); }"
        )

    def _sp_remote(self) -> dict:
        return {
            self.sp_entity_id: {
                # POST for the browser; PAOS (same Location) for ECP clients, as AWS's ACS for both
                "AssertionConsumerService": [
                    {"Binding": BINDING_POST, "Location": self.acs_url, "index": 0},
                    {"Binding": BINDING_PAOS, "Location": self.acs_url, "index": 1},
                ],
                "NameIDFormat": NAMEID_PERSISTENT,
                "attributes.NameFormat": NAMEFORMAT_URI,
                "saml20.sign.response": True,
                "saml20.sign.assertion": True,
                "assertion.lifetime": self.assertion_lifetime,
                "authproc": {
                    "10": {"class": "core:PHP", "code": self._login_counter_code()},
                    "20": {"class": "saml:AttributeNameID", "attribute": _NAMEID_ATTR,
                           "Format": NAMEID_PERSISTENT},
                    "30": {"class": "core:AttributeLimit", **dict(enumerate(self._released_attributes()))},
                },
            }
        }


def _form_fields(page: lxml_html.HtmlElement) -> dict[str, str]:
    return {i.get("name"): i.get("value", "") for i in page.xpath("//form//input[@name]")}


def fetch_saml_response(idp: SimpleSamlIdp, username: str, password: str,
                        session: requests.Session | None = None) -> str:
    """Log in at ``idp`` with ``requests`` and return the base64 ``SAMLResponse``.

    Raises :class:`IdpLoginError` when the IdP shows the login page again
    (wrong password / unknown user) or answers without a SAMLResponse.
    """
    s = session or requests.Session()
    first = s.get(idp.sso_url, timeout=15)
    first.raise_for_status()
    page = lxml_html.fromstring(first.content, base_url=first.url)
    saml = page.xpath("//input[@name='SAMLResponse']/@value")
    if saml:  # existing IdP session: no password asked
        return saml[0]
    fields = _form_fields(page)
    if "AuthState" not in fields:
        raise IdpLoginError(f"no login form at {first.url} (HTTP {first.status_code})")
    fields.update(username=username, password=password)
    action = page.xpath("//form/@action")
    url = urllib.parse.urljoin(first.url, action[0]) if action and action[0] else first.url
    resp = s.post(url, data=fields, timeout=15)
    resp.raise_for_status()
    page = lxml_html.fromstring(resp.content)
    saml = page.xpath("//input[@name='SAMLResponse']/@value")
    if not saml:
        if page.xpath("//input[@name='password']"):
            raise IdpLoginError(f"login failed for {username!r}: wrong username or password")
        raise IdpLoginError(f"IdP answered HTTP {resp.status_code} without a SAMLResponse")
    return saml[0]
