"""Readings summaries for the regulator (issue #6): the readings a reviewer sees around a hazard.

Every ``summary_every_s`` the sender of a regulator uplink (default protocol) reads the local store
for the closed minutes after its cursor and sends one value per (device, point, metric) and minute
to ``POST {base_url}/api/v1/readings``, signed like every gateway request. Only the canonical numeric
metrics the device kinds declare summarised are sent (contract/kinds/, ``Metric.summary``), which also says which
reading stands for a minute.

Nothing is queued twice: the local store already keeps every reading for more than 30 days, so the
state is a cursor per uplink ("summarised up to T"), kept with the other uplinks' read positions
(gateway/uplinks/positions.py), besides the late minutes' marks below. The cursor moves past a chunk
only once the regulator took it (2xx), or refused that very chunk (a 4xx such as 422: it would never be
accepted, so it is skipped with an error naming the regulator's reason). A network error, a 5xx, 401,
404, 408, 413 or 429 leaves it where it is and the chunk is tried again with backoff. After an outage the sender catches up in
order, a chunk at a time (at most ``MAX_READINGS`` readings, at most an hour of minutes), at most
one chunk a second: it is a task of its own beside the outbox, so alerts never wait behind it.

Readings that reach the store after their minute was summarised (a deep-pit data acquisition unit
uploading its own buffer after a 4G outage, a Modbus or MQTT backfill) are summarised too. The store
marks each such (series, minute) durably, in the transaction that commits the readings (one mark per
minute and uplink, however many readings: gateway/store/local.py, ``late_minutes``); after this machine's
clock was set back, it marks every reading until the clock passes the time it read before. Each catch-up
first sends the marked minutes before the cursor again, re-summarised from every reading the minute now
holds, in chunks under the same limits, and removes their marks only once the regulator took them (2xx)
or refused them for good (4xx, as above); a failure keeps them for the next try, a restart finds them in
the store. Marks of minutes at or after the cursor are dropped: the catch-up has not read those minutes
yet and will read them with the late readings in. The regulator keeps one value per series and minute,
so a minute sent again replaces the value it had (a late reading may have moved the minute's peak), and
a chunk sent twice after a lost answer is kept once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import httpx

from contract.config.uplinks import RegulatorUplink
from contract.kinds import registry
from contract.kinds.kind import Pick
from contract.wire import READINGS_PATH
from gateway.store.local_query import LateMark, MinuteValue, SeriesInfo
from gateway.uplinks.periodic import Failures, UplinkRetry, regulator_said, run_periodically
from gateway.uplinks.positions import ReadPositions
from gateway.uplinks.signed_request import signed_request

log = logging.getLogger(__name__)

# Which reading stands for a minute, per metric, is each kind's declaration (contract/kinds/, Metric.summary): a
# summary exists for the reviewer to see how close the site came to a limit, so a metric judged against a
# limit sends the reading nearest to it (max, min, or the peak farthest from zero with its sign), a
# position or slow state the minute's last reading (it explains the peaks: where the hook was)
MAX_READINGS = 10_000  # ReadingsSummary's limit per request (contract/wire.py)
WINDOW_MAX_S = (
    3600.0  # one query reads at most an hour: a day of catch-up is 24 bounded queries, not one scan
)
SETTLE_S = (
    60.0  # a minute is summarised a minute after it ended: the store commits every <= 10 s, drivers lag
)
# (the store marks a reading late when its minute ended LATE_AFTER_S before its commit: less than SETTLE_S, so
# every minute this module may already have read is among those marked; tests/uplinks/test_summaries.py)
FIRST_LOOKBACK_S = 3600.0  # a new uplink starts an hour back, not at the store's 30 days
CATCH_UP_PAUSE_S = 1.0  # between chunks while catching up: one chunk a second caps the load on both sides
FIXED_ELSEWHERE = frozenset({404, 413})  # refusals a setting or the regulator's side will fix: kept, retried


def closed_until(now: float) -> float:
    """The end of the last minute that may be summarised at ``now`` (a minute boundary)."""
    return math.floor((now - SETTLE_S) / 60) * 60


def cursor_key(uplink: str) -> str:
    """The summaries' cursor name among the read positions: the ':' no uplink name may hold keeps it apart from
    the feedback cursor kept under the uplink's own name."""
    return f"summaries:{uplink}"


def wire(v: MinuteValue) -> dict[str, Any]:
    """One SummaryReading as the regulator reads it."""
    return {
        "device": v.device,
        "point": v.point,
        "metric": v.metric,
        "ts": v.ts,
        "value": v.value,
        "unit": v.unit,
    }


class MinuteReader(Protocol):
    """What the sender reads of the local store (its HistoryReader): minutes' values and late marks."""

    def minute_values(self, picks: Mapping[str, Pick], start: float, end: float) -> list[MinuteValue]: ...

    def late_minutes(
        self, picks: Mapping[str, Pick], uplink: str, before: float, limit: int
    ) -> tuple[list[LateMark], list[MinuteValue]]: ...

    def series(self) -> list[SeriesInfo]: ...


class LateMarks(Protocol):
    """What the sender changes in the local store (its LocalStore): the late marks it has sent."""

    @property
    def late_for(self) -> tuple[str, ...]: ...

    def forget_late(
        self, uplink: str, marks: Sequence[LateMark], from_minute: int | None = None, timeout: float = 30.0
    ) -> int: ...


def check_marked(uplink: str, marks: LateMarks) -> None:
    """Warn when the local store does not mark late minutes for ``uplink``: a wiring mistake, not a site's, that
    would leave readings arriving after their minute was sent unsent."""
    if uplink not in marks.late_for:
        log.warning(
            "uplink %r: the local store does not mark late minutes for it; readings that arrive after their "
            "minute was sent will not be sent",
            uplink,
        )


class SummarySender:
    """Sends one regulator uplink's readings summaries from the local store, after a durable cursor."""

    def __init__(
        self,
        cfg: RegulatorUplink,
        project: str,
        reader: MinuteReader,
        marks: LateMarks,
        positions: ReadPositions,
    ) -> None:
        self._cfg = cfg
        self._project = project
        self._reader = reader
        self._marks = marks
        self._positions = positions
        check_marked(cfg.name, marks)
        self._key = cursor_key(cfg.name)
        self._url = httpx.URL(cfg.base_url.rstrip("/") + READINGS_PATH)
        self._others_logged = False
        self._failures = Failures()  # tries in a row that the regulator did not take

    async def catch_up(self, client: httpx.AsyncClient) -> int:
        """Send every closed minute after the cursor, oldest first, a chunk at a time; the readings the
        regulator took. Raises UplinkRetry (the cursor stays at the chunk not taken)."""
        start = await asyncio.to_thread(self._start)
        taken = await self._send_late(client, start)
        end = closed_until(time.time())
        window = await asyncio.to_thread(self._window_s)
        while start < end:
            stop = min(end, start + window)
            values = await asyncio.to_thread(
                self._reader.minute_values, registry.summary_picks(), start, stop
            )
            if not values:
                await asyncio.to_thread(self._positions.advance, self._key, int(stop))
            else:
                step = asyncio.ensure_future(self._deliver(client, values, start, stop))
                try:
                    taken += await asyncio.shield(step)
                except asyncio.CancelledError:
                    # the regulator may have stored the chunk already: wait for its answer and the cursor, so a
                    # restart neither repeats nor loses it
                    await asyncio.wait({step}, timeout=self._cfg.timeout_s + 5)
                    if step.done() and not step.cancelled():
                        step.exception()  # seen here: a chunk not taken is tried again by the next run
                    else:
                        step.cancel()
                    raise
            start = stop
            if values and start < end:
                await asyncio.sleep(CATCH_UP_PAUSE_S)
        return taken

    async def _send_late(self, client: httpx.AsyncClient, cursor: float) -> int:
        """Send again the marked minutes before ``cursor`` (oldest first, a chunk at a time) and remove their
        marks once the regulator answered for good; the readings it took. Raises UplinkRetry (the marks stay).

        A stop while a chunk is on its way leaves its marks: the next run sends those minutes again, which the
        regulator keeps once (a minute's value replaces the one it had)."""
        name = self._cfg.name
        # the catch-up after this reads the minutes from the cursor on, late readings included
        await asyncio.to_thread(self._marks.forget_late, name, (), int(cursor))
        taken = sent = first = last = 0
        while True:
            marks, values = await asyncio.to_thread(
                self._reader.late_minutes, registry.summary_picks(), name, cursor, MAX_READINGS
            )
            if not marks:
                break
            # one value per mark at most, so a chunk of marks fits one request
            if values and await self._post(client, values):
                taken += len(values)
            await asyncio.to_thread(self._marks.forget_late, name, marks)
            self._answered()
            if not sent:
                first = marks[0].minute
            last = marks[-1].minute
            sent += len(marks)
            if len(marks) < MAX_READINGS:  # the rest (marked meanwhile) waits for the next catch-up
                break
            await asyncio.sleep(CATCH_UP_PAUSE_S)
        if sent:
            log.info(
                "uplink %r: %d minutes of %s to %s that got readings after they were summarised sent again "
                "(%d readings summaries taken)",
                name,
                sent,
                _at(first),
                _at(last + 60),
                taken,
            )
        return taken

    def _answered(self) -> None:
        """The regulator answered a chunk for good: say so at the first one after failures, not after a long
        catch-up."""
        if self._failures.count:
            log.info(
                "uplink %r: the regulator takes readings summaries again after %d failed tries",
                self._cfg.name,
                self._failures.count,
            )
            self._failures.count = 0

    async def _deliver(
        self, client: httpx.AsyncClient, values: Sequence[MinuteValue], start: float, stop: float
    ) -> int:
        """Post the minutes [start, stop) and move the cursor to ``stop``; the readings taken."""
        taken = 0
        # more parts only when one minute holds more series than a request may carry (over 10,000 series)
        for i in range(0, len(values), MAX_READINGS):
            part = values[i : i + MAX_READINGS]
            if await self._post(client, part):
                taken += len(part)
        await asyncio.to_thread(self._positions.advance, self._key, int(stop))
        self._answered()
        if taken:
            log.debug(
                "uplink %r: %d readings summaries of %s to %s taken",
                self._cfg.name,
                taken,
                _at(start),
                _at(stop),
            )
        return taken

    async def _post(self, client: httpx.AsyncClient, part: Sequence[MinuteValue]) -> bool:
        """One signed POST; True taken, False refused for good (logged); UplinkRetry otherwise."""
        cfg = self._cfg
        body = await asyncio.to_thread(self._body, part)
        r = await signed_request(client, cfg, self._project, self._url, body, "readings summaries")
        if r.is_success:
            return True
        said = regulator_said(r)
        if r.status_code in FIXED_ELSEWHERE:
            raise UplinkRetry(_retry_message(cfg, r.status_code, said), refused=True)
        first, last = part[0], part[-1]
        log.error(
            "uplink %r: the regulator refused the readings summaries of %s to %s (HTTP %d: %s); these %d "
            "readings are skipped, as the regulator will never take them",
            cfg.name,
            _at(first.minute),
            _at(last.minute + 60),
            r.status_code,
            said,
            len(part),
        )
        return False

    def _body(self, part: Sequence[MinuteValue]) -> bytes:
        return json.dumps(
            {"project": self._project, "readings": [wire(v) for v in part]}, ensure_ascii=False
        ).encode()

    def _start(self) -> float:
        """The cursor; a new uplink's is set an hour back and kept, so a restart before its first chunk
        misses nothing."""
        after = self._positions.get(self._key)
        if after:
            return float(after)
        first = math.floor((time.time() - FIRST_LOOKBACK_S) / 60) * 60
        self._positions.advance(self._key, first)
        log.info(
            "uplink %r: readings summaries start at %s (a new uplink starts an hour back)",
            self._cfg.name,
            _at(first),
        )
        return float(first)

    def _window_s(self) -> float:
        """Seconds of minutes per query, so one window's summaries fit one request (at least a minute)."""
        series = self._reader.series()
        picks = registry.summary_picks()
        ours = sum(s.metric in picks for s in series)
        if not self._others_logged:
            others = Counter(s.metric for s in series if s.metric not in picks)
            if others:
                log.debug(
                    "uplink %r: %d series of metrics outside the regulator's summary metrics are not "
                    "summarised (%s)",
                    self._cfg.name,
                    sum(others.values()),
                    ", ".join(f"{m} x{n}" for m, n in sorted(others.items())),
                )
            self._others_logged = True
        return min(WINDOW_MAX_S, max(1, MAX_READINGS // max(ours, 1)) * 60.0)

    async def run(self) -> None:
        """Catch up every ``summary_every_s`` until cancelled; after a failure, back off and try the same chunk
        again."""
        await run_periodically(
            self._cfg, self._cfg.summary_every_s, self.catch_up, self._failures, log, "summarising readings"
        )


def _at(ts: float) -> str:
    """A minute boundary as the site's logs show it (the gateway's local time)."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _retry_message(cfg: RegulatorUplink, status: int, said: str) -> str:
    """What a refusal that a change elsewhere will fix (404, 413) means for the site, and what to change."""
    head = f"uplink {cfg.name!r}: the regulator answered readings summaries with HTTP {status}: {said}"
    if status == 404:
        return (
            f"{head}; {cfg.base_url} has no {READINGS_PATH}: upgrade the regulator, or set summary_every_s: 0"
        )
    return f"{head}; a proxy in front of the regulator limits request bodies: allow at least 2 MB"
