"""An RS-485 line that garbles the slaves' answers for a while: two pty pairs (drivers/simulators/ptypair.py,
the null-modem cables) and a relay between them, as a bad joint or an unterminated stub sits between
the gateway and the bus.

A stand-in for a noisy cable, which cannot be had here; what it does to the bytes is what noise and a
slave losing power half-way do on the wire: while :attr:`noisy`, an answer travelling to the
gateway is, at random one time in two (so a clean answer often follows a spoilt one), mangled by
the next of

- ``flip``: one byte in the middle inverted (the frame's CRC no longer matches);
- ``truncate``: only the first half of the frame arrives;
- ``garbage``: as many random bytes as the frame had.

Requests travel to the slaves unchanged. ``mangled`` counts the answers spoilt and ``spoilt_at`` says
when (a pymodbus server writes an answer in one piece, and the relay reads it so).
"""

from __future__ import annotations

import os
import random
import selectors
import threading
import time
import tty

from drivers.simulators.ptypair import PtyPair

MANGLERS = ("flip", "truncate", "garbage")


class NoisyLine:
    """``slave_side``: the port the simulator serves on; ``gateway_side``: the port the gateway opens."""

    def __init__(self, seed: int = 19) -> None:
        self._slaves, self._gateway = PtyPair(), PtyPair()
        self.slave_side, self.gateway_side = self._slaves.a, self._gateway.b
        self.noisy = False
        self.mangled = 0
        self.spoilt_at: list[float] = []  # when each spoilt answer passed (Unix s)
        self._rng = random.Random(seed)
        # the relay's own ends of the two cables, raw
        self._to_slaves = os.open(self._slaves.b, os.O_RDWR | os.O_NOCTTY)
        self._to_gateway = os.open(self._gateway.a, os.O_RDWR | os.O_NOCTTY)
        for fd in (self._to_slaves, self._to_gateway):
            tty.setraw(fd)
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._relay, name="noisy-line", daemon=True)
        self._thread.start()

    def _mangle(self, frame: bytes) -> bytes:
        if self._rng.random() < 0.5:
            return frame
        how = MANGLERS[self.mangled % len(MANGLERS)]
        self.mangled += 1
        self.spoilt_at.append(time.time())
        if how == "flip":
            middle = len(frame) // 2
            return frame[:middle] + bytes([frame[middle] ^ 0xFF]) + frame[middle + 1 :]
        if how == "truncate":
            return frame[: len(frame) // 2]
        return self._rng.randbytes(len(frame))

    def _relay(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._to_slaves, selectors.EVENT_READ)
        sel.register(self._to_gateway, selectors.EVENT_READ)
        sel.register(self._wake_r, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in sel.select():
                    if key.fd == self._wake_r:
                        return
                    try:
                        data = os.read(key.fd, 4096)
                    except OSError:
                        continue
                    if key.fd == self._to_slaves:  # an answer, on its way to the gateway
                        os.write(self._to_gateway, self._mangle(data) if self.noisy else data)
                    else:
                        os.write(self._to_slaves, data)
        finally:
            sel.close()

    def close(self) -> None:
        """Stop the relay and close both cables."""
        os.write(self._wake_w, b"x")
        self._thread.join(5)
        for fd in (self._to_slaves, self._to_gateway, self._wake_r, self._wake_w):
            os.close(fd)
        self._slaves.close()
        self._gateway.close()

    def __enter__(self) -> NoisyLine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
