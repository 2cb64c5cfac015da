"""The temporary power's judge: each sample of a distribution box through its nine rules (leakage, the
RCD not acting, its protection switched off, its trip, temperatures, their rise, fault arcs, the RCD's
test, the lighting's safe voltage), and each reading of its door, with the access gates' passages, through
power.door_electrician (a site with gates only: kinds/power/door.py). A box's silence is device.offline, the
engine's for every watched kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.readings import Reading
from kinds.power import arc, rcd_test, rise
from kinds.power.arc import PowerArc
from kinds.power.bypass import BYPASS
from kinds.power.door import DoorElectrician
from kinds.power.electricians import electricians, has_gates
from kinds.power.kind import (
    RCD_BYPASSED,
    RCD_CLOSED,
    RCD_TRIPPED,
    TEMPS,
    TEST_FAILED,
    TEST_PASSED,
    PowerDevice,
)
from kinds.power.leakage import PowerLeakage
from kinds.power.lighting import PowerLighting
from kinds.power.rcd import PowerRcd
from kinds.power.rcd_test import PowerRcdTest
from kinds.power.rise import PowerTempRise
from kinds.power.state import PowerState
from kinds.power.temp import PowerTemp
from kinds.power.thresholds import PowerRule
from kinds.power.trip import TRIP, TripCauses
from rules.kinds.base import Judge, Shared
from rules.personnel_sample import PRESENCE_HISTORY_S
from rules.probes import Probe
from rules.result import RuleResult
from rules.routes import Route
from rules.sample_ranges import SampleRanges

ENERGISED = frozenset({RCD_CLOSED, RCD_BYPASSED})
"""The RCD states in which the circuit is live: a leakage at IΔn then means the RCD did not act."""
SILENCE = 1.5
"""Poll intervals between two readings of a box that make a silence (one missed reading is not)."""
UNTESTED_EVERY_S = 600.0
"""The untested RCD's probe samples every 10 minutes: the rule reads the box's stamps, not how often it
reports, so a day without a test is a day of samples, not 17,000."""


class PowerJudge(Judge):
    """Every distribution box of one site."""

    sensor_names = {m: (f"{zh}温度", f"{en} temperature") for m, (_, zh, en) in TEMPS.items()} | {
        "leakage_ma": ("剩余电流", "residual current"),
        "lighting_v": ("照明回路电压", "lighting circuit voltage"),
    }

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._leakage, self._rcd = PowerLeakage(), PowerRcd()
        self._bypass, self._trip = PowerState(BYPASS), PowerState(TRIP)
        self._temp, self._rise, self._arc = PowerTemp(), PowerTempRise(), PowerArc()
        self._rcd_test, self._lighting, self._causes = PowerRcdTest(), PowerLighting(), TripCauses()
        self._state: dict[str, dict[str, float]] = {d.id: {} for d in devices}
        # a probe's range is the site's (sensor_fault.ranges: §17 gives none); outside it a broken probe,
        # which clears no alert
        self._ranges = SampleRanges(shared, {}, self.devices, site_named=True)
        # the doors against the electricians the gates saw come in: not judged on a site without gates
        self._door = (
            DoorElectrician(shared.config.operators, shared.utc_offset_h)
            if has_gates(shared.config)
            else None
        )
        if self._door is not None:
            shared.on_passage(self._door.passage, self._door.people)

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The temperature rise's window, a shift's fault arcs and the RCD's test interval, the longest any
        box is set to; with gates and electricians on the roster, a day of passages (who of them is in)."""
        cfgs = [site.rules.for_device(d.id, "power") for d in site.devices if isinstance(d, PowerDevice)]
        presence = PRESENCE_HISTORY_S if cfgs and has_gates(site) and electricians(site.operators) else 0.0
        windows = [
            max(rise.history_s(c), arc.history_s(c), rcd_test.history_s(c))
            for c in cfgs
            if isinstance(c, PowerRule)
        ]
        return max([presence, *windows])

    def families(self) -> Iterable[object]:
        return (
            self._leakage,
            self._rcd,
            self._bypass,
            self._trip,
            self._temp,
            self._rise,
            self._arc,
            self._rcd_test,
            self._lighting,
            *([] if self._door is None else [self._door]),
        )

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        """The door's readings through power.door_electrician, each judged (a door kept open is no quiet
        value: it is judged again whenever an electrician comes or goes)."""
        return Route(self._door_read) if metric == "door_state" and self._door is not None else None

    def _door_read(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        assert self._door is not None
        found = self._door.door(r.device, self.shared.names[r.device], value, r.ts, backfill)
        return r, [] if found is None else [found]

    def tick(self, now: float) -> list[RuleResult]:
        return [] if self._door is None else self._door.tick(now)

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id]

    def resume(self, now: float) -> None:
        self._ranges.resume()  # the first sound reading clears a sensor.fault left open from before the stop
        self._rcd_test.restart(self.shared.stop, now)

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        # only what this sample reported is judged; a rule reading two metrics (the RCD's) takes the other's
        # last reported value, so a sample missing one never clears it
        assert isinstance(dev, PowerDevice)
        n, name, spec = self._state[dev.id], self.shared.names[dev.id], dev.power
        cfg = self.shared.section(dev.id, "power", PowerRule)
        found: list[RuleResult | None] = list(self._ranges.check(dev.id, n, changed, ts, backfill))
        gap_s = SILENCE * dev.poll_interval_s
        # the RCD's test is an event: judged in the sample that reports it, never from the value kept
        test = round(n["rcd_test"]) if "rcd_test" in changed else None
        rcd = spec.rcd
        if rcd is not None and "leakage_ma" in n:
            rated, rated_s = rcd
            if "leakage_ma" in changed:
                found.append(self._leakage.evaluate(dev.id, name, rated, cfg, n["leakage_ma"], ts, backfill))
            if "rcd_state" in n and changed & {"leakage_ma", "rcd_state"}:
                live = round(n["rcd_state"]) in ENERGISED
                band = cfg.hysteresis_pct / 100
                found.append(
                    self._rcd.evaluate(
                        dev.id, name, rated, rated_s, band, n["leakage_ma"], live, ts, backfill
                    )
                )
        if rcd is not None:  # every sample: the wait for a test grows with the box's stamps
            found.append(self._rcd_test.evaluate(dev.id, name, cfg, test, ts, backfill))
        if "rcd_state" in changed:
            state = n["rcd_state"]
            tested = self._causes.excused(dev.id, state, test == TEST_PASSED, gap_s, ts)
            found.append(self._bypass.evaluate(dev.id, name, state, ts, backfill))
            found.append(self._trip.evaluate(dev.id, name, state, ts, backfill, excused=tested))
        if "lighting_v" in changed and (safe_v := spec.safe_lighting_v) is not None:  # else shown, not judged
            place, band = spec.place or "", cfg.hysteresis_pct / 100
            found.append(
                self._lighting.evaluate(dev.id, name, place, safe_v, band, n["lighting_v"], ts, backfill)
            )
        for metric, probe in TEMPS.items():  # in their order, not a set's: replays give the same order
            if metric not in changed:
                continue
            found.append(self._temp.evaluate(dev.id, name, probe, cfg, n[metric], ts, backfill))
            found.append(self._rise.evaluate(dev.id, name, probe, cfg, n[metric], gap_s, ts, backfill))
        if "arc_alarm" in n:  # every sample: the hold after the last arc ends only with a reading
            found.append(self._arc.evaluate(dev.id, name, cfg, n["arc_alarm"], gap_s, ts, backfill))
        return [r for r in found if r is not None]

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each rule on the box's own RCD and the site's ``power`` values, the other readings quiet."""
        assert isinstance(dev, PowerDevice)
        cfg = self.shared.section(dev.id, "power", PowerRule)
        band, every = cfg.hysteresis_pct / 100, dev.poll_interval_s
        quiet: dict[str, float | str] = {"leakage_ma": 0.0, "rcd_state": float(RCD_CLOSED), "arc_alarm": 0.0}
        quiet |= dict.fromkeys(TEMPS, 25.0)

        def probe(rule: str, metric: str, **rest: object) -> Probe:
            context = {k: v for k, v in quiet.items() if k != metric}
            return Probe(rule, dev.id, metric, context=context, interval_s=every, **rest)  # type: ignore[arg-type]

        warm, hot = cfg.temp_c
        ranges = self.shared.faults(dev.id).ranges

        def outside(metric: str) -> tuple[float, ...]:
            lo_hi = ranges.get(metric)
            return (lo_hi[0] - 1.0, lo_hi[1] + 1.0) if lo_hi else ()

        rising = cfg.rise_c * every / cfg.rise_window_s * 2  # ℃ a sample: twice the limit's rate
        found = [
            probe("power.bypass", "rcd_state", beyond=(float(RCD_BYPASSED),), clear=float(RCD_CLOSED)),
            probe("power.trip", "rcd_state", beyond=(float(RCD_TRIPPED),), clear=float(RCD_CLOSED)),
            probe(
                "power.temp",
                "temp_l1_c",
                alert=(dev.id, TEMPS["temp_l1_c"][0]),
                beyond=(warm, hot * 1.2),
                hold=(warm * (1 - band / 2),),
                clear=warm * (1 - band) * 0.9,
                faults=outside("temp_l1_c"),
            ),
            # a rise per sample far below any step a sample-to-sample rule would see, kept up for the window;
            # once it stops, the rise left in the window falls below the band as the window moves on: how
            # soon depends on how it rose (no time of its own), within a window after the last silence
            probe(
                "power.temp_rise",
                "temp_box_c",
                alert=(dev.id, TEMPS["temp_box_c"][0]),
                setup=((dev.id, "", {"temp_box_c": 25.0}),),
                ramp=True,
                beyond=(rising,),
                fire_after_s=cfg.rise_window_s,
                clear=0.0,
            ),
            probe(
                "power.arc",
                "arc_alarm",
                beyond=(1.0,),
                clear=0.0,
                clear_after_s=cfg.arc_hold_min * 60 - every,
            ),
        ]
        rcd = dev.power.rcd
        if rcd is not None:
            rated, warn = rcd[0], rcd[0] * cfg.leakage_warning_fraction
            found += [
                probe(
                    "power.leakage",
                    "leakage_ma",
                    beyond=(warn, rated * 1.5),
                    hold=(warn * (1 - band / 2),),
                    clear=warn * (1 - band) * 0.9,
                    faults=outside("leakage_ma"),
                ),
                # at IΔn with the RCD closed: fires once it has lasted past the rated time (the next sample)
                probe(
                    "power.rcd",
                    "leakage_ma",
                    beyond=(rated, rated * 2),
                    hold=(rated * (1 - band / 2),),
                    clear=rated * (1 - band) * 0.9,
                    fire_after_s=every,
                ),
            ]
        found += _test_and_lighting(dev, cfg, quiet, outside)
        if self._door is not None:  # nobody of the roster badged in: an open door is critical until it closes
            found.append(probe("power.door_electrician", "door_state", beyond=(1.0,), clear=0.0))
        return found


def _test_and_lighting(
    dev: PowerDevice,
    cfg: PowerRule,
    quiet: dict[str, float | str],
    outside: Callable[[str], tuple[float, ...]],
) -> list[Probe]:
    """power.rcd_test's probes for a box with an RCD and power.lighting_voltage's for a box whose lighting is
    judged, ``quiet`` the box's other readings, ``outside`` a metric's values beyond its sensor's range."""
    every, band = dev.poll_interval_s, cfg.hysteresis_pct / 100
    found: list[Probe] = []
    if dev.power.rcd is not None:
        found += [
            # a test that did not trip the RCD: critical until a test that does
            Probe(
                "power.rcd_test",
                dev.id,
                "rcd_test",
                context=quiet,
                interval_s=every,
                beyond=(float(TEST_FAILED),),
                clear=float(TEST_PASSED),
            ),
            # no test at all: past the interval from the first reading (strictly: one sample more)
            Probe(
                "power.rcd_test",
                dev.id,
                "rcd_test",
                context=quiet,
                interval_s=UNTESTED_EVERY_S,
                beyond=(None,),
                clear=float(TEST_PASSED),
                fire_after_s=cfg.rcd_test_interval_h * 3600 + UNTESTED_EVERY_S,
            ),
        ]
    safe_v = dev.power.safe_lighting_v
    if safe_v is not None:  # strictly above the safe voltage: a tenth of a volt over it is
        found.append(
            Probe(
                "power.lighting_voltage",
                dev.id,
                "lighting_v",
                context=quiet,
                interval_s=every,
                beyond=(safe_v + 0.1, 220.0),
                hold=(safe_v * (1 - band / 2),),
                clear=safe_v * (1 - band) * 0.9,
                faults=outside("lighting_v"),
            )
        )
    return found
