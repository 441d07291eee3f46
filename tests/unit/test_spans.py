"""Durations in words (samlcreds.spans): '12 h', not '719 min' or '12 h 0 min'."""

import pytest

from samlcreds.spans import span


@pytest.mark.parametrize("seconds,words", [
    (0, "0 s"), (45, "45 s"), (119.6, "2 min"), (125, "2 min 5 s"), (3600, "60 min"), (7200, "2 h"),
    (12 * 3600, "12 h"), (12 * 3600 - 60, "11 h 59 min"), (3 * 3600 + 20 * 60, "3 h 20 min"),
    (4 * 86_400, "4 days"), (-90, "90 s"),
])
def test_span(seconds, words):
    assert span(seconds) == words
