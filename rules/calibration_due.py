"""A safety device's calibration date (a platform's safety locks, a hoist's fall arrester): past its
validity is critical, due within the warning days a warning. Each rule module names its rule, clause
and words, may add checks of its own, and hands the dates and the verdict here.

Dates are judged on the local date of the reading's own timestamp, so a replay of old readings judges
them as of their own time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.site_day import SiteDay
from rules.wording import pick, pick_en

Verdict = tuple[Level | None, str, str]  # the level, what is found in Chinese and in English


@dataclass(frozen=True)
class DueWords:
    """A rule's words: the device named in Chinese and English, what a valid calibration says (taking
    ``{expires}``), and the actions when critical and when due."""

    device: str
    device_en: str
    valid: str
    valid_en: str
    critical: str
    critical_en: str
    due: str
    due_en: str


class CalibrationDue:
    """One rule's calibration dates, per device."""

    def __init__(self, rule: str, clause: str, utc_offset_h: float, words: DueWords) -> None:
        self._rule, self._clause, self._words = rule, clause, words
        self._day = SiteDay(utc_offset_h)  # the local date of a reading
        self._memory = LevelMemory()

    def judge(
        self,
        device: str,
        name: str,
        calibrated_on: date,
        valid_days: int,
        due_days: int,
        ts: float,
        backfill: bool,
        first: Verdict | None = None,
        after_expiry: Callable[[date], Verdict | None] | None = None,
    ) -> RuleResult | None:
        """The verdict at ``ts`` (built when first read): ``first`` (a finding of the rule's own) before
        the dates, then expired, then ``after_expiry`` of the local date, then due, then valid."""
        today = self._day.of(ts)
        expires = calibrated_on + timedelta(days=valid_days)
        left = (expires - today).days
        found = first or self._dates(calibrated_on, today, expires, left, due_days, after_expiry)
        level = found[0] if found else None
        w = self._words

        def build() -> RuleResult:
            # a valid calibration's words made only when read: the verdict is judged at every sample
            _, what, what_en = found or (
                None,
                w.valid.format(expires=expires),
                w.valid_en.format(expires=expires),
            )
            return RuleResult(
                rule=self._rule,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=self._clause,
                value=float(left),
                threshold=float(due_days) if level != "critical" else 0.0,
                unit="d",
                message=pick(level, f"{name} {what}", _action(level, w.critical, w.due)),
                message_en=pick_en(level, f"{name}: {what_en}", _action(level, w.critical_en, w.due_en)),
                details={"calibrated_on": str(calibrated_on), "expires": str(expires)},
                backfill=backfill,
            )

        return self._memory.report_later(self._rule, device, "", level, ts, backfill, build, float(left))

    def _dates(
        self,
        calibrated_on: date,
        today: date,
        expires: date,
        left: int,
        due_days: int,
        after_expiry: Callable[[date], Verdict | None] | None,
    ) -> Verdict | None:
        """Expired, ``after_expiry``'s finding, or due; None: valid."""
        w = self._words
        if today > expires:
            return (
                "critical",
                f"{w.device}标定已于 {expires} 过期（上次标定 {calibrated_on}）",
                f"{w.device_en} calibration expired on {expires}",
            )
        found = after_expiry(today) if after_expiry else None
        if found:
            return found
        if left <= due_days:
            return (
                "warning",
                f"{w.device}标定将于 {expires} 到期（剩 {left} 天）",
                f"{w.device_en} calibration due on {expires} ({left} days left)",
            )
        return None


def _action(level: Level | None, critical: str, due: str) -> str:
    if level == "critical":
        return critical
    return due if level else ""
