"""The credential_process cache-hit path stays light: no AWS, HTTP, XML or CLI libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from samlcreds import config, paths
from samlcreds.cache import CredentialCache, cache_key
from samlcreds.creds import Credentials

HEAVY = {"boto3", "botocore", "requests", "lxml", "playwright", "click", "rich", "urllib3", "platformdirs"}
#: Standard-library modules the hit does not need (python -c "import json" loads none of them either).
NOT_NEEDED = {"configparser", "contextlib", "pathlib", "datetime", "threading", "shlex", "dataclasses", "typing",
              "fcntl", "filelock", "logging", "tempfile"}
#: The only samlcreds modules a hit loads (small ones: without bytecode each is compiled on every call).
OURS = {"samlcreds", "samlcreds.cli", "samlcreds.cli.process", "samlcreds.cache", "samlcreds.paths",
        "samlcreds.profile"}


def test_cache_hit_imports_nothing_heavy(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"), AWS_CONFIG_FILE=str(tmp_path / "config"))
    (tmp_path / "config").write_text("[default]\nregion = eu-west-1\n\n[profile p]\nsaml_url = https://idp/sso\n"
                                     "saml_role_arn = Dev\ns3 =\n  addressing_style = path\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    creds = Credentials("ASIAWARM", "s", "t", datetime.now(timezone.utc) + timedelta(hours=1))
    CredentialCache(paths.credentials_cache_dir()).store(cache_key(config.resolve("p")), creds.to_process_json())

    console_script = "from samlcreds.cli import main; main()"  # what the samlcreds entry point runs
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", console_script, "process", "--profile", "p"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AccessKeyId"] == "ASIAWARM"
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    imported = {name.split(".")[0] for name in modules}
    assert imported & HEAVY == set()
    assert modules & NOT_NEEDED == set()
    assert {name for name in modules if name.startswith("samlcreds")} == OURS


#: What a chained profile's hit loads besides OURS: its key (chainkey) and the AWS duration and region facts.
CHAINED = {"samlcreds.chainkey", "samlcreds.aws"}


def test_chained_cache_hit_imports_nothing_heavy(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"), AWS_CONFIG_FILE=str(tmp_path / "config"))
    (tmp_path / "config").write_text(
        "[profile work]\nsaml_url = https://idp/sso\nsaml_role_arn = 111111111111:ReadOnly\n"
        "credential_process = samlcreds process --profile work\n\n"
        "[profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\nsource_profile = work\n"
        "role_session_name = me\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from samlcreds.chain import fetcher_for

    key = fetcher_for("deploy", lambda settings: None).key  # the key the full command caches chained credentials under
    creds = Credentials("ASIACHAINED", "s", "t", datetime.now(timezone.utc) + timedelta(hours=1))
    CredentialCache(paths.credentials_cache_dir()).store(key, creds.to_process_json())

    console_script = "from samlcreds.cli import main; main()"
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", console_script, "process", "--profile", "deploy"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AccessKeyId"] == "ASIACHAINED"
    modules = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert {name.split(".")[0] for name in modules} & HEAVY == set()
    assert modules & NOT_NEEDED == set()
    assert {name for name in modules if name.startswith("samlcreds")} == OURS | CHAINED


def test_a_900_s_credential_is_a_hit_and_a_fresh_one_is_served(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"), AWS_CONFIG_FILE=str(tmp_path / "config"))
    (tmp_path / "config").write_text("[profile s]\nsaml_url = http://127.0.0.1:9/sso\nsaml_duration = 900\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    cache = CredentialCache(paths.credentials_cache_dir())
    key = cache_key(config.resolve("s"))
    now = datetime.now(timezone.utc)
    for left, obtained_ago, hit in ((890, 10, True), (400, 500, True), (290, 610, False)):
        creds = Credentials("ASIASHORT", "s", "t", now + timedelta(seconds=left))
        cache.store(key, creds.to_process_json(), obtained_at=now.timestamp() - obtained_ago)
        out = subprocess.run([sys.executable, "-m", "samlcreds", "process", "--profile", "s"], env=env,
                             capture_output=True, text=True, timeout=60)
        if hit:
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout)["AccessKeyId"] == "ASIASHORT"
        else:  # under 5 minutes left: it signs in (at an IdP that is not there)
            assert out.returncode == 3 and out.stdout == "", out.stderr
            assert "could not connect to the IdP" in out.stderr
