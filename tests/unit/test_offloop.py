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


def test_prompts_from_the_worker_run_in_the_calling_thread():
    @offloop.on_caller
    def prompt(text):
        return text, threading.get_ident()

    async def main():
        return threading.get_ident(), offloop.call(lambda: (threading.get_ident(), prompt("Password: ")))

    caller, (worker, (answer, asked_in)) = asyncio.run(main())
    assert worker != caller and asked_in == caller and answer == "Password: "
    assert prompt("direct")[1] == threading.get_ident()  # outside a worker: a plain call


def test_an_interrupt_during_a_prompt_stops_both_threads():
    finished = threading.Event()
    seen = []

    @offloop.on_caller
    def prompt():
        raise KeyboardInterrupt  # the person interrupts the kernel while the password box is open

    def sign_in():
        try:
            prompt()
        except BaseException as exc:
            seen.append(type(exc))
            raise
        finally:
            finished.set()

    async def main():
        offloop.call(sign_in)

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(main())
    assert finished.wait(5) and seen == [KeyboardInterrupt]


def test_prompts_after_an_interrupt_fail_instead_of_waiting():
    started, go_on, outcome = threading.Event(), threading.Event(), []

    @offloop.on_caller
    def prompt():
        return "typed"

    def sign_in():
        started.set()
        go_on.wait(5)  # the network step during which the interrupt arrives
        try:
            prompt()
        except errors.InteractionRequired as exc:
            outcome.append(exc.message)

    async def main():
        import _thread

        def interrupt_soon():
            started.wait(5)
            _thread.interrupt_main()

        threading.Thread(target=interrupt_soon).start()
        offloop.call(sign_in)

    loop = asyncio.new_event_loop()  # asyncio.run() would turn the interrupt into a task cancellation
    try:
        with pytest.raises(KeyboardInterrupt):
            loop.run_until_complete(main())
    finally:
        loop.close()
    go_on.set()
    for _ in range(50):
        if outcome:
            break
        threading.Event().wait(0.1)
    assert outcome == ["the sign-in was interrupted"]
