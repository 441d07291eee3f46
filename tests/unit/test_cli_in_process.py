"""The CLI run in-process through main(args, env): exit codes, wording, hints, help."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from samlcreds import errors
from samlcreds.cli.hints import hint_for
from samlcreds.cli.main import cli
from samlcreds.errors import ExitCode
from samlcreds.profile import section_name
from tests.helpers import run_main, scripted_terminal
from tests.samples import PROV_1, ROLE_A, ROLE_B, b64, response_xml


def test_exit_code_set():
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0, "ERROR": 1, "USAGE": 2, "AUTHENTICATION": 3, "ASSERTION": 4, "STS": 5, "LOCAL_FILE": 6,
        "NOT_EXECUTABLE": 126, "NOT_FOUND": 127, "INTERRUPTED": 130}


@pytest.mark.parametrize("family,code", [
    (errors.SamlcredsError, ExitCode.ERROR), (errors.UsageError, ExitCode.USAGE),
    (errors.RoleSelectionError, ExitCode.USAGE), (errors.InvalidCredentials, ExitCode.AUTHENTICATION),
    (errors.IdpUnreachable, ExitCode.AUTHENTICATION), (errors.NotSamlResponse, ExitCode.ASSERTION),
    (errors.StsUnreachable, ExitCode.STS), (errors.FileParseError, ExitCode.LOCAL_FILE),
    (errors.CacheError, ExitCode.LOCAL_FILE),
])
def test_each_family_has_its_code(family, code):
    assert family.exit_code is code


def test_readme_documents_every_exit_code():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index("## Exit codes"):]
    for code in ExitCode:
        assert f"| {int(code)} |" in table or f"{int(code)}," in table or f", {int(code)} |" in table, code


def test_version(isolated_env):
    run = run_main(["--version"])
    assert (run.returncode, run.stdout) == (0, "samlcreds, version " + __import__("samlcreds").__version__ + "\n")


def test_click_usage_error_is_2(isolated_env):
    run = run_main(["login", "--no-such-flag"])
    assert run.returncode == ExitCode.USAGE and "No such option" in run.stderr


def test_unknown_command_is_2(isolated_env):
    assert run_main(["frobnicate"]).returncode == ExitCode.USAGE


def test_samlcreds_error_is_worded_with_its_hint(isolated_env):
    run = run_main(["logout"])
    assert run.returncode == ExitCode.USAGE
    assert run.stderr == "samlcreds: error: pass --profile NAME or --all\n"


def test_decode_of_garbage_is_4(isolated_env):
    run = run_main(["decode", "-"], stdin="not a saml response")
    assert run.returncode == ExitCode.ASSERTION and "Traceback" not in run.stderr


def test_decode_json_in_process(isolated_env):
    run = run_main(["decode", "-", "--output", "json"], stdin=b64(response_xml()))
    assert run.returncode == 0, run.stderr
    assert [r["role_arn"] for r in json.loads(run.stdout)["roles"]] == [ROLE_A, ROLE_B]


def test_roles_from_a_file(isolated_env, tmp_path):
    (tmp_path / "r.b64").write_text(b64(response_xml()))
    run = run_main(["roles", "--saml-file", str(tmp_path / "r.b64"), "--output", "json"])
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)[1]["principal_arn"] == PROV_1


def test_unparsable_config_is_6(isolated_env):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text("[profile w]\njunk\n")
    run = run_main(["roles", "--profile", "w"])
    assert run.returncode == ExitCode.LOCAL_FILE and "line 2" in run.stderr


def test_bad_setting_value_names_its_source(isolated_env):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text("[profile w]\nsaml_timeout = soon\n")
    run = run_main(["roles", "--profile", "w"])
    assert run.returncode == ExitCode.USAGE and "saml_timeout in [profile w]" in run.stderr


def test_process_without_url_hints_only_at_configure(isolated_env):
    run = run_main(["process", "--profile", "nourl"])
    assert run.returncode == ExitCode.USAGE
    assert "configure --profile nourl --url URL" in run.stderr
    assert run.stderr.splitlines()[1] == "  Run 'samlcreds configure --profile nourl --url URL'."


def test_login_without_url_may_pass_url(isolated_env):
    run = run_main(["login", "--profile", "nourl"])
    assert run.returncode == ExitCode.USAGE and "or pass --url." in run.stderr


def test_environment_is_restored_after_a_run(isolated_env):
    import os

    before = dict(os.environ)
    run_main(["--version"], env={"ONLY": "this"})
    assert dict(os.environ) == before


def test_several_roles_with_a_picker_on_a_scripted_terminal(isolated_env, tmp_path):
    (tmp_path / "r.b64").write_text(b64(response_xml()))
    terminal = scripted_terminal(answers=["9", "2"])
    # the picker asks, then STS (AWS_ENDPOINT_URL on a closed port) cannot be reached
    env = dict(isolated_env, AWS_ENDPOINT_URL="http://127.0.0.1:9")
    run = run_main(["login", "--saml-file", str(tmp_path / "r.b64"), "--timeout", "2"], env=env, terminal=terminal)
    assert terminal.shown[1:4] == ["Role [1-2]: ", "Please enter a number from 1 to 2.\n", "Role [1-2]: "]
    assert run.returncode == ExitCode.STS, run.stderr


# --- help ------------------------------------------------------------------------------------

def test_help_summaries_are_whole(isolated_env):
    run = run_main(["--help"])
    commands = run.stdout[run.stdout.index("Commands:"):run.stdout.index("Examples:")]
    assert run.returncode == 0 and "..." not in commands
    assert "say how to fix each" in commands


@pytest.mark.parametrize("command", sorted(cli.list_commands(None)))
def test_every_command_help(isolated_env, command):
    run = run_main([command, "--help"])
    assert run.returncode == 0 and run.stdout.startswith(f"Usage: samlcreds {command}"), run.stderr


# --- logout says when nothing was done -------------------------------------------------------

def test_logout_all_with_nothing(isolated_env):
    run = run_main(["logout", "--all"])
    assert run.returncode == 0
    assert run.stderr == "Nothing to remove: there were no cached credentials, saved IdP sessions or credentials samlcreds wrote.\n"


def test_logout_profile_with_nothing(isolated_env):
    run = run_main(["logout", "--profile", "w"])
    assert run.returncode == 0 and run.stderr.startswith("Nothing to remove: profile w had")


def test_logout_profile_removes_the_session_state_sign_in_uses(isolated_env):
    from samlcreds import paths
    from samlcreds.idp.base import LoginRequest
    from samlcreds.idp.browser import profile_dir
    from samlcreds.idp.form import cookie_jar_path

    url = "https://idp.example/sso"
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text(
        f"[profile w]\nsaml_url = {url}\nsaml_username = bob\n"
        f"[profile w2]\nsaml_url = https://IDP.example/other-path\nsaml_username = bob\n"  # same host and user
        f"[profile x]\nsaml_url = {url}\nsaml_username = alice\n"
        "[profile y]\nsaml_url = https://idp.example:8443/sso\nsaml_username = bob\n")  # another host:port
    bob = LoginRequest(url=url, username="bob", state_dir=paths.sessions_dir())
    alice = LoginRequest(url=url, username="alice", state_dir=paths.sessions_dir())
    jar, profile, other = cookie_jar_path(bob), profile_dir(bob), cookie_jar_path(alice)
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Cookies").write_bytes(b"c")
    jar.write_text("#LWP-Cookies-2.0\n")
    other.write_text("#LWP-Cookies-2.0\n")

    run = run_main(["logout", "--profile", "w"])
    assert run.returncode == 0, run.stderr
    assert run.stderr == ("Deleted the IdP session of bob at idp.example, which every profile with that user and "
                          "IdP shares: w2 must sign in again too.\n")
    assert not jar.exists() and not profile.exists() and other.exists()
    assert run_main(["logout", "--profile", "w"]).stderr == (
        "Nothing to remove: profile w had no cached credentials, no saved IdP session and no credentials "
        "samlcreds wrote.\n"
        "note: there was no saved IdP session of bob at idp.example; 1 saved IdP session(s) of other users or IdPs "
        "remain. If profile w signed in with another IdP URL or user name, pass the --url and --username it "
        "signed in with: samlcreds logout --profile w --url URL --username USER, or forget every IdP session: "
        "samlcreds logout --all.\n")
    assert other.exists()


def test_logout_url_and_username_go_with_profile_only(isolated_env):
    run = run_main(["logout", "--all", "--username", "bob"])
    assert run.returncode == 2 and "--url and --username go with --profile" in run.stderr


def test_logout_of_a_chained_profile_names_its_source(isolated_env):
    from samlcreds import paths
    from samlcreds.idp.base import LoginRequest
    from samlcreds.idp.form import cookie_jar_path

    Path(isolated_env["AWS_CONFIG_FILE"]).write_text(
        "[profile src]\nsaml_url = https://idp.example/sso\nsaml_username = bob\n"
        "[profile admin]\nrole_arn = arn:aws:iam::111111111111:role/Admin\nsource_profile = src\n")
    jar = cookie_jar_path(LoginRequest(url="https://idp.example/sso", username="bob", state_dir=paths.sessions_dir()))
    jar.parent.mkdir(parents=True)
    jar.write_text("#LWP-Cookies-2.0\n")
    run = run_main(["logout", "--profile", "admin"])
    assert run.returncode == 0, run.stderr
    assert ("note: profile admin assumes its role with the credentials of profile src, whose IdP session it "
            "uses: to end that session, run samlcreds logout --profile src") in run.stderr
    assert jar.exists()


def test_logout_all_counts_sessions_not_the_files_beside_them(isolated_env):
    """A browser sign-in leaves its profile and the profile's lock file (kept: locks are never
    deleted while in use); an atomic write cut short leaves a temporary file. One session each."""
    from samlcreds import paths
    from samlcreds.idp.base import LoginRequest
    from samlcreds.idp.browser import profile_dir
    from samlcreds.idp.browser.profile import ProfileLock
    from samlcreds.idp.form import cookie_jar_path

    sessions = paths.sessions_dir()
    bob = LoginRequest(url="https://idp.example/sso", username="bob", state_dir=sessions)
    alice = LoginRequest(url="https://idp.example/sso", username="alice", state_dir=sessions)
    profile, jar = profile_dir(bob), cookie_jar_path(alice)
    (profile / "Default").mkdir(parents=True)
    with ProfileLock(profile):  # what a sign-in holds: creates browser-<key>.lock
        (profile / "Default" / "Cookies").write_bytes(b"c")
    jar.write_text("#LWP-Cookies-2.0\n")
    jar.with_name(jar.name + ".tmp1234").write_text("")  # not a session
    assert sorted(p.name for p in sessions.iterdir()) == sorted(
        [profile.name, profile.name + ".lock", jar.name, jar.name + ".tmp1234"])

    run = run_main(["logout", "--all"])
    assert run.returncode == 0, run.stderr
    assert run.stderr == "Removed 2 saved IdP session(s).\n"
    assert not sessions.exists()
    assert run_main(["logout", "--all"]).stderr.startswith("Nothing to remove:")


# --- hints name only the command's flags ------------------------------------------------------

def _command(name):
    return cli.get_command(click.Context(cli), name)


@pytest.mark.parametrize("hint,command,expected", [
    ("Pass --username, or run in a terminal.", "env", "Set saml_username in the profile, or run in a terminal."),
    ("Pass --username, or run in a terminal.", "login", "Pass --username, or run in a terminal."),
    ("Use a shorter --duration (e.g. 3600).", "process", "Use a shorter saml_duration in the profile (e.g. 3600)."),
    ("Use a shorter --duration (e.g. 3600).", "login", "Use a shorter --duration (e.g. 3600)."),
    ("Run 'samlcreds configure --profile w --url URL', or pass --url.", "exec",
     "Run 'samlcreds configure --profile w --url URL'."),
    ("Run this in a terminal: samlcreds login --profile w --role R", "env",
     "Run this in a terminal: samlcreds login --profile w --role R"),
    ("Pass --region with a region of aws.", "env", "Set region in the profile with a region of aws."),
    ("Pass --region with a region of aws.", "exec", "Pass --region with a region of aws."),
])
def test_hint_for(hint, command, expected):
    assert hint_for(hint, _command(command)) == expected


def test_hint_without_a_command_is_unchanged():
    assert hint_for("Pass --url.", None) == "Pass --url."


def test_every_registered_provider_names_its_saved_state(tmp_path):
    """What logout forgets is where the providers keep the session: the browser profile and the cookie jar."""
    from samlcreds.idp.base import LoginRequest, Provider, get_provider, provider_names, saved_state
    from samlcreds.idp.browser.profile import profile_dir
    from samlcreds.idp.form.state import cookie_jar_path

    kept = {}
    for method in provider_names():
        provider = get_provider(method)
        assert isinstance(provider, Provider)
        kept[method] = saved_state(provider, "https://idp.example/sso", "bob", tmp_path)
        assert saved_state(provider, None, "bob", tmp_path) == []
    request = LoginRequest(url="https://idp.example/sso", username="bob", state_dir=tmp_path)
    assert kept == {"browser": [profile_dir(request)], "ecp": [], "form": [cookie_jar_path(request)], "paste": []}
    assert saved_state(get_provider("form"), "https://idp.example/sso", "alice", tmp_path) != kept["form"]


# --- a bad browser is blamed on where it came from -----------------------------------------------

@pytest.mark.parametrize("given,environ,config,blamed,hint", [
    (["--browser", "nosuchbrowser"], {}, "", "(--browser)", "Pass --browser the full path"),
    ([], {"SAMLCREDS_BROWSER": "nosuchbrowser"}, "", "(SAMLCREDS_BROWSER)", "Set SAMLCREDS_BROWSER to the full path"),
    ([], {}, "saml_browser = nosuchbrowser\n", "(saml_browser in [profile b])",
     "Set saml_browser in [profile b] to the full path"),
])
def test_unknown_browser_names_its_origin(isolated_env, given, environ, config, blamed, hint):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text("[profile b]\n" + config)
    run = run_main(["login", "--profile", "b", "--provider", "browser", "--url", "https://idp.example/sso", *given],
                   env=dict(isolated_env, **environ))
    assert run.returncode == ExitCode.USAGE, run.stderr
    first, second = run.stderr.splitlines()
    assert first == f"samlcreds: error: the browser 'nosuchbrowser' {blamed} is not a known channel " \
                    "(chrome, chrome-beta, chrome-dev, chrome-canary, msedge, msedge-beta, msedge-dev, msedge-canary, " \
                    "chromium) and was not found on PATH"
    assert second == f"  {hint} of a Chrome/Chromium/Edge executable."


# --- a sign-in URL's hints name where it came from ------------------------------------------------

@pytest.mark.parametrize("given,environ,config,named", [
    (["--url", "{url}"], {}, "", "--url"),
    ([], {"SAMLCREDS_URL": "{url}"}, "", "SAMLCREDS_URL"),
    ([], {}, "saml_url = {url}\n", "saml_url in [profile u]"),
])
def test_a_bad_sign_in_url_is_blamed_on_where_it_came_from(isolated_env, given, environ, config, named):
    from tests.unit.form_server import PageServer, Reply, page

    with PageServer({"/sso": Reply(page("<p>Not Found</p>", title="Not Found"), 404)}) as server:
        url = server.base + "/sso"
        Path(isolated_env["AWS_CONFIG_FILE"]).write_text(
            "[profile u]\nsaml_provider = form\nsaml_username = alice\n" + config.format(url=url))
        run = run_main(["login", "--profile", "u", *[arg.format(url=url) for arg in given]],
                       env=dict(isolated_env, **{k: v.format(url=url) for k, v in environ.items()}))
        assert [hit.path for hit in server.hits] == ["/sso"]
    assert run.returncode == ExitCode.AUTHENTICATION, run.stderr
    first, second = run.stderr.splitlines()[-2:]
    assert first == (f"samlcreds: error: the IdP answered with an error page (HTTP 404, page title 'Not Found') "
                     f"at 127.0.0.1:{server.port}.")
    assert second == f"  Check the sign-in URL ({named})."


# --- a sign-in URL that is no http(s) URL is refused before any request ---------------------------

@pytest.mark.parametrize("url,said", [
    ("http://[::1", "the sign-in URL does not parse: a '[' or ']' is out of place in its host"),
    ("https://idp.example:99999/sso", "the sign-in URL does not parse: its port is not a number from 0 to 65535"),
    ("idp.example.com/sso", "the sign-in URL does not start with https:// (or http://)"),
    ("ftp://idp.example/sso", "the sign-in URL starts with ftp: instead of https://"),
    ("https:///sso", "the sign-in URL has no host"),
    ("https://idp.exa\tmple/sso", "the sign-in URL has a space or a control character in it"),
])
@pytest.mark.parametrize("command", [
    ["login"], ["process"], ["console", "--print"], ["exec", "--", "true"], ["env"], ["logout"],
])
def test_a_sign_in_url_that_is_no_web_address_is_a_usage_error(isolated_env, url, said, command):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text(
        f"[profile u]\nsaml_provider = form\nsaml_username = alice\nsaml_url = {url}\n")
    run = run_main([command[0], "--profile", "u", *command[1:]], env=isolated_env)
    assert run.returncode == ExitCode.USAGE, run.stderr
    first, second = run.stderr.splitlines()
    assert first == f"samlcreds: error: {said} (saml_url in [profile u] of {isolated_env['AWS_CONFIG_FILE']})"
    assert second.startswith("  Use the full address of the IdP's sign-in page, e.g. https://idp.example.com/sso.")


def test_a_bad_sign_in_url_is_not_repeated_in_the_error_not_even_in_part(isolated_env):
    run = run_main(["login", "--profile", "u", "--url", "https://alice:s3cret#x@idp.example.com/sso"],
                   env=isolated_env)
    assert run.returncode == ExitCode.USAGE, run.stderr
    assert "its port is not a number" in run.stderr and "s3cret" not in run.stderr


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "mailto:me@example.com"])
def test_configure_refuses_a_sign_in_url_that_is_no_web_address(isolated_env, url):
    config = Path(isolated_env["AWS_CONFIG_FILE"])
    config.write_text("[profile u]\nsaml_username = alice\n")
    run = run_main(["configure", "--profile", "u", "--url", url, "--provider", "form"], env=isolated_env)
    assert run.returncode == ExitCode.USAGE, run.stderr
    assert run.stderr.startswith("samlcreds: error: the sign-in URL ")
    assert config.read_text() == "[profile u]\nsaml_username = alice\n"


# --- the Python API names its keyword arguments, not flags ----------------------------------------

def test_the_python_api_names_its_arguments_in_messages(isolated_env):
    import samlcreds
    from tests.unit.form_server import PageServer, Reply, page

    with pytest.raises(errors.UsageError) as bad:
        samlcreds.credentials(url="http://[::1", provider="form", username="alice")
    assert bad.value.message == "the sign-in URL does not parse: a '[' or ']' is out of place in its host (from url=)"
    with PageServer({"/sso": Reply(page("<p>Not Found</p>", title="Not Found"), 404)}) as server:
        with pytest.raises(errors.LoginFlowError) as missing:
            samlcreds.credentials(url=server.base + "/sso", provider="form", username="alice",
                                  get_password=lambda prompt: "pw")
    assert missing.value.hint == "Check the sign-in URL (url=)."
    with pytest.raises(errors.UsageError) as nowhere:
        samlcreds.credentials(profile="nosuch")
    assert nowhere.value.hint == "Run 'samlcreds configure --profile nosuch --url URL', or pass url=."


def test_a_secret_never_goes_to_an_address_that_is_not_http():
    from samlcreds.idp.base import LoginRequest
    from samlcreds.idp.ecp import EcpProvider

    asked = []
    request = LoginRequest(url="ftp://idp.example/ecp", username="alice", get_password=asked.append)
    with pytest.raises(errors.LoginFlowError) as info:
        EcpProvider().fetch_saml_response(request)
    assert info.value.message == ("credentials: ECP would send the password to an address starting ftp:; "
                                  "samlcreds sends secrets only over https")
    assert info.value.hint == "Use the IdP's https URL (saml_url)."
    assert asked == []  # refused before the password is asked for


def test_exec_refuses_an_option_it_does_not_have_instead_of_running_it(isolated_env):
    run = run_main(["exec", "--profile", "p", "--url", "https://idp.example/sso", "--", "true"], env=isolated_env)
    assert run.returncode == ExitCode.USAGE, run.stderr
    assert run.stderr.splitlines() == [
        "samlcreds: error: exec has no option --url",
        "  exec takes --profile, --region and --server, then the command after '--'; sign-in settings come from "
        "the profile (samlcreds configure)."]


@pytest.mark.parametrize("name,shown", [("my work", '"my work"'), ("a$b", '"a\\$b"'), ("plain-1.x@y", "plain-1.x@y")])
@pytest.mark.parametrize("command", ["login", "console"])  # console has no --url: the hint is reworded
def test_commands_in_hints_quote_the_profile_name_for_the_shell(isolated_env, name, shown, command):
    Path(isolated_env["AWS_CONFIG_FILE"]).write_text(f"[profile {section_name(name)[8:]}]\nsaml_provider = form\n")
    run = run_main([command, "--profile", name], env=isolated_env)
    assert run.returncode == ExitCode.USAGE, run.stderr
    assert f"'samlcreds configure --profile {shown} --url URL'" in run.stderr


@pytest.mark.parametrize("before,name,header", [
    ("[ profile p ]\nregion = eu-west-1\n", "p", "[profile p]"),  # botocore reads no profile p from the first
    ("", "x\\y", '[profile "x\\y"]'),  # [profile x\y] is profile "xy" to botocore
    ("", "my work", '[profile "my work"]'),
])
def test_configure_writes_the_section_botocore_reads_for_the_profile(isolated_env, before, name, header):
    import botocore.session

    config = Path(isolated_env["AWS_CONFIG_FILE"])
    config.write_text(before)
    run = run_main(["configure", "--profile", name, "--username", "alice", "--provider", "form"], env=isolated_env)
    assert run.returncode == 0, run.stderr
    assert config.read_text().startswith(before) and f"\n{header}\n" in "\n" + config.read_text()
    profiles = botocore.session.Session().full_config["profiles"]
    assert profiles[name]["saml_username"] == "alice"


def test_configure_refuses_a_profile_name_botocore_cannot_read_back(isolated_env):
    run = run_main(["configure", "--profile", "trailing\\", "--username", "alice"], env=isolated_env)
    assert run.returncode == ExitCode.USAGE
    assert "profile name 'trailing\\\\' cannot be written so that botocore reads it back" in run.stderr


def test_configure_refuses_a_config_file_login_could_not_read(isolated_env):
    config = Path(isolated_env["AWS_CONFIG_FILE"])
    config.write_bytes(b"[profile a]\nregion = caf\xe9\n")
    run = run_main(["configure", "--profile", "a", "--username", "bob"], env=isolated_env)
    assert run.returncode == ExitCode.LOCAL_FILE
    assert run.stderr.splitlines()[0] == (f"samlcreds: error: {config} is not UTF-8 text (line 2); botocore cannot "
                                          "read it either")
    assert config.read_bytes() == b"[profile a]\nregion = caf\xe9\n"
    login = run_main(["login", "--profile", "a"], env=isolated_env)
    assert login.stderr.splitlines()[0] == run.stderr.splitlines()[0]  # the same answer as login's


def test_a_mistyped_command_gets_the_close_ones():
    run = run_main(["logn"])
    assert run.returncode == ExitCode.USAGE
    assert "No such command 'logn'. Did you mean 'login' or 'logout'?" in run.stderr


def test_a_reader_that_closes_the_pipe_early_gets_the_documented_status_and_no_message(isolated_env, tmp_path):
    """``samlcreds decode FILE | head -1``: the status of a failed write to stdout (6), silent for a closed pipe,
    whichever command writes (click would exit 1 by itself)."""
    import errno
    import io

    from samlcreds.cli.main import main
    from samlcreds.cli.terminal import Environment

    class ClosedPipe(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    saml = tmp_path / "r.b64"
    saml.write_text(b64(response_xml()))
    err = io.StringIO()
    status = main(["decode", str(saml)], Environment(stdout=ClosedPipe(), stderr=err, environ=isolated_env))
    assert status == ExitCode.LOCAL_FILE and err.getvalue() == ""


def test_a_saml_response_cut_where_a_terminal_cuts_lines_says_why(isolated_env):
    import samlcreds

    cut = b64(response_xml(roles=[f"{ROLE_A},{PROV_1}"] * 40))[:4095]
    with pytest.raises(errors.TruncatedSamlResponse) as info:
        samlcreds.credentials(saml_response=cut)
    assert info.value.hint.startswith("It is 4,095 characters long, where a terminal cuts a typed or pasted line")


def test_a_role_choice_that_needs_a_person_also_names_the_lasting_fix(isolated_env):
    from tests.unit.form_server import PageServer, aws_form

    with PageServer({"/sso": aws_form(b64(response_xml()))}) as server:  # a live IdP session: two roles at once
        Path(isolated_env["AWS_CONFIG_FILE"]).write_text(
            f"[profile two]\nsaml_provider = form\nsaml_url = {server.base}/sso\nsaml_username = alice\n")
        run = run_main(["env", "--profile", "two"], env=isolated_env)
    assert run.returncode == ExitCode.USAGE, run.stderr
    assert "or choose the role for good: samlcreds configure --profile two --role ROLE" in run.stderr


def test_exec_runs_a_command_after_double_dash_whatever_its_name(isolated_env, tmp_path):
    import os
    import stat

    tool = tmp_path / "bin" / "--version"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    run = run_main(["exec", "--profile", "p", "--", "--version"],
                   env=dict(isolated_env, PATH=f"{tool.parent}{os.pathsep}{isolated_env.get('PATH', '')}"))
    assert "exec has no option" not in run.stderr  # it gets as far as the profile (which has no sign-in URL)
    assert "profile p has no IdP sign-in URL" in run.stderr


@pytest.mark.parametrize("command", ["login", "configure"])
def test_a_profile_template_without_all_roles_is_refused_not_ignored(isolated_env, command):
    run = run_main([command, "--profile", "p", "--profile-template", "{role}", "--url", "https://idp.example/sso"],
                   env=isolated_env)
    assert run.returncode == ExitCode.USAGE
    assert "--profile-template goes with --all-roles" in run.stderr
