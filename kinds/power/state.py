"""The rules of what the box's RCD says of itself (its ``rcd_state``: 0 closed, 1 tripped
by a residual current, 2 opened by hand, 3 its residual-current protection switched off or bridged): power.bypass
(kinds/power/bypass.py) and power.trip (kinds/power/trip.py) each give their state, level and words."""

from __future__ import annotations

from dataclasses import dataclass

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en


@dataclass(frozen=True)
class StateRule:
    """One state of the RCD that is an alert, and its words."""

    rule: str
    state: int
    level: Level
    clause: str
    what: str
    what_en: str
    action: str
    action_en: str


class PowerState:
    """One RCD state rule, per box."""

    def __init__(self, rule: StateRule) -> None:
        self.rule = rule
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, state: float, ts: float, backfill: bool, excused: bool = False
    ) -> RuleResult | None:
        """The verdict of one reading of the RCD's state; ``excused``: the state is not what the rule means
        (a trip that is the RCD's test, kinds/power/trip.py)."""
        r = self.rule
        level: Level | None = r.level if round(state) == r.state and not excused else None

        def build() -> RuleResult:
            return RuleResult(
                rule=r.rule,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=r.clause,
                value=r.what if level else "漏电保护器正常",
                unit="",
                message=pick(level, f"{name} {r.what}" if level else f"{name} 漏电保护器", r.action),
                message_en=pick_en(level, f"{name}: {r.what_en}" if level else f"{name} RCD", r.action_en),
                details={"rcd_state": state},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
