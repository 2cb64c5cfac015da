"""Dongguan: one tower-crane record per alert event, the query signed with the project's token
(docs/standards.md §4).

Request: ``POST {url}?timestamp=yyMMddHHmmss&token=T&version=1.0&sign=S`` with the record as JSON, where ``S`` =
upper(MD5(T + "body" + JSON + "timestamp" + TS + "token" + T + "version" + "1.0" + T)): the name-value MD5 of
CWRService (`gateway.uplinks.signing.name_value_md5`) keyed by the token, which is also a parameter. The
timestamp is site time (China Standard Time) as ``yyMMddHHmmss``. The reply is JSON whose ``StateCode`` "1"
took the record; any other ``StateCode`` refused it (a permanent failure: the same bytes would be refused again,
so the outbox dead-letters it with the platform's reply); a 2xx without ``StateCode`` (a proxy's page) is no
confirmation and is retried.

The record is the CWRService crane record (gateway/uplinks/cwrservice.py: device number, load, ratios, radius,
height, slew, wind, tilt, a flag per rule, ``isResend`` 1 for backfill). The facts give the signature, the
time format and the reply only: the record's field names and the signature's own query name (``sign``) are
this adapter's [U: no published spec]. The facts give no message for an alarm's update: an ``updated`` event
(a change of level, or the worst value of an alert that keeps worsening) is another record, as CWRService's.
"""

from __future__ import annotations

import time
from datetime import datetime

import httpx

from contract.alert_event import AlertEvent
from contract.config.uplinks import DongguanUplink
from gateway.uplinks.base import BEIJING, PermanentFailure
from gateway.uplinks.cwrservice import CraneAlertRecords
from gateway.uplinks.md5_query import post_json, reply_field
from gateway.uplinks.signing import name_value_md5


def dongguan_time(ts: float) -> str:
    """``yyMMddHHmmss`` in China Standard Time, as the platform reads it."""
    return datetime.fromtimestamp(ts, BEIJING).strftime("%y%m%d%H%M%S")


def dongguan_query(cfg: DongguanUplink, now: float, body: str) -> dict[str, str]:
    """The signed query of one request at Unix time ``now`` (the body signed among the parameters, not sent in
    the query)."""
    params = {"timestamp": dongguan_time(now), "token": cfg.token, "version": cfg.version}
    return {**params, "sign": name_value_md5(cfg.token, {**params, "body": body})}


def check_state(response: httpx.Response) -> None:
    """Raise unless the platform answered ``StateCode`` "1"."""
    state, _ = reply_field(response, "StateCode")
    if str(state) != "1":
        raise PermanentFailure(f"StateCode {state}: {response.text[:2000]}")


class DongguanAdapter(CraneAlertRecords[DongguanUplink]):
    """Tower-crane alert records to the Dongguan platform."""

    async def _post(self, event: AlertEvent, body: str) -> None:
        cfg = self._config
        await post_json(self._client, cfg.url, dongguan_query(cfg, time.time(), body), body, check_state)
