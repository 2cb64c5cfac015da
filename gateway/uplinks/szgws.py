"""Shenzhen 工务署 device API: per-minute crane records to ``/crane/addRecord``, alert events to
``/crane/warning`` (docs/standards.md §4).

Request: ``POST {base_url}/crane/addRecord`` (or ``/crane/warning``) with the record as JSON and the query
``api_key, api_version, eng_code, project_code, timestamp, signature``, where ``signature`` = upper(MD5(secret +
"api_key" + K + "api_version" + V + "body" + JSON + "eng_code" + E + "project_code" + P + "timestamp" + TS +
secret)): the facts name the signed parameters and "the same name-value style" as CWRService, so the secret
before and after, the timestamp as ``yyyy-MM-dd HH:mm:ss`` site time and the ``{"result", "detail_message"}``
reply are CWRService's [U: no published spec says so for this API].

Record fields (the facts name them; units: load kg, moment t·m, ratios %, range and height m, wind m/s):

| field | /crane/addRecord (one crane minute, gateway/uplinks/crane_records.py) | /crane/warning (one AlertEvent) |
|---|---|---|
| device_no | ``device_numbers[device]``, else the device id | the same |
| runtime | the minute's start, site time | event.ts, site time |
| load, load_ratio | 1000 × the minute's peak ``load_t``; 100 × load / ``rated_load_t`` | from the event's details and value |
| moment, moment_ratio | load (t) × radius; the peak ``moment_pct`` | the same from the details |
| range, height, wind_speed | the last ``radius_m``, ``height_m``; the peak ``wind_ms`` | the same from the details |
| load_warn, moment_warn | 0–3 by the ratio: ≥ 90 % 1, ≥ 100 % 2, ≥ 110 % 3 (docs/standards.md §1) | the event's level for crane.load, 0 once resolved |
| wind_warn | 2 when the wind is over 13.8 m/s (Shenzhen interface), else 0 | the level of crane.wind |
| collision_warn, tilt_warn | 0: the minute's values cannot say; their alerts go to /crane/warning | the level of crane.collision, crane.tilt |
| magnification, sensor_status, region_limit_warn_status | (warning only) | details ``reeving`` (倍率); the level of crane.safety_device; the level of crane.zone |
| warn_state, serial_no | (warning only) | event.state; event.event_id (the same for every attempt) |
| is_resend | 1 for a minute sent late (补传), else 0 | 1 when event.backfill, else 0 |

Flag levels are 0 none, 1 warning, 2 alarm, 3 critical, as sitegw's levels. The names of the limit flags,
``warn_state``, ``serial_no`` and ``is_resend`` are this adapter's [U].

An alarm's update: the facts give the API no message for it (only ``/crane/warning``), so an ``updated``
event, whether a change of level or the worst value of an alert that keeps worsening within its level
(gateway/alerts/worsening.py), goes as another ``/crane/warning`` record: the measures at that value, the
flags at the alert's level, ``warn_state`` "updated", a ``serial_no`` of its own.
"""

from __future__ import annotations

import time

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import SzGwsUplink
from gateway.uplinks.crane_fields import WIND_ALARM_MS, event_level, event_measures, number, ratio_level
from gateway.uplinks.crane_records import CraneMinute
from gateway.uplinks.md5_query import compact, post_signed, site_time

ADD_RECORD_PATH = "/crane/addRecord"
WARNING_PATH = "/crane/warning"


def _measures(
    load_t: float | None,
    load_pct: float | None,
    moment_pct: float | None,
    radius_m: float | None,
    height_m: float | None,
    wind_ms: float | None,
) -> dict[str, object]:
    return {
        "load": None if load_t is None else round(load_t * 1000),
        "load_ratio": load_pct,
        "moment": None if load_t is None or radius_m is None else round(load_t * radius_m, 2),
        "moment_ratio": moment_pct,
        "range": radius_m,
        "height": height_m,
        "wind_speed": wind_ms,
    }


def add_record(record: CraneMinute, device_no: str, backfill: bool) -> dict[str, object]:
    """The /crane/addRecord body of one crane minute (mapping in the module docstring)."""
    load_pct, moment_pct, wind = record.load_pct(), record.get("moment_pct"), record.get("wind_ms")
    return {
        "device_no": device_no,
        "runtime": site_time(record.minute),
        **_measures(
            number(record.get("load_t")),
            load_pct,
            number(moment_pct),
            number(record.get("radius_m")),
            number(record.get("height_m")),
            number(wind),
        ),
        "collision_warn": 0,
        "wind_warn": 2 if wind is not None and wind > WIND_ALARM_MS else 0,
        "load_warn": ratio_level(load_pct),
        "moment_warn": ratio_level(moment_pct),
        "tilt_warn": 0,
        "is_resend": 1 if backfill else 0,
    }


def warning(event: AlertEvent, device_no: str) -> dict[str, object]:
    """The /crane/warning body of one crane AlertEvent (mapping in the module docstring)."""
    m = event_measures(event)
    return {
        "device_no": device_no,
        "runtime": site_time(event.ts),
        **_measures(m["load_t"], m["load_pct"], m["moment_pct"], m["radius_m"], m["height_m"], m["wind_ms"]),
        "collision_warn": event_level(event, "crane.collision"),
        "wind_warn": event_level(event, "crane.wind"),
        "load_warn": event_level(event, "crane.load"),
        "moment_warn": event_level(event, "crane.load"),
        "tilt_warn": event_level(event, "crane.tilt"),
        "magnification": number(event.details.get("reeving")),
        "sensor_status": event_level(event, "crane.safety_device"),
        "region_limit_warn_status": event_level(event, "crane.zone"),
        "warn_state": event.state,
        "serial_no": event.event_id,
        "is_resend": 1 if event.backfill else 0,
    }


def gws_params(cfg: SzGwsUplink, now: float) -> dict[str, str]:
    """The query parameters but the signature, at Unix time ``now``."""
    return {
        "api_key": cfg.api_key,
        "api_version": cfg.api_version,
        "eng_code": cfg.eng_code,
        "project_code": cfg.project_code,
        "timestamp": site_time(now),
    }


class SzGwsAdapter:
    """Crane alert events (outbox) and crane minutes (records sender) to the 工务署 device API."""

    def __init__(self, config: SzGwsUplink) -> None:
        self.name = config.name
        self._config = config
        self._base = config.base_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=config.timeout_s)

    def _device_no(self, device: str) -> str:
        return self._config.device_numbers.get(device, device)

    async def _post(self, path: str, record: dict[str, object]) -> None:
        cfg = self._config
        await post_signed(
            self._client, self._base + path, cfg.secret, gws_params(cfg, time.time()), compact(record)
        )

    async def send(self, event: AlertEvent) -> None:
        """POST one alert event to /crane/warning; returns once the platform said ``result: true``."""
        await self._post(WARNING_PATH, warning(event, self._device_no(event.device)))

    async def send_record(self, record: CraneMinute, backfill: bool) -> None:
        """POST one crane minute to /crane/addRecord."""
        await self._post(ADD_RECORD_PATH, add_record(record, self._device_no(record.device), backfill))

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
