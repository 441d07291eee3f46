"""Refresh failures through botocore's real RefreshableCredentials, with a fake clock for both.

botocore decides when to refresh (advisory 15 min, mandatory 10 min before expiry); the Refresher
decides what a failure does. Only the clock and the sign-in's replies are faked.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone

import pytest
from botocore.credentials import DeferredRefreshableCredentials

from samlcreds import errors
from samlcreds.creds import Credentials
from samlcreds.refreshing import RefreshWarning, Refresher, report

START = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def at(self, **delta) -> None:
        self.now = START + timedelta(**delta)


class SignIn:
    """Replies in order: Credentials are returned, exceptions raised."""

    def __init__(self, *replies) -> None:
        self.replies = list(replies)
        self.calls = 0

    def __call__(self) -> Credentials:
        self.calls += 1
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def creds(key: str, minutes: float) -> Credentials:
    return Credentials(access_key_id=key, secret_access_key="s-" + key, session_token="t-" + key,
                       expiration=START + timedelta(minutes=minutes))


def botocore_for(refresher: Refresher, clock: Clock) -> DeferredRefreshableCredentials:
    return DeferredRefreshableCredentials(refresh_using=refresher, method="custom-saml", time_fetcher=clock)


def refused() -> errors.InvalidCredentials:
    return errors.InvalidCredentials("the IdP refused the password", hint="Check --username")


def test_refused_password_in_the_advisory_window_is_reported_once_and_never_resent():
    clock, shown = Clock(), []
    sign_in = SignIn(creds("K1", 60), refused())
    refresher = Refresher(sign_in, label="of profile 'p'", again="Call samlcreds.session() again.",
                          clock=clock, report=shown.append)
    boto = botocore_for(refresher, clock)
    assert boto.get_frozen_credentials().access_key == "K1"
    clock.at(minutes=46)  # 14 minutes left: advisory window
    assert boto.get_frozen_credentials().access_key == "K1"
    assert sign_in.calls == 2 and len(shown) == 1
    assert shown[0].startswith("samlcreds: refreshing the credentials of profile 'p' failed: the IdP refused")
    assert "expire at 13:00:00 UTC (in 14 min)" in shown[0] and "Call samlcreds.session() again." in shown[0]
    for minute in (47, 48, 52, 55):  # into botocore's mandatory window: still the current credentials
        clock.at(minutes=minute)
        assert boto.get_frozen_credentials().access_key == "K1"
    assert sign_in.calls == 2 and len(shown) == 1  # no retry, no second report
    clock.at(minutes=60, seconds=1)
    with pytest.raises(errors.InvalidCredentials) as caught:
        boto.get_frozen_credentials()
    assert str(caught.value).startswith("the IdP refused the password (the credentials of profile 'p' expired at "
                                        "2026-12-01 13:00:00 UTC)")
    assert caught.value.hint == "Call samlcreds.session() again."
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert sign_in.calls == 2


def test_retryable_failures_wait_before_the_next_try_and_each_failure_is_reported():
    clock, shown = Clock(), []
    down = errors.IdpUnreachable("the IdP at idp.example did not answer in 30 s")
    sign_in = SignIn(creds("K1", 60), down, down, creds("K2", 120))
    boto = botocore_for(Refresher(sign_in, clock=clock, report=shown.append), clock)
    boto.get_frozen_credentials()
    clock.at(minutes=46)
    assert boto.get_frozen_credentials().access_key == "K1"
    clock.at(minutes=46, seconds=30)
    assert boto.get_frozen_credentials().access_key == "K1"
    assert sign_in.calls == 2 and len(shown) == 1 and "tries again in 60 s" in shown[0]
    clock.at(minutes=47, seconds=1)
    assert boto.get_frozen_credentials().access_key == "K1"
    assert sign_in.calls == 3 and len(shown) == 2
    clock.at(minutes=48, seconds=2)
    assert boto.get_frozen_credentials().access_key == "K2"
    clock.at(minutes=90)
    assert boto.get_frozen_credentials().access_key == "K2" and len(shown) == 2


def test_credentials_from_another_sign_in_are_picked_up_from_the_cache():
    clock, cache = Clock(), []
    sign_in = SignIn(creds("K1", 60), refused())
    refresher = Refresher(sign_in, cached=lambda: cache[0] if cache else None, clock=clock, report=lambda m: None)
    boto = botocore_for(refresher, clock)
    boto.get_frozen_credentials()
    clock.at(minutes=46)
    boto.get_frozen_credentials()
    cache.append(creds("K2", 120))  # e.g. samlcreds login in a terminal
    clock.at(minutes=47)
    assert boto.get_frozen_credentials().access_key == "K2"
    assert sign_in.calls == 2


def test_a_refused_first_sign_in_raises_and_is_not_resent():
    clock = Clock()
    sign_in = SignIn(refused())
    boto = botocore_for(Refresher(sign_in, again="Call samlcreds.session() again.", clock=clock), clock)
    with pytest.raises(errors.InvalidCredentials) as first:
        boto.get_frozen_credentials()
    assert first.value.hint == "Check --username"  # the error as it came
    with pytest.raises(errors.InvalidCredentials) as second:
        boto.get_frozen_credentials()
    assert second.value.message == "the IdP refused the password"
    assert second.value.hint == "Call samlcreds.session() again."
    assert sign_in.calls == 1


def test_not_refreshable_credentials_warn_in_the_window_then_raise_at_expiry():
    clock, shown = Clock(), []
    pasted = creds("P1", 14)  # inside botocore's advisory window from the start

    def never():
        raise errors.NotRefreshable("cannot be refreshed: sign in again and pass a fresh saml_response")

    refresher = Refresher(never, current=pasted, clock=clock, report=shown.append)
    from botocore.credentials import RefreshableCredentials

    boto = RefreshableCredentials("P1", "s-P1", "t-P1", pasted.expiration, refresher, "custom-saml",
                                  time_fetcher=clock)
    assert boto.get_frozen_credentials().access_key == "P1"
    assert len(shown) == 1 and "pass a fresh saml_response" in shown[0]
    clock.at(minutes=12)
    assert boto.get_frozen_credentials().access_key == "P1" and len(shown) == 1
    clock.at(minutes=14, seconds=1)
    with pytest.raises(errors.NotRefreshable, match=r"^cannot be refreshed: sign in again and pass a fresh "
                                                    r"saml_response \(the credentials expired at"):
        boto.get_frozen_credentials()


def test_report_is_a_refresh_warning_at_the_callers_line_every_time():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        for _ in range(2):
            report("samlcreds: refreshing failed: same text")
    assert [w.category for w in seen] == [RefreshWarning, RefreshWarning]
    assert seen[0].filename == __file__
