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
from rules.result import RuleResult

RULE = "sensor.fault"
CLAUSE = "Sensor fault flags (Chongqing regulator interface); stuck/range/step limits: practice"
REASONS_ZH = {"stuck": "数值长时间不变", "range": "超出量程", "step": "跳变超出物理可能"}


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
            where = f"{name} {point}".strip()
            if faulty:
                bad_metric, (why, value) = next(iter(faulty.items()))
                message = (
                    f"{where} 传感器故障：{REASONS_ZH[why]} ({bad_metric} = {value:g})，请维护 | "
                    f"sensor fault ({why}) on {device} {point} {bad_metric} = {value:g}"
                )
                details: dict[str, float | str | list[str]] = {"reason": why, "metric": bad_metric}
            else:
                value, message, details = (
                    raw,
                    f"{where} 传感器恢复正常 | sensor {device} {point} valid again",
                    {},
                )
            return RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=value,
                message=message,
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
