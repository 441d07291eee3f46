"""``samlcreds configure``: store a profile's SAML settings in the AWS config file."""

from __future__ import annotations

import click

from samlcreds import config, errors
from samlcreds.allroles import DEFAULT_TEMPLATE
from samlcreds.cli.options import BROWSER_DRIVER_OPTION, BROWSER_OPTION, complete_profiles
from samlcreds.cli.terminal import current_terminal, info
from samlcreds.idp.base import provider_names
from samlcreds.sts import check_duration
from samlcreds.profile import quote_word

PROMPTS = [
    ("provider", "IdP login provider ({names})", "form"),
    ("url", "IdP sign-in (SSO) URL", None),
    ("username", "User name at the IdP", None),
    ("role", "Role (ARN, ACCOUNT_ID:ROLE_NAME or name; empty to choose at login)", None),
    ("duration", "Session duration in seconds", "3600"),
    ("region", "Region", None),
]


@click.command(epilog="""\b
Examples:
  samlcreds configure --profile work
  samlcreds configure --profile work --provider form --url https://idp.example.com/sso \\
      --username me@example.com --role 111111111111:Developer --duration 3600 --region eu-west-1
  samlcreds configure --profile work --all-roles --profile-template '{account}-{role}'
  samlcreds configure --profile work --otp-command 'pass otp work/idp'
  samlcreds configure --profile lab --provider browser --browser chromium --autofill
  samlcreds configure --profile work --unset saml_otp_command --unset region
""")
@click.option("--profile", "-p", shell_complete=complete_profiles,
               help="Profile to configure (default: AWS_DEFAULT_PROFILE, AWS_PROFILE or default).")
@click.option("--provider", help="IdP login provider (saml_provider).")
@click.option("--url", help="The IdP's SSO sign-in URL (saml_url).")
@click.option("--username", "-u", help="User name at the IdP (saml_username).")
@click.option("--role", help="Role ARN, ACCOUNT_ID:ROLE_NAME or name (saml_role_arn).")
@click.option("--principal-arn", help="SAML provider ARN (saml_principal_arn).")
@click.option("--duration", type=int, help="DurationSeconds, 900-43200 (saml_duration).")
@click.option("--timeout", type=float, help="IdP/STS timeout in seconds (saml_timeout).")
@click.option("--region", help="Region (region).")
@click.option("--otp-command", help="Form provider: command printing a one-time code on its first line, run "
              "without a shell, e.g. 'pass otp work/idp' (saml_otp_command).")
@BROWSER_OPTION
@BROWSER_DRIVER_OPTION
@click.option("--autofill/--no-autofill", default=None,
              help="Browser provider: fill the user name and password into plain login forms, through "
              "Playwright (saml_autofill).")
@click.option("--credential-process", "credential_process", is_flag=True,
              help="Also set credential_process so every AWS tool gets fresh credentials from samlcreds.")
@click.option("--remove-static-keys", is_flag=True,
              help="With --credential-process (or --all-roles): delete the temporary keys of the profile(s) "
              "from the credentials file.")
@click.option("--google-idp-id", help="Google Workspace: the idpid (builds saml_url with --google-sp-id).")
@click.option("--google-sp-id", help="Google Workspace: the spid of the AWS SAML app.")
@click.option("--all-roles", is_flag=True,
              help="Sign in with the profile's settings and write one profile per granted role, each with "
              "credential_process (names from --profile-template).")
@click.option("--profile-template", default=DEFAULT_TEMPLATE, show_default=True,
              help="With --all-roles: profile names; {account} (name, else ID), {account_id}, {role}.")
@click.option("--password-stdin", is_flag=True, help="With --all-roles: read the IdP password from stdin.")
@click.option("--unset", "unset", multiple=True, metavar="KEY",
              help="Remove KEY (e.g. saml_otp_command, region, credential_process) from the profile; repeatable.")
def configure(profile, provider, url, username, role, principal_arn, duration, timeout, region, otp_command,
              browser, browser_driver, autofill, credential_process, remove_static_keys, google_idp_id,
              google_sp_id, all_roles, profile_template, password_stdin, unset):
    """Write SAML settings into [profile NAME] of the AWS config file.

    The common settings can be given by flag; with none given and a terminal,
    samlcreds asks for the main ones. saml_allow_http_idp,
    saml_remember_password, the auto-fill selectors and saml_account_names
    are edits of the file. Other lines of the file are kept byte for byte.
    """
    name = profile or config.default_profile_name()
    removed = _keys_to_unset(unset)
    if removed and all_roles:
        raise errors.UsageError("--unset does not go with --all-roles")
    if profile_template != DEFAULT_TEMPLATE and not all_roles:
        raise errors.UsageError("--profile-template goes with --all-roles", hint="Add --all-roles, or drop it.")
    if otp_command is not None:
        _check_otp_command(otp_command)  # refused now (empty, or an unclosed quote), not at the first code
    if all_roles:
        from samlcreds.cli.allroles import configure_all_roles
        from samlcreds.cli.options import Inputs, SignInOptions

        settings = config.resolve(name, provider=provider, url=url, username=username, duration=duration,
                                  timeout=timeout, region=region, otp_command=otp_command, browser=browser,
                                  browser_driver=browser_driver, autofill=autofill)
        inputs = Inputs(password_stdin=password_stdin)
        return configure_all_roles(settings, SignInOptions(profile=name).request(settings, inputs),
                                   template=profile_template, remove_static_keys=remove_static_keys)
    if google_idp_id or google_sp_id:
        if not (google_idp_id and google_sp_id):
            raise errors.UsageError("--google-idp-id and --google-sp-id go together")
        if url:
            raise errors.UsageError("--url and --google-idp-id/--google-sp-id are exclusive")
        from samlcreds.idp.google import google_sso_url

        url = google_sso_url(google_idp_id, google_sp_id)
        provider = provider or "browser"
    given = {"provider": provider, "url": url, "username": username, "role": role,
             "principal_arn": principal_arn, "duration": duration, "timeout": timeout, "region": region,
             "otp_command": otp_command, "browser": browser, "browser_driver": browser_driver,
             "autofill": None if autofill is None else str(autofill).lower()}
    values = {k: str(v) for k, v in given.items() if v is not None}
    both = [config.KEYS[k][0] for k in values if config.KEYS[k][0] in removed]
    if both or (credential_process and "credential_process" in removed):
        raise errors.UsageError(f"--unset {', '.join(both) or 'credential_process'} and a new value for it "
                                "were both given", hint="Pass one of them.")
    if not values and not credential_process and not removed:
        terminal = current_terminal()
        if not terminal.available:
            raise errors.UsageError("no settings were given and there is no terminal to ask on",
                                    hint="Pass settings as flags, e.g. --url and --username.")
        current = config.resolve(name)
        for key, label, default in PROMPTS:
            shown = getattr(current, key) or default
            label = label.format(names=", ".join(provider_names()))
            answer = terminal.ask(f"{label}{f' [{shown}]' if shown else ''}: ").strip()
            if answer or shown:
                values[key] = answer or shown
    if "provider" in values and values["provider"] not in provider_names():
        raise errors.UsageError(f"unknown provider {values['provider']!r}",
                                hint=f"Choose one of: {', '.join(provider_names())}.")
    if "duration" in values:
        check_duration(values["duration"])
    if "url" in values:  # refused now, not at the first sign-in
        try:
            config.parse_url(values["url"])
        except errors.UsageError as exc:
            origin = "--url" if url else "the answer"
            raise errors.UsageError(f"{exc.message} (from {origin})", hint=exc.hint) from None
    if browser_driver is not None or autofill is not None:
        _check_browser_driver(name, values)
    if browser is not None:
        _warn_browser(browser)
    stored = {config.KEYS[key][0]: value for key, value in values.items()}
    if credential_process:
        stored["credential_process"] = credential_process_command(name)
    present = set(config.read_profile(name)) if removed else set()
    absent = [key for key in removed if key not in present]
    path = _write(name, stored, [key for key in removed if key in present])
    done = [f"Saved {', '.join(stored)}"] if stored else []
    if len(absent) < len(removed):
        done.append(f"{'removed' if done else 'Removed'} {', '.join(k for k in removed if k in present)}")
    section = f"[{config.section_name(name)}] of {path}"
    if done:
        info(f"{', '.join(done)} in {section}")
    if absent:
        info(f"{', '.join(absent)} {'was' if len(absent) == 1 else 'were'} not set in {section}: nothing to remove")
    if credential_process:
        check_shadowing_keys([name], remove_static_keys, f"'samlcreds configure --profile {quote_word(name)} "
                             "--credential-process --remove-static-keys'")


def _write(profile: str, stored: dict[str, str], remove: list[str]):
    """Save ``stored`` and drop ``remove`` in the profile's section; only removals leave a section
    emptied by them out of the file, and nothing to do writes nothing. Returns the config file's path."""
    from samlcreds import inifile

    path = config.config_path()
    if not stored and not remove:
        return path
    if not stored and inifile.remove_keys(path, config.section_name(profile), remove, drop_emptied=True, utf8=True,
                                          private=False):
        return path
    return config.write_profile_settings(profile, stored, remove=remove)


def _keys_to_unset(names) -> list[str]:
    """The config-file keys ``--unset`` names (a key such as ``saml_otp_command`` or a setting such as
    ``otp_command``), in order, each once; :class:`~samlcreds.errors.UsageError` for an unknown one."""
    known = {key: key for key, _ in config.KEYS.values()} | {name: key for name, (key, _) in config.KEYS.items()}
    known.update(credential_process="credential_process", saml_account_names="saml_account_names",
                 account_names="saml_account_names")
    keys = []
    for name in names:
        key = known.get(name.strip().lower())
        if key is None:
            raise errors.UsageError(f"--unset {name!r}: not a samlcreds key",
                                    hint="Use one of: " + ", ".join(sorted(set(known.values()))) + ".")
        if key not in keys:
            keys.append(key)
    return keys


def _check_otp_command(command: str) -> None:
    """Refuse an ``--otp-command`` that does not split; warn when its program is not found now."""
    from samlcreds.idp.form.otp import FLAG, command_hint, missing_program, split_code_command

    problem = missing_program(split_code_command(command, source=FLAG))
    if problem:
        info(f"warning: {FLAG}'s program {problem}; saved anyway, but a sign-in that asks for a one-time "
             f"code will fail unless it is there then.\n  {command_hint(FLAG)}")


def _check_browser_driver(profile: str, values: dict[str, str]) -> None:
    """Refuse --autofill with --browser-driver native, the new values over the profile's (as login would)."""
    stored = config.read_profile(profile)
    text = {name: values.get(name) or stored.get(config.KEYS[name][0], "") for name in ("autofill", "browser_driver")}
    try:
        settings = config.Settings(autofill=text["autofill"], browser_driver=text["browser_driver"])
    except errors.UsageError:  # a bad value already in the file: login names it, with where it is
        return
    config.browser_driver_for(settings.browser_driver, settings.autofill)


def _warn_browser(browser: str) -> None:
    """Say when ``--browser`` names no installed browser (saved anyway: it may be installed later)."""
    from samlcreds.idp.browser.errors import BrowserNotFound
    from samlcreds.idp.browser.locate import channel_executable, find_browser

    try:
        channel_executable(find_browser(browser))
    except BrowserNotFound as exc:
        info(f"warning: {exc.message}; saved anyway" + (f"\n  {exc.hint}" if exc.hint else ""))


def credential_process_command(profile: str) -> str:
    """``"/abs/path/samlcreds" process --profile P``, quoted for botocore's shlex split."""
    import os
    import shlex
    import shutil
    import sys
    from pathlib import Path

    # absolute but not resolved: a venv's bin/python is a symlink that must stay one
    exe = Path(os.path.abspath(sys.argv[0])) if Path(sys.argv[0]).name == "samlcreds" else None
    if exe is None or not exe.exists():
        found = shutil.which("samlcreds")
        exe = Path(os.path.abspath(found)) if found else None
    if exe is not None and exe.exists():
        command = [str(exe)]
    elif sys.executable:
        command = python_command(os.path.abspath(sys.executable), sys.version_info)
    else:  # an embedded interpreter: nothing to name in the config file
        raise errors.UsageError("cannot tell which command runs samlcreds: no samlcreds script on PATH and "
                                "no Python interpreter path (sys.executable)",
                                hint="Install samlcreds so that the samlcreds command is on PATH, then run "
                                "configure --credential-process again.")
    return " ".join(_quote(part) for part in command) + " process --profile " + shlex.quote(profile)


#: ``python -c`` code running samlcreds' command line with the current directory off sys.path (before 3.11):
#: one expression, evaluated left to right, so that no ";" or "#" goes into the config file (several SDKs'
#: profile parsers take " ;" and " #" for the start of a comment).
RUN_SAMLCREDS = ("__import__('sys').path[:1] == [''] and __import__('sys').path.pop(0), "
                 "__import__('runpy').run_module('samlcreds', run_name='__main__', alter_sys=True)")


def python_command(python: str, version: tuple) -> list[str]:
    """argv running samlcreds' command line with the interpreter ``python`` (of ``version``, a sys.version_info).

    botocore runs credential_process in the AWS tool's current directory, and
    ``python -m`` puts that directory first on sys.path: a ``json.py`` (or a
    ``samlcreds/``) in a cloned repository would be imported by the process
    that prints credentials. 3.11+: ``-P`` (the documented switch for exactly
    this) leaves it out and keeps PYTHONPATH and the user site, which ``-I``
    would drop (a ``pip install --user`` samlcreds would no longer import).
    3.10: ``-c`` :data:`RUN_SAMLCREDS`, which removes the entry before any
    import (``sys`` is built in; ``site`` ran before the entry was added).
    """
    if tuple(version) >= (3, 11):
        return [python, "-P", "-m", "samlcreds"]
    return [python, "-c", RUN_SAMLCREDS]


def credential_process_is_ours(profile: str) -> bool:
    """True when the profile's credential_process is ``samlcreds process`` for this profile."""
    return runs_samlcreds_process(config.read_profile(profile).get("credential_process", ""), profile)


def runs_samlcreds_process(command: str, profile: str) -> bool:
    """True when ``command`` (a credential_process value) is what :func:`credential_process_command`
    writes for ``profile``: ``samlcreds process --profile PROFILE``, by any path to samlcreds."""
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    start = 2 if argv[1:2] in (["-P"], ["-I"]) else 1  # what python_command writes, or a hand-written -I
    if argv[start:start + 2] in (["-m", "samlcreds"], ["-c", RUN_SAMLCREDS]):
        program, rest = "samlcreds", argv[start + 2:]
    else:
        program, rest = (argv[0].replace("\\", "/").rsplit("/", 1)[-1], argv[1:]) if argv else ("", [])
    if program not in ("samlcreds", "samlcreds.exe") or not rest or rest[0] != "process":
        return False
    args = rest[1:]
    for index, arg in enumerate(args):
        if arg in ("--profile", "-p") and index + 1 < len(args):
            return args[index + 1] == profile
        if arg.startswith("--profile="):
            return arg.split("=", 1)[1] == profile
    return False


def _quote(part: str) -> str:
    return f'"{part}"' if any(c in part for c in " '\t") else part


def check_shadowing_keys(profiles, remove: bool, remove_with: str) -> None:
    """Warn about, or remove, keys in the credentials file that botocore would use instead of the
    credential_process of ``profiles`` (a sequence of names).

    Temporary keys (with a session token, as ``login`` writes them) go with ``remove`` or a yes at
    the terminal; ``remove_with`` is the command saying how otherwise. Long-term keys (an IAM user's)
    are only named: removing them would lose them for good.
    """
    from samlcreds import credfile, inifile

    path = credfile.credentials_path()
    found = {name: credfile.static_keys(name, path) for name in profiles}
    long_term = [name for name, keys in found.items() if keys and credfile.is_long_term(keys)]
    temporary = [name for name, keys in found.items() if keys and name not in long_term]

    def listed(names) -> str:
        return ", ".join(f"[{name}]" for name in names) + (" holds" if len(names) == 1 else " hold")

    if long_term:
        info(f"warning: {listed(long_term)} long-term access keys in {path}, which botocore and the AWS CLI use "
             "instead of credential_process; samlcreds does not remove them (they could not be recovered): "
             "move them to a profile of their own.")
    if not temporary:
        return
    terminal = current_terminal()
    if not remove and terminal.available:
        answer = terminal.ask(f"{listed(temporary)} temporary keys in {path}, which AWS tools use instead of "
                              "credential_process. Remove them? [y/N] ")
        remove = answer.strip().lower() in ("y", "yes")
    if remove:
        for name in temporary:
            inifile.remove_keys(path, name, credfile.WRITTEN_KEYS + credfile.STALE_KEYS)
        info(f"Removed the temporary keys of {', '.join(f'[{name}]' for name in temporary)} from {path}.")
    else:
        info(f"warning: {listed(temporary)} temporary keys in {path}; botocore and the AWS CLI use them instead "
             f"of credential_process, so samlcreds would never run. Remove them: {remove_with}.")
