"""A Shenzhen-style regulator dialect: MD5-signed query string, one tower-crane record per POST.

Request: ``POST {url}?api_key=K&timestamp=MS&client_serial=EVENT_ID&sign=S`` with a JSON body, where
``S`` = upper-case hex MD5 of secret + the sorted query pairs without ``sign`` (``api_key..client_serial
..timestamp..``, key and value run together) + the body + secret. ``client_serial`` is the event_id,
so a retried record carries the same serial and the platform can drop the copy.

Mapping of an AlertEvent to the record (the uplink's ``rules`` default to ``crane.``: no other record exists):

| record field | from |
|---|---|
| deviceNo | ``device_numbers[event.device]``, else the device id |
| projectCode, eventId | event.project, event.event_id |
| recordTime | event.ts as ``YYYY-MM-DD HH:MM:SS`` Beijing time (UTC+8) |
| weight (t), range (m), height (m), rotation (°), windSpeed (m/s), obliquity (°) | details ``load_t``, ``radius_m``, ``height_m``, ``slew_deg``, ``wind_ms``, ``tilt_deg`` |
| weightPercent (%) | details ``load_pct``, else 100 × ``load_t`` / ``rated_load_t`` (or ``rated_t``, as crane.load reports it) |
| momentPercent (%) | details ``moment_pct`` |
| the rule's own field | event.value fills it when details lack it: crane.load → weightPercent (unit %) or weight (t), crane.wind → windSpeed, crane.tilt → obliquity |
| weightAlarm, momentAlarm, windAlarm, tiltAlarm, collisionAlarm, zoneAlarm, operatorAlarm | 0 none, 1 warning, 2 alarm, 3 critical: the event's rule sets its own flag (crane.load sets weight and moment), 0 once resolved |
| alarmState | event.state |
| isResend | 1 when event.backfill (补传), else 0 |

Answer: HTTP status as in `classify_http`; a 2xx whose JSON ``code`` is present and not 0 is a refusal
of the record (permanent, dead-lettered with the platform's message).
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import httpx

from contract.alert_event import LEVEL_RANK, AlertEvent
from contract.config.uplinks import ShenzhenUplink
from gateway.uplinks.base import BEIJING, PermanentFailure, post
from gateway.uplinks.signing import shenzhen_signature

_MEASURES = {
    "weight": "load_t",
    "range": "radius_m",
    "height": "height_m",
    "rotation": "slew_deg",
    "windSpeed": "wind_ms",
    "obliquity": "tilt_deg",
    "momentPercent": "moment_pct",
}
_FLAGS = {
    "crane.load": ("weightAlarm", "momentAlarm"),
    "crane.wind": ("windAlarm",),
    "crane.tilt": ("tiltAlarm",),
    "crane.collision": ("collisionAlarm",),
    "crane.zone": ("zoneAlarm",),
    "crane.operator": ("operatorAlarm",),
}
_ALL_FLAGS = sorted({f for flags in _FLAGS.values() for f in flags})


def _number(value: float | str | list[str] | None) -> float | None:
    if value is None or isinstance(value, list):  # a list of names is no measure
        return None
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None


def _value_field(event: AlertEvent) -> str | None:
    """The record field the event's own value belongs to."""
    if event.rule == "crane.load":
        return "weightPercent" if event.unit == "%" else "weight" if event.unit == "t" else None
    return {"crane.wind": "windSpeed", "crane.tilt": "obliquity"}.get(event.rule)


def crane_record(event: AlertEvent, device_no: str) -> dict[str, object]:
    """The platform's tower-crane record for one crane AlertEvent (mapping in the module docstring)."""
    d = event.details
    record: dict[str, object] = {
        "deviceNo": device_no,
        "projectCode": event.project,
        "eventId": event.event_id,
        "recordTime": datetime.fromtimestamp(event.ts, BEIJING).strftime("%Y-%m-%d %H:%M:%S"),
    }
    for field, metric in _MEASURES.items():
        record[field] = _number(d.get(metric))
    load, rated = _number(d.get("load_t")), _number(d.get("rated_load_t", d.get("rated_t")))
    record["weightPercent"] = _number(d.get("load_pct")) or (
        round(100 * load / rated, 1) if load is not None and rated else None
    )
    own = _value_field(event)
    if own and record.get(own) is None:
        record[own] = _number(event.value)
    level = 0 if event.state == "resolved" else LEVEL_RANK[event.level]
    for flag in _ALL_FLAGS:
        record[flag] = level if flag in _FLAGS.get(event.rule, ()) else 0
    record["alarmState"] = event.state
    record["isResend"] = 1 if event.backfill else 0
    return record


class ShenzhenAdapter:
    """Tower-crane alerts to a Shenzhen-style platform."""

    def __init__(self, config: ShenzhenUplink) -> None:
        self.name = config.name
        self._config = config
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def send(self, event: AlertEvent) -> None:
        """Map, sign and POST one record."""
        cfg = self._config
        body = json.dumps(
            crane_record(event, cfg.device_numbers.get(event.device, event.device)),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        params = {
            "api_key": cfg.api_key,
            "timestamp": str(int(time.time() * 1000)),
            "client_serial": event.event_id,
        }
        params["sign"] = shenzhen_signature(cfg.secret, params, body)
        response = await post(
            self._client,
            cfg.url,
            params=params,
            content=body.encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            answer = response.json()
        except ValueError:
            return  # a 2xx without JSON: the status is the confirmation
        if isinstance(answer, dict) and answer.get("code", 0) not in (0, "0", 200, "200"):
            raise PermanentFailure(f"HTTP {response.status_code}: {response.text[:2000]}")

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
