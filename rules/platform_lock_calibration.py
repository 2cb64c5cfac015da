"""platform.lock_calibration: the safety locks (安全锁) are used only within their calibration, valid one
year, then re-calibrated by the maker or an accredited lab (article not found; three secondary sources
agree: docs/standards.md §8 [U], the validity configurable). Past it is critical (an uncalibrated lock
is an untrusted lock: 安全锁失效, 建质规〔2024〕5号 第九条(五) [U]); due within the warning days a warning.

Dates are judged on the local date of the reading's own timestamp, so a replay of old readings judges
them as of their own time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from contract.alert_event import Level
from contract.config.platform import PlatformSpec
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "platform.lock_calibration"
CLAUSE = (
    "高处作业吊篮 安全锁应在有效标定期内使用，标定有效期不大于一年，到期由制造厂或有资质机构重新标定（条号未找到，"
    f"有效期可配置）；过期视为安全锁失效，建质规〔2024〕5号 第九条(五) {MAJOR_ZH}"
)


class PlatformLockCalibration:
    """The safety locks' calibration, per platform."""

    def __init__(self, utc_offset_h: float) -> None:
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, spec: PlatformSpec, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.lock_calibration verdict at ``ts``."""
        today = datetime.fromtimestamp(ts, UTC).astimezone(self._tz).date()
        expires = spec.lock_calibrated_on + timedelta(days=spec.lock_valid_days)
        left = (expires - today).days
        level, what, what_en = _judge(spec, today, expires, left)

        def build() -> RuleResult:
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=float(left),
                threshold=float(spec.lock_due_days) if level != "critical" else 0.0,
                unit="d",
                message=pick(level, f"{name} {what}", _action(level)),
                message_en=pick_en(level, f"{name}: {what_en}", _action_en(level)),
                details={"calibrated_on": str(spec.lock_calibrated_on), "expires": str(expires)},
                backfill=backfill,
            )

        return self._memory.report_later(RULE, device, "", level, ts, backfill, build)


def _judge(spec: PlatformSpec, today: date, expires: date, left: int) -> tuple[Level | None, str, str]:
    if today > expires:
        return (
            "critical",
            f"安全锁标定已于 {expires} 过期（上次标定 {spec.lock_calibrated_on}）",
            f"safety lock calibration expired on {expires}",
        )
    if left <= spec.lock_due_days:
        return (
            "warning",
            f"安全锁标定将于 {expires} 到期（剩 {left} 天）",
            f"safety lock calibration due on {expires} ({left} days left)",
        )
    return None, f"安全锁标定有效至 {expires}", f"safety lock calibrated until {expires}"


def _action(level: Level | None) -> str:
    if level == "critical":
        return "立即停用吊篮，安全锁送制造厂或有资质机构重新标定后方可使用"
    return "安排安全锁重新标定" if level else ""


def _action_en(level: Level | None) -> str:
    if level == "critical":
        return "take the platform out of use until its safety locks are recalibrated"
    return "book the recalibration" if level else ""
