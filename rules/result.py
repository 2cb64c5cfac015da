"""RuleResult: what a rule concluded about one fingerprint (device + point + rule) at one instant."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

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


Build = Callable[[], RuleResult]  # makes a verdict


class LazyResult(RuleResult):
    """A verdict whose key (rule, device, point, level, ts, backfill) is set at once and whose figures
    and words (clause, value, threshold, unit, messages, details) are made by ``build`` the first time
    any of them is read, then kept: a rule repeats its verdict at every reading while a hazard lasts,
    and the alert manager reads the figures of a repeat only when its alert is read, so most are never
    made. ``build`` must use only values fixed when it was made (the rule's state moves on), so that
    the verdict read later is the one of that instant; it returns the full RuleResult, whose key must
    be this one's. Equal to, and shown as, that RuleResult.
    """

    __slots__ = ("_build",)

    @classmethod
    def later(
        cls,
        rule: str,
        device: str,
        point: str,
        level: Level | None,
        ts: float,
        backfill: bool,
        build: Build,
        value: float | str | None = None,
    ) -> LazyResult:
        """The verdict with this key that ``build`` makes when its figures are first read; ``value``,
        when given, is its value at once (the alert manager reads every verdict's value to keep the
        alert's worst: given here, that costs no build); ``build`` must make the same value."""
        made = cls.__new__(cls)
        # frozen: each field stored through its slot's own setter (object.__setattr__, as the
        # dataclass's __init__ does, looks each up by name first: three times the cost, and a rule
        # makes one of these at every reading of a hazard that lasts)
        _set_rule(made, rule)
        _set_device(made, device)
        _set_point(made, point)
        _set_level(made, level)
        _set_ts(made, ts)
        _set_backfill(made, backfill)
        _set_build(made, build)
        if value is not None:
            _set_value(made, value if isinstance(value, str) else float(value))
        return made

    def __getattr__(self, name: str) -> Any:
        # called only for an attribute not set yet: the figures before their first reading
        if name not in _LAZY:
            raise AttributeError(name)
        build = object.__getattribute__(self, "_build")
        full = build()
        if (full.rule, full.device, full.point, full.level, full.ts, full.backfill) != (
            self.rule,
            self.device,
            self.point,
            self.level,
            self.ts,
            self.backfill,
        ) or (_has_value(self) and self.value != full.value):
            raise ValueError(f"{self.rule}: the verdict built later is not the one reported: {full!r}")
        for each in _LAZY:
            object.__setattr__(self, each, getattr(full, each))
        return getattr(full, name)

    def full(self) -> RuleResult:
        """The plain RuleResult this verdict stands for (its figures made if not yet)."""
        return RuleResult(**{f.name: getattr(self, f.name) for f in fields(RuleResult)})

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyResult):
            other = other.full()
        return self.full() == other if isinstance(other, RuleResult) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.full())

    def __repr__(self) -> str:
        return repr(self.full())

    def __reduce__(self) -> str | tuple[Any, ...]:
        # copied or pickled as the plain RuleResult (a build function is not data)
        return self.full().__reduce__()


_KEY = ("rule", "device", "point", "level", "ts", "backfill")
_LAZY = tuple(f.name for f in fields(RuleResult) if f.name not in _KEY)
_set_rule, _set_device, _set_point, _set_level, _set_ts, _set_backfill = (
    RuleResult.__dict__[name].__set__ for name in _KEY
)
_set_build = LazyResult.__dict__["_build"].__set__
_set_value = RuleResult.__dict__["value"].__set__


def _has_value(made: LazyResult) -> bool:
    """Whether the verdict's value was given when it was made (its slot set)."""
    try:
        object.__getattribute__(made, "value")
    except AttributeError:
        return False
    return True
