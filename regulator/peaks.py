"""A hazard's worst value: which way is worse, which reading of the readings summaries it is, and how the
ledger says it, the same in the queue, the exports, the monthly report and every notice:
``59.0 kN（设计值 20 kN 的 295%）``.

The hazard keeps the worst value of all its events and of the readings summaries of its device, point and
metric while it is open (regulator/storage/readings.py); this module holds what that needs to know of the rules.
"""

from __future__ import annotations

import math

from contract.alert_event import AlertEvent

# The readings-summary metric a rule's value is, where the value is the reading itself (not a ratio, a
# rate, a step or a change from a baseline): its minute peaks count toward the hazard's worst. Not here:
# crane.load (% of the rated load at the radius: the summary has the load and the last rated load, not
# their ratio at the peak), crane.tilt (‰ of the limit), pit.* (changes from the point's baseline, rates,
# steps), hoist.persons (the summary's count has no unit).
READING_OF: dict[str, str] = {
    "formwork.axial": "axial_kn",
    "formwork.settle": "settle_mm",
    "formwork.disp": "disp_h_mm",
    "formwork.tilt": "tilt_deg",
    "crane.wind": "wind_ms",
    "hoist.wind": "wind_ms",
}
# a reading's unit as device profiles write it -> as the rules write the same unit
UNIT_ALIASES: dict[str, str] = {"deg": "°"}
# what the limit is called: the design value for a pole's axial force (DBJ/T 15-197-2020 Table 8.0.4),
# the alarm value for monitoring items (GB 50497, DBJ/T 15-197), the limit otherwise
LIMIT_WORDS: tuple[tuple[str, str], ...] = (
    ("formwork.axial", "设计值"),
    ("formwork.", "报警值"),
    ("pit.", "报警值"),
)
UNSPACED = ("%", "‰", "°", "")  # units written against the number


def direction(event: AlertEvent) -> int | None:
    """Which way the event's value is worse: 1 higher, -1 lower (a clearance, a share), None for a text
    value or one without a limit. A level is entered past its limit, upwards at or above it, downwards
    strictly below it, so the alert's firing event says it (a later event may sit in the clearing band)."""
    value, threshold = number(event.value), event.threshold
    if value is None or threshold is None:
        return None
    return 1 if value >= threshold else -1


def number(value: float | str | None) -> float | None:
    """An event's value as a number (a rule may send text, e.g. a licence number: no peak of its own)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def metric_of(rule: str) -> str | None:
    """The readings-summary metric whose minute peaks count toward a hazard of ``rule`` (None: none)."""
    return READING_OF.get(rule)


def _with_unit(text: str, unit: str) -> str:
    return text + unit if unit in UNSPACED else f"{text} {unit}"


def _figure(value: float) -> str:
    """One decimal (59.0, 107.7), three significant digits below 1 (0.229° of tilt)."""
    return f"{value:.1f}" if abs(value) >= 1 else f"{value:.3g}"


def limit_word(rule: str) -> str:
    """What the ledger calls ``rule``'s limit: 设计值, 报警值 or 限值."""
    return next((word for prefix, word in LIMIT_WORDS if rule.startswith(prefix)), "限值")


def peak_words(rule: str, value: float | None, threshold: float | None, unit: str) -> str:
    """The worst value as the ledger says it, e.g. ``59.0 kN（设计值 20 kN 的 295%）``; a percentage of a rated
    load is said once (``107.7%（限值 100%）``); empty without a value."""
    if value is None:
        return ""
    said = _with_unit(_figure(value), unit)
    if threshold is None:
        return said
    limit = f"{limit_word(rule)} {_with_unit(f'{threshold:g}', unit)}"
    if unit == "%" or threshold == 0:
        return f"{said}（{limit}）"
    return f"{said}（{limit} 的 {abs(value) / abs(threshold) * 100:.0f}%）"
