"""Sign-ins called from a thread running an asyncio loop run in a worker thread (Jupyter, asyncio apps)."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest
from playwright.sync_api import sync_playwright

from samlcreds import errors, offloop

WHO = contextvars.ContextVar("who")


def test_without_a_loop_the_call_stays_in_the_calling_thread():
    assert offloop.call(threading.get_ident) == threading.get_ident()


def test_in_a_running_loop_it_runs_in_a_worker_with_the_callers_context():
    async def main():
        WHO.set("cell 7")
        return threading.get_ident(), offloop.call(lambda: (threading.get_ident(), WHO.get()))

    caller, (worker, seen) = asyncio.run(main())
    assert worker != caller and seen == "cell 7"


def test_errors_come_back_to_the_caller():
    async def main():
        offloop.call(lambda: (_ for _ in ()).throw(errors.InvalidCredentials("refused")))

    with pytest.raises(errors.InvalidCredentials, match="refused"):
        asyncio.run(main())


def test_the_playwright_sync_api_works_through_it_inside_a_loop():
    def start_and_stop():
        playwright = sync_playwright().start()
        playwright.stop()
        return "ok"

    async def direct():
        return start_and_stop()

    async def through_offloop():
        return offloop.call(start_and_stop)

    with pytest.raises(Exception, match="asyncio loop"):  # why the worker thread exists
        asyncio.run(direct())
    assert asyncio.run(through_offloop()) == "ok"
