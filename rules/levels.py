"""Levels with a clearing band, and the per-fingerprint memory every rule keeps.

A level is entered when its threshold is crossed and left only once the value is back beyond
the threshold by the clearing band, so that noise around a threshold does not flap. Whether a value
exactly on a threshold has crossed it is the word of the threshold's clause (:data:`Strict`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from typing import Final

from contract.alert_event import LEVEL_RANK, Level
from rules.result import Build, RuleResult, rank

Thresholds = Sequence[tuple[Level, float]]  # mildest first
# Which thresholds a value on the line has not crossed: the levels whose clause words its line strictly,
# 大于/超过 ("above": crossed only beyond it) or 小于/低于 ("below"); the others are crossed on the line,
# 达到/不小于/≥ (at or above) or 不大于/≤ (at or below). True or False: every level alike; None: the
# direction's usual reading (at or above for higher_is_worse, strictly below otherwise).
Strict = Collection[Level] | bool | None
SLACK: Final = 1e-9  # a value within this fraction of a line is on it, whatever the float arithmetic before
_UNSEEN: Final = "unseen"  # LevelMemory: a key not evaluated yet
# between a key's device and its point: a device id holds no control character (its pattern), so the first
# one ends the device whatever the point holds, and a key names one (device, point) only
_POINT: Final = "\x1f"


# the keys of (device, point) pairs made so far, by point then device: a rule that looks a point's key up at every
# tick or sample (a confined space's detector, a pit's points) gets the same string back, whose hash it keeps,
# where a new one was joined and hashed at each look. Bounded: a point is what a device reports (a person's badge
# at a gate), so past _KEYS_KEPT points the cache starts again.
_KEYS: dict[str, dict[str, str]] = {}
_KEYS_KEPT: Final = 4096


def key_of(device: str, point: str) -> str:
    """One string for (device, point): the device's own where it has no point (LevelMemory's key)."""
    if not point:
        return device
    keys = _KEYS.get(point)
    if keys is None:
        if len(_KEYS) >= _KEYS_KEPT:
            _KEYS.clear()
        keys = _KEYS[point] = {}
    key = keys.get(device)
    if key is None:
        key = keys[device] = device + _POINT + point
    return key


def _pair(key: str) -> tuple[str, str]:
    """The (device, point) of a LevelMemory key."""
    device, _, point = key.partition(_POINT)
    return device, point


def is_strict(strict: Strict, level: Level, higher_is_worse: bool = True) -> bool:
    """Whether ``level``'s line is worded strictly (a value on it has not crossed it); see :data:`Strict`."""
    if strict is None:
        return not higher_is_worse
    if isinstance(strict, bool):
        return strict
    return level in strict


def crosses(value: float, line: float, higher_is_worse: bool = True, strict: bool = False) -> bool:
    """Whether ``value`` has crossed ``line``: for ``higher_is_worse`` at or above it (``strict``: above
    it), otherwise below it (``strict``) or at or below it. A value within :data:`SLACK` of the line
    is on it: it has crossed an inclusive line and not a strict one."""
    slack = abs(line) * SLACK
    if higher_is_worse:
        return value > line + slack if strict else value >= line - slack
    return value < line - slack if strict else value <= line + slack


def banded_level(
    value: float,
    thresholds: Thresholds,
    current: Level | None,
    band: float,
    higher_is_worse: bool = True,
    strict: Strict = None,
) -> Level | None:
    """The level of ``value``; a lower level than ``current`` only once past the clearing band.

    ``band`` is a fraction of each threshold (0.05 = 5 %). A threshold is crossed as :func:`crosses`
    says, strictly or not as ``strict`` words it (:data:`Strict`); a level is held while the value
    has crossed, in the same sense, the line moved back by the band (threshold × (1 − band) for
    ``higher_is_worse``), so that with no band a level is held exactly as long as it is crossed.
    """
    # the checks are written out rather than through crosses(): this runs for every judged reading
    every = strict if isinstance(strict, bool) else (not higher_is_worse if strict is None else None)
    named: Collection[Level] = () if strict is None or isinstance(strict, bool) else strict
    raw: Level | None = None
    for level, threshold in thresholds:
        on_line = every if every is not None else level in named
        slack = abs(threshold) * SLACK
        if higher_is_worse:
            hit = value > threshold + slack if on_line else value >= threshold - slack
        else:
            hit = value < threshold - slack if on_line else value <= threshold + slack
        if hit:
            raw = level
    if current is None or (raw is not None and LEVEL_RANK[raw] >= LEVEL_RANK[current]):
        return raw
    for level, threshold in reversed(thresholds):
        if not rank(raw) < rank(level) <= rank(current):
            continue
        margin = abs(threshold) * band
        line = threshold - margin if higher_is_worse else threshold + margin
        if crosses(value, line, higher_is_worse, is_strict(strict, level, higher_is_worse)):
            return level
    return raw


def clear_below(thresholds: Thresholds, strict: Strict = None) -> float:
    """The values below which :func:`banded_level` (``higher_is_worse``, the same ``strict``) gives no
    level from a clear ``current``: below every inclusive line less its slack, and at most on every
    strict line plus its slack (the float after it is the first value not below), worked out as there."""
    return min(
        (
            math.nextafter(t + abs(t) * SLACK, math.inf) if is_strict(strict, level) else t - abs(t) * SLACK
            for level, t in thresholds
        ),
        default=math.inf,
    )


def clear_from(thresholds: Thresholds, strict: Strict = None) -> float:
    """The values from which :func:`banded_level` (not ``higher_is_worse``, the same ``strict``) gives no
    level from a clear ``current``: at or above every strict line less its slack, and above every
    inclusive line plus its slack, worked out as there."""
    return max(
        (
            t - abs(t) * SLACK
            if is_strict(strict, level, False)
            else math.nextafter(t + abs(t) * SLACK, math.inf)
            for level, t in thresholds
        ),
        default=-math.inf,
    )


def threshold_of(thresholds: Thresholds, level: Level | None) -> float | None:
    """The threshold belonging to ``level`` (None for no level)."""
    return next((t for lv, t in thresholds if lv == level), None)


def banded_result(
    rule: str,
    clauses: dict[str, str],
    device: str,
    level: Level | None,
    ts: float,
    value: float,
    thresholds: Thresholds,
    unit: str,
    message: str,
    details: dict[str, float | str | list[str]],
    backfill: bool,
    message_en: str = "",
    point: str = "",
) -> RuleResult:
    """The verdict of a threshold rule: the level's clause and threshold; once clear, the alarm
    level's (or, for rules without one, the highest level's)."""
    levels = [lv for lv, _ in thresholds]
    shown: Level = level or ("alarm" if "alarm" in levels else levels[-1])
    return RuleResult(
        rule=rule,
        device=device,
        point=point,
        level=level,
        ts=ts,
        clause=clauses[shown],
        value=value,
        threshold=threshold_of(thresholds, shown),
        unit=unit,
        message=message,
        message_en=message_en,
        details=details,
        backfill=backfill,
    )


class LevelMemory:
    """Current level per (device, point) for one rule, and what to report to the alert manager.

    Reports every evaluation that has a level, each change back to None, and the very first
    evaluation of a key even when it is None (so a restarted gateway resolves alerts whose
    condition ended while it was down), and after :meth:`rearm` (the end of a warm-up) the first
    evaluation of every key again.
    """

    def __init__(self) -> None:
        # keyed by key_of(device, point): the device's own string for most rules (no point), whose hash
        # is kept in it, where a (device, point) tuple was made and hashed again at every look
        self._levels: dict[str, Level | None] = {}
        self._unreported: set[str] = set()
        self._raised: set[str] = set()  # the keys whose level is not None
        # how many times rearm() ran: a key found quiet since the last rearm stays quiet until the rule
        # reports it again, which a rule that remembers the count with the key can check for nothing
        self.rearms = 0

    def rearm(self) -> None:
        """Report the next evaluation of every key, as at a start: after a warm-up whose verdicts were
        dropped, the alert manager has not heard the levels this memory holds."""
        self._unreported = set(self._levels)
        self.rearms += 1

    def get(self, device: str, point: str = "") -> Level | None:
        """The level last set for this key (None if none)."""
        return self._levels.get(key_of(device, point))

    def quiet(self, device: str, point: str = "") -> bool:
        """Whether the key was evaluated, is clear, and owes the alert manager no report: then a
        :meth:`report` of None would return None and change nothing, so a rule whose reading is
        clear may skip making its verdict and reporting it."""
        key = key_of(device, point)
        return self._levels.get(key, _UNSEEN) is None and key not in self._unreported

    def owes(self) -> bool:
        """Whether any key is not :meth:`quiet` (:meth:`owing` is not empty), without making the set."""
        return bool(self._raised or self._unreported)

    def owing(self) -> set[tuple[str, str]]:
        """The (device, point) keys evaluated so far that are not :meth:`quiet`: with a level, or owed a
        report."""
        return {_pair(key) for key in self._raised | self._unreported}

    def report(
        self, device: str, point: str, level: Level | None, build: Callable[[], RuleResult]
    ) -> RuleResult | None:
        """Remember ``level``; return ``build()`` when the alert manager must hear about it."""
        return build() if self.due(device, point, level) else None

    def report_later(
        self,
        rule: str,
        device: str,
        point: str,
        level: Level | None,
        ts: float,
        backfill: bool,
        build: Build,
        value: float | str | None = None,
    ) -> RuleResult | None:
        """:meth:`report`, the verdict made with :meth:`RuleResult.later`: ``build`` makes its figures when
        they are first read (``build`` must use only values fixed by then); ``value`` its value, given at
        once so that the alert manager's worst-value check builds nothing."""
        if level is not None:  # due() of a level, written out: a hazard repeats this at every reading
            key = key_of(device, point)
            self._levels[key] = level
            self._raised.add(key)
            self._unreported.discard(key)
            return RuleResult.later(rule, device, point, level, ts, backfill, build, value)
        if self.due(device, point, level):
            return RuleResult.later(rule, device, point, level, ts, backfill, build, value)
        return None

    def due(self, device: str, point: str, level: Level | None) -> bool:
        """Remember ``level``; whether the alert manager must hear about it (what :meth:`report` asks
        before it builds, for a rule that makes its verdict without a ``build`` function)."""
        key = key_of(device, point)
        previous = self._levels.get(key, _UNSEEN)
        self._levels[key] = level
        if level is None:
            self._raised.discard(key)
        else:
            self._raised.add(key)
        # _UNSEEN is not None: the first evaluation of a key is reported
        if level is not None or previous is not None:
            self._unreported.discard(key)
            return True
        if key in self._unreported:  # rearmed: reported though nothing changed
            self._unreported.discard(key)
            return True
        return False  # clear and already clear: the most common case by far


def attribute_values(obj: object) -> list[object]:
    """The values of ``obj``'s instance attributes: ``vars`` for a plain object; for a class compiled by
    mypyc (no ``__dict__``), the attributes its compiled classes declare in ``__mypyc_attrs__``."""
    if hasattr(obj, "__dict__"):
        return list(vars(obj).values())
    names = dict.fromkeys(n for k in type(obj).__mro__ for n in getattr(k, "__mypyc_attrs__", ()))
    return [getattr(obj, n) for n in names if n != "__dict__" and hasattr(obj, n)]


def memories_of(family: object) -> list[LevelMemory]:
    """Every LevelMemory a rule family keeps, as an attribute or in a dict attribute (pit: one per rule)."""
    found: list[LevelMemory] = []
    for value in attribute_values(family):
        if isinstance(value, LevelMemory):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(v for v in value.values() if isinstance(v, LevelMemory))
    return found
