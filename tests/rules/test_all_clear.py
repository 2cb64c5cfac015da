"""A guarantee, tested for every rule (issue #37): no all-clear while the danger lasts.

For every rule every registered kind declares (contract.kinds.registry: each kind's ``rules``, and a
machine kind's ``<kind>.papers``), the kind's judge (rules/kinds/), the safety-device rule (its flags),
the papers rule (rules/machine_papers.py) or the vision rules (a camera's checks) give limit probes
(rules/probes.py), worked out from the reference site (config/examples/site.yaml, with the sample device
entry of each kind it has no device of: tests/rules/sites.py probe_site). Each probe is driven the way a
site is: its readings replayed in site time through the rules engine and the alert manager
(sitegw.replay), and what is checked is what a site sees, the AlertEvents:

1. the value beyond the limit fires the rule's alert;
2. then, whatever follows of values beyond the limit, values inside the clearing band, and missing or
   broken input (the metric absent from a sample, NaN, a value its sensor cannot read, the clear value
   read stale or marked faulty, the device silent), the alert is never resolved (已恢复正常);
3. the clear value, once it has lasted as long as the rule's configuration says, resolves it, not earlier
   (a latched alert never resolves by itself).

A rule with no probe fails the first test, naming what to add: a new kind joins the suite by declaring its
rules and giving its judge's ``probes`` (docs/contributing/adding-a-kind.md, "Limit probes").
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.alert_event import AlertEvent
from contract.config.rules import DeviceOfflineRule
from contract.kinds import registry
from contract.kinds.kind import Kind
from contract.readings import Quality, Reading
from contract.vision_event import VisionEvent
from gateway.alerts.manager import AlertManager
from rules import device_offline, machine_papers, safety_devices, vision_rules
from rules.kinds.base import Judge, Shared
from rules.probes import Probe, Value
from sitegw.replay import replay
from tests.rules.sites import PROJECT, probe_site

SITE = probe_site()
REPO = Path(__file__).resolve().parents[2]
T0 = datetime.fromisoformat("2026-11-02T09:00:00+08:00").timestamp()  # licences and arrester valid
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
CLOCK = "site-clock"  # not a device of the site: its readings only make time pass
DOC = "docs/contributing/adding-a-kind.md, 'Limit probes'"


ENGINE_RULES = {
    "device.offline": "rules/device_offline.py probes() gives one per watched device",
    "sensor.fault": "a judge whose readings have a physical range gives one (kinds/anemometer/judge.py)",
}
RULES = registry.rule_names()


def rules_of(kind: Kind) -> list[str]:
    """The rules ``kind`` declares, with its papers rule if it is a machine kind (registry.rule_names)."""
    papers = machine_papers.rule_of(kind.name)
    return [*kind.rules, *([papers] if papers in RULES else [])]


def _probes() -> tuple[list[Probe], list[str]]:
    """Every probe the site's devices give, and what is missing for the kinds' rules (the fix named)."""
    shared = Shared(SITE, None)
    found: list[Probe] = []
    for kind in registry.kinds():
        devices = [d for d in SITE.config.devices if d.kind == kind.name]
        judge = registry.resolve(kind.judge)(shared, devices) if kind.judge and devices else None
        for dev in devices:
            if isinstance(judge, Judge):
                found += judge.probes(dev)
            found += safety_devices.probes(kind, dev)
            found += machine_papers.probes(kind, dev, SITE.config.rules.licence_utc_offset_h)
            found += device_offline.probes(
                kind, dev, shared.section(dev.id, "device_offline", DeviceOfflineRule)
            )
    probed = {p.rule for p in found} | set(vision_rules.CLAUSES)
    # the engine's own rules, for every kind alike
    missing = [
        f"rule {rule} has no limit probe: {fix}" for rule, fix in ENGINE_RULES.items() if rule not in probed
    ]
    for kind in registry.kinds():
        has_device = any(d.kind == kind.name for d in SITE.config.devices)
        rules = rules_of(kind)
        for rule in rules:
            if rule in probed:
                continue
            if not has_device and not set(rules) <= probed:
                fix = f"write its sample device entry ({kind.name}'s site.yaml, beside its declaration)"
            elif rule == machine_papers.rule_of(kind.name):
                fix = f"give a {kind.name} of config/examples/site.yaml its papers (next_inspection_on)"
            elif rule.endswith(safety_devices.SUFFIX):
                fix = f"declare the kind's flags ({kind.name} flags) judged by rules/safety_devices.py"
            else:
                fix = f"return a Probe for it from {kind.judge or 'a judge of the kind'} .probes(dev)"
            missing.append(f"kind {kind.name}: rule {rule} has no limit probe: {fix} ({DOC})")
    return found, missing


PROBES, MISSING = _probes()
BY_RULE: dict[str, list[Probe]] = defaultdict(list)
for _p in PROBES:
    BY_RULE[_p.rule].append(_p)
IDS = [f"{p.rule}@{p.device}{'/' + p.point if p.point else ''}" for p in PROBES]


def test_every_rule_of_every_kind_has_a_limit_probe() -> None:
    assert not MISSING, "\n".join(MISSING)


def test_a_kind_with_no_device_in_the_reference_site_is_probed_from_its_sample_entry() -> None:
    # the plug-in scaffold (tests/kinds/plugin), in a process of its own so that no other test sees the kind:
    # config/examples/site.yaml has no scaffold; its folder's site.yaml gives the device probed (its silence
    # here: the plug-in's judge gives no probe of its own, which is what is then asked of it, not a device)
    plugin = Path(__file__).resolve().parents[1] / "kinds" / "plugin"
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(REPO), str(plugin)]),
        "SITEGW_KINDS": "scaffold_kind",
    }
    code = (
        "from tests.rules.test_all_clear import PROBES, MISSING; "
        "print(sorted({p.rule for p in PROBES if p.device == 'scaffold-1'})); "
        "print(*[m.split(': ', 2)[2] for m in MISSING if 'scaffold' in m], sep='\\n')"
    )
    found = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert found.stdout.splitlines() == [
        "['device.offline']",
        "return a Probe for it from scaffold_kind.judge:ScaffoldJudge .probes(dev) "
        "(docs/contributing/adding-a-kind.md, 'Limit probes')",
    ], found.stdout + found.stderr[-2000:]


# ---- driving one probe through the engine and the alert manager ----------------------------------

Step = tuple[str, Value | int | None]


def steps_of(probe: Probe) -> st.SearchStrategy[Step]:
    """What may follow the alert's firing: each keeps the danger possible, none may clear it."""
    options: list[st.SearchStrategy[Step]] = [
        st.tuples(st.just("beyond"), st.sampled_from(probe.beyond)),
        st.just(("absent", None)),  # the metric missing from a sample (no reading at all if alone)
        st.just(("stale", None)),  # the clear value, but stale: no proof of anything
        st.tuples(st.just("silent"), st.integers(1, 20)),  # readings stop for so many intervals
    ]
    if not probe.link_only:
        options.append(st.just(("faulty", None)))  # the clear value, marked faulty upstream
    if probe.hold:
        options.append(st.tuples(st.just("hold"), st.sampled_from(probe.hold)))
    if not probe.text and not probe.link_only:  # NaN is an answer too (a sensor.fault: tested below)
        options.append(st.just(("nan", math.nan)))
    if probe.faults:
        options.append(st.tuples(st.just("fault"), st.sampled_from(probe.faults)))
    return st.one_of(options)


class Drive:
    """One probe's readings, sample by sample in site time."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self.ts = probe.start or T0
        self.position = 0.0  # a ramp's position, which moves at its speed whether read or not
        self.speed = 0.0
        self.readings: list[Reading] = []
        for before_s, device, point, sample in probe.earlier:
            assert before_s > probe.interval_s, f"{probe.rule}: earlier readings come before the setup"
            self._sample(device, point, dict(sample), self.ts - before_s)
        for device, point, sample in probe.setup:
            self._sample(device, point, dict(sample), self.ts - probe.interval_s)
            start = sample.get(probe.metric)
            if probe.ramp and device == probe.device and point == probe.point and isinstance(start, float):
                self.position = start  # a ramp moves on from where the setup left it, never jumps

    def _sample(
        self, device: str, point: str, sample: dict[str, Value], ts: float, q: Quality = Quality.OK
    ) -> None:
        # the rest of the site goes on reporting: the engine's clock ticks at every instant, as it does
        # every second live (a reading of a device outside the site file is judged by nothing)
        self.readings.append(Reading(ts, PROJECT, CLOCK, "tick", 0.0))
        if device == self.probe.device:  # the devices that report beside it, at the same instant
            for other, other_point, other_sample in self.probe.companions:
                for metric, value in other_sample.items():
                    self.readings.append(Reading(ts, PROJECT, other, metric, value, point=other_point))
        for metric, value in sample.items():
            quality = q if metric == self.probe.metric else Quality.OK
            self.readings.append(Reading(ts, PROJECT, device, metric, value, quality=quality, point=point))

    def send(self, value: Value | None, quality: Quality = Quality.OK, absolute: bool = False) -> None:
        """One sample at the next instant: the probe's value (None: missing) with its context."""
        p = self.probe
        sample: dict[str, Value] = dict(p.context)
        if p.ramp and not absolute and isinstance(value, float):
            self.speed = value
        self.position += self.speed
        if value is not None:
            sample[p.metric] = self.position if p.ramp and not absolute else value
        self._sample(p.device, p.point, sample, self.ts, quality)
        self.ts += p.interval_s

    def step(self, step: Step) -> None:
        kind, value = step
        p = self.probe
        if kind == "silent":
            assert isinstance(value, int)
            for _ in range(value):
                self._sample(p.device, p.point, {}, self.ts)
                self.ts += p.interval_s
            self.position += value * self.speed
        elif kind == "absent":
            self.send(None)
        elif kind in ("stale", "faulty"):
            clear = self.position if p.ramp else p.clear
            self.send(clear, Quality.STALE if kind == "stale" else Quality.FAULT, absolute=True)
        elif kind in ("nan", "fault"):
            assert isinstance(value, float)
            self.send(value, absolute=True)
        else:
            assert not isinstance(value, int)
            self.send(value)

    def events(self) -> list[AlertEvent]:
        """The probe's alert's events, as the site sees them."""
        out: list[AlertEvent] = []
        replay(SITE, self.readings, out.append, warnings=self.probe.signals, permits=self.probe.permits)
        rule, device, point = self.probe.fingerprint
        return [e for e in out if (e.rule, e.device, e.point) == (rule, device, point)]


def fire(probe: Probe, first: Value | None) -> Drive:
    drive = Drive(probe)
    for _ in range(max(1, math.ceil(probe.fire_after_s / probe.interval_s) + 1)):
        drive.send(first)
    return drive


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
def test_beyond_the_limit_fires(probe: Probe) -> None:
    for value in probe.beyond:
        events = fire(probe, value).events()
        assert events and events[0].state == "firing", (
            f"{probe.rule}: {probe.metric}={value!r} (beyond the limit) raised no alert on {probe.device}"
        )
        assert all(e.state != "resolved" for e in events), [(e.state, e.ts, e.message) for e in events]


def _story(events: list[AlertEvent]) -> str:
    return "\n".join(f"  {e.ts:>12.0f} {e.ts - T0:>8g} s {e.state} {e.level}: {e.message}" for e in events)


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_no_all_clear_while_the_danger_lasts(probe: Probe, data: st.DataObject) -> None:
    first = data.draw(st.sampled_from(probe.beyond), label="fired by")
    steps = data.draw(st.lists(steps_of(probe), max_size=25), label="then")
    drive = fire(probe, first)
    for step in steps:
        drive.step(step)
    events = drive.events()
    assert events and events[0].state == "firing", f"{probe.rule} did not fire on {first!r}"
    said = [e for e in events if e.state == "resolved" or "恢复正常" in e.message]
    assert not said, (
        f"{probe.rule} said all clear while its input was beyond the limit or missing:\n{_story(events)}"
    )


@pytest.mark.parametrize("probe", PROBES, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_resolved_only_after_the_clear_value_has_lasted(probe: Probe, data: st.DataObject) -> None:
    first = data.draw(st.sampled_from(probe.beyond), label="fired by")
    steps = data.draw(st.lists(steps_of(probe), max_size=10), label="then")
    drive = fire(probe, first)
    for step in steps:
        drive.step(step)
    cleared_from = drive.ts
    # a rule that needs a window of readings to fire needs one to clear once readings resume
    lasting = max(probe.clear_after_s, probe.fire_after_s)
    lasting += probe.clear_per_beyond * (cleared_from - (probe.start or T0))
    earliest = max(cleared_from + probe.clear_after_s, probe.clear_at or -math.inf)
    lasting = max(lasting, earliest - cleared_from)
    samples = math.ceil(lasting / probe.interval_s) + 4
    for _ in range(samples):
        drive.send(probe.clear)
    events = drive.events()
    resolved = [e for e in events if e.state == "resolved"]
    if probe.latched:
        assert not resolved, f"{probe.rule} is latched but resolved itself:\n{_story(events)}"
        return
    assert len(resolved) == 1 and events[-1].state == "resolved", (
        f"{probe.rule}: {probe.metric}={probe.clear!r} for {samples} samples did not resolve it:\n{_story(events)}"
    )
    assert resolved[0].ts >= earliest - 1e-6, (
        f"{probe.rule} resolved {resolved[0].ts - cleared_from:g} s after the clear value came, "
        f"before the {earliest - cleared_from:g} s its configuration states:\n{_story(events)}"
    )


# ---- slow steady motion, below any per-sample threshold ---------------------------------------------

# a crane's motions: a rule judging them sample to sample reads a slow slew as standing still (issue 51)
MOTION_METRICS = {"slew_deg", "radius_m", "height_m"}
CREEP = [p for p in PROBES if p.creep]
CREEP_IDS = [f"{p.rule}@{p.device}:{p.metric}" for p in CREEP]
CREEP_SAMPLES = 40  # samples of creep: at 0.4 of a noise a sample, 16 noises on
UNSEEN_STEPS = 2  # steps of 0.4 of a noise before a stop that stay within the noise of where it stands


def test_every_motion_rule_is_probed_with_slow_motion() -> None:
    """A probe that moves a crane (a ramp of its slew, radius or hook height) names a creep, so that
    the suite drives it below its per-sample threshold too."""
    bare = [
        f"{p.rule}@{p.device}:{p.metric}"
        for p in PROBES
        if p.ramp and p.metric in MOTION_METRICS and not p.creep
    ]
    assert CREEP and not bare, f"motion probes without a creep (rules/probes.py Probe.creep): {bare}"


def creeping(probe: Probe) -> Drive:
    """The probe's device moving at its creep, steadily, for CREEP_SAMPLES samples."""
    drive = Drive(probe)
    for _ in range(CREEP_SAMPLES):
        drive.send(probe.creep)
    return drive


@pytest.mark.parametrize("probe", CREEP, ids=CREEP_IDS)
def test_slow_steady_motion_fires_once_and_holds(probe: Probe) -> None:
    """Moving at its creep, the crane is moving: the alert fires, once, and no all-clear is said while
    it goes on; stopped, it resolves only after its configured still time."""
    drive = creeping(probe)
    events = drive.events()
    assert events and events[0].state == "firing", (
        f"{probe.rule}: {probe.metric} moving {probe.creep:g} a sample for {CREEP_SAMPLES} samples raised "
        f"no alert:\n{_story(events)}"
    )
    said = [e for e in events if e.state == "resolved" or "恢复正常" in e.message]
    assert not said, f"{probe.rule} said all clear while the crane kept moving slowly:\n{_story(events)}"
    stopped = drive.ts
    for _ in range(math.ceil(probe.clear_after_s / probe.interval_s) + 4):
        drive.send(0.0)
    events = drive.events()
    resolved = [e for e in events if e.state == "resolved"]
    assert len(resolved) == 1 and events[-1].state == "resolved", _story(events)
    # the last steps before the stop, each under the noise, cannot be told from standing: at 0.4 of a
    # noise a sample (every probe's creep), at most UNSEEN_STEPS of them count as standing already
    earliest = stopped + probe.clear_after_s - UNSEEN_STEPS * probe.interval_s
    assert resolved[0].ts >= earliest - 1e-6, _story(events)


@pytest.mark.parametrize("probe", CREEP, ids=CREEP_IDS)
@SETTINGS
@given(data=st.data())
def test_no_all_clear_while_moving_slowly(probe: Probe, data: st.DataObject) -> None:
    """Slow motion with its readings missing, stale, broken or silent in between: never an all-clear."""
    slow = replace(probe, beyond=(probe.creep,))
    steps = data.draw(st.lists(steps_of(slow), max_size=25), label="then")
    drive = creeping(slow)
    for step in steps:
        drive.step(step)
    drive.send(probe.creep)  # still moving at the end
    events = drive.events()
    assert events and events[0].state == "firing", _story(events)
    said = [e for e in events if e.state == "resolved" or "恢复正常" in e.message]
    assert not said, f"{probe.rule} said all clear while the crane kept moving slowly:\n{_story(events)}"


# ---- the cameras' checks, fed as vision events ----------------------------------------------------


@pytest.mark.parametrize("rule", sorted(vision_rules.CLAUSES))
@SETTINGS
@given(repeats=st.lists(st.sampled_from(["firing", "other"]), max_size=10))
def test_a_camera_check_resolves_only_when_vision_says_it_ended(rule: str, repeats: list[str]) -> None:
    """A check that started stays firing through its repeats and the other checks' events; only its own
    end (vision's CLEAR_FRAMES frames without it) is the all-clear."""
    events: list[AlertEvent] = []
    manager = AlertManager(":memory:", PROJECT, events.append, clock=lambda: T0)
    target = "" if rule in ("vision.no_helmet", "camera.offline") else "zone-A"
    other = next(r for r in sorted(vision_rules.CLAUSES) if r != rule)
    manager.handle(
        [vision_rules.to_rule_result(VisionEvent("cam-1", rule, target, "firing", T0, 0.9, "seen"))]
    )
    for i, what in enumerate(repeats, 1):
        event = (
            VisionEvent("cam-1", rule, target, "firing", T0 + i, 0.9, "seen")
            if what == "firing"
            else VisionEvent("cam-1", other, "", "resolved", T0 + i, 0.0)
        )
        manager.handle([vision_rules.to_rule_result(event)])
    mine = [e for e in events if e.rule == rule]
    assert [e.state for e in mine] == ["firing"]
    manager.handle(
        [vision_rules.to_rule_result(VisionEvent("cam-1", rule, target, "resolved", T0 + 99, 0.0))]
    )
    mine = [e for e in events if e.rule == rule]
    assert [e.state for e in mine] == ["firing", "resolved"] and "恢复正常" in mine[-1].message
    manager.close()


# ---- a box that answers with no numbers -------------------------------------------------------------


@pytest.mark.parametrize("probe", [p for p in PROBES if p.link_only], ids=lambda p: p.device)
def test_a_device_answering_nan_is_a_sensor_fault_until_it_reads_numbers(probe: Probe) -> None:
    """Its answers bring its link back (device.offline resolves), but what it answers is no reading: a
    sensor.fault of the metric stands instead, so the site never sees an all-clear while nothing is
    measured; the first number clears it."""
    drive = fire(probe, None)
    for _ in range(5):
        drive.send(math.nan, absolute=True)
    out: list[AlertEvent] = []
    replay(SITE, drive.readings, out.append)
    faults = [e for e in out if (e.rule, e.device, e.point) == ("sensor.fault", probe.device, probe.point)]
    assert [e.state for e in faults] == ["firing"] and "读数非数值" in faults[0].message, _story(out)
    assert isinstance(probe.clear, float)
    drive.send(probe.clear + 0.25, absolute=True)  # a new value (the one before a day ago is stuck)
    out = []
    replay(SITE, drive.readings, out.append)
    faults = [e for e in out if (e.rule, e.device, e.point) == ("sensor.fault", probe.device, probe.point)]
    assert [e.state for e in faults] == ["firing", "resolved"], _story(out)
