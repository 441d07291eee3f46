"""What every test shares: the isolated environment, running the real CLI (subprocess or in-process),
a scripted terminal, and the record of runs the secret-hygiene check reads (tests/hygiene.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Every run of samlcreds in the current test, for the secret-hygiene check (tests/hygiene.py):
#: subprocess.CompletedProcess objects and InProcessRun objects (both have args, stdout, stderr).
RUNS: list = []
#: Secrets a test made up (seeded cache entries...): the hygiene check looks for them too.
SECRETS: list[str] = []

#: Variables that would leak real or ambient credentials, profiles or settings into a test.
PREFIXES_REMOVED = ("AWS_", "SAMLCREDS_")


def isolated_environ(root: Path, *, config_text: str | None = None, **extra: str) -> dict[str, str]:
    """A whole process environment confined to ``root``: the one isolated-environment builder of the suite.

    No ``AWS_*``/``SAMLCREDS_*`` from outside; ``HOME``, the AWS config and
    credentials files and the XDG directories (so samlcreds' cache, by its
    default rule) under ``root``; instance metadata off. ``config_text`` is written to the config
    file when given; ``extra`` variables are added last.
    """
    home = Path(root) / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIXES_REMOVED)}
    env.update({
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
    })
    if config_text is not None:
        Path(env["AWS_CONFIG_FILE"]).write_text(config_text)
    env.update(extra)
    return env


def run_cli(args, *, input: str | None = None, env: dict | None = None, timeout: float = 120):
    """Run ``python -m samlcreds ARGS`` with the current environment (no terminal)."""
    full_env = dict(os.environ if env is None else env)
    full_env["SAMLCREDS_NO_TTY"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "samlcreds", *args],
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        start_new_session=True,
    )
    RUNS.append(result)
    return result


@dataclass
class InProcessRun:
    """The outcome of :func:`run_main`: ``returncode`` is the status ``main`` returned."""

    args: list
    returncode: int
    stdout: str
    stderr: str


def run_main(args, *, env: dict | None = None, stdin: str = "", terminal=None) -> InProcessRun:
    """Run ``samlcreds ARGS`` in this process through ``samlcreds.cli.main.main(args, env)``.

    ``env``: the whole process environment for the run (default: the current
    one, without a terminal); ``terminal``: a :class:`ScriptedTerminal` (or
    any :class:`samlcreds.cli.terminal.Terminal`) answering prompts.
    """
    from samlcreds.cli.main import main
    from samlcreds.cli.terminal import Environment

    environ = dict(os.environ if env is None else env)
    if terminal is None:
        environ["SAMLCREDS_NO_TTY"] = "1"
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), Environment(stdin=stdin, stdout=out, stderr=err, environ=environ, terminal=terminal))
    run = InProcessRun(["<in-process>", "-m", "samlcreds", *args], int(status), out.getvalue(), err.getvalue())
    RUNS.append(run)
    return run


def scripted_terminal(answers=(), secrets=()):
    """A :class:`samlcreds.cli.terminal.Terminal` answering from ``answers`` (visible) and ``secrets``
    (no-echo prompts), keeping what it was shown in ``.shown``. For in-process unit tests; the
    end-to-end tests drive a real pty (tests/e2e/test_terminal.py, tests/unit/test_picker_tty.py)."""
    from samlcreds import errors
    from samlcreds.cli.terminal import Terminal, spinner_paused

    class ScriptedTerminal(Terminal):
        def __init__(self) -> None:
            super().__init__(path=os.devnull)
            self.answers, self.secrets, self.shown = list(answers), list(secrets), []

        @property
        def available(self) -> bool:
            return True

        def ask_secret(self, prompt: str, what: str = "password") -> str:
            self.shown.append(prompt)
            if not self.secrets:
                raise errors.InteractionRequired(f"no {what} was entered")
            return self.secrets.pop(0)

        def ask(self, prompt: str) -> str:
            with spinner_paused():
                self.shown.append(prompt)
                if not self.answers:
                    raise errors.InteractionRequired("no answer was entered")
                return self.answers.pop(0)

        def say(self, text: str) -> None:
            self.shown.append(text)

    return ScriptedTerminal()


#: The settings of a SAML profile whose IdP is never reached (tests that seed the cache with :func:`seed_cache`).
PROFILE_BODY = "saml_url = https://idp.invalid/sso\nsaml_username = bob\nsaml_role_arn = 111111111111:ReadOnly\n"


def seed_cache(env: dict, profile: str, *, drop=(), **changes) -> None:
    """Store a well-formed (fake) cache entry for ``profile`` as the CLI run with ``env`` would look it up.

    ``drop`` (names) and ``changes`` (name=value) then damage the stored credentials on disk, as a
    crash or another tool might. Its secrets go to :data:`SECRETS` for the hygiene check.
    """
    import json
    from datetime import datetime, timedelta, timezone

    from samlcreds import config, paths
    from samlcreds.cache import CredentialCache, cache_key

    expiry = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"Version": 1, "AccessKeyId": "ASIAFAKEFAKEFAKE0001", "SecretAccessKey": "s" * 40,
                "SessionToken": "t" * 200, "Expiration": expiry}
    settings = config.resolve(profile, environ=env)
    SECRETS.extend([document["SecretAccessKey"], document["SessionToken"]])
    cache = CredentialCache(paths.credentials_cache_dir(env))
    cache.store(cache_key(settings, env), document)
    if drop or changes:
        path = cache.path(cache_key(settings, env))
        with open(path) as handle:
            stored = json.load(handle)
        for name in drop:
            stored["credentials"].pop(name, None)
        stored["credentials"].update(changes)
        with open(path, "w") as handle:
            json.dump(stored, handle)
