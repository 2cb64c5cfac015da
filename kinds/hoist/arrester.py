"""hoist.arrester: the fall arrester (防坠安全器) must be in place and used only within its
one-year calibration (JGJ 215-2010 §4.1.7) and its service life (≤ 5 years, Guangdong form
3.1.3). Not in place, out of calibration or past its life is critical (read as a failed safety
device, 建质规〔2024〕5号 第八条(四) [U]); a drop test at the rated load more than 3 months ago (at
least every 3 months, JGJ 215-2010 §5.3.6; judged where the site file gives its date) is an alarm;
calibration due within the warning days is a warning.

Dates are judged on the local date of the reading's own timestamp, so a replay of old readings
judges them as of their own time.
"""

from __future__ import annotations

import calendar
from datetime import date

from contract.config.hoist import HoistSpec
from kinds.hoist.thresholds import HoistRule
from rules.calibration_due import CalibrationDue, DueWords, Verdict
from rules.result import RuleResult
from rules.wording import MAJOR_ZH

RULE = "hoist.arrester"
CLAUSE = (
    "JGJ 215-2010 第4.1.7条 防坠安全器应在一年有效标定期内使用；第5.3.6条 至少每3个月进行一次额定载重量的"
    "坠落试验；使用年限不超过5年（广东省施工升降机自检表 3.1.3）；失效属 建质规〔2024〕5号 第八条(四) "
    f"{MAJOR_ZH}"
)
DAYS_PER_YEAR = 365.25
WORDS = DueWords(
    device="防坠安全器",
    device_en="fall arrester",
    valid="防坠安全器在位，标定有效至 {expires}",
    valid_en="fall arrester in place, calibrated until {expires}",
    critical="立即停用施工升降机，更换或重新标定防坠安全器并做坠落试验",
    critical_en="take the hoist out of use: replace or recalibrate the arrester and drop-test it",
    due="安排有资质机构重新标定，按期做额定载重量坠落试验",
    due_en="book the recalibration and the rated-load drop test",
)
DROP_TEST_MONTHS = 3  # JGJ 215-2010 §5.3.6: a drop test at the rated load at least every 3 months


def months_after(day: date, months: int) -> date:
    """The date ``months`` calendar months after ``day`` (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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
                return drop_test(today)
            years = spec.arrester_life_years
            return (
                "critical",
                f"防坠安全器自 {since} 起使用已超过 {years:g} 年",
                f"fall arrester in service since {since}, past its {years:g}-year life",
            )

        def drop_test(today: date) -> Verdict | None:
            tested = spec.arrester_drop_tested_on
            if tested is None:
                return None
            due = months_after(tested, DROP_TEST_MONTHS)
            if today <= due:  # 至少每3个月: a test on the day 3 months on is in time
                return None
            return (
                "alarm",
                f"防坠安全器坠落试验已超过 3 个月（上次 {tested}，应于 {due} 前复试）",
                f"fall arrester drop test overdue (last {tested}, due by {due})",
            )

        calibrated_on, valid_days = spec.arrester_calibrated_on, cfg.arrester_valid_days
        return self.judge(
            device, name, calibrated_on, valid_days, cfg.arrester_due_days, ts, backfill, missing, past_life
        )
