"""An authority's warning signal reaches every site of its jurisdiction and comes back acknowledged (issue #39
part 3), end to end: a real regulator on PostgreSQL and a real gateway (its API, rules, sirens on a real Modbus
relay, the example site's crane-1 on a simulated black box over Modbus TCP, outbox and feedback poller over
HTTP).

A city regulator of 深圳 issues a red gale warning through the regulator's API; the gateway's next poll puts it on
its board (source regulator: the dashboard's banner reads it from ``/api/v1/warnings``), the weather.warning
alert fires critical and the site's siren for it sounds; the regulator sees the site received it. A supervisor
acknowledges it on the gateway and the regulator sees who and when. The crane, lifting on through the stop the warning
holds, raises weather.work (冒险作业 第十五条(二)), which reaches the regulator as a hazard listed on the warning's
page with its reading. Lifted (解除) by the city, the warning leaves the site's board and the siren stops. A warning of 广州 never reaches the 深圳 site,
and neither city may issue for, or read, the other's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from contract.config import LoadedSite, load_site
from drivers.simulators.modbus_sims import CraneSimulatorServer
from drivers.simulators.relay import RelaySimulator
from gateway.api.auth_store import AuthStore
from regulator.access.auth import Accounts
from regulator.server import RegulatorServer
from tests.regulator.inspector import CHEAP, PASSWORD
from tests.regulator.support import PROJECT, SECRET, pg_database
from tests.rules.sites import REFERENCE as EXAMPLE
from tests.support import free_port
from tests.uplinks.test_feedback import gateway, until

SUPERVISOR, SITE_PASSWORD = "super1", "correct-horse-9"
GZ_PROJECT = "GD-GZ-2026-0009"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


def site(tmp_path: Path, base_url: str, relay_port: int, crane_port: int) -> LoadedSite:
    """The example site's crane-1 on a simulated black box; a regulator uplink polling fast; the siren that
    follows weather.warning from orange up."""
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    [crane] = [d for d in example["devices"] if d["id"] == "crane-1"]
    crane["transport"] = {"type": "modbus_tcp", "host": "127.0.0.1", "port": crane_port, "unit_id": 1}
    crane.pop("papers", None)
    data = {
        "project": {"code": PROJECT, "name": "示范项目", "city": "深圳"},
        "operators": example["operators"],
        "devices": [crane],
        "uplinks": [
            {
                "type": "regulator",
                "name": "sz",
                "base_url": base_url,
                "secret": SECRET,
                "feedback_every_s": 0.3,
                "backoff_initial_s": 0.1,
                "backoff_max_s": 1,
                "timeout_s": 2,
            }
        ],
        "sirens": [
            {
                "name": "siren-weather",
                "label": "项目部气象预警声光报警器",
                "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": relay_port, "unit_id": 1},
                "coil": 0,
                "rules": ["weather.warning"],
                "min_level": "alarm",
                "off_on": "resolved",
            }
        ],
        "api": {"host": "127.0.0.1", "port": 0},
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_site(path)


async def signed_in(server: RegulatorServer, user: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.base_url, timeout=10)
    r = await client.post("/ui/api/login", json={"username": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client


@pytest.mark.timeout(120)
async def test_a_city_warning_reaches_its_site_sounds_the_siren_and_comes_back_acknowledged(
    pg_url: str, tmp_path: Path
) -> None:
    server = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
    server.repo.add_project(GZ_PROJECT, "广州项目", "广州", "another-secret-9", "天河区")
    accounts = Accounts(server.repo, CHEAP)
    accounts.add_user("sz", PASSWORD, "regulator", jurisdiction="广东省/深圳市")
    accounts.add_user("gz", PASSWORD, "regulator", jurisdiction="广东省/广州市")
    await server.start()
    relay = RelaySimulator()
    await relay.start()
    loaded_example = load_site(EXAMPLE)
    spec = loaded_example.config.device("crane-1").crane  # type: ignore[attr-defined]  # a kind's extra section
    crane_map = loaded_example.profiles["tower_crane_blackbox"].modbus
    assert spec is not None and crane_map is not None
    crane_port = free_port()
    state = tmp_path / "state"
    state.mkdir()
    users = AuthStore(state / "users.sqlite")
    users.add_user(SUPERVISOR, "supervisor", SITE_PASSWORD, replace=True)
    users.close()
    sz, gz = await signed_in(server, "sz"), await signed_in(server, "gz")
    try:
        async with (
            CraneSimulatorServer(spec, crane_map, tcp=("127.0.0.1", crane_port)),
            gateway(site(tmp_path, server.base_url, relay.port, crane_port), state) as gw,
            httpx.AsyncClient(base_url=gw.url or "", timeout=10) as site_api,
        ):
            # 广州's warning, and 深圳 may not issue one for 广州
            r = await gz.post("/ui/api/weather-warnings", json={"type": "gale", "colour": "red"})
            assert r.status_code == 200, r.text
            gz_warning = r.json()
            assert gz_warning["jurisdiction"] == "广东省/广州市" and gz_warning["sites"] == 1
            r = await sz.post(
                "/ui/api/weather-warnings",
                json={"type": "gale", "colour": "red", "jurisdiction": "广东省/广州市"},
            )
            assert r.status_code == 403, r.text
            r = await sz.post("/ui/api/weather-warnings", json={"type": "lightning", "colour": "blue"})
            assert r.status_code == 422 and "lightning" in r.text, r.text  # 雷电 has no blue

            until_ = datetime.now(UTC) + timedelta(hours=2)
            r = await sz.post(
                "/ui/api/weather-warnings",
                json={"type": "gale", "colour": "red", "valid_to": until_.isoformat()},
            )
            assert r.status_code == 200, r.text
            issued = r.json()
            assert issued["title"] == "大风红色预警" and issued["jurisdiction"] == "广东省/深圳市"
            assert issued["measure"] == "停止一切户外作业，人员撤至避风场所"  # §12's default for red wind
            assert [s["project"] for s in issued["site_list"]] == [PROJECT]
            assert issued["site_list"][0]["received_at"] is None

            async def on_board() -> list[dict[str, Any]]:
                r = await site_api.get("/api/v1/warnings?active=true")
                assert r.status_code == 200, r.text
                return [w for w in r.json() if w["source"] == "regulator"]

            [signal] = await until(on_board, "the regulator's warning on the gateway's board")
            assert signal["id"] == f"sz:{issued['id']}" and (signal["type"], signal["colour"]) == (
                "gale",
                "red",
            )
            assert signal["measure"] == issued["measure"] and "lifting" in signal["stops"]
            assert abs(datetime.fromisoformat(signal["valid_to"]).timestamp() - until_.timestamp()) < 1

            async def siren_on() -> bool:
                return (await relay.coils())[0] is True

            await until(siren_on, "the weather siren's coil on")
            [alert] = [
                a for a in gw.monitor.alerts.list_alerts(rule="weather.warning") if a.state == "firing"
            ]
            assert alert.level == "critical"

            async def received() -> dict[str, Any] | None:
                w = (await sz.get(f"/ui/api/weather-warnings/{issued['id']}")).json()
                return w if w["received"] == 1 else None

            seen = await until(received, "the site's receipt at the regulator")
            assert seen["site_list"][0]["acked_at"] is None

            # the supervisor acknowledges it on the dashboard
            path = f"/api/v1/warnings/{signal['id']}/ack"
            assert (await site_api.post(path)).status_code == 401
            login = await site_api.post(
                "/api/v1/auth/login", json={"username": SUPERVISOR, "password": SITE_PASSWORD}
            )
            auth = {"Authorization": "Bearer " + login.json()["token"]}
            before = time.time()
            r = await site_api.post(path, headers=auth)
            assert r.status_code == 200 and r.json()["acked_by"] == SUPERVISOR, r.text
            assert (await site_api.post(path, headers=auth)).status_code == 409  # once

            async def acknowledged() -> dict[str, Any] | None:
                w = (await sz.get(f"/ui/api/weather-warnings/{issued['id']}")).json()
                return w if w["acknowledged"] == 1 else None

            acked = (await until(acknowledged, "the acknowledgement at the regulator"))["site_list"][0]
            assert acked["acked_by"] == SUPERVISOR and before <= acked["acked_at"] <= time.time()

            # the crane kept lifting during the stop (冒险作业): its hazard on the warning's page
            async def lifting_in_the_stop() -> str | None:
                found = [a for a in gw.monitor.alerts.list_alerts(rule="weather.work") if a.state == "firing"]
                return found[0].alert_id if found else None

            alert_id = await until(lifting_in_the_stop, "crane-1's weather.work alert", timeout=60)

            async def hazard() -> int | None:
                return server.review.hazard_for_alert(PROJECT, alert_id)

            hazard_id = await until(hazard, "the weather.work hazard at the regulator")
            page = (await sz.get(f"/ui/api/weather-warnings/{issued['id']}")).json()
            assert page["kept_working"] == 1
            [kept] = page["kept_working_list"]
            assert kept["hazard_id"] == hazard_id and kept["device"] == "crane-1"
            assert kept["link"] == f"/#hazard={hazard_id}" and kept["level"] == "critical"
            assert "第十五条(二)" in kept["clause"] and "大风红色预警" in kept["message"], kept

            # 广州's warning never reached the 深圳 site; neither city reads the other's
            assert [w["id"] for w in await on_board()] == [signal["id"]]
            assert (await sz.get(f"/ui/api/weather-warnings/{gz_warning['id']}")).status_code == 404
            assert (await gz.get(f"/ui/api/weather-warnings/{issued['id']}")).status_code == 404
            listed = (await gz.get("/ui/api/weather-warnings")).json()["warnings"]
            assert [w["id"] for w in listed] == [gz_warning["id"]] and listed[0]["received"] == 0

            # lifted (解除) by 深圳, not by 广州: the next poll clears it on the site and the siren stops
            assert (await gz.post(f"/ui/api/weather-warnings/{issued['id']}/lift")).status_code == 404
            r = await sz.post(f"/ui/api/weather-warnings/{issued['id']}/lift")
            assert r.status_code == 200 and not r.json()["in_force"], r.text

            async def lifted() -> bool:
                return await on_board() == []

            await until(lifted, "the lifted warning off the gateway's active signals")

            async def siren_off() -> bool:
                return (await relay.coils())[0] is False

            await until(siren_off, "the weather siren's coil off")
            assert (await sz.post(f"/ui/api/weather-warnings/{issued['id']}/lift")).status_code == 409
    finally:
        await sz.aclose()
        await gz.aclose()
        await relay.stop()
        await server.stop()
