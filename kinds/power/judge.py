"""The temporary power's judge: each sample of a distribution box through its seven rules (leakage, the
RCD not acting, its protection switched off, its trip, temperatures, their rise, fault arcs). A box's
silence is device.offline, the engine's for every watched kind."""

from __future__ import annotations

from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from kinds.power import arc, rise
from kinds.power.arc import PowerArc
from kinds.power.bypass import BYPASS
from kinds.power.kind import RCD_BYPASSED, RCD_CLOSED, RCD_TRIPPED, TEMPS, PowerDevice
from kinds.power.leakage import PowerLeakage
from kinds.power.rcd import PowerRcd
from kinds.power.rise import PowerTempRise
from kinds.power.state import PowerState
from kinds.power.temp import PowerTemp
from kinds.power.thresholds import PowerRule
from kinds.power.trip import TRIP
from rules.kinds.base import Judge, Shared
from rules.probes import Probe
from rules.result import RuleResult
from rules.sample_ranges import SampleRanges

ENERGISED = frozenset({RCD_CLOSED, RCD_BYPASSED})
"""The RCD states in which the circuit is live: a leakage at IΔn then means the RCD did not act."""
SILENCE = 1.5
"""Poll intervals between two readings of a box that make a silence (one missed reading is not)."""


class PowerJudge(Judge):
    """Every distribution box of one site."""

    sensor_names = {m: (f"{zh}温度", f"{en} temperature") for m, (_, zh, en) in TEMPS.items()} | {
        "leakage_ma": ("剩余电流", "residual current")
    }

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._leakage, self._rcd = PowerLeakage(), PowerRcd()
        self._bypass, self._trip = PowerState(BYPASS), PowerState(TRIP)
        self._temp, self._rise, self._arc = PowerTemp(), PowerTempRise(), PowerArc()
        self._state: dict[str, dict[str, float]] = {d.id: {} for d in devices}
        # a probe's range is the site's (sensor_fault.ranges: §17 gives none); outside it a broken probe,
        # which clears no alert
        self._ranges = SampleRanges(shared, {}, self.devices, site_named=True)

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        """The temperature rise's window and a shift's fault arcs, the longest any box is set to."""
        cfgs = [site.rules.for_device(d.id, "power") for d in site.devices if isinstance(d, PowerDevice)]
        return max(
            (max(rise.history_s(c), arc.history_s(c)) for c in cfgs if isinstance(c, PowerRule)), default=0.0
        )

    def families(self) -> Iterable[object]:
        return (self._leakage, self._rcd, self._bypass, self._trip, self._temp, self._rise, self._arc)

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id]

    def resume(self, now: float) -> None:
        self._ranges.resume()  # the first sound reading clears a sensor.fault left open from before the stop

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        # only what this sample reported is judged; a rule reading two metrics (the RCD's) takes the other's
        # last reported value, so a sample missing one never clears it
        assert isinstance(dev, PowerDevice)
        n, name, spec = self._state[dev.id], self.shared.names[dev.id], dev.power
        cfg = self.shared.section(dev.id, "power", PowerRule)
        found: list[RuleResult | None] = list(self._ranges.check(dev.id, n, changed, ts, backfill))
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
        if "rcd_state" in changed:
            found.append(self._bypass.evaluate(dev.id, name, n["rcd_state"], ts, backfill))
            found.append(self._trip.evaluate(dev.id, name, n["rcd_state"], ts, backfill))
        gap_s = SILENCE * dev.poll_interval_s
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
        return found
