"""sensor.fault: a monitoring sensor judged broken (practice): exactly the same value for
``stuck_h`` hours, a value outside its physical range (sentinels such as -9999 land here), or a
step above ``step_factor`` × the jump value. Such readings are marked fault and raise no hazard;
a warning tells maintenance. Crane kinematics legitimately hold still and are never judged stuck.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.alert_event import Level
from contract.config.rules import SensorFaultRule
from contract.config.site import SiteConfig
from rules.levels import LevelMemory
from rules.pit_limits import ITEMS_EN, ITEMS_ZH
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "sensor.fault"
CLAUSE = (
    "监测传感器故障（重庆市监管平台接口设传感器故障标志）；长时间不变、超出量程、跳变超出物理可能的"
    "判定阈值为行业惯例（非标准条文，可配置）"
)
REASONS_ZH = {"stuck": "数值长时间不变", "range": "超出量程", "step": "跳变超出物理可能"}
REASONS_EN = {"stuck": "stuck at one value", "range": "out of range", "step": "physically impossible step"}
METRICS_ZH = {**ITEMS_ZH, "wind_ms": "风速"}
METRICS_EN = {**ITEMS_EN, "wind_ms": "wind speed"}
ACTION = "检修传感器，修复前该读数不可信，不得作为安全判断依据"
ACTION_EN = "repair the sensor; its readings cannot be trusted until then"


@dataclass
class _Stuck:
    value: float
    since: float


class SensorFault:
    """Judges readings of monitoring sensors; one warning per device and point."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._stuck: dict[tuple[str, str, str], _Stuck] = {}
        self._faulty: dict[tuple[str, str], dict[str, tuple[str, float]]] = {}

    def judge(
        self,
        device: str,
        point: str,
        metric: str,
        raw: float,
        ts: float,
        *,
        valid_range: tuple[float, float] | None,
        step: float | None,
        step_limit: float | None,
        stuck_s: float | None,
    ) -> str | None:
        """The fault reason of one reading (None: valid). ``step`` is its change from the last valid one."""
        if stuck_s is not None:
            key = (device, point, metric)
            seen = self._stuck.get(key)
            if seen is None or seen.value != raw:
                self._stuck[key] = seen = _Stuck(raw, ts)
            if ts - seen.since >= stuck_s:
                return "stuck"
        if valid_range is not None and not valid_range[0] <= raw <= valid_range[1]:
            return "range"
        if step is not None and step_limit is not None and step > step_limit:
            return "step"
        return None

    def report(
        self,
        device: str,
        point: str,
        metric: str,
        reason: str | None,
        raw: float,
        name: str,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """Record the verdict of one metric; the warning stands while any metric of the point is faulty."""
        faulty = self._faulty.setdefault((device, point), {})
        if reason is None:
            faulty.pop(metric, None)
        else:
            faulty[metric] = (reason, raw)
        level: Level | None = "warning" if faulty else None

        def build() -> RuleResult:
            where, where_en = (f"{name} 测点 {point}", f"{name} point {point}") if point else (name, name)
            details: dict[str, float | str | list[str]] = {}
            if faulty:
                bad_metric, (why, value) = next(iter(faulty.items()))
                item = METRICS_ZH.get(bad_metric, bad_metric)
                item_en = METRICS_EN.get(bad_metric, bad_metric)
                what = f"{where} {item}传感器故障（{REASONS_ZH[why]}，读数 {value:g}）"
                what_en = f"{where_en} {item_en} sensor fault ({REASONS_EN[why]}, reading {value:g})"
                details = {"reason": why, "metric": bad_metric}
            else:
                value, what, what_en = raw, f"{where} 传感器读数", f"{where_en} sensor readings"
            return RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=value,
                message=pick(level, what, ACTION),
                message_en=pick_en(level, what_en, ACTION_EN),
                details=details,
                backfill=backfill,
            )

        return self._memory.report(device, point, level, build)


def history_s(site: SiteConfig) -> float:
    """Seconds of history the stuck check needs: ``stuck_h`` of one value (pit sensors only: crane
    kinematics and wind are never judged stuck)."""
    needed = 0.0
    for d in site.devices:
        if d.pit is not None:
            cfg = site.rules.for_device(d.id, "sensor_fault")
            assert isinstance(cfg, SensorFaultRule)
            needed = max(needed, cfg.stuck_h * 3600 + max((p.interval_s for p in d.pit.points), default=0))
    return needed
