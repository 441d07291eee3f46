"""Where one-time codes come from: saml_otp_command (split like botocore's credential_process, no shell),
a prompt, or an InteractionRequired naming the key."""

from __future__ import annotations

import sys

import pytest

from samlcreds import errors
from samlcreds.idp.form.otp import CodeSource, missing_program, run_code_command, split_code_command

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
    assert_suggests_no_secret_in_argv(info.value.hint)


def assert_suggests_no_secret_in_argv(hint: str) -> None:
    """The suggested commands keep a TOTP secret off the command line (every local user reads argv)."""
    assert "BASE32SECRET" not in hint and "-b SECRET" not in hint
    assert "pass otp work/idp" in hint and "oathtool --totp -b @/" in hint  # oathtool reads @FILE itself


def test_configure_flag_is_named_instead_of_the_key():
    with pytest.raises(errors.UsageError) as info:
        split_code_command("oathtool 'unclosed", source="--otp-command")
    assert info.value.message.startswith("--otp-command does not split into a command line")
    assert info.value.hint.startswith("Check --otp-command: ") and "saml_otp_command" not in info.value.hint


def test_missing_program(tmp_path):
    assert missing_program([PY, "-c", "1"]) is None
    assert missing_program(["sh"]) is None  # on PATH
    assert missing_program(["nosuchotp-xyz", "x"]) == "'nosuchotp-xyz' was not found on PATH"
    assert missing_program([str(tmp_path / "none")]) == f"{str(tmp_path / 'none')!r} does not exist"
    plain = tmp_path / "totp"
    plain.write_text("#!/bin/sh\n")
    assert missing_program([str(plain)]) == f"{str(plain)!r} is not executable"
    plain.chmod(0o700)
    assert missing_program([str(plain)]) is None


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
    assert_suggests_no_secret_in_argv(info.value.hint)
