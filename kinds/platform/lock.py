"""platform.lock: 安全锁失效. A platform tilted to the anti-tilt lock angle (default 8°) whose safety
lock has not locked the rope within the lock's reaction time (``lock_grace_s``) has a failed safety lock:
a major hazard (高处作业吊篮…安全锁失效, 建质规〔2024〕5号 第九条(五)), critical at once and latched, since
a lock that failed once stays untrusted until a fitter has checked it: a supervisor closes the alert.

Judged only on samples that carry both the tilt and the lock state; a sample without them changes
nothing (docs/standards.md §8 [U]: the angle is practice, configurable)."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.platform import PlatformSpec
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "platform.lock"
CLAUSE = (
    f"建质规〔2024〕5号 第九条(五) 高处作业吊篮安全锁失效属{MAJOR_ZH}；纵向倾斜达到 8° 时防倾斜安全锁应锁绳"
    "（GB/T 19155 行业惯例，角度可配置）"
)
LOCKED = 1


class PlatformLock:
    """Whether each platform's safety lock acted when the tilt called for it."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._since: dict[str, float] = {}  # device: when the tilt reached the angle with the lock open

    def evaluate(
        self,
        device: str,
        name: str,
        spec: PlatformSpec,
        tilt_deg: float,
        lock_state: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The platform.lock verdict for a sample with both the tilt and the lock state."""
        angle = spec.lock_angle_deg
        open_at_angle = crosses(abs(tilt_deg), angle) and round(lock_state) != LOCKED
        if open_at_angle:
            since = self._since.setdefault(device, ts)
        else:
            self._since.pop(device, None)
            since = ts
        failed = open_at_angle and ts - since >= spec.lock_grace_s
        if open_at_angle and not failed and self._memory.get(device) is None:
            return None  # the lock still has its reaction time: no verdict yet
        level: Level | None = "critical" if failed else None

        def build() -> RuleResult:
            what = f"{name} 纵向倾角 {tilt_deg:.1f}°（≥ {angle:g}°），安全锁 {ts - since:.0f} s 未锁绳：安全锁失效"
            what_en = (
                f"{name} tilted {tilt_deg:.1f}° (≥ {angle:g}°) and the safety lock has not locked for "
                f"{ts - since:.0f} s: failed safety lock"
            )
            if not level:
                what = f"{name} 安全锁已锁绳或吊篮已调平（倾角 {tilt_deg:.1f}°）"
                what_en = f"{name} safety lock engaged or platform level (tilt {tilt_deg:.1f}°)"
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
                    "立即停止升降，人员扣牢独立安全绳，由专业人员救援撤离；吊篮停用，安全锁送检更换前不得使用",
                ),
                message_en=pick_en(
                    level,
                    what_en,
                    "stop; everyone on the independent lifeline, rescue them off; the platform stays out "
                    "of use until the lock is checked or replaced",
                ),
                details={
                    "lock_state": "已锁绳" if round(lock_state) == LOCKED else "未锁绳",
                    "lock_angle_deg": angle,
                },
                latched=True,
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
