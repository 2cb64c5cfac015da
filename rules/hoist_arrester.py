"""hoist.arrester: the fall arrester (防坠安全器) must be in place and used only within its
one-year calibration (JGJ 215-2010 §4.1.7) and its service life (≤ 5 years, Guangdong form
3.1.3). Not in place, out of calibration or past its life is critical (read as a failed safety
device, 建质规〔2024〕5号 第八条(四) [U]); calibration due within the warning days is a warning.

Dates are judged on the local date of the reading's own timestamp, so a replay of old readings
judges them as of their own time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from contract.alert_event import Level
from contract.config.hoist import HoistSpec
from contract.config.rules import HoistRule
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "hoist.arrester"
CLAUSE = (
    "JGJ 215-2010 第4.1.7条 防坠安全器应在一年有效标定期内使用；使用年限不超过5年（广东省施工升降机"
    f"自检表 3.1.3）；失效属 建质规〔2024〕5号 第八条(四) {MAJOR_ZH}"
)
DAYS_PER_YEAR = 365.25


class HoistArrester:
    """The fall arrester's presence, calibration and life, per hoist."""

    def __init__(self, utc_offset_h: float) -> None:
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._memory = LevelMemory()

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
        today = datetime.fromtimestamp(ts, UTC).astimezone(self._tz).date()
        expires = spec.arrester_calibrated_on + timedelta(days=cfg.arrester_valid_days)
        left = (expires - today).days
        level, what, what_en = _judge(spec, cfg, in_place, today, expires, left)

        def build() -> RuleResult:
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=float(left),
                threshold=float(cfg.arrester_due_days) if level != "critical" else 0.0,
                unit="d",
                message=pick(level, f"{name} {what}", _action(level)),
                message_en=pick_en(level, f"{name}: {what_en}", _action_en(level)),
                details={"calibrated_on": str(spec.arrester_calibrated_on), "expires": str(expires)},
                backfill=backfill,
            )

        return self._memory.report_later(RULE, device, "", level, ts, backfill, build)


def _judge(
    spec: HoistSpec, cfg: HoistRule, in_place: float | None, today: date, expires: date, left: int
) -> tuple[Level | None, str, str]:
    if in_place is not None and round(in_place) == 0:
        return "critical", "防坠安全器不在位", "fall arrester not in place"
    if today > expires:
        return (
            "critical",
            f"防坠安全器标定已于 {expires} 过期（上次标定 {spec.arrester_calibrated_on}）",
            f"fall arrester calibration expired on {expires}",
        )
    since = spec.arrester_in_service_since
    if since is not None and (today - since).days > spec.arrester_life_years * DAYS_PER_YEAR:
        return (
            "critical",
            f"防坠安全器自 {since} 起使用已超过 {spec.arrester_life_years:g} 年",
            f"fall arrester in service since {since}, past its {spec.arrester_life_years:g}-year life",
        )
    if left <= cfg.arrester_due_days:
        return (
            "warning",
            f"防坠安全器标定将于 {expires} 到期（剩 {left} 天）",
            f"fall arrester calibration due on {expires} ({left} days left)",
        )
    return (
        None,
        f"防坠安全器在位，标定有效至 {expires}",
        f"fall arrester in place, calibrated until {expires}",
    )


def _action(level: Level | None) -> str:
    if level == "critical":
        return "立即停用施工升降机，更换或重新标定防坠安全器并做坠落试验"
    return "安排有资质机构重新标定" if level else ""


def _action_en(level: Level | None) -> str:
    if level == "critical":
        return "take the hoist out of use: replace or recalibrate the arrester and drop-test it"
    return "book the recalibration" if level else ""
