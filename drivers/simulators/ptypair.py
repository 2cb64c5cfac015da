"""Two pseudo-terminals joined back to back, like ``socat pty,raw pty,raw``, in pure Python.

A Modbus RTU server opens one end, the gateway the other, and the bytes cross through a thread
that copies between the two masters: a serial null-modem cable with no hardware and no socat.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
import tty
from types import TracebackType


class PtyPair:
    """``a`` and ``b`` are device paths (``/dev/pts/N``); what is written to one is read from the other."""

    def __init__(self) -> None:
        self._masters: list[int] = []
        self._slaves: list[int] = []
        paths = []
        for _ in range(2):
            master, slave = os.openpty()
            tty.setraw(slave)  # no echo, no line discipline: bytes pass unchanged
            # never block the pump: bytes nobody reads are lost, as on a wire with no listener
            os.set_blocking(master, False)
            self._masters.append(master)
            # keeping our own slave fd open means the master never reads EIO between clients
            self._slaves.append(slave)
            paths.append(os.ttyname(slave))
        self.a, self.b = paths
        self._wake_r, self._wake_w = os.pipe()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name=f"ptypair {self.a}<->{self.b}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        sel = selectors.DefaultSelector()
        for i, m in enumerate(self._masters):
            sel.register(m, selectors.EVENT_READ, i)
        sel.register(self._wake_r, selectors.EVENT_READ, -1)
        try:
            while True:
                for key, _ in sel.select():
                    if key.data == -1:
                        return
                    try:
                        data = os.read(key.fd, 4096)
                        if data:
                            os.write(self._masters[1 - key.data], data)
                    except (BlockingIOError, InterruptedError):
                        continue  # the other end's input queue is full: the bytes are dropped
                    except OSError:
                        # EIO while one end is being (re)opened: wait a moment instead of spinning
                        self._stop.wait(0.01)
        finally:
            sel.close()

    def close(self) -> None:
        """Stop the copying thread and close both pseudo-terminals."""
        if not self._thread.is_alive() and not self._masters:
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=2)
        for fd in (*self._masters, *self._slaves, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):  # closed already by the thread's own clean-up
                os.close(fd)
        self._masters, self._slaves = [], []

    def __enter__(self) -> PtyPair:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
