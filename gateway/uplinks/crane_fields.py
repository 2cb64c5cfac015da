"""What a crane's alert event says in numbers, for the dialects whose records are measurements plus flags:
the measures an AlertEvent carries (its details, its own value) and the level of each kind of warning."""

from __future__ import annotations

from contract.alert_event import LEVEL_RANK, AlertEvent

# the canonical crane metrics (docs/design.md) these records carry
CRANE_METRICS = (
    "load_t",
    "rated_load_t",
    "moment_pct",
    "radius_m",
    "height_m",
    "slew_deg",
    "wind_ms",
    "tilt_deg",
)
# the fractions of the rated load and moment at which the three levels start (docs/standards.md §1
# "Pre-warning": 90 % warning, 100 % alarm, 110 % cut [U, vendor practice]) and the Shenzhen regulator
# interface's wind alarm (> 13.8 m/s, docs/standards.md §1)
RATIO_LEVELS = ((110.0, 3), (100.0, 2), (90.0, 1))
WIND_ALARM_MS = 13.8


def ratio_level(pct: float | None) -> int:
    """0 none, 1 warning, 2 alarm, 3 critical for a load or moment percentage."""
    if pct is None:
        return 0
    return next((level for limit, level in RATIO_LEVELS if pct >= limit), 0)


def number(value: float | str | list[str] | None) -> float | None:
    """A measure as a number rounded to 3 places, None for text or nothing."""
    if value is None or isinstance(value, list):  # a list of names is no measure
        return None
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None


def event_measures(event: AlertEvent) -> dict[str, float | None]:
    """The canonical crane metrics an event carries: its details, and its own value for its rule's metric
    (crane.load: load_t or load_pct by unit, crane.wind: wind_ms, crane.tilt: tilt_deg)."""
    d = event.details
    out = {m: number(d.get(m)) for m in CRANE_METRICS}
    if out["rated_load_t"] is None:
        out["rated_load_t"] = number(d.get("rated_t"))  # as crane.load reports it
    out["load_pct"] = number(d.get("load_pct"))
    own = {"crane.wind": "wind_ms", "crane.tilt": "tilt_deg"}.get(event.rule)
    if event.rule == "crane.load":
        own = {"%": "load_pct", "t": "load_t"}.get(event.unit)
    if own and out.get(own) is None:
        out[own] = number(event.value)
    if out["load_pct"] is None and out["load_t"] is not None and out["rated_load_t"]:
        out["load_pct"] = round(100 * out["load_t"] / out["rated_load_t"], 1)
    return out


def event_level(event: AlertEvent, *rules: str) -> int:
    """0 none, 1 warning, 2 alarm, 3 critical: the event's level when its rule is one of ``rules`` and it is
    not resolved, else 0."""
    if event.rule not in rules or event.state == "resolved":
        return 0
    return LEVEL_RANK[event.level]
