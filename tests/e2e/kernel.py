"""A real Jupyter kernel for tests, driven the way a front end (JupyterLab) drives it.

:class:`Kernel` starts ipykernel with the suite's interpreter over IPC sockets
(no TCP port, nothing off the machine) in a given environment, executes cells
with ``allow_stdin=True`` and answers the kernel's ``input_request`` messages
(the password box, ``input()``) from a list, as a person typing would.
:class:`StdinNotebookClient` is nbclient's executor with the same ability,
for running ``examples/notebook.ipynb``.
"""

from __future__ import annotations

import json
import queue
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from jupyter_client import KernelManager
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[2]


@dataclass
class CellRun:
    """What one executed cell produced: every iopub message, the input requests and the reply."""

    code: str
    messages: list[dict] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)  # {"prompt": str, "password": bool}
    reply: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reply.get("status") == "ok"

    def stream(self, name: str) -> str:
        """Text the cell wrote to ``stdout`` or ``stderr`` (warnings land on stderr)."""
        return "".join(m["content"]["text"] for m in self.messages
                       if m["msg_type"] == "stream" and m["content"]["name"] == name)

    @property
    def stdout(self) -> str:
        return self.stream("stdout")

    @property
    def stderr(self) -> str:
        return self.stream("stderr")

    @property
    def result(self) -> str:
        """The text/plain of the cell's value (``execute_result``), or ``""``."""
        for m in self.messages:
            if m["msg_type"] == "execute_result":
                return m["content"]["data"].get("text/plain", "")
        return ""

    @property
    def error(self) -> dict | None:
        """``{"ename", "evalue", "traceback"}`` when the cell raised, else ``None``."""
        for m in self.messages:
            if m["msg_type"] == "error":
                return m["content"]
        return None

    def everything(self) -> str:
        """All iopub content and the input prompts, as one string (for secret checks)."""
        return json.dumps([m["content"] for m in self.messages] + self.requests + [self.reply])


class Kernel:
    """An ipykernel process in ``env``; ``run(code, answers)`` executes one cell."""

    #: An answer that interrupts the kernel (the stop button) instead of typing.
    INTERRUPT = object()

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.sockets = Path(tempfile.mkdtemp(prefix="sk"))  # short: AF_UNIX paths are limited to ~100 bytes
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=str(self.sockets / "k"),
                                connection_file=str(self.sockets / "kernel.json"))
        self.km.start_kernel(env=env, stdout=self._log, stderr=self._log, cwd=str(REPO))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.runs: list[CellRun] = []

    def run(self, code: str, answers: Iterable[str] = (), *, allow_stdin: bool = True,
            timeout: float = 180) -> CellRun:
        """Execute ``code`` and answer its input requests with ``answers``, in order.

        A request with no answer left gets end-of-input (``\\x04``), as when a
        person closes the prompt; :attr:`INTERRUPT` interrupts the kernel instead; ``allow_stdin=False`` is a front end without
        input (nbclient, papermill). Returns when the kernel is idle again.
        """
        pending = list(answers)
        run = CellRun(code)
        self.runs.append(run)
        msg_id = self.kc.execute(code, allow_stdin=allow_stdin)
        deadline = time.monotonic() + timeout
        idle = False
        while not idle:
            if time.monotonic() > deadline:
                raise TimeoutError(f"cell did not finish in {timeout} s: {code[:80]!r}; so far: "
                                   f"{[m['msg_type'] for m in run.messages]}")
            try:
                request = self.kc.get_stdin_msg(timeout=0.02)
            except queue.Empty:
                pass
            else:
                if request["msg_type"] == "input_request":
                    run.requests.append(dict(request["content"]))
                    reply = pending.pop(0) if pending else "\x04"
                    if reply is self.INTERRUPT:
                        self.km.interrupt_kernel()
                    else:
                        self.kc.input(reply)
            try:
                message = self.kc.get_iopub_msg(timeout=0.02)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            run.messages.append(message)
            idle = message["msg_type"] == "status" and message["content"]["execution_state"] == "idle"
        while True:
            reply = self.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                run.reply = reply["content"]
                return run

    def everything(self) -> str:
        """All cells' iopub content, prompts and the kernel process' own output."""
        self._log.flush()
        return "\n".join([run.everything() for run in self.runs]
                         + [self.log_path.read_bytes().decode("utf-8", "replace")])

    def close(self) -> None:
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
        finally:
            self._log.close()
            shutil.rmtree(self.sockets, ignore_errors=True)


class StdinNotebookClient(NotebookClient):
    """nbclient's executor that also answers input requests, like a front end.

    nbclient runs cells with ``allow_stdin=False``; this one allows input and
    answers each ``input_request`` with the next of ``answers`` (end-of-input
    when none is left), recording the requests in ``requests``.
    """

    def __init__(self, nb, answers: Iterable[str] = (), **kwargs) -> None:
        super().__init__(nb, **kwargs)
        self.answers = list(answers)
        self.requests: list[dict] = []
        self._stdin_task = None

    async def async_start_new_kernel_client(self):
        import asyncio

        client = await super().async_start_new_kernel_client()
        client.allow_stdin = True
        self._stdin_task = asyncio.ensure_future(self._answer_input_requests())
        return client

    async def _answer_input_requests(self) -> None:
        while True:
            try:
                message = await self.kc.stdin_channel.get_msg(timeout=0.05)
            except queue.Empty:
                continue
            if message["msg_type"] == "input_request":
                self.requests.append(dict(message["content"]))
                self.kc.input(self.answers.pop(0) if self.answers else "\x04")

    async def _async_cleanup_kernel(self):
        if self._stdin_task is not None:
            self._stdin_task.cancel()
        await super()._async_cleanup_kernel()
