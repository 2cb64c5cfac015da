"""The Guangdong/Shenzhen CWRService dialect against the facts (docs/standards.md §4): the signature of fixed
inputs as a digest computed by hand, and a stand-in platform (a real HTTP server; no CWRService platform
can be reached from here) that checks every request the way the platform does and answers as it does.

These tests fail on the adapter before issue #18 (it signed ``sign`` over key-value pairs plus the body,
with a millisecond timestamp and no api_version)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from contract.config.uplinks import CwrServiceUplink, Uplink
from gateway.uplinks import PermanentFailure, TransientFailure, build_adapter
from gateway.uplinks.cwrservice import cwr_params
from gateway.uplinks.md5_query import signed_query
from tests.regulator.support import PROJECT, make_event
from tests.uplinks.cwr_platform import (
    check_worsening_records,
    deliver_through_outbox,
    deliver_worsening,
    down_first,
    md5_upper,
    refuse,
)
from tests.uplinks.platform import PlatformServer, Request

Factory = Callable[[Callable[[Request], tuple[int, object]]], PlatformServer]
SECRET = "sz-secret"
KEYS = {"api_key", "api_version", "timestamp", "client_serial", "signature"}


def test_signature_of_fixed_inputs_is_the_one_worked_out_by_hand() -> None:
    # printf '%s' 'sz-secretapi_keyK-1api_version1.1body{"deviceNo":"TC-440305-0001","weight":2.92}client_serial
    # PL0190f5d2a4b87c3e9d1f2a3b4c5d6e7ftimestamp2026-09-21 22:13:20sz-secret' | md5sum   (one line, upper-cased)
    body = '{"deviceNo":"TC-440305-0001","weight":2.92}'
    cfg = CwrServiceUplink(name="sz", url="http://x/CWRService/m", api_key="K-1", secret=SECRET)
    params = cwr_params(cfg, 1_790_000_000.0, "PL0190f5d2a4b87c3e9d1f2a3b4c5d6e7f")
    assert params == {
        "api_key": "K-1",
        "api_version": "1.1",
        "timestamp": "2026-09-21 22:13:20",  # 1 790 000 000 s is 14:13:20 UTC, 22:13:20 site time
        "client_serial": "PL0190f5d2a4b87c3e9d1f2a3b4c5d6e7f",
    }
    assert signed_query(SECRET, params, body)["signature"] == "DB19724635FF4D90D959A769856619BB"


def cwr_platform(secret: str, accepted: list[dict[str, object]]) -> Callable[[Request], tuple[int, object]]:
    """The platform's check and reply, from the facts: keys, time, serial, signature; result true/false."""

    def answer(req: Request) -> tuple[int, object]:
        q = req.query
        why = refuse(req, KEYS)
        if why is None and q["api_version"] != "1.1":
            why = f"api_version {q['api_version']}"
        if why is None and not re.fullmatch(r"PL[0-9a-f]{32}", q["client_serial"]):
            why = f"client_serial {q['client_serial']!r} is not PL + 32 hex"
        if why is None:
            text = (
                secret
                + "api_key" + q["api_key"]
                + "api_version" + q["api_version"]
                + "body" + req.body.decode()
                + "client_serial" + q["client_serial"]
                + "timestamp" + q["timestamp"]
                + secret
            )  # fmt: skip
            if q["signature"] != md5_upper(text):
                why = "签名错误 signature mismatch"
        if why is not None:
            return 200, {"result": False, "detail_message": why}
        record = req.json()
        assert isinstance(record, dict)
        accepted.append({**record, "_serial": q["client_serial"]})
        return 200, {"result": True, "detail_message": "成功"}

    return answer


def site_uplink(url: str, secret: str = SECRET) -> CwrServiceUplink:
    """The uplink as a site file gives it (the ``shenzhen`` name earlier site files used)."""
    cfg = TypeAdapter(Uplink).validate_python(
        {"type": "shenzhen", "name": "sz", "url": url, "api_key": "K-1", "secret": secret,
         "device_numbers": {"crane-1": "TC-440305-0001"}, "backoff_initial_s": 0.05, "backoff_max_s": 0.2}
    )  # fmt: skip
    assert isinstance(cfg, CwrServiceUplink)
    return cfg


async def test_platform_takes_a_signed_crane_record(platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(cwr_platform(SECRET, accepted))
    adapter = build_adapter(site_uplink(server.url("/CWRService/TowerCraneRecord")))
    details: dict[str, float | str | list[str]] = {
        "load_t": 2.92,
        "rated_load_t": 2.85,
        "radius_m": 30.0,
        "height_m": 41.5,
        "wind_ms": 8.2,
        "tilt_deg": 0.1,
        "moment_pct": 102.5,
        "slew_deg": 120.0,
    }
    event = make_event(details=details, ts=1_790_000_000.0, backfill=True)
    await adapter.send(event)
    assert len(accepted) == 1, server.requests
    assert accepted[0] == {
        "deviceNo": "TC-440305-0001",
        "projectCode": PROJECT,
        "eventId": event.event_id,
        "recordTime": "2026-09-21 22:13:20",
        "weight": 2.92,
        "range": 30.0,
        "height": 41.5,
        "rotation": 120.0,
        "windSpeed": 8.2,
        "obliquity": 0.1,
        "momentPercent": 102.5,
        "weightPercent": 102.5,
        "collisionAlarm": 0,
        "momentAlarm": 2,
        "operatorAlarm": 0,
        "tiltAlarm": 0,
        "weightAlarm": 2,
        "windAlarm": 0,
        "zoneAlarm": 0,
        "alarmState": "firing",
        "isResend": 1,
        "_serial": "PL" + event.event_id.replace("-", ""),
    }
    assert server.requests[0].path == "/CWRService/TowerCraneRecord"
    await adapter.close()


async def test_refusal_names_the_platforms_message_and_no_reply_is_retried(platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(cwr_platform(SECRET, accepted))
    wrong = build_adapter(site_uplink(server.url("/CWRService/m"), secret="other"))
    with pytest.raises(PermanentFailure, match="signature mismatch"):
        await wrong.send(make_event())
    await wrong.close()
    proxy = platform(lambda req: (200, {"ok": 1}))  # a 2xx that is no CWRService reply confirms nothing
    adapter = build_adapter(site_uplink(proxy.url("/CWRService/m")))
    with pytest.raises(TransientFailure, match="no result"):
        await adapter.send(make_event())
    await adapter.close()
    assert accepted == []


async def test_outbox_delivers_each_event_once_after_errors(tmp_path: Path, platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(down_first(cwr_platform(SECRET, accepted), 2, 503))  # down for two requests
    events = await deliver_through_outbox(tmp_path, site_uplink(server.url("/CWRService/m")), server)
    serials = [str(r["_serial"]) for r in accepted]
    assert sorted(serials) == sorted("PL" + e.event_id.replace("-", "") for e in events)


async def test_an_event_id_that_is_no_uuid_still_gets_one_serial(platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(cwr_platform(SECRET, accepted))
    adapter = build_adapter(site_uplink(server.url("/CWRService/m")))
    event = make_event(event_id="site-import-7")  # ids from elsewhere need not be UUIDs
    await adapter.send(event)
    await adapter.send(event)  # a retry
    await adapter.close()
    assert len(accepted) == 2 and accepted[0]["_serial"] == accepted[1]["_serial"]


async def test_a_worsening_overload_is_another_record_with_its_worst_figures(
    tmp_path: Path, platform: Factory
) -> None:
    # CWRService has no alarm-update message (one record per call): the update an alert that keeps worsening
    # sends (gateway/alerts/worsening.py) is another record, its own serial, at the worst value
    accepted: list[dict[str, object]] = []
    server = platform(cwr_platform(SECRET, accepted))
    firing, update = await deliver_worsening(tmp_path, site_uplink(server.url("/CWRService/m")))
    serials = ["PL" + e.event_id.replace("-", "") for e in (firing, update)]
    check_worsening_records([r | {"_id": r["_serial"]} for r in accepted], serials)
    assert accepted[1]["deviceNo"] == "TC-440305-0001" and accepted[1]["momentAlarm"] == 3
