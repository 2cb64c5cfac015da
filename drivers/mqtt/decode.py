"""Turning one MQTT message into Readings with a profile's payload map, fast.

Everything a message needs is compiled once per (device, topic map): the expanded topic
filter, the JSON paths as tuples of keys, the point's topic level, the set of known point
codes. Decoding then costs one ``json.loads`` and a few dict lookups per value, with no
pydantic on the way (the MQTT -> store path has to carry >= 50,000 readings/s).

What a partly bad message gives (the rule the driver follows): each value of a message is
its own measurement, so a bad value (missing, a string where a number belongs, NaN) is
reported and the message's *other* values are still published. When what every value
depends on is bad (the payload does not parse, the timestamp or point code is missing or
invalid, or the point is not one of the site's points) nothing of the message is published,
because no value could be placed correctly.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contract.config.profile import TopicMap
from contract.readings import Quality, Reading
from drivers.mqtt.topics import TopicFilter, expand, level_index

MISSING: Any = object()
FUTURE_SLACK_S = 600.0  # a device clock this far ahead is wrong: its readings would poison rates

JsonPath = tuple[tuple[str, int | None], ...]


class BadValue(ValueError):
    """A value, timestamp or point code that cannot be used; the message says why."""


def compile_path(text: str) -> JsonPath:
    """``$.a.b.0.c`` (or ``a.b.0.c``) -> steps; numeric steps also index lists."""
    text = text.strip()
    if text.startswith("$"):
        text = text[1:].lstrip(".")
    if not text:
        return ()
    steps = []
    for part in text.split("."):
        if not part:
            raise ValueError(f"empty step in JSON path {text!r} (two dots in a row?)")
        steps.append((part, int(part) if part.lstrip("-").isdigit() else None))
    return tuple(steps)


def lookup(doc: Any, path: JsonPath) -> Any:
    """The value at ``path`` in a parsed JSON document, or MISSING."""
    for key, index in path:
        kind = type(doc)
        if kind is dict:
            doc = doc.get(key, MISSING)
            if doc is MISSING:
                return MISSING
        elif kind is list and index is not None and -len(doc) <= index < len(doc):
            doc = doc[index]
        else:
            return MISSING
    return doc


def parse_ts(raw: Any) -> float:
    """Unix seconds from Unix s, Unix ms (> 1e11), or ISO 8601 with an offset."""
    kind = type(raw)
    if kind is int or kind is float:
        t = _to_float(raw, "timestamp")
    elif kind is str:
        try:
            t = float(raw)
        except ValueError:
            return _valid_time(_iso_ts(raw), raw)
    else:
        raise BadValue(f"timestamp {_sample(raw)} is not a number or an ISO 8601 string")
    return _valid_time(t / 1000.0 if t > 1e11 else t, raw)


def _iso_ts(raw: str) -> float:
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        raise BadValue(f"timestamp {_sample(raw)} is neither Unix time nor ISO 8601") from None
    if stamp.tzinfo is None:
        raise BadValue(f"timestamp {raw!r} has no UTC offset: send Z or +08:00")
    return stamp.timestamp()


def _valid_time(t: float, raw: Any) -> float:
    # an ISO date in year 0001 is no more a reading time than -5 or NaN
    if not math.isfinite(t) or t <= 0:
        raise BadValue(f"timestamp {_sample(raw)} is not a valid time")
    return t


def _to_float(raw: int | float, what: str) -> float:
    """``float(raw)``; a JSON integer past the largest float (10**400) is a BadValue, not an OverflowError."""
    try:
        return float(raw)
    except OverflowError:
        raise BadValue(f"{what} has {len(str(abs(raw)))} digits, beyond any measurement") from None


def _sample(raw: Any) -> str:
    """``repr(raw)`` cut to a length a log line can carry (a hostile value may be a megabyte)."""
    text = repr(raw)
    return text if len(text) <= 60 else f"{text[:60]}... ({len(text)} characters)"


def number(raw: Any, what: str) -> float:
    """A finite JSON number (not a bool, not a string) as float."""
    kind = type(raw)
    if kind is not int and kind is not float:
        raise BadValue(f"{what} is {_sample(raw)}, not a number")
    value = _to_float(raw, what)
    if not math.isfinite(value):
        raise BadValue(f"{what} is {raw!r}")
    return value


def word(raw: str, words: dict[str, float], what: str) -> float:
    """The number a text value stands for (case and surrounding blanks ignored)."""
    key = raw.strip().lower()
    for text, value in words.items():
        if text.lower() == key:
            return value
    raise BadValue(f"{what} is {_sample(raw)}, not one of {', '.join(sorted(words))}")


@dataclass(frozen=True, slots=True)
class ValueSpec:
    """One payload value, compiled."""

    metric: str
    path: JsonPath
    path_text: str
    scale: float
    offset: float
    unit: str
    optional: bool
    words: dict[str, float]  # text values and the numbers they stand for (empty: numbers only)
    key: str | None  # the path's one key when it is a single name (``$.disp_h_mm``, the usual case)


# kinds of fault, each logged once per topic (drivers/mqtt/link.py): a device that sends bad JSON and one whose
# firmware sends a number as text need different fixes, so the second kind on a topic is not hidden by the first
UNREADABLE = "unreadable payload"
BAD_TIMESTAMP = "bad timestamp"
BAD_POINT = "bad point code"
MISSING_VALUE = "missing value"
NOT_A_NUMBER = "value not a number"
TOO_LARGE = "value too large"
NO_KNOWN_VALUE = "none of the profile's values"


@dataclass(slots=True)
class Decoded:
    """What one message gave one device: readings, and why parts of it were rejected (``problems``, each
    with its kind of fault in ``kinds``)."""

    readings: list[Reading] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def fault(self, kind: str, problem: str) -> None:
        """Note one problem of the message and its kind."""
        self.problems.append(problem)
        self.kinds.append(kind)


class MessageDecoder:
    """Decodes the messages of one topic map of one device."""

    __slots__ = (
        "device",
        "filter",
        "is_json",
        "point_index",
        "point_path",
        "points",
        "project",
        "ts_path",
        "values",
    )

    def __init__(
        self, project: str, device: str, prefix: str, tmap: TopicMap, points: frozenset[str] | None
    ) -> None:
        self.project = project
        self.device = device
        text = expand(tmap.topic, prefix)
        self.filter = TopicFilter(text, tuple(text.split("/")))
        self.is_json = tmap.format == "json"
        self.point_index = (
            None if tmap.point_level is None else level_index(tmap.topic, prefix, tmap.point_level)
        )
        self.point_path = compile_path(tmap.point_path) if tmap.point_path else None
        self.ts_path = compile_path(tmap.ts_path) if tmap.ts_path else None
        self.values = tuple(
            ValueSpec(
                v.metric,
                path,
                v.path or "$",
                v.scale,
                v.offset,
                v.unit,
                v.optional,
                v.map,
                path[0][0] if len(path) == 1 and path[0][1] is None else None,
            )
            for v in tmap.values
            for path in (compile_path(v.path),)
        )
        self.points = points

    def decode(self, levels: list[str], doc: Any, arrival: float) -> Decoded:
        """Readings of one parsed message (``doc``: JSON document, or the float of a number payload)."""
        out = Decoded()
        try:
            ts = self._ts(doc, arrival)
        except BadValue as exc:
            out.fault(BAD_TIMESTAMP, f"{exc}; message dropped")
            return out
        try:
            point = self._point(levels, doc)
        except BadValue as exc:
            out.fault(BAD_POINT, f"{exc}; message dropped")
            return out
        project, device, readings, fault = self.project, self.device, out.readings, out.fault
        # a JSON object's value at a one-name path is its dict entry (what lookup finds, without the walk)
        by_key = doc if self.is_json and doc.__class__ is dict else None
        for spec in self.values:
            if not self.is_json:
                raw = doc
            elif by_key is not None and spec.key is not None:
                raw = by_key.get(spec.key, MISSING)
            else:
                raw = lookup(doc, spec.path)
            if raw is MISSING or raw is None:
                if not spec.optional:
                    fault(MISSING_VALUE, f"{spec.metric}: no value at {spec.path_text}")
                continue
            # a finite float passes every check below (x - x == 0.0 only for those) without the words of
            # a message naming the value being made
            if raw.__class__ is float and raw - raw == 0.0:
                value = raw
            else:
                try:
                    if spec.words and type(raw) is str:
                        value = word(raw, spec.words, f"{spec.metric} at {spec.path_text}")
                    else:
                        value = number(raw, f"{spec.metric} at {spec.path_text}")
                except BadValue as exc:
                    fault(NOT_A_NUMBER, str(exc))
                    continue
            value = value * spec.scale + spec.offset
            if not math.isfinite(value):
                # finite as sent, but the profile's scale carries it past the largest float
                fault(
                    TOO_LARGE,
                    f"{spec.metric} at {spec.path_text} is {raw!r} * scale {spec.scale:g}: too large",
                )
                continue
            readings.append(
                Reading(
                    ts,
                    project,
                    device,
                    spec.metric,
                    value,
                    spec.unit,
                    Quality.OK,
                    point,
                )
            )
        if not readings and not out.problems:
            fault(
                NO_KNOWN_VALUE,
                "none of the profile's values is in the message: "
                + ", ".join(s.path_text for s in self.values),
            )
        return out

    def _ts(self, doc: Any, arrival: float) -> float:
        if self.ts_path is None:
            return arrival
        raw = lookup(doc, self.ts_path) if self.is_json else MISSING
        if raw is MISSING or raw is None:
            raise BadValue("no timestamp at " + ".".join(k for k, _ in self.ts_path))
        ts = parse_ts(raw)
        if ts > arrival + FUTURE_SLACK_S:
            raise BadValue(f"timestamp {raw!r} is {ts - arrival:.0f} s in the future: check the device clock")
        return ts

    def _point(self, levels: list[str], doc: Any) -> str:
        if self.point_index is not None:
            try:
                point = levels[self.point_index]
            except IndexError:
                raise BadValue(f"the topic has no level {self.point_index} for the point code") from None
        elif self.point_path is not None:
            raw = lookup(doc, self.point_path) if self.is_json else MISSING
            if raw is MISSING or raw is None or type(raw) not in (str, int):
                raise BadValue("no point code at " + ".".join(k for k, _ in self.point_path))
            point = str(raw)
        else:
            return ""
        if self.points is not None and point not in self.points:
            known = ", ".join(sorted(self.points))
            raise BadValue(f"unknown point {_sample(point)} (this device's points: {known})")
        return point


class MessageRouter:
    """Finds the decoders of a topic (cached per topic) and parses each payload once."""

    CACHE_LIMIT = 10_000  # distinct topics remembered; a flood of odd topics only costs matching time

    def __init__(self, decoders: list[MessageDecoder]) -> None:
        self.decoders = decoders
        self._cache: dict[str, tuple[list[str], tuple[MessageDecoder, ...]]] = {}

    def match(self, topic: str) -> tuple[list[str], tuple[MessageDecoder, ...]]:
        """The topic's levels and every decoder whose filter matches it."""
        hit = self._cache.get(topic)
        if hit is None:
            levels = topic.split("/")
            hit = (levels, tuple(d for d in self.decoders if d.filter.matches(levels)))
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[topic] = hit
        return hit

    def route(
        self, topic: str, payload: bytes | bytearray, arrival: float
    ) -> list[tuple[MessageDecoder, Decoded]]:
        """Decode one message for every device subscribed to its topic."""
        levels, decoders = self.match(topic)
        if not decoders:
            return []
        parsed: dict[bool, Any] = {}
        results = []
        for dec in decoders:
            if dec.is_json not in parsed:
                try:
                    parsed[dec.is_json] = parse_payload(payload, dec.is_json)
                except BadValue as exc:
                    parsed[dec.is_json] = exc
            doc = parsed[dec.is_json]
            if isinstance(doc, BadValue):
                results.append((dec, Decoded(problems=[f"{doc}; message dropped"], kinds=[UNREADABLE])))
            else:
                results.append((dec, dec.decode(levels, doc, arrival)))
        return results


def parse_payload(payload: bytes | bytearray, is_json: bool) -> Any:
    """The JSON document, or the float of a plain-number payload."""
    if is_json:
        try:
            return json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            raise BadValue(f"payload is not valid JSON ({exc})") from None
        except RecursionError:  # json's C parser gives up past ~1000 levels of [ or {
            raise BadValue("payload is JSON nested too deeply to be a device's message") from None
    try:
        return number_text(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadValue("payload is not UTF-8 text") from None


def number_text(text: str) -> float:
    """A plain-number payload (``12.5``, `` 3 ``) as a finite float."""
    try:
        value = float(text.strip())
    except ValueError:
        raise BadValue(f"payload {text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise BadValue(f"payload {text[:40]!r} is not a finite number")
    return value
