"""Upload a data logger's record store (the readings it buffered through an outage) over Modbus.

A logger or DAU that lost its uplink keeps recording; when the gateway reaches it again, its backlog
comes through here, a window of records at a time, beside the live polling of the same device (the
link's lock interleaves the two). The register layout is the profile's ``modbus.history``
(contract/config/profile.py, :class:`HistoryMap`). Each round:

1. wait while ``may_take()`` says no: the gateway's answer to its MQTT intake too (sitegw/runtime.py),
   false while the local store or the InfluxDB sink is behind, so the backlog waits in the logger, not in
   the gateway, and the gateway holds at most one window of it whatever its size;
2. read the status block (oldest pending sequence number, records pending) and, if any is pending, the
   window (up to ``window_records`` records, in as many reads as the 125-register limit needs);
3. decode each record with the live map's own decoder (drivers/modbus/decode.py) and publish its values
   as ``backfill`` readings stamped with the record's time, so the rules take them as history (each
   kind's judge decides what of it to judge: the pit's keeps readings older than its last one unjudged);
4. wait until ``committed()`` says the local store has committed them (a durable SQLite commit), and
   only then write the acknowledgement: the highest sequence number in the window (its last record's,
   unless the store is out of order).

Nothing lost: a gateway that dies before the acknowledgement leaves the records in the logger, which
sends them again. Nothing twice: the local store keeps one reading per (device, point, metric, ts)
(gateway/store/local_schema.py), so a window sent again is counted as duplicates, not stored again
(InfluxDB, too, keeps one point per series and time).
That key rather than the record's sequence number: it needs no state of its own in the gateway, and it
still holds when a logger's counter restarts (a reset, a new firmware), where sequence numbers repeat.

A record that cannot be taken (its timestamp not a time, its sequence number not after the one before
it in the window) is refused: counted (``refused['history_record']`` of the device's counters, in
/metrics), logged once per kind with the device, the register and the fix, and acknowledged with its
window, so one bad record never stalls the upload nor holds back the good records around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from contract.bus import Bus
from contract.config.device import DeviceConfig
from contract.config.profile import DataType, HistoryMap, ModbusMap, Order, RegisterValue
from contract.readings import Quality, Reading
from drivers.base import DeviceStats
from drivers.modbus.decode import DecodeError, RequestDecoder, decode_value, encode_value
from drivers.modbus.errlog import OncePerKind
from drivers.modbus.link import Link, LinkError
from drivers.modbus.plan import MAX_REGISTERS, Request

log = logging.getLogger(__name__)

EARLIEST_TS = 946_684_800.0  # 2000-01-01 UTC: a record stamped before it comes from a clock never set
FUTURE_S = 86_400.0  # a record stamped more than a day ahead of the gateway's clock is not a time either
HOLD_S = 0.05  # how often to ask again while the gateway's stores are behind
NOT_COMMITTED_S = 1.0  # the wait before reading a window again that the local store did not commit
REFUSED = "history_record"  # the cause under which refused records are counted


@dataclass
class HistoryStats:
    """How far one device's record store was uploaded since start."""

    pending: int = 0  # records the logger said were pending, at the last status read
    windows: int = 0  # windows stored and acknowledged
    records: int = 0  # records acknowledged (the refused ones included)
    refused: int = 0  # records refused: a bad timestamp, or a sequence number going backwards
    not_committed: int = 0  # windows read again because the local store did not commit them in time
    last_ack: int | None = None  # the last sequence number acknowledged


class RecordLayout:
    """One record's registers (sequence number, timestamp, channels) and the decoder of one record.

    The channels are the live map's own values moved to their place in the record, so a record decodes
    exactly as a live poll of the same values does.
    """

    def __init__(self, mmap: ModbusMap) -> None:
        assert mmap.history is not None
        h = mmap.history
        self.history = h
        live = {v.metric + (f"@{v.point}" if v.point else ""): v for v in mmap.values}
        seq = RegisterValue(metric="record_seq", function=h.function, address=0, type=DataType.UINT32)
        ts = RegisterValue(
            metric="record_ts",
            function=h.function,
            address=2,
            type=h.time_type,
            scale=h.time_scale,
            offset=h.time_epoch_s,
        )
        channels, at = [], 2 + ts.words
        for name in h.channels:
            channels.append(live[name].model_copy(update={"function": h.function, "address": at}))
            at += live[name].words
        self.words = at  # registers per record
        self.channels = tuple(channels)
        self.decoder = RequestDecoder(mmap, Request(h.function, 0, at, (seq, ts, *channels)))
        self.per_read = MAX_REGISTERS // at  # whole records per read request
        # the acknowledgement and the status block are uint32 in the map's byte and word order
        self._uint32 = RegisterValue(metric="record_seq", address=h.ack_address, type=DataType.UINT32)
        self._orders: tuple[Order, Order] = (mmap.byte_order, mmap.word_order)

    def uint32_words(self, value: int) -> list[int]:
        """The two registers of a uint32 (a sequence number, an acknowledgement) in the map's orders."""
        return encode_value(self._uint32, value, *self._orders)

    def uint32(self, words: list[int]) -> int:
        """The uint32 in two registers, in the map's orders."""
        return int(decode_value(self._uint32, words, *self._orders))

    def status(self, words: list[int]) -> tuple[int, int]:
        """(oldest pending sequence number, records pending) from the four status registers."""
        return self.uint32(words[:2]), self.uint32(words[2:4])

    def reads(self, records: int) -> list[Request]:
        """The read requests of the first ``records`` records of the window, each of whole records."""
        h, out = self.history, []
        for first in range(0, records, self.per_read):
            count = min(self.per_read, records - first) * self.words
            out.append(Request(h.function, h.window_address + first * self.words, count, ()))
        return out


class HistoryReader:
    """The upload loop of one device's record store."""

    def __init__(
        self,
        device: DeviceConfig,
        mmap: ModbusMap,
        link: Link,
        unit: int,
        bus: Bus,
        project: str,
        stats: DeviceStats,
        may_take: Callable[[], bool],
        committed: Callable[[], Awaitable[bool]],
    ) -> None:
        """``stats``: the device's counters, shared with its live poller; ``may_take``: whether the gateway
        has room for more readings; ``committed``: waits until every reading published so far is committed
        to the local store, False if it was not (a timeout, a full disk)."""
        self.device = device
        self.layout = RecordLayout(mmap)
        self.link = link
        self.unit = unit
        self.bus = bus
        self.project = project
        self.stats = HistoryStats()
        self._device_stats = stats
        self._may_take = may_take
        self._committed = committed
        self._stopping = asyncio.Event()
        where = f"modbus device {device.id} ({link.description} unit {unit}) record store"
        self._errors = OncePerKind(log, where)

    @property
    def _h(self) -> HistoryMap:
        return self.layout.history

    def request_stop(self) -> None:
        """Make :meth:`run` return at its next step (a window read but not stored is read again next run)."""
        self._stopping.set()

    async def run(self) -> None:
        """Upload until cancelled or :meth:`request_stop`."""
        self._stopping.clear()
        failures = 0
        while not self._stopping.is_set():
            try:
                wait_s = await self.upload_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except LinkError as err:
                # the live poller reports the device offline; here only the upload's own retry, backing off
                failures += 1
                self._device_stats.errors += 1
                hint = (
                    f"; check the addresses of modbus.history in profile {self.device.profile}"
                    if err.kind == "exception" and err.code == 2
                    else ""
                )
                self._errors.error(("link", err.kind, None, None), f"upload paused: {err}{hint}")
                wait_s = min(self.device.backoff_max_s, self.device.poll_interval_s * 2 ** min(failures, 10))
            except Exception:  # a bug in one round must not end the upload for good
                log.exception(
                    "modbus device %s: unexpected error in the record store's upload", self.device.id
                )
                self._device_stats.errors += 1
                wait_s = self._h.idle_poll_s
            if wait_s > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), wait_s)

    async def upload_once(self) -> float:
        """One round: a window stored and acknowledged, if any is pending and the gateway has room; the
        seconds to wait before the next round."""
        if not self._may_take():
            return HOLD_S  # the stores are behind: the backlog waits in the logger
        h = self._h
        status = Request(h.function, h.status_address, 4, ())
        words = await self._read(status)
        oldest, pending = self.layout.status(cast(list[int], words))
        self.stats.pending = pending
        if pending == 0:
            return h.idle_poll_s
        records = min(pending, h.window_records)
        window: list[int] = []
        for request in self.layout.reads(records):
            window.extend(cast(list[int], await self._read(request)))
        readings, last, refused = self._decode(window, records)
        for kind, what in (
            ("sequence", "its records' sequence numbers"),
            ("timestamp", "its records' timestamps"),
        ):
            if kind not in refused:
                self._errors.clear(("refused", kind, None, None), what)
        self.bus.publish(readings)
        self._device_stats.readings += len(readings)
        if not await self._committed():
            self.stats.not_committed += 1
            self._errors.error(
                ("commit", None, None, None),
                f"the local store did not commit records {oldest}-{last} in time; they are not acknowledged "
                "and are read again (the logger keeps them)",
            )
            return NOT_COMMITTED_S
        await self.link.write(h.ack_address, self.layout.uint32_words(last), self.unit, self.device.timeout_s)
        self._device_stats.requests += 1
        self._errors.clear(("commit", None, None, None), "committing its records")
        for kind in ("connect", "timeout", "garbage", "exception"):
            self._errors.clear(("link", kind, None, None), "the upload")
        self.stats.windows += 1
        self.stats.records += records
        self.stats.last_ack = last
        return 0.0 if pending > records else h.idle_poll_s

    async def _read(self, request: Request) -> list[int] | list[bool]:
        data = await self.link.read(request, self.unit, self.device.timeout_s)
        self._device_stats.requests += 1
        self._device_stats.registers += request.count
        return data

    def _decode(self, window: list[int], records: int) -> tuple[list[Reading], int, set[str]]:
        """The backfill readings of the window's good records, the sequence number to acknowledge (the
        highest in the window: every record read, refused ones included, is done with) and the kinds of
        refusal in the window."""
        layout, h = self.layout, self._h
        size, decoder, channels = layout.words, layout.decoder, layout.channels
        project, device, backfill = self.project, self.device.id, Quality.BACKFILL
        latest = time.time() + FUTURE_S
        readings: list[Reading] = []
        previous: int | None = None
        highest = 0
        refused: set[str] = set()
        for i in range(records):
            values, _ = decoder.decode(window[i * size : (i + 1) * size])
            seq = int(values[0])  # type: ignore[arg-type]  # a uint32 always decodes
            highest = max(highest, seq)
            address = h.window_address + i * size
            if previous is not None and seq <= previous:
                refused.add("sequence")
                self._refuse(
                    "sequence",
                    f"record at {h.function.value} register {address} has sequence number {seq}, not after the "
                    f"record before it ({previous}): the logger's store is out of order (a firmware fault, or a "
                    "store reset mid-window); the record is skipped and acknowledged with its window. Fix: "
                    "update the logger's firmware or have its vendor check the store",
                )
                continue
            previous = seq
            ts = values[1]
            if isinstance(ts, str | DecodeError) or not EARLIEST_TS <= ts <= latest:
                refused.add("timestamp")
                self._refuse(
                    "timestamp",
                    f"record {seq} at {h.function.value} register {address + 2} has timestamp "
                    f"{_shown(ts)}, not a time between 2000 and tomorrow; the record is skipped and "
                    "acknowledged with its window. Fix: set the logger's clock (and check its RTC battery), "
                    f"or the profile's modbus.history time_type ({h.time_type.value}), time_scale "
                    f"({h.time_scale:g}) and time_epoch_s ({h.time_epoch_s:g})",
                )
                continue
            for rv, value in zip(channels, values[2:], strict=True):
                if isinstance(value, DecodeError):  # as the live poller does: counted, said once, skipped
                    self._device_stats.errors += 1
                    self._errors.error(
                        ("decode", None, rv.metric, rv.point),
                        f"record {seq}: {rv.metric} is not a number ({value}); the value is skipped",
                    )
                    continue
                readings.append(Reading(ts, project, device, rv.metric, value, rv.unit, backfill, rv.point))
        return readings, highest, refused

    def _refuse(self, kind: str, message: str) -> None:
        self.stats.refused += 1
        refused = self._device_stats.refused
        refused[REFUSED] = refused.get(REFUSED, 0) + 1
        self._device_stats.last_error = message
        self._errors.error(("refused", kind, None, None), message, logging.ERROR)


def _shown(ts: float | str | DecodeError) -> str:
    return str(ts) if isinstance(ts, DecodeError) else f"{ts!r} s"
