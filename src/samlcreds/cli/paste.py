"""Reading a pasted SAMLResponse from stdin: whole, however long, and not echoed at a terminal."""

from __future__ import annotations

import os
import signal
import sys

from samlcreds.cli.terminal import info, spinner_paused

#: Bytes asked of the terminal at a time.
READ_SIZE = 65536


def read_paste(what: str = "SAMLResponse") -> bytes:
    """All of stdin as bytes; when stdin is a terminal, ask for a paste of ``what`` and read all of it.

    A terminal in its usual (canonical) mode hands a program at most one line
    of 4,095 characters and drops the rest of the line (Linux ``N_TTY_BUF_SIZE``;
    ``MAX_CANON`` = 1,024 on macOS), and a SAMLResponse is one line of 5 to 50 KB.
    So for the paste the terminal is switched to non-canonical mode without
    echo (termios(3)), the spinner paused: the paste ends on the terminal's
    end-of-file key (Ctrl-D) wherever it is typed, its erase key removes the
    last character and its kill key (Ctrl-U) all of them, Ctrl-C still
    interrupts, and the number of characters read is shown in place of the
    secret. The terminal's settings come back before returning, also on
    SIGTERM, SIGHUP or SIGQUIT (which then end the process as they would
    have) and while Ctrl-Z holds the process stopped, and what was typed after
    the end is dropped rather than left for the next prompt or the shell.
    Without termios (Windows), stdin is read as it is.
    """
    stream = sys.stdin
    if not stream.isatty():
        return stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode()
    try:
        import termios
    except ImportError:  # pragma: no cover - not on POSIX
        info(f"Paste the {what}, then press Ctrl-Z and Enter:")
        return stream.buffer.read()
    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    keys = saved[6]
    end_key, erase, kill = (ord(keys[index]) for index in (termios.VEOF, termios.VERASE, termios.VKILL))
    end_key = end_key or 0x04  # a disabled end-of-file key: Ctrl-D all the same
    raw = termios.tcgetattr(fd)
    raw[3] &= ~(termios.ICANON | termios.ECHO)
    raw[6][termios.VMIN], raw[6][termios.VTIME] = 1, 0
    pasted = bytearray()
    count = _Count()
    with spinner_paused(), _terminal_restored_on_signals(fd, saved, raw):
        termios.tcsetattr(fd, termios.TCSANOW, raw)
        try:
            info(f"Paste the {what}, then press Ctrl-D:")  # only now: what is typed from here on is not echoed
            while True:
                chunk = os.read(fd, READ_SIZE)
                end = chunk.find(end_key)
                for byte in chunk if end < 0 else chunk[:end]:
                    if byte in (erase, 0x7F, 0x08):
                        _erase_character(pasted)
                        count.reset()
                    elif byte == kill:
                        pasted.clear()
                        count.reset()
                    else:
                        pasted.append(byte)
                if not chunk or end >= 0:
                    break
                count.show(pasted)
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
            count.show(pasted, done=True)
    return bytes(pasted)


def _erase_character(pasted: bytearray) -> None:
    """Remove the last character of ``pasted``: its UTF-8 continuation bytes and its first byte."""
    while pasted and pasted[-1] & 0xC0 == 0x80:
        del pasted[-1]
    del pasted[-1:]


class _terminal_restored_on_signals:
    """For the block: SIGTERM, SIGHUP and SIGQUIT put the terminal's ``saved`` settings back, then end the
    process as they would have; Ctrl-Z (SIGTSTP) puts them back before the process stops, and ``raw`` again
    when it goes on, so the paste stays unechoed and uncut after ``fg`` (main thread only; elsewhere the
    block changes nothing)."""

    ENDING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name))

    def __init__(self, fd: int, saved, raw) -> None:
        self.fd, self.saved, self.raw, self.previous = fd, saved, raw, {}

    def __enter__(self):
        handlers = {number: self._restore_and_die for number in self.ENDING}
        if hasattr(signal, "SIGTSTP"):
            handlers[signal.SIGTSTP] = self._stop
        try:
            self.previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
        except ValueError:  # not the main thread
            self.previous = {}
        return self

    def __exit__(self, *exc) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def _set(self, attributes) -> None:
        import termios

        termios.tcsetattr(self.fd, termios.TCSANOW, attributes)

    def _restore_and_die(self, number, frame) -> None:
        self._set(self.saved)
        signal.signal(number, self.previous.get(number, signal.SIG_DFL))
        os.kill(os.getpid(), number)

    def _stop(self, number, frame) -> None:
        self._set(self.saved)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)  # stops here until SIGCONT (fg)
        signal.signal(number, self._stop)
        self._set(self.raw)


class _Count:
    """How much of a paste has arrived, in characters, on one line of stderr redrawn in place; only the
    bytes added since the last count are looked at (a paste of megabytes stays linear)."""

    def __init__(self) -> None:
        self.seen = self.continuations = 0

    def reset(self) -> None:
        """Count again from the start (after an erase or a kill)."""
        self.seen = self.continuations = 0

    def show(self, pasted: bytearray, done: bool = False) -> None:
        new = pasted[self.seen:]
        if not new.isascii():
            self.continuations += sum(1 for byte in new if byte & 0xC0 == 0x80)
        self.seen = len(pasted)
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{len(pasted) - self.continuations} characters read" + ("\n" if done else ""))
            sys.stderr.flush()
