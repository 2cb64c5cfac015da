"""RuleEngine: runs every rule over Readings, live or in replay, with no I/O and no clock of its own (time
is the readings' ts, or the ``now`` given to :meth:`RuleEngine.tick`).

The engine is the same for every kind of device. It groups a batch into samples (a device's readings of
one instant), watches each device's silence (device.offline, for the kinds that are watched) and its
safety-device flags (rules/safety_devices.py), keeps each kind's sample metrics in the device's memory and
takes the fast way for quiet readings (rules/routes.py); the rest it hands to the judge of the device's
kind (rules/kinds/, named by the kind's declaration in contract/kinds/). The key people's rules are
site-wide: every judge may tell them of work under way, and the engine ticks them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Final

from contract.config.device import DeviceConfig
from contract.config.errors import ConfigError, ConfigIssue
from contract.config.loader import LoadedSite
from contract.config.rules import DeviceOfflineRule
from contract.config.site import SiteConfig
from contract.config.yamlsrc import Loc, format_loc
from contract.hot_work import Permit
from contract.kinds import registry
from contract.kinds.kind import Kind, Metric
from contract.readings import DeviceStatus, Quality, Reading
from contract.weather import WarningSignal
from rules import device_offline, safety_devices
from rules.baselines import Baselines
from rules.device_offline import DeviceOffline, shorter_limit
from rules.heard import Firing, Stop
from rules.kinds.base import Judge, Shared, faulted, some
from rules.levels import memories_of
from rules.machine_papers import MachinePapersRules
from rules.personnel_sample import PersonnelRules
from rules.result import RuleResult
from rules.routes import Route
from rules.safety_devices import FLAGS, SafetyDevices
from rules.worker_papers import WorkerPapers

# an enum member looked up on its class costs more than a crane's kinematic reading costs to take
BACKFILL: Final = Quality.BACKFILL
FRESH: Final = (Quality.OK, BACKFILL)  # judged by the rules
STALE: Final = Quality.STALE  # the only quality that does not prove the device answers (a faulty value does)
TS = attrgetter("ts")  # a key without a Python call per reading (a lambda's frame cost more)


def _kept(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
    return r, []


KEPT_BAND = (-math.inf, math.inf)  # a metric its kind does not judge: every value is quiet
_NUMBER = Metric("", "")  # a sample metric its kind does not declare: taken as a number


class _Plan:
    """What the dispatch needs of one device of the site file, looked up once per sample."""

    __slots__ = (
        "clause",
        "config",
        "flags",
        "judge",
        "kept",
        "memory",
        "name",
        "routes",
        "sampled",
        "watched",
    )

    def __init__(self, config: DeviceConfig, kind: Kind, name: str, judge: Judge) -> None:
        self.config, self.name, self.judge = config, name, judge
        # its silence watched; the clause it cites (its kind's, or the judge's for this device)
        self.watched, self.clause = kind.watched, judge.offline_clause(config, kind.offline_clause)
        self.flags = frozenset(kind.flags)  # the safety-device flags its box reports
        # judged as a whole sample, kept until then: a number straight into the memory, a text (a
        # driver's card, which a box may report as a number) or a value of another type by the judge
        self.kept = kind.sample_metrics
        self.sampled = frozenset(m for m in kind.sample_metrics if not (kind.metric(m) or _NUMBER).text)
        self.memory = judge.memory(config)
        # metric -> its Route, for the numeric readings judged one by one: filled as the judge first
        # gives each, then taken straight (its quiet band passes quiet values with one comparison)
        self.routes: dict[str, Route] = {}


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one batch: the readings (those judged broken marked fault) and the verdicts."""

    readings: list[Reading]
    results: list[RuleResult]


class RuleEngine:
    """All safety rules of one site. Feed it batches in time order; it keeps each rule's state."""

    def __init__(self, site: LoadedSite) -> None:
        cfg = site.config
        _check(site)
        self._devices = {d.id: d for d in cfg.devices}
        gates = [d.id for d in cfg.devices if d.kind == "attendance"]
        offset = cfg.rules.licence_utc_offset_h
        self._personnel = (
            PersonnelRules(gates[0], cfg.key_personnel, cfg.rules.personnel, offset)
            if gates and cfg.key_personnel
            else None
        )
        shared = self._shared = Shared(site, self._personnel)
        self._names = shared.names
        # every machine's papers, site-wide: judged on its work and once a day
        self._papers = MachinePapersRules(cfg, shared.names, offset)
        shared.on_work(self._papers)
        self._workers = WorkerPapers(
            cfg.operators, cfg.rules.personnel.renewal_warning_d, offset
        )  # the certificates of workers seen at work
        shared.on_worker(self._workers.seen)
        # one judge per kind the site has, holding that kind's rules for all its devices
        self._judges: dict[str, Judge] = {}
        for kind in registry.kinds():
            devices = [d for d in cfg.devices if d.kind == kind.name]
            if devices:
                judge_type = registry.resolve(kind.judge) if kind.judge else Judge
                self._judges[kind.name] = judge_type(shared, devices)
        # the judges whose kinds have a tick of their own (most have none: a call per instant for nothing)
        # called as the judges' method, not as bound methods kept in a list: a compiled judge's tick is then a
        # direct call, where a bound method went through Python's calling convention and its arguments' parsing
        self._tickers = [j for j in self._judges.values() if type(j).tick is not Judge.tick]
        self._plans = {
            d.id: _Plan(d, registry.get(d.kind), shared.names[d.id], self._judges[d.kind])
            for d in cfg.devices
        }
        self._offline, self._safety = DeviceOffline(), SafetyDevices()
        self._cameras = {c.name for c in cfg.vision.cameras} if cfg.vision else set()
        # the watched devices tick() looks at, in site order, with their offline limits
        self._watched = [
            (
                d.id,
                shared.names[d.id],
                d.poll_interval_s,
                plan.clause,
                shared.section(d.id, "device_offline", DeviceOfflineRule),
            )
            for d in cfg.devices
            if (plan := self._plans[d.id]).watched
        ]
        # each watched device's shorter offline limit, and the instant before which no device can
        # reach one (DeviceOffline.calm_until) as long as the offline family's version is this one
        self._offline_limits = [
            (device, shorter_limit(rule, interval)) for device, _, interval, _, rule in self._watched
        ]
        self._calm_until, self._calm_version = -math.inf, -1
        # each device's (point, metric) whose last reading was not a number: a sensor.fault until it is
        self._not_numbers: dict[str, set[tuple[str, str]]] = {}

    def process(self, batch: Sequence[Reading]) -> list[RuleResult]:
        """Verdicts for one batch of readings (see :meth:`evaluate` for the marked readings too)."""
        return self._judge(batch)[1]

    def evaluate(self, batch: Iterable[Reading], heard: float | None = None) -> Evaluation:
        """Judge a batch; readings of one device with the same ts are taken as one sample. ``heard``: when
        the live gateway got the batch, by the clock it ticks with (a device is online as of then, whatever
        its own clock stamped; None: at each sample's ts, as in replay)."""
        return Evaluation(*self._judge(batch, heard=heard))

    def _judge(
        self, batch: Iterable[Reading], one_instant: bool = False, heard: float | None = None
    ) -> tuple[list[Reading], list[RuleResult]]:
        # evaluate's work, returned as a tuple: the frozen Evaluation costs more to make than a
        # crane's tilt reading costs to judge, and process drops it at once. A sample is a run of
        # readings of one device at one instant (``one_instant``: the batch is of one, a run of the device)
        readings: list[Reading] = []
        results: list[RuleResult] = []
        plans = self._plans
        self._shared.heard = heard  # the kinds' silence rules measure from it (Shared.heard_at)
        weather = self._shared.weather
        firing = weather.work.firing  # the machines at work against a weather stop (one set, kept)
        items = batch if isinstance(batch, list) else list(batch)
        end, size = 0, len(items)
        while end < size:
            # the runs split here, not by itertools.groupby: its key call and comparison per reading and
            # its list of each run cost more than the crane's kinematic readings cost to take
            start = end
            first = items[start]
            device, ts = first.device, first.ts
            end += 1
            while end < size:
                r = items[end]
                if r.device != device or (not one_instant and r.ts != ts):
                    break
                end += 1
            group = items[start:end]
            plan = plans.get(device)
            if plan is None:
                if device in self._cameras:  # vision judged its checks in its own worker; a site rule more
                    results.extend(self._shared.camera_seen(group))
                else:
                    self._shared.warn_once(
                        device, "", "readings from a device that is not in the site file are not judged"
                    )
                readings.extend(group)
                continue
            # whether any reading proves the device answers (any quality but stale) and whether any is
            # backfilled: one pass, where a set of the sample's qualities cost more than judging a reading
            alive = backfill = False
            for r in group:
                quality = r.quality
                if quality is not STALE:
                    alive = True
                    if quality is BACKFILL:
                        backfill = True
            if plan.watched and alive:
                online = self._offline.seen(device, ts, plan.name, plan.clause, backfill, heard)
                if online is not None:
                    results.append(online)
            changed: set[str] = set()
            sampled, memory, routes = plan.sampled, plan.memory, plan.routes
            for r in group:
                if r.quality not in FRESH:
                    readings.append(r)  # stale or already faulted upstream: no hazard from it
                    continue
                value = r.value
                if type(value) is float:
                    # math.isnan and math.isinf compile to C; math.isfinite is a Python call per reading
                    if math.isnan(value) or math.isinf(value):
                        results.extend(self._not_finite(plan, r))
                        readings.append(faulted(r))
                        continue
                    metric = r.metric
                    if metric in sampled:
                        memory[metric] = value  # judged with the whole sample
                        changed.add(metric)
                        readings.append(r)
                        continue
                    route = routes.get(metric)
                    if route is not None:
                        if route.lo <= value < route.hi:
                            readings.append(r)  # quiet and within its quiet band: nothing would change
                            continue
                        judged, found = route.judge(r, value, r.quality is BACKFILL)
                        readings.append(judged)
                        if found or judged is not r:
                            results.extend(found)
                            route.close()
                        else:
                            route.lo, route.hi = route.band  # no verdict, not broken: its rules are quiet
                        continue
                elif isinstance(value, float) and not math.isfinite(value):  # a float of another type
                    results.extend(self._not_finite(plan, r))
                    readings.append(faulted(r))
                    continue
                judged, found = self._reading(plan, r, changed)
                readings.append(judged)
                results.extend(found)
            if changed:
                results.extend(plan.judge.sample(plan.config, changed, ts, backfill))
            if device in self._not_numbers:  # after the judges, who may have found it broken otherwise
                results.extend(self._numbers_again(plan, group))
            if weather.pending:  # work seen against a weather stop (rules/weather_work.py)
                results.extend(weather.drain())
            if device in firing:  # a sample of a machine at work against a weather stop: still at it?
                results.extend(weather.sample_seen(device, ts))
        return readings, results

    def _reading(self, plan: _Plan, r: Reading, changed: set[str]) -> tuple[Reading, list[RuleResult]]:
        """A reading the fast ways did not take: a flag, a sample metric that is not a float, the first
        numeric reading of a metric (its Route is made and kept), a text."""
        value, dev, metric = r.value, plan.config, r.metric
        if metric in plan.flags and not isinstance(value, str):
            return r, some(
                self._safety.evaluate(
                    dev.kind, dev.id, plan.name, metric, float(value), r.ts, r.quality is BACKFILL
                )
            )
        if metric in plan.kept:
            if plan.judge.keep(dev, metric, value):
                changed.add(metric)
            return r, []
        if isinstance(value, str):
            return r, plan.judge.text(dev, r)
        route = plan.routes[metric] = plan.judge.route(dev, metric) or Route(_kept, KEPT_BAND)
        return route.judge(r, float(value), r.quality is BACKFILL)

    def _not_finite(self, plan: _Plan, r: Reading) -> list[RuleResult]:
        """A reading that is not a number (NaN, infinity): a sensor.fault of its metric until the metric
        reads a number again. NaN is below and above every threshold at once: judged, it would clear a
        critical alarm (and infinity raise one); kept as a fault, judged never. Its device still answers
        (no device.offline), so without this warning a box reporting NaN would be an all-clear."""
        self._shared.warn_once(
            r.device, f"{r.metric}/finite", f"{r.metric} {r.value}: kept as fault, not judged"
        )
        self._not_numbers.setdefault(r.device, set()).add((r.point, r.metric))
        found = self._shared.fault.report(
            r.device, r.point, r.metric, "number", float(r.value), plan.name, r.ts, r.quality is BACKFILL
        )
        return [] if found is None else [found]

    def _numbers_again(self, plan: _Plan, group: list[Reading]) -> list[RuleResult]:
        """The sensor.fault verdicts of the metrics of ``group``'s device that read a number again
        after one that was not (the device's other faults, if any, still stand)."""
        broken, out = self._not_numbers[plan.config.id], []
        for r in group:
            value = r.value
            if (
                r.quality in FRESH
                and isinstance(value, float | int)
                and math.isfinite(value)
                and (r.point, r.metric) in broken
            ):
                broken.discard((r.point, r.metric))
                out.extend(
                    some(
                        self._shared.fault.mend(
                            r.device,
                            r.point,
                            r.metric,
                            "number",
                            float(value),
                            plan.name,
                            r.ts,
                            r.quality is BACKFILL,
                        )
                    )
                )
        if not broken:
            del self._not_numbers[plan.config.id]
        return out

    def on_status(self, status: DeviceStatus) -> list[RuleResult]:
        """A driver's link-state change: an offline device gets at least a warning at once."""
        plan = self._plans.get(status.device)
        if plan is None or not plan.watched:
            return []
        return some(
            self._offline.driver_status(
                status.device,
                status.online,
                status.reason,
                status.ts,
                plan.name,
                plan.config.poll_interval_s,
                plan.clause,
            )
        )

    def tick(self, now: float) -> list[RuleResult]:
        """Verdicts reached by ``now`` without a reading: devices silent past their limits, and each
        kind's own silences (call every second live; before each sample in replay)."""
        out: list[RuleResult] = []
        self._shared.ticked = now  # a warm-up's last instant: what a restart carries firing silences on from
        if now >= self._calm_until or self._offline.version != self._calm_version:
            # the devices seen since the bound was worked out put it off: at 1 Hz with a 3 s limit,
            # by two seconds at each look
            self._calm_version = self._offline.version
            self._calm_until = self._offline.calm_until(self._offline_limits)
        if now >= self._calm_until:  # else no watched device can be past a time limit
            for device, name, interval, clause, rule in self._watched:
                out.extend(self._offline.tick(now, device, name, interval, rule, clause))
        for judge in self._tickers:
            out.extend(judge.tick(now))
        out.extend(self._shared.weather.tick(now))
        if self._shared.hot_work.busy:
            out.extend(self._shared.hot_work.tick(now))
        if self._personnel is not None:
            out.extend(self._personnel.tick(now))
        out.extend(self._papers.tick(now))
        out.extend(self._workers.tick(now))
        return out

    def set_warnings(self, signals: Sequence[WarningSignal]) -> None:
        """The regional warning signals the site knows (set by the site or pushed by the regulator):
        judged at each tick from now on, their stops held while each is in force."""
        self._shared.weather.set_warnings(signals)

    def set_permits(self, permits: Sequence[Permit]) -> None:
        """The hot-work permits the site keeps (the gateway's register, or a replay's inputs): judged at
        each tick and each welder's reading from now on (rules/hot_work.py)."""
        self._shared.hot_work.set_permits(permits)

    def hot_work_picture(self, camera: str, zone: str, jpeg_b64: str) -> None:
        """Vision's latest picture of a zone marked for hot work with people inside (JPEG as base64): the
        evidence its alert fires with (rules/hot_work_zone.py)."""
        self._shared.hot_work.zones.picture(camera, zone, jpeg_b64)

    @property
    def baselines(self) -> Baselines:
        """The site's first-reading baselines, which the gateway keeps across restarts (rules/baselines.py)."""
        return self._shared.baselines

    def on_site(self) -> list[tuple[str, float]]:
        """Everyone the access gates last saw enter and not leave: (person id, entry ts)."""
        if self._personnel is None:
            return []
        return [(s.person, s.ts) for s in self._personnel.on_site()]

    def pouring(self) -> list[str]:
        """The formwork devices with a pour under way."""
        return self.open_windows("pour_active")

    def open_windows(self, metric: str) -> list[str]:
        """The devices whose work window of ``metric`` is open (a pour's ``pour_active``, a crane's
        ``jacking_active``), as their kinds' judges say (``window_open``)."""
        out = []
        for device, plan in self._plans.items():
            window_open: Callable[[str, str], bool] | None = getattr(plan.judge, "window_open", None)
            if window_open is not None and window_open(device, metric):
                out.append(device)
        return out

    def replay(self, ordered: Iterable[Reading]) -> Iterator[tuple[float, list[Reading], list[RuleResult]]]:
        """Judge readings already in ts order one instant at a time, as the live gateway did: the
        offline verdicts reached by that instant, then its readings' (``sitegw replay`` and the
        warm-up at start both go through here)."""
        for ts, group in groupby(ordered, key=TS):
            batch = list(group)
            yield ts, batch, self.tick(ts) + self._judge(batch, True)[1]

    def resume(self, now: float, firing: Firing | None = None) -> None:
        """End of a warm-up whose verdicts were dropped: the next verdict of every alert is reported
        (the alert manager reconciles it with what it persisted), and the time limits restart at
        ``now``, since the gateway's own downtime is not the devices' silence; a silence whose alarm was
        firing at the stop goes on from what it had reached by the warm-up's last instant instead, never
        cleared by the restart while nothing was heard (rules/heard.py). ``firing``: the alerts firing at the
        stop, as the alert manager kept them (the warm-up may not have found every one again)."""
        families: list[object] = [
            self._shared.fault,
            self._offline,
            self._safety,
            self._papers,
            self._workers.certificate,
        ]
        families.extend(self._shared.weather.families())
        for judge in self._judges.values():
            families.extend(judge.families())
        if self._personnel is not None:
            families.extend(self._personnel.families())
        for family in families:
            for memory in memories_of(family):
                memory.rearm()
        for plan in self._plans.values():
            for route in plan.routes.values():
                route.close()  # its rules owe a report now: their next reading is judged in full
        self._shared.stop = Stop(self._shared.ticked, firing or {})
        self._offline.resume(now, self._shared.stop)
        for judge in self._judges.values():
            judge.resume(now)
        if self._personnel is not None:
            self._personnel.resume(now)

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The live wall clock jumped by ``step_s`` seconds (more than its running explains) and reads
        ``now``: silences and time worked are measured across the step, so an hour skipped by NTP raises
        no device.offline or formwork.silent alarm; alerts already open stay as they are."""
        self._offline.clock_stepped(step_s, now)
        for judge in self._judges.values():
            judge.clock_stepped(step_s, now)
        if self._personnel is not None:
            self._personnel.clock_stepped(step_s, now)


def history_s(site: SiteConfig) -> float:
    """Seconds of history the rules' memory of ``site`` spans: the longest any rule family of its kinds
    needs (the warm-up at start replays that much, capped by ``rules.warmup_max_h``)."""
    needed = [device_offline.history_s(site), safety_devices.history_s(site)]
    present = {d.kind for d in site.devices}
    for kind in registry.kinds():
        if kind.judge and kind.name in present:
            needed.append(registry.resolve(kind.judge).history_s(site))
    return max(needed)


def _check(site: LoadedSite) -> None:
    """What the config models cannot see alone: rules for unknown devices, what each kind's judge
    checks of its devices (a pit's threshold keys), flags a kind declares that no rule judges."""
    found: list[tuple[Loc, str, str]] = []
    known = {d.id for d in site.config.devices}
    for device in site.config.rules.devices:
        if device not in known:
            found.append(
                (
                    ("rules", "devices", device),
                    f"rules for device {device!r}, which is not in devices",
                    f"known devices: {', '.join(sorted(known))}",
                )
            )
    for i, d in enumerate(site.config.devices):
        kind = registry.get(d.kind)
        if kind.judge:
            found.extend(registry.resolve(kind.judge).check(i, d))
        unjudged = sorted(set(kind.flags) - set(FLAGS))
        if unjudged:
            found.append(
                (
                    ("devices", i, "kind"),
                    f"kind {d.kind} declares safety-device flags no rule judges: {', '.join(unjudged)}",
                    f"judged flags: {', '.join(sorted(FLAGS))} (rules/safety_devices.py)",
                )
            )
    if found:
        raise ConfigError(
            [
                ConfigIssue(site.path, site.line_of(loc), format_loc(loc), message, hint)
                for loc, message, hint in found
            ]
        )
