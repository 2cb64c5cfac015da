"""The rules' shortcuts change no verdict: each is compared with the straightforward path on random input.

- the engine keeps what a pit series, a device's rule sections and a broken sensor's message need
  from one reading to the next (a broken point's verdict is made once per sample and handed to its
  other metrics while the same fault stands first), sends a crane's kinematic readings straight to
  its memory, and keeps the collision check's view of every crane; an engine that forgets all of it
  before every batch (and takes every reading through the full dispatch) must give the same readings
  (faults marked alike) and the same verdicts, message for message;
- crane.zone skips zones whose bounding box the hook is outside: a hook inside a polygon, or on its
  edge, is always within that box;
- a rule whose reading is clear and whose memory is quiet (clear, nothing owed to the alert
  manager) makes no verdict: a report of None would have returned nothing then;
- the collision check judges again only the cranes whose group moved, or that are not clear: on
  a site of two crane groups and a crane above one of them, an engine that judges every crane at
  every sample gives the same verdicts;
- the alert manager folds a repeated verdict's figures into its alert only when the alert is read:
  the events and the alerts it reports must be those of a manager read after every verdict;
- a tilt or wind reading within its route's quiet band, while its rules are quiet, is passed
  without being judged; a load ratio below every threshold (a clearance beyond every one) of a quiet
  crane returns before banded_level: an engine that judges each in full gives the same verdicts,
  at and a float's step around every edge, after verdicts and after the ends of warm-ups;
- a tick skips the offline walk while no watched device can be past a limit, and the site's date
  while well inside its day; a sample skips the offline memory of a device known online: an engine
  that does all of it every time gives the same verdicts around every limit and midnight, through
  links lost, clock steps and warm-ups;
- the alert manager releases held alerts only when it holds some, and hands an event over without
  reading it back when nothing was refused before it: a manager that takes every event through its
  pending queue gives the same events in the same order, through refusals, silences and inhibitions.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.alert_event import AlertEvent, Level
from contract.config import LoadedSite
from contract.config.crane import LoadChartPoint
from contract.readings import DeviceStatus, Quality, Reading
from gateway.alerts.manager import AlertManager
from gateway.alerts.models import SilenceSpec
from kinds.crane.collision import CraneView, clearances, worst_clearance
from kinds.crane.judge import CraneJudge
from kinds.crane.kind import CraneDevice
from kinds.crane.load import ChartTable, rated_load
from kinds.crane.thresholds import CraneCollisionRule, CraneTiltRule, CraneWindRule
from kinds.crane.tilt import STRICT as TILT_STRICT
from kinds.crane.tilt import quiet_tilts, tilt_thresholds
from kinds.crane.wind import quiet_winds, wind_thresholds
from kinds.crane.zone import BOX_MARGIN_M
from kinds.pit.displacement import CUMULATIVE, PitRules
from kinds.pit.judge import PitJudge
from rules import RuleEngine, RuleResult
from rules.geometry import along_jib, bounding_box, inside_polygon, near_box, polygon_edge_distance
from rules.levels import LevelMemory, Strict, banded_level, clear_below, clear_from
from rules.result import rank
from tests.rules.native import COMPILED
from tests.rules.sites import PROJECT, reference_site, site_variant

if COMPILED:  # these checks swap the rules' own methods for plain ones, which compiled classes refuse
    pytest.skip(
        "the shortcuts are checked on the rules' sources: tests/rules/test_native.py runs this file "
        "with SITEGW_PURE_PYTHON=1",
        allow_module_level=True,
    )

SITE = reference_site()
T = TypeVar("T")
PIT_CODES = ["ZQS-01", "ZQS-02", "CX-01", "ZL-01", "SW-01", "NOPE-9"]  # the last is no point of pit-1
PIT_METRICS = ["disp_h_mm", "disp_v_mm", "incl_mm", "axial_kn", "water_level_m", "settle_mm"]
# edges of the default ranges and sentinels, repeated values (stuck, cached messages), signed zeros
SPECIAL = [0.0, -0.0, 1.0, 1.5, 30.0, 35.0, 100.0, -9999.0, 9999.0, 1e9]
values = st.one_of(st.sampled_from(SPECIAL), st.floats(-200, 200, allow_nan=False).map(lambda v: round(v, 1)))


@st.composite
def samples(draw: st.DrawFn) -> list[Reading]:
    """One device's readings at one instant (the caller sets the ts)."""
    kind = draw(st.sampled_from(["crane", "anemometer", "pit", "pit", "pit"]))
    quality = draw(st.sampled_from([Quality.OK, Quality.OK, Quality.OK, Quality.BACKFILL, Quality.STALE]))
    if kind == "crane":
        device = draw(st.sampled_from(["crane-1", "crane-2"]))
        metrics = draw(
            st.lists(
                st.sampled_from(["load_t", "radius_m", "slew_deg", "height_m", "tilt_deg", "wind_ms"]),
                min_size=1,
                max_size=6,
                unique=True,
            )
        )
        return [Reading(0.0, PROJECT, device, m, draw(values), quality=quality) for m in metrics]
    if kind == "anemometer":
        return [Reading(0.0, PROJECT, "anemo-1", "wind_ms", draw(values), quality=quality)]
    point = draw(st.sampled_from(PIT_CODES))
    metrics = draw(st.lists(st.sampled_from(PIT_METRICS), min_size=1, max_size=4, unique=True))
    return [Reading(0.0, PROJECT, "pit-1", m, draw(values), quality=quality, point=point) for m in metrics]


@st.composite
def streams(draw: st.DrawFn) -> list[list[Reading]]:
    """Batches in time order; steps from a second to hours, and some repeated instants."""
    ts = 1795222800.0
    out = []
    for sample in draw(st.lists(samples(), min_size=1, max_size=60)):
        ts += draw(st.sampled_from([0.0, 1.0, 1.0, 60.0, 7200.0, 30 * 3600.0]))
        out.append(
            [Reading(ts, r.project, r.device, r.metric, r.value, r.unit, r.quality, r.point) for r in sample]
        )
    return out


def cranes_of(engine: RuleEngine) -> CraneJudge:
    """The engine's judge of its tower cranes."""
    judge = engine._judges["crane"]
    assert isinstance(judge, CraneJudge)
    return judge


def plain_engine(site: LoadedSite = SITE) -> RuleEngine:
    """An engine whose every tick walks every watched device's offline limits, as before the calm
    bound (DeviceOffline.calm_until): never calm; and whose collision check takes every clearance
    through banded_level (no clear line to return at before it: see forget_shortcuts for load's)."""
    engine = RuleEngine(site)
    engine._offline.calm_until = lambda limits: -math.inf  # type: ignore[method-assign]
    collision = cranes_of(engine)._collision
    make_plan = collision._make_plan

    def plan_without_clear_line(cranes: list[CraneView], cfg: CraneCollisionRule) -> None:
        make_plan(cranes, cfg)
        collision._clear = math.inf

    collision._make_plan = plan_without_clear_line  # type: ignore[method-assign]
    return engine


def forget_shortcuts(engine: RuleEngine) -> None:
    """Make ``engine`` look everything up again at its next reading, as before the shortcuts: every
    crane kinematic reading through ``_reading``'s cases (tilts and winds judged whatever their quiet
    bands), the collision check's view of every crane made afresh from the cranes' kinematics, a
    device's online state looked up in the offline memory, the site's date worked out at every tick,
    every load ratio taken through banded_level."""
    pits = engine._judges.get("pit")
    if isinstance(pits, PitJudge):
        pits._plans.clear()
    engine._shared._sections.clear()
    engine._shared.fault._said.clear()
    engine._shared.fault._built.clear()
    for plan in engine._plans.values():
        plan.routes.clear()
    for watch in engine._offline._watch.values():
        watch.quiet_at = -1
    if engine._personnel is not None:
        engine._personnel._within_day = (math.inf, -math.inf)
    judge = cranes_of(engine)
    for load_plan in judge._load._plans.values():
        load_plan.clear = -math.inf  # every ratio through banded_level
    judge._views = [
        CraneView(
            v.device,
            v.name,
            v.spec,
            v.slew_deg,
            v.radius_m,
            v.height_m,
            v.ts,
            (v.slew_deg_s, v.radius_ms, v.height_ms),
            v.stale_s,
        )
        for v in judge._views
    ]  # a new list: the collision check judges every crane again, none skipped as unmoved


@st.composite
def pit_walks(draw: st.DrawFn) -> list[list[Reading]]:
    """One pit point's metrics creeping (small steps, never judged broken) across their levels, each
    sample some of them: a metric's verdict stands in for the point's while it is the worst."""
    ts = 1795222800.0
    now = dict.fromkeys(PIT_METRICS[:5], 0.0)
    out = []
    for _ in range(draw(st.integers(1, 40))):
        ts += draw(st.sampled_from([600.0, 3600.0, 7200.0]))
        metrics = draw(st.lists(st.sampled_from(list(now)), min_size=1, max_size=5, unique=True))
        for m in metrics:
            now[m] = round(now[m] + draw(st.floats(-6, 9)), 1)
        out.append([Reading(ts, PROJECT, "pit-1", m, now[m], point="ZQS-01") for m in metrics])
    return out


# a broken sensor's readings (out of range) mixed with valid ones, both signed zeros among them
broken_values = st.sampled_from([-9999.0, 9999.0, 1e9, 0.0, -0.0, 1.0, 2.0])


@st.composite
def broken_pit_samples(draw: st.DrawFn) -> list[list[Reading]]:
    """Samples of two pit points whose metrics break and mend: a broken point's warning is made once
    per sample and handed to its other metrics while the same fault stands first; a new instant, a
    backfilled sample or a new faulty reading must each give a new one."""
    ts = 1795222800.0
    out = []
    for _ in range(draw(st.integers(1, 30))):
        ts += draw(st.sampled_from([0.0, 1.0, 1.0, 60.0]))
        point = draw(st.sampled_from(["ZQS-01", "ZQS-02"]))
        quality = draw(st.sampled_from([Quality.OK, Quality.OK, Quality.BACKFILL]))
        metrics = draw(st.lists(st.sampled_from(PIT_METRICS), min_size=1, max_size=6, unique=True))
        out.append(
            [
                Reading(ts, PROJECT, "pit-1", m, draw(broken_values), quality=quality, point=point)
                for m in metrics
            ]
        )
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_pit_samples())
def test_broken_sensor_shortcuts_change_no_verdict(batches: list[list[Reading]]) -> None:
    _judged_alike(batches)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_engine_shortcuts_change_no_verdict(batches: list[list[Reading]]) -> None:
    _judged_alike(batches)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pit_walks())
def test_pit_shortcuts_change_no_verdict(batches: list[list[Reading]]) -> None:
    _judged_alike(batches)


def _judged_alike(batches: list[list[Reading]]) -> None:
    fast, plain = RuleEngine(SITE), plain_engine()
    # the fast engine's verdicts are read only once the whole stream is judged, the plain one's at
    # once: a verdict whose figures are made when first read (LazyResult) must still be its instant's
    late: list[list[RuleResult]] = []
    at_once: list[str] = []
    for batch in batches:
        forget_shortcuts(plain)
        got, want = fast.evaluate(batch), plain.evaluate(batch)
        # repr: a NaN figure is equal to itself there, and every field of every verdict is compared
        assert repr(got.readings) == repr(want.readings)
        late.append(got.results)
        at_once.append(repr(want.results))
        now = batch[0].ts + 3600
        forget_shortcuts(plain)
        late.append(fast.tick(now))
        at_once.append(repr(plain.tick(now)))
    assert [repr(results) for results in late] == at_once


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_replay_judges_an_instant_as_its_samples(batches: list[list[Reading]]) -> None:
    """replay (sitegw replay, the warm-up) splits each instant's batch into samples by device alone:
    an engine stepped through the same instants, each a tick and a batch split by device and ts, gives
    the same verdicts."""
    ordered = sorted((r for batch in batches for r in batch), key=lambda r: r.ts)
    fast, plain = RuleEngine(SITE), plain_engine()
    late: list[list[RuleResult]] = []
    at_once: list[str] = []
    for ts, batch, results in fast.replay(ordered):
        late.append(results)
        forget_shortcuts(plain)
        at_once.append(repr(plain.tick(ts) + plain.evaluate(batch).results))
    assert [repr(results) for results in late] == at_once


# what the engine may be handed besides a batch: a tick, a driver's link state, a clock step, the end of
# a warm-up (resume)
Step = (
    list[Reading]
    | tuple[Literal["tick"], float]
    | tuple[Literal["status"], DeviceStatus]
    | tuple[Literal["clock"], float, float]
    | tuple[Literal["resume"], float]
)


def _stepped_alike(steps: list[Step], site: LoadedSite = SITE) -> None:
    """The fast engine and a plain one (shortcuts forgotten before each step, never calm) give the
    same readings and verdicts, the fast one's verdicts read only once the whole stream is judged."""
    fast, plain = RuleEngine(site), plain_engine(site)
    late: list[list[RuleResult]] = []
    at_once: list[str] = []
    for step in steps:
        forget_shortcuts(plain)
        if isinstance(step, list):
            got, want = fast.evaluate(step), plain.evaluate(step)
            assert repr(got.readings) == repr(want.readings)
            late.append(got.results)
            at_once.append(repr(want.results))
        elif step[0] == "tick":
            late.append(fast.tick(step[1]))
            at_once.append(repr(plain.tick(step[1])))
        elif step[0] == "status":
            late.append(fast.on_status(step[1]))
            at_once.append(repr(plain.on_status(step[1])))
        elif step[0] == "clock":
            fast.clock_stepped(step[1], step[2])
            plain.clock_stepped(step[1], step[2])
        else:
            fast.resume(step[1])
            plain.resume(step[1])
    assert [repr(results) for results in late] == at_once


def _around(*values: float) -> list[float]:
    """Each value and the floats next to it on either side."""
    return [v for x in values for v in (math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf))]


def _rules_of(device: str, section: str, kind: type[T]) -> T:
    found = SITE.config.rules.for_device(device, section)
    assert isinstance(found, kind)
    return found


WIND_CFG = _rules_of("anemo-1", "crane_wind", CraneWindRule)
TILT_CFG = _rules_of("crane-1", "crane_tilt", CraneTiltRule)
TILT_LIMIT = 4.0  # ‰, crane-1's and crane-2's in the reference site
# the quiet bands' edges, the thresholds and their clearing bands, the valid range's ends
WIND_EDGES = _around(
    quiet_winds(WIND_CFG), 0.0, 60.0, *(t * f for _, t in wind_thresholds(WIND_CFG) for f in (1, 0.95))
)
TILT_EDGES = _around(
    *quiet_tilts(TILT_LIMIT, TILT_CFG),
    *(
        s * math.degrees(math.atan(t * f / 1000))
        for _, t in tilt_thresholds(TILT_LIMIT, TILT_CFG)
        for f in (1, 0.95)
        for s in (1, -1)
    ),
)


@st.composite
def quiet_streams(draw: st.DrawFn) -> list[Step]:
    """Winds and tilts at and around their quiet bands' edges and their thresholds, a gust's run of
    samples above the alarm speed, broken wind sensors, backfill and stale readings, ticks and the
    ends of warm-ups (after which every rule owes a report, whatever its band)."""
    ts = 1795222800.0
    out: list[Step] = []
    for _ in range(draw(st.integers(1, 60))):
        ts += draw(st.sampled_from([0.0, 1.0, 1.0, 1.0, 5.0]))
        what = draw(st.sampled_from(["wind", "wind", "tilt", "tilt", "tick", "resume"]))
        if what == "tick":
            out.append(("tick", ts + draw(st.sampled_from([0.0, 2.0, 4.0, 700.0]))))
            continue
        if what == "resume":
            out.append(("resume", ts))
            continue
        quality = draw(st.sampled_from([Quality.OK, Quality.OK, Quality.BACKFILL, Quality.STALE]))
        if what == "wind":
            wind = draw(st.one_of(st.sampled_from([*WIND_EDGES, -1.0, 99.0]), st.floats(-1, 25)))
            out.append([Reading(ts, PROJECT, "anemo-1", "wind_ms", wind, quality=quality)])
            continue
        tilt = draw(st.one_of(st.sampled_from(TILT_EDGES), st.floats(-0.5, 0.5)))
        device = draw(st.sampled_from(["crane-1", "crane-2"]))
        out.append([Reading(ts, PROJECT, device, "tilt_deg", tilt, quality=quality)])
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quiet_streams())
def test_quiet_bands_change_no_verdict(steps: list[Step]) -> None:
    """A tilt or a wind within its route's quiet band, while its rules are quiet, is passed without
    being judged: an engine that judges every reading gives the same verdicts, and a tilt or wind
    just outside a band, the first reading after a verdict and after a warm-up are judged in full."""
    _stepped_alike(steps)


@given(st.sampled_from(TILT_EDGES), st.floats(-89, 89), st.booleans())
def test_a_tilt_within_its_quiet_band_is_below_every_threshold(
    edge: float, tilt: float, at_edge: bool
) -> None:
    """quiet_tilts holds only angles whose verticality banded_level finds clear from a clear level."""
    lo, hi = quiet_tilts(TILT_LIMIT, TILT_CFG)
    tilt = edge if at_edge else tilt
    if lo <= tilt < hi:
        per_mille = abs(math.tan(math.radians(tilt))) * 1000.0
        assert (
            banded_level(per_mille, tilt_thresholds(TILT_LIMIT, TILT_CFG), None, 0.05, strict=TILT_STRICT)
            is None
        )


thresholds_lists = st.lists(
    st.tuples(st.sampled_from(["warning", "alarm", "critical"]), st.floats(-1e6, 1e6)), min_size=1, max_size=3
)


# how a rule words its lines: the direction's usual reading, all strict or inclusive, some levels strict
STRICTNESS = st.sampled_from(
    [None, True, False, frozenset(), frozenset({"alarm"}), frozenset({"warning", "critical"})]
)


@given(thresholds_lists, st.floats(allow_nan=True), st.floats(0, 0.5), STRICTNESS, st.data())
def test_clear_lines_are_where_banded_level_finds_no_level(
    thresholds: list[tuple[Level, float]], value: float, band: float, strict: Strict, data: st.DataObject
) -> None:
    """clear_below and clear_from, which the quiet bands and the load and collision checks compare a
    value with before banded_level, give no level exactly where banded_level from a clear level does,
    whichever lines are strict (大于/小于) and which inclusive (达到/不大于)."""
    below, above = clear_below(thresholds, strict), clear_from(thresholds, strict)
    lines = [t + d for _, t in thresholds for d in (0.0, abs(t) * 1e-9, -abs(t) * 1e-9)]
    for v in [value, *_around(below, above, *lines)]:
        assert (v < below) == (
            not math.isnan(v) and banded_level(v, thresholds, None, band, strict=strict) is None
        )
        clear = banded_level(v, thresholds, None, band, higher_is_worse=False, strict=strict) is None
        assert (v >= above) == (not math.isnan(v) and clear)


MIDNIGHT = 1795276800.0  # 2026-11-20 00:00 at UTC+8, the reference site's licence offset


SAMPLED = {
    "crane-1": ("tilt_deg", ""),
    "anemo-1": ("wind_ms", ""),
    "pit-1": ("disp_h_mm", "ZQS-01"),
    "hoist-1": ("load_t", ""),
}
# instants a hair from the site's midnight on either side, the first a float's step before it
NEAR_MIDNIGHT = [m + d for m in _around(MIDNIGHT, MIDNIGHT + 86400) for d in (0.0, -0.002, -0.0005, 0.0005)]


@st.composite
def offline_streams(draw: st.DrawFn) -> list[Step]:
    """A site's instants around its midnight, most watched devices reporting at each (the bound is
    calm only while every one of them is within its limits), some falling silent for a while; ticks
    at and a hair around their limits (3 s at 1 Hz, 6 h for the pit) and midnight (the key people's
    certificates are judged once a day); drivers reporting links lost and back, clock steps both
    ways and ends of warm-ups."""
    ts = MIDNIGHT - draw(st.sampled_from([1.0, 3.0, 10.0, 7200.0]))
    silent = set(draw(st.lists(st.sampled_from(list(SAMPLED)), max_size=2)))
    out: list[Step] = []
    for _ in range(draw(st.integers(1, 40))):
        ts += draw(st.sampled_from([0.5, 1.0, 1.0, 1.0, 2.0, 4.0, 60.0]))
        if draw(st.integers(0, 9)) == 0:  # a device falls silent, or comes back
            silent ^= {draw(st.sampled_from(list(SAMPLED)))}
        quality = draw(st.sampled_from([Quality.OK, Quality.OK, Quality.OK, Quality.BACKFILL, Quality.STALE]))
        for device, (metric, point) in SAMPLED.items():
            if device not in silent:
                out.append([Reading(ts, PROJECT, device, metric, 0.0, quality=quality, point=point)])
        for _ in range(draw(st.integers(0, 2))):
            what = draw(st.sampled_from(["tick", "tick", "tick", "midnight", "status", "clock", "resume"]))
            if what == "tick":
                late = draw(st.sampled_from([0.0, 1.0, 2.0, 3.0, 6 * 3600.0]))
                out.append(("tick", draw(st.sampled_from(_around(ts + late)))))
            elif what == "midnight":
                out.append(("tick", draw(st.sampled_from(NEAR_MIDNIGHT))))
            elif what == "status":
                device = draw(st.sampled_from(list(SAMPLED)))
                out.append(("status", DeviceStatus(ts, device, draw(st.booleans()), "timeout")))
            elif what == "clock":
                out.append(("clock", draw(st.sampled_from([-3600.0, -2.0, 2.0, 3600.0])), ts))
            else:
                out.append(("resume", ts))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(offline_streams())
def test_calm_ticks_change_no_verdict(steps: list[Step]) -> None:
    """A tick before any watched device can be past a limit skips the offline walk, a tick well
    inside the site's day skips working out its date, and a sample of a device known online skips
    its offline memory: an engine that does all of it at every tick and sample gives the same
    verdicts, at and a hair before or after every limit and midnight."""
    _stepped_alike(steps)


def _no_grace(data: dict[str, Any]) -> None:
    """The reference site with an absence an alarm at once (the grace period is 30 minutes)."""
    data["rules"]["personnel"]["absent_grace_min"] = 0


with tempfile.TemporaryDirectory() as _folder:
    NO_GRACE = site_variant(Path(_folder), _no_grace)


@st.composite
def personnel_streams(draw: st.DrawFn) -> list[Step]:
    """The key people passing the gate while the hoist works on and off: the absent role's alarm
    repeats at every tick, its verdict made only when read (LazyResult), and clears when the role
    comes back or the work stops."""
    ts = MIDNIGHT + 8 * 3600
    out: list[Step] = []
    for _ in range(draw(st.integers(1, 60))):
        ts += draw(st.sampled_from([1.0, 60.0, 240.0, 400.0]))  # work counts on for 300 s after a sign
        what = draw(st.sampled_from(["gate", "hoist", "hoist", "tick", "tick", "tick"]))
        if what == "tick":
            out.append(("tick", ts))
        elif what == "gate":
            person = draw(st.sampled_from(["KP-01", "KP-02", "KP-03", "W-0001"]))
            out.append([Reading(ts, PROJECT, "gate-1", "on_site", float(draw(st.booleans())), point=person)])
        else:
            out.append([Reading(ts, PROJECT, "hoist-1", "load_t", draw(st.sampled_from([0.0, 1.0])))])
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(personnel_streams())
def test_personnel_verdicts_read_late_are_their_instants(steps: list[Step]) -> None:
    """An absence's alarm read once the whole stream is judged is the one of its tick."""
    _stepped_alike(steps, NO_GRACE)


def _two_crane_groups(data: dict[str, Any]) -> None:
    """crane-1 and crane-2 as shipped, and a copy of the pair 1 km east (crane-3 and crane-4) that
    neither of them can reach; one more crane, crane-5, high above the copy and reaching both of it."""
    cranes = [d for d in data["devices"] if d["kind"] == "crane"]
    for k, template in enumerate(cranes, start=3):
        dev = copy.deepcopy(template)
        dev["id"], dev["name"] = f"crane-{k}", f"{k}号塔吊"
        dev["crane"]["position_m"] = [dev["crane"]["position_m"][0] + 1000, dev["crane"]["position_m"][1]]
        dev["transport"]["port"] = (
            5100 + k if isinstance(dev["transport"].get("port"), int) else f"/dev/ttyX{k}"
        )
        data["devices"].append(dev)
    high = copy.deepcopy(cranes[0])
    high["id"], high["name"] = "crane-5", "5号塔吊"
    high["crane"]["position_m"] = [1025, 30]
    high["crane"]["jib_height_m"] = 80
    for dev in (*data["devices"][-2:], cranes[0]):
        dev["crane"]["slew_limiter_set"] = True  # jibs that reach a higher tower: kept off by their limiters
    high["transport"]["port"] = 5105 if isinstance(high["transport"].get("port"), int) else "/dev/ttyX5"
    data["devices"].append(high)
    data["sirens"] = []


with tempfile.TemporaryDirectory() as _folder:
    GROUPS = site_variant(Path(_folder), _two_crane_groups)
CRANES = ["crane-1", "crane-2", "crane-3", "crane-4", "crane-5"]
angles = st.one_of(st.sampled_from([0.0, 90.0, 180.0, 270.0]), st.floats(0, 360, allow_nan=False))


@st.composite
def crane_streams(draw: st.DrawFn) -> list[list[Reading]]:
    """Crane samples in time order, some cranes still (or never) moving, slews that bring pairs close."""
    ts = 1795222800.0
    out = []
    for _ in range(draw(st.integers(1, 50))):
        ts += draw(st.sampled_from([0.0, 1.0, 1.0, 5.0]))
        if draw(st.integers(0, 15)) == 0:
            out.append([])  # the end of a warm-up: every crane reports its next verdict again
            continue
        device = draw(st.sampled_from(CRANES))
        metrics = draw(
            st.lists(
                st.sampled_from(["slew_deg", "radius_m", "height_m"]), min_size=1, max_size=3, unique=True
            )
        )
        values = {"slew_deg": angles, "radius_m": st.floats(2, 50), "height_m": st.floats(-5, 90)}
        out.append([Reading(ts, PROJECT, device, m, draw(values[m])) for m in metrics])
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(crane_streams())
def test_cranes_whose_group_did_not_move_are_judged_alike(batches: list[list[Reading]]) -> None:
    """The collision check skips a quiet crane whose group (it and the cranes it can come close to)
    did not move: an engine that judges every crane at every sample gives the same verdicts."""
    fast, plain = RuleEngine(GROUPS), plain_engine(GROUPS)
    late: list[list[RuleResult]] = []  # read once the stream is judged, as in the test above
    at_once: list[str] = []
    for batch in batches:
        if not batch:
            fast.resume(0.0)
            plain.resume(0.0)
            continue
        forget_shortcuts(plain)
        late.append(fast.evaluate(batch).results)
        at_once.append(repr(plain.evaluate(batch).results))
    assert [repr(results) for results in late] == at_once


coords = st.floats(-100, 100, allow_nan=False)


@given(
    st.lists(st.tuples(coords, coords), min_size=3, max_size=8),
    st.tuples(coords, coords),
    st.integers(0, 7),
    st.floats(0, 1),
)
def test_a_hook_in_a_zone_is_always_near_its_box(
    polygon: list[tuple[float, float]], hook: tuple[float, float], edge: int, t: float
) -> None:
    box = bounding_box(polygon)
    # a random point, and a point on one of the polygon's edges (inside by the edge tolerance)
    a, b = polygon[edge % len(polygon)], polygon[(edge + 1) % len(polygon)]
    on_edge = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
    for p in (hook, on_edge):
        if inside_polygon(p, polygon):
            assert near_box(p, box, BOX_MARGIN_M), (p, polygon)
        if not near_box(p, box, BOX_MARGIN_M):
            assert polygon_edge_distance(p, polygon) > BOX_MARGIN_M / 2


CFG = SITE.config.rules.crane_collision
SPECS = {d.id: d.crane for d in GROUPS.config.devices if isinstance(d, CraneDevice)}


@st.composite
def crane_views(draw: st.DrawFn, device: str) -> CraneView:
    """``device``'s view at a random slew, radius and height, any of them unknown."""
    spec = SPECS[device]
    maybe = lambda values: st.one_of(st.none(), values)  # noqa: E731
    return CraneView(
        device,
        device,
        spec,
        draw(maybe(angles)),
        draw(maybe(st.floats(0, 60))),
        draw(maybe(st.floats(-5, 90))),
    )


@given(crane_views("crane-1"), st.lists(st.sampled_from(CRANES[1:]), min_size=1, max_size=6), st.data())
def test_the_worst_clearance_is_the_least_of_all(
    lower: CraneView, devices: list[str], data: st.DataObject
) -> None:
    """worst_clearance picks what ``min`` over every clearance picks, the first of equal ones (two
    cranes may stand alike), to the last bit."""
    cranes = [lower, *(data.draw(crane_views(d)) for d in devices)]
    if data.draw(st.booleans()):  # a tie: a crane like the last in every way but its id
        last = cranes[-1]
        cranes.append(CraneView("twin", "twin", last.spec, last.slew_deg, last.radius_m, last.height_m))
    found = [c for other in cranes[1:] for c in clearances(lower, other, CFG)]
    want = min(found, key=lambda c: c.metres) if found else None
    assert worst_clearance(lower, cranes[1:], CFG) == want


@given(crane_views("crane-2"))
def test_a_crane_view_lies_along_its_jib(view: CraneView) -> None:
    """A view's jib ends and hook are along_jib's points, to the last bit."""
    spec, slew = view.spec, view.slew_deg
    if slew is None:
        assert view.jib is None and view.hook is None
        return
    assert view.jib == (along_jib(spec, slew, -spec.counter_jib_m), along_jib(spec, slew, spec.jib_m))
    assert view.hook == (None if view.radius_m is None else along_jib(spec, slew, view.radius_m))


@st.composite
def load_charts(draw: st.DrawFn) -> list[LoadChartPoint]:
    """A chart of strictly increasing radii (as CraneSpec allows), sometimes the example crane's."""
    if draw(st.booleans()):
        return SPECS["crane-1"].load_chart
    radii = sorted(set(draw(st.lists(st.floats(0.5, 80), min_size=1, max_size=8))))
    return [LoadChartPoint(radius_m=r, rated_t=draw(st.floats(0.1, 20))) for r in radii]


@given(load_charts(), st.data())
def test_a_chart_table_rates_as_the_chart(chart: list[LoadChartPoint], data: st.DataObject) -> None:
    """ChartTable.rated gives rated_load's figure to the last bit: at the chart's radii, between
    them, and beyond either end."""
    table = ChartTable(chart)
    radii = [p.radius_m for p in chart]
    for radius in [*radii, *data.draw(st.lists(st.floats(0, 100), max_size=10))]:
        assert table.rated(radius) == rated_load(chart, radius)


verdicts = st.builds(
    lambda device, rule, level, value, k: RuleResult(
        rule=rule,
        device=device,
        point="",
        level=level,
        ts=float(k),
        clause=f"clause {level}",
        value=value,
        message=f"{device} {rule} {level} {value}",
        message_en=f"{device} {rule} {level} {value} en",
    ),
    st.sampled_from(["crane-1", "crane-2"]),
    st.sampled_from(["crane.load", "crane.wind", "device.offline"]),
    st.sampled_from(["warning", "warning", "alarm", None]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).filter(lambda v: not math.isnan(v)),
    st.integers(0, 1000),
)


def _events_without_ids(events: list[AlertEvent]) -> list[dict[str, object]]:
    return [e.model_dump(exclude={"event_id"}) for e in events]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(verdicts, max_size=12), max_size=12), st.integers(0, 11))
def test_alert_figures_folded_when_read_equal_folded_at_once(
    tmp_path: Path, batches: list[list[RuleResult]], ack_after: int
) -> None:
    n = len(list(tmp_path.iterdir()))
    fast_events: list[AlertEvent] = []
    plain_events: list[AlertEvent] = []
    fast = AlertManager(tmp_path / f"fast-{n}.db", PROJECT, fast_events.append, clock=lambda: 5000.0)
    plain = AlertManager(tmp_path / f"plain-{n}.db", PROJECT, plain_events.append, clock=lambda: 5000.0)
    try:
        for i, batch in enumerate(batches):
            fast.handle(batch)
            for result in batch:
                plain.handle([result])
                plain.list_alerts()  # reads every active alert: its figures are folded in at once
            if i == ack_after:  # a supervisor acts between verdicts: the alert as it stands is written
                for manager in (fast, plain):
                    firing = manager.list_alerts(state="firing")
                    if firing:
                        manager.acknowledge(firing[0].alert_id, "王工", "seen")
            fast.tick(5000.0)
            plain.tick(5000.0)
        assert _events_without_ids(fast_events) == _events_without_ids(plain_events)
        assert [a.model_dump() for a in fast.list_alerts()] == [a.model_dump() for a in plain.list_alerts()]
        for alert in fast.list_alerts():
            assert fast.get(alert.alert_id).alert == plain.get(alert.alert_id).alert
    finally:
        fast.close()
        plain.close()


manager_steps = st.lists(
    st.one_of(
        st.tuples(st.just("verdicts"), st.lists(verdicts, max_size=8)),
        st.tuples(st.just("tick"), st.integers(0, 1500)),
        st.tuples(st.just("refuse"), st.booleans()),
        st.tuples(st.just("silence"), st.sampled_from(["crane-1", "crane-2"]), st.integers(0, 1000)),
    ),
    max_size=40,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manager_steps)
def test_alert_manager_shortcuts_change_no_event(tmp_path: Path, steps: list[tuple[Any, ...]]) -> None:
    """The alert manager hands an event to the outbox as it stored it while nothing was refused before
    it, and releases held alerts only when it holds some: a manager that takes every event through
    its pending queue delivers the same events in the same order, through an outbox that refuses
    for a while, silences that end and offline devices that inhibit (and stop inhibiting) the rest."""
    n = len(list(tmp_path.iterdir()))
    refusing = [False]

    def outbox(events: list[AlertEvent]) -> Callable[[AlertEvent], None]:
        def take(event: AlertEvent) -> None:
            if refusing[0]:
                raise OSError("outbox: disk full")
            events.append(event)

        return take

    fast_events: list[AlertEvent] = []
    plain_events: list[AlertEvent] = []
    fast = AlertManager(tmp_path / f"fast-{n}.db", PROJECT, outbox(fast_events), clock=lambda: 5000.0)
    plain = AlertManager(tmp_path / f"plain-{n}.db", PROJECT, outbox(plain_events), clock=lambda: 5000.0)
    # every event through the pending queue, as before the shortcut
    plain._hand_over = lambda event: plain._deliver_pending()  # type: ignore[method-assign]
    try:
        for step in steps:
            if step[0] == "verdicts":
                fast.handle(step[1])
                plain.handle(step[1])
            elif step[0] == "tick":
                fast.tick(float(step[1]))
                plain.tick(float(step[1]))
            elif step[0] == "refuse":
                refusing[0] = step[1]
            else:
                for manager in (fast, plain):
                    spec = SilenceSpec(
                        device=step[1],
                        author="王工",
                        reason="顶升加节",
                        start_ts=step[2],
                        end_ts=step[2] + 300,
                    )
                    manager.add_silence(spec)
            for manager in (fast, plain):  # what tick() releases from: every alert held back, no other
                assert manager._held == {f for f, a in manager._active.items() if a.notified_level != a.level}
        assert _events_without_ids(fast_events) == _events_without_ids(plain_events)
        for event in fast_events:  # handed over as stored
            assert event in fast.get(event.alert_id).history
    finally:
        fast.close()
        plain.close()


RESULT = RuleResult(rule="crane.load", device="crane-1", point="", level=None, ts=0.0)
memory_steps = st.lists(
    st.tuples(
        st.sampled_from(["report", "rearm"]),
        st.sampled_from([("crane-1", ""), ("crane-2", ""), ("pit-1", "ZQS-01")]),
        st.sampled_from([None, None, "warning", "alarm"]),
    ),
    max_size=40,
)


@given(memory_steps)
def test_a_quiet_key_skips_nothing_a_report_would_say(
    steps: list[tuple[str, tuple[str, str], str | None]],
) -> None:
    """Rules skip making a clear verdict when their memory is quiet: a report of None must then
    return nothing and leave the memory as it was (the next evaluation reports exactly as it would)."""
    fast, plain = LevelMemory(), LevelMemory()
    seen: set[tuple[str, str]] = set()
    for op, (device, point), level in steps:
        if op == "rearm":
            fast.rearm()
            plain.rearm()
            continue
        skipped = level is None and fast.quiet(device, point)
        want = plain.report(device, point, level, lambda: RESULT)  # type: ignore[arg-type]
        if skipped:
            assert want is None
        else:
            got = fast.report(device, point, level, lambda: RESULT)  # type: ignore[arg-type]
            assert (got is None) == (want is None)
        assert fast.get(device, point) == plain.get(device, point)
        assert fast.quiet(device, point) == plain.quiet(device, point)
        seen.add((device, point))
        # the collision check judges again the keys owing() names: exactly the seen keys not quiet
        assert plain.owing() == {key for key in seen if not plain.quiet(*key)}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["disp_h_mm", "disp_v_mm", "incl_mm"]),
            st.sampled_from([None, None, "warning", "alarm", "critical"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_point_s_verdict_is_its_worst_metric_s(steps: list[tuple[str, Level | None]]) -> None:
    """A pit point's verdict is its worst metric's, the judged metric's own at a tie, else the first
    worst in the order the metrics came: what max() with a key of (rank, is the judged one's) chose
    before PitRules._combine wrote it out; another metric's is restamped with this instant."""
    rules = PitRules()
    latest: dict[str, RuleResult] = {}
    for i, (metric, level) in enumerate(steps):
        result = RuleResult(
            rule=CUMULATIVE, device="pit-1", point="ZQS-01", level=level, ts=float(i), value=i
        )
        latest[metric] = result
        worst = max(latest.values(), key=lambda r: (rank(r.level), r is result))
        got = rules._combine(CUMULATIVE, "pit-1", "ZQS-01", metric, result)
        if got is None:
            assert worst.level is None  # clear and already clear: nothing to report
            continue
        assert (got.level, got.value, got.ts) == (worst.level, worst.value, result.ts)
