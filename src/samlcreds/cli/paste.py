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
    SIGTERM or SIGHUP (which then end the process as they would have), and
    what was typed after the end is dropped rather than left for the next
    prompt or the shell. Without termios (Windows), stdin is read as it is.
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
    with spinner_paused(), _terminal_restored_on_signals(fd, saved):
        termios.tcsetattr(fd, termios.TCSANOW, raw)
        try:
            info(f"Paste the {what}, then press Ctrl-D:")  # only now: what is typed from here on is not echoed
            while True:
                chunk = os.read(fd, READ_SIZE)
                end = chunk.find(end_key)
                for byte in chunk if end < 0 else chunk[:end]:
                    if byte in (erase, 0x7F, 0x08):
                        _erase_character(pasted)
                    elif byte == kill:
                        pasted.clear()
                    else:
                        pasted.append(byte)
                if not chunk or end >= 0:
                    break
                _show_count(pasted)
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
            _show_count(pasted, done=True)
    return bytes(pasted)


def _erase_character(pasted: bytearray) -> None:
    """Remove the last character of ``pasted``: its UTF-8 continuation bytes and its first byte."""
    while pasted and pasted[-1] & 0xC0 == 0x80:
        del pasted[-1]
    del pasted[-1:]


class _terminal_restored_on_signals:
    """For the block: SIGTERM and SIGHUP put the terminal's ``saved`` settings back, then end the process
    as they would have (main thread only; elsewhere the block changes nothing)."""

    SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))

    def __init__(self, fd: int, saved) -> None:
        self.fd, self.saved, self.previous = fd, saved, {}

    def __enter__(self):
        try:
            self.previous = {number: signal.signal(number, self._restore_and_die) for number in self.SIGNALS}
        except ValueError:  # not the main thread
            self.previous = {}
        return self

    def __exit__(self, *exc) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def _restore_and_die(self, number, frame) -> None:
        import termios

        termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)
        signal.signal(number, self.previous.get(number, signal.SIG_DFL))
        os.kill(os.getpid(), number)


def _show_count(pasted: bytearray, done: bool = False) -> None:
    """How much of a paste has arrived, on one line of stderr redrawn in place."""
    if sys.stderr.isatty():
        count = len(pasted) if pasted.isascii() else len(pasted) - sum(1 for b in pasted if b & 0xC0 == 0x80)
        sys.stderr.write(f"\r{count} characters read" + ("\n" if done else ""))
        sys.stderr.flush()
