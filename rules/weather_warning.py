"""weather.warning: a regional warning signal (气象灾害预警信号) in force on the site, with its measure
and the stops it holds (contract/weather.py: the default per type and colour, docs/standards.md §12).

A signal is in force from ``valid_from`` until ``valid_to`` or until cleared, judged at each tick against
the engine's clock; one not yet valid raises nothing, one expired or cleared is resolved. Level by colour:
blue and yellow a warning, orange an alarm, red critical. The alert's device is the site (``SITE``), its
point the signal's id.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract.alert_event import Level
from contract.weather import MEASURE_CLAUSE, STOP_EN, STOP_ZH, WarningSignal, default_measure
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.wording import pick, pick_en

RULE = "weather.warning"
SITE = "site"  # the device of site-wide alerts that no one device raises
LEVELS: dict[str, Level] = {"blue": "warning", "yellow": "warning", "orange": "alarm", "red": "critical"}


def measure_of(signal: WarningSignal) -> tuple[str, list[str]]:
    """The signal's measure and stops: the site's own where it wrote them, else the defaults."""
    measure, stops = default_measure(signal.type, signal.colour)
    return signal.measure or measure, list(signal.stops) or list(stops)


class WeatherWarnings:
    """The signals the gateway handed over, judged at each tick."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._signals: dict[str, WarningSignal] = {}

    def replace(self, signals: Sequence[WarningSignal]) -> None:
        """The signals the site knows now; one no longer among them is resolved at the next tick."""
        kept = {s.id: s for s in signals}
        for gone in set(self._signals) - set(kept):
            if self._memory.get(SITE, gone) is not None:
                # dropped while in force: judged once more, as ended, so its alert resolves
                old = self._signals[gone]
                kept[gone] = old.model_copy(update={"cleared_ts": 0.0})
        self._signals = kept

    def in_force(self, now: float, signal_type: str) -> list[WarningSignal]:
        """The signals of ``signal_type`` (rainstorm ...) in force at ``now``: what a kind's rule that answers
        a signal reads (one the gateway no longer hands over is ended, as for weather.warning)."""
        return [s for s in self._signals.values() if s.type == signal_type and s.in_force(now)]

    def tick(self, now: float, stops: WeatherStops) -> list[RuleResult]:
        """The verdicts at ``now``: each signal in force, and each that stopped being."""
        out: list[RuleResult] = []
        for sid, signal in list(self._signals.items()):
            level = LEVELS[signal.colour] if signal.in_force(now) else None
            measure, held = measure_of(signal)
            cause = f"{RULE}:{sid}"
            if level:
                stops.hold(cause, signal.title_zh, held)
            else:
                stops.release(cause)
            if level is None and signal.valid_from.timestamp() > now:
                continue  # not valid yet: nothing to say (a restart resolves what it no longer holds)
            if self._memory.due(SITE, sid, level):
                out.append(_result(signal, level, measure, held, now))
        return out


def _result(
    signal: WarningSignal, level: Level | None, measure: str, held: list[str], now: float
) -> RuleResult:
    title = signal.title_zh
    source = "监管部门推送" if signal.source == "regulator" else "现场发布"
    stops_zh = "、".join(STOP_ZH[s] for s in held)
    stops_en = ", ".join(STOP_EN[s] for s in held)
    what = f"{title}（{source}）生效" if level else f"{title}已解除或过期"
    what_en = f"{signal.colour} {signal.type} warning" + (" in force" if level else " over")
    action = measure + (f"；停止：{stops_zh}" if stops_zh else "")
    action_en = f"stop {stops_en}" if stops_en else "take the signal's measures"
    return RuleResult(
        rule=RULE,
        device=SITE,
        point=signal.id,
        level=level,
        ts=now,
        clause=MEASURE_CLAUSE,
        value=signal.colour,
        unit="",
        message=pick(level, what, action),
        message_en=pick_en(level, what_en, action_en),
        details={
            "type": signal.type,
            "colour": signal.colour,
            "source": signal.source,
            "stops": held if level else [],
        },
    )
