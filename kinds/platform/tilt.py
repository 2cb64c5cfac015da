"""platform.tilt: a platform tilted lengthwise to the anti-tilt lock's angle (default 8°, GB/T 19155
practice [U]: the swing-arm lock must lock the safety rope when the tilt exceeds it), or a safety lock
that has locked its rope, is critical (docs/standards.md §8): the platform hangs on its safety rope.
Tilt at the angle counts (the lock acts there); a lock that did not act is platform.lock's."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.platform import PlatformSpec
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "platform.tilt"
CLAUSE = (
    "GB/T 19155 高处作业吊篮 纵向倾斜角度达到 8° 时防倾斜安全锁应锁住安全钢丝绳；倾斜或安全锁动作即停止作业"
    + PRACTICE_ZH
)
LOCKED = 1  # lock_state: a safety lock has locked its rope


class PlatformTilt:
    """Each platform's longitudinal tilt and its safety lock's action."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        spec: PlatformSpec,
        tilt_deg: float,
        lock_state: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The platform.tilt verdict (``lock_state`` None: the box does not report its lock)."""
        angle = spec.lock_angle_deg
        tilted = banded_level(
            abs(tilt_deg), [("critical", angle)], self._memory.get(device), spec.hysteresis_pct / 100
        )
        locked = lock_state is not None and round(lock_state) == LOCKED
        level: Level | None = "critical" if tilted or locked else None

        def build() -> RuleResult:
            what = f"{name} 纵向倾角 {tilt_deg:.1f}°（安全锁动作角 {angle:g}°）"
            what_en = f"{name} longitudinal tilt {tilt_deg:.1f}° (lock angle {angle:g}°)"
            if locked:
                what, what_en = f"{what}，安全锁已锁绳", f"{what_en}, safety lock engaged"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=round(tilt_deg, 2),
                threshold=angle,
                unit="°",
                message=pick(
                    level,
                    what,
                    "停止作业，人员系好安全带、挂牢安全绳，由专业人员调平吊篮、检查安全锁后方可再用",
                ),
                message_en=pick_en(
                    level,
                    what_en,
                    "stop: everyone clipped to the lifeline; a fitter levels it and checks the locks",
                ),
                details={"lock_state": "已锁绳" if locked else "未锁绳"} if lock_state is not None else {},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
