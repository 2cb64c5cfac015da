"""A silence alarm firing when the gateway loses power (a formwork point silent during a pour, a tunnel point
silent while its system reports, a confined space's gas detector silent or its entrance without an attendant
with people inside, a power box offline) is still firing after the restart: the supervisors never see it
"resolved" while nothing was heard, nor a second "firing" a limit after the start. It resolves once the thing is
heard again. The time it counts is honest: the downtime is not counted as silence, nor as heard, so the silence
the alert shows goes on from what it had reached, not from zero. A sensor heard up to the stop gets its whole
limit again after the start, and no more.

The gateway is the one of tests/alerts/test_device_stamps.py (its clocks injected and ticked as the live gateway
ticks them), with its local store: every batch judged is stored, as the gateway's pipeline does. The restart is
a power cut: the rules and alerts are dropped with no clean stop, started again on the same alert database, and
warmed up by the production warm-up (sitegw/warmup.py) from what the store holds. A neighbour (pit-1's ZQS-01)
reports at every tick, as a site's other devices do, so that the history the warm-up replays goes on to the stop;
or nothing else on the site reports (a small site, its network down), and the history ends before the silence
passed its limit: the alert database alone tells that the alarm fired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from contract.config.sinks import LocalStoreConfig
from contract.readings import Reading
from gateway.alerts.models import Alert
from gateway.alerts.monitor import SafetyMonitor
from gateway.store.local import LocalStore
from sitegw.warmup import RuleWarmup
from tests.alerts.test_device_stamps import (
    CASES,
    Case,
    Site,
    case,  # noqa: F401 (fixture: each silence rule)
)
from tests.rules.sites import reference_site, sample

DOWN_S = 300.0  # the box off for five minutes


class StoringMonitor(SafetyMonitor):
    """The gateway's pipeline (sitegw/runtime.py): each batch judged, then kept in the local store."""

    store: LocalStore

    def on_readings(self, batch: Sequence[Reading]) -> None:
        self.store.add(self.judge(batch))


class Restarting(Site):
    """The site's gateway with its local store, stopped by a power cut and started again."""

    def __init__(self, tmp_path: Path, case: Case, neighbour: bool = True) -> None:
        self.neighbour = neighbour
        self.db = tmp_path / "alerts.db"
        self.store = LocalStore(tmp_path / "history.sqlite", LocalStoreConfig())
        self.store.start()
        super().__init__(tmp_path, case)

    def start(self, db: Path) -> SafetyMonitor:
        monitor = StoringMonitor(
            reference_site(), db, self.events.append, clock=lambda: self.wall, monotonic=lambda: self.mono
        )
        monitor.store = self.store
        return monitor

    def run(self, seconds: int, reporting: bool = True) -> None:
        for _ in range(seconds // self.case.tick_s):
            super().run(self.case.tick_s, reporting)
            if self.neighbour:
                self.monitor.on_readings(sample("pit-1", self.stamp(), point="ZQS-01", disp_h_mm=1.0))

    def restart(self) -> None:
        """The power cut: no clean stop (nothing told at a stop); ``DOWN_S`` later the gateway starts on the same
        alert database and store, and the production warm-up replays the store into its rules."""
        assert self.store.flush()
        self.monitor.close()
        self.wall += DOWN_S
        self.mono += DOWN_S
        self.monitor = self.start(self.db)
        warmup = RuleWarmup(reference_site(), self.monitor, self.store.reader, clock=lambda: self.wall)

        async def live() -> None:
            return None

        asyncio.run(warmup.run_then(live))
        assert warmup.report is not None and warmup.report.readings > 0

    def seen(self) -> list[tuple[str, str | None]]:
        """What the supervisors were told of the case's rule on its device: each event's state and level."""
        return [
            (e.state, e.level) for e in self.events if e.rule == self.case.rule and e.device == self.device()
        ]

    def alert(self) -> Alert:
        """The case's one alert not resolved, with its latest figures."""
        found = self.monitor.alerts.list_alerts(rule=self.case.rule, device=self.device())
        [alert] = [a for a in found if a.state != "resolved"]
        return alert

    def device(self) -> str:
        return next(r.device for r in self.case.readings(0.0, True))


@pytest.fixture(params=[True, False], ids=["site-reporting", "site-silent"])
def neighbour(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def site(case: Case, tmp_path: Path, neighbour: bool) -> Restarting:
    s = Restarting(tmp_path, case, neighbour)
    s.cycles(4)  # reporting
    assert s.seen() == []
    return s


def test_an_alarm_firing_at_the_stop_stays_firing_across_the_restart_until_heard(site: Restarting) -> None:
    """The sensor is silent past its limit and its alarm fires; the power goes. After the start the sensor is
    still silent: a whole limit and more later the alert is the same one, still firing, never resolved nor fired
    a second time, and its silence is not back to zero (nor counts the downtime). The sensor heard again
    resolves it."""
    case = site.case
    site.run(case.limit_s + 3 * case.tick_s, reporting=False)
    assert site.seen() == [("firing", case.level)]
    before = site.alert()
    silent_s = site.mono - site.heard_at
    site.restart()
    site.run(2 * case.limit_s, reporting=False)
    assert site.seen() == [("firing", case.level)], "resolved, or fired again, while nothing was heard"
    after = site.alert()
    assert (after.alert_id, after.state) == (before.alert_id, "firing")
    assert isinstance(after.value, float) and isinstance(before.value, float) and after.value >= before.value
    if case.rule.startswith("confined_space"):  # repeated at every tick: the silence the alert shows goes on
        honest = silent_s + 2 * case.limit_s
        if site.neighbour:  # the warm-up found the silence up to the stop
            assert after.value == pytest.approx(honest, abs=case.tick_s + 1), after.value
        else:  # from the alert's own, at least: what it showed at the stop
            assert case.limit_s + 2 * case.limit_s < after.value <= honest + case.tick_s, after.value
    site.cycles(1)
    assert site.seen() == [("firing", case.level), ("resolved", case.level)]


@pytest.mark.parametrize("beyond_s", [-1, 0, 1], ids=["below", "at", "above"])
def test_a_sensor_heard_up_to_the_stop_gets_its_whole_limit_after_the_restart(
    site: Restarting, beyond_s: int
) -> None:
    """The sensor reports up to the power cut. After the start the device reports without it (the attendant
    gone from the entrance): no level until it is silent for more than its limit after the start (超过: on the
    limit is not yet), the downtime counted neither way."""
    case = site.case
    site.restart()
    site.hear(site.stamp(), watched=False)
    site.run(case.limit_s + beyond_s * case.tick_s, reporting=False)
    assert site.seen() == ([("firing", case.level)] if beyond_s > 0 else [])


def test_an_offline_alarm_firing_at_the_stop_is_not_lowered_to_a_warning_by_the_restart(
    tmp_path: Path,
) -> None:
    """power-main has been silent for 700 s (its alarm after 600 s) when the power goes, nothing else on the site
    reporting since it fell silent. After the start it is still silent: its alert stays the alarm, not lowered
    to the warning 15 s after the start, until it reports again."""
    site = Restarting(tmp_path, CASES["device_offline"], neighbour=False)
    site.cycles(4)
    site.run(700, reporting=False)
    assert site.seen() == [("firing", "warning"), ("updated", "alarm")]
    site.restart()
    site.run(60, reporting=False)
    assert site.seen() == [("firing", "warning"), ("updated", "alarm")], "lowered while nothing was heard"
    assert site.alert().level == "alarm"
    site.cycles(1)
    assert site.seen()[-1] == ("resolved", "alarm")


@pytest.mark.parametrize("beyond_s", [-1, 0, 1], ids=["below", "at", "above"])
def test_an_offline_warning_at_the_stop_becomes_the_alarm_by_the_silence_it_had_reached(
    tmp_path: Path, beyond_s: int
) -> None:
    """power-main has been silent for 100 s (its warning after 15 s) when the power goes. After the start it is
    still silent: its alarm (600 s without a reading, 超过) comes once its silence, the downtime not counted,
    passes 600 s, 500 s after the start: not a whole 600 s after it (its silence back to zero), nor 200 s after
    it (the five minutes off counted as silence)."""
    site = Restarting(tmp_path, CASES["device_offline"])
    site.cycles(4)
    site.run(100, reporting=False)
    assert site.seen() == [("firing", "warning")]
    silent_s = site.mono - site.heard_at
    site.restart()
    site.run(int(600 - silent_s) + beyond_s, reporting=False)
    assert site.seen() == [("firing", "warning")] + ([("updated", "alarm")] if beyond_s > 0 else [])
