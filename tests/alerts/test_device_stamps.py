"""A device that stamps its own readings (the temporary power's boxes over MQTT, each message's ``ts``) across a
step of a clock: device.offline (power-main, its warning after 15 s without a reading) and the kinds' own
silence rules, a high formwork's point silent during a pour (formwork.silent, docs/standards.md §6), a
tunnel's monitoring point silent while its system reports (tunnel.silent, §16), a confined space's gas
detector silent with people inside (confined_space.silent, §9) and its entrance left without an attendant with
people inside (confined_space.attendant, §9: the badge reader's clock), or its badge reader at the entrance
silent with people inside (confined_space.attendant: the last attendant it showed no longer counts), are measured without holding a device's stamp
against the gateway's clock: from when the gateway heard each reading (a tunnel point: how long its system's
own reports went on without it, by their stamps, plus how long since the gateway last heard the system). So a
clock set wrong or stepped (the gateway's, the device's, or both at different moments) neither invents a
silence while the readings go on nor hides one.

The monitor runs on the reference site with its clock and monotonic clock injected, ticked as the live gateway
ticks it; each device stamps its readings by its own clock, an offset from the gateway's. The step is 25 minutes:
far longer than a pour's or a confined space's 60 s, and shorter than the tunnel's 30-minute survey cycle, so that
its readings stay in order across the step (its series judges no reading older than the last one judged)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from contract.alert_event import AlertEvent
from contract.readings import Reading
from gateway.alerts.monitor import SafetyMonitor
from rules.engine import RuleEngine
from tests.rules.sites import reference_site, sample

START = 1_800_000_000.0
STEP_S = -1500.0  # a clock 25 minutes fast, corrected


@dataclass(frozen=True)
class Case:
    """One silence rule: its device's readings at a stamp (the sensor watched among them or not), what comes
    first (a pour started, a worker gone in), how often the device reports, the rule's limit (silent for more
    than it reaches its level) and how often the test ticks the monitor (the tunnel's hours by the minute)."""

    rule: str
    level: str  # the level a silence past the limit reaches first
    readings: Callable[[float, bool], list[Reading]]
    setup: Callable[[float], list[list[Reading]]]
    every_s: int
    limit_s: int
    tick_s: int


def power(ts: float, watched: bool) -> list[Reading]:
    """power-main's sample (the device watched), nothing once it falls silent."""
    return sample("power-main", ts, leakage_ma=6.0, rcd_state=0.0) if watched else []


def formwork(ts: float, watched: bool) -> list[Reading]:
    """Every point of formwork-1, M3 (the one watched) only while it reports."""
    codes = ("M1", "M2", "M3", "M4") if watched else ("M1", "M2", "M4")
    return [r for code in codes for r in sample("formwork-1", ts, point=code, settle_mm=1.0)]


def tunnel(ts: float, watched: bool) -> list[Reading]:
    """Every point of tunnel-1, GD-01 (the one watched) only while it reports."""
    out = [
        *sample("tunnel-1", ts, point="GD-02", vault_settle_mm=0.5),
        *sample("tunnel-1", ts, point="SL-01", convergence_mm=0.5),
        *sample("tunnel-1", ts, point="DB-01", surface_settle_mm=0.5),
        *sample("tunnel-1", ts, point="DB-02", surface_settle_mm=0.5),
        *sample("tunnel-1", ts, point="ZC-01", axial_kn=400.0),
    ]
    return [*out, *sample("tunnel-1", ts, point="GD-01", vault_settle_mm=0.5)] if watched else out


def detector(ts: float, watched: bool) -> list[Reading]:
    """cs-1's gas detector (the one watched), clean air; nothing once it falls silent."""
    return sample("cs-1", ts, o2_pct=20.9, lel_pct=0.0, h2s_ppm=0.4, co_ppm=2.0) if watched else []


def worker_in(ts: float) -> list[list[Reading]]:
    """cs-1's fan on, JH-01 at the entrance, then W-0001 in."""
    return [
        sample("cs-1", ts, fan_on=1.0),
        sample("cs-1", ts, point="JH-01", attendant=1.0),
        sample("cs-1", ts, point="W-0001", inside=1.0),
    ]


def attendant(ts: float, watched: bool) -> list[Reading]:
    """cs-1's detector (clean air, so that its own silence rule stays quiet) and its badge reader at the entrance:
    JH-01 at the post while watched, gone once it is not (the reader's state at every report)."""
    return [*detector(ts, True), *sample("cs-1", ts, point="JH-01", attendant=1.0 if watched else 0.0)]


def reader(ts: float, watched: bool) -> list[Reading]:
    """cs-1's detector (clean air, reporting throughout: the device stays online) and its badge reader at the
    entrance re-sending JH-01 at the post (the reader watched); nothing from the reader once it falls silent (dead
    or unplugged), which leaves JH-01 last shown at the post."""
    found = detector(ts, True)
    return [*found, *sample("cs-1", ts, point="JH-01", attendant=1.0)] if watched else found


CASES = {
    "device_offline": Case(
        "device.offline", "warning", power, lambda ts: [], every_s=5, limit_s=15, tick_s=1
    ),
    "formwork": Case(
        "formwork.silent",
        "alarm",
        formwork,
        lambda ts: [sample("formwork-1", ts, pour_active=1.0)],
        every_s=30,
        limit_s=60,
        tick_s=1,
    ),
    "tunnel": Case("tunnel.silent", "alarm", tunnel, lambda ts: [], every_s=1800, limit_s=5400, tick_s=60),
    "confined_space": Case(
        "confined_space.silent",
        "alarm",
        detector,
        worker_in,
        every_s=30,
        limit_s=60,
        tick_s=1,
    ),
    # the reader reports every second: the post is found empty within a tick of the attendant's going
    "attendant": Case(
        "confined_space.attendant",
        "alarm",
        attendant,
        worker_in,
        every_s=1,
        limit_s=60,
        tick_s=1,
    ),
    # the reader re-sends the attendant at the post every 30 s; silent for more than 60 s, the post is unconfirmed
    "reader": Case(
        "confined_space.attendant",
        "alarm",
        reader,
        worker_in,
        every_s=30,
        limit_s=60,
        tick_s=1,
    ),
}


class Site:
    """The gateway's clocks (wall, monotonic), its monitor, and the device's own clock (``device_offset``: the
    wall clock's offset from it, 0 while both agree)."""

    def __init__(self, tmp_path: Path, case: Case, device_offset: float = 0.0) -> None:
        self.case = case
        self.wall, self.mono, self.device_offset = START, 0.0, device_offset
        self.events: list[AlertEvent] = []
        self.monitor = self.start(tmp_path / "alerts.db")
        self.heard_at = self.mono  # the true time (monotonic) the watched sensor was last heard
        for batch in case.setup(self.stamp()):
            self.monitor.on_readings(batch)
        self.monitor.tick()

    def start(self, db: Path) -> SafetyMonitor:
        """The gateway's rules and alerts on the alert database ``db``, on the clocks of this site."""
        return SafetyMonitor(
            reference_site(), db, self.events.append, clock=lambda: self.wall, monotonic=lambda: self.mono
        )

    def stamp(self) -> float:
        """The device's stamp of a reading taken now: its own clock, to the second."""
        return float(math.floor(self.wall + self.device_offset))

    def hear(self, stamp: float, watched: bool = True) -> None:
        """The device's readings stamped ``stamp`` reach the gateway now (the watched sensor's if ``watched``)."""
        batch = self.case.readings(stamp, watched)
        if batch:
            self.monitor.on_readings(batch)
        if watched:
            self.heard_at = self.mono

    def run(self, seconds: int, reporting: bool = True) -> None:
        """``seconds`` of ticks, the device reporting every ``every_s``, the watched sensor while ``reporting``."""
        tick = self.case.tick_s
        for _ in range(seconds // tick):
            self.wall += tick
            self.mono += tick
            if self.mono % self.case.every_s == 0:
                self.hear(self.stamp(), reporting)
            self.monitor.tick()

    def cycles(self, count: int, reporting: bool = True) -> None:
        """``count`` of the device's reporting intervals."""
        self.run(count * self.case.every_s, reporting)

    def silences(self) -> list[str | None]:
        """The rule's events so far: each level or state."""
        return [e.level or e.state for e in self.events if e.rule == self.case.rule]


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[str(request.param)]


@pytest.fixture
def site(case: Case, tmp_path: Path) -> Site:
    s = Site(tmp_path, case)
    s.cycles(4)  # reporting, no step yet
    assert s.silences() == []
    return s


def assert_reported_in_time(site: Site) -> None:
    """The watched sensor falls silent just after a report: its level comes once it is silent for more than the
    limit by the time that really passed, not earlier, nor as much later as the clocks differ."""
    site.run(site.case.limit_s, reporting=False)
    assert site.silences() == [], "an alarm before the sensor was silent for longer than its limit"
    site.run(3 * site.case.tick_s, reporting=False)
    assert site.silences() == [site.case.level]
    assert site.mono - site.heard_at <= site.case.limit_s + 3 * site.case.tick_s


def test_the_devices_clock_stepping_back_before_the_gateways_is_no_silence(site: Site) -> None:
    """The device takes its time from the same source and is corrected two reporting intervals before the
    gateway is: its readings go on, stamped 25 minutes behind the gateway's clock until the gateway steps too.
    Nothing went silent; the sensor then falling silent is reported."""
    site.device_offset = STEP_S
    site.cycles(3)
    assert site.silences() == [], "a silence invented from the device's stamps"
    site.wall += STEP_S
    site.device_offset = 0.0
    site.cycles(3)
    assert site.silences() == []
    assert_reported_in_time(site)


def test_the_gateways_clock_stepping_back_before_the_devices_hides_no_silence(site: Site) -> None:
    """The gateway is corrected two reporting intervals before the device: the device's stamps run 25 minutes
    ahead of the gateway's clock meanwhile. The sensor then falling silent is reported after its limit, not
    after the 25 minutes its stamps were ahead."""
    site.wall += STEP_S
    site.device_offset = -STEP_S
    site.cycles(2)
    site.device_offset = 0.0
    site.cycles(2)
    assert site.silences() == []
    assert_reported_in_time(site)


@pytest.mark.parametrize("offset_s", [-STEP_S, STEP_S], ids=["ahead", "behind"])
def test_a_device_clock_off_from_the_start_neither_invents_nor_hides_a_silence(
    case: Case, tmp_path: Path, offset_s: float
) -> None:
    """A device whose own clock runs 25 minutes ahead of the gateway's, or behind it, from the start (an RTC set
    by hand): nothing is silent while it reports; its sensor falling silent is reported after its limit, by the
    gateway's clock."""
    site = Site(tmp_path, case, offset_s)
    site.cycles(4)
    assert site.silences() == [], "a silence invented from the device's stamps"
    assert_reported_in_time(site)


def test_a_reading_stamped_before_the_step_and_judged_after_it_hides_no_silence(site: Site) -> None:
    """The device and the gateway share the clock: a reading stamped just before the clock went back 25 minutes
    reaches the rules after the tick that noticed the step. Stamped 25 minutes ahead of the clock now, it must
    not make the sensor look heard until then."""
    site.run(site.case.every_s - site.case.tick_s)  # a tick before the next report
    site.wall += site.case.tick_s
    site.mono += site.case.tick_s
    in_flight = site.stamp()  # published, on its way through the broker
    site.wall += STEP_S  # the step
    site.monitor.tick()  # notices it
    site.hear(in_flight)
    site.cycles(3)  # reporting on, stamped by the corrected clock
    assert site.silences() == []
    assert_reported_in_time(site)


def test_a_sensor_silent_across_the_step_is_reported_by_the_time_that_really_passed(site: Site) -> None:
    """The sensor falls silent a third of its limit before the clock goes back 25 minutes: the alarm comes once
    it is silent for more than its limit as the monotonic clock measures it (the step is no less silence)."""
    third = site.case.limit_s // 3
    site.run(third, reporting=False)
    site.wall += STEP_S
    site.run(site.case.limit_s - third, reporting=False)
    assert site.silences() == []
    site.run(3 * site.case.tick_s, reporting=False)
    assert site.silences() == [site.case.level]
    assert site.mono - site.heard_at <= site.case.limit_s + 3 * site.case.tick_s


@pytest.mark.parametrize("name", ["formwork", "confined_space"])
def test_a_restart_after_history_stamped_ahead_gives_the_sensor_its_limit_from_the_start_only(
    name: str,
) -> None:
    """The warm-up judges the stored history at its readings' stamps: a device whose clock runs 25 minutes ahead
    of the gateway's left stamps after the restart's instant (a pour under way, a worker inside). The sensor silent
    since then is reported once it is silent for more than its limit after the start, not once the gateway's clock
    passes the device's last stamp (and the gateway's own downtime is no silence either)."""
    case = CASES[name]
    engine = RuleEngine(reference_site())
    ahead = START - STEP_S
    history = [*case.setup(ahead - 120), *(case.readings(ahead - 90 + 30 * k, True) for k in range(3))]
    for _ in engine.replay(r for batch in history for r in batch):
        pass
    engine.resume(START)
    assert [r for r in engine.tick(START + case.limit_s) if r.rule == case.rule and r.level] == []
    found = {(r.level, r.ts) for r in engine.tick(START + case.limit_s + 1) if r.rule == case.rule}
    assert found == {("alarm", START + case.limit_s + 1)}, found  # every formwork point: none heard since


def test_a_loggers_backlog_heard_at_once_blames_only_the_point_its_reports_went_on_without(
    tmp_path: Path,
) -> None:
    """The tunnel system's logger serves its last four hours of surveys at once after a break, oldest first, the
    gateway ticking between them: all heard now, their stamps are what tells that GD-01's prism was hidden after
    the second survey. GD-01 alone is reported, once the system's own reports went on without it for more than its
    allowance; no point is blamed for the hours the later reports still cover."""
    site = Site(tmp_path, CASES["tunnel"])
    first = site.stamp() - 4 * 3600
    for k in range(8):
        site.hear(first + k * 1800, watched=k <= 1)
        site.run(60)
    found = [(e.point, e.level or e.state) for e in site.events if e.rule == "tunnel.silent"]
    assert found == [("GD-01", "alarm")], found


def test_a_restart_after_history_stamped_ahead_gives_the_device_its_limits_from_the_start_only() -> None:
    """The warm-up judges the stored history at its readings' stamps: a power box whose clock runs 25 minutes ahead
    of the gateway's left stamps after the restart's instant. The box silent since then is reported 15 s after the
    start, as any device, not once the gateway's clock passes the box's last stamp."""
    case = CASES["device_offline"]
    engine = RuleEngine(reference_site())
    history = [r for k in range(6) for r in power(START - 30 + 5 * k - STEP_S, True)]
    for _ in engine.replay(history):
        pass
    engine.resume(START)
    assert [r for r in engine.tick(START + case.limit_s) if r.rule == case.rule] == []
    found = [(r.level, r.ts) for r in engine.tick(START + case.limit_s + 1) if r.rule == case.rule]
    assert found == [("warning", START + case.limit_s)], found


HOURS_2 = 7200.0  # a badge reader's clock two hours off the gateway's (an RTC set by hand, or reset)


def attendance(site: Site) -> list[tuple[str, str]]:
    """What the safety officer sees of confined_space.attendant: each event's state and level."""
    return [(e.state, e.level) for e in site.events if e.rule == "confined_space.attendant"]


def post_left(site: Site) -> float:
    """JH-01 leaves the entrance, W-0001 inside: the instant the gateway hears the post empty (its own
    monotonic clock)."""
    site.run(1, reporting=False)
    return site.mono


@pytest.mark.parametrize("offset_s", [-HOURS_2, 0.0, HOURS_2], ids=["behind", "right", "ahead"])
@pytest.mark.parametrize(("away_s", "alarm"), [(59, False), (60, False), (61, True)])
def test_the_attendant_alarm_comes_past_the_grace_by_the_gateways_clock_whatever_the_readers(
    tmp_path: Path, offset_s: float, away_s: int, alarm: bool
) -> None:
    """The badge reader at cs-1's entrance stamps by a clock 2 h behind the gateway's, right, or 2 h ahead.
    JH-01 leaves the entrance with W-0001 inside: the alarm comes once the post has been empty for more than
    the 60 s grace (超过: 60 s is not yet) as the gateway counts it: not at once (a reader behind), nor two
    hours late (a reader ahead, keeping the absent attendant "present" meanwhile)."""
    site = Site(tmp_path, CASES["attendant"], offset_s)
    site.cycles(4)
    left = post_left(site)
    site.run(away_s, reporting=False)
    assert site.mono - left == away_s
    assert attendance(site) == ([("firing", "alarm")] if alarm else [])
    if alarm:
        hit = next(e for e in site.events if e.rule == "confined_space.attendant")
        assert hit.value == 61.0 and hit.ts == site.wall, (hit.value, hit.ts)
        assert "W-0001 在内，入口 61 秒无监护人" in hit.message and "第十一条(三)" in hit.clause


@pytest.mark.parametrize("step_s", [-HOURS_2, HOURS_2], ids=["back", "forward"])
def test_the_readers_clock_stepping_never_clears_a_firing_attendant_alarm(
    tmp_path: Path, step_s: float
) -> None:
    """JH-01 has left and the alarm fires. Then the badge reader's clock steps 2 h (an RTC reset after a power
    cut, or NTP putting it right), the gateway's not: the reader goes on reporting the post empty and
    W-0002 goes in. The alarm stays firing, with no "resolved" between, until JH-01 is back at the entrance."""
    site = Site(tmp_path, CASES["attendant"])
    site.cycles(4)
    post_left(site)
    site.run(62, reporting=False)
    assert attendance(site) == [("firing", "alarm")]
    site.device_offset = step_s
    site.run(30, reporting=False)
    site.monitor.on_readings(sample("cs-1", site.stamp(), point="W-0002", inside=1.0))
    site.run(30, reporting=False)
    assert [state for state, _ in attendance(site)].count("resolved") == 0, attendance(site)
    site.run(1)  # JH-01 badges in
    assert attendance(site)[-1] == ("resolved", "alarm")


def test_a_restart_after_the_readers_history_stamped_ahead_gives_the_grace_from_the_start_only() -> None:
    """The warm-up judges the stored history at its stamps: the box at cs-1's entrance stamps 2 h ahead of the
    gateway, and its last 20 s before the stop show the post empty with W-0001 inside. The absence is reported
    once the post has been empty for more than the grace after the start, not once the gateway's clock passes
    the reader's stamps (the gateway's own downtime is no absence either)."""
    case = CASES["attendant"]
    engine = RuleEngine(reference_site())
    ahead = START + HOURS_2
    history = [*case.setup(ahead - 120), *(case.readings(ahead - 119 + k, k < 99) for k in range(119))]
    for _ in engine.replay(r for batch in history for r in batch):
        pass
    engine.resume(START)
    assert [r for r in engine.tick(START + case.limit_s) if r.rule == case.rule and r.level] == []
    found = [(r.level, r.ts) for r in engine.tick(START + case.limit_s + 1) if r.rule == case.rule]
    assert found == [("alarm", START + case.limit_s + 1)], found


def test_an_attendant_alarm_firing_at_the_stop_is_not_cleared_by_the_restart() -> None:
    """The post was empty for 90 s with W-0001 inside when the gateway stopped: the alarm was firing. After the
    warm-up nobody has come back to the entrance, so the alarm goes on: it is not resolved at the start, and it
    counts on from the 90 s it had reached (the downtime not counted); JH-01 back at the post resolves it."""
    case = CASES["attendant"]
    engine = RuleEngine(reference_site())
    history = [*case.setup(START - 300), *(case.readings(START - 299 + k, k < 9) for k in range(100))]
    for _ in engine.replay(r for batch in history for r in batch):
        pass
    engine.resume(START + 120)
    found = [(r.level, r.value) for r in engine.tick(START + 121) if r.rule == case.rule]
    assert found == [("alarm", 91.0)], found
    back = [r.level for r in engine.process(case.readings(START + 122, True)) if r.rule == case.rule]
    assert back == [None]
