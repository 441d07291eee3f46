"""Concurrency stress: many processes writing one AWS ini file / the cache while others read.

Writers: 50 processes x 20 rounds, each writing its own profile through the
library (``credfile.write_profile``, ``config.write_profile_settings``,
``CredentialCache.store``). Readers: processes parsing the file the way
botocore does, in a loop, for as long as the writers run. Every read must
parse; at the end every profile is present, the user's comments and
unrelated sections are unchanged byte for byte, and the mode is 0600.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import isolated_environ

WRITERS = 50
ROUNDS = 20
READERS = 3
PRELUDE = """\
# my credentials — do not lose this comment
; another comment style

[long-term]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
# trailing comment of long-term

"""
CONFIG_PRELUDE = """\
# my config
[default]
region = eu-west-1
output = json

[profile unrelated]
region = us-west-2
  # an indented comment
"""

WRITER_CREDENTIALS = """
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from samlcreds import credfile
from samlcreds.creds import Credentials
index, rounds, path = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
for r in range(rounds):
    creds = Credentials(access_key_id=f"ASIA{index:04d}R{r:04d}XXXXXXX", secret_access_key=f"secret-{index}-{r}",
                        session_token=f"token-{index}-{r}" * 20,
                        expiration=datetime.now(timezone.utc) + timedelta(hours=1))
    credfile.write_profile(f"worker{index}", creds, path=path)
"""

WRITER_CONFIG = """
import os, sys
from samlcreds import config
index, rounds = int(sys.argv[1]), int(sys.argv[2])
for r in range(rounds):
    config.write_profile_settings(f"worker{index}", {
        "saml_provider": "form", "saml_url": f"https://idp.example.com/sso/{index}",
        "saml_username": f"user{index}", "saml_duration": str(900 + r), "region": "eu-west-1"})
"""

WRITER_CACHE = """
import sys
from pathlib import Path
from samlcreds.cache import CredentialCache
index, rounds, directory = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
cache = CredentialCache(directory)
key = {"profile": "shared", "url": "https://idp"}
for r in range(rounds):
    cache.store(key, {"Version": 1, "AccessKeyId": f"ASIA{index:04d}{r:04d}", "SecretAccessKey": "s" * 40,
                      "SessionToken": f"{index}-{r}-" + "t" * 3000, "Expiration": "2099-01-01T00:00:00Z"})
"""

READER_INI = """
import sys, time, json, configparser
from pathlib import Path
import botocore.configloader
path, stop, kind = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
reads = errors = 0
problems = []
while not stop.exists():
    try:
        parsed = botocore.configloader.raw_config_parse(str(path))
        if kind == "credentials":
            for name, section in parsed.items():
                if name.startswith("worker"):
                    assert section["aws_access_key_id"].startswith("ASIA"), section
                    assert section["aws_session_token"].startswith("token-"), name
        reads += 1
    except FileNotFoundError:
        continue
    except Exception as exc:
        errors += 1
        problems.append(repr(exc)[:300])
print(json.dumps({"reads": reads, "errors": errors, "problems": problems[:5]}))
"""

READER_BOTOCORE_SESSION = """
import sys, json
from pathlib import Path
import botocore.session
stop, profile = Path(sys.argv[1]), sys.argv[2]
reads = errors = 0
problems = []
while not stop.exists():
    try:
        creds = botocore.session.Session(profile=profile).get_credentials()
        assert creds is not None and creds.access_key == "AKIAIOSFODNN7EXAMPLE", creds
        reads += 1
    except Exception as exc:
        errors += 1
        problems.append(repr(exc)[:300])
print(json.dumps({"reads": reads, "errors": errors, "problems": problems[:5]}))
"""

READER_CACHE = """
import sys, json
from pathlib import Path
from samlcreds.cache import CredentialCache
directory, stop = Path(sys.argv[1]), Path(sys.argv[2])
cache = CredentialCache(directory)
key = {"profile": "shared", "url": "https://idp"}
reads = hits = errors = 0
problems = []
path = Path(cache.path(key))
while not stop.exists():
    reads += 1
    try:
        raw = path.read_bytes()  # the raw bytes: a torn file would not be JSON
    except FileNotFoundError:
        continue
    try:
        stored = json.loads(raw)
        doc = stored["credentials"]
        index, r = doc["SessionToken"].split("-")[:2]
        assert doc["AccessKeyId"] == f"ASIA{int(index):04d}{int(r):04d}", doc["AccessKeyId"]
        entry = cache.load(key)
        assert entry is not None and entry.document["AccessKeyId"].startswith("ASIA")
        hits += 1
    except Exception as exc:
        errors += 1
        problems.append(repr(exc)[:300])
print(json.dumps({"reads": reads, "hits": hits, "errors": errors, "problems": problems[:5]}))
"""


def _env(tmp_path: Path) -> dict:
    return isolated_environ(tmp_path, AWS_CONFIG_FILE=str(tmp_path / "config"),
                            AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"), PYTHONDONTWRITEBYTECODE="1")


def _run(writer: str, writer_args, reader_cmds: list[list[str]], tmp_path: Path, env: dict):
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", *cmd], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for cmd in reader_cmds]
    started = time.monotonic()
    writers = [subprocess.Popen([sys.executable, "-c", writer, str(i), str(ROUNDS), *writer_args],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for i in range(WRITERS)]
    failures = []
    for i, proc in enumerate(writers):
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            failures.append((i, err[-500:]))
    elapsed = time.monotonic() - started
    stop.touch()
    reports = []
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert not failures, failures
    print(f"{WRITERS}x{ROUNDS} writes in {elapsed:.1f} s; readers: {reports}")
    return reports


def _check_reports(reports):
    for report in reports:
        assert report["errors"] == 0, report
        assert report["reads"] > 0, report


def test_credentials_file_50_writers_x_20_rounds_with_botocore_readers(tmp_path):
    env = _env(tmp_path)
    path = tmp_path / "credentials"
    path.write_text(PRELUDE)
    os.chmod(path, 0o644)  # the user's mode; samlcreds writes 0600
    readers = [[READER_INI, str(path), str(tmp_path / "stop"), "credentials"] for _ in range(READERS)]
    readers.append([READER_BOTOCORE_SESSION, str(tmp_path / "stop"), "long-term"])
    reports = _run(WRITER_CREDENTIALS, [str(path)], readers, tmp_path, env)
    _check_reports(reports)
    text = path.read_text()
    assert text.startswith(PRELUDE), "the user's comments and the long-term section changed"
    import configparser

    parser = configparser.RawConfigParser()
    parser.read_string(text)
    assert sorted(parser.sections()) == sorted(["long-term"] + [f"worker{i}" for i in range(WRITERS)])
    for i in range(WRITERS):
        section = parser[f"worker{i}"]
        assert section["aws_access_key_id"] == f"ASIA{i:04d}R{ROUNDS - 1:04d}XXXXXXX"
        assert section["aws_secret_access_key"] == f"secret-{i}-{ROUNDS - 1}"
    assert text.count("[worker") == WRITERS, "a section was duplicated"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".credentials.")]
    assert leftovers == [], leftovers


def test_config_file_50_writers_x_20_rounds_with_botocore_readers(tmp_path):
    env = _env(tmp_path)
    path = tmp_path / "config"
    path.write_text(CONFIG_PRELUDE)
    os.chmod(path, 0o640)  # the user's mode, kept
    readers = [[READER_INI, str(path), str(tmp_path / "stop"), "config"] for _ in range(READERS)]
    reports = _run(WRITER_CONFIG, [], readers, tmp_path, env)
    _check_reports(reports)
    text = path.read_text()
    assert text.startswith(CONFIG_PRELUDE)
    import botocore.configloader

    parsed = botocore.configloader.raw_config_parse(str(path))
    for i in range(WRITERS):
        section = parsed[f"profile worker{i}"]
        assert section["saml_url"] == f"https://idp.example.com/sso/{i}"
        assert section["saml_duration"] == str(900 + ROUNDS - 1)
    assert text.count("[profile worker") == WRITERS
    assert parsed["default"] == {"region": "eu-west-1", "output": "json"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # the user's mode: a config file holds no secrets


def test_configure_command_in_parallel_keeps_every_profile(tmp_path):
    """The CLI path (``samlcreds configure``), fewer processes: each costs an interpreter start."""
    env = _env(tmp_path)
    path = tmp_path / "config"
    path.write_text(CONFIG_PRELUDE)
    procs = [subprocess.Popen([sys.executable, "-m", "samlcreds", "configure", "--profile", f"cli{i}",
                               "--provider", "form", "--url", f"https://idp/{i}", "--username", f"u{i}"],
                              env={**env, "SAMLCREDS_NO_TTY": "1"}, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(12)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    text = path.read_text()
    assert text.startswith(CONFIG_PRELUDE)
    for i in range(12):
        assert f"[profile cli{i}]" in text and f"saml_url = https://idp/{i}" in text


def test_cache_50_writers_x_20_rounds_never_torn(tmp_path):
    env = _env(tmp_path)
    directory = tmp_path / "cache" / "credentials"
    readers = [[READER_CACHE, str(directory), str(tmp_path / "stop")] for _ in range(READERS)]
    reports = _run(WRITER_CACHE, [str(directory)], readers, tmp_path, env)
    for report in reports:
        assert report["errors"] == 0, report
        assert report["hits"] > 0, report
    files = list(directory.iterdir())
    assert len(files) == 1, [f.name for f in files]  # no temp files left behind
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
