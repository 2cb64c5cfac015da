"""The units a profile may write for a metric, and the slips a site file's numbers show.

Every metric declares its unit once (``contract/kinds/``, e.g. ``wind_ms`` in m/s), and every rule
judges the number in that unit. A profile's ``unit:`` says what the device's value is in after
``scale`` and ``offset``: the metric's own unit (as written, or another spelling of it) passes as it is;
another unit of the same quantity (km/h for m/s, mm for m, kg for t) is converted, its factor folded
into the value's scale and offset, so that every reader of them (the drivers, the record store, the
simulators) gets the metric's unit; any other unit is refused, naming the metric's.

The table is ours rather than a units library's (pint): the metrics declare a dozen units, each
conversion they need is one factor (two for temperature), and what a site writes needs spellings a
library would not read (``deg``, ``KN``, ``mg/m3``) and refusals it would let through (rain in m/s is a
speed, but never a rain intensity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from contract.kinds import registry

UNIT_MISMATCH = "unit_mismatch"
"""The pydantic error type of a unit that is not its metric's and cannot be converted to it."""


@dataclass(frozen=True)
class Unit:
    """One unit: the quantity it measures and how a value in it becomes that quantity's base unit."""

    symbol: str
    """As the metrics declare it and messages show it, e.g. m/s."""
    quantity: str
    """What it measures; units of one quantity convert into each other."""
    factor: float = 1.0
    """value in the base unit = value * factor + shift."""
    shift: float = 0.0
    name: str = ""
    """Its name in a hint, where the symbol alone reads badly (millimetres)."""


_UNITS = (
    Unit("m", "length", 1.0, name="metres"),
    Unit("cm", "length", 0.01, name="centimetres"),
    Unit("mm", "length", 0.001, name="millimetres"),
    Unit("km", "length", 1000.0, name="kilometres"),
    Unit("m/s", "speed"),
    Unit("km/h", "speed", 1 / 3.6),
    Unit("m/min", "speed", 1 / 60),  # how crane and hoist manuals give trolley and cage speeds
    # rain intensity is a speed by dimension, but a rain gauge's value in m/s is a mapping mistake
    Unit("mm/h", "rain intensity"),
    Unit("mm/min", "rain intensity", 60.0),
    Unit("t", "mass", 1000.0, name="tonnes"),
    Unit("kg", "mass", 1.0, name="kilograms"),
    Unit("g", "mass", 0.001, name="grams"),
    Unit("kN", "force", 1000.0),
    Unit("N", "force", 1.0, name="newtons"),
    Unit("°", "angle"),
    Unit("rad", "angle", 180 / math.pi),
    Unit("℃", "temperature"),
    Unit("K", "temperature", 1.0, -273.15),
    Unit("%", "percentage"),
    Unit("ppm", "volume fraction"),
    Unit("ppb", "volume fraction", 0.001),
    Unit("mg/m³", "mass concentration"),  # from ppm only with the gas's molar mass: another metric
)

_SPELLINGS = {
    "deg": "°",
    "%lel": "%",
    "%vol": "%",
    "°c": "℃",
    "degc": "℃",
    "mg/m3": "mg/m³",
    "kph": "km/h",
    "km/hr": "km/h",
}
"""Other ways sites write the same units (after lower-casing and dropping spaces)."""

_BY_KEY: dict[str, Unit] = {u.symbol.lower(): u for u in _UNITS}


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def find(text: str) -> Unit | None:
    """The unit ``text`` spells (any case, spaces ignored: KN is kN, m / s is m/s), or None."""
    key = _key(text)
    return _BY_KEY.get(_SPELLINGS.get(key, key))


def _declared(metric: str) -> str | None:
    """The unit the metric declares ('' for counts and states), None for a metric no kind declares."""
    m = registry.metric(metric)
    return None if m is None else m.unit


def conversion(metric: str, written: str) -> tuple[float, float, str] | None:
    """(factor, shift, the metric's unit) that bring a value in ``written`` to the metric's unit, or None
    where there is nothing to convert: no unit written, the metric's own unit (in any spelling), a metric
    no kind declares, or a unit that cannot be converted (:func:`check` refuses it)."""
    declared = _declared(metric)
    if not written.strip() or not declared:
        return None
    have, want = find(written), find(declared)
    if have is None or want is None or have == want or have.quantity != want.quantity:
        return None
    # x in have -> base: x*f1 + s1; base -> want: (b - s2) / f2
    return have.factor / want.factor, (have.shift - want.shift) / want.factor, declared


def check(metric: str, written: str) -> None:
    """Refuse ``written``, a value's unit once :func:`fold` has converted what it can (a
    ``PydanticCustomError`` of :data:`UNIT_MISMATCH` with a hint), unless it is empty or the metric's unit
    in any spelling; a metric no kind declares takes any unit."""
    declared = _declared(metric)
    if declared is None or not written.strip():
        return
    have = find(written)
    if not declared:
        raise PydanticCustomError(
            UNIT_MISMATCH,
            "{metric} is a count or a state, without a unit: '{written}' cannot apply",
            {"metric": metric, "written": written, "hint": 'remove unit: (or write unit: "")'},
        )
    want = find(declared)
    if want is None:  # a unit our table lacks (a plug-in's): only its own spelling is taken
        if _key(written) == _key(declared):
            return
    elif have == want:
        return
    elif have is not None and have.quantity == want.quantity:
        # convertible, yet left as written: fold found no number to fold the factor into
        raise PydanticCustomError(
            UNIT_MISMATCH,
            "{metric} is in {declared}: '{written}' is converted only with a number for scale and offset",
            {
                "metric": metric,
                "declared": declared,
                "written": written,
                "hint": "write scale: and offset: as numbers",
            },
        )
    raise PydanticCustomError(
        UNIT_MISMATCH,
        "{metric} is in {declared}: '{written}' {what}",
        {
            "metric": metric,
            "declared": declared,
            "written": written,
            "what": "is not a unit sitegw knows"
            if have is None
            else f"is a {have.quantity}, not a {want.quantity if want else declared}",
            "hint": _mismatch_hint(metric, declared, have),
        },
    )


def _mismatch_hint(metric: str, declared: str, have: Unit | None) -> str:
    """What to write: the metric that is in the written unit (h2s_mgm3 for mg/m³ on h2s_ppm), else the
    metric's unit with the scale that brings the device's value to it."""
    if have is not None:
        stem = metric.rsplit("_", 1)[0]
        sisters = sorted(
            name
            for kind in registry.kinds()
            for m in kind.metrics
            if (name := m.name) != metric and name.startswith(stem + "_") and find(m.unit) == have
        )
        if sisters:
            return f"the value is {sisters[0]} ({have.symbol}): write metric: {sisters[0]}"
    want = find(declared)
    others = [u.symbol for u in _UNITS if want is not None and u.quantity == want.quantity and u != want]
    converted = f" (or one sitegw converts: {', '.join(others)})" if others else ""
    return f"write unit: {declared}{converted}, with the scale that turns the device's value into it"


def fold(data: Any) -> Any:
    """A raw value entry (a profile's ``modbus.values`` or ``topics[].values`` item) with a convertible
    unit brought to its metric's, as a new mapping: the factor folded into ``scale`` and ``offset``,
    ``unit`` the metric's. Anything else (not a mapping, a scale that is not a number) is returned as the
    very object given, for the model to report."""
    if not isinstance(data, dict):
        return data
    metric, unit = data.get("metric"), data.get("unit")
    if not isinstance(metric, str) or not isinstance(unit, str):
        return data
    conv = conversion(metric, unit)
    if conv is None:
        return data
    factor, shift, declared = conv
    try:
        scale, offset = float(data.get("scale", 1.0)), float(data.get("offset", 0.0))
    except (TypeError, ValueError, OverflowError):  # the model names what the scale is
        return data
    # (raw * scale + offset) in the written unit, times factor plus shift, in the metric's
    return {**data, "scale": scale * factor, "offset": offset * factor + shift, "unit": declared}


@dataclass(frozen=True)
class Magnitude:
    """The unit a site-file field's name ends in, and the smaller units a number too large for it was
    likely written in (4500 for a jib height in metres is 4500 mm = 4.5 m, or 4500 cm = 45 m)."""

    unit: Unit
    slips: tuple[Unit, ...]


_SUFFIXES = {
    "_m": Magnitude(_BY_KEY["m"], (_BY_KEY["mm"], _BY_KEY["cm"])),
    "_t": Magnitude(_BY_KEY["t"], (_BY_KEY["kg"],)),
    "_kg": Magnitude(_BY_KEY["kg"], ()),  # a load in grams is no likely slip
    "_kn": Magnitude(_BY_KEY["kn"], (_BY_KEY["n"],)),
    "_ms": Magnitude(_BY_KEY["m/s"], (_BY_KEY["km/h"],)),
}


def slip_hint(field: str, value: float, most: float) -> str:
    """For a number above the largest its field can be (``most``, in the unit its name ends in), the
    smaller units it fits as written, with what to write; '' for a field whose name ends in no unit."""
    magnitude = next((m for suffix, m in _SUFFIXES.items() if field.endswith(suffix)), None)
    if magnitude is None:
        return ""
    unit = magnitude.unit
    fits = [
        (slip, meant) for slip in magnitude.slips if 0 < (meant := value * slip.factor / unit.factor) <= most
    ]
    if not fits:
        return f"{field} is in {unit.symbol}: at most {most:g} {unit.symbol}"
    said = [
        f"{slip.name or slip.symbol}: {value:g} {slip.symbol} = {meant:g} {unit.symbol}, write {meant:g}"
        for slip, meant in fits
    ]
    return f"{field} is in {unit.symbol}; looks like " + "; or ".join(said)
