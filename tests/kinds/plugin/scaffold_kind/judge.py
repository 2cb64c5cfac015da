"""The scaffold's rule: the load at a lifting point against the rated load (warning 90 %, alarm at 100 %)."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.readings import Reading
from rules.kinds.base import Judge, Shared
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.routes import Route
from scaffold_kind import ScaffoldDevice

RULE = "scaffold.load"
CLAUSE = "附着式升降脚手架提升点荷载不得超过额定荷载（测试用插件）"
HISTORY_S = 900.0  # the warm-up this kind asks for: the plug-in test finds it in the warm-up window


class ScaffoldJudge(Judge):
    """Every climbing scaffold of the site."""

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._memory = LevelMemory()

    @staticmethod
    def history_s(site: SiteConfig) -> float:
        return HISTORY_S

    def families(self) -> tuple[object, ...]:
        return (self,)

    def route(self, dev: DeviceConfig, metric: str) -> Route | None:
        if metric == "lifting":
            return Route(self._lifting)
        if metric != "load_kn":
            return None
        assert isinstance(dev, ScaffoldDevice)
        rated = dev.scaffold.rated_load_kn
        thresholds: list[tuple[Level, float]] = [("warning", 0.9 * rated), ("alarm", rated)]
        name = dev.display_name

        def judge(r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
            level = banded_level(value, thresholds, self._memory.get(r.device), 0.05)

            def build() -> RuleResult:
                pct = 100 * value / rated
                what = f"{name} 提升点荷载 {value:.1f} kN，为额定荷载 {rated:g} kN 的 {pct:.0f}%"
                return RuleResult(
                    RULE, r.device, "", level, r.ts, CLAUSE, round(value, 1), rated, "kN",
                    f"{what}：停止升降，卸载后再提升" if level else f"{what}，已恢复正常",
                    backfill=backfill,
                )  # fmt: skip

            found = self._memory.report(r.device, "", level, build)
            return r, [] if found is None else [found]

        return Route(judge)

    def _lifting(self, r: Reading, value: float, backfill: bool) -> tuple[Reading, list[RuleResult]]:
        # the scaffold climbing is work the site-wide rules hear of (the weather stops it obeys)
        if value >= 1:
            self.shared.work_seen(
                r.device, (f"{self.shared.names[r.device]}升降", f"{r.device} climbing"), r.ts
            )
        return r, []
