"""RuleResult: what a rule concluded about one fingerprint (device + point + rule) at one instant.

Compiled with the rules (setup.py): a rule makes one at every reading of a hazard that lasts, and a
compiled class makes it for a few dozen nanoseconds where a frozen dataclass took a microsecond.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from contract.alert_event import LEVEL_RANK, Level

Build = Callable[[], "RuleResult"]  # makes a verdict
Details = dict[str, float | str | list[str]]
# The details key by which a rule that judges a band (worse both ways, e.g. slope.anchor) says which way its
# alert worsens, "lower" or "higher": its first value may lie exactly on a lower line entered when reached,
# which the alert manager's worsening updates would otherwise read as an upward one
WORSE_DETAIL: Final = "worse"


class RuleResult:
    """A rule's verdict: ``level`` None means the condition is gone (after the clearing band).

    Rules report every evaluation in a hazardous state and every change back to None, so that
    the alert manager can resume after a restart. ``latched`` results (pit.jump) never clear by
    themselves: a supervisor resolves them.

    Its key (rule, device, point, level, ts, backfill) is set when it is made; its figures and words
    (clause, value, threshold, unit, messages, details, latched, evidence) too, or, for a verdict made
    with :meth:`later`, by its ``build`` the first time any of them is read, then kept: a rule repeats its
    verdict at every reading while a hazard lasts, and the alert manager reads the figures of a repeat
    only when its alert is read, so most are never made. Immutable: the type checker refuses an
    assignment to any of its fields, and the figures are read-only properties.
    """

    def __init__(
        self,
        rule: str,
        device: str,
        point: str,
        level: Level | None,
        ts: float,
        clause: str = "",
        value: float | str | None = None,
        threshold: float | None = None,
        unit: str = "",
        message: str = "",  # Chinese: what, where, how far over, and the action while it applies
        message_en: str = "",  # the same in English
        details: Details | None = None,
        backfill: bool = False,
        latched: bool = False,
        evidence: str | None = None,  # JPEG as base64, or a URL (vision results)
    ) -> None:
        self.rule: Final = rule
        self.device: Final = device
        self.point: Final = point
        self.level: Final = level
        self.ts: Final = float(ts)
        self.backfill: Final = backfill
        # the figures, read through their properties; _build makes them on the first read when not None
        self._build: Build | None = None
        self._clause = clause
        # alerts copy these figures without re-validation: ints (seconds, counts) must arrive as the
        # floats the AlertEvent schema declares, or every serialisation warns
        self._value = _number(value)
        self._threshold = None if threshold is None else float(threshold)
        self._unit = unit
        self._message = message
        self._message_en = message_en
        self._details: Details = {} if details is None else details
        self._latched = latched
        self._evidence = evidence

    @staticmethod
    def later(
        rule: str,
        device: str,
        point: str,
        level: Level | None,
        ts: float,
        backfill: bool,
        build: Build,
        value: float | str | None = None,
    ) -> RuleResult:
        """The verdict with this key whose figures ``build`` makes when they are first read. ``build`` must
        use only values fixed when it was made (the rule's state moves on), so that the verdict read later
        is the one of that instant, and return a verdict with this key (ValueError otherwise). ``value``,
        when given, is its value at once (the alert manager reads every verdict's value to keep the alert's
        worst: given here, that costs no build); ``build`` must make the same value."""
        made = RuleResult(rule, device, point, level, ts, value=value, backfill=backfill)
        made._build = build
        return made

    def _made(self) -> None:
        """Make the figures of a verdict made with :meth:`later` (once: _build is None after)."""
        build = self._build
        if build is None:
            return
        full = build()
        if (full.rule, full.device, full.point, full.level, full.ts, full.backfill) != (
            self.rule,
            self.device,
            self.point,
            self.level,
            self.ts,
            self.backfill,
        ) or (self._value is not None and self._value != full.value):
            raise ValueError(f"{self.rule}: the verdict built later is not the one reported: {full!r}")
        self._build = None
        self._clause, self._value, self._threshold = full.clause, full.value, full.threshold
        self._unit, self._message, self._message_en = full.unit, full.message, full.message_en
        self._details, self._latched, self._evidence = full.details, full.latched, full.evidence

    @property
    def clause(self) -> str:
        """The standard's article in force."""
        self._made()
        return self._clause

    @property
    def value(self) -> float | str | None:
        """What was measured (a number: always a float), or what was seen."""
        if self._value is None:
            self._made()
        return self._value

    @property
    def threshold(self) -> float | None:
        """The limit the value was judged against."""
        self._made()
        return self._threshold

    @property
    def unit(self) -> str:
        """The value's and the threshold's unit."""
        self._made()
        return self._unit

    @property
    def message(self) -> str:
        """Chinese: what, where, how far over, and the action while it applies."""
        self._made()
        return self._message

    @property
    def message_en(self) -> str:
        """The message in English."""
        self._made()
        return self._message_en

    @property
    def details(self) -> Details:
        """What else the rule tells (the metric, the crane pair, the people)."""
        self._made()
        return self._details

    @property
    def latched(self) -> bool:
        """A hazard that never clears by itself: a supervisor resolves it."""
        self._made()
        return self._latched

    @property
    def evidence(self) -> str | None:
        """JPEG as base64, or a URL (vision results)."""
        self._made()
        return self._evidence

    def restamped(self, ts: float, backfill: bool) -> RuleResult:
        """The same verdict at ``ts`` (``backfill``: judged from a backfilled reading)."""
        return RuleResult(
            self.rule,
            self.device,
            self.point,
            self.level,
            ts,
            self.clause,
            self.value,
            self.threshold,
            self.unit,
            self.message,
            self.message_en,
            self.details,
            backfill,
            self.latched,
            self.evidence,
        )

    def _fields(self) -> tuple[Any, ...]:
        """Every field in the constructor's order (the figures made if not yet)."""
        return (
            self.rule,
            self.device,
            self.point,
            self.level,
            self.ts,
            self.clause,
            self.value,
            self.threshold,
            self.unit,
            self.message,
            self.message_en,
            self.details,
            self.backfill,
            self.latched,
            self.evidence,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleResult):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())  # as a frozen dataclass's: refused for the details dict

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(FIELDS, self._fields(), strict=True))
        return f"RuleResult({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        # copied or pickled with its figures made (a build function is not data)
        return (RuleResult, self._fields())


FIELDS: Final = (
    "rule",
    "device",
    "point",
    "level",
    "ts",
    "clause",
    "value",
    "threshold",
    "unit",
    "message",
    "message_en",
    "details",
    "backfill",
    "latched",
    "evidence",
)


def _number(value: float | str | None) -> float | str | None:
    """A value as the AlertEvent schema holds it: an int (seconds, a count) as a float."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def rank(level: Level | None) -> int:
    """0 for no alert, then warning < alarm < critical."""
    return LEVEL_RANK[level] if level else 0
