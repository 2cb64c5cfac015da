"""hoist.arrester: the fall arrester (防坠安全器) must be in place and used only within its
one-year calibration (JGJ 215-2010 §4.1.7) and its service life (≤ 5 years, Guangdong form
3.1.3). Not in place, out of calibration or past its life is critical (read as a failed safety
device, 建质规〔2024〕5号 第八条(四) [U]); calibration due within the warning days is a warning.

Dates are judged on the local date of the reading's own timestamp, so a replay of old readings
judges them as of their own time.
"""

from __future__ import annotations

from datetime import date

from contract.config.hoist import HoistSpec
from kinds.hoist.thresholds import HoistRule
from rules.calibration_due import CalibrationDue, DueWords, Verdict
from rules.result import RuleResult
from rules.wording import MAJOR_ZH

RULE = "hoist.arrester"
CLAUSE = (
    "JGJ 215-2010 第4.1.7条 防坠安全器应在一年有效标定期内使用；使用年限不超过5年（广东省施工升降机"
    f"自检表 3.1.3）；失效属 建质规〔2024〕5号 第八条(四) {MAJOR_ZH}"
)
DAYS_PER_YEAR = 365.25
WORDS = DueWords(
    device="防坠安全器",
    device_en="fall arrester",
    valid="防坠安全器在位，标定有效至 {expires}",
    valid_en="fall arrester in place, calibrated until {expires}",
    critical="立即停用施工升降机，更换或重新标定防坠安全器并做坠落试验",
    critical_en="take the hoist out of use: replace or recalibrate the arrester and drop-test it",
    due="安排有资质机构重新标定",
    due_en="book the recalibration",
)
NOT_IN_PLACE: Verdict = ("critical", "防坠安全器不在位", "fall arrester not in place")


class HoistArrester(CalibrationDue):
    """The fall arrester's presence, calibration and life, per hoist."""

    def __init__(self, utc_offset_h: float) -> None:
        super().__init__(RULE, CLAUSE, utc_offset_h, WORDS)

    def evaluate(
        self,
        device: str,
        name: str,
        spec: HoistSpec,
        cfg: HoistRule,
        in_place: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The hoist.arrester verdict at ``ts`` (``in_place`` None: the box does not say)."""
        missing = NOT_IN_PLACE if in_place is not None and round(in_place) == 0 else None

        def past_life(today: date) -> Verdict | None:
            since = spec.arrester_in_service_since
            if since is None or (today - since).days <= spec.arrester_life_years * DAYS_PER_YEAR:
                return None
            years = spec.arrester_life_years
            return (
                "critical",
                f"防坠安全器自 {since} 起使用已超过 {years:g} 年",
                f"fall arrester in service since {since}, past its {years:g}-year life",
            )

        calibrated_on, valid_days = spec.arrester_calibrated_on, cfg.arrester_valid_days
        return self.judge(
            device, name, calibrated_on, valid_days, cfg.arrester_due_days, ts, backfill, missing, past_life
        )
