"""The Chongqing IoT dialect (docs/standards.md §4) against a stand-in platform (a real HTTP server; the
platform cannot be reached from here) written from the facts: an OAuth2 token from appKey/appSecret at
/IOTWebService/rest/oauth2/token, then ``Authorization: Bearer``, each record as the form field ``params``
holding JSON with UnifiedProjectCode, DataTimeStamp (13-digit ms), DeviceFactory and DeviceSN. The platform
answers 401 to an unknown or expired token."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from contract.config.uplinks import ChongqingUplink
from gateway.outbox import Outbox
from gateway.uplinks import TransientFailure, build_adapter, build_record_sink
from gateway.uplinks.crane_records import CraneRecordSender
from gateway.uplinks.positions import ReadPositions
from tests.regulator.support import make_event
from tests.uplinks.cwr_platform import deliver_worsening
from tests.uplinks.platform import PlatformServer, Request
from tests.uplinks.test_szgws import crane_store

Factory = Callable[[Callable[[Request], tuple[int, object]]], PlatformServer]
TOKEN_PATH = "/IOTWebService/rest/oauth2/token"


@dataclass
class Chongqing:
    """The platform's state: the tokens it issued and still honours, and the records it took."""

    app_key: str = "cq-app"
    app_secret: str = "cq-secret"
    valid: set[str] = field(default_factory=set)
    issued: int = 0
    records: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    down: int = 0  # the next this many record requests get 500
    expires_in: float = 7200.0  # what the platform says of each token it issues
    revoked_app: bool = False  # the app may fetch tokens but not send for this project: every record 401
    record_requests: int = 0

    def answer(self, req: Request) -> tuple[int, object]:
        form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
        if req.path == TOKEN_PATH:
            if form.get("appKey") != self.app_key or form.get("appSecret") != self.app_secret:
                return 401, {"code": 401, "message": "invalid appKey or appSecret"}
            self.issued += 1
            token = f"tok-{self.issued}"
            self.valid.add(token)
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.expires_in}
        self.record_requests += 1
        bearer = req.headers.get("Authorization", "")
        if self.revoked_app or not bearer.startswith("Bearer ") or bearer[7:] not in self.valid:
            return 401, {"code": 401, "message": "invalid token"}
        if self.down:
            self.down -= 1
            return 500, {"code": 500, "message": "busy"}
        params = json.loads(form["params"])
        assert isinstance(params, dict)
        for key in ("UnifiedProjectCode", "DataTimeStamp", "DeviceFactory", "DeviceSN"):
            if key not in params:
                return 200, {"code": 1, "message": f"{key} missing"}
        if not (isinstance(params["DataTimeStamp"], int) and len(str(params["DataTimeStamp"])) == 13):
            return 200, {"code": 1, "message": "DataTimeStamp must be 13-digit ms"}
        self.records.append((req.path, params))
        return 200, {"code": 0, "message": "success"}


def uplink(base_url: str, secret: str = "cq-secret") -> ChongqingUplink:
    return ChongqingUplink.model_validate(
        {"name": "cq", "base_url": base_url, "app_key": "cq-app", "app_secret": secret,
         "record_path": "/IOTWebService/rest/crane/record", "alarm_path": "/IOTWebService/rest/crane/alarm",
         "unified_project_code": "500101-2026-0001", "device_factory": "某塔机黑匣子厂",
         "device_numbers": {"crane-1": "SN-0001"}, "backoff_initial_s": 0.05, "backoff_max_s": 0.2}
    )  # fmt: skip


async def test_token_is_cached_and_refreshed_once_on_401(platform: Factory) -> None:
    cq = Chongqing()
    server = platform(cq.answer)
    adapter = build_adapter(uplink(server.url("")))
    first = make_event(details={"load_t": 2.92, "rated_load_t": 2.85, "slew_deg": 370.0})
    await adapter.send(first)
    await adapter.send(make_event("a2"))
    assert cq.issued == 1  # one token for both records
    cq.valid.clear()  # the platform expired it early
    await adapter.send(make_event("a3"))
    assert cq.issued == 2 and len(cq.records) == 3
    path, params = cq.records[0]
    assert path == "/IOTWebService/rest/crane/alarm"
    assert params["UnifiedProjectCode"] == "500101-2026-0001" and params["DeviceSN"] == "SN-0001"
    assert params["DeviceFactory"] == "某塔机黑匣子厂" and params["DataTimeStamp"] == round(first.ts * 1000)
    assert params["Weight"] == 2.92 and params["WeightPercent"] == 102.5 and params["Rotation"] == 10.0
    assert params["AlarmLevel"] == 2 and params["AlarmId"] == first.event_id and params["IsResend"] == 0
    await adapter.close()


async def test_token_is_renewed_before_it_expires(platform: Factory) -> None:
    cq = Chongqing(expires_in=60.4)  # renewed a minute before expiry: 0.4 s from now
    server = platform(cq.answer)
    adapter = build_adapter(uplink(server.url("")))
    await adapter.send(make_event("a1"))
    await adapter.send(make_event("a2"))
    assert cq.issued == 1
    await asyncio.sleep(0.5)
    await adapter.send(make_event("a3"))
    assert cq.issued == 2 and cq.record_requests == 3  # a new token first, never a 401 on the way
    await adapter.close()


async def test_a_401_with_a_fresh_token_is_retried_once_then_left_to_the_outbox(platform: Factory) -> None:
    cq = Chongqing(revoked_app=True)
    server = platform(cq.answer)
    adapter = build_adapter(uplink(server.url("")))
    with pytest.raises(TransientFailure, match=r"401 with a fresh token.*may send for 500101-2026-0001"):
        await adapter.send(make_event())
    assert (cq.issued, cq.record_requests, cq.records) == (2, 2, [])
    await adapter.close()


async def test_wrong_credentials_are_retried_with_the_fix_named(platform: Factory) -> None:
    cq = Chongqing()
    server = platform(cq.answer)
    adapter = build_adapter(uplink(server.url(""), secret="wrong"))
    with pytest.raises(TransientFailure, match="app_key and app_secret"):
        await adapter.send(make_event())
    await adapter.close()
    assert cq.records == []


async def test_outbox_delivers_once_through_errors_and_a_token_refresh(
    tmp_path: Path, platform: Factory
) -> None:
    cq = Chongqing(down=2)
    server = platform(cq.answer)
    outbox = Outbox(tmp_path, [uplink(server.url(""))])
    await outbox.start()
    try:
        events = [make_event(f"a{n}", 0) for n in range(3)]
        for e in events[:2]:
            assert outbox.on_event(e)
        assert await outbox.drained(20)
        cq.valid.clear()  # the token expires between two alerts
        assert outbox.on_event(events[2])
        assert await outbox.drained(20)
    finally:
        await outbox.stop()
    ids = [str(p["AlarmId"]) for _, p in cq.records]
    assert sorted(ids) == sorted(e.event_id for e in events)
    assert cq.issued == 2


async def test_crane_minutes_go_to_the_record_path(tmp_path: Path, platform: Factory) -> None:
    cq = Chongqing()
    server = platform(cq.answer)
    cfg = uplink(server.url(""))
    cursors = ReadPositions(tmp_path / "uplink_positions.sqlite")
    sink = build_record_sink(cfg)
    async with crane_store(tmp_path, [30, 3], late_for=(cfg.name,)) as (store, now):
        sources = {"crane-1": ("crane-1",)}
        sender = CraneRecordSender(cfg, sink, store.reader, store, cursors, sources, backfill_after_s=60)
        assert await sender.catch_up() == 2
    await sink.close()
    cursors.close()
    records = [p for path, p in cq.records if path == "/IOTWebService/rest/crane/record"]
    assert [r["DataTimeStamp"] for r in records] == [int((now - 60 * k) * 1000) for k in (30, 3)]
    assert [r["IsResend"] for r in records] == [1, 0]
    assert records[0]["Weight"] == 2.9 and records[0]["Range"] == 30.0 and "WindSpeed" in records[0]
    assert list(itertools.chain.from_iterable(r.keys() for r in records)).count("AlarmId") == 0


async def test_a_worsening_overload_is_another_alarm_record_with_its_worst_figures(
    tmp_path: Path, platform: Factory
) -> None:
    # the platform's facts name no alarm-update message: the update is another record on the alarm path
    cq = Chongqing()
    server = platform(cq.answer)
    firing, update = await deliver_worsening(tmp_path, uplink(server.url("")))
    alarms = [p for path, p in cq.records if path == "/IOTWebService/rest/crane/alarm"]
    assert [
        (p["AlarmId"], p["AlarmState"], p["AlarmLevel"], p["Weight"], p["WeightPercent"]) for p in alarms
    ] == [
        (firing.event_id, "firing", 3, 3.192, 112.0),
        (update.event_id, "updated", 3, 3.534, 124.0),
    ]
    assert alarms[1]["DataTimeStamp"] == 1_790_000_090_000 and alarms[1]["AlarmType"] == "crane.load"
