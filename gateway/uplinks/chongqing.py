"""Chongqing IoT platform: an OAuth2 bearer token, then each record as the form field ``params`` holding JSON
(docs/standards.md §4).

Token: ``POST {base_url}{token_path}`` (default ``/IOTWebService/rest/oauth2/token``) with the form
``grant_type=client_credentials, appKey, appSecret``; the answer's ``access_token`` (top level or under
``data``) is kept until ``expires_in`` seconds (default 3600) less a minute, shared by every request. A 401 on a
record drops the token, fetches a new one and sends the record again, once; a second 401, or a token the
platform will not give, is retried by the outbox with backoff (the record is fine, the credentials are not:
nothing is dropped) and logged with the fix.

Records: ``POST {base_url}{record_path}`` (a crane minute, gateway/uplinks/crane_records.py) or
``{alarm_path}`` (an AlertEvent), ``Authorization: Bearer <token>``, form ``params`` = JSON of:

| field | crane minute | AlertEvent |
|---|---|---|
| UnifiedProjectCode, DeviceFactory | the uplink's settings | the same |
| DeviceSN | ``device_numbers[device]``, else the device id | the same |
| DataTimeStamp | the minute's start, 13-digit Unix ms | event.ts, 13-digit Unix ms |
| Weight (t), WeightPercent, MomentPercent (%), Range, Height (m), Rotation (°, 0–359.9), WindSpeed (m/s), Obliquity (°) | the minute's picks (peak load, moment, wind, tilt; last radius, height, slew) | the event's details and value |
| AlarmType, AlarmLevel, AlarmState, AlarmId | (alarm only) | event.rule; 1 warning, 2 alarm, 3 critical, 0 once resolved; event.state; event.event_id |
| IsResend | 1 for a minute sent late (补传), else 0 | 1 when event.backfill, else 0 |

Answer: HTTP status as in `classify_http` (401 as above); a 2xx whose JSON has a ``code`` other than 0 or 200,
or ``success: false``, refused the record (permanent, with the platform's message). Only the token path,
the bearer, the form field ``params`` and its first four keys are facts; the other names are this adapter's
[U: no published spec].

An alarm's update: the facts name no message for it, so an ``updated`` event (a change of level, or the worst
value of an alert that keeps worsening within its level, gateway/alerts/worsening.py) goes as another record
on the alarm path: the measures at that value, ``AlarmState`` "updated", an ``AlarmId`` of its own.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import ChongqingUplink
from gateway.uplinks.base import PermanentFailure, TransientFailure, classify_http
from gateway.uplinks.crane_fields import event_level, event_measures, number
from gateway.uplinks.crane_records import CraneMinute

TOKEN_MARGIN_S = 60.0  # a token is renewed this long before the platform said it expires
DEFAULT_EXPIRES_S = 3600.0


def _measures(m: dict[str, float | None]) -> dict[str, object]:
    slew = m.get("slew_deg")
    return {
        "Weight": m.get("load_t"),
        "WeightPercent": m.get("load_pct"),
        "MomentPercent": m.get("moment_pct"),
        "Range": m.get("radius_m"),
        "Height": m.get("height_m"),
        "Rotation": None if slew is None else round(slew % 360, 1),
        "WindSpeed": m.get("wind_ms"),
        "Obliquity": m.get("tilt_deg"),
    }


def minute_params(cfg: ChongqingUplink, record: CraneMinute, backfill: bool) -> dict[str, object]:
    """The ``params`` JSON of one crane minute (mapping in the module docstring)."""
    values = {k: number(v) for k, v in record.values.items()}
    return {
        **_head(cfg, record.device, record.minute),
        **_measures({**values, "load_pct": record.load_pct()}),
        "IsResend": 1 if backfill else 0,
    }


def alarm_params(cfg: ChongqingUplink, event: AlertEvent) -> dict[str, object]:
    """The ``params`` JSON of one AlertEvent (mapping in the module docstring)."""
    return {
        **_head(cfg, event.device, event.ts),
        **_measures(event_measures(event)),
        "AlarmType": event.rule,
        "AlarmLevel": event_level(event, event.rule),
        "AlarmState": event.state,
        "AlarmId": event.event_id,
        "IsResend": 1 if event.backfill else 0,
    }


def _head(cfg: ChongqingUplink, device: str, ts: float) -> dict[str, object]:
    return {
        "UnifiedProjectCode": cfg.unified_project_code,
        "DataTimeStamp": round(ts * 1000),
        "DeviceFactory": cfg.device_factory,
        "DeviceSN": cfg.device_numbers.get(device, device),
    }


class ChongqingAdapter:
    """Crane alert events (outbox) and crane minutes (records sender) to the Chongqing IoT platform."""

    def __init__(self, config: ChongqingUplink) -> None:
        self.name = config.name
        self._config = config
        self._base = config.base_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=config.timeout_s)
        self._token: tuple[str, float] | None = None  # (token, monotonic time it is renewed at)
        self._lock = asyncio.Lock()  # one token request at a time, however many records are in flight

    async def send(self, event: AlertEvent) -> None:
        """POST one alert event to the alarm path."""
        await self._post(self._config.alarm_path, alarm_params(self._config, event))

    async def send_record(self, record: CraneMinute, backfill: bool) -> None:
        """POST one crane minute to the record path."""
        await self._post(self._config.record_path, minute_params(self._config, record, backfill))

    async def _post(self, path: str, params: dict[str, object]) -> None:
        form = {"params": json.dumps(params, ensure_ascii=False, separators=(",", ":"))}
        url = self._base + path
        token = await self._bearer()
        response = await self._request(url, form, token)
        if response.status_code == 401:
            await self._drop(token)
            response = await self._request(url, form, await self._bearer())
            if response.status_code == 401:
                raise TransientFailure(
                    f"HTTP 401 with a fresh token: {response.text[:500]}; check that app_key "
                    f"{self._config.app_key!r} may send for {self._config.unified_project_code}"
                )
        classify_http(response)
        _check_answer(response)

    async def _request(self, url: str, form: dict[str, str], token: str) -> httpx.Response:
        try:
            return await self._client.post(url, data=form, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise TransientFailure(f"{type(exc).__name__}: {exc or 'no answer'} ({url})") from exc

    async def _bearer(self) -> str:
        """The cached token, or a new one once it is near expiry."""
        async with self._lock:
            if self._token is not None and time.monotonic() < self._token[1]:
                return self._token[0]
            token, expires = await self._fetch_token()
            self._token = (token, time.monotonic() + max(0.0, expires - TOKEN_MARGIN_S))
            return token

    async def _drop(self, token: str) -> None:
        """Forget ``token`` (refused), unless another request already replaced it."""
        async with self._lock:
            if self._token is not None and self._token[0] == token:
                self._token = None

    async def _fetch_token(self) -> tuple[str, float]:
        cfg = self._config
        url = self._base + cfg.token_path
        form = {"grant_type": "client_credentials", "appKey": cfg.app_key, "appSecret": cfg.app_secret}
        try:
            response = await self._client.post(url, data=form)
        except httpx.HTTPError as exc:
            raise TransientFailure(f"token: {type(exc).__name__}: {exc or 'no answer'} ({url})") from exc
        hint = f"check the uplink's app_key and app_secret (the token path is {cfg.token_path})"
        if not response.is_success:
            raise TransientFailure(f"token: HTTP {response.status_code}: {response.text[:500]}; {hint}")
        try:
            answer = response.json()
            body = answer.get("data") if isinstance(answer.get("data"), dict) else answer
            token = str(body["access_token"])
            expires = float(body.get("expires_in", DEFAULT_EXPIRES_S))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise TransientFailure(
                f"token: HTTP {response.status_code}, no access_token: {response.text[:500]}; {hint}"
            ) from None
        return token, expires

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def _check_answer(response: httpx.Response) -> None:
    """A 2xx that says it refused the record (``code`` other than 0/200, or ``success: false``) is permanent."""
    try:
        answer = response.json()
    except ValueError:
        return  # a 2xx without JSON: the status is the confirmation
    if not isinstance(answer, dict):
        return
    code = answer.get("code", 0)
    if str(code) not in ("0", "200") or answer.get("success") is False:
        raise PermanentFailure(f"HTTP {response.status_code}: {response.text[:2000]}")
