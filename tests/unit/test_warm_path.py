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


def test_cache_hit_imports_nothing_heavy(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAMLCREDS_"))}
    env.update(HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"), AWS_CONFIG_FILE=str(tmp_path / "config"))
    (tmp_path / "config").write_text("[profile p]\nsaml_url = https://idp/sso\nsaml_role_arn = Dev\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    creds = Credentials("ASIAWARM", "s", "t", datetime.now(timezone.utc) + timedelta(hours=1))
    CredentialCache(paths.credentials_cache_dir()).store(cache_key(config.resolve("p")), creds.to_process_json())

    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "samlcreds", "process", "--profile", "p"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["AccessKeyId"] == "ASIAWARM"
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert imported & HEAVY == set()
