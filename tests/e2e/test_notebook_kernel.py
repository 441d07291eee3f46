"""samlcreds in a real Jupyter kernel: ipykernel started with jupyter_client, input requests answered
like a front end, against the sandbox IdP and STS.

Every test also checks that no password, SAMLResponse, secret key or session token reached any
iopub message, input prompt or the kernel process' own output.
"""

from __future__ import annotations

import os
import shutil

import pytest

from sandbox.idp import fetch_saml_response
from samlcreds import config, paths
from tests import hygiene
from tests.e2e.kernel import REPO, Kernel
from tests.helpers import run_cli

BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"
CAROL_DEV = "arn:aws:sts::111111111111:assumed-role/Developer/carol@example.com"
CAROL_AUDITOR = "arn:aws:sts::222222222222:assumed-role/Auditor/carol@example.com"


def kernel_environment() -> dict[str, str]:
    """The test's (sandbox) environment for the kernel, without a display or a terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("PYTHONWARNINGS", None)  # the kernel's own warning filters decide what is shown
    env.update(PYTHONPATH=str(REPO), SAMLCREDS_NO_TTY="1", JUPYTER_PLATFORM_DIRS="1")
    return env


@pytest.fixture
def typed():
    """Everything the test types into the kernel's prompts (checked for leaks afterwards)."""
    return []


@pytest.fixture
def kernel(sandbox_env, sandbox_sts, tmp_path, typed):
    kernel = Kernel(kernel_environment(), tmp_path / "kernel.log")
    try:
        yield kernel
    finally:
        output = kernel.everything()
        kernel.close()
        secrets = [*hygiene.PASSWORDS, *typed, *hygiene._issued_secrets()]
        secrets += [c.get("SAMLAssertion", "") for c in sandbox_sts.calls if len(c.get("SAMLAssertion", "")) > 200]
        assert not leaked(output, secrets), f"secrets in the kernel's messages or output: {leaked(output, secrets)}"


def leaked(output: str, secrets) -> list[str]:
    return [secret[:6] + "..." for secret in secrets if secret and secret in output]


def profile(name: str, username: str, **extra) -> str:
    values = {"saml_provider": "form", "saml_url": os.environ["SAMLCREDS_URL"], "saml_username": username,
              "region": "us-east-1", **extra}
    config.write_profile_settings(name, values)
    return name


def answers(typed: list, *values: str) -> list[str]:
    """``values`` to type, remembering the secret ones (not role numbers) for the leak check."""
    typed.extend(v for v in values if not v.isdigit())
    return list(values)


def test_password_is_asked_in_the_password_box(kernel, typed):
    profile("api", "bob")
    run = kernel.run('import samlcreds\n'
                     'session = samlcreds.session(profile="api")\n'
                     'session.client("ec2").describe_instances()["Reservations"]\n'
                     'session.client("sts").get_caller_identity()["Arn"]', answers(typed, "bob-pw"))
    assert run.ok, run.error
    assert len(run.requests) == 1 and run.requests[0]["password"] is True
    assert run.requests[0]["prompt"].startswith("Password for bob at 127.0.0.1")
    assert BOB_ARN in run.result
    again = kernel.run('session.client("sts").get_caller_identity()["Arn"]')
    assert again.ok and BOB_ARN in again.result and again.requests == []


def test_interrupting_the_password_box_then_signing_in(kernel, typed):
    profile("api", "bob")
    run = kernel.run('import samlcreds\n'
                     'session = samlcreds.session(profile="api")\n'
                     'session.client("sts").get_caller_identity()["Arn"]', [Kernel.INTERRUPT])
    assert run.error["ename"] == "KeyboardInterrupt" and len(run.requests) == 1
    # the sign-in's worker thread stopped with the cell: the next prompt is answered normally
    again = kernel.run('session.client("sts").get_caller_identity()["Arn"]', answers(typed, "bob-pw"))
    assert again.ok, again.error
    assert len(again.requests) == 1 and BOB_ARN in again.result
    threads = kernel.run('import threading\n[t.name for t in threading.enumerate()]')
    assert "samlcreds-sign-in" not in threads.result


def test_role_picker_asks_in_the_kernel_and_remembers_nothing(kernel, typed, sandbox_sts):
    profile("multi", "carol")
    before = config.config_path().read_text()
    run = kernel.run('import samlcreds\n'
                     'session = samlcreds.session(profile="multi", duration=900)\n'
                     'sts = session.client("sts")\n'
                     'sts.get_caller_identity()["Arn"]', answers(typed, "carol-pw", "2"))
    assert run.ok, run.error
    assert [r["password"] for r in run.requests] == [True, False]
    assert run.requests[1]["prompt"] == "Role [1-2]: "
    menu = run.stdout
    assert "Account 111111111111" in menu and "Account 222222222222" in menu
    assert menu.index("Account 111111111111") < menu.index("[1] Developer") < menu.index("Account 222222222222")
    assert "[2] Auditor" in menu
    assert CAROL_AUDITOR in run.result
    # 900-second credentials are always in botocore's refresh window; with the cached copy gone this
    # call signs in again (reusing the IdP session) and keeps the chosen role without asking
    shutil.rmtree(paths.credentials_cache_dir())
    calls = len(sandbox_sts.calls)
    again = kernel.run('sts.get_caller_identity()["Arn"]')
    assert again.ok and CAROL_AUDITOR in again.result and again.requests == []
    assert len(sandbox_sts.calls) > calls
    # nothing remembered: the profile is unchanged and a new session asks again
    assert config.config_path().read_text() == before
    fresh = kernel.run('samlcreds.session(profile="multi").client("sts").get_caller_identity()["Arn"]', ["1"])
    assert fresh.ok, fresh.error
    assert [r["prompt"] for r in fresh.requests] == ["Role [1-2]: "]  # the IdP session was reused
    assert CAROL_DEV in fresh.result


def test_without_a_way_to_ask_the_error_names_role_keyword(kernel, typed):
    profile("multi", "carol")
    signed = kernel.run('import samlcreds\n'
                        'samlcreds.credentials(profile="multi", role="Developer").expiration.tzinfo is not None',
                        answers(typed, "carol-pw"))
    assert signed.ok and "True" in signed.result
    # a front end without input (nbclient, papermill): no input box for the picker
    run = kernel.run('samlcreds.session(profile="multi").client("sts").get_caller_identity()', allow_stdin=False)
    assert run.error["ename"] == "RoleSelectionError"
    assert "no way to ask" in run.error["evalue"] and "role=" in run.error["evalue"]
    assert "--role" in run.error["evalue"]  # and the CLI's flag, for the terminal
    assert "222222222222" in run.error["evalue"]


def test_paste_recipe_with_a_fresh_saml_response(kernel, typed, sandbox_idp):
    saml = fetch_saml_response(sandbox_idp, "carol", "carol-pw")
    typed.append(saml)
    run = kernel.run('import getpass, samlcreds\n'
                     'pasted = samlcreds.session(saml_response=getpass.getpass("SAMLResponse: "),\n'
                     '                           role="222222222222:Auditor", region="us-east-1")\n'
                     'pasted.client("sts").get_caller_identity()["Arn"]', [saml])
    assert run.ok, run.error
    assert run.requests == [{"prompt": "SAMLResponse: ", "password": True}]
    assert CAROL_AUDITOR in run.result
    info = kernel.run('c = pasted.get_credentials()\n(c.method, c.refresh_needed(), type(c).__name__)')
    assert info.ok and "'custom-saml'" in info.result and "RefreshableCredentials" in info.result


def test_refused_password_during_a_forced_refresh_is_shown_once(kernel, typed):
    profile("api", "bob")
    first = kernel.run('import samlcreds\n'
                       'session = samlcreds.session(profile="api", duration=900)\n'
                       'sts = session.client("sts")\n'
                       'sts.get_caller_identity()["Arn"]', answers(typed, "bob-pw"))
    assert first.ok and BOB_ARN in first.result
    # the IdP session and the cache are gone (logged out in a terminal): the next refresh needs the password
    assert run_cli(["logout", "--all"]).returncode == 0
    refused = kernel.run('sts.get_caller_identity()["Arn"]', answers(typed, "not-bobs-password"))
    assert refused.ok, refused.error  # the call went on with the current credentials
    assert BOB_ARN in refused.result
    assert len(refused.requests) == 1 and refused.requests[0]["password"] is True
    warning = refused.stderr
    assert "RefreshWarning" in warning and "refreshing the credentials of profile 'api' failed" in warning
    assert "refused" in warning and "The current credentials expire at" in warning
    assert "never resent" in warning
    # never retried: more calls in the refresh window neither prompt nor warn again
    later = kernel.run('[sts.get_caller_identity()["Account"] for _ in range(3)]')
    assert later.ok and later.requests == [] and later.stderr == ""


def test_browser_provider_without_a_display_says_so_and_offers_the_paste_recipe(kernel):
    profile("web", "bob", saml_provider="browser", saml_timeout="60")
    run = kernel.run('import samlcreds\n'
                     'samlcreds.session(profile="web").client("sts").get_caller_identity()')
    assert run.error is not None
    assert "Sync API inside the asyncio loop" not in run.error["evalue"]
    assert run.error["ename"] == "InteractionRequired", run.error
    assert "no display" in run.error["evalue"]
    assert "saml_response=" in run.error["evalue"]
    assert run.error["traceback"] == [f"InteractionRequired: {run.error['evalue']}"]  # short, no botocore frames


def test_the_leak_check_sees_iopub_and_the_kernels_own_output(sandbox_env, tmp_path):
    kernel = Kernel(kernel_environment(), tmp_path / "kernel.log")
    try:
        kernel.run('print("bob" + "-pw")')
        kernel.run('import os; os.write(2, b"carol" + b"-pw")')  # the process' stderr, not iopub
        output = kernel.everything()
    finally:
        kernel.close()
    assert leaked(output, hygiene.PASSWORDS) == ["bob-pw...", "carol-..."]
