"""The rules remember across a restart: a real gateway (site file, MQTT driver on a real Mosquitto, local
store, rules, alert manager, outbox, regulator uplink) against a real regulator receiver on SQLite,
stopped after 1.5 days of pit readings and started again on the same state folder.

One stand-in: the history is published on the gateway's bus (where the MQTT driver publishes) with old
timestamps, all in one go, instead of arriving over 1.5 days; from there on (judging, the store, the
alerts, delivery) every part is the production one.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from contract.config import LoadedSite, load_site
from contract.readings import Reading
from regulator.server import RegulatorServer
from sitegw.runtime import Gateway
from sitegw.warmup import warmup_window_s
from tests.e2e.restarts import running
from tests.regulator.support import PROJECT, SECRET, receiver  # noqa: F401 (fixture)
from tests.rules.sites import reference_site, site_variant
from tests.servers.mosquitto import MosquittoServer

HALF_HOUR = 1800.0
DAY = 86400.0
HISTORY = 73  # readings per point: 1.5 days every 30 minutes


def site(tmp_path: Path, broker: MosquittoServer, regulator_url: str, warmup_max_h: float) -> LoadedSite:
    """One pit with three wall-top points reporting every 30 minutes (alarm: 20 mm cumulative, 2 mm/d)."""
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}, name: 示范项目, city: 深圳}}
mqtt_brokers:
  site: {{host: {broker.host}, port: {broker.port}}}
devices:
  - id: pit-1
    kind: pit
    profile: pit_dau
    transport: {{type: mqtt, broker: site, topic_prefix: sitegw/{PROJECT}/pit-1}}
    poll_interval_s: {HALF_HOUR}
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12
      points:
        - {{code: ZQS-01, kind: wall_top, interval_s: {HALF_HOUR}}}
        - {{code: ZQS-02, kind: wall_top, interval_s: {HALF_HOUR}}}
        - {{code: ZQS-03, kind: wall_top, interval_s: {HALF_HOUR}}}
rules:
  warmup_max_h: {warmup_max_h}
uplinks:
  - type: regulator
    base_url: {regulator_url}
    secret: {SECRET}
    feedback_every_s: 0
    backoff_initial_s: 0.1
    backoff_max_s: 1
    timeout_s: 2
""",
        encoding="utf-8",
    )
    return load_site(path)


def point(ts: float, code: str, mm: float) -> list[Reading]:
    return [Reading(ts, PROJECT, "pit-1", "disp_h_mm", mm, "mm", point=code)]


async def delivered(gw: Gateway, receiver: RegulatorServer, count: int) -> list[tuple[str, str, str, str]]:
    """(point, rule, level, state) of every event the regulator stored, once ``count`` arrived and the
    outbox is empty (so that nothing more is on its way)."""
    deadline = time.monotonic() + 15
    while True:
        stored = receiver.repo.events(PROJECT)
        if len(stored) >= count and gw.outbox.store.backlog("regulator").depth == 0:
            return [(s.event.point, s.event.rule, s.event.level, s.event.state) for s in stored]
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(stored)} events delivered, expected {count}: {stored}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("warmup_max_h", [72, 0], ids=["warm-up", "no-warm-up"])
async def test_pit_rate_trips_at_once_after_a_restart(
    tmp_path: Path, mosquitto: MosquittoServer, receiver: RegulatorServer, warmup_max_h: float
) -> None:
    loaded, state = site(tmp_path, mosquitto, receiver.base_url, warmup_max_h), tmp_path / "state"
    start = time.time() - (HISTORY - 1) * HALF_HOUR - HALF_HOUR  # the last reading half an hour ago
    async with running(loaded, state) as gw:
        for i in range(HISTORY):  # one go, no await: the live offline clock never sees the old gaps
            ts = start + i * HALF_HOUR
            gw.bus.publish(
                point(ts, "ZQS-01", (ts - start) / DAY)  # creeping at 1 mm/d: below the 1.4 warning
                + point(ts, "ZQS-02", 21 + 0.01 * (i % 3))  # over the 20 mm alarm, and staying there
                + point(ts, "ZQS-03", 14.2 + 0.01 * (i % 3))
            )  # over the 14 mm warning, until restart
        before = await delivered(gw, receiver, 2)
        [over] = [a for a in gw.monitor.alerts.list_alerts(rule="pit.cumulative") if a.point == "ZQS-02"]
    assert sorted(before) == [
        ("ZQS-02", "pit.cumulative", "alarm", "firing"),
        ("ZQS-03", "pit.cumulative", "warning", "firing"),
    ]

    # the box was off for half an hour, during which ZQS-01 moved 1.5 mm: 2.5 mm over the last 24 h
    async with running(loaded, state) as gw:
        report = gw.warmup.report
        if warmup_max_h:
            assert report is not None and report.readings == 3 * HISTORY
            assert warmup_window_s(loaded.config) == 72 * 3600
        else:
            assert report is None
        now = time.time()
        gw.bus.publish(
            point(now, "ZQS-01", (now - start) / DAY + 1.5)
            + point(now, "ZQS-02", 21.0)
            + point(now, "ZQS-03", 13.2)
        )  # below the warning by more than the 5 % band
        # the first run's stop told the worst values it had seen and not told yet (21.02 and 14.22 mm, within
        # the minimum interval: gateway/alerts/worsening.py), as updates of the two alerts
        told_at_stop = [
            ("ZQS-02", "pit.cumulative", "alarm", "updated"),
            ("ZQS-03", "pit.cumulative", "warning", "updated"),
        ]
        expected = 6 if warmup_max_h else 5
        after = (await delivered(gw, receiver, expected))[len(before) :]
        assert sorted(after[:2]) == told_at_stop
        updated = [s.event.value for s in receiver.repo.events(PROJECT) if s.event.state == "updated"]
        assert sorted(updated, key=str) == [14.22, 21.02], updated  # two readings, not a word or None
        after = after[2:]
        rate = [a for a in gw.monitor.alerts.list_alerts(rule="pit.rate") if a.state != "resolved"]
        still = [a for a in gw.monitor.alerts.list_alerts(rule="pit.cumulative") if a.point == "ZQS-02"]
    if warmup_max_h:
        # the rate needs the reading of 24 h ago, which only the warm-up brought back
        assert sorted(after) == [
            ("ZQS-01", "pit.rate", "alarm", "firing"),
            ("ZQS-03", "pit.cumulative", "warning", "resolved"),
        ]
        [alarm] = rate
        assert alarm.point == "ZQS-01" and alarm.value == pytest.approx(2.5, abs=0.05)
    else:
        assert after == [("ZQS-03", "pit.cumulative", "warning", "resolved")]
        assert rate == []
    # the alarm that held through the restart was neither sent again nor opened a second time
    assert [a.alert_id for a in still] == [over.alert_id] and still[0].state == "firing"
    assert len(receiver.repo.events(PROJECT)) == expected


def test_each_rule_family_asks_for_its_own_history(tmp_path: Path) -> None:
    """The reference site's pit asks 3 days (the three-day rate note) plus one reporting interval, capped at
    72 h (the slope's three days running too); the tunnel's daily rates two days and an interval; without
    them the crane site needs only its offline limit, with its formwork and gates a day; a site file can turn
    it off."""
    assert warmup_window_s(reference_site().config) == 72 * 3600
    uncapped = site_variant(tmp_path, lambda d: d["rules"].update(warmup_max_h=100)).config
    assert warmup_window_s(uncapped) == 72 * 3600 + 7200
    cranes = site_variant(
        tmp_path,
        lambda d: d.update(devices=[x for x in d["devices"] if x["kind"] in ("crane", "anemometer")]),
    )
    assert warmup_window_s(cranes.config) == 600  # rules.device_offline.alarm_after_s
    tunnel = site_variant(
        tmp_path, lambda d: d.update(devices=[x for x in d["devices"] if x["kind"] not in ("pit", "slope")])
    )
    assert warmup_window_s(tunnel.config) == 48 * 3600 + 1800  # two days of daily rates, a survey cycle
    # a pour under way and who passed the gates are held a day back
    formwork = site_variant(
        tmp_path,
        lambda d: d.update(devices=[x for x in d["devices"] if x["kind"] not in ("pit", "slope", "tunnel")]),
    )
    assert warmup_window_s(formwork.config) == 24 * 3600
    off = site_variant(tmp_path, lambda d: d["rules"].update(warmup_max_h=0)).config
    assert warmup_window_s(off) == 0
