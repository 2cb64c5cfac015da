"""Guangdong/Shenzhen CWRService: one tower-crane record per alert event, MD5-signed query (docs/standards.md §4).

Request: ``POST {url}?api_key=K&api_version=1.1&timestamp=yyyy-MM-dd HH:mm:ss&client_serial=PL…&signature=S``
with the record as JSON, where ``S`` = upper(MD5(secret + "api_key" + K + "api_version" + V + "body" + JSON +
"client_serial" + SERIAL + "timestamp" + TS + secret)): the parameters sorted by name, each name followed by
its value, the body among them, the secret before and after (`gateway.uplinks.signing.name_value_md5`). The
timestamp is site time (China Standard Time). ``client_serial`` is "PL" + the event_id's 32 hex digits, so a
retried record carries the same serial and the platform can drop the copy. Reply: `md5_query.check_result`.

Mapping of an AlertEvent to the record (the uplink's ``rules`` default to ``crane.``: no other record exists):

| record field | from |
|---|---|
| deviceNo | ``device_numbers[event.device]``, else the device id |
| projectCode, eventId | event.project, event.event_id |
| recordTime | event.ts as ``yyyy-MM-dd HH:mm:ss`` site time |
| weight (t), range (m), height (m), rotation (°), windSpeed (m/s), obliquity (°) | details ``load_t``, ``radius_m``, ``height_m``, ``slew_deg``, ``wind_ms``, ``tilt_deg`` |
| weightPercent (%) | details ``load_pct``, else the event's value (crane.load in %), else 100 × ``load_t`` / ``rated_load_t`` (or ``rated_t``, as crane.load reports it) |
| momentPercent (%) | details ``moment_pct`` |
| the rule's own field | event.value fills it when details lack it: crane.load → weightPercent (unit %) or weight (t), crane.wind → windSpeed, crane.tilt → obliquity (gateway/uplinks/crane_fields.py) |
| weightAlarm, momentAlarm, windAlarm, tiltAlarm, collisionAlarm, zoneAlarm, operatorAlarm | 0 none, 1 warning, 2 alarm, 3 critical: the event's rule sets its own flag (crane.load sets weight and moment), 0 once resolved |
| alarmState | event.state |
| isResend | 1 when event.backfill (补传: sent after an outage), else 0 |

The record's field names are not in the facts (no published spec): they are this adapter's; the query, the
signature and the reply are the platform's.

An alarm's update: CWRService has no message for it (one record per call), so an ``updated`` event (a change
of level, or the worst value of an alert that keeps worsening within its level, gateway/alerts/worsening.py)
is another record: the measures at that value, ``alarmState`` "updated", a ``client_serial`` of its own, so
the platform keeps every one. Dongguan sends the same record (gateway/uplinks/dongguan.py).
"""

from __future__ import annotations

import time
import uuid
from typing import Generic, TypeVar

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import CraneUplink, CwrServiceUplink
from gateway.uplinks.crane_fields import event_level, event_measures
from gateway.uplinks.md5_query import compact, post_signed, site_time

_MEASURES = {
    "weight": "load_t",
    "range": "radius_m",
    "height": "height_m",
    "rotation": "slew_deg",
    "windSpeed": "wind_ms",
    "obliquity": "tilt_deg",
    "momentPercent": "moment_pct",
    "weightPercent": "load_pct",
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


def crane_record(event: AlertEvent, device_no: str) -> dict[str, object]:
    """The platform's tower-crane record for one crane AlertEvent (mapping in the module docstring)."""
    measures = event_measures(event)
    record: dict[str, object] = {
        "deviceNo": device_no,
        "projectCode": event.project,
        "eventId": event.event_id,
        "recordTime": site_time(event.ts),
    }
    record.update({field: measures[metric] for field, metric in _MEASURES.items()})
    for flag in _ALL_FLAGS:
        record[flag] = event_level(event, event.rule) if flag in _FLAGS.get(event.rule, ()) else 0
    record["alarmState"] = event.state
    record["isResend"] = 1 if event.backfill else 0
    return record


def client_serial(event_id: str) -> str:
    """ "PL" + 32 hex digits: the event_id's own (a UUID), else a UUID made from it, so every attempt of one
    event carries one serial."""
    digits = event_id.replace("-", "").lower()
    if len(digits) != 32 or any(c not in "0123456789abcdef" for c in digits):
        digits = uuid.uuid5(uuid.NAMESPACE_URL, f"sitegw:event:{event_id}").hex
    return "PL" + digits


def cwr_params(cfg: CwrServiceUplink, now: float, serial: str) -> dict[str, str]:
    """The query parameters but the signature, at Unix time ``now``."""
    return {
        "api_key": cfg.api_key,
        "api_version": cfg.api_version,
        "timestamp": site_time(now),
        "client_serial": serial,
    }


C = TypeVar("C", bound=CraneUplink)


class CraneAlertRecords(Generic[C]):
    """One crane record (`crane_record`) per alert event, POSTed by the dialect's ``_post``."""

    def __init__(self, config: C) -> None:
        self.name = config.name
        self._config = config
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    async def send(self, event: AlertEvent) -> None:
        """Map, sign and POST one record (a fresh timestamp per attempt); returns once the platform took it."""
        cfg = self._config
        await self._post(
            event, compact(crane_record(event, cfg.device_numbers.get(event.device, event.device)))
        )

    async def _post(self, event: AlertEvent, body: str) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


class CwrServiceAdapter(CraneAlertRecords[CwrServiceUplink]):
    """Tower-crane alert records to a CWRService platform (the same serial for every attempt of an event)."""

    async def _post(self, event: AlertEvent, body: str) -> None:
        cfg = self._config
        params = cwr_params(cfg, time.time(), client_serial(event.event_id))
        await post_signed(self._client, cfg.url, cfg.secret, params, body)
