"""The access gate simulator's day, access_gate passages through the real MQTT driver (the person is
the reading's point, on_site 1 for in and 0 for out, English or Chinese words), and `sitegw simulate gate`."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import datetime

import pytest
import typer
from typer.testing import CliRunner

from contract.config.personnel import KeyPerson
from drivers.simulators.sim_clock import site_time
from kinds.attendance.sim import AccessGateSimulator, Passage, gate_schedule
from sitegw.simulate_mqtt_cli import simulate_gate
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port

from .conftest import Subscriber, publish
from .example_site import example_site, prefix, started_driver


def roster() -> list[KeyPerson]:
    return example_site().config.key_personnel


def inside_at(schedule: list[Passage], at_s: float) -> set[str]:
    inside: set[str] = set()
    for p in schedule:
        if p.at_s <= at_s:
            if p.direction == "in":
                inside.add(p.person_id)
            else:
                inside.discard(p.person_id)
    return inside


def test_a_normal_day_every_key_person_comes_and_one_safety_officer_leaves() -> None:
    schedule = gate_schedule(roster(), "normal", workers=12)
    assert [p.at_s for p in schedule] == sorted(p.at_s for p in schedule)
    key = [p for p in schedule if p.person_id.startswith("KP-")]
    assert [(p.person_id, p.direction) for p in key] == [
        ("KP-01", "in"),
        ("KP-02", "in"),
        ("KP-03", "in"),
        ("KP-04", "in"),
        ("KP-03", "out"),  # the roster's second safety officer; KP-02 stays
    ]
    assert key[0].at_s == 60 and key[-1].at_s == 2700
    assert inside_at(schedule, 600) >= {"KP-01", "KP-02", "KP-03", "KP-04"}
    assert {"KP-01", "KP-02", "KP-04"} <= inside_at(schedule, 10 * 3600)
    workers = {p.person_id for p in schedule if p.person_id.startswith("W-")}
    assert workers == {f"W-{n:04d}" for n in range(1, 13)}
    for w in workers:  # in, out for a break, back in
        assert [p.direction for p in schedule if p.person_id == w] == ["in", "out", "in"]


def test_pm_absent_the_project_manager_leaves_early_and_never_returns() -> None:
    schedule = gate_schedule(roster(), "pm_absent")
    pm = [(p.at_s, p.direction) for p in schedule if p.person_id == "KP-01"]
    assert pm == [(60, "in"), (1200, "out")]
    assert "KP-01" not in inside_at(schedule, 24 * 3600)
    assert {"KP-02", "KP-04"} <= inside_at(schedule, 24 * 3600)


def test_gate_time_is_china_standard_time() -> None:
    assert site_time(1_795_000_000.4) == "2026-11-18T19:06:40+08:00"
    assert datetime.fromisoformat(site_time(1_795_000_000)).timestamp() == 1_795_000_000


async def test_the_gates_day_reaches_the_driver_as_presence_per_person(mosquitto: MosquittoServer) -> None:
    site = example_site()
    driver, rec = await started_driver(site, mosquitto.port)
    sim = AccessGateSimulator(
        roster(),
        "127.0.0.1",
        mosquitto.port,
        prefix(site, "gate-1"),
        scenario="pm_absent",
        workers=5,
        time_scale=3600,  # the last hour replayed in one second
        history_hours=1,
    )
    try:
        await sim.start()
        await rec.wait(
            lambda: any(r.point == "KP-03" and r.value == 0 for r in rec.readings), what="KP-03 out"
        )
        await rec.wait(lambda: driver.stats()["gate-1"].requests == sim.published, what="every passage")
    finally:
        await sim.stop()
        await driver.stop()
    assert driver.stats()["gate-1"].errors == 0
    assert [(r.point, r.value) for r in rec.readings] == [
        (p.person_id, 1.0 if p.direction == "in" else 0.0) for p in sim.sent
    ]
    assert {r.metric for r in rec.readings} == {"on_site"} and {r.device for r in rec.readings} == {"gate-1"}
    pm = [(r.ts, r.value) for r in rec.readings if r.point == "KP-01"]
    assert [v for _, v in pm] == [1.0, 0.0]
    now = time.time()
    assert pm[1][0] == pytest.approx(now - 3600 + 1200, abs=10)  # left 40 minutes ago, by the gate's clock
    assert max(r.ts for r in rec.readings) <= now
    assert sim.on_site() >= {"KP-02", "KP-04"} and "KP-01" not in sim.on_site()


async def test_passages_in_chinese_words_and_any_case_are_presence_too(mosquitto: MosquittoServer) -> None:
    site = example_site()
    driver, rec = await started_driver(site, mosquitto.port)
    topic = f"{prefix(site, 'gate-1')}/passages"
    now = time.time()
    messages = [
        {"ts": site_time(now - 30), "person_id": "KP-02", "direction": "进", "gate": "东门"},
        {"ts": site_time(now - 20), "person_id": "W-0042", "direction": "IN "},
        {"ts": site_time(now - 10), "person_id": "KP-02", "direction": "出"},
        {"ts": int(now * 1000), "person_id": "KP-04", "direction": "out"},
    ]
    try:
        await asyncio.to_thread(
            publish, mosquitto.port, [(topic, json.dumps(m, ensure_ascii=False)) for m in messages]
        )
        await rec.wait(lambda: len(rec.readings) == 4, what="4 passages")
    finally:
        await driver.stop()
    assert [(r.point, r.metric, r.value) for r in rec.readings] == [
        ("KP-02", "on_site", 1.0),
        ("W-0042", "on_site", 1.0),
        ("KP-02", "on_site", 0.0),
        ("KP-04", "on_site", 0.0),
    ]
    # ISO 8601 at +08:00 to the second, and Unix ms
    assert [r.ts for r in rec.readings] == pytest.approx([now - 30, now - 20, now - 10, now], abs=1.0)


def cli_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(simulate_gate)
    return app


def test_cli_publishes_the_key_peoples_passages(mosquitto: MosquittoServer) -> None:
    topic = f"{prefix(example_site(), 'gate-1')}/passages"
    args = ["--broker", f"127.0.0.1:{mosquitto.port}", "--scenario", "pm_absent", "--workers", "3"]
    args += ["--time-scale", "3600", "--history-hours", "1", "--duration", "1.5"]  # the last hour in 1 s
    with Subscriber(mosquitto.port, topic) as sub:
        result = CliRunner().invoke(cli_app(), args)
        assert result.exit_code == 0, result.output
        published = int(re.findall(r"published (\d+) passages", result.output)[0])
        sub.wait_for(published)
    assert f"gate-1, 4 key people and 3 workers -> mqtt://127.0.0.1:{mosquitto.port} {topic}" in result.output
    assert "key people on site: KP-02, KP-04" in result.output
    bodies = [b for t, b in sub.messages if t == topic]
    assert len(bodies) == published
    assert all(set(b) == {"ts", "person_id", "direction", "gate"} and b["gate"] == "东门" for b in bodies)
    key = [(b["person_id"], b["direction"]) for b in bodies if b["person_id"].startswith("KP-")]
    assert key == [
        ("KP-01", "in"),
        ("KP-02", "in"),
        ("KP-03", "in"),
        ("KP-04", "in"),
        ("KP-01", "out"),  # pm_absent: the project manager leaves after 20 min
        ("KP-03", "out"),  # the second safety officer, after 45 min
    ]
    pm_out = next(b["ts"] for b in bodies if (b["person_id"], b["direction"]) == ("KP-01", "out"))
    assert datetime.fromisoformat(pm_out).timestamp() == pytest.approx(time.time() - 3600 + 1200, abs=10)
    assert {b["person_id"] for b in bodies if b["person_id"].startswith("W-")} == {
        "W-0001",
        "W-0002",
        "W-0003",
    }


def test_cli_errors_name_the_device_and_the_fix() -> None:
    missing = CliRunner().invoke(cli_app(), ["--device", "gate-9"])
    assert missing.exit_code == 2
    assert (
        "site.yaml: no device 'gate-9'" in missing.output
        and "its attendance devices are: gate-1" in missing.output
    )
    down = CliRunner().invoke(cli_app(), ["--broker", f"127.0.0.1:{free_port()}", "--duration", "1"])
    assert down.exit_code == 1 and "start a broker or pass --broker HOST:PORT" in down.output
