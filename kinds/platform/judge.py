"""The suspended platforms' judge: each sample of a platform's monitoring box through the platform rules."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, time, timedelta, timezone

from contract.config.device import DeviceConfig
from contract.config.platform import PlatformSpec
from contract.readings import Reading
from kinds.platform.kind import ROPES, PlatformDevice
from kinds.platform.persons import allowed
from kinds.platform.sample import PlatformRules
from rules.kinds.base import Judge, Shared
from rules.levels import attribute_values
from rules.probes import Probe, Sample
from rules.result import RuleResult
from rules.sample_ranges import SampleRanges

# a load or a head count below zero is no reading (docs/standards.md §8), nor a wind outside what an
# anemometer can read (§1's realistic range, as a hoist's): a sensor.fault
RANGES = {"load_kg": (0.0, math.inf), "persons": (0.0, math.inf), "wind_ms": (0.0, 60.0)}


class PlatformJudge(Judge):
    """Every suspended platform of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._rules = PlatformRules(shared.utc_offset_h)
        self._state: dict[str, dict[str, float]] = {d.id: {} for d in devices}
        # a broken load cell or counter clears no alarm
        self._ranges = SampleRanges(shared, RANGES, self.devices)

    def families(self) -> Iterable[object]:
        return attribute_values(self._rules)

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id]

    def resume(self, now: float) -> None:
        self._ranges.resume()  # the first sound reading clears a sensor.fault left open from before the stop

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        assert isinstance(dev, PlatformDevice)
        numbers, shared = self._state[dev.id], self.shared
        faults = self._ranges.check(dev.id, numbers, changed, ts, backfill)
        if numbers.get("persons", 0.0) >= 1:  # people at height on it: dangerous work under way
            shared.work_seen(dev.id, (f"{shared.names[dev.id]}作业", f"{dev.id} in use"), ts)
        return faults + self._rules.evaluate(
            dev.id, shared.names[dev.id], dev.platform, numbers, changed, ts, backfill
        )

    def text(self, dev: DeviceConfig, r: Reading) -> list[RuleResult]:
        """The operator's ID is shown, not judged: no rule names who may run a platform yet."""
        if r.metric == "operator_id":
            return []
        return super().text(dev, r)

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each platform rule with the platform otherwise quiet (one person, clipped on, light, level,
        its counterweight rated, far from the top, calm), its limits from the platform's section."""
        assert isinstance(dev, PlatformDevice)
        spec, band = dev.platform, dev.platform.hysteresis_pct / 100
        quiet = quiet_sample(spec)

        def probe(rule: str, metric: str, *, with_: Sample | None = None, **rest: object) -> Probe:
            context = {k: v for k, v in quiet.items() if k != metric} | dict(with_ or {})
            rest.setdefault("interval_s", dev.poll_interval_s)
            return Probe(rule, dev.id, metric, context=context, **rest)  # type: ignore[arg-type]

        warn = spec.rated_load_kg * spec.load_warning_pct / 100
        least = spec.rated_counterweight_kg - spec.counterweight_tolerance_kg
        angle, top, wind = spec.lock_angle_deg, spec.top_margin_m, spec.wind_stop_ms
        expires = spec.lock_calibrated_on + timedelta(days=spec.lock_valid_days)
        tz = timezone(timedelta(hours=self.shared.utc_offset_h))
        return [
            probe(
                "platform.persons",
                "persons",
                beyond=(allowed(spec.max_persons) + 1.0, allowed(spec.max_persons) + 3.0),
                clear=float(allowed(spec.max_persons)),
            ),
            # 达到 90 %: the warning at the line; overload far above it
            probe(
                "platform.load",
                "load_kg",
                beyond=(warn, spec.rated_load_kg * 1.2),
                hold=(warn * (1 - band / 2),),
                clear=warn * (1 - band) * 0.9,
            ),
            # 达到 the lock angle, either way; the lock left locked is platform.tilt's other hazard
            probe(
                "platform.tilt",
                "tilt_deg",
                beyond=(angle, -angle * 1.5),
                hold=(angle * (1 - band / 2),),
                clear=0.0,
            ),
            # level, but a safety lock has locked its rope: the platform hangs on its safety rope
            probe("platform.tilt", "lock_state", beyond=(1.0,), clear=0.0),
            # tilted to the angle, the lock open past its reaction time: failed, a fitter closes it
            probe(
                "platform.lock",
                "tilt_deg",
                beyond=(angle, angle * 1.5),
                clear=0.0,
                fire_after_s=spec.lock_grace_s,
                latched=True,
            ),
            # 低于 rated less its tolerance: the line itself is allowed, and held inside the half-tolerance band
            probe(
                "platform.counterweight",
                "counterweight_kg",
                beyond=(least - 1.0, least / 2),
                hold=(least, least + spec.counterweight_tolerance_kg / 4),
                clear=spec.rated_counterweight_kg,
            ),
            # everyone on it is clipped on, and then one is not
            probe(
                "platform.lifeline",
                "buckles",
                beyond=(spec.max_persons - 1.0, 0.0),
                clear=float(spec.max_persons),
                with_={"persons": float(spec.max_persons)},
            ),
            *(probe("platform.rope", rope, beyond=(2.0,), clear=1.0, alert=(dev.id, rope)) for rope in ROPES),
            probe(
                "platform.top",
                "top_distance_m",
                beyond=(top * 0.5, 0.0),
                hold=(top, top * (1 + band / 2)),
                clear=top * (1 + band) + 1.0,
            ),
            # 以上: the stop speed itself stops work
            probe(
                "platform.wind",
                "wind_ms",
                beyond=(wind, wind * 1.5),
                hold=(wind * (1 - band / 2),),
                clear=wind * (1 - band) * 0.9,
            ),
            # the day after the locks' calibration ran out: only a new calibration in the site file clears it
            probe(
                "platform.lock_calibration",
                "load_kg",
                beyond=(0.0, warn),
                clear=0.0,
                latched=True,
                start=datetime.combine(expires + timedelta(days=1), time(9), tz).timestamp(),
            ),
        ]


def quiet_sample(spec: PlatformSpec) -> dict[str, float | str]:
    """A sample of a quiet platform: one person, clipped on, light, level, its counterweight rated, far
    from the top, calm, every rope normal."""
    quiet: dict[str, float | str] = {
        "load_kg": 0.0,
        "counterweight_kg": spec.rated_counterweight_kg,
        "tilt_deg": 0.0,
        "top_distance_m": spec.top_margin_m * 10,
        "persons": 1.0,
        "buckles": float(spec.max_persons + 5),
        "lock_state": 0.0,
        "wind_ms": 0.0,
    }
    quiet.update(dict.fromkeys(ROPES, 1.0))
    return quiet
