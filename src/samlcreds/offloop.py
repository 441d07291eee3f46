"""Running a blocking sign-in off the caller's asyncio event loop.

In a Jupyter kernel (and any asyncio program calling boto3) the thread that
runs user code also runs an event loop. Libraries with a synchronous face over
asyncio refuse to run there (the Playwright sync API: "It looks like you are
using Playwright Sync API inside the asyncio loop"). :func:`call` runs the
function in a worker thread when the calling thread has a running loop and
waits for it; otherwise it simply calls it. It knows nothing about providers.

Prompts stay in the caller's thread: a callable wrapped with :func:`on_caller`
(the password prompt, the role picker) called from the worker is handed back to
the waiting caller and run there, so ipykernel's ``input``/``getpass`` (whose
socket belongs to the cell's thread) and a Ctrl-C / kernel interrupt behave as
without the worker. The worker runs in a copy of the caller's
:mod:`contextvars` context. The caller's loop does not run meanwhile: the
synchronous boto3 call had blocked it already.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import queue
import threading
from typing import Callable, TypeVar

from samlcreds import errors

T = TypeVar("T")
_DONE = object()
_worker = threading.local()  # .caller: the _Caller a worker thread serves


class _Request:
    """One forwarded call, run by the caller's thread."""

    def __init__(self, fn, args, kwargs) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.done = threading.Event()
        self.value = self.error = None

    def run(self) -> None:
        try:
            self.value = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # handed to the worker; a KeyboardInterrupt also stops the caller
            self.error = exc
            if not isinstance(exc, Exception):
                raise
        finally:
            self.done.set()

    def fail(self, error: BaseException) -> None:
        self.error = error
        self.done.set()


class _Caller:
    def __init__(self) -> None:
        self.requests: queue.Queue = queue.Queue()
        self.lock = threading.Lock()
        self.abandoned = False


def loop_running() -> bool:
    """True when the calling thread is running an asyncio event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def call(fn: Callable[[], T]) -> T:
    """``fn()``, in a worker thread when the calling thread runs an event loop.

    Returns what ``fn`` returns and raises what it raises; runs the worker's
    :func:`on_caller` calls meanwhile. A ``KeyboardInterrupt`` (Jupyter's
    interrupt) stops the wait: a prompt the worker was waiting on raises it in
    the worker too, later prompts raise
    :class:`~samlcreds.errors.InteractionRequired`, and the worker's result is
    dropped.
    """
    if not loop_running():
        return fn()
    caller = _Caller()
    context = contextvars.copy_context()
    outcome: dict[str, object] = {}

    def run() -> None:
        _worker.caller = caller
        try:
            outcome["value"] = context.run(fn)
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            outcome["error"] = exc
        finally:
            caller.requests.put(_DONE)

    try:
        # started inside the try: an interrupt while start() waits for the thread must abandon it too
        threading.Thread(target=run, name="samlcreds-sign-in", daemon=True).start()
        while True:
            try:
                item = caller.requests.get(timeout=0.1)  # a timeout keeps the wait interruptible
            except queue.Empty:
                continue
            if item is _DONE:
                break
            item.run()
    except BaseException:
        with caller.lock:
            caller.abandoned = True
        while True:  # no request can be added any more: fail those waiting
            try:
                item = caller.requests.get_nowait()
            except queue.Empty:
                break
            if item is not _DONE:
                item.fail(_interrupted())
        raise
    if "error" in outcome:
        raise outcome.pop("error")  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def on_caller(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` that, called from a :func:`call` worker, runs in the thread that called :func:`call`."""

    @functools.wraps(fn)
    def forwarded(*args, **kwargs):
        caller = getattr(_worker, "caller", None)
        if caller is None:
            return fn(*args, **kwargs)
        request = _Request(fn, args, kwargs)
        with caller.lock:
            if caller.abandoned:
                raise _interrupted()
            caller.requests.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.value

    return forwarded


def _interrupted() -> errors.InteractionRequired:
    return errors.InteractionRequired("the sign-in was interrupted")
