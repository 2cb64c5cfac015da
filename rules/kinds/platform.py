"""The suspended platforms' judge: each sample of a platform's monitoring box through the platform rules."""

from __future__ import annotations

from collections.abc import Iterable

from contract.config.device import DeviceConfig
from contract.kinds.platform import PlatformDevice
from contract.readings import Reading
from rules.kinds.base import Judge, Shared
from rules.platform_sample import PlatformRules
from rules.result import RuleResult


class PlatformJudge(Judge):
    """Every suspended platform of one site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._rules = PlatformRules(shared.utc_offset_h)
        self._state: dict[str, dict[str, float]] = {d.id: {} for d in devices}

    def families(self) -> Iterable[object]:
        return vars(self._rules).values()

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id]

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        assert isinstance(dev, PlatformDevice)
        numbers, shared = self._state[dev.id], self.shared
        if numbers.get("persons", 0.0) >= 1:  # people at height on it: dangerous work under way
            shared.work_seen(dev.id, (f"{shared.names[dev.id]}作业", f"{dev.id} in use"), ts)
        return self._rules.evaluate(
            dev.id, shared.names[dev.id], dev.platform, numbers, changed, ts, backfill
        )

    def text(self, dev: DeviceConfig, r: Reading) -> list[RuleResult]:
        """The operator's ID is shown, not judged: no rule names who may run a platform yet."""
        if r.metric == "operator_id":
            return []
        return super().text(dev, r)
