"""Running a blocking sign-in off the caller's asyncio event loop.

In a Jupyter kernel (and any asyncio program calling boto3) the thread that
runs user code also runs an event loop. Libraries with a synchronous face over
asyncio refuse to run there (the Playwright sync API: "It looks like you are
using Playwright Sync API inside the asyncio loop"). :func:`call` runs the
function in a worker thread when the calling thread has a running loop and
waits for it; otherwise it simply calls it. It knows nothing about providers.

The worker runs in a copy of the caller's :mod:`contextvars` context, so that
ipykernel routes its prompts (``input``/``getpass``) and output to the cell that
asked. The caller's loop does not run meanwhile: it was blocked by the
synchronous boto3 call already.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def loop_running() -> bool:
    """True when the calling thread is running an asyncio event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def call(fn: Callable[[], T]) -> T:
    """``fn()``, in a worker thread when the calling thread runs an event loop.

    Returns what ``fn`` returns and raises what it raises. A
    ``KeyboardInterrupt`` while waiting (Jupyter's interrupt) stops the wait;
    the worker finishes its sign-in step (bounded by the provider's timeout)
    and its result is dropped.
    """
    if not loop_running():
        return fn()
    context = contextvars.copy_context()
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = context.run(fn)
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="samlcreds-sign-in", daemon=True)
    worker.start()
    worker.join()
    if "error" in outcome:
        error = outcome.pop("error")
        raise error  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
