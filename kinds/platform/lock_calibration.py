"""platform.lock_calibration: the safety locks (安全锁) are used only within their calibration, valid one
year, then re-calibrated by the maker or an accredited lab (article not found; three secondary sources
agree: docs/standards.md §8 [U], the validity configurable). Past it is critical (an uncalibrated lock
is an untrusted lock: 安全锁失效, 建质规〔2024〕5号 第九条(五) [U]); due within the warning days a warning.

Dates are judged on the local date of the reading's own timestamp, so a replay of old readings judges
them as of their own time."""

from __future__ import annotations

from contract.config.platform import PlatformSpec
from rules.calibration_due import CalibrationDue, DueWords
from rules.result import RuleResult
from rules.wording import MAJOR_ZH

RULE = "platform.lock_calibration"
CLAUSE = (
    "高处作业吊篮 安全锁应在有效标定期内使用，标定有效期不大于一年，到期由制造厂或有资质机构重新标定（条号未找到，"
    f"有效期可配置）；过期视为安全锁失效，建质规〔2024〕5号 第九条(五) {MAJOR_ZH}"
)
WORDS = DueWords(
    device="安全锁",
    device_en="safety lock",
    valid="安全锁标定有效至 {expires}",
    valid_en="safety lock calibrated until {expires}",
    critical="立即停用吊篮，安全锁送制造厂或有资质机构重新标定后方可使用",
    critical_en="take the platform out of use until its safety locks are recalibrated",
    due="安排安全锁重新标定",
    due_en="book the recalibration",
)


class PlatformLockCalibration(CalibrationDue):
    """The safety locks' calibration, per platform."""

    def __init__(self, utc_offset_h: float) -> None:
        super().__init__(RULE, CLAUSE, utc_offset_h, WORDS)

    def evaluate(
        self, device: str, name: str, spec: PlatformSpec, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.lock_calibration verdict at ``ts``."""
        return self.judge(
            device,
            name,
            spec.lock_calibrated_on,
            spec.lock_valid_days,
            spec.lock_due_days,
            ts,
            backfill,
        )
