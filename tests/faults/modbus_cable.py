"""The Ethernet cable between the gateway and a Modbus TCP device, pulled out in the middle of an answer
and plugged back: a TCP relay on 127.0.0.1 in front of the real simulator.

A stand-in for what cannot be done here (pulling a real cable); what it does is what an unplugged
cable does on the wire, not anything sitegw says:

- plugged: every byte relayed both ways;
- :meth:`unplug`: the next answer the device sends is cut after half its bytes, and from then on
  nothing passes either way: open connections stay open and silent (no FIN, no RST: the far end
  is gone), and a new connection reaches nothing (it is accepted, as by the converter's switch
  port, and then silent, so the gateway's probe ends in its own timeout);
- :meth:`plug`: the silent connections are closed (the device, powered through the cut, has forgotten
  them) and new connections reach the device again.

The relay notes every connection the gateway opens (``connects``, monotonic times), so the test can
see the gateway back off, and how many answers it cut (``cut``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from tests.faults.relay_loop import RelayLoop


class UnpluggableCable(RelayLoop):
    """Relay ``port`` to the device at ``upstream`` on 127.0.0.1."""

    def __init__(self, port: int, upstream: int) -> None:
        super().__init__("modbus-cable")
        self.port, self.upstream = port, upstream
        self.plugged = True
        self.cut = 0  # answers cut half-way
        self.connects: list[float] = []  # when the gateway opened a connection (monotonic)
        self._cut_next = False
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def __enter__(self) -> UnpluggableCable:
        self._start_loop()
        self._call(self._listen())
        return self

    def __exit__(self, *_: object) -> None:
        self._call(self._close_all(stop=True))
        self._stop_loop()

    def unplug(self) -> None:
        """Cut the next answer half-way, then let nothing through (returns once the cut happened)."""
        self._cut_next = True
        deadline = time.monotonic() + 10
        while self.plugged:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer passed the cable within 10 s: nothing to cut")
            time.sleep(0.005)

    def plug(self) -> None:
        """Close the silent connections; new ones reach the device again."""
        self._call(self._close_all(stop=False))
        self.plugged = True

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _close_all(self, stop: bool) -> None:
        if stop and self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._cancel_tasks()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connects.append(time.monotonic())
        self._writers.add(writer)
        if not self.plugged:
            self._spawn(self._swallow(reader))  # the far end is gone: nothing is answered
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            writer.close()
            return
        self._writers.add(up_writer)
        self._spawn(self._pipe(reader, up_writer, answers=False))
        self._spawn(self._pipe(up_reader, writer, answers=True))

    @staticmethod
    async def _swallow(reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, answers: bool) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await src.read(65536):
                if answers and self._cut_next:
                    self._cut_next = False
                    dst.write(data[: len(data) // 2])
                    self.cut += 1
                    self.plugged = False
                if not self.plugged:
                    continue  # unplugged: bytes go nowhere, the connection stays open
                dst.write(data)
                await dst.drain()
