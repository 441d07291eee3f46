"""Settings botocore refuses while it builds samlcreds' STS clients (AssumeRoleWithSAML, and
AssumeRole for chaining) are a usage error naming the STS client, never a traceback. Real CLI runs."""

from __future__ import annotations

import pytest

from tests import samples
from tests.helpers import PROFILE_BODY, isolated_environ, run_cli, seed_cache


@pytest.mark.parametrize("setting", [
    {"AWS_ENDPOINT_URL_STS": "sts.internal.example"},  # no scheme: botocore's ValueError
    {"AWS_ENDPOINT_URL": "http://[::1"},  # urllib's ValueError
    {"AWS_STS_REGIONAL_ENDPOINTS": "sometimes"},  # botocore's InvalidSTSRegionalEndpointsConfigError
    {"AWS_DEFAULTS_MODE": "fastest"},  # InvalidDefaultsMode
    {"config": "sts_regional_endpoints = sometimes"},  # the same, from the profile
], ids=["endpoint-without-scheme", "broken-ipv6-endpoint", "regional-endpoints", "defaults-mode", "profile"])
def test_a_setting_botocore_refuses_for_the_sts_client_is_a_clear_error(tmp_path, setting):
    """These reached the user as a Python traceback (exit 1), after the sign-in at the IdP: the STS
    client (prepared in a thread during the sign-in, built again in the caller) is made only then."""
    extra = {k: v for k, v in setting.items() if k != "config"}
    config = "[profile p]\nsaml_role_arn = 111111111111:Developer\n" + (setting.get("config", "") + "\n")
    env = isolated_environ(tmp_path, config_text=config, **extra)
    path = tmp_path / "response.b64"
    path.write_text(samples.b64(samples.response_xml()))
    result = run_cli(["login", "--profile", "p", "--saml-file", str(path), "--print", "json"], env=env)
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "STS client" in result.stderr and result.stdout == ""


def test_a_setting_botocore_refuses_for_a_chained_assume_role_is_a_clear_error(tmp_path):
    """The same for role chaining's AssumeRole client (source credentials cached: no sign-in)."""
    env = isolated_environ(tmp_path, config_text="[profile src]\n" + PROFILE_BODY + "[profile deploy]\n"
                           "role_arn = arn:aws:iam::222222222222:role/Deploy\nsource_profile = src\n",
                           AWS_STS_REGIONAL_ENDPOINTS="sometimes")
    seed_cache(env, "src")
    result = run_cli(["process", "--profile", "deploy"], env=env)
    assert "Traceback" not in result.stderr, result.stderr[-500:]
    assert result.returncode == 2 and "STS client" in result.stderr, (result.returncode, result.stderr)
    assert result.stdout == ""
