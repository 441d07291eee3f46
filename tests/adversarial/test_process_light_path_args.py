"""The cache-hit (light) path of ``samlcreds process`` reads its arguments as click does: warm or
cold cache, one command gets one answer. Real CLI runs on a seeded cache."""

from __future__ import annotations

from tests.helpers import PROFILE_BODY, isolated_environ, run_cli, seed_cache


def test_light_path_reads_short_option_equals_as_click_does(tmp_path):
    """click reads ``-p=work`` as the profile ``=work`` (a short option's value is the rest of the word);
    the light path read it as ``work`` and served work's cached credentials, while the same command on
    a cold cache said profile ``=work`` has no sign-in URL. Warm or cold, one answer."""
    cold = isolated_environ(tmp_path / "cold", config_text="[profile work]\n" + PROFILE_BODY)
    warm = isolated_environ(tmp_path / "warm", config_text="[profile work]\n" + PROFILE_BODY)
    seed_cache(warm, "work")
    assert run_cli(["process", "--profile", "work"], env=warm).returncode == 0  # the entry is a hit
    answers = [run_cli(["process", "-p=work"], env=env) for env in (cold, warm)]
    assert "ASIAFAKE" not in answers[1].stdout, "the light path served profile work for -p=work"
    assert [a.returncode for a in answers] == [answers[0].returncode] * 2 and answers[0].returncode != 0
    assert "=work" in answers[1].stderr, answers[1].stderr
