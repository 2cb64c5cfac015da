"""The Dongguan dialect against the facts (docs/standards.md §4): the signature of fixed inputs as a digest
computed by hand, and a stand-in platform (a real HTTP server; no Dongguan platform can be reached from here)
that checks every request as the facts say (the token, ``yyMMddHHmmss`` site time, version "1.0", the
upper-case MD5 written out here, not taken from sitegw's code) and answers ``StateCode``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from contract.config.uplinks import DongguanUplink, Uplink
from gateway.uplinks import PermanentFailure, TransientFailure, build_adapter
from gateway.uplinks.dongguan import dongguan_query
from tests.regulator.support import PROJECT, make_event
from tests.uplinks.cwr_platform import (
    check_worsening_records,
    deliver_through_outbox,
    deliver_worsening,
    down_first,
    md5_upper,
)
from tests.uplinks.platform import PlatformServer, Request

Factory = Callable[[Callable[[Request], tuple[int, object]]], PlatformServer]
TOKEN = "dg-token-01"
SITE_TIME = timezone(timedelta(hours=8))


def test_signature_of_fixed_inputs_is_the_one_worked_out_by_hand() -> None:
    # printf '%s' 'dg-token-01body{"deviceNo":"TC-441900-0007","weight":2.92}timestamp260921221320tokendg-token-01
    # version1.0dg-token-01' | md5sum   (one line, upper-cased)
    body = '{"deviceNo":"TC-441900-0007","weight":2.92}'
    cfg = DongguanUplink(name="dg", url="http://x/crane", token=TOKEN)
    assert dongguan_query(cfg, 1_790_000_000.0, body) == {
        "timestamp": "260921221320",  # 1 790 000 000 s is 2026-09-21 14:13:20 UTC, 22:13:20 site time
        "token": TOKEN,
        "version": "1.0",
        "sign": "E604DDAB6DA6D2500004EEEF572D3E00",
    }


def dongguan_platform(
    token: str, accepted: list[dict[str, object]]
) -> Callable[[Request], tuple[int, object]]:
    """The platform's check and reply, from the facts: time, token, version, signature; StateCode "1"."""

    def answer(req: Request) -> tuple[int, object]:
        q = req.query
        why = None
        if set(q) != {"timestamp", "token", "version", "sign"}:
            why = f"query keys {sorted(q)}"
        elif not re.fullmatch(r"\d{12}", q["timestamp"]):
            why = f"timestamp {q['timestamp']!r} is not yyMMddHHmmss"
        elif (
            abs(
                (
                    datetime.strptime(q["timestamp"], "%y%m%d%H%M%S").replace(tzinfo=SITE_TIME)
                    - datetime.now(SITE_TIME)
                ).total_seconds()
            )
            > 300
        ):
            why = f"timestamp {q['timestamp']} is not site time now"
        elif q["token"] != token or q["version"] != "1.0":
            why = "token or version"
        else:
            text = (
                token
                + "body" + req.body.decode()
                + "timestamp" + q["timestamp"]
                + "token" + token
                + "version" + "1.0"
                + token
            )  # fmt: skip
            if q["sign"] != md5_upper(text):
                why = "签名错误"
        if why is not None:
            return 200, {"StateCode": "0", "Message": why}
        record = req.json()
        assert isinstance(record, dict)
        accepted.append(record)
        return 200, {"StateCode": "1", "Message": "成功"}

    return answer


def site_uplink(url: str, token: str = TOKEN) -> DongguanUplink:
    """The uplink as a site file gives it."""
    cfg = TypeAdapter(Uplink).validate_python(
        {"type": "dongguan", "name": "dg", "url": url, "token": token,
         "device_numbers": {"crane-1": "TC-441900-0007"}, "backoff_initial_s": 0.05, "backoff_max_s": 0.2}
    )  # fmt: skip
    assert isinstance(cfg, DongguanUplink)
    return cfg


async def test_platform_takes_a_signed_crane_record(platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(dongguan_platform(TOKEN, accepted))
    adapter = build_adapter(site_uplink(server.url("/api/crane/alarm")))
    event = make_event(details={"load_t": 2.92, "rated_load_t": 2.85, "radius_m": 30.0}, backfill=True)
    await adapter.send(event)
    await adapter.close()
    assert len(accepted) == 1, server.requests
    record = accepted[0]
    assert (record["deviceNo"], record["projectCode"], record["eventId"]) == (
        "TC-441900-0007",
        PROJECT,
        event.event_id,
    )
    assert (record["weight"], record["range"], record["isResend"]) == (2.92, 30.0, 1)


async def test_refusal_names_the_platforms_reply_and_no_reply_is_retried(platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(dongguan_platform(TOKEN, accepted))
    wrong = build_adapter(site_uplink(server.url("/api/crane/alarm"), token="other"))
    with pytest.raises(PermanentFailure, match="StateCode 0"):
        await wrong.send(make_event())
    await wrong.close()
    proxy = platform(lambda req: (200, {"ok": 1}))  # a 2xx without StateCode confirms nothing
    adapter = build_adapter(site_uplink(proxy.url("/api/crane/alarm")))
    with pytest.raises(TransientFailure, match="no StateCode"):
        await adapter.send(make_event())
    await adapter.close()
    assert accepted == []


async def test_outbox_delivers_each_event_once_after_errors(tmp_path: Path, platform: Factory) -> None:
    accepted: list[dict[str, object]] = []
    server = platform(down_first(dongguan_platform(TOKEN, accepted), 2, 503))  # down for two requests
    events = await deliver_through_outbox(tmp_path, site_uplink(server.url("/api/crane/alarm")), server)
    assert sorted(str(r["eventId"]) for r in accepted) == sorted(e.event_id for e in events)


async def test_a_worsening_overload_is_another_record_with_its_worst_figures(
    tmp_path: Path, platform: Factory
) -> None:
    # Dongguan's facts give no alarm-update message: the update is another CWRService-style record
    accepted: list[dict[str, object]] = []
    server = platform(dongguan_platform(TOKEN, accepted))
    events = await deliver_worsening(tmp_path, site_uplink(server.url("/api/crane/alarm")))
    check_worsening_records([r | {"_id": r["eventId"]} for r in accepted], [e.event_id for e in events])
    assert accepted[1]["deviceNo"] == "TC-441900-0007"
