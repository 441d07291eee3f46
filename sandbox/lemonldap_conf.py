"""LemonLDAP::NG configuration files for :class:`sandbox.lemonldap.LemonLdapIdp` (written, not copied).

``app.psgi`` (the portal with ``/static`` and ``/javascript``, and the TOTP
devices seeded into persistent sessions), ``lemonldap-ng.ini`` and
``lmConf-1.json`` (Demo backend, SAML issuer for AWS's SP, TOTP). Key names are
LemonLDAP::NG 2.16's (``Lemonldap::NG::Common::Conf::DefaultValues``).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from sandbox.idp import ATTR_ROLE, ATTR_SESSION_DURATION, ATTR_SESSION_NAME, AWS_SP_ENTITY_ID, NAMEFORMAT_URI

LLNG_STATIC = Path("/usr/share/lemonldap-ng/portal/htdocs/static")
LLNG_TEMPLATES = Path("/usr/share/lemonldap-ng/portal/templates")
JAVASCRIPT = Path("/usr/share/javascript")
SP_CONF_KEY = "aws"

APP_PSGI = r"""use strict;
use JSON qw(from_json to_json);
use Plack::Builder;
use Plack::App::File;
use Lemonldap::NG::Common::Session;
use Lemonldap::NG::Common::Util qw(getPSessionID);
use Lemonldap::NG::Portal::Main;

# Seed each TOTP user's device into their persistent session, as the portal would after enrolment.
my $here = __FILE__ =~ s{[^/]+$}{}r;
my $seed = do { local $/; open my $fh, '<', "${here}totp-devices.json" or die "$!"; from_json(<$fh>) };
for my $uid (sort keys %{ $seed->{devices} }) {
    my $session = Lemonldap::NG::Common::Session->new({
        storageModule        => 'Apache::Session::File',
        storageModuleOptions => $seed->{storage},
        id                   => getPSessionID($uid),
        force                => 1,
        kind                 => 'Persistent',
        info                 => { _session_uid => $uid, _2fDevices => to_json($seed->{devices}{$uid}) },
    });
    die "cannot seed the persistent session of $uid: " . $session->error . "\n" if $session->error;
}

my $portal = Lemonldap::NG::Portal::Main->run({});
builder {
    mount '/static'     => Plack::App::File->new(root => $seed->{static})->to_app;
    mount '/javascript' => Plack::App::File->new(root => $seed->{javascript})->to_app;
    mount '/'           => $portal;
};
"""


def perl_string(value: str) -> str:
    """A single-quoted Perl literal (no interpolation)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def cache_options(workdir: Path, namespace: str) -> dict:
    """Options of a ``Cache::FileCache`` under ``workdir/cache`` (LemonLDAP's local caches)."""
    return {"namespace": namespace, "cache_root": str(workdir / "cache"), "cache_depth": 3,
            "default_expires_in": 600, "directory_umask": "077"}


def ini(workdir: Path) -> str:
    """``lemonldap-ng.ini`` (``LLNG_DEFAULTCONFFILE``): the File configuration backend in ``workdir/conf``."""
    cache = ", ".join(f"'{k}' => '{v}'" for k, v in cache_options(workdir, "lemonldap-ng-config").items())
    return (f"[all]\nlogLevel = notice\ncheckTime = 1\n\n"
            f"[configuration]\ntype = File\ndirName = {workdir / 'conf'}\n"
            f"localStorage = Cache::FileCache\nlocalStorageOptions = {{ {cache} }}\n\n"
            f"[portal]\nstaticPrefix = /static\ntemplateDir = {LLNG_TEMPLATES}\nlanguages = en\n")


def role_macro(users: dict) -> str:
    """Perl for the ``awsRoles`` macro: the user's Role values joined with ``;`` (split again by
    ``multiValuesSeparator``, so each pair is one AttributeValue)."""
    branches = [f"$uid eq {perl_string(uid)} ? {perl_string(';'.join(spec['attributes'].get(ATTR_ROLE, [])))}"
                for uid, spec in sorted(users.items())]
    return " : ".join(branches + ["''"])


def first_value_macro(users: dict, attr: str) -> str:
    """Perl for a macro giving each user's first value of ``attr``."""
    branches = [f"$uid eq {perl_string(uid)} ? {perl_string((spec['attributes'].get(attr) or [''])[0])}"
                for uid, spec in sorted(users.items())]
    return " : ".join(branches + ["''"])


def sp_metadata(acs_url: str) -> str:
    """AWS's SP metadata as AWS publishes it (signin.aws.amazon.com/static/saml-metadata.xml), our ACS."""
    return (
        '<?xml version="1.0"?>\n'
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{AWS_SP_ENTITY_ID}">'
        '<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>'
        '<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>'
        '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
        f'Location="{acs_url}" index="1" isDefault="true"/>'
        '</md:SPSSODescriptor></md:EntityDescriptor>')


def lmconf(idp) -> dict:
    """``lmConf-1.json`` for ``idp`` (a :class:`~sandbox.lemonldap.LemonLdapIdp`)."""
    w = idp.workdir
    portal = f"{idp.base_url}/"
    uri = NAMEFORMAT_URI
    return {
        "cfgNum": 1, "cfgVersion": "2.16.1", "cfgAuthor": "samlcreds sandbox", "cfgDate": int(time.time()),
        "key": secrets.token_hex(16),
        "authentication": "Demo", "userDB": "Same", "passwordDB": "Demo", "registerDB": "Null",
        "demoExportedVars": {"uid": "uid", "cn": "cn", "mail": "mail"},
        "portal": portal, "domain": "127.0.0.1", "cookieName": "lemonldap", "securedCookie": 0,
        # Browsers drop SameSite=None cookies without Secure (plain http here): Lax keeps the SSO session.
        "sameSite": "Lax",
        "https": 0, "portalSkin": "bootstrap", "whatToTrace": "uid", "timeout": 8 * 3600,
        "trustedDomains": "", "checkXSS": 1, "requireToken": 1, "loginHistoryEnabled": 0,
        "portalDisplayRegister": 0, "portalDisplayResetPassword": 0, "notification": 0,
        "globalStorage": "Apache::Session::File",
        "globalStorageOptions": {"Directory": str(w / "sessions"), "LockDirectory": str(w / "sessions" / "lock"),
                                 "generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256"},
        "persistentStorage": "Apache::Session::File",
        "persistentStorageOptions": {"Directory": str(w / "psessions"),
                                     "LockDirectory": str(w / "psessions" / "lock")},
        "localSessionStorage": "Cache::FileCache",
        "localSessionStorageOptions": cache_options(w, "lemonldap-ng-sessions"),
        "locationRules": {"127.0.0.1": {"default": "accept"}},
        "exportedHeaders": {}, "macros": {}, "groups": {},
        "multiValuesSeparator": ";",
        # second factor: TOTP for users with a device (has2f("TOTP")), no registration by users
        "totp2fActivation": 1, "totp2fSelfRegistration": 0, "totp2fDigits": 6, "totp2fInterval": 30,
        "totp2fRange": 1,
        # SAML issuer
        "issuerDBSAMLActivation": 1, "issuerDBSAMLPath": "^/saml/", "issuerDBSAMLRule": 1,
        "samlServicePrivateKeySig": idp.key_pem.read_text(), "samlServicePrivateKeySigPwd": "",
        "samlServicePublicKeySig": idp.cert_pem.read_text(), "samlServiceUseCertificateInResponse": 1,
        "samlServiceSignatureMethod": "RSA_SHA256",
        "samlSPMetaDataXML": {SP_CONF_KEY: {"samlSPMetaDataXML": sp_metadata(idp.acs_url)}},
        "samlSPMetaDataMacros": {SP_CONF_KEY: {
            "awsRoles": role_macro(idp.users),
            "awsSessionName": first_value_macro(idp.users, ATTR_SESSION_NAME),
            "awsSessionDuration": first_value_macro(idp.users, ATTR_SESSION_DURATION)}},
        "samlSPMetaDataExportedAttributes": {SP_CONF_KEY: {
            "awsRoles": f"1;{ATTR_ROLE};{uri}",
            "awsSessionName": f"1;{ATTR_SESSION_NAME};{uri}",
            "awsSessionDuration": f"0;{ATTR_SESSION_DURATION};{uri}"}},
        "samlSPMetaDataOptions": {SP_CONF_KEY: {
            "samlSPMetaDataOptionsNameIDFormat": "persistent",
            "samlSPMetaDataOptionsNameIDSessionKey": "uid",
            "samlSPMetaDataOptionsEnableIDPInitiatedURL": 1,
            "samlSPMetaDataOptionsSignSSOMessage": 1,
            "samlSPMetaDataOptionsCheckSSOMessageSignature": 0,
            "samlSPMetaDataOptionsSignSLOMessage": 1,
            "samlSPMetaDataOptionsCheckSLOMessageSignature": 0,
            "samlSPMetaDataOptionsNotOnOrAfterTimeout": 300,
            "samlSPMetaDataOptionsSessionNotOnOrAfterTimeout": 8 * 3600,
            "samlSPMetaDataOptionsOneTimeUse": 0, "samlSPMetaDataOptionsForceUTF8": 1}},
    }
