"""hoist.operator: a moving cage needs a licensed driver logged in: nobody logged in, a driver not
on the roster or one whose licence has expired is critical (建设部令第166号 Art. 25; 建质规〔2024〕5号
第四条(三): 特种作业人员未取得有效证书上岗, a major hazard). A driver who is named but not licensed is
critical from the sample that reports them logged in, moving or not, as crane.operator judges a crane's: an
expired licence is this alert's alone (personnel.certificate raises none for it: one fact, one alert), so it
must show as soon as the certificate rule would have shown it.

Nobody logged in is an empty driver id, the vendor's 255, or no driver id at all in a sample of a
box that reports one with every sample (rules.roster): a missing identity is never a licensed one.

The alert opens when the cage moves with such a driver (or nobody) and lasts while that driver (or
nobody) stays logged in, so a driver who stops at each landing does not open a new alert per trip;
it clears when a licensed driver logs in, or when someone else logs in while the cage stands.
"""

from __future__ import annotations

from collections.abc import Collection

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.roster import Roster, nobody
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "hoist.operator"
CLAUSE = f"建设部令第166号 第二十五条；建质规〔2024〕5号 第四条(三) 特种作业人员未取得有效操作资格证书上岗，{MAJOR_ZH}"


class HoistOperator:
    """The driver of each moving cage against the roster."""

    def __init__(self, roster: Roster, drivers_reported: Collection[str] = ()) -> None:
        self._roster = roster
        self._reported = frozenset(drivers_reported)  # hoists whose every sample carries a driver id
        self._memory = LevelMemory()
        self._flagged: dict[str, str] = {}  # device: the driver id the open alert is about ("": nobody)

    def reported_always(self, device: str) -> bool:
        """Whether ``device``'s box reports its driver with every sample (a sample without: nobody)."""
        return device in self._reported

    def evaluate(
        self, device: str, name: str, moving: bool, driver_id: str | None, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The hoist.operator verdict for one sample (``driver_id`` None: the sample carried none)."""
        found = self._roster.check(driver_id, ts)
        who = "" if driver_id is None or nobody(driver_id) else driver_id.strip()
        open_for = self._flagged.get(device)
        bad = bool(found.problem_zh)
        level: Level | None = "critical" if bad and (moving or open_for == who or not found.nobody) else None
        if level:
            self._flagged[device] = who
        else:
            self._flagged.pop(device, None)

        def build() -> RuleResult:
            if level and moving:
                what = f"{name} 运行中，司机 {found.problem_zh}"
                what_en = f"{name} moving: {found.problem_en}"
            elif level:
                what, what_en = f"{name} 司机 {found.problem_zh}", f"{name} driver: {found.problem_en}"
            else:
                shown = who or "-"
                what, what_en = f"{name} 司机 {shown}", f"{name} driver {shown}"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=(driver_id or "").strip(),  # as the box reported it (255 stays 255)
                message=pick(level, what, "立即停梯，由持有效操作资格证的司机登录后方可运行"),
                message_en=pick_en(level, what_en, "stop: only a licensed driver may run it"),
                details=found.details(),
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
