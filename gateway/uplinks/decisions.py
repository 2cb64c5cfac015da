"""The regulator's decisions on this site's alerts, as the delivery side hears them (its feedback, issue #6),
and what it needs of the place that keeps them.

The feedback poller (gateway/uplinks/feedback.py) writes each decision through a `DecisionLog`: the
alerts' `DecisionStore` (gateway/alerts/store.py) is one, handed to the poller by the shell. The delivery
side owns this interface and knows nothing of an alert's life (firing, acknowledged, resolved); the
alerts' side keeps the decisions beside the alerts they annotate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, Field


class Decision(BaseModel):
    """One decision of the regulator on one of this site's alerts (its feedback, issue #6): it
    annotates the alert and never changes the alert's own life (firing, acknowledged, resolved)."""

    uplink: str = Field(description="the regulator uplink it came from")
    action_id: int = Field(description="the regulator's id of the action (the feedback cursor)")
    alert_id: str = Field(description="the gateway alert it is about")
    action: str = Field(description="confirm, dismiss, order, report, close, reject or escalate")
    state: str = Field(
        description="the hazard's state at the regulator after it: confirmed, dismissed, "
        "rectifying, reported, closed"
    )
    actor: str = Field("", description="who decided (a regulator's user name, or system)")
    reason: str = Field("", description="why: a dismissal's reason, a rejected rectification's")
    deadline: float | None = Field(None, description="rectification deadline, Unix seconds")
    major: bool | None = Field(
        None, description="listed supervision (挂牌督办); None when the regulator did not say"
    )
    ts: float = Field(description="Unix seconds the regulator decided")
    received_ts: float = Field(description="Unix seconds the gateway heard of it")
    text: str = Field(
        description="what the site reads, 中文 | English, e.g. 监管: 限期整改至 2026-12-01 | "
        "regulator: rectify by 2026-12-01"
    )


class DecisionLog(Protocol):
    """Where the regulator's decisions are kept, with how far each regulator uplink has read them."""

    def cursor(self, uplink: str) -> int:
        """The last action id of ``uplink`` already stored (0: none yet)."""
        ...

    def add(self, uplink: str, decisions: Sequence[Decision], after: int) -> list[Decision]:
        """Store ``decisions`` and move the cursor to ``after`` (never backwards); return those not stored
        before, in one transaction (a restart neither misses nor repeats one)."""
        ...
