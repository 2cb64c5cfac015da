"""Readings summaries reach the regulator losslessly (issue #6, the readings around a hazard): a real gateway
(site file, local store, alert manager, outbox, regulator uplink, summary sender) against a real
`RegulatorServer` on SQLite.

Stand-ins: the site has no devices, so its readings are written into the gateway's own local store file
before the gateway starts (old timestamps, as a driver's would have been a while ago), and its alert starts
from a rule verdict (`raise_alert`, tests/uplinks/feedback_site.py). One chunk carries a reading of a device
with an empty name, which no driver makes, as the chunk the regulator refuses with 422. The restart test
reaches the regulator through `SlowLink`, a TCP relay that holds each answer back a while, standing in for
a slow network, so the gateway is stopped while the regulator has stored a chunk it has not yet answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import get_args

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from contract.config import LoadedSite, load_site
from contract.config.sinks import LocalStoreConfig
from contract.config.uplinks import RegulatorUplink
from contract.kinds import registry
from contract.kinds.kind import Pick
from contract.readings import Quality, Reading
from gateway.alerts.store import DecisionStore
from gateway.store.local import LATE_AFTER_S, LocalStore
from gateway.uplinks.positions import ReadPositions
from gateway.uplinks.summaries import SETTLE_S, closed_until, cursor_key
from plumbing.sqlite import sqlite3
from regulator.server import RegulatorServer
from tests.regulator.support import PROJECT, SECRET
from tests.support import free_port
from tests.uplinks.feedback_site import raise_alert
from tests.uplinks.test_feedback import gateway, hazards_by_alert, regulator_client, until

PERIOD_S = 0.3
LOG = "gateway.uplinks.summaries"
POINTS = 200  # pit points: 200 series x 57 minutes is more than one request's 10,000, so it takes two chunks


def site(tmp_path: Path, base_url: str) -> LoadedSite:
    """A site file with no devices and one regulator uplink sending summaries every PERIOD_S seconds."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"project: {{code: {PROJECT}}}\nuplinks:\n"
        f"  - {{type: regulator, base_url: '{base_url}', secret: {SECRET}, feedback_every_s: 0,\n"
        f"     summary_every_s: {PERIOD_S}, backoff_initial_s: 0.1, backoff_max_s: 1, timeout_s: 5}}\n"
        "api: {host: 127.0.0.1, port: 0}\n",
        encoding="utf-8",
    )
    return load_site(path)


async def stored(state: Path, readings: Iterable[Reading]) -> None:
    """Write readings into the gateway's local store file (the gateway is not running yet)."""
    store = LocalStore(state / "history.sqlite", LocalStoreConfig())
    await asyncio.to_thread(store.start)
    store.add(list(readings))
    await asyncio.to_thread(store.stop)


def this_minute() -> float:
    """The start of the current minute: each test counts its minutes back from it, once."""
    return math.floor(time.time() / 60) * 60.0


def received(server: RegulatorServer) -> list[tuple[str, str, str, float, float]]:
    """(device, point, metric, ts, value) of every summary the regulator stored, in the order it stored them."""
    with server.repo.engine.connect() as db:
        rows = db.execute(sa.text("SELECT device, point, metric, ts, value FROM readings ORDER BY id")).all()
    return [tuple(r) for r in rows]


def pit(now: float, minutes: range) -> list[Reading]:
    """Two readings per point and minute (``minutes`` back from ``now``) of wall-top horizontal displacement;
    the larger magnitude is negative."""
    out = []
    for k in minutes:
        m = now - 60 * k
        for p in range(POINTS):
            out += [
                Reading(m + 10, PROJECT, "pit-1", "disp_h_mm", 0.5 + p / 1000, "mm", point=f"P{p:03d}"),
                Reading(m + 40, PROJECT, "pit-1", "disp_h_mm", -2.0 - k / 100, "mm", point=f"P{p:03d}"),
            ]
    return out


class SlowLink:
    """A TCP relay from ``port`` to the regulator's ``upstream`` port that delays every piece of its answers."""

    LAG_S = 0.8

    def __init__(self, port: int, upstream: int) -> None:
        self._port, self._upstream = port, upstream
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen on ``port``."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self._port)

    async def stop(self) -> None:
        """Stop listening and cut the connections."""
        if self._server is not None:
            self._server.close()
        for pipe in self._pipes:
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._upstream)
        for pipe in (self._pipe(reader, up_writer, 0.0), self._pipe(up_reader, writer, self.LAG_S)):
            task = asyncio.create_task(pipe)
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, lag_s: float) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await src.read(65536):
                await asyncio.sleep(lag_s)
                dst.write(data)
                await dst.drain()
        dst.close()


# docs/design.md's canonical numeric metrics of cranes, pits, hoists and formwork that have limits, or explain
# a peak (where the hook was): what a reviewer at the regulator needs around a hazard
DESIGN_SUMMARISED = {
    "load_t", "radius_m", "height_m", "slew_deg", "wind_ms", "tilt_deg", "moment_pct", "rated_load_t",
    "trolley_speed_ms", "disp_h_mm", "disp_v_mm", "incl_mm", "axial_kn", "anchor_kn", "water_level_m",
    "settle_mm", "persons", "speed_ms", "tilt_x_deg", "tilt_y_deg", "floor",
}  # fmt: skip


def test_every_summary_metric_has_one_pick() -> None:
    picks = registry.summary_picks()  # as the kinds declare them (contract/kinds/)
    assert set(picks) >= DESIGN_SUMMARISED
    assert set(picks.values()) <= set(get_args(Pick))
    assert picks["anchor_kn"] == "min" and picks["load_t"] == "max" and picks["disp_h_mm"] == "peak"


async def test_minute_peaks_show_in_the_hazard_detail(receiver: RegulatorServer, tmp_path: Path) -> None:
    state, now = tmp_path / "state", this_minute()
    readings, peaks = [], {}
    for k in range(3, 13):  # closed minutes within the hazard's 15 minutes of context
        m = now - 60 * k
        loads = [2.0, 2.4, 2.9 + k / 100, 2.5, 2.1, 1.8]
        for i, load in enumerate(loads):
            ts = m + 5 + 9 * i
            readings += [
                Reading(ts, PROJECT, "crane-1", "load_t", load, "t"),
                Reading(ts, PROJECT, "crane-1", "moment_pct", load * 30, "%"),
                Reading(ts, PROJECT, "crane-1", "wind_ms", 12.0 - i + k / 10, "m/s"),
                Reading(ts, PROJECT, "crane-1", "slew_deg", 10.0 * i, "deg"),
            ]
        peaks[m] = (m + 23, 2.9 + k / 100, 12.0 + k / 10, 50.0)
    m7 = now - 60 * 7
    readings += [
        Reading(m7 + 50, PROJECT, "crane-1", "load_t", 9.9, "t", Quality.FAULT),  # a broken sensor's value
        Reading(
            m7 + 52, PROJECT, "crane-1", "load_t", 8.8, "t", Quality.STALE
        ),  # a repeat, not a measurement
        Reading(m7 + 1, PROJECT, "crane-1", "operator_id", "110101199001011234", ""),  # not a summary metric
        Reading(
            m7 + 2, PROJECT, "crane-1", "cabin_temp_c", 31.0, "°C"
        ),  # nor is a metric docs/design.md lacks
        Reading(
            time.time() - 2 * 3600, PROJECT, "crane-1", "load_t", 5.0, "t"
        ),  # before a new uplink's start
        Reading(time.time(), PROJECT, "crane-1", "load_t", 5.5, "t"),  # a minute not closed yet
    ]
    await stored(state, readings)
    reg = await regulator_client(receiver)
    try:
        async with gateway(site(tmp_path, receiver.base_url), state) as gw:
            alert = raise_alert(gw, "crane-1")
            [hazard] = (await hazards_by_alert(reg, 1)).values()

            async def detail() -> list[dict[str, object]] | None:
                r = await reg.get(f"/ui/api/hazards/{hazard}")
                assert r.status_code == 200, r.text
                shown = r.json()["readings"]
                return shown if len(shown) >= 40 else None

            shown = await until(detail, "the summaries in the hazard detail")
            await asyncio.sleep(4 * PERIOD_S)  # more periods: nothing comes twice
            assert gw.monitor.alerts.list_alerts(device="crane-1")[0].alert_id == alert
        by_metric: dict[str, dict[float, tuple[float, float]]] = {}
        for r in shown:
            assert r["device"] == "crane-1" and r["point"] == ""
            ts, value = float(r["ts"]), float(r["value"])
            by_metric.setdefault(str(r["metric"]), {})[ts // 60 * 60] = (ts, value)
        assert set(by_metric) == {"load_t", "moment_pct", "wind_ms", "slew_deg"}
        assert sorted(by_metric["load_t"]) == sorted(
            peaks
        )  # one per closed minute: not the old nor the open one
        for m, (ts, load, wind, slew) in peaks.items():
            assert by_metric["load_t"][m] == (ts, pytest.approx(load))  # the peak, when it happened
            assert by_metric["moment_pct"][m] == (ts, pytest.approx(load * 30))
            assert by_metric["wind_ms"][m] == (m + 5, pytest.approx(wind))
            assert by_metric["slew_deg"][m] == (m + 50, slew)  # a position: the minute's last
        units = {(r["metric"], r["unit"]) for r in shown}
        assert units == {("load_t", "t"), ("moment_pct", "%"), ("wind_ms", "m/s"), ("slew_deg", "deg")}
        assert len(received(receiver)) == 40  # the fault, stale, text and unknown readings stayed home
    finally:
        await reg.aclose()


async def test_an_outage_and_a_restart_lose_and_repeat_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG)
    state, now, port = tmp_path / "state", this_minute(), free_port()
    await stored(state, pit(now, range(2, 59)))
    loaded = site(tmp_path, f"http://127.0.0.1:{port}")
    expected = {(f"P{p:03d}", now - 60 * k) for p in range(POINTS) for k in range(2, 59)}
    upstream = free_port()
    server = RegulatorServer(tmp_path / "regulator.sqlite", port=upstream)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    link = SlowLink(port, upstream)
    try:
        async with gateway(loaded, state):
            await asyncio.sleep(1.5)  # the regulator is away: several tries, each refused at the door
            await server.start()
            await link.start()
            # stopped as soon as the regulator stored the first chunk, before its answer crossed the slow link
            await until(lambda: asyncio.to_thread(lambda: len(received(server)) > 0), "the first chunk", 15)
        # the stop waited for that answer and kept the cursor past it; the rest of the catch-up is left for later
        assert 0 < len(received(server)) < len(expected)
        away = [r for r in caplog.records if r.name == LOG and "unreachable" in r.getMessage()]
        assert len(away) == 1 and away[0].levelname == "WARNING", away  # logged once, not at every retry
        assert "uplink 'regulator'" in away[0].getMessage()
        assert any(
            "takes readings summaries again" in r.getMessage() for r in caplog.records if r.name == LOG
        )

        async with gateway(loaded, state):
            await until(
                lambda: asyncio.to_thread(lambda: len(received(server)) >= len(expected)), "the rest", 15
            )
            await asyncio.sleep(4 * PERIOD_S)  # more periods: nothing comes twice
        rows = received(server)
    finally:
        await link.stop()
        await server.stop()
    keys = [(point, ts // 60 * 60) for _device, point, _metric, ts, _value in rows]
    assert Counter(keys).most_common(1)[0][1] == 1 and set(keys) == expected  # every minute once
    assert [m for _p, m in keys] == sorted(m for _p, m in keys)  # in order across chunks and the restart
    # each point's minute is its reading farthest from zero, with its sign
    assert {(ts % 60, value) for _d, _p, _m, ts, value in rows} == {
        (40, -2.0 - k / 100) for k in range(2, 59)
    }


async def test_a_refused_chunk_is_skipped_and_later_ones_arrive(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state, now = tmp_path / "state", this_minute()
    bad_minute = now - 60 * 50
    await stored(
        state, [*pit(now, range(2, 59)), Reading(bad_minute + 30, PROJECT, "", "wind_ms", 8.0, "m/s")]
    )
    async with gateway(site(tmp_path, receiver.base_url), state):
        await until(
            lambda: asyncio.to_thread(lambda: now - 120 + 40 in {r[3] for r in received(receiver)}),
            "the minutes after the refused chunk",
            15,
        )
        await asyncio.sleep(4 * PERIOD_S)  # the refused chunk is not tried again
        rows = received(receiver)
    minutes = Counter(ts // 60 * 60 for _d, _p, _m, ts, _v in rows)
    written = [now - 60 * k for k in range(58, 1, -1)]  # oldest first
    # the newest minutes without a gap, each whole; the chunk holding the refused reading is not among them
    assert sorted(minutes) == written[-len(minutes) :] and set(minutes.values()) == {POINTS}
    assert min(minutes) > bad_minute and len(minutes) >= 5
    refused = [r for r in caplog.records if r.name == LOG and r.levelno == logging.ERROR]
    assert len(refused) == 1, [r.getMessage() for r in refused]
    text = refused[0].getMessage()
    assert "HTTP 422" in text and "readings." in text and ".device" in text and "skipped" in text
    assert "uplink 'regulator'" in text


def late_marks(state: Path) -> list[tuple[int, int]]:
    """(minute, series id) of the late minutes the gateway's store still marks for the uplink."""
    conn = sqlite3.connect(f"file:{state / 'history.sqlite'}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT minute, series_id FROM late_minutes WHERE uplink = 'regulator'"
        ).fetchall()
    finally:
        conn.close()


def crane_minutes(now: float, minutes: range) -> list[Reading]:
    """Three crane loads per minute (``minutes`` back from ``now``); each minute's peak, 2.6 t, at its 25th
    second."""
    return [
        Reading(now - 60 * k + 10 + 15 * i, PROJECT, "crane-1", "load_t", load, "t")
        for k in minutes
        for i, load in enumerate((2.0, 2.6, 2.2))
    ]


def late(now: float) -> list[Reading]:
    """What a crane's black box uploads from its own buffer after a 4G outage: minute 40 back, which had no
    readings when it was summarised; minute 5 back with a higher peak than the 2.6 t summarised; minute 6
    back with a lower load, which leaves its value as it was."""
    m40, m5, m6 = now - 2400, now - 300, now - 360
    return [
        Reading(m40 + 12, PROJECT, "crane-1", "load_t", 1.5, "t", Quality.BACKFILL),
        Reading(m40 + 48, PROJECT, "crane-1", "load_t", 1.7, "t", Quality.BACKFILL),
        Reading(m5 + 55, PROJECT, "crane-1", "load_t", 3.3, "t", Quality.BACKFILL),
        Reading(m6 + 5, PROJECT, "crane-1", "load_t", 1.0, "t", Quality.BACKFILL),
    ]


def assert_late_minutes_arrived(rows: list[tuple[str, str, str, float, float]], now: float) -> None:
    """One value per minute: minutes 3 to 10 back as first summarised but minute 5's new peak, and minute 40."""
    by_minute = Counter(ts // 60 * 60 for _d, _p, _m, ts, _v in rows)
    assert set(by_minute.values()) == {1}, by_minute  # a replaced value is not kept beside its successor
    expected = {now - 60 * k: (now - 60 * k + 25, 2.6) for k in range(3, 11)}
    expected |= {now - 300: (now - 300 + 55, 3.3), now - 2400: (now - 2400 + 48, 1.7)}
    assert {ts // 60 * 60: (ts, value) for _d, _p, _m, ts, value in rows} == expected


async def test_readings_reaching_the_store_after_their_minute_was_summarised_replace_its_value(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG)
    state, now = tmp_path / "state", this_minute()
    await stored(state, crane_minutes(now, range(3, 11)))
    async with gateway(site(tmp_path, receiver.base_url), state) as gw:
        await until(lambda: asyncio.to_thread(lambda: len(received(receiver)) == 8), "the first summaries")
        # the cursor has passed those minutes (and minute 40, which had no readings) when the buffer arrives
        gw.store.add(late(now))
        await until(
            lambda: asyncio.to_thread(lambda: len(received(receiver)) == 9 and not late_marks(state)),
            "the late minutes sent and their marks removed",
        )
        await asyncio.sleep(4 * PERIOD_S)  # more periods: nothing comes twice
        rows = received(receiver)
    assert_late_minutes_arrived(rows, now)
    said = [r.getMessage() for r in caplog.records if r.name == LOG and "sent again" in r.getMessage()]
    assert len(said) == 1 and "3 minutes of" in said[0] and "uplink 'regulator'" in said[0], said


@pytest.mark.parametrize("restart", [False, True], ids=["outage", "outage-and-restart"])
async def test_late_minutes_stay_marked_while_the_regulator_is_away_and_are_sent_when_it_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, restart: bool
) -> None:
    caplog.set_level(logging.INFO, logger=LOG)
    state, now, port, db = tmp_path / "state", this_minute(), free_port(), tmp_path / "regulator.sqlite"
    await stored(state, crane_minutes(now, range(3, 11)))
    loaded = site(tmp_path, f"http://127.0.0.1:{port}")
    server = RegulatorServer(db, port=port)
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    try:
        async with gateway(loaded, state) as gw:
            await until(lambda: asyncio.to_thread(lambda: len(received(server)) == 8), "the first summaries")
            await server.stop()  # the regulator goes away; the crane's buffer arrives meanwhile
            gw.store.add(late(now))
            assert await asyncio.to_thread(gw.store.flush)
            await asyncio.sleep(6 * PERIOD_S)  # several tries, none answered
            assert len(late_marks(state)) == 3
            if not restart:
                server = RegulatorServer(db, port=port)
                await server.start()
                await until(lambda: asyncio.to_thread(lambda: not late_marks(state)), "the marks removed")
        if restart:
            assert len(late_marks(state)) == 3  # the marks outlive the gateway's process
            server = RegulatorServer(db, port=port)
            await server.start()
            async with gateway(loaded, state):
                await until(lambda: asyncio.to_thread(lambda: not late_marks(state)), "the marks removed")
        rows = received(server)
    finally:
        await server.stop()
    assert_late_minutes_arrived(rows, now)
    away = [r for r in caplog.records if r.name == LOG and "unreachable" in r.getMessage()]
    assert away and away[0].levelname == "WARNING"


async def test_live_readings_stamped_after_the_clock_was_set_back_are_summarised(
    receiver: RegulatorServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A clock that ran AHEAD_S ahead and is then set back (NTP stepping a drifted clock; within the
    regulator's 300 s, so the earlier run's summaries were taken) leaves the summaries' cursor ahead of it.
    Readings stamped by the corrected clock fall in minutes already summarised, yet arrive live: they
    reach the regulator all the same.

    Stand-ins, as no test can set this machine's clock: the earlier run is a local store written with its
    clock AHEAD_S ahead (``LocalStore(clock=...)``) and the cursor its summaries sender left in the alert
    database."""
    caplog.set_level(logging.INFO)
    ahead_s, state = 240.0, tmp_path / "state"
    before = LocalStore(
        state / "history.sqlite",
        LocalStoreConfig(),
        late_for=["regulator"],
        clock=lambda: time.time() + ahead_s,
    )
    await asyncio.to_thread(before.start)
    before.add([Reading(time.time() + ahead_s - 1, PROJECT, "crane-1", "load_t", 2.0, "t")])  # live there
    await asyncio.to_thread(before.stop)
    cursors = DecisionStore(state / "alerts.sqlite")
    cursors.add(cursor_key("regulator"), [], int(closed_until(time.time() + ahead_s)))
    cursors.close()

    async with gateway(site(tmp_path, receiver.base_url), state) as gw:
        t = time.time()
        live = [Reading(t - 2 + i / 10, PROJECT, "crane-1", "load_t", 3.0 + i / 10, "t") for i in range(20)]
        gw.store.add(live)
        peaks = {math.floor(r.ts / 60) * 60: r for r in live}  # each minute's last reading is its largest
        expected = {("crane-1", "load_t", round(r.ts, 3), r.value) for r in peaks.values()}
        await until(
            lambda: asyncio.to_thread(
                lambda: {(d, m, round(ts, 3), v) for d, _p, m, ts, v in received(receiver)} == expected
            ),
            "the live readings' minutes at the regulator",
            timeout=15,
        )
    said = [r.getMessage() for r in caplog.records if r.name == "gateway.store.local"]
    assert any("was set back" in m and "every reading is marked" in m for m in said), said


def test_the_store_marks_every_minute_the_summaries_may_have_read() -> None:
    # a reading is marked late when its minute ended LATE_AFTER_S before its commit; the summaries read a
    # minute SETTLE_S after it ended: a mark must cover every minute they may have read
    assert LATE_AFTER_S < SETTLE_S
    assert closed_until(1_000_000.0) <= math.floor((1_000_000.0 - LATE_AFTER_S) / 60) * 60


def test_a_summary_period_is_off_or_at_least_a_fifth_of_a_second() -> None:
    # the same check as feedback_every_s, whose test shows the site file's line named with it
    with pytest.raises(ValidationError, match=r"summary_every_s must be 0 \(off\) or at least 0.2 s"):
        RegulatorUplink(base_url="http://jg", secret="s", summary_every_s=0.05)
    assert RegulatorUplink(base_url="http://jg", secret="s", summary_every_s=0).summary_every_s == 0


def test_read_positions_move_forward_only_and_an_old_gateways_are_carried_over(tmp_path: Path) -> None:
    # a gateway before the positions' own file kept them in the alert database, beside the feedback cursor
    old = DecisionStore(tmp_path / "alerts.sqlite")
    old.add(cursor_key("regulator"), [], 1_795_000_000)
    old.add("regulator", [], 42)  # the feedback poller's cursor stays with the decisions it guards
    old.close()
    positions = ReadPositions(tmp_path / "uplink_positions.sqlite", carried_from=tmp_path / "alerts.sqlite")
    assert positions.get(cursor_key("regulator")) == 1_795_000_000  # nothing resent, nothing skipped
    assert positions.get("regulator") == 0
    positions.advance(cursor_key("regulator"), 1_794_000_000)  # never backwards
    assert positions.get(cursor_key("regulator")) == 1_795_000_000
    positions.advance(cursor_key("regulator"), 1_795_000_060)
    positions.close()
    again = ReadPositions(tmp_path / "uplink_positions.sqlite", carried_from=tmp_path / "alerts.sqlite")
    assert again.get(cursor_key("regulator")) == 1_795_000_060  # durable, and carried over only once
    again.close()
