"""The Shenzhen 工务署 device API (docs/standards.md §4): the signature of fixed inputs as a digest computed by
hand, and a stand-in platform (a real HTTP server; the platform cannot be reached from here) that checks
each request as the facts describe it: the signed query, the fields of /crane/addRecord and /crane/warning.
Alerts go through the outbox, per-minute records from the local store through the records sender."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest

from contract.config import load_site
from contract.config.sinks import LocalStoreConfig
from contract.config.uplinks import SzGwsUplink
from contract.readings import Reading
from gateway.outbox import Outbox
from gateway.store.local import LocalStore
from gateway.store.local_query import HistoryReader
from gateway.uplinks import build_adapter, build_record_sink
from gateway.uplinks.crane_records import CraneRecordSender
from gateway.uplinks.md5_query import signed_query
from gateway.uplinks.periodic import UplinkRetry
from gateway.uplinks.positions import ReadPositions
from gateway.uplinks.szgws import gws_params
from tests.regulator.support import PROJECT, make_event
from tests.support import free_port
from tests.uplinks.cwr_platform import SITE_TIME, deliver_worsening, down_first, md5_upper, refuse
from tests.uplinks.feedback_site import raise_alert
from tests.uplinks.platform import PlatformServer, Request
from tests.uplinks.test_feedback import gateway, until

Factory = Callable[[Callable[[Request], tuple[int, object]]], PlatformServer]
SECRET = "gws-secret"
KEYS = {"api_key", "api_version", "eng_code", "project_code", "timestamp", "signature"}
RECORD = {"device_no", "runtime", "load", "load_ratio", "moment", "moment_ratio", "range", "height",
          "wind_speed", "collision_warn", "wind_warn"}  # fmt: skip
WARNING = RECORD | {"magnification", "sensor_status", "region_limit_warn_status"}


def uplink(base_url: str, secret: str = SECRET, **kw: object) -> SzGwsUplink:
    return SzGwsUplink.model_validate(
        {"name": "gws", "base_url": base_url, "api_key": "GWS-K1", "secret": secret, "eng_code": "ENG-2026-007",
         "project_code": "SZGWS-P-0042", "device_numbers": {"crane-1": "TC-1"}, "backoff_initial_s": 0.05,
         "backoff_max_s": 0.2, **kw}
    )  # fmt: skip


def test_signature_of_fixed_inputs_is_the_one_worked_out_by_hand() -> None:
    # printf '%s' 'gws-secretapi_keyGWS-K1api_version1.1body{"device_no":"TC-1","load":2920}eng_codeENG-2026-007
    # project_codeSZGWS-P-0042timestamp2026-09-21 22:13:20gws-secret' | md5sum   (one line, upper-cased)
    params = gws_params(uplink("http://x"), 1_790_000_000.0)
    query = signed_query(SECRET, params, '{"device_no":"TC-1","load":2920}')
    assert query["signature"] == "32CD021914C91695C0D390A5F312182B"
    assert set(query) == KEYS and query["timestamp"] == "2026-09-21 22:13:20"


def gws_platform(
    secret: str, accepted: list[tuple[str, dict[str, object]]], prefix: str = ""
) -> Callable[[Request], tuple[int, object]]:
    """The platform's check and reply: keys, site time, signature over the name-value pairs, fields by path
    (the API's methods under ``prefix``)."""

    def answer(req: Request) -> tuple[int, object]:
        q = req.query
        why = refuse(req, KEYS)
        if why is None:
            text = (
                secret
                + "api_key" + q["api_key"]
                + "api_version" + q["api_version"]
                + "body" + req.body.decode()
                + "eng_code" + q["eng_code"]
                + "project_code" + q["project_code"]
                + "timestamp" + q["timestamp"]
                + secret
            )  # fmt: skip
            if q["signature"] != md5_upper(text):
                why = "签名错误 signature mismatch"
        record = req.json()
        assert isinstance(record, dict)
        method = req.path.removeprefix(prefix)
        need = {"/crane/addRecord": RECORD, "/crane/warning": WARNING}.get(method)
        if why is None and need is None:
            return 404, {"result": False, "detail_message": f"no method {req.path}"}
        if why is None and need is not None and not need <= set(record):
            why = f"missing fields {sorted(need - set(record))}"
        if why is not None:
            return 200, {"result": False, "detail_message": why}
        accepted.append((method, record))
        return 200, {"result": True, "detail_message": "成功"}

    return answer


async def test_alerts_go_to_crane_warning_once_through_the_outbox(tmp_path: Path, platform: Factory) -> None:
    accepted: list[tuple[str, dict[str, object]]] = []
    server = platform(down_first(gws_platform(SECRET, accepted, prefix="/gws"), 1, 502))
    outbox = Outbox(tmp_path, [uplink(server.url("/gws"))])
    await outbox.start()
    try:
        zone = make_event("z1", rule="crane.zone", level="critical", details={"reeving": 2.0})
        load = make_event(
            "l1", details={"load_t": 2.92, "rated_load_t": 2.85, "radius_m": 30.0, "moment_pct": 102.5}
        )
        for e in (zone, load):
            assert outbox.on_event(e)
        assert await outbox.drained(20)
    finally:
        await outbox.stop()
    assert len(accepted) == 2 and len(server.requests) == 3
    by_serial = {r["serial_no"]: r for path, r in accepted if path == "/crane/warning"}
    z, ld = by_serial[zone.event_id], by_serial[load.event_id]
    assert z["region_limit_warn_status"] == 3 and z["magnification"] == 2.0 and z["load_warn"] == 0
    assert ld["load"] == 2920 and ld["load_ratio"] == 102.5 and ld["moment"] == 87.6
    assert ld["load_warn"] == 2 and ld["moment_ratio"] == 102.5 and ld["device_no"] == "TC-1"
    assert ld["is_resend"] == 0 and ld["runtime"] == time.strftime(
        "%Y-%m-%d %H:%M:%S", time.gmtime(load.ts + 8 * 3600)
    )


async def test_a_wrong_secret_is_refused_with_the_platforms_reason(platform: Factory) -> None:
    server = platform(gws_platform(SECRET, []))
    adapter = build_adapter(uplink(server.url(""), secret="other"))
    with pytest.raises(Exception, match="signature mismatch"):
        await adapter.send(make_event())
    await adapter.close()


@asynccontextmanager
async def crane_store(
    folder: Path, minutes: list[int], late_for: tuple[str, ...] = ()
) -> AsyncIterator[tuple[LocalStore, float]]:
    """A running local store (a gateway's history.sqlite in ``folder``, marking late minutes for the uplinks
    ``late_for``) holding `crane_readings` of ``minutes`` back from the current minute; and that minute."""
    now = math.floor(time.time() / 60) * 60.0
    store = LocalStore(folder / "history.sqlite", LocalStoreConfig(), late_for=late_for)
    await asyncio.to_thread(store.start)
    try:
        store.add(crane_readings(now, minutes))
        assert await asyncio.to_thread(store.flush)
        yield store, now
    finally:
        await asyncio.to_thread(store.stop)


async def stored_crane(folder: Path, minutes: list[int]) -> tuple[HistoryReader, float]:
    """`crane_readings` of ``minutes`` back from the current minute, in ``folder``'s local store, stopped (as a
    gateway's that will read it); its reader and the current minute."""
    async with crane_store(folder, minutes) as (store, now):
        pass
    return store.reader, now


def crane_readings(now: float, minutes: list[int]) -> list[Reading]:
    """crane-1's load (two per minute, the peak second), radius and wind, ``minutes`` back from ``now``."""
    out: list[Reading] = []
    for k in minutes:
        m = now - 60 * k
        out += [
            Reading(m + 5, PROJECT, "crane-1", "load_t", 1.0, "t"),
            Reading(m + 30, PROJECT, "crane-1", "load_t", 2.6 + k / 100, "t"),
            Reading(m + 30, PROJECT, "crane-1", "rated_load_t", 2.85, "t"),
            Reading(m + 30, PROJECT, "crane-1", "radius_m", 30.0, "m"),
            Reading(m + 30, PROJECT, "crane-1", "moment_pct", 91.0, "%"),
            Reading(m + 31, PROJECT, "anemo-1", "wind_ms", 14.2, "m/s"),
            Reading(m + 32, PROJECT, "pit-1", "disp_h_mm", 3.0, "mm"),  # not a crane: never a crane record
        ]
    return out


async def test_crane_minutes_go_to_add_record_once_with_backfill_after_an_outage(
    tmp_path: Path, platform: Factory
) -> None:
    accepted: list[tuple[str, dict[str, object]]] = []
    check = gws_platform(SECRET, accepted)
    down = {"on": True}
    server = platform(lambda req: (503, {"result": False}) if down["on"] else check(req))
    cfg = uplink(server.url(""))
    cursors = ReadPositions(tmp_path / "uplink_positions.sqlite")
    sink = build_record_sink(cfg)
    sources = {"crane-1": ("crane-1",), "anemo-1": ("crane-1",)}
    # two minutes from an outage 40 min ago, one just closed
    async with crane_store(tmp_path, [40, 39, 3], late_for=(cfg.name,)) as (store, now):
        sender = CraneRecordSender(cfg, sink, store.reader, store, cursors, sources, backfill_after_s=60)
        with pytest.raises(UplinkRetry, match=r"crane record of crane-1.*HTTP 503"):
            await sender.catch_up()
        down["on"] = False
        assert await sender.catch_up() == 3
        assert await sender.catch_up() == 0  # nothing new: nothing sent again
    await sink.close()
    cursors.close()
    records = [r for path, r in accepted if path == "/crane/addRecord"]
    runtimes = [str(r["runtime"]) for r in records]
    assert runtimes == [
        datetime.fromtimestamp(now - 60 * k, SITE_TIME).strftime("%Y-%m-%d %H:%M:%S") for k in (40, 39, 3)
    ]
    assert [r["is_resend"] for r in records] == [1, 1, 0]
    first = records[0]
    assert first["load"] == 3000 and first["load_ratio"] == round(100 * 3.0 / 2.85, 1)
    assert first["load_warn"] == 2 and first["moment_warn"] == 1 and first["wind_warn"] == 2
    assert first["wind_speed"] == 14.2 and first["range"] == 30.0 and first["device_no"] == "TC-1"


async def test_a_site_file_selects_the_dialect_for_alerts_and_records(
    tmp_path: Path, platform: Factory
) -> None:
    """The gateway as a site runs it: the szgws uplink of the site file gets the crane's minutes from the
    local store and its alert through the outbox."""
    accepted: list[tuple[str, dict[str, object]]] = []
    server = platform(gws_platform(SECRET, accepted))
    state = tmp_path / "state"
    state.mkdir()
    await stored_crane(state, [5, 4])  # the gateway reads them from its state folder
    path = tmp_path / "site.yaml"
    path.write_text(
        f"""\
project: {{code: {PROJECT}}}
devices:
  - id: crane-1
    kind: crane
    profile: tower_crane_blackbox
    transport: {{type: modbus_tcp, host: 127.0.0.1, port: {free_port()}}}
    crane: {{position_m: [0, 0], jib_m: 50, counter_jib_m: 10, jib_height_m: 40,
             load_chart: [{{radius_m: 2.5, rated_t: 6}}, {{radius_m: 50, rated_t: 1.3}}]}}
uplinks:
  - {{type: szgws, name: gws, base_url: "{server.url("")}", api_key: GWS-K1, secret: {SECRET},
     eng_code: ENG-2026-007, project_code: SZGWS-P-0042, records_every_s: 0.3,
     device_numbers: {{crane-1: TC-1}}, backoff_initial_s: 0.1, backoff_max_s: 1}}
api: {{host: 127.0.0.1, port: 0}}
""",
        encoding="utf-8",
    )
    async with gateway(load_site(path), state) as gw:
        raise_alert(gw, "crane-1")

        async def both() -> bool:
            paths = [p for p, _ in accepted]
            return paths.count("/crane/addRecord") == 2 and "/crane/warning" in paths

        await until(both, "two crane records and the alert at the platform")
    records = [r for p, r in accepted if p == "/crane/addRecord"]
    assert [r["device_no"] for r in records] == ["TC-1", "TC-1"] and [r["is_resend"] for r in records] == [
        1,
        1,
    ]
    [warning] = [r for p, r in accepted if p == "/crane/warning"]
    assert warning["device_no"] == "TC-1" and warning["load_warn"] == 2


async def test_records_refused_before_any_was_taken_wait_for_the_setting(
    tmp_path: Path, platform: Factory
) -> None:
    """A wrong secret refuses every record alike: none is skipped; once it is fixed, all go."""
    accepted: list[tuple[str, dict[str, object]]] = []
    platform_secret = {"now": SECRET}
    server = platform(lambda req: gws_platform(platform_secret["now"], accepted)(req))
    cfg = uplink(server.url(""), secret="typo")
    cursors = ReadPositions(tmp_path / "uplink_positions.sqlite")
    sink = build_record_sink(cfg)
    async with crane_store(tmp_path, [10, 9], late_for=(cfg.name,)) as (store, _):
        sources = {"crane-1": ("crane-1",)}
        sender = CraneRecordSender(cfg, sink, store.reader, store, cursors, sources, backfill_after_s=60)
        for _ in range(2):
            with pytest.raises(
                UplinkRetry, match=r"refused the first crane record.*signature mismatch"
            ) as err:
                await sender.catch_up()
            assert err.value.refused
        platform_secret["now"] = "typo"  # the site's secret was the platform's after all (re-registered)
        assert await sender.catch_up() == 2
    await sink.close()
    cursors.close()
    assert len(accepted) == 2


async def test_readings_that_come_after_their_minute_was_sent_go_again_as_backfill(
    tmp_path: Path, platform: Factory
) -> None:
    """A crane box uploads its buffer after a 4G outage: readings of a minute already sent reach the store.
    The next catch-up sends that crane's record of the minute again, the late peak in it, flagged 补传."""
    accepted: list[tuple[str, dict[str, object]]] = []
    server = platform(gws_platform(SECRET, accepted))
    cfg = uplink(server.url(""))
    cursors = ReadPositions(tmp_path / "uplink_positions.sqlite")
    sink = build_record_sink(cfg)
    sources = {"crane-1": ("crane-1",), "anemo-1": ("crane-1",)}
    async with crane_store(tmp_path, [3, 2], late_for=(cfg.name,)) as (store, now):  # sent in time
        sender = CraneRecordSender(cfg, sink, store.reader, store, cursors, sources, backfill_after_s=600)
        assert await sender.catch_up() == 2
        minute = now - 60 * 3
        store.add([Reading(minute + 50, PROJECT, "crane-1", "load_t", 3.4, "t")])  # the buffer's peak
        store.add([Reading(minute + 51, PROJECT, "pit-1", "disp_h_mm", 3.1, "mm")])  # late, but no crane's
        assert await asyncio.to_thread(store.flush)
        assert await sender.catch_up() == 1
        assert await sender.catch_up() == 0  # its marks are gone: sent once
    await sink.close()
    cursors.close()
    records = [r for path, r in accepted if path == "/crane/addRecord"]
    assert [(r["runtime"], r["load"], r["is_resend"]) for r in records] == [
        (datetime.fromtimestamp(minute, SITE_TIME).strftime("%Y-%m-%d %H:%M:%S"), 2630, 0),
        (datetime.fromtimestamp(now - 120, SITE_TIME).strftime("%Y-%m-%d %H:%M:%S"), 2620, 0),
        (datetime.fromtimestamp(minute, SITE_TIME).strftime("%Y-%m-%d %H:%M:%S"), 3400, 1),
    ]
    assert (
        records[2]["range"] == 30.0 and records[2]["wind_speed"] == 14.2
    )  # the whole minute, not the late one


async def test_a_worsening_overload_is_another_crane_warning_with_its_worst_figures(
    tmp_path: Path, platform: Factory
) -> None:
    # the API's facts list /crane/warning only, no update message: the update is another warning record
    accepted: list[tuple[str, dict[str, object]]] = []
    server = platform(gws_platform(SECRET, accepted))
    firing, update = await deliver_worsening(tmp_path, uplink(server.url("")))
    warnings = [r for path, r in accepted if path == "/crane/warning"]
    assert [
        (r["serial_no"], r["warn_state"], r["load"], r["load_ratio"], r["load_warn"]) for r in warnings
    ] == [
        (firing.event_id, "firing", 3192, 112.0, 3),
        (update.event_id, "updated", 3534, 124.0, 3),
    ]
    assert warnings[1]["runtime"] == "2026-09-21 22:14:50" and warnings[1]["device_no"] == "TC-1"
