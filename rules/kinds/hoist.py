"""The construction hoists' judge: each sample of a cage through the seven hoist rules."""

from __future__ import annotations

from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.config.rules import HoistLoadRule, HoistRule
from contract.kinds.hoist import HoistDevice
from rules.hoist_sample import HoistRules, HoistState
from rules.kinds.base import LOADED_T, Judge, Shared
from rules.result import RuleResult
from rules.roster import Roster, reported_with


class HoistJudge(Judge):
    """Every construction hoist of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        offset = shared.utc_offset_h
        drivers = reported_with(shared.site, "driver_id", "speed_ms")  # boxes whose samples always name one
        self._rules = HoistRules(Roster(shared.config.operators, offset), offset, drivers)
        self._state = {d.id: HoistState() for d in devices}

    def families(self) -> Iterable[object]:
        return vars(self._rules).values()

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id].numbers

    def keep(self, dev: DeviceConfig, metric: str, value: float | str) -> bool:
        return self._state[dev.id].set(metric, value)

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        assert isinstance(dev, HoistDevice)
        state, shared = self._state[dev.id], self.shared
        cfg = shared.section(dev.id, "hoist", HoistRule)
        numbers = state.numbers
        if abs(numbers.get("speed_ms", 0.0)) > cfg.moving_ms or numbers.get("load_t", 0.0) > LOADED_T:
            shared.work_seen(dev.id, (f"{shared.names[dev.id]}运行", f"{dev.id} running"), ts)
        if "driver_id" in changed and state.driver_id:
            shared.worker_seen(dev.id, state.driver_id, ts)
        load_cfg = shared.section(dev.id, "hoist_load", HoistLoadRule)
        return self._rules.evaluate(
            dev.id, shared.names[dev.id], dev.hoist, load_cfg, cfg, state, changed, ts, backfill
        )
