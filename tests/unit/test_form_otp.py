"""Where one-time codes come from: saml_otp_command (split like botocore's credential_process, no shell),
a prompt, or an InteractionRequired naming the key."""

from __future__ import annotations

import sys

import pytest

from samlcreds import errors
from samlcreds.idp.form.otp import CodeSource, run_code_command

PY = sys.executable


def test_first_stdout_line_is_the_code_and_no_shell_runs(tmp_path):
    marker = tmp_path / "marker"
    assert run_code_command(f"{PY} -c \"print(' 123 456 '.strip()); print('second')\"") == "123 456"
    # shell syntax is passed as arguments, never interpreted
    assert run_code_command(f"{PY} -c \"import sys; print(sys.argv[1:])\" ';' 'touch {marker}' '$HOME'") == \
        f"[';', 'touch {marker}', '$HOME']"
    assert not marker.exists()


@pytest.mark.parametrize("command, kind, message", [
    (f"{PY} -c \"import sys; sys.exit(4)\"", errors.LoginFlowError,
     f"the one-time code command {PY!r} (saml_otp_command) exited with status 4"),
    (f"{PY} -c \"print()\"", errors.LoginFlowError,
     f"the one-time code command {PY!r} (saml_otp_command) printed no code"),
    ("/nonexistent/otp-tool --totp", errors.LoginFlowError,
     "the one-time code command '/nonexistent/otp-tool' (saml_otp_command) was not found"),
    ("oathtool 'unclosed", errors.UsageError, "saml_otp_command does not split into a command line: "
     "No closing quotation"),
    ("   ", errors.UsageError, "saml_otp_command is empty"),
])
def test_command_failures_are_clear(command, kind, message):
    with pytest.raises(kind) as info:
        run_code_command(command)
    assert info.value.message == message
    assert "saml_otp_command" in info.value.hint


def test_command_timeout():
    with pytest.raises(errors.LoginFlowError) as info:
        run_code_command(f"{PY} -c \"import time; time.sleep(5)\"", timeout=0.3)
    assert info.value.message.endswith("did not finish within 0.3 s")


def test_command_wins_over_the_prompt_and_is_never_retried():
    source = CodeSource(f"{PY} -c \"print(42)\"", lambda prompt: pytest.fail("prompted"))
    assert source.code("idp:1") == "42"
    assert not source.retry_allowed()


def test_prompt_is_retried_once():
    prompts = []
    source = CodeSource(None, lambda prompt: prompts.append(prompt) or " 7 ")
    assert source.code("idp.example.com") == "7"
    assert source.retry_allowed()
    assert source.code("idp.example.com", refused=True) == "7"
    assert not source.retry_allowed()
    assert prompts == ["One-time code for idp.example.com: ",
                       "The one-time code was refused. One-time code for idp.example.com: "]


def test_empty_answer_and_no_source():
    with pytest.raises(errors.InteractionRequired, match="no one-time code was entered"):
        CodeSource(None, lambda prompt: "").code("h")
    with pytest.raises(errors.InteractionRequired) as info:
        CodeSource(None, None).code("h")
    assert "saml_otp_command" in info.value.message and "SAMLCREDS_OTP_COMMAND" in info.value.message
