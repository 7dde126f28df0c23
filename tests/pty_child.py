"""A program in a pseudo-terminal, started without forking the test process.

pexpect (through ``pty.fork``) forks the whole pytest process, which runs reference servers in threads: a fork of a
multi-threaded process may deadlock in the child, and Python 3.12+ warns about it. ``subprocess`` starts the child
with its own fork-and-exec in C instead; a tiny trampoline makes the terminal the child's controlling terminal
(so Ctrl-C typed at it sends SIGINT, as in a real terminal) and then executes the program.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

# Runs in the child's new session: take the terminal on stdin as the controlling terminal, then become the program.
_TRAMPOLINE = ("import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
               "os.execve(sys.argv[1], sys.argv[1:], os.environ)")


class Timeout(Exception):
    """Nothing to read within the time given."""


class Closed(Exception):
    """The program closed the terminal (it exited)."""


class PtyChild:
    """``argv`` running in a new pseudo-terminal of ``rows`` x ``columns``; text in and out as UTF-8."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: str | Path, rows: int = 24,
                 columns: int = 120) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, *argv], stdin=slave, stdout=slave, stderr=slave,
                env=env, cwd=str(cwd), start_new_session=True, close_fds=True,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the child holds it now: its exit then reads as the end of the terminal
        self.fd = master
        self.closed = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def read_nonblocking(self, size: int, timeout: float) -> str:
        """What the program wrote, as soon as there is some; ``Timeout`` if nothing came, ``Closed`` at the end."""
        if self.closed:
            raise Closed()
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            raise Timeout()
        try:
            data = os.read(self.fd, size)
        except OSError:  # EIO: every holder of the terminal's other end is gone
            data = b""
        if not data:
            raise Closed()
        return self._decoder.decode(data)

    def send(self, text: str) -> None:
        data = text.encode("utf-8")
        while data:
            data = data[os.write(self.fd, data):]

    def sendcontrol(self, key: str) -> None:
        self.send(chr(ord(key.lower()) & 0x1F))

    def isalive(self) -> bool:
        return self.process.poll() is None

    def terminate(self, force: bool = False) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill() if force else self.process.terminate()

    def close(self, force: bool = False) -> None:
        """Close the terminal and reap the program (killed first when ``force``)."""
        if force:
            self.terminate(force=True)
        if not self.closed:
            self.closed = True
            os.close(self.fd)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def exitstatus(self) -> int | None:
        code = self.process.returncode
        return code if code is not None and code >= 0 else None

    @property
    def signalstatus(self) -> int | None:
        code = self.process.returncode
        return -code if code is not None and code < 0 else None
