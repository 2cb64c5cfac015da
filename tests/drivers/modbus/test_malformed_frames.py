"""A Modbus TCP device answering malformed frames and wrong transaction ids (issue #19).

The device is a stand-in on purpose: no real server (pymodbus' included) can be made to break the
protocol on cue. It is a raw asyncio TCP server written from the Modbus/TCP specification (Modbus
Messaging on TCP/IP Implementation Guide v1.0b, 3.1.3: the MBAP header is transaction id (2 bytes),
protocol id (2, always 0), length (2, the bytes that follow: unit id + PDU) and unit id (1); Modbus
Application Protocol v1.1b3, 6.3: FC03 answers function code, byte count (2 × N) and N registers,
big-endian; 7: an exception answer is function code + 0x80 and one exception code), never from
our own code. It answers correctly, then each kind of bad frame for a while, then correctly again.

Every bad answer carries registers whose value the device never measured (0xDEAD): the driver must
never publish them. It reports each failure, marks the device offline, and publishes the right
values again, online, as soon as the device answers right.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Iterator

import pytest

from contract.bus import Bus
from contract.config import LoadedSite
from contract.config.profile import Profile
from drivers.modbus import ModbusDriver
from tests.drivers.modbus.conftest import Recorder, wait_until, with_profiles
from tests.drivers.modbus.test_tcp import tcp_crane
from tests.support import free_port

GOOD = [1234, 2140]  # load 12.34 t, radius 21.40 m with the scale 0.01 of the profile below
POISON = [0xDEAD, 0xBEEF]
PROFILE = Profile.model_validate(
    {
        "name": "fuzz_box",
        "kind": "crane",
        "modbus": {
            "values": [
                {"metric": "load_t", "address": 0, "type": "uint16", "scale": 0.01},
                {"metric": "radius_m", "address": 1, "type": "uint16", "scale": 0.01},
            ]
        },
    }
)
# each bad kind of answer, served for two requests in a row
BAD_KINDS = [
    "wrong transaction id",
    "transaction id 0",
    "stale answer first",
    "protocol id not 0",
    "length longer than the frame",
    "byte count not 2 x registers",
    "fewer registers than asked",
    "more registers than asked",
    "truncated frame",
    "other function code",
    "other unit id",
    "exception without its code",
    "silence",
    "garbage bytes",
]


def mbap(tid: int, unit: int, pdu: bytes, protocol: int = 0, length: int | None = None) -> bytes:
    """The MBAP header (guide 3.1.3) followed by the PDU."""
    return struct.pack(">HHHB", tid, protocol, len(pdu) + 1 if length is None else length, unit) + pdu


def fc03(registers: list[int], byte_count: int | None = None, function: int = 3) -> bytes:
    """A read-holding-registers answer PDU (application protocol 6.3)."""
    count = 2 * len(registers) if byte_count is None else byte_count
    return struct.pack(f">BB{len(registers)}H", function, count, *registers)


def answer(kind: str, tid: int, unit: int, count: int) -> bytes:
    """The bytes the device sends for one request, by kind."""
    poison = (POISON * count)[:count]
    if kind == "good":
        return mbap(tid, unit, fc03(GOOD[:count]))
    frames = {
        "wrong transaction id": mbap((tid + 1) & 0xFFFF, unit, fc03(poison)),
        "transaction id 0": mbap(0, unit, fc03(poison)),  # pymodbus reads 0 as "any request"
        # an answer to an earlier request (a slow gateway flushing its queue), then the right one
        "stale answer first": mbap((tid - 1) & 0xFFFF, unit, fc03(poison))
        + mbap(tid, unit, fc03(GOOD[:count])),
        "protocol id not 0": mbap(tid, unit, fc03(poison), protocol=7),
        "length longer than the frame": mbap(tid, unit, fc03(poison), length=200),
        "byte count not 2 x registers": mbap(tid, unit, fc03(poison, byte_count=2 * count + 3)),
        "fewer registers than asked": mbap(tid, unit, fc03(poison[:-1])),
        "more registers than asked": mbap(tid, unit, fc03([*poison, 0xDEAD, 0xDEAD])),
        "truncated frame": mbap(tid, unit, fc03(poison))[:9],
        "other function code": mbap(tid, unit, fc03(poison, function=4)),
        "other unit id": mbap(tid, (unit + 1) & 0xFF, fc03(poison)),
        "exception without its code": mbap(tid, unit, bytes([0x83])),
        "silence": b"",
        "garbage bytes": b"\xde\xad\xbe\xef" * 5,
    }
    return frames[kind]


class RawModbusDevice:
    """One Modbus/TCP device on a free port that serves answers from ``script``, then good ones."""

    def __init__(self, script: Iterator[str]) -> None:
        self.port = free_port()
        self.script = script
        self.served: list[str] = []
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> RawModbusDevice:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        for writer in self._writers:  # the driver's connection ends; its handler sees the end of stream
            writer.close()
        self._server.close()
        await self._server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        try:
            while True:
                header = await reader.readexactly(7)
                tid, _protocol, length, unit = struct.unpack(">HHHB", header)
                pdu = await reader.readexactly(length - 1)
                _function, _address, count = struct.unpack(">BHH", pdu[:5])
                kind = next(self.script, "good")
                self.served.append(kind)
                writer.write(answer(kind, tid, unit, count))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_bad_frames_are_never_published_and_the_device_recovers(
    site: LoadedSite, bus_recorder: tuple[Bus, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    bus, rec = bus_recorder
    script = iter(["good"] * 3 + [kind for kind in BAD_KINDS for _ in range(2)])
    async with RawModbusDevice(script) as device:
        crane = tcp_crane(site, "crane-1", device.port, profile="fuzz_box")
        driver = ModbusDriver(with_profiles(site, fuzz_box=PROFILE), bus, [crane])
        with caplog.at_level(logging.INFO):
            await driver.start()
            try:
                await wait_until(
                    lambda: len(device.served) > 3 + 2 * len(BAD_KINDS), 60, "every bad answer served"
                )
                bad_done = len(rec.readings("crane-1"))
                await wait_until(
                    lambda: len(rec.readings("crane-1")) >= bad_done + 4, 10, "good answers again"
                )
            finally:
                await driver.stop()
    values = [(r.metric, r.value) for r in rec.readings("crane-1")]
    assert set(values) == {("load_t", 12.34), ("radius_m", 21.4)}, "no value of a bad answer is published"
    statuses = rec.status_of("crane-1")
    assert statuses[0] is True and False in statuses and statuses[-1] is True, statuses
    assert driver.stats()["crane-1"].errors >= len(BAD_KINDS)
    assert not any(r.exc_info for r in caplog.records), "every bad answer is reported without a traceback"
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("not a valid Modbus frame" in m for m in messages), messages
    assert any("crane-1" in m and "offline" in m for m in messages), messages
