"""An STS-compatible endpoint for tests: strict ``AssumeRoleWithSAML`` in front of moto.

Stock moto accepts any SAML assertion (no signature, issuer, audience,
recipient, time-window or role-pairing checks), fails with HTTP 500 on
several Role values and uses the ``SessionDuration`` attribute instead of
``DurationSeconds``.  :class:`StrictSts` is a WSGI front, served in-process by
werkzeug on 127.0.0.1, that:

* handles ``Action=AssumeRoleWithSAML`` itself, validating the assertion the way
  AWS STS does, in AWS's order, and answering with AWS's error XML, codes and
  messages (``InvalidIdentityToken``, ``ExpiredTokenException``,
  ``AccessDenied``, ``ValidationError``);
* mints the credentials through moto's own STS backend (same process), so
  moto's IAM authentication (``reset_auth``) recognises the access key, secret
  and session token in later calls, in whichever account the role lives;
* proxies every other request (EC2, IAM, ``GetCallerIdentity``, ``/moto-api``
  ...) to moto's in-process server app, so all backends are shared.

AssumeRoleWithSAML is unsigned in AWS (the assertion is the credential), and it
never reaches moto's request handlers here, so IAM auth enforcement does not
apply to it.

IAM auth enforcement is scoped to this server: :meth:`StrictSts.reset_auth`
(or ``POST /moto-api/reset-auth`` to this endpoint) turns it on only for
requests served by this instance's threads, so ``moto.mock_aws`` tests in the
same process are not affected.  moto's *backends* are process-global, though:
``mock_aws`` resets them on start/stop; StrictSts notices a missing SAML
provider and re-creates its providers and roles, but credentials issued
before such a reset are gone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import re
import threading
import types
import urllib.parse
import uuid
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature
from werkzeug.serving import make_server

from moto import settings as moto_settings
from moto.backends import get_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from sandbox.federation import Federation

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "md": MD, "ds": DS}

ATTR_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
ATTR_ROLE = ATTR_PREFIX + "Role"
ATTR_SESSION_NAME = ATTR_PREFIX + "RoleSessionName"
ATTR_SOURCE_IDENTITY = ATTR_PREFIX + "SourceIdentity"
ATTR_PRINCIPAL_TAG = ATTR_PREFIX + "PrincipalTag:"
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

VALID_AUDIENCES = frozenset({
    "urn:amazon:webservices",
    "urn:amazon:webservices:govcloud",
    "urn:amazon:webservices:cn-north-1",
    "https://signin.aws.amazon.com/saml",
})
# AWS sign-in SAML endpoints: global, regional, GovCloud, China.
RECIPIENT_RE = re.compile(
    r"^https://([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)/saml(/acs/[A-Za-z0-9]+)?$"
)
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
PROVIDER_ARN_RE = re.compile(r"^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):saml-provider/([\w+=,.@-]+)$")
ROLE_ARN_RE = re.compile(r"^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]+)$")
PARTITION_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}
SUBJECT_TYPES = {
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient",
}
ALLOW_ALL_POLICY = json.dumps({"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=False)


_AUTH_SCOPE = threading.local()


class _ThreadScopedAuthSettings(types.ModuleType):
    """``moto.settings`` whose INITIAL_NO_AUTH_ACTION_COUNT can be overridden per thread.

    moto reads ``settings.INITIAL_NO_AUTH_ACTION_COUNT`` on every request to
    decide whether to enforce IAM auth; StrictSts sets a thread-local override
    while it serves a request, everybody else sees the ordinary global value.
    """

    @property
    def INITIAL_NO_AUTH_ACTION_COUNT(self):  # noqa: N802 - moto's name
        override = getattr(_AUTH_SCOPE, "count", None)
        return self.__dict__["_sandbox_global_no_auth_count"] if override is None else override

    @INITIAL_NO_AUTH_ACTION_COUNT.setter
    def INITIAL_NO_AUTH_ACTION_COUNT(self, value):  # noqa: N802
        self.__dict__["_sandbox_global_no_auth_count"] = value


def _install_thread_scoped_auth() -> None:
    module = moto_settings
    if not isinstance(module, _ThreadScopedAuthSettings):
        value = module.__dict__.pop("INITIAL_NO_AUTH_ACTION_COUNT", float("inf"))
        module.__class__ = _ThreadScopedAuthSettings
        module.INITIAL_NO_AUTH_ACTION_COUNT = value


class StsError(Exception):
    """An AWS STS error answer (``<ErrorResponse>``)."""

    def __init__(self, code: str, message: str, status: int = 400, kind: str = "Sender") -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.kind = code, message, status, kind


def invalid_token(message: str) -> StsError:
    return StsError("InvalidIdentityToken", message)


# --------------------------------------------------------------------- metadata
@dataclass
class SamlProvider:
    """A registered IAM SAML provider: its ARN and the trust data from its metadata."""

    arn: str
    metadata_xml: str
    entity_id: str = ""
    certs_pem: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entity_id, self.certs_pem = parse_idp_metadata(self.metadata_xml)

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[1]

    @property
    def account_id(self) -> str:
        return self.arn.split(":")[4]


def _pem(b64: str) -> str:
    body = "".join(b64.split())
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def parse_idp_metadata(metadata_xml: str) -> tuple[str, list[str]]:
    """Return (entityID, signing certificates as PEM) from SAML 2.0 IdP metadata."""
    root = etree.fromstring(metadata_xml.encode(), _PARSER)
    entity = root if root.tag == f"{{{MD}}}EntityDescriptor" else root.find(".//md:EntityDescriptor", NS)
    if entity is None:
        raise ValueError("no md:EntityDescriptor in IdP metadata")
    certs = entity.xpath(
        "md:IDPSSODescriptor/md:KeyDescriptor[not(@use) or @use='signing']//ds:X509Certificate/text()",
        namespaces=NS,
    )
    if not certs:
        raise ValueError("no signing certificate in IdP metadata")
    return entity.get("entityID"), [_pem(c) for c in certs]


# ------------------------------------------------------------------- assertion
def decode_saml_response(b64: str) -> etree._Element:
    """Base64-decode and parse (safely) a SAMLResponse."""
    try:
        raw = base64.b64decode("".join(b64.split()), validate=True)
        root = etree.fromstring(raw, _PARSER)
    except (binascii.Error, ValueError, etree.XMLSyntaxError) as exc:
        raise invalid_token("Invalid SAML response: could not parse the SAMLAssertion") from exc
    if root.tag != f"{{{SAMLP}}}Response":
        raise invalid_token("Invalid SAML response: root element is not samlp:Response")
    return root


def _verify(element: etree._Element, certs: list[str], location: str) -> etree._Element | None:
    config = SignatureConfiguration(location=location)
    for cert in certs:
        try:
            return XMLVerifier().verify(element, x509_cert=cert, expect_config=config).signed_xml
        except (InvalidSignature, InvalidInput):
            continue
    return None


def verify_signature(response: etree._Element, certs: list[str]) -> etree._Element:
    """Return the *signed* Assertion element (signature on the Assertion, else on the Response).

    Only what the signature covers is returned, so later checks never read
    unsigned (possibly wrapped or injected) content.
    """
    assertions = response.findall("saml:Assertion", NS)
    if len(assertions) != 1:
        raise invalid_token("Invalid SAML response: expected exactly one Assertion")
    if assertions[0].find("ds:Signature", NS) is not None:
        standalone = etree.fromstring(etree.tostring(assertions[0]), _PARSER)
        signed = _verify(standalone, certs, "./")
        if signed is not None:
            return signed
    elif response.find("ds:Signature", NS) is not None:
        signed = _verify(response, certs, "./")
        if signed is not None:
            found = signed.findall("saml:Assertion", NS)
            if len(found) == 1:
                return found[0]
    raise invalid_token("Response signature invalid")


def _attr_values(assertion: etree._Element, name: str) -> list[str]:
    # every text node, as AWS reads values since the 2018 comment-truncation fixes
    return ["".join(v.xpath(".//text()")).strip() for v in assertion.xpath(
        "saml:AttributeStatement/saml:Attribute[@Name=$n]/saml:AttributeValue", namespaces=NS, n=name)]


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    value = re.sub(r"\.\d+", "", value.strip()).replace("Z", "+00:00")
    return dt.datetime.fromisoformat(value)


@dataclass
class ValidatedAssertion:
    """The facts STS takes from a verified assertion."""

    issuer: str
    recipient: str
    audiences: list[str]
    role_pairs: list[tuple[str, str]]
    session_name: str | None
    source_identity: str | None
    subject: str
    subject_format: str
    principal_tags: dict[str, str]


def parse_role_value(value: str) -> tuple[str, str] | None:
    """Split a Role attribute value (either order) into (role_arn, provider_arn)."""
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2:
        return None
    a, b = parts
    if ROLE_ARN_RE.match(a) and PROVIDER_ARN_RE.match(b):
        return a, b
    if ROLE_ARN_RE.match(b) and PROVIDER_ARN_RE.match(a):
        return b, a
    return None


def extract_facts(response: etree._Element, assertion: etree._Element) -> ValidatedAssertion:
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    tags = {}
    for attr in assertion.xpath("saml:AttributeStatement/saml:Attribute", namespaces=NS):
        if attr.get("Name", "").startswith(ATTR_PRINCIPAL_TAG):
            vals = attr.xpath("saml:AttributeValue/text()", namespaces=NS)
            tags[attr.get("Name")[len(ATTR_PRINCIPAL_TAG):]] = vals[0] if vals else ""
    session_names = _attr_values(assertion, ATTR_SESSION_NAME)
    sources = _attr_values(assertion, ATTR_SOURCE_IDENTITY)
    return ValidatedAssertion(
        issuer=(assertion.findtext("saml:Issuer", default="", namespaces=NS) or "").strip(),
        recipient=(confirmation.get("Recipient") if confirmation is not None else None)
        or response.get("Destination") or "",
        audiences=[(a.text or "").strip() for a in assertion.findall(
            "saml:Conditions/saml:AudienceRestriction/saml:Audience", NS)],
        role_pairs=[p for p in map(parse_role_value, _attr_values(assertion, ATTR_ROLE)) if p],
        session_name=session_names[0] if session_names else None,
        source_identity=sources[0] if sources else None,
        subject=(name_id.text or "").strip() if name_id is not None else "",
        subject_format=name_id.get("Format", "") if name_id is not None else "",
        principal_tags=tags,
    )


def check_status(response: etree._Element) -> None:
    code = response.find("samlp:Status/samlp:StatusCode", NS)
    if code is None or code.get("Value") != STATUS_SUCCESS:
        raise invalid_token("Invalid SAML response: status is not Success")


def check_time_window(assertion: etree._Element, now: dt.datetime, skew: int) -> None:
    """NotBefore/NotOnOrAfter of Conditions and SubjectConfirmationData, with clock skew."""
    tolerance = dt.timedelta(seconds=skew)
    cond = assertion.find("saml:Conditions", NS)
    scd = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS)
    for el in (cond, scd):
        if el is None:
            continue
        not_before, not_after = _parse_time(el.get("NotBefore")), _parse_time(el.get("NotOnOrAfter"))
        if not_before and now + tolerance < not_before:
            raise invalid_token("Invalid SAML response: assertion is not yet valid (NotBefore)")
        if not_after and now - tolerance >= not_after:
            raise StsError("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance "
                           "(SAML assertion NotOnOrAfter has passed)")


# ------------------------------------------------------------------ responses
def error_xml(err: StsError, request_id: str) -> bytes:
    return (
        f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Type>{err.kind}</Type>\n'
        f"    <Code>{escape(err.code)}</Code>\n    <Message>{escape(err.message)}</Message>\n  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n"
    ).encode()


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """AWS: BASE64(SHA1(Issuer + AccountId + "/" + ProviderName))."""
    return base64.b64encode(hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode()).digest()).decode()


def success_xml(role, facts: ValidatedAssertion, provider: SamlProvider, packed: int | None,
                request_id: str) -> bytes:
    subject_type = SUBJECT_TYPES.get(facts.subject_format, facts.subject_format or "transient")
    optional = ""
    if facts.source_identity:
        optional += f"    <SourceIdentity>{escape(facts.source_identity)}</SourceIdentity>\n"
    if packed is not None:
        optional += f"    <PackedPolicySize>{packed}</PackedPolicySize>\n"
    return (
        f'<AssumeRoleWithSAMLResponse xmlns="{STS_NS}">\n  <AssumeRoleWithSAMLResult>\n'
        f"    <Audience>{escape(facts.recipient)}</Audience>\n"
        f"    <AssumedRoleUser>\n      <AssumedRoleId>{escape(role.user_id)}</AssumedRoleId>\n"
        f"      <Arn>{escape(role.arn)}</Arn>\n    </AssumedRoleUser>\n"
        f"    <Credentials>\n      <AccessKeyId>{role.access_key_id}</AccessKeyId>\n"
        f"      <SecretAccessKey>{role.secret_access_key}</SecretAccessKey>\n"
        f"      <SessionToken>{role.session_token}</SessionToken>\n"
        f"      <Expiration>{_iso(role.expiration)}</Expiration>\n    </Credentials>\n"
        f"    <Issuer>{escape(facts.issuer)}</Issuer>\n"
        f"    <NameQualifier>{name_qualifier(facts.issuer, provider.account_id, provider.name)}</NameQualifier>\n"
        f"    <Subject>{escape(facts.subject)}</Subject>\n    <SubjectType>{escape(subject_type)}</SubjectType>\n"
        f"{optional}  </AssumeRoleWithSAMLResult>\n"
        f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n"
        f"</AssumeRoleWithSAMLResponse>\n"
    ).encode()


# ---------------------------------------------------------------------- server
class _QuietHandler(MotoRequestHandler):
    """moto's request handler without the per-request access log on stderr."""

    def log_request(self, *args, **kwargs) -> None:  # noqa: D102
        pass


def _iam(account_id: str, partition: str = "aws"):
    return get_backend("iam")[account_id][partition]


def _parse_form(environ) -> tuple[bytes, dict[str, str]]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    fields = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    ctype = environ.get("CONTENT_TYPE", "")
    if body and (not ctype or ctype.startswith("application/x-www-form-urlencoded")):
        fields.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return body, fields


class StrictSts:
    """In-process STS/moto endpoint with a strict AssumeRoleWithSAML (see module doc).

    ``idp_metadata``: ``{saml_provider_arn: metadata_xml}`` registered at start.
    ``max_session_duration``: ``{role_arn: seconds}`` used by :meth:`setup_from_idp`.
    """

    def __init__(self, *, port: int = 0, idp_metadata: dict[str, str] | None = None,
                 max_session_duration: dict[str, int] | None = None, clock_skew: int = 60) -> None:
        self.port = port
        self.clock_skew = clock_skew
        self.max_session_duration = dict(max_session_duration or {})
        self.providers: dict[str, SamlProvider] = {}
        self.calls: list[dict] = []
        self._initial_metadata = dict(idp_metadata or {})
        self._forced: list[StsError] = []
        self._lock = threading.Lock()
        self._no_auth_count: float = float("inf")  # moto semantics: enforce after this many requests
        self._request_count = 0
        self._roles: dict[tuple[str, str], int] = {}  # (role_arn, principal_arn) -> max duration, for replay
        _install_thread_scoped_auth()
        self._moto_app = DomainDispatcherApplication(create_backend_app)
        self.federation = Federation()  # the console's federation endpoint, at /federation
        self._server = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle
    def start(self) -> "StrictSts":
        self._server = make_server("127.0.0.1", self.port, self, threaded=True,
                                   request_handler=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,),
                                        name="StrictSts", daemon=True)
        self._thread.start()
        for arn, xml in self._initial_metadata.items():
            m = PROVIDER_ARN_RE.match(arn)
            if not m:
                raise ValueError(f"not a SAML provider ARN: {arn}")
            self.register_saml_provider(m.group(2), m.group(3), xml, partition=m.group(1))
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> "StrictSts":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def federation_url(self) -> str:
        """The console federation endpoint (see :mod:`sandbox.federation`)."""
        return f"{self.endpoint_url}/federation"

    def client(self, service: str, credentials: dict | None = None, region: str = "us-east-1"):
        """A boto3 client for this endpoint: signed with STS ``Credentials`` dict, or unsigned if None."""
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config

        if credentials is None:
            return boto3.session.Session().client(
                service, endpoint_url=self.endpoint_url, region_name=region,
                config=Config(signature_version=UNSIGNED), aws_access_key_id="unused",
                aws_secret_access_key="unused")
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint_url, region_name=region,
            aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials.get("SessionToken"))

    # ------------------------------------------------------------- test hooks
    @property
    def assume_role_with_saml_calls(self) -> int:
        return len(self.calls)

    def fail_next(self, code: str, message: str, status: int = 400) -> None:
        """Make the next AssumeRoleWithSAML answer this AWS error (after being recorded)."""
        with self._lock:
            self._forced.append(StsError(code, message, status))

    def throttle_next(self, n: int = 1) -> None:
        """Make the next ``n`` AssumeRoleWithSAML calls answer ``Throttling: Rate exceeded`` (HTTP 400)."""
        for _ in range(n):
            self.fail_next("Throttling", "Rate exceeded", 400)

    def clear_failures(self) -> None:
        with self._lock:
            self._forced.clear()

    def reset_auth(self, initial_no_auth_action_count: float = 0) -> float:
        """Enforce moto's IAM auth on this endpoint after ``initial_no_auth_action_count`` requests.

        Like moto's ``POST /moto-api/reset-auth`` (which this endpoint also
        accepts), but only for requests served by this instance; pass
        ``float('inf')`` to turn enforcement off.  Returns the previous count.
        """
        with self._lock:
            previous, self._no_auth_count = self._no_auth_count, float(initial_no_auth_action_count)
            self._request_count = 0
        return previous

    def auth_enforced(self) -> bool:
        return self._request_count >= self._no_auth_count

    def _next_request_enforced(self) -> bool:
        with self._lock:
            if self._request_count >= self._no_auth_count:
                return True
            self._request_count += 1
            return False

    # ------------------------------------------------------------------ setup
    def register_saml_provider(self, account_id: str, name: str, metadata_xml: str,
                               partition: str = "aws") -> str:
        """Create the IAM SAML provider (in moto too) and trust its metadata; returns its ARN."""
        iam = _iam(account_id, partition)
        provider = iam.create_saml_provider(name, metadata_xml)
        arn = f"arn:{partition}:iam::{account_id}:saml-provider/{name}"
        self.providers[arn] = SamlProvider(arn=arn, metadata_xml=metadata_xml)
        return getattr(provider, "arn", arn)

    def create_role(self, role_arn: str, principal_arn: str, max_session_duration: int = 3600) -> None:
        """Create an IAM role trusting ``principal_arn`` for sts:AssumeRoleWithSAML, allowed ``*``."""
        m = ROLE_ARN_RE.match(role_arn)
        if not m:
            raise ValueError(f"not a role ARN: {role_arn}")
        self._roles[(role_arn, principal_arn)] = max_session_duration
        partition, account, path, name = m.groups()
        iam = _iam(account, partition)
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": principal_arn},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"],
        }]}
        try:
            role = iam.get_role(name)
            role.assume_role_policy_document = _merge_trust(role.assume_role_policy_document, principal_arn)
            role.max_session_duration = max(int(role.max_session_duration or 3600), max_session_duration)
        except Exception:  # noqa: BLE001 - moto raises NoSuchEntity
            iam.create_role(role_name=name, assume_role_policy_document=json.dumps(trust),
                            path="/" + path, permissions_boundary=None, description="samlcreds sandbox",
                            tags=[], max_session_duration=str(max_session_duration))
            iam.put_role_policy(name, "AllowAll", ALLOW_ALL_POLICY)

    def create_chain_role(self, role_arn: str, trusted_arn: str) -> None:
        """Create an IAM role that ``trusted_arn`` (a role ARN) may sts:AssumeRole, allowed ``*``.

        For role-chaining tests: moto's IAM auth needs the role and its policy
        to accept calls signed with the chained credentials.
        """
        m = ROLE_ARN_RE.match(role_arn)
        if not m:
            raise ValueError(f"not a role ARN: {role_arn}")
        partition, account, path, name = m.groups()
        iam = _iam(account, partition)
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": trusted_arn}, "Action": "sts:AssumeRole"}]}
        try:
            iam.get_role(name)
            return  # already there (the sandbox STS lives for the whole test session)
        except Exception:  # noqa: BLE001 - moto raises NoSuchEntity
            pass
        iam.create_role(role_name=name, assume_role_policy_document=json.dumps(trust), path="/" + path,
                        permissions_boundary=None, description="samlcreds sandbox (chained)", tags=[],
                        max_session_duration="3600")
        iam.put_role_policy(name, "AllowAll", ALLOW_ALL_POLICY)

    def _ensure_backends(self) -> None:
        """Re-create providers and roles if moto's backends were reset (e.g. by ``mock_aws``)."""
        missing = [p for p in list(self.providers.values())
                   if p.name not in _iam(p.account_id, p.arn.split(":")[1]).saml_providers]
        if not missing:
            return
        for p in list(self.providers.values()):
            _iam(p.account_id, p.arn.split(":")[1]).create_saml_provider(p.name, p.metadata_xml)
        for (role_arn, principal_arn), max_duration in list(self._roles.items()):
            self.create_role(role_arn, principal_arn, max_duration)

    def setup_from_idp(self, idp, provider_name: str | None = None) -> None:
        """Register ``idp`` as provider in each account its users' roles mention, and create those roles.

        ``provider_name`` defaults to ``idp.provider_name`` (``SandboxIdP``);
        Role values naming other providers only get their roles created.
        MaxSessionDuration: ``max_session_duration[role_arn]``, else 43200 for
        roles named ``Admin``, else 3600.
        """
        provider_name = provider_name or getattr(idp, "provider_name", "SandboxIdP")
        pairs = set()
        for spec in idp.users.values():
            for value in spec.get("attributes", {}).get(ATTR_ROLE, []):
                pair = parse_role_value(value)
                if pair:
                    pairs.add(pair)
        for provider in sorted({p for _, p in pairs}):
            m = PROVIDER_ARN_RE.match(provider)
            if m.group(3) == provider_name:
                self.register_saml_provider(m.group(2), provider_name, idp.metadata_xml, partition=m.group(1))
        for role, provider in sorted(pairs):
            default = 43200 if role.endswith("/Admin") else 3600
            self.create_role(role, provider, self.max_session_duration.get(role, default))

    # ---------------------------------------------------------------- WSGI
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.rstrip("/") == "/federation":
            return self.federation(environ, start_response)
        body, fields = _parse_form(environ)
        self._ensure_backends()
        if fields.get("Action") == "AssumeRoleWithSAML":
            return self._respond(start_response, *self._assume_role_with_saml(fields), "text/xml")
        if path.rstrip("/") == "/moto-api/reset-auth" and environ.get("REQUEST_METHOD") == "POST":
            previous = self.reset_auth(float(body.decode() or 0))
            payload = json.dumps({"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": str(previous)})
            return self._respond(start_response, 200, payload.encode(), "application/json")
        enforce = not path.startswith("/moto-api") and self._next_request_enforced()
        if enforce and "HTTP_AUTHORIZATION" not in environ and "X-Amz-Signature" not in fields:
            # AWS answers 403 MissingAuthenticationToken; moto would crash with a 500.
            err = StsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
            return self._respond(start_response, 403, error_xml(err, str(uuid.uuid4())), "text/xml")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        _AUTH_SCOPE.count = 0 if enforce else float("inf")
        try:
            return self._moto_app(environ, start_response)
        finally:
            _AUTH_SCOPE.count = None

    @staticmethod
    def _respond(start_response, status: int, payload: bytes, content_type: str):
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden"}.get(status, "Error")
        start_response(f"{status} {reason}", [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
        return [payload]

    def _assume_role_with_saml(self, fields: dict[str, str]) -> tuple[int, bytes]:
        request_id = str(uuid.uuid4())
        with self._lock:
            self.calls.append(dict(fields))
            forced = self._forced.pop(0) if self._forced else None
        try:
            if forced is not None:
                raise forced
            return 200, self._issue(fields, request_id)
        except StsError as err:
            return err.status, error_xml(err, request_id)

    # --------------------------------------------------------- validation
    def _issue(self, fields: dict[str, str], request_id: str) -> bytes:
        role_arn, principal_arn = fields.get("RoleArn", ""), fields.get("PrincipalArn", "")
        duration = self._requested_duration(fields)
        provider = self._provider(principal_arn)
        response = decode_saml_response(fields.get("SAMLAssertion", ""))
        assertion = verify_signature(response, provider.certs_pem)
        facts = extract_facts(response, assertion)
        self._check_claims(response, assertion, facts, provider)
        self._check_pair(facts, role_arn, principal_arn)
        self._check_session_name(facts)
        role = self._role(role_arn, principal_arn)
        if duration > int(role.max_session_duration or 3600):
            raise StsError("ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        return self._mint(role_arn, facts, provider, duration, fields.get("Policy"), request_id)

    @staticmethod
    def _requested_duration(fields: dict[str, str]) -> int:
        raw = fields.get("DurationSeconds", "3600")
        try:
            duration = int(raw)
        except ValueError as exc:
            raise StsError("ValidationError", f"Value '{raw}' at 'durationSeconds' failed to satisfy "
                           "constraint: Member must be an integer") from exc
        if duration < 900:
            raise StsError("ValidationError", f"1 validation error detected: Value '{duration}' at "
                           "'durationSeconds' failed to satisfy constraint: Member must have value "
                           "greater than or equal to 900")
        if duration > 43200:
            raise StsError("ValidationError", f"1 validation error detected: Value '{duration}' at "
                           "'durationSeconds' failed to satisfy constraint: Member must have value "
                           "less than or equal to 43200")
        return duration

    def _provider(self, principal_arn: str) -> SamlProvider:
        if not PROVIDER_ARN_RE.match(principal_arn):
            raise StsError("ValidationError", f"{principal_arn} is not a valid SAML provider ARN")
        provider = self.providers.get(principal_arn)
        if provider is None:
            raise invalid_token(f"SAML provider {principal_arn} does not exist")
        return provider

    def _check_claims(self, response, assertion, facts: ValidatedAssertion, provider: SamlProvider) -> None:
        if facts.issuer != provider.entity_id:
            raise invalid_token("Issuer not present in specified provider")
        if not VALID_AUDIENCES.intersection(facts.audiences):
            raise invalid_token("SAML Assertion doesn't contain the requested Audience "
                                f"(got {', '.join(facts.audiences) or 'none'})")
        if not RECIPIENT_RE.match(facts.recipient):
            raise invalid_token(f"Invalid SAML response: Recipient {facts.recipient!r} is not an AWS sign-in URL")
        check_status(response)
        check_time_window(assertion, dt.datetime.now(dt.timezone.utc), self.clock_skew)

    @staticmethod
    def _check_pair(facts: ValidatedAssertion, role_arn: str, principal_arn: str) -> None:
        if (role_arn, principal_arn) not in facts.role_pairs:
            raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", status=403)

    @staticmethod
    def _check_session_name(facts: ValidatedAssertion) -> None:
        if facts.session_name is None:
            raise invalid_token("RoleSessionName is required in AuthnResponse")
        if not SESSION_NAME_RE.match(facts.session_name):
            raise invalid_token("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")

    @staticmethod
    def _role(role_arn: str, principal_arn: str):
        partition, account, _path, _name = ROLE_ARN_RE.match(role_arn).groups()
        try:
            role = _iam(account, partition).get_role_by_arn(role_arn)
        except Exception as exc:  # noqa: BLE001 - moto NotFoundException
            raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403) from exc
        if not _trusts(role.assume_role_policy_document, principal_arn):
            raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403)
        return role

    @staticmethod
    def _mint(role_arn, facts, provider, duration, policy, request_id) -> bytes:
        partition, account = ROLE_ARN_RE.match(role_arn).groups()[:2]
        sts = get_backend("sts")[account][partition]
        role = sts.assume_role(region_name=PARTITION_REGION[partition], role_session_name=facts.session_name,
                               role_arn=role_arn, policy=policy, duration=duration, external_id=None)
        packed = None
        if policy or facts.principal_tags:
            packed = min(99, 1 + (len(policy or "") + len(json.dumps(facts.principal_tags))) // 20)
        return success_xml(role, facts, provider, packed, request_id)


def _statements(doc) -> list[dict]:
    if isinstance(doc, str):
        doc = json.loads(urllib.parse.unquote(doc)) if doc.strip().startswith(("%7B", "%7b")) else json.loads(doc)
    stmts = doc.get("Statement", [])
    return stmts if isinstance(stmts, list) else [stmts]


def _as_list(v) -> list:
    return v if isinstance(v, list) else [v]


def _trusts(policy_doc, principal_arn: str) -> bool:
    """Does the trust policy allow ``principal_arn`` to sts:AssumeRoleWithSAML?"""
    for st in _statements(policy_doc):
        actions = _as_list(st.get("Action", []))
        federated = _as_list((st.get("Principal") or {}).get("Federated", []))
        if st.get("Effect") == "Allow" and principal_arn in federated and \
                any(a in ("sts:AssumeRoleWithSAML", "sts:*", "*") for a in actions):
            return True
    return False


def _merge_trust(policy_doc, principal_arn: str) -> str:
    doc = json.loads(policy_doc) if isinstance(policy_doc, str) else policy_doc
    if _trusts(doc, principal_arn):
        return json.dumps(doc)
    doc["Statement"].append({"Effect": "Allow", "Principal": {"Federated": principal_arn},
                             "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]})
    return json.dumps(doc)
