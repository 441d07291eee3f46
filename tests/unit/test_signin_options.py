"""The shared sign-in flags (cli/options.py): parsed into SignInOptions, then into settings."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from samlcreds.cli.options import SignInOptions, login_options


@click.command()
@login_options
def probe(sign_in: SignInOptions) -> None:
    """Prints what the flags resolve to."""
    settings = sign_in.settings()
    click.echo(f"{sign_in.browser_driver} {settings.browser_driver}")


@pytest.fixture
def env(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[profile p]\nsaml_browser_driver = playwright\n")
    for name in ("SAMLCREDS_BROWSER_DRIVER", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return config


@pytest.mark.parametrize("args, shown", [
    ([], "None playwright"),                                       # the profile's
    (["--browser-driver", "native"], "native native"),             # the flag over the profile
    (["--browser-driver", "PlayWright"], "playwright playwright"),  # any case, as the setting
])
def test_browser_driver_flag(env, args, shown):
    result = CliRunner().invoke(probe, ["--profile", "p", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == shown


def test_browser_driver_flag_beats_the_environment(env, monkeypatch):
    monkeypatch.setenv("SAMLCREDS_BROWSER_DRIVER", "playwright")
    result = CliRunner().invoke(probe, ["--profile", "p", "--browser-driver", "native"])
    assert result.output.strip() == "native native"


def test_bad_browser_driver_is_a_usage_error_listing_the_choices(env):
    result = CliRunner().invoke(probe, ["--browser-driver", "selenium"])
    assert result.exit_code == 2
    assert "Invalid value for '--browser-driver': 'selenium' is not one of 'native', 'playwright'" in result.output
    assert "Traceback" not in result.output


def test_help_lists_the_choices(env):
    assert "--browser-driver [native|playwright]" in CliRunner().invoke(probe, ["--help"]).output


def test_one_time_code_is_read_without_echo_like_the_password(isolated_env):
    """At a terminal the code is asked with the no-echo prompt (the password's), never the visible one."""
    from tests import samples
    from tests.helpers import run_main, scripted_terminal
    from tests.unit.form_server import PageServer, aws_form, code_form, login_form

    final = aws_form(samples.b64(samples.response_xml()))
    routes = {"/": login_form(), "/login": code_form(),
              "/mfa": lambda hit: final if hit.fields().get("code") == "135790" else code_form()}
    with PageServer(routes) as server:
        terminal = scripted_terminal(secrets=["pw", "135790"])  # nothing answers a visible prompt
        run = run_main(["roles", "--url", server.base + "/", "--username", "alice"], terminal=terminal)
        assert run.returncode == 0, run.stderr
        host = f"127.0.0.1:{server.port}"
        assert terminal.shown == [f"Password for alice at {host}: ", f"One-time code for {host}: "]
        assert [hit.fields()["code"] for hit in server.hits if hit.path == "/mfa"] == ["135790"]
    ended = scripted_terminal(secrets=["pw"])  # Ctrl-D at the code prompt
    with PageServer(routes) as server:
        run = run_main(["roles", "--url", server.base + "/", "--username", "alice"], terminal=ended)
    assert run.returncode == 3 and "no one-time code was entered" in run.stderr
