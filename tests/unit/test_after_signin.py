"""Unit tests of the after-sign-in pieces: chain specs, profile templates, account names, keyring hooks."""

from __future__ import annotations

import pytest

from samlcreds import accounts, allroles, chain, errors, keyring_store
from samlcreds.roles import RolePair

DEV = RolePair("arn:aws:iam::111111111111:role/team/Developer", "arn:aws:iam::111111111111:saml-provider/IdP")
AUD = RolePair("arn:aws:iam::222222222222:role/Auditor", "arn:aws:iam::222222222222:saml-provider/IdP")


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    return path


def test_chain_spec_reads_the_aws_keys(config_file):
    config_file.write_text("[profile c]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\nsource_profile = s\n"
                           "role_session_name = me\nexternal_id = xyz\nduration_seconds = 900\nregion = eu-west-1\n"
                           "[profile s]\nsaml_url = https://idp/sso\n")
    spec = chain.chain_spec("c")
    assert (spec.role_arn, spec.source_profile, spec.role_session_name, spec.external_id, spec.duration,
            spec.region) == ("arn:aws:iam::222222222222:role/Deploy", "s", "me", "xyz", 900, "eu-west-1")
    assert chain.chain_spec("s") is None
    assert chain.samlcreds_source("s") == "s"


@pytest.mark.parametrize("value, fragment", [("7200", "1 hour"), ("600", "minimum"), ("1h", "whole number")])
def test_chained_duration_bounds(value, fragment):
    with pytest.raises(errors.UsageError) as caught:
        chain.check_chained_duration(value, "c")
    assert fragment in str(caught.value)
    assert chain.check_chained_duration(None) == 3600


def test_half_a_chain_is_refused(config_file):
    config_file.write_text("[profile c]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n")
    with pytest.raises(errors.UsageError, match="not source_profile"):
        chain.chain_spec("c")


def test_credential_process_source(config_file):
    config_file.write_text('[profile s]\ncredential_process = "/opt/my tools/samlcreds" process --profile real\n'
                           "[profile other]\ncredential_process = /usr/bin/other-tool\n")
    assert chain.samlcreds_source("s") == "real"
    assert chain.samlcreds_source("other") is None


def test_profile_template():
    names = allroles.profile_names([DEV, AUD], "{account}-{role}", {"111111111111": "prod"})
    assert names == {DEV: "prod-Developer", AUD: "222222222222-Auditor"}
    assert allroles.profile_names([DEV], "{account_id}_{role}", {})[DEV] == "111111111111_Developer"
    for template, message in (("{nope}", "unknown placeholder"), ("x", "same profile name"),
                              ("{role} x", "cannot be a profile name"), ("{role", "does not parse")):
        with pytest.raises(errors.UsageError, match=message):
            allroles.profile_names([DEV, AUD], template, {})


def test_account_names_parse_and_merge(config_file):
    assert accounts.parse_account_names("111111111111=prod, 222222222222 = shared ,") == {
        "111111111111": "prod", "222222222222": "shared"}
    with pytest.raises(errors.UsageError, match="not ACCOUNT_ID=NAME"):
        accounts.parse_account_names("1111=prod")
    config_file.write_text("[default]\nsaml_account_names = 111111111111=prod, 222222222222=shared\n"
                           "[profile p]\nsaml_account_names = 222222222222=mine\n")
    assert accounts.configured_names("p") == {"111111111111": "prod", "222222222222": "mine"}
    assert accounts.label("222222222222", {"222222222222": "mine"}) == "mine (222222222222)"
    assert accounts.label("333333333333", {}) == "333333333333"


class FakeKeyring:
    """A stand-in for the keyring package's three calls (the e2e tests use a real Secret Service)."""

    def __init__(self):
        self.items = {}

    def get_password(self, service, user):
        return self.items.get((service, user))

    def set_password(self, service, user, password):
        self.items[(service, user)] = password

    def delete_password(self, service, user):
        del self.items[(service, user)]


def test_keyring_password_hooks(monkeypatch):
    fake = FakeKeyring()
    monkeypatch.setattr(keyring_store, "_keyring", lambda: fake)
    asked = []
    url = "https://idp.example.com:8443/sso"

    typed = keyring_store.KeyringPassword(lambda prompt: asked.append(prompt) or "typed", url=url,
                                          username="bob", remember=True)
    assert typed("Password: ") == "typed" and asked == ["Password: "]
    typed.succeeded()
    assert fake.items == {("samlcreds:idp.example.com:8443", "bob"): "typed"}

    again = keyring_store.KeyringPassword(lambda prompt: asked.append(prompt) or "other", url=url, username="bob")
    assert again("Password: ") == "typed" and len(asked) == 1  # stored one first, no prompt
    error = again.refused(errors.InvalidCredentials("the IdP refused the password"))
    assert "deleted and will not try again" in error.message
    assert fake.items == {}
    assert again("Password: ") == "other"  # a second ask in the same flow prompts

    given = keyring_store.KeyringPassword(lambda prompt: "stdin", url=url, username="bob", use_stored=False)
    fake.set_password("samlcreds:idp.example.com:8443", "bob", "stored")
    assert given("Password: ") == "stdin"
    plain = errors.InvalidCredentials("refused")
    assert given.refused(plain) is plain and fake.items  # a typed password: nothing deleted


def _remembering(**more) -> tuple[keyring_store.KeyringPassword, list]:
    said: list[str] = []
    hooks = keyring_store.KeyringPassword(lambda prompt: "typed", url="https://idp.example.com/sso", username="bob",
                                          remember=True, notify=said.append, **more)
    return hooks, said


def test_keyring_package_missing_says_how_to_install_it(monkeypatch):
    import shlex
    import sys

    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring raises ImportError
    hooks, said = _remembering()
    hooks("Password: ")
    hooks.succeeded()
    warning, hint = said[0].split("\n")
    assert warning == ("samlcreds: warning: remembering the IdP password needs the keyring package, which is not "
                       "installed")
    assert f"{shlex.quote(sys.executable)} -m pip install 'keyring>=24'" in hint
    assert len(said) == 1  # no "Stored ..." after it


def test_no_keyring_backend_is_explained(monkeypatch):
    """The keyring package's own fail backend (what it picks when no Secret Service or Keychain answers)."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        hooks, said = _remembering()
        hooks("Password: ")
        hooks.succeeded()
    finally:
        keyring.set_keyring(before)
    warning, hint = said[0].split("\n")
    assert warning == "samlcreds: warning: the OS keyring did not store the password (NoKeyringError)"
    assert "Secret Service" in hint and "running and unlocked" in hint
    assert "The IdP password in the OS keyring" in hint  # the README section
    assert "typed" not in said[0]


def test_remember_with_no_password_typed_says_nothing_was_stored(monkeypatch):
    fake = FakeKeyring()
    monkeypatch.setattr(keyring_store, "_keyring", lambda: fake)
    hooks, said = _remembering(unstored="the IdP session was still valid")
    hooks.succeeded()  # the IdP never asked
    assert said == ["note: nothing was stored in the OS keyring: the IdP session was still valid"]
    assert fake.items == {}
    quiet, said = _remembering()  # saml_remember_password in the profile: no note on every sign-in
    quiet.succeeded()
    assert said == []


def test_login_remember_password_on_a_live_idp_session_says_why_nothing_was_stored(isolated_env, tmp_path):
    """login --remember-password when the IdP's session cookie is still valid: no password is asked, so
    none can be stored, and the command says so (before STS, here unreachable, is called)."""
    from tests import samples
    from tests.helpers import run_main
    from tests.unit.form_server import PageServer, Reply, aws_form, login_form

    final = aws_form(samples.b64(samples.response_xml()))
    signed_in = Reply(final, headers={"Set-Cookie": "idp_session=live; Path=/; Max-Age=3600"})
    routes = {"/": lambda hit: final if "idp_session=live" in hit.cookie else login_form(), "/login": signed_in}
    with PageServer(routes) as server:
        args = ["--url", server.base + "/", "--username", "alice"]
        first = run_main(["roles", *args, "--password-stdin"], stdin="pw\n")
        assert first.returncode == 0, first.stderr
        env = dict(isolated_env, AWS_ENDPOINT_URL="http://127.0.0.1:9")
        run = run_main(["login", "--profile", "w", *args, "--role", samples.ROLE_A, "--remember-password",
                        "--timeout", "2"], env=env)
    assert run.returncode == 5, run.stderr  # STS on a closed port
    assert ("note: nothing was stored in the OS keyring: the IdP session was still valid, so the IdP did not ask "
            "for the password") in run.stderr
    assert "'samlcreds logout --profile w'" in run.stderr


def test_container_server_answers():
    import json
    import urllib.error
    import urllib.request
    from datetime import datetime, timedelta, timezone

    from samlcreds.creds import Credentials
    from samlcreds.servers.container import CredentialsServer

    calls = []

    def fetch():
        calls.append(1)
        if len(calls) > 1:
            raise errors.InteractionRequired("profile p needs you to sign in")
        return Credentials("ASIAUNIT", "secret", "token", datetime.now(timezone.utc) + timedelta(hours=1))

    def status(url, token=None):
        headers = {"Authorization": token} if token is not None else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    errors_seen = []
    with CredentialsServer(fetch, on_error=errors_seen.append) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        assert status(server.url)[0] == 401
        assert status(server.url, "wrong")[0] == 403
        assert status(server.url.rsplit("/", 1)[0] + "/other", server.token)[0] == 404
        code, doc = status(server.url, server.token)
        assert code == 200 and doc["AccessKeyId"] == "ASIAUNIT" and doc["Token"] == "token"
        assert doc["Expiration"].endswith("Z")
        code, doc = status(server.url, server.token)
        assert code == 500 and doc == {"message": "profile p needs you to sign in"}
        assert len(errors_seen) == 1
        assert calls == [1, 1]  # no fetch for refused requests


def test_alias_lookup_runs_detached_and_remembers_a_failure_as_no_alias(isolated_env, monkeypatch):
    """The lookup process gets the credentials on stdin (never argv), runs in its own session, and a
    lookup that cannot reach IAM (a closed loopback port) is remembered as "no alias", 0600."""
    import json
    import os
    import time
    from datetime import datetime, timedelta, timezone
    from pathlib import Path

    from samlcreds.creds import Credentials

    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9")  # discard port: refused at once
    creds = Credentials("ASIAEXAMPLEKEYID0001", "secret-key-never-in-argv", "token-never-in-argv",
                        datetime.now(timezone.utc) + timedelta(hours=1), account_id="333333333333")
    lookups = accounts.AliasLookups()
    lookups.add(creds)
    lookups.add(creds)  # the same account once
    assert len(lookups.jobs) == 1
    child = lookups.start()
    assert child is not None and os.getsid(child.pid) == child.pid  # its own session
    try:
        argv = Path(f"/proc/{child.pid}/cmdline").read_bytes()
    except FileNotFoundError:  # already done
        argv = b" ".join(a.encode() for a in child.args)
    assert b"secret-key" not in argv and b"token-never" not in argv and b"ASIAEXAMPLE" not in argv
    assert child.wait(timeout=30) == 0
    path = Path(isolated_env["XDG_CACHE_HOME"]) / "samlcreds" / "account-aliases.json"
    stored = json.loads(path.read_text())
    assert stored["333333333333"]["alias"] is None and time.time() - stored["333333333333"]["at"] < 60
    assert path.stat().st_mode & 0o777 == 0o600
    assert accounts.cached_aliases() == {"333333333333": None}
    again = accounts.AliasLookups()
    again.add(creds)  # remembered: not asked again for a week
    assert again.jobs == [] and again.start() is None


@pytest.mark.parametrize("executable", ["", None])
def test_alias_lookup_is_skipped_without_an_interpreter_path(executable, isolated_env, monkeypatch):
    """Embedded interpreters may have no ``sys.executable``: no lookup process, no error, nothing remembered."""
    import sys
    from datetime import datetime, timedelta, timezone

    from samlcreds.creds import Credentials

    monkeypatch.setattr(sys, "executable", executable)
    lookups = accounts.AliasLookups()
    lookups.add(Credentials("ASIAEXAMPLEKEYID0002", "s", "t", datetime.now(timezone.utc) + timedelta(hours=1),
                            account_id="555555555555"))
    assert len(lookups.jobs) == 1
    detached = len(accounts._DETACHED)
    assert lookups.start() is None
    assert len(accounts._DETACHED) == detached  # no process started
    assert accounts.cached_aliases() == {}


def test_profile_template_clash_hint_names_what_tells_the_roles_apart():
    from samlcreds.roles import RolePair

    ops = RolePair("arn:aws:iam::111111111111:role/Ops", DEV.principal_arn)
    with pytest.raises(errors.UsageError) as same_account:
        allroles.profile_names([DEV, ops], "fixed", {})
    assert "Add {role} to the template" in same_account.value.hint
    other = RolePair("arn:aws:iam::222222222222:role/Developer", AUD.principal_arn)
    with pytest.raises(errors.UsageError) as two_accounts:
        allroles.profile_names([DEV, other], "{role}", {})
    assert "Add {account_id} to the template" in two_accounts.value.hint


def test_keyring_service_name_leaves_out_user_info_of_the_url():
    """A ``user:password@`` in saml_url must not become part of the keyring entry's name (listings show it)."""
    from samlcreds import keyring_store

    assert keyring_store.service_name("https://me:s3cret@IdP.example.com:8443/sso") == "samlcreds:idp.example.com:8443"
    assert keyring_store.service_name("https://idp.example.com/sso") == "samlcreds:idp.example.com"
    assert keyring_store.service_name("not a url") is None
