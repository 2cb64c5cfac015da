"""Per-minute tower-crane records for the platforms that want a crane's readings as records of their own
(Shenzhen 工务署 ``/crane/addRecord``, Chongqing), beside the alert events the outbox sends them.

Every ``records_every_s`` the sender reads the closed minutes after its cursor from the local store, with the
same pick per metric as the default protocol's readings summaries (gateway/uplinks/summaries.py: the peak
load, moment and wind, the last radius, height and slew), makes one `CraneMinute` per crane and minute, and
hands each to the dialect's adapter (`RecordSink`). The cursor (kept in the alert database, like the
summaries' one) moves past a minute once every crane's record of it was taken, or refused for good (logged
with the platform's reason: the same record would be refused again) after the platform took a record in
this run; a refusal before any was taken is a setting's fault (a wrong key or secret refuses every record
alike), so the records wait, retried with backoff and logged as an error, until the setting is fixed. A
network error or an answer that may change (5xx, 429, a token refused) stops the catch-up there; it goes on
from that minute after a backoff. Records of one minute already taken are not sent again in the same run; a
stop while a record is on its way, or between two cranes of one minute, sends that record again after the
restart (each platform's record carries its crane and time, so it can tell). A new uplink starts an hour
back, as the summaries do.

Backfill (补传): a record sent more than ``SETTLE_S + records_every_s + backfill_after_s`` after its minute
ended (a catch-up after an outage or a stop) is flagged so; its time is the gateway's own clock.

Readings that reach the store after their minute was sent (a crane box uploading its own buffer after a 4G
outage) are sent too, as the summaries do (gateway/uplinks/summaries.py): the store marks each such (series,
minute) durably for this uplink, and each catch-up first sends the record of every crane a marked minute
before the cursor concerns again, made from every reading the minute now holds and flagged backfill, then
removes the marks; a failure keeps them for the next try, a restart finds them in the store. The platform
gets a second record of that crane and minute, the late readings in it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

from contract.config.device import DeviceConfig
from contract.config.uplinks import CraneRecordsUplink
from contract.kinds import registry
from contract.kinds.anemometer import AnemometerDevice
from contract.kinds.kind import Pick
from gateway.store.local_query import MinuteValue
from gateway.uplinks.base import PermanentFailure, TransientFailure
from gateway.uplinks.crane_fields import CRANE_METRICS
from gateway.uplinks.periodic import Failures, UplinkRetry, run_periodically
from gateway.uplinks.positions import ReadPositions
from gateway.uplinks.summaries import (
    FIRST_LOOKBACK_S,
    SETTLE_S,
    WINDOW_MAX_S,
    LateMarks,
    MinuteReader,
    check_marked,
    closed_until,
)

log = logging.getLogger(__name__)

CRANE_PICKS: dict[str, Pick] = {m: registry.summary_picks()[m] for m in CRANE_METRICS}


@dataclass(frozen=True, slots=True)
class CraneMinute:
    """One crane's values standing for one closed minute (``minute``: its start, Unix seconds); ``ts`` is the
    latest reading among them."""

    device: str
    minute: float
    ts: float
    values: Mapping[str, float]

    def get(self, metric: str) -> float | None:
        """The minute's value of ``metric``, or None when the crane sent none."""
        return self.values.get(metric)

    def load_pct(self) -> float | None:
        """The minute's peak load as a percentage of its last rated load (the rated load follows the radius;
        None without both). The peak moment percentage is the exact figure where the crane sends one."""
        load, rated = self.get("load_t"), self.get("rated_load_t")
        return round(100 * load / rated, 1) if load is not None and rated else None


def crane_sources(devices: Iterable[DeviceConfig]) -> dict[str, tuple[str, ...]]:
    """Which cranes each device's readings describe: a crane itself, an anemometer the cranes it serves."""
    sources: dict[str, tuple[str, ...]] = {}
    for d in devices:
        if d.kind == "crane":
            sources[d.id] = (*sources.get(d.id, ()), d.id)
        elif isinstance(d, AnemometerDevice):
            for crane in d.serves:
                sources[d.id] = (*sources.get(d.id, ()), crane)
    return sources


def crane_minutes(values: Iterable[MinuteValue], sources: Mapping[str, Collection[str]]) -> list[CraneMinute]:
    """Group the store's minute values into one record per crane and minute, oldest minute first.

    ``sources`` says which cranes a device's values belong to (`crane_sources`); where two devices give one
    crane's wind (its own box and an anemometer), the stronger is kept."""
    grouped: dict[tuple[float, str], dict[str, float]] = {}
    latest: dict[tuple[float, str], float] = {}
    for v in values:
        for crane in sources.get(v.device, ()):
            if crane != v.device and v.metric != "wind_ms":
                continue  # an anemometer's reading is wind only
            key = (v.minute, crane)
            row = grouped.setdefault(key, {})
            row[v.metric] = (
                max(row[v.metric], v.value) if v.metric == "wind_ms" and v.metric in row else v.value
            )
            latest[key] = max(latest.get(key, v.ts), v.ts)
    return [CraneMinute(d, m, latest[(m, d)], vals) for (m, d), vals in sorted(grouped.items())]


class RecordSink(Protocol):
    """A dialect's adapter as the sender sees it: one crane minute, delivered or a DeliveryFailure."""

    name: str

    async def send_record(self, record: CraneMinute, backfill: bool) -> None: ...

    async def close(self) -> None: ...


MAX_LATE_MARKS = 10_000  # late marks read at once: a day's minutes of a few cranes' metrics


def records_cursor_key(uplink: str) -> str:
    """The cursor's name among the read positions (the ':' keeps it apart from every other cursor)."""
    return f"records:{uplink}"


class CraneRecordSender:
    """Sends one uplink's per-minute crane records from the local store, after a durable cursor."""

    def __init__(
        self,
        cfg: CraneRecordsUplink,
        sink: RecordSink,
        reader: MinuteReader,
        marks: LateMarks,
        positions: ReadPositions,
        sources: Mapping[str, Collection[str]],
        backfill_after_s: float,
    ) -> None:
        self._cfg = cfg
        self._sink = sink
        self._reader = reader
        self._marks = marks
        check_marked(cfg.name, marks)
        self._positions = positions
        self._sources = sources
        self._late_after_s = SETTLE_S + cfg.records_every_s + backfill_after_s
        self._key = records_cursor_key(cfg.name)
        self._taken: set[tuple[float, str]] = set()  # records of the minute at the cursor already taken
        self._failures = Failures()
        self._platform_took_one = False  # a refusal before any record was taken is a setting, not a record

    async def catch_up(self, _client: httpx.AsyncClient | None = None) -> int:
        """Send every closed minute after the cursor, oldest first; the records taken. Raises UplinkRetry
        (the cursor stays at the minute not fully taken)."""
        start = await asyncio.to_thread(self._start)
        taken = await self._send_late(start)
        end = closed_until(time.time())
        while start < end:
            stop = min(end, start + WINDOW_MAX_S)
            values = await asyncio.to_thread(self._reader.minute_values, CRANE_PICKS, start, stop)
            by_minute: dict[float, list[CraneMinute]] = {}
            for record in crane_minutes(values, self._sources):
                by_minute.setdefault(record.minute, []).append(record)
            for minute, records in by_minute.items():
                taken += await self._send_minute(records)
                await asyncio.to_thread(self._positions.advance, self._key, int(minute + 60))
                self._taken.clear()
            await asyncio.to_thread(self._positions.advance, self._key, int(stop))
            start = stop
        return taken

    async def _send_late(self, cursor: float) -> int:
        """Send again the record of each crane that a marked minute before ``cursor`` concerns (oldest first)
        and remove the marks; the records taken. Raises UplinkRetry (the marks not yet sent stay)."""
        name = self._cfg.name
        # the catch-up after this reads the minutes from the cursor on, late readings included
        await asyncio.to_thread(self._marks.forget_late, name, (), int(cursor))
        taken = 0
        while True:
            marks, values = await asyncio.to_thread(
                self._reader.late_minutes, CRANE_PICKS, name, cursor, MAX_LATE_MARKS
            )
            if not marks:
                return taken
            cranes: dict[
                float, set[str]
            ] = {}  # a marked minute -> the cranes its late crane readings concern
            for v in values:
                cranes.setdefault(v.minute, set()).update(self._sources.get(v.device, ()))
            for minute in sorted(cranes):
                every = await asyncio.to_thread(self._reader.minute_values, CRANE_PICKS, minute, minute + 60)
                records = [r for r in crane_minutes(every, self._sources) if r.device in cranes[minute]]
                taken += await self._send_minute(records, backfill=True)
                self._taken.clear()
            await asyncio.to_thread(self._marks.forget_late, name, marks)
            log.info(
                "uplink %r: crane records of %d minutes that got readings after they were sent, sent again",
                name,
                len(cranes),
            )
            if len(marks) < MAX_LATE_MARKS:  # the rest (marked meanwhile) waits for the next catch-up
                return taken

    async def _send_minute(self, records: list[CraneMinute], backfill: bool | None = None) -> int:
        """Send each record not yet taken (``backfill`` None: flagged when sent late, by the clock)."""
        taken = 0
        for record in records:
            if (record.minute, record.device) in self._taken:
                continue
            late = time.time() - (record.minute + 60) > self._late_after_s if backfill is None else backfill
            try:
                await self._sink.send_record(record, late)
            except TransientFailure as exc:
                raise UplinkRetry(
                    f"uplink {self._cfg.name!r}: crane record of {record.device} at {_at(record.minute)} "
                    f"not taken ({exc.detail}); retrying",
                    refused=False,
                ) from exc
            except PermanentFailure as exc:
                if not self._platform_took_one:
                    # nothing taken yet: a wrong key, secret or code refuses every record alike, and skipping
                    # them would lose them all; the records wait until the setting is fixed
                    raise UplinkRetry(
                        f"uplink {self._cfg.name!r}: the platform refused the first crane record "
                        f"({exc.detail}); check the uplink's keys, secret and codes; retrying",
                        refused=True,
                    ) from exc
                log.error(
                    "uplink %r: the platform refused the crane record of %s at %s (%s); skipped, as it "
                    "would be refused again",
                    self._cfg.name,
                    record.device,
                    _at(record.minute),
                    exc.detail,
                )
            else:
                taken += 1
                self._platform_took_one = True
            self._taken.add((record.minute, record.device))
        return taken

    def _start(self) -> float:
        """The cursor; a new uplink's starts an hour back, kept at once so a restart misses nothing."""
        after = self._positions.get(self._key)
        if after:
            return float(after)
        first = math.floor((time.time() - FIRST_LOOKBACK_S) / 60) * 60
        self._positions.advance(self._key, first)
        return float(first)

    async def run(self) -> None:
        """Catch up every ``records_every_s`` until cancelled; after a failure, back off and go on from the
        minute not taken."""
        await run_periodically(
            self._cfg,
            self._cfg.records_every_s,
            self.catch_up,
            self._failures,
            log,
            "sending crane records",
            on_cleared=lambda n: log.info(
                "uplink %r: the platform takes crane records again after %d failed tries", self._cfg.name, n
            ),
        )


def _at(ts: float) -> str:
    """A minute as the site's logs show it (the gateway's local time)."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))
