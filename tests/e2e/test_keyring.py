"""The IdP password in a real Secret Service (gnome-keyring in a private D-Bus session), against the sandbox IdP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from tests.helpers import run_cli

SECRET_SERVICE = "org.freedesktop.secrets"


def wait_for_our_secret_service(address: str, daemon: subprocess.Popen, timeout: float = 30.0) -> None:
    """Return once ``daemon`` itself owns the Secret Service name on the bus at ``address``.

    Asked with NameHasOwner, which never starts anything. A call *to* the name before the daemon has
    claimed it (the probe below, on a loaded machine) makes dbus-daemon start another
    gnome-keyring-daemon from /usr/share/dbus-1/services: it takes the name, has no unlock password
    and no display for its prompt, so every keyring call then fails ("Prompt dismissed").
    """
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    deadline = time.monotonic() + timeout
    with open_dbus_connection(address) as connection:
        while not connection.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (SECRET_SERVICE,))).body[0]:
            assert daemon.poll() is None, f"gnome-keyring-daemon exited with {daemon.returncode}"
            assert time.monotonic() < deadline, f"gnome-keyring-daemon did not take {SECRET_SERVICE} in {timeout} s"
            time.sleep(0.02)
        owner = connection.send_and_get_reply(
            new_method_call(bus, "GetConnectionUnixProcessID", "s", (SECRET_SERVICE,))).body[0]
    assert owner == daemon.pid, f"{SECRET_SERVICE} is owned by pid {owner}, not by our daemon {daemon.pid}"


@pytest.fixture
def secret_service(sandbox_env, tmp_path, monkeypatch):
    """A private ``dbus-daemon --session`` with ``gnome-keyring-daemon --unlock --components=secrets``."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found (apt-get install dbus gnome-keyring; the Makefile installs both)",
                        pytrace=False)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    started = [bus]
    try:
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), address
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        daemon = subprocess.Popen(["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=dict(os.environ))
        started.append(daemon)
        daemon.stdin.write(b"keyring-unlock-pw")  # the login keyring's own password (created unlocked)
        daemon.stdin.close()
        wait_for_our_secret_service(address, daemon)  # before anything calls the name (see there)
        probe = textwrap.dedent("""
            import time, keyring
            for _ in range(100):
                try:
                    keyring.set_password("samlcreds-probe", "probe", "x")
                    keyring.delete_password("samlcreds-probe", "probe")
                    break
                except Exception:
                    time.sleep(0.1)
            else:
                raise SystemExit("no Secret Service")
            print(type(keyring.get_keyring()).__module__)
        """)
        ready = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
        assert ready.returncode == 0, ready.stderr
        assert ready.stdout.strip() == "keyring.backends.SecretService"
        yield address
    finally:
        for proc in reversed(started):
            proc.terminate()
            proc.wait(timeout=10)


def stored(username: str = "bob") -> str | None:
    code = ("import keyring, os, urllib.parse; host = urllib.parse.urlsplit(os.environ['SAMLCREDS_URL']).netloc;"
            f" print(keyring.get_password('samlcreds:' + host, {username!r}) or '')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() or None


def put(password: str, username: str = "bob") -> None:
    code = ("import keyring, os, sys, urllib.parse; host = urllib.parse.urlsplit(os.environ['SAMLCREDS_URL']).netloc;"
            f" keyring.set_password('samlcreds:' + host, {username!r}, sys.stdin.read())")
    out = subprocess.run([sys.executable, "-c", code], input=password, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def failed_logins(idp) -> int:
    """Password POSTs the IdP answered minus the successful ones it counted."""
    posts = sum("POST" in line and "loginuserpass.php" in line
                for line in idp.server_log.read_text(errors="replace").splitlines())
    return posts - idp.login_count()


def configure(profile="work", *extra):
    result = run_cli(["configure", "--profile", profile, "--provider", "form", "--url", os.environ["SAMLCREDS_URL"],
                      "--username", "bob", "--credential-process", *extra])
    assert result.returncode == 0, result.stderr


def test_remembered_password_signs_in_without_a_terminal(secret_service, sandbox_idp):
    configure()
    first = run_cli(["login", "--profile", "work", "--password-stdin", "--remember-password"], input="bob-pw\n")
    assert first.returncode == 0, first.stderr
    assert "Stored the IdP password of bob in the OS keyring" in first.stderr
    assert stored() == "bob-pw"
    assert run_cli(["logout", "--profile", "work"]).returncode == 0  # no cached credentials, no IdP session
    logins = sandbox_idp.login_count()
    result = run_cli(["process", "--profile", "work"])  # no terminal, no password given
    assert result.returncode == 0, result.stderr
    assert sandbox_idp.login_count() == logins + 1  # a real password sign-in, with the stored password

    forget = run_cli(["logout", "--profile", "work", "--forget-password"])
    assert forget.returncode == 0 and "Deleted the IdP password of bob" in forget.stderr
    assert stored() is None
    again = run_cli(["process", "--profile", "work"])
    assert again.returncode == 3 and "needs you to sign in" in again.stderr


def test_logout_forgets_the_password_of_a_login_made_with_flags_only(secret_service, sandbox_idp):
    """Profile br is in no config file: the IdP URL and user name came from flags, as logout learns from
    br's cached credentials (SAMLCREDS_URL is left out of logout's environment)."""
    url = os.environ["SAMLCREDS_URL"]
    login = ["login", "--profile", "br", "--url", url, "--username", "bob", "--password-stdin", "--remember-password"]
    first = run_cli(login, input="bob-pw\n")
    assert first.returncode == 0, first.stderr
    assert stored() == "bob-pw"
    env = {k: v for k, v in os.environ.items() if k != "SAMLCREDS_URL"}
    forget = run_cli(["logout", "--profile", "br", "--forget-password"], env=env)
    assert forget.returncode == 0, forget.stderr
    host = url.split("/")[2]
    assert f"Deleted the IdP password of bob at {host} from the OS keyring." in forget.stderr
    assert stored() is None

    assert run_cli(login, input="bob-pw\n").returncode == 0 and stored()
    everything = run_cli(["logout", "--all", "--forget-password"], env=env)
    assert everything.returncode == 0, everything.stderr
    assert ", 1 stored password(s)." in everything.stderr and stored() is None


def test_profile_setting_remembers_and_password_stdin_wins(secret_service, sandbox_idp):
    configure("work")
    with open(os.environ["AWS_CONFIG_FILE"], "a") as handle:
        handle.write("saml_remember_password = true\n")
    put("stale-pw")
    # a password given on stdin is used (not the stored one), and stored after it worked
    result = run_cli(["login", "--profile", "work", "--password-stdin"], input="bob-pw\n")
    assert result.returncode == 0, result.stderr
    assert stored() == "bob-pw"


def test_refused_stored_password_is_deleted_after_one_try(secret_service, sandbox_idp):
    configure()
    put("not-bobs-password")
    failures = failed_logins(sandbox_idp)
    result = run_cli(["process", "--profile", "work"])
    assert result.returncode == 3
    assert "stored in the OS keyring, which samlcreds has deleted and will not try again" in result.stderr
    assert stored() is None
    assert failed_logins(sandbox_idp) == failures + 1
    again = run_cli(["process", "--profile", "work"])
    assert again.returncode == 3
    assert failed_logins(sandbox_idp) == failures + 1  # never tried again: there is nothing to try


def test_cache_hit_never_opens_the_keyring(secret_service, sandbox_env):
    configure()
    assert run_cli(["login", "--profile", "work", "--password-stdin", "--remember-password"],
                   input="bob-pw\n").returncode == 0
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "samlcreds", "process", "--profile", "work"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "samlcreds" in imported
    assert not imported & {"keyring", "secretstorage", "jeepney"}


def test_browser_autofill_uses_the_stored_password(secret_service, sandbox_idp):
    put("bob-pw")
    before = sandbox_idp.login_count("bob")
    result = run_cli(["login", "--provider", "browser", "--autofill", "--username", "bob", "--url",
                      os.environ["SAMLCREDS_URL"], "--profile", "b", "--print", "json"])
    assert result.returncode == 0, result.stderr
    assert sandbox_idp.login_count("bob") == before + 1
    assert "bob-pw" not in result.stderr + result.stdout


def test_refused_one_time_code_keeps_the_stored_password(secret_service, lemonldap_env, lemonldap_idp):
    """FactorRefused end to end: LemonLDAP::NG accepts dwho's stored password and refuses the TOTP code;
    the command says the code was refused, and the password stays in the keyring (and still works)."""
    from sandbox.lemonldap import DWHO_TOTP_SECRET
    from tests.e2e.test_lemonldap_totp import _Counts, _profile, _wrong_code_command

    _profile(lemonldap_env, "totp", lemonldap_idp.sso_url, _wrong_code_command())
    put("dwho", username="dwho")
    counts = _Counts(lemonldap_idp)
    result = run_cli(["process", "--profile", "totp"])  # no terminal: the password comes from the keyring
    assert result.returncode == 3, result.stderr
    assert "one-time code was refused" in result.stderr
    assert "password was refused" not in result.stderr and "deleted" not in result.stderr
    assert "Traceback" not in result.stderr
    assert counts.delta() == {"accepted": 0, "refused": 1, "bad_password": 0, "sessions": 0}
    assert stored("dwho") == "dwho"  # the stored password survived the refused code

    _profile(lemonldap_env, "good", lemonldap_idp.sso_url, f"oathtool --totp -b {DWHO_TOTP_SECRET}")
    again = run_cli(["process", "--profile", "good"])  # the kept password, with a right code
    assert again.returncode == 0, again.stderr
    assert counts.delta() == {"accepted": 1, "refused": 1, "bad_password": 0, "sessions": 1}
