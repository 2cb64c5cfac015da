"""sensor.fault: a monitoring sensor judged broken (practice): exactly the same value for
``stuck_h`` hours, a value outside its physical range (sentinels such as -9999 land here), or a
step above ``step_factor`` × the jump value. Such readings are marked fault and raise no hazard;
a warning tells maintenance. Crane kinematics legitimately hold still and are never judged stuck.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from contract.alert_event import Level
from rules.levels import LevelMemory, crosses, key_of
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "sensor.fault"
CLAUSE = (
    "监测传感器故障（重庆市监管平台接口设传感器故障标志）；长时间不变、超出量程、跳变超出物理可能的"
    "判定阈值为行业惯例（非标准条文，可配置）"
)
REASONS_ZH = {
    "stuck": "数值长时间不变",
    "range": "超出量程",
    "step": "跳变超出物理可能",
    "number": "读数非数值",
}
REASONS_EN = {
    "stuck": "stuck at one value",
    "range": "out of range",
    "step": "physically impossible step",
    "number": "not a number",
}
NAMES = {"wind_ms": ("风速", "wind speed")}  # each kind's judge adds its own (Judge.sensor_names)
ACTION = "检修传感器，修复前该读数不可信，不得作为安全判断依据"
ACTION_EN = "repair the sensor; its readings cannot be trusted until then"


@dataclass(slots=True)
class _Stuck:
    value: float
    since: float


class _Built:
    """A broken point's last warning and what it was made of (see SensorFault._built); a compiled class,
    whose fields are read at every reading of a broken point without a look-up."""

    def __init__(
        self, metric: str, entry: tuple[str, float], ts: float, backfill: bool, name: str, result: RuleResult
    ) -> None:
        self.metric = metric
        self.entry = entry
        self.ts = ts
        self.backfill = backfill
        self.name = name
        self.result = result


class SensorFault:
    """Judges readings of monitoring sensors; one warning per device and point."""

    def __init__(self, names: Mapping[tuple[str, str], tuple[str, str]] | None = None) -> None:
        # each (device, metric)'s name (Chinese, English) in the warning, where its kind gives one; else
        # NAMES', else the metric's id
        self._names = dict(names or {})
        self._memory = LevelMemory()
        self._stuck: dict[tuple[str, str, str], _Stuck] = {}
        # by rules.levels.key_of(device, point), as _said and _built: a string whose hash it keeps, where a
        # (device, point) tuple was built and hashed anew at each of a broken point's readings
        self._faulty: dict[str, dict[str, tuple[str, float]]] = {}
        # the last fault message of each (device, point): while a sensor is broken every reading of the
        # point repeats its verdict, mostly with the same broken value, so the text is made once
        self._said: dict[str, tuple[tuple[str, str, str, float, float], str, str]] = {}
        # the last warning of each (device, point) and what it was made of: the metrics of one sample
        # (one instant) of a broken point repeat the same verdict, which is immutable, so it is reused.
        # Made of the point's first faulty metric and its entry in _faulty (reason and value) at that time
        self._built: dict[str, _Built] = {}

    def judge(
        self,
        device: str,
        point: str,
        metric: str,
        raw: float,
        ts: float,
        *,
        valid_range: tuple[float, float] | None,
        step: float | None,
        step_limit: float | None,
        stuck_s: float | None,
    ) -> str | None:
        """The fault reason of one reading (None: valid). ``step`` is its change from the last valid one."""
        if stuck_s is not None:
            key = (device, point, metric)
            seen = self._stuck.get(key)
            if seen is None:
                self._stuck[key] = seen = _Stuck(raw, ts)
            elif seen.value != raw:
                # in place: a monitored value changes at nearly every reading, no new object for each
                seen.value, seen.since = raw, ts
            if crosses(ts - seen.since, stuck_s):  # the same value for the whole time: reached
                return "stuck"
        # a range's ends are values the sensor can give: outside them, not on them, is broken
        if valid_range is not None and (
            crosses(raw, valid_range[0], higher_is_worse=False, strict=True)
            or crosses(raw, valid_range[1], strict=True)
            or math.isnan(raw)  # outside every range
        ):
            return "range"
        if step is not None and step_limit is not None and crosses(step, step_limit, strict=True):
            return "step"
        return None

    def report(
        self,
        device: str,
        point: str,
        metric: str,
        reason: str | None,
        raw: float,
        name: str,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """Record the verdict of one metric; the warning stands while any metric of the point is faulty."""
        key = key_of(device, point)
        faulty = self._faulty.get(key)
        if faulty is None:
            faulty = self._faulty[key] = {}
        if reason is not None:
            faulty[metric] = (reason, raw)
        elif metric in faulty:
            del faulty[metric]
        level: Level | None = "warning" if faulty else None
        if not self._memory.due(device, point, level):
            return None  # valid, no metric of the point faulty, known clear: no verdict to make
        if level is None:
            where, where_en = _where(name, point)
            what, what_en = f"{where} 传感器读数", f"{where_en} sensor readings"
            return self._verdict(
                device,
                point,
                level,
                ts,
                raw,
                pick(level, what, ACTION),
                pick_en(level, what_en, ACTION_EN),
                {},
                backfill,
            )
        last = self._built.get(key)
        # the metric the last warning named is still the point's first faulty one, for the same reason at
        # the same value, while its entry is equal: metrics faulty since were added after it, and one mended
        # and broken again has a new place last in the dict. Equal, not the same object: compiled, a
        # (reason, value) tuple is unboxed where it is stored and boxed anew where it is read, so an
        # identity test never held and every reading of a broken point built its warning again
        if (
            last is not None
            and faulty.get(last.metric) == last.entry
            and last.ts == ts
            and last.backfill == backfill
            and last.name == name
        ):
            return last.result
        bad_metric, entry = "", ("", 0.0)
        for first in faulty.items():  # the first faulty metric (a loop: compiled, no iterator object)
            bad_metric, entry = first
            break
        why, value = entry
        # made when read (RuleResult.later), its value given at once: while a sensor is broken every reading of
        # the point repeats the warning, and the alert manager reads only the value of a repeat
        result = RuleResult.later(
            RULE,
            device,
            point,
            level,
            ts,
            backfill,
            partial(self._warning, device, point, name, bad_metric, why, value, ts, backfill),
            value if math.isfinite(value) else None,
        )
        self._built[key] = _Built(bad_metric, entry, ts, backfill, name, result)
        return result

    def _warning(
        self,
        device: str,
        point: str,
        name: str,
        metric: str,
        why: str,
        value: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult:
        """The warning on a point whose first faulty metric is ``metric``, found ``why`` broken at ``value``."""
        message, message_en = self._fault_message(device, point, name, metric, why, value)
        details: dict[str, float | str | list[str]] = {"reason": why, "metric": metric}
        return self._verdict(device, point, "warning", ts, value, message, message_en, details, backfill)

    def mend(
        self,
        device: str,
        point: str,
        metric: str,
        reason: str,
        raw: float,
        name: str,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """``metric`` of the point read validly as far as ``reason`` goes: its fault is cleared if it was
        that one (a fault for another reason, found by a judge in the same reading, stands)."""
        faulty = self._faulty.get(key_of(device, point))
        if faulty is None or faulty.get(metric, ("", 0.0))[0] != reason:
            return None
        return self.report(device, point, metric, None, raw, name, ts, backfill)

    @staticmethod
    def _verdict(
        device: str,
        point: str,
        level: Level | None,
        ts: float,
        value: float,
        message: str,
        message_en: str,
        details: dict[str, float | str | list[str]],
        backfill: bool,
    ) -> RuleResult:
        """The rule's verdict on a point (its clause is the rule's one)."""
        return RuleResult(
            rule=RULE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=CLAUSE,
            value=value if math.isfinite(value) else None,  # NaN has no place in JSON
            message=message,
            message_en=message_en,
            details=details,
            backfill=backfill,
        )

    def _fault_message(
        self, device: str, point: str, name: str, metric: str, why: str, value: float
    ) -> tuple[str, str]:
        """The warning's Chinese and English message for ``metric`` of the point found ``why`` broken."""
        key = (name, metric, why, value, math.copysign(1.0, value))  # -0.0 == 0.0 but reads "-0"
        said = self._said.get(key_of(device, point))
        if said is not None and said[0] == key:
            return said[1], said[2]
        where, where_en = _where(name, point)
        item, item_en = self._names.get((device, metric)) or NAMES.get(metric, (metric, metric))
        what = f"{where} {item}传感器故障（{REASONS_ZH[why]}，读数 {value:g}）"
        what_en = f"{where_en} {item_en} sensor fault ({REASONS_EN[why]}, reading {value:g})"
        message, message_en = pick("warning", what, ACTION), pick_en("warning", what_en, ACTION_EN)
        self._said[key_of(device, point)] = (key, message, message_en)
        return message, message_en


def _where(name: str, point: str) -> tuple[str, str]:
    """The device's name and the point, in Chinese and English."""
    return (f"{name} 测点 {point}", f"{name} point {point}") if point else (name, name)
