"""The outbox against a real receiver: durable puts, per-alert order, retries, backfill, dead letters,
several uplinks with their own cursors, and the disk budget."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from typer.testing import CliRunner

from contract.config.uplinks import OutboxConfig, RegulatorUplink
from gateway.metrics import outbox_metrics
from gateway.outbox import Outbox
from gateway.outbox.backoff import backoff_delay
from gateway.outbox.store import OutboxStore
from plumbing.sqlite import sqlite3
from regulator.server import RegulatorServer
from sitegw.events_cli import events, redeliver
from tests.regulator.support import PROJECT, SECRET, event_number, make_event
from tests.support import free_port


def uplink(
    server_or_port: RegulatorServer | int, name: str = "reg", secret: str = SECRET, **kw: object
) -> RegulatorUplink:
    port = server_or_port if isinstance(server_or_port, int) else server_or_port.port
    return RegulatorUplink(
        name=name,
        base_url=f"http://127.0.0.1:{port}",
        secret=secret,
        backoff_initial_s=0.05,
        backoff_max_s=0.2,
        timeout_s=2,
        **kw,
    )


def scrape(outbox: Outbox) -> str:
    """The outbox's families as Prometheus would scrape them."""

    class Families(Collector):
        def collect(self) -> Iterator[Metric]:
            return outbox_metrics(outbox.stats())

    registry = CollectorRegistry()
    registry.register(Families())
    return generate_latest(registry).decode()


def per_alert_order(server: RegulatorServer) -> dict[str, list[float]]:
    order: dict[str, list[float]] = {}
    for stored in server.repo.events():
        order.setdefault(stored.event.alert_id, []).append(event_number(stored.event))
    return order


async def test_every_event_arrives_once_and_in_order_per_alert(
    tmp_path: Path, receiver: RegulatorServer
) -> None:
    outbox = Outbox(tmp_path, [uplink(receiver, concurrency=8)])
    await outbox.start()
    try:
        for n in range(15):
            for alert in ("a", "b", "c", "d", "e"):
                assert outbox.on_event(make_event(alert, n))
        assert await outbox.drained(20)
    finally:
        await outbox.stop()
    order = per_alert_order(receiver)
    assert order == {a: [float(n) for n in range(15)] for a in "abcde"}
    assert not any(s.event.backfill for s in receiver.repo.events())


async def test_put_is_on_disk_before_delivery_starts(tmp_path: Path, receiver: RegulatorServer) -> None:
    first = Outbox(tmp_path, [uplink(receiver)])
    event = make_event()
    first.put(event)
    assert first.put(event) is False  # same event_id: not queued twice
    first.store.close()  # the process goes away without ever delivering
    second = Outbox(tmp_path, [uplink(receiver)])
    await second.start()
    try:
        assert await second.drained(10)
    finally:
        await second.stop()
    assert [s.event.event_id for s in receiver.repo.events()] == [event.event_id]


async def test_outage_is_retried_then_delivered_as_backfill(tmp_path: Path) -> None:
    port = free_port()
    outbox = Outbox(tmp_path, [uplink(port)], OutboxConfig(backfill_after_s=0.3))
    await outbox.start()
    server = RegulatorServer(tmp_path / "reg.sqlite", port=port)
    server.repo.add_project(PROJECT, "p", "深圳", SECRET)
    try:
        for n in range(3):
            outbox.put(make_event("a", n))
        await asyncio.sleep(0.6)
        backlog = outbox.stats().backlogs[0]
        assert backlog.depth == 3 and backlog.oldest_unsent_s >= 0.5
        pending = [states["reg"] for _, _, states in outbox.store.events()]
        assert (
            pending[0].state == "pending"
            and pending[0].attempts >= 2
            and "ConnectError" in pending[0].last_error
        )
        await server.start()
        assert await outbox.drained(10)
        outbox.put(make_event("a", 3))  # after the outage: sent at once, not backfill
        assert await outbox.drained(10)
    finally:
        await outbox.stop()
        await server.stop()
    got = [
        (s.event.details["n"], s.event.backfill)
        for s in RegulatorServer(tmp_path / "reg.sqlite").repo.events()
    ]
    assert got == [(0.0, True), (1.0, True), (2.0, True), (3.0, False)]


async def test_refused_event_is_dead_lettered_and_the_alert_moves_on(
    tmp_path: Path, receiver: RegulatorServer
) -> None:
    outbox = Outbox(tmp_path, [uplink(receiver)])
    bad = make_event("a", 0, project="XX-UNKNOWN")  # the receiver answers 401: unknown project
    outbox.put(bad)
    outbox.put(make_event("a", 1))
    await outbox.start()
    try:
        assert await outbox.drained(10)
        assert outbox.stats().backlogs[0].dead == 1
    finally:
        await outbox.stop()
    assert [s.event.details["n"] for s in receiver.repo.events()] == [1.0]
    app = typer.Typer()
    app.command("events")(events)
    app.command("redeliver")(redeliver)
    result = CliRunner().invoke(app, ["events", "--state-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["event_id"] for line in lines] == [bad.event_id, lines[1]["event_id"]]
    assert lines[0]["delivery"]["reg"]["state"] == "dead"
    assert (
        "401" in lines[0]["delivery"]["reg"]["last_error"]
        and "unknown project" in lines[0]["delivery"]["reg"]["last_error"]
    )
    assert lines[1]["delivery"]["reg"]["state"] == "delivered"
    with sqlite3.connect(tmp_path / "outbox.sqlite") as db:
        dead = db.execute("SELECT uplink, event_id, answer FROM dead_letters").fetchall()
    assert dead[0][:2] == ("reg", bad.event_id) and "unknown project" in dead[0][2]
    # piped (CliRunner is not a terminal): whole tab-separated lines, one per event, nothing folded
    piped = CliRunner().invoke(app, ["events", "--state-dir", str(tmp_path)]).output.splitlines()
    assert piped[0].split("\t") == ["time", "level", "state", "rule", "device", "message", "delivery"]
    assert len(piped) == 3 and all(len(line.split("\t")) == 7 for line in piped)
    assert piped[1].split("\t")[6].startswith("reg: dead") and piped[2].split("\t")[6] == "reg: delivered"

    # the regulator registers the project: the refused event can be sent again
    receiver.repo.add_project("XX-UNKNOWN", "p", "深圳", SECRET)
    result = CliRunner().invoke(app, ["redeliver", "reg", "--state-dir", str(tmp_path)])
    assert result.exit_code == 0 and "1 dead event(s)" in result.output, result.output
    outbox = Outbox(tmp_path, [uplink(receiver)])
    await outbox.start()
    try:
        assert await outbox.drained(10)
    finally:
        await outbox.stop()
    assert bad.event_id in {s.event.event_id for s in receiver.repo.events()}


async def test_a_wrong_secret_logs_the_way_to_send_the_events_again(
    tmp_path: Path, receiver: RegulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A newcomer with a mistyped --regulator-secret finds the fix and the redeliver command in the ERROR line."""
    outbox = Outbox(tmp_path, [uplink(receiver, secret="not-the-registered-secret")])
    outbox.put(make_event("a", 0))
    with caplog.at_level(logging.ERROR, logger="gateway.outbox"):
        await outbox.start()
        try:
            assert await outbox.drained(10)
        finally:
            await outbox.stop()
    line = next(r.getMessage() for r in caplog.records if "refused event" in r.getMessage())
    assert "HTTP 401" in line and "secret" in line
    assert f"sitegw redeliver reg --state-dir {tmp_path}" in line


async def test_each_uplink_has_its_own_cursor(tmp_path: Path, receiver: RegulatorServer) -> None:
    down = free_port()
    outbox = Outbox(
        tmp_path / "gw",
        [
            uplink(receiver, "up"),
            uplink(down, "down"),
            uplink(receiver, "critical-only", levels=["critical"]),
        ],
    )
    await outbox.start()
    try:
        outbox.put(make_event("a", 0))
        outbox.put(make_event("b", 0, level="critical"))
        for _ in range(100):
            await asyncio.sleep(0.05)
            depths = {b.uplink: b.depth for b in outbox.stats().backlogs}
            if depths["up"] == 0 and depths["critical-only"] == 0:
                break
        assert depths == {"up": 0, "down": 2, "critical-only": 0}
        scraped = scrape(outbox)
        assert 'sitegw_outbox_depth{uplink="down"} 2.0' in scraped
        assert 'sitegw_outbox_delivered_total{uplink="up"} 2.0' in scraped
        assert 'sitegw_outbox_depth{uplink="critical-only"} 0.0' in scraped
    finally:
        await outbox.stop()
    assert len(receiver.repo.events()) == 2  # "critical-only" re-sent b: stored once


async def test_disk_budget_warns_then_drops_lowest_level_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    budget_mb = 0.25
    outbox = Outbox(tmp_path, [uplink(free_port())], OutboxConfig(max_disk_mb=budget_mb, warn_pct=50))
    critical = make_event("crit", 0, level="critical")
    outbox.put(critical)
    pad = "x" * 2000
    with caplog.at_level(logging.WARNING, logger="gateway.outbox"):
        for n in range(200):
            outbox.put(make_event("warn", n, level="warning", message=pad))
    assert "disk budget" in caplog.text and "uses" in caplog.text
    assert "dropped undelivered event" in caplog.text
    assert outbox.store.used_bytes() <= budget_mb * 1024 * 1024
    kept = [e.event_id for e, _, _ in outbox.store.events()]
    assert critical.event_id in kept
    dropped = outbox.store.dropped()
    assert dropped and all(alert == "warn" for _, alert, _, _ in dropped)
    assert outbox.stats().disk_pct <= 100 and outbox.stats().dropped == len(dropped)
    outbox.store.close()


@given(
    failures=st.integers(1, 200), initial=st.floats(0.01, 10), cap=st.floats(0.01, 600), seed=st.integers()
)
def test_backoff_grows_and_stays_under_the_cap(failures: int, initial: float, cap: float, seed: int) -> None:
    delay = backoff_delay(failures, initial, cap, random.Random(seed))
    ceiling = min(cap, initial * 2 ** (failures - 1))
    assert ceiling / 2 <= delay <= ceiling <= cap


async def test_a_new_platform_gets_the_alerts_still_open(
    tmp_path: Path, receiver: RegulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue #19: the same state folder pointed at another regulator. The old platform's deliveries must
    not count for the new one: the alerts still open reach it, in order; the resolved ones do not; the
    log says so; a restart with the same platform sends nothing again."""
    first = Outbox(tmp_path, [uplink(receiver, name="regulator")])
    await first.start()
    try:
        for n in range(3):
            first.on_event(make_event("open", n))
        first.on_event(make_event("closed", 0))
        first.on_event(make_event("closed", 1, state="resolved"))
        assert await first.drained(10)
    finally:
        await first.stop()
    assert len(receiver.repo.events()) == 5

    other = RegulatorServer(tmp_path / "other.sqlite")
    other.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await other.start()
    try:
        caplog.set_level(logging.WARNING, logger="gateway.outbox.service")
        second = Outbox(tmp_path, [uplink(other, name="regulator")])
        await second.start()
        try:
            assert await second.drained(10)
            second.on_event(make_event("open", 3))
            assert await second.drained(10)
        finally:
            await second.stop()
        assert per_alert_order(other) == {"open": [0.0, 1.0, 2.0, 3.0]}
        assert (
            f"platform changed from http://127.0.0.1:{receiver.port} to http://127.0.0.1:{other.port}"
            in caplog.text
        )
        assert "the 3 event(s) of the 1 alert(s) still open" in caplog.text

        caplog.clear()
        again = Outbox(tmp_path, [uplink(other, name="regulator")])
        await again.start()
        try:
            assert await again.drained(10)
        finally:
            await again.stop()
        assert "platform changed" not in caplog.text
        assert len(other.repo.events()) == 4  # nothing sent twice
    finally:
        await other.stop()
    assert len(receiver.repo.events()) == 5  # the old platform got nothing more


def test_three_hundred_events_take_the_room_of_their_data_not_of_a_grown_wal(tmp_path: Path) -> None:
    """A full disk leaves alerts and their deliveries the reserve (gateway/disk_watch.py: 5 % of the
    filesystem, 1 MB on the fault suite's 20 MB disk). Each event is a commit of its own; a WAL left to
    SQLite's default checkpoint grew by 4 MB for 200 events of 110 kB, eating the reserve in under a
    minute of the demo's hazards (tests/faults/test_disk_full.py at 300 s)."""
    store = OutboxStore(tmp_path / "outbox.sqlite")
    try:
        for n in range(300):
            store.put(make_event(f"a{n % 20}", n), ["regulator"])
            store.mark_delivered("regulator", [(p.seq, False) for p in store.pending("regulator", 10)])
        assert not store.has_pending("regulator")
        used = {f.name: f.stat().st_size for f in tmp_path.iterdir()}
    finally:
        store.close()
    assert sum(used.values()) < 1_000_000, used
