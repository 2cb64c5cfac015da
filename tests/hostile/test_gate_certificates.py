"""Certified hands at the gate through the real parts (issue 51 §4, standards.md §19): `sitegw run` on the
reference site's gate, passages published to a real Mosquitto as the access gate publishes them, the alerts
read over the gateway's HTTP API as the dashboard reads them. SG-02, booked as a signalman, holds a certificate
that expired on 2026-09-30; EL-01, an electrician, one valid for years."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.drivers.mqtt.conftest import publish
from tests.hostile.gateway import PROJECT, RunningGateway, mqtt_site
from tests.servers.mosquitto import MosquittoServer

pytestmark = pytest.mark.slow  # a gateway subprocess

GATE = f"sitegw/{PROJECT}/gate-1/passages"


def passage(person: str, direction: str) -> tuple[str, str]:
    return GATE, json.dumps({"ts": time.time(), "person_id": person, "direction": direction, "gate": "东门"})


def far_valid(data: dict[str, Any]) -> None:
    for op in data["operators"]:
        if op["id"] == "EL-01":
            op["valid_until"] = "2099-12-31"  # well outside the renewal window whenever this runs


def alerts(url: str, state: str) -> list[dict[str, Any]]:
    got = httpx.get(url + "/api/v1/alerts", params={"rule": "personnel.trade_certificate", "state": state})
    assert got.status_code == 200, got.text
    return list(got.json())


def wait_for(what: str, check: Any, gw: RunningGateway, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, f"{what}:\n{gw.log()[-3000:]}"
        time.sleep(0.2)
    return found


def test_an_expired_signalman_entering_is_critical_until_they_leave(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    gw = RunningGateway(mqtt_site(tmp_path / "site", mosquitto.port, far_valid), tmp_path / "state")
    try:
        gw.wait_for_log("subscribed to")
        gw.wait_for_log("dashboard http")
        url = re.search(r"dashboard (http://\S+)", gw.log()).group(1).rstrip("/")  # type: ignore[union-attr]
        publish(mosquitto.port, [passage("EL-01", "in"), passage("SG-02", "in")])
        [alert] = wait_for("SG-02's alert", lambda: alerts(url, "firing"), gw)
        assert alert["point"] == "SG-02" and alert["level"] == "critical" and alert["device"] == "gate-1"
        assert alert["message"].startswith(
            "特种作业人员 吴振华（SG-02，建筑起重司索信号工(04)）经东门实名制闸机进场"
        )
        assert "已于 2026-09-30 过期" in alert["message"] and "禁止其进场从事该特种作业" in alert["message"]
        assert "第四条(三)" in alert["clause"]
        publish(mosquitto.port, [passage("SG-02", "out")])
        [gone] = wait_for("SG-02's alert resolved", lambda: alerts(url, "resolved"), gw)
        assert gone["point"] == "SG-02" and alerts(url, "firing") == []  # EL-01's certificate raised nothing
    finally:
        gw.stop()
