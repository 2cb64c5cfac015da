"""RuleResult: what a rule concluded about one fingerprint (device + point + rule) at one instant."""

from __future__ import annotations

from dataclasses import dataclass, field

from contract.alert_event import LEVEL_RANK, Level


@dataclass(slots=True, frozen=True)
class RuleResult:
    """A rule's verdict: ``level`` None means the condition is gone (after the clearing band).

    Rules report every evaluation in a hazardous state and every change back to None, so that
    the alert manager can resume after a restart. ``latched`` results (pit.jump) never clear by
    themselves: a supervisor resolves them.
    """

    rule: str
    device: str
    point: str
    level: Level | None
    ts: float
    clause: str = ""
    value: float | str | None = None
    threshold: float | None = None
    unit: str = ""
    message: str = ""  # Chinese: what, where, how far over, and the action while it applies
    message_en: str = ""  # the same in English
    details: dict[str, float | str | list[str]] = field(default_factory=dict)
    backfill: bool = False
    latched: bool = False
    evidence: str | None = None  # JPEG as base64, or a URL (vision results)

    def __post_init__(self) -> None:
        # alerts copy these figures without re-validation: ints (seconds, counts) must arrive as
        # the floats the AlertEvent schema declares, or every serialisation warns
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            object.__setattr__(self, "value", float(self.value))
        if isinstance(self.threshold, int):
            object.__setattr__(self, "threshold", float(self.threshold))


def rank(level: Level | None) -> int:
    """0 for no alert, then warning < alarm < critical."""
    return LEVEL_RANK[level] if level else 0
