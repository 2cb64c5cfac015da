"""The confined spaces' judge: who goes in and out, the fan, the attendant's post and every gas reading,
through the five confined-space rules (rules/confined_*.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.readings import Reading
from kinds.confined_space import reentry as confined_reentry
from kinds.confined_space.attendant import POINT as ATTENDANT_POINT
from kinds.confined_space.attendant import ConfinedAttendant
from kinds.confined_space.entry import EntryRule
from kinds.confined_space.gas import ConfinedGas
from kinds.confined_space.kind import (
    ATTENDANT,
    FAN,
    GASES,
    INSIDE,
    KIND,
    LEL,
    O2,
    TOXIC,
    ConfinedSpaceDevice,
    mg_per_m3,
)
from kinds.confined_space.silent import ConfinedSilent
from kinds.confined_space.state import GAS_OF, Heard, Space, judged_value, within
from rules.heard import DeviceClock
from rules.kinds.base import Judge, Shared, faulted, some
from rules.levels import crosses
from rules.probes import Probe, Sample
from rules.result import RuleResult
from rules.routes import Route

HISTORY_S = 12 * 3600.0  # a working day: who went in and has not come out, the fan, the last test
UNNAMED, POST = "entry", "post"  # the points of an entry sensor and a presence switch that name nobody


def unit_of(metric: str) -> str:
    """The unit a gas metric is reported in (ppm or mg/m³ for the toxic gases)."""
    found = KIND.metric(metric)
    return found.unit if found is not None else ""


class ConfinedSpaceJudge(Judge):
    """Every confined space of one site."""

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {m: (GAS_OF[m].zh, GAS_OF[m].en) for m in GASES}

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        # each gas detector's clock and each manhole reader's, learnt from their readings: where a reading heard
        # late was taken (a set from the detector's backlog; an entry from the reader's)
        self._detectors = {d.id: DeviceClock() for d in devices}
        self._readers = {d.id: DeviceClock() for d in devices}
        self._specs = {d.id: d.confined_space for d in devices if isinstance(d, ConfinedSpaceDevice)}
        # each space keeps the sets it heard as long as a test stays valid on its site (Space.keep_s)
        self._spaces = {device: Space(spec.test_valid_min * 60) for device, spec in self._specs.items()}
        self._entry, self._reentry = EntryRule(), confined_reentry.rule()
        self._gas, self._silent, self._attendant = ConfinedGas(), ConfinedSilent(), ConfinedAttendant()
        self._broken: set[tuple[str, str]] = set()  # (device, gas metric) whose last reading was a fault

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """Who is inside since when, the fan, the last reading set."""
        return HISTORY_S if any(d.kind == "confined_space" for d in site.devices) else 0.0

    def families(self) -> Iterable[object]:
        return (self._entry, self._reentry, self._gas, self._silent, self._attendant)

    def space(self, device: str) -> Space:
        """The state of one space (the dashboard's who-is-inside)."""
        return self._spaces[device]

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        if metric in GASES:
            return Route(partial(self._reading, dev.id))
        handler = {FAN: self._fan, INSIDE: self._inside, ATTENDANT: self._post}.get(metric)
        return Route(partial(handler, dev.id)) if handler is not None else None

    def tick(self, now: float) -> list[RuleResult]:
        out: list[RuleResult] = []
        for device, space in self._spaces.items():
            if not space.inside and space.unattended_since is None and self._idle(device):
                continue  # nobody inside, nobody unattended, no alert owed: what _clock would find
            out.extend(self._clock(device, space, now))
        return out

    def _idle(self, device: str) -> bool:
        """Whether the silence and attendant rules of ``device`` are clear and owe no report."""
        return self._silent.quiet(device) and self._attendant.quiet(device)

    def resume(self, now: float) -> None:
        stop = self.shared.stop  # an alarm firing at the stop goes on (rules/heard.py)
        absent = self._attendant.restart(now, stop)
        for device, space in self._spaces.items():
            space.restart(now, partial(absent.heard, device, ATTENDANT_POINT, now=now))
        self._silent.restart(now, stop)

    def clock_stepped(self, step_s: float, now: float) -> None:
        for space in self._spaces.values():
            space.shift(step_s, now)
        for clock in (*self._detectors.values(), *self._readers.values()):
            clock.stepped(step_s, now)
        self._silent.stepped(step_s, now)
        self._attendant.stepped(step_s, now)

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each confined-space rule on the space's own limits and timings: a worker (``P1``) goes in
        untested, or back in after a break without a new test; a gas out of its limits, the detector
        silent or nobody at the entrance while they are inside; each until it ends (the worker out, the
        gas back past its band, a reading, an attendant at the post)."""
        assert isinstance(dev, ConfinedSpaceDevice)
        limits = dev.confined_space.limits
        air: dict[str, float] = {
            O2: (limits.o2_min_pct + limits.o2_max_pct) / 2,
            LEL: 0.0,
            "h2s_mgm3": 0.0,
            "co_mgm3": 0.0,
        }
        return [*_gas_probes(dev, air), *_entry_probes(dev, air), *_watch_probes(dev, air)]

    def _clock(self, device: str, space: Space, at: float) -> list[RuleResult]:
        """The silence and attendant verdicts of ``space`` at ``at``, on the gateway's clock (rules/heard.py)."""
        return self._silence(device, space, at) + self._watch(device, space, at)

    def _silence(self, device: str, space: Space, now: float) -> list[RuleResult]:
        spec, name = self._specs[device], self.shared.names[device]
        return some(self._silent.evaluate(device, name, space, spec.silent_s, now))

    def _watch(self, device: str, space: Space, now: float) -> list[RuleResult]:
        spec, name = self._specs[device], self.shared.names[device]
        found = self._attendant.evaluate(
            device, name, space, spec.attendant_grace_s, spec.reader_silent_s, now
        )
        return some(found)

    def _reading(
        self, device: str, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        broken, faults = self._sensor(device, r, value, backfill)
        # the detector's silence is when the gateway heard it; its sets, against the fan and the badge reader, lie
        # where they were taken on the gateway's clock: a backlog heard late is no test after what came between
        at = self.shared.heard_at(r.ts)
        when = Heard(r.ts, *self._detectors[device].place(r.ts, self.shared.heard))
        spec, space = self._specs[device], self._spaces[device]
        if broken:
            space.void(GAS_OF[r.metric].key, when, at)  # no test: the set it was part of is void
            return faulted(r), faults
        gas = GAS_OF[r.metric]
        judged = judged_value(r.metric, value)
        space.gas(gas.key, when, within(spec.limits, gas.key, judged), at)
        self._silent.gas(device, at)
        shown = f"{value:g} {unit_of(r.metric) if r.metric in TOXIC else gas.unit}"
        if judged != value:
            shown += f"（{judged:.1f} mg/m³）"
        found = self._gas.evaluate(
            device,
            self.shared.names[device],
            gas,
            judged,
            shown,
            spec.limits,
            spec.hysteresis_pct / 100,
            space.occupied,
            r.ts,
            backfill,
        )
        return r, faults + some(found) + self._silence(device, space, at)  # a reading ends a silence

    def _sensor(self, device: str, r: Reading, value: float, backfill: bool) -> tuple[bool, list[RuleResult]]:
        """Whether ``r`` is a reading its detector cannot give (a concentration below zero, or outside the
        site's ``sensor_fault.ranges`` for the metric), and the sensor.fault verdicts it makes. Such a
        reading says nothing of the air: it is not judged, so it clears no gas alarm, makes no test and
        ends no silence. A sound one is judged for a fault only after a broken one, which it ends."""
        shared, key = self.shared, (device, r.metric)
        valid = shared.faults(device).ranges.get(r.metric, (0.0, math.inf))
        if valid[0] <= value <= valid[1] and key not in self._broken:
            return False, []  # sound, as the last one was: no fault to judge or clear
        reason = shared.fault.judge(
            device, "", r.metric, value, r.ts, valid_range=valid, step=None, step_limit=None, stuck_s=None
        )
        found = shared.fault.report(device, "", r.metric, reason, value, shared.names[device], r.ts, backfill)
        if reason is None:
            self._broken.discard(key)
        else:
            self._broken.add(key)
        return reason is not None, some(found)

    def _fan(self, device: str, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        self._spaces[device].fan(value >= 0.5, r.ts, self.shared.heard_at(r.ts))
        return r, []

    def _inside(
        self, device: str, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        spec, space, name = self._specs[device], self._spaces[device], self.shared.names[device]
        person, at = r.point or UNNAMED, self.shared.heard_at(r.ts)
        # where the reader's clock places it: an entry from its backlog went in before the sets heard before it
        placed = Heard(r.ts, *self._readers[device].place(r.ts, self.shared.heard))
        if value < 0.5:
            if not space.leave(person, r.ts, at):
                return r, []
            found = some(self._entry.left(device, name, person, r.ts, backfill))
            found += some(self._reentry.left(device, name, person, r.ts, backfill))
            return r, found + self._clock(device, space, at)
        valid_s, break_s = spec.test_valid_min * 60, spec.break_min * 60
        # the break on the reader's own stamps; the test's age and order against the entry on the gateway's clock
        if confined_reentry.is_reentry(space, r.ts, break_s):
            rule, lacks = self._reentry, confined_reentry.lacks(space, placed, at, valid_s)
        else:
            rule, lacks = self._entry, space.ready(placed, at, valid_s)
        first = not space.occupied
        if not space.enter(person, r.ts, at):
            return r, []  # already inside: a repeated state, not an entry
        if first:
            self._silent.occupied(device, at)
            self._attendant.occupied(device, at)
        found = some(rule.entered(device, name, person, lacks, r.ts, backfill))
        return r, found + self._clock(device, space, at)

    def _post(
        self, device: str, r: Reading, value: float, backfill: bool
    ) -> tuple[Reading, list[RuleResult]]:
        # the attendant's absence is measured on the gateway's clock, never the badge reader's stamps
        spec, space, at = self._specs[device], self._spaces[device], self.shared.heard_at(r.ts)
        # its reports teach the gateway the reader's clock, where its entries are placed (_inside)
        self._readers[device].place(r.ts, self.shared.heard)
        before = self._attendant.reader(device, at)
        # the reader back after a silence past its limit: whoever it shows gone may have left at any moment of
        # it, so an empty post counts from the last time it was confirmed, never from now
        stale = (
            before is not None and space.occupied and crosses(at - before, spec.reader_silent_s, strict=True)
        )
        space.attendant(r.point or POST, value >= 0.5, before if stale and before is not None else at)
        return r, self._watch(device, space, at)


PROBE_WORKER, PROBE_ATTENDANT = "P1", "A1"  # the people of the probes (a badge's point)


def _went_in(device: str) -> tuple[tuple[str, str, Sample], ...]:
    """The probes' worker gone in (the setup of a rule that watches a space with someone inside)."""
    return ((device, PROBE_WORKER, {INSIDE: 1.0}),)


def _gas_probes(dev: ConfinedSpaceDevice, air: dict[str, float]) -> list[Probe]:
    """A gas out of its limits while the worker is inside, until back past its band."""
    spec, every = dev.confined_space, dev.poll_interval_s
    limits, band = spec.limits, spec.hysteresis_pct / 100
    went_in = _went_in(dev.id)

    def gas(metric: str, beyond: tuple[float, ...], hold: tuple[float, ...]) -> Probe:
        key = GAS_OF[metric].key  # the other gases' readings with it, none of the same gas
        context = {k: v for k, v in air.items() if GAS_OF[k].key != key}
        return Probe(
            "confined_space.gas",
            dev.id,
            metric,
            beyond=beyond,
            hold=hold,
            context=context,
            setup=went_in,
            interval_s=every,
            clear=air.get(metric, 0.0),
            alert=(dev.id, key),
            faults=(-1.0,),  # below zero: a broken detector, never air that clears the alarm
        )

    toxic = {
        LEL: limits.lel_pct,
        "h2s_mgm3": limits.h2s_mgm3,
        "co_mgm3": limits.co_mgm3,
        "co2_mgm3": limits.co2_mgm3,
    }
    toxic = {m: float(limit) for m, limit in toxic.items()}  # a default's int stays one
    # 缺氧 below the low bound, 富氧 above the high one (the bounds themselves are normal air)
    low, high = limits.o2_min_pct, limits.o2_max_pct
    found = [
        gas(O2, beyond=(low * 0.9, 0.0), hold=(low, low * (1 + band / 2))),
        gas(O2, beyond=(high * 1.05,), hold=(high, high * (1 - band / 2))),
        # 达到 a toxic or combustible limit is already too much
        *(gas(m, beyond=(limit, limit * 3), hold=(limit * (1 - band / 2),)) for m, limit in toxic.items()),
    ]
    # a detector that shows ppm: the limit in mg/m³ as its ppm (at 20 °C), reached
    for metric in ("h2s_ppm", "co_ppm", "co2_ppm"):
        limit = float(getattr(limits, f"{TOXIC[metric]}_mgm3")) / mg_per_m3(metric, 1.0)
        found.append(gas(metric, beyond=(limit, limit * 3), hold=(limit * (1 - band / 2),)))
    return found


def _entry_probes(dev: ConfinedSpaceDevice, air: dict[str, float]) -> list[Probe]:
    """The worker going in untested, on a stale test, or back in after a break without a new test."""
    spec, every, worker = dev.confined_space, dev.poll_interval_s, PROBE_WORKER
    attendant, found = PROBE_ATTENDANT, list[Probe]()
    # a first entry with no fan and no reading set; a re-entry after a break longer than break_min
    # whose last set was taken before the break (the first entry ventilated and tested)
    break_s = spec.break_min * 60
    tested: Sample = dict(air)
    before = break_s + 10 * every
    earlier: tuple[tuple[float, str, str, Sample], ...] = (
        (before + 3 * every, dev.id, "", {FAN: 1.0}),
        (before + 2 * every, dev.id, "", tested),
        (before + every, dev.id, attendant, {ATTENDANT: 1.0}),
        (before, dev.id, worker, {INSIDE: 1.0}),
        (break_s + 2 * every, dev.id, worker, {INSIDE: 0.0}),
    )
    # or a first entry whose last set, ventilated, is older than test_valid_min
    valid_s = spec.test_valid_min * 60
    stale_test: tuple[tuple[float, str, str, Sample], ...] = (
        (valid_s + 3 * every, dev.id, "", {FAN: 1.0}),
        (valid_s + 2 * every, dev.id, "", tested),
    )
    entries = (
        ("confined_space.entry", ()),
        ("confined_space.entry", stale_test),
        ("confined_space.reentry", earlier),
    )
    for rule, history in entries:
        found.append(
            Probe(
                rule,
                dev.id,
                INSIDE,
                point=worker,
                earlier=history,
                interval_s=every,
                beyond=(1.0,),
                clear=0.0,
            )
        )
    return found


def _watch_probes(dev: ConfinedSpaceDevice, air: dict[str, float]) -> list[Probe]:
    """The worker inside: the detector silent, nobody at the entrance."""
    spec, every, attendant = dev.confined_space, dev.poll_interval_s, PROBE_ATTENDANT
    went_in = _went_in(dev.id)
    # a worker inside: the detector silent past silent_s (a reading ends it); nobody at the post
    # past the attendant's grace (an attendant badging in ends it), or its reader silent past reader_silent_s
    return [
        Probe(
            "confined_space.silent",
            dev.id,
            O2,
            setup=went_in,
            interval_s=every,
            beyond=(None,),
            clear=air[O2],
            fire_after_s=spec.silent_s + every,
            alert=(dev.id, "detector"),
        ),
        Probe(
            "confined_space.attendant",
            dev.id,
            ATTENDANT,
            point=attendant,
            setup=went_in,
            interval_s=every,
            beyond=(0.0,),
            clear=1.0,
            fire_after_s=spec.attendant_grace_s + every,
            alert=(dev.id, "entrance"),
        ),
        # the attendant at the post, then the reader silent (the detector reporting): the post unconfirmed past
        # reader_silent_s (the attendant re-sent at the post ends it)
        Probe(
            "confined_space.attendant",
            dev.id,
            ATTENDANT,
            point=attendant,
            setup=(*went_in, (dev.id, attendant, {ATTENDANT: 1.0})),
            context=dict(air),
            interval_s=every,
            beyond=(None,),
            clear=1.0,
            fire_after_s=spec.reader_silent_s + every,
            alert=(dev.id, "entrance"),
        ),
    ]
