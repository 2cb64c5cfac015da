"""One alert per hot-work permit (the site's, the permit's id its point), as the permit rules share it: a
verdict at each tick while the permit's hazard lasts, one clearing when it ends, and one when the permit
leaves the register while firing (withdrawn), so that no alert outlives its permit unsaid."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from contract.alert_event import Level
from contract.hot_work import Permit
from rules.result import RuleResult
from rules.wording import pick, pick_en

SITE = "site"  # a permit is no device: its alerts are the site's, one per permit (the point)


class PermitAlerts:
    """The permits whose alert of one rule is firing."""

    def __init__(self, rule: str, clause: str) -> None:
        self.rule, self.clause = rule, clause
        self._firing: set[str] = set()

    @property
    def firing(self) -> bool:
        """Whether any permit's alert is firing."""
        return bool(self._firing)

    def verdict(
        self,
        p: Permit,
        level: Level | None,
        now: float,
        what: tuple[str, str],
        action: tuple[str, str],
        value: str | None = None,
    ) -> RuleResult:
        """``p``'s verdict: the facts ``what`` and, while it fires, the ``action`` (Chinese, English)."""
        return RuleResult(
            rule=self.rule,
            device=SITE,
            point=p.id,
            level=level,
            ts=now,
            clause=self.clause,
            value=value,
            unit="",
            message=pick(level, what[0], action[0]),
            message_en=pick_en(level, what[1], action[1]),
            details={"place": p.place},
        )

    def tick(
        self,
        permits: Sequence[Permit],
        now: float,
        hazard: Callable[[Permit], RuleResult | None],
        cleared: Callable[[Permit], RuleResult],
    ) -> list[RuleResult]:
        """The verdicts owed at ``now``: ``hazard(p)`` while it finds one (repeated), ``cleared(p)`` once after."""
        out: list[RuleResult] = []
        seen: set[str] = set()
        for p in permits:
            seen.add(p.id)
            found = hazard(p)
            if found is not None:
                self._firing.add(p.id)
                out.append(found)
            elif p.id in self._firing:
                self._firing.discard(p.id)
                out.append(cleared(p))
        for gone in sorted(self._firing - seen):
            self._firing.discard(gone)
            out.append(
                RuleResult(
                    rule=self.rule,
                    device=SITE,
                    point=gone,
                    level=None,
                    ts=now,
                    clause=self.clause,
                    message=f"动火许可证 {gone} 已撤销，已恢复正常",
                    message_en=f"permit {gone} withdrawn, back to normal",
                )
            )
        return out
