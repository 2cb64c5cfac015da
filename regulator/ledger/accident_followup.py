"""What follows an accident once it is reported: the 四不放过 checklist, the investigation and the penalty, and
the proposal to list it for supervision when they drag on (issue 39 part 2).

The four steps (cause found, those responsible dealt with, people educated, measures taken) are a checklist
on the incident: each step is ticked once, with who and a note, and the incident is closed (结案) only when
all four are done. An accident whose investigation is not finished ``investigation_days`` after it happened
(《生产安全事故报告和调查处理条例》第二十九条: the report within 60 days, which the government may extend
by up to 60), or whose penalty is not decided
``penalty_days`` after it happened (第三十二条: the decision within 15 days of the report, so 75 days), is
proposed for listed supervision or a higher-level investigation (挂牌督办或申请提级调查). Both are
configurable [U]; a near miss has no investigation of its own, so no proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regulator.ledger.review import DAY_S, ReviewError

STEPS = {
    "cause_found": "事故原因已查清",
    "responsible_dealt": "责任人员已处理",
    "people_educated": "相关人员已受教育",
    "measures_taken": "防范措施已落实",
}
STEPS_BASIS = "事故处理“四不放过”：原因未查清不放过、责任人员未处理不放过、有关人员未受到教育不放过、整改措施未落实不放过"
STAGES = {"investigation": "事故调查", "penalty": "责任追究（处罚）"}
REGULATION = "《生产安全事故报告和调查处理条例》（国务院令第493号）"
PROPOSAL = "建议挂牌督办或申请提级调查"


@dataclass(frozen=True, slots=True)
class FollowupPolicy:
    """Days after the accident by which its investigation and its penalty should be finished."""

    investigation_days: float = 60.0
    penalty_days: float = 75.0


def checklist(done: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The four steps in order, each with who ticked it, when and the note (None while not done)."""
    return [
        {
            "step": step,
            "name": name,
            "done": step in done,
            **done.get(step, {"by": None, "at": None, "note": ""}),
        }
        for step, name in STEPS.items()
    ]


def stages(row: dict[str, Any], now: float, policy: FollowupPolicy) -> list[dict[str, Any]]:
    """The investigation and the penalty: when each is due, whether finished (by whom, when) or overdue."""
    out = []
    for stage, days in (("investigation", policy.investigation_days), ("penalty", policy.penalty_days)):
        due = row["occurred_at"] + days * DAY_S
        done_at = row[f"{stage}_done_at"]
        out.append(
            {
                "stage": stage,
                "name": STAGES[stage],
                "days": days,
                "due_at": due,
                "done_at": done_at,
                "done_by": row[f"{stage}_done_by"],
                "overdue": done_at is None and now > due,
            }
        )
    return out


def proposal(kind: str, closed: bool, staged: list[dict[str, Any]]) -> str | None:
    """挂牌督办或申请提级调查 with the reason, for an open accident whose investigation or penalty is overdue."""
    late = [s for s in staged if s["overdue"]]
    if kind != "accident" or closed or not late:
        return None
    why = "；".join(f"事故发生{s['days']:g}日{s['name']}仍未完成" for s in late)
    return f"{PROPOSAL}：{why}（{REGULATION}第二十九条、第三十二条）"


def require_step(step: str) -> None:
    """422 naming the steps when ``step`` is not one of them."""
    if step not in STEPS:
        raise ReviewError(
            422, f"unknown step {step!r}: one of " + ", ".join(f"{k} ({v})" for k, v in STEPS.items())
        )


def require_stage(stage: str) -> None:
    """422 naming the stages when ``stage`` is not one of them."""
    if stage not in STAGES:
        raise ReviewError(422, f"unknown stage {stage!r}: investigation (事故调查) or penalty (责任追究)")


def require_all_steps(done: set[str]) -> None:
    """409 naming the steps still open: an incident is closed only when all four are done."""
    missing = [name for step, name in STEPS.items() if step not in done]
    if missing:
        raise ReviewError(409, "四不放过未全部完成，不能结案：尚缺 " + "、".join(missing))
