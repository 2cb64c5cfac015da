"""A baseline taken from a first reading survives a restart: a real gateway (site file, MQTT driver on a real
Mosquitto, local store, rules, alert manager) runs ten days of a slope's ground crack, a slope's water level and a
pit's water level, none with a baseline in the site file, is stopped and started again on the same state folder.

The warm-up replays only the three days the rules need (sitegw/warmup.py). Before the baselines were kept
(rules/baselines.py, gateway/alerts/baselines.py), each series' baseline became its first reading in those three
days: a crack that had grown 0.5 mm, a slope's water risen 2.5 m and a pit's water dropped 1.2 m read as
unchanged, and the first live reading cleared each alarm while the ground still stood where it had moved to.

One stand-in, as in test_warmup_restart.py: the history is published on the gateway's bus with old timestamps,
all in one go, instead of arriving over ten days.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from contract.config import LoadedSite, load_site
from contract.readings import Reading
from gateway.alerts.models import Alert
from sitegw.runtime import Gateway
from sitegw.warmup import warmup_window_s
from tests.e2e.restarts import running
from tests.servers.mosquitto import MosquittoServer

PROJECT = "GD-SZ-2026-0001"
HOUR = 3600.0
DAYS = 10
SLOPE_CRACK, SLOPE_WATER, PIT_WATER = "BLF-01", "BSW-01", "SW-01"


def site(tmp_path: Path, broker: MosquittoServer) -> LoadedSite:
    """A 二级 slope with a ground crack meter and a water level, a pit with a water level, all hourly."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 示范项目, city: 深圳}}
mqtt_brokers:
  site: {{host: {broker.host}, port: {broker.port}}}
devices:
  - id: slope-1
    kind: slope
    profile: slope_rtu
    transport: {{type: mqtt, broker: site, topic_prefix: sitegw/{PROJECT}/slope-1}}
    poll_interval_s: {HOUR}
    slope:
      grade: 2
      type: soil
      height_m: 12
      points:
        - {{code: {SLOPE_CRACK}, kind: crack, crack_in: ground}}
        - {{code: {SLOPE_WATER}, kind: water_level, rise_m: 2}}
  - id: pit-1
    kind: pit
    profile: pit_dau
    transport: {{type: mqtt, broker: site, topic_prefix: sitegw/{PROJECT}/pit-1}}
    poll_interval_s: {HOUR}
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12
      points:
        - {{code: {PIT_WATER}, kind: water_level, interval_s: {HOUR}}}
""",
        encoding="utf-8",
    )
    return load_site(path)


def at(ts: float, start: float) -> list[Reading]:
    """The three series at ``ts``: the crack widens from 1.0 to 1.5 mm and the slope's water rises 2.5 m over the
    first two days, the pit's water drops 1.2 m over six (200 mm a day, under its 500 mm rate); then each stays,
    trembling by a hundredth so that no sensor reads as stuck."""
    days = (ts - start) / (24 * HOUR)
    tremble = 0.01 * (round(days * 24) % 3)
    return [
        Reading(
            ts, PROJECT, "slope-1", "crack_mm", 1.0 + 0.25 * min(days, 2) + tremble, "mm", point=SLOPE_CRACK
        ),
        Reading(
            ts,
            PROJECT,
            "slope-1",
            "water_level_m",
            -8 + 1.25 * min(days, 2) + tremble,
            "m",
            point=SLOPE_WATER,
        ),
        Reading(
            ts, PROJECT, "pit-1", "water_level_m", -3 - 0.2 * min(days, 6) - tremble, "m", point=PIT_WATER
        ),
    ]


def alarms(gw: Gateway) -> dict[str, Alert]:
    """The alarms of the three series, by point."""
    rules = ("slope.crack_growth", "slope.water", "pit.cumulative")
    found = {a.point: a for rule in rules for a in gw.monitor.alerts.list_alerts(rule=rule)}
    return {point: a for point, a in found.items() if a.level == "alarm"}


def resolved(gw: Gateway) -> list[Alert]:
    """The alarms of the three series that resolved."""
    return [a for a in alarms(gw).values() if a.state == "resolved"]


async def judged(gw: Gateway, ts: float) -> None:
    """Until the readings stamped ``ts`` were judged: the store takes a batch after the rules."""
    deadline = time.monotonic() + 15
    while not all(v.ts >= ts - 1 for v in gw.store.reader.latest()):
        assert time.monotonic() < deadline, "the live readings were never judged"
        await asyncio.sleep(0.05)


async def firing(gw: Gateway, count: int) -> dict[str, Alert]:
    deadline = time.monotonic() + 15
    while len(found := {p: a for p, a in alarms(gw).items() if a.state == "firing"}) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} alarms firing, expected {count}: {alarms(gw)}")
        await asyncio.sleep(0.05)
    return found


async def test_an_alarm_measured_from_a_first_reading_holds_through_a_restart(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    loaded, state = site(tmp_path, mosquitto), tmp_path / "state"
    assert warmup_window_s(loaded.config) < (DAYS - 6) * 24 * HOUR  # the warm-up never sees a first reading
    hours = DAYS * 24
    start = time.time() - hours * HOUR
    async with running(loaded, state) as gw:
        for i in range(hours):  # one go, no await: the live offline clock never sees the old gaps
            gw.bus.publish(at(start + i * HOUR, start))
        before = await firing(gw, 3)
    crack = before[SLOPE_CRACK]
    assert crack.details["baseline_mm"] == pytest.approx(1.0)

    async with running(loaded, state) as gw:
        report = gw.warmup.report
        assert report is not None and report.readings > 0
        now = time.time()
        gw.bus.publish(at(now, start))  # where each series has stood for days
        await judged(gw, now)
        gw.monitor.tick()
        after = await firing(gw, 3)
        # the same alarms, never resolved and opened again
        assert {p: a.alert_id for p, a in after.items()} == {p: a.alert_id for p, a in before.items()}
        assert [a.point for a in resolved(gw)] == []
        assert after[SLOPE_CRACK].details["baseline_mm"] == pytest.approx(1.0)
        assert after[PIT_WATER].value == pytest.approx(-1200, abs=25)  # mm dropped from its first reading


async def test_a_baseline_in_the_site_file_wins_over_one_kept(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    """A sensor replaced or a crack repaired: the site gives the new baseline, and the series is measured from it
    after the restart, not from the first reading kept."""
    loaded, state = site(tmp_path, mosquitto), tmp_path / "state"
    start = time.time() - 48 * HOUR
    async with running(loaded, state) as gw:
        for i in range(48):
            gw.bus.publish(at(start + i * HOUR, start))
        await firing(gw, 2)  # the crack and the slope's water
    text = (tmp_path / "site.yaml").read_text(encoding="utf-8")
    (tmp_path / "site.yaml").write_text(
        text.replace("crack_in: ground}", "crack_in: ground, baseline_mm: 1.45}"), encoding="utf-8"
    )
    async with running(load_site(tmp_path / "site.yaml"), state) as gw:
        now = time.time()
        gw.bus.publish(at(now, start))
        await judged(gw, now)
        assert [a.point for a in resolved(gw)] == [SLOPE_CRACK]  # 1.5 mm: 0.05 mm above the new baseline
