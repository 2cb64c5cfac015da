"""No configured secret ever reaches a log line or a state file (issue #19).

The real gateway (`sitegw run`, at DEBUG) runs a site whose every credential comes from ${ENV}: the
regulator's signing secret (a real `sitegw regulator serve` receives the signed alerts), the MQTT
broker's and the MQTT uplink's passwords, an InfluxDB token and a DingTalk robot's access token and
signing secret (those two pointed at closed ports, so their failures are logged over and over), a
supervisor's password and an API token (used on the API, in the header and as ?access_token=). A
hazard is raised and delivered. Then every line of both services' logs and every byte of every file
in the state folder (SQLite databases and their journals included) is searched for every secret.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from regulator.storage.repository import Repository
from tests.drivers.mqtt.conftest import publish
from tests.hostile.gateway import PROJECT, REPO, RunningGateway, mqtt_site, sitegw
from tests.servers.mosquitto import MosquittoServer
from tests.support import free_port, wait_port


def test_no_secret_in_any_log_line_or_state_file(tmp_path: Path, mosquitto: MosquittoServer) -> None:
    secret = {
        name: f"{name.lower().replace('_', '-')}-{secrets.token_hex(8)}"
        for name in (
            "REGULATOR_SECRET",
            "SITEGW_MQTT_PASSWORD",
            "MQTT_UPLINK_PASSWORD",
            "INFLUX_TOKEN",
            "DINGTALK_TOKEN",
            "DINGTALK_SECRET",
            "SUPERVISOR_PASSWORD",
        )
    }
    state = tmp_path / "state"
    # the receiver: the project registered with its secret, then served (its log is searched too)
    db = f"sqlite:///{tmp_path / 'regulator.sqlite'}"
    register = ["regulator", "add-project", PROJECT, *["--name", "demo", "--city", "深圳", "--db"], db]
    sitegw(*register, "--secret", secret["REGULATOR_SECRET"])
    reg_port, closed = free_port(), free_port()
    reg_log = (tmp_path / "regulator.log").open("w")
    receiver = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitegw.cli",
            "--log-level",
            "DEBUG",
            "regulator",
            "serve",
            "--port",
            str(reg_port),
            "--db",
            db,
        ],
        cwd=REPO,
        stdout=reg_log,
        stderr=subprocess.STDOUT,
    )
    # a supervisor and an API token in the gateway's user store
    sitegw(
        "users",
        "add",
        "zhang.wei",
        "--role",
        "supervisor",
        "--state-dir",
        str(state),
        env={"SITEGW_PASSWORD": secret["SUPERVISOR_PASSWORD"]},
    )
    api_token = sitegw(
        "users", "token", "wall-screen", "--role", "viewer", "--state-dir", str(state)
    ).stdout.strip()

    def credentials(data: dict[str, Any]) -> None:
        data["mqtt_brokers"]["site"] |= {"username": "gw", "password": "${SITEGW_MQTT_PASSWORD}"}
        data["influx"] = {
            "url": f"http://127.0.0.1:{closed}",
            "api": "v2",
            "org": "site",
            "bucket": "sitegw",
            "token": "${INFLUX_TOKEN}",
        }
        data["uplinks"] = [
            {
                "type": "regulator",
                "base_url": f"http://127.0.0.1:{reg_port}",
                "secret": "${REGULATOR_SECRET}",
                "heartbeat_s": 5,
                "feedback_every_s": 1,
                "summary_every_s": 1,
            },
            {
                "type": "dingtalk",
                "name": "ding",
                "webhook": f"http://127.0.0.1:{closed}/robot/send?access_token=${{DINGTALK_TOKEN}}",
                "secret": "${DINGTALK_SECRET}",
            },
            {
                "type": "mqtt",
                "name": "mq",
                "host": "127.0.0.1",
                "port": mosquitto.port,
                "username": "uplink",
                "password": "${MQTT_UPLINK_PASSWORD}",
            },
        ]

    site = mqtt_site(tmp_path / "site", mosquitto.port, credentials)
    env = {k: v for k, v in secret.items() if k != "SUPERVISOR_PASSWORD"}
    gw = RunningGateway(site, state, env, log_level="DEBUG")
    tokens = [api_token]
    try:
        wait_port(reg_port, timeout=30)
        gw.wait_for_log("subscribed to")
        gw.wait_for_log("dashboard http")
        url = re.search(r"dashboard (http://\S+)", gw.log()).group(1).rstrip("/")  # type: ignore[union-attr]
        with httpx.Client(base_url=url, timeout=10) as api:
            login = api.post(
                "/api/v1/auth/login",
                json={"username": "zhang.wei", "password": secret["SUPERVISOR_PASSWORD"]},
            )
            assert login.status_code == 200, login.text
            tokens.append(login.json()["token"])
            assert (
                api.get("/api/v1/alerts", headers={"Authorization": f"Bearer {tokens[1]}"}).status_code == 200
            )
            assert api.get("/api/v1/site", params={"access_token": api_token}).status_code == 200
            wrong = api.post(
                "/api/v1/auth/login",
                json={"username": "zhang.wei", "password": secret["SUPERVISOR_PASSWORD"] + "x"},
            )
            assert wrong.status_code == 401
        # a wall-top displacement far past its alarm value: an alert, delivered signed to the receiver
        now = time.time()
        hazard = json.dumps({"ts": now, "disp_h_mm": 95.0})
        publish(mosquitto.port, [(f"sitegw/{PROJECT}/pit-1/points/ZQS-01/data", hazard)])
        deadline = time.monotonic() + 60
        while not Repository(db).events(PROJECT):
            assert time.monotonic() < deadline, f"no event reached the receiver:\n{gw.log()[-4000:]}"
            time.sleep(0.5)
        time.sleep(5)  # heartbeats, feedback polls, summaries, and the failing InfluxDB and robot retry
    finally:
        status = gw.stop()
        receiver.terminate()
        receiver.wait(30)
        reg_log.close()
    assert status == 0, gw.log()[-3000:]
    log = gw.log()
    # the failures that could carry a credential were really logged: the search below means something
    assert "ding" in log and "influx" in log.lower(), log[-3000:]
    searched = {"gateway log": log.encode(), "regulator log": (tmp_path / "regulator.log").read_bytes()}
    searched["site file"] = site.read_bytes()
    searched |= {str(p.relative_to(state)): p.read_bytes() for p in sorted(state.rglob("*")) if p.is_file()}
    assert "history.sqlite" in searched and "alerts.sqlite" in searched and "users.sqlite" in searched
    leaks = [
        f"{what} holds {name}"
        for what, content in searched.items()
        for name, value in [*secret.items(), *(("API token", t) for t in tokens)]
        if value.encode() in content
    ]
    assert not leaks, leaks
