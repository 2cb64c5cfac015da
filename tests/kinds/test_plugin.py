"""The plug-in promise: a device kind declared outside sitegw's packages is loaded from a site file,
simulated, judged, replayed, warmed up, summarised, shown by the API, on its own dashboard card and on the
site plan (the plug-in's card.py and card.js: its data, drawing, style and plan layer), and named by the
regulator, with no file of sitegw edited.

The kind is tests/kinds/plugin/scaffold_kind (a climbing scaffold's load monitor), installed here as a third
party ships one: a package on the path with a ``sitegw.kinds`` entry point in its metadata. Every step runs
the real CLI in processes of their own (the test process never loads the plug-in, so no other test sees
it): `sitegw check-config`, `sitegw simulate scaffold` (a Modbus TCP server), `sitegw run` (the gateway,
its API and its uplink), `sitegw regulator serve` (the receiver and its review UI), `sitegw replay`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Page, expect

from contract.kinds import registry
from contract.wire import READINGS_PATH
from tests.regulator.support import signed
from tests.servers.browser import browser, page  # noqa: F401  (pytest fixtures: the dashboard in Chromium)
from tests.support import free_port, wait_port

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(__file__).resolve().parent / "plugin" / "scaffold_kind"
PROJECT = "GD-SZ-2026-0099"
SECRET = "plugin-test-secret-0123456789"
PASSWORD = "plugin-test-pass"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a machine where the scaffold plug-in is installed."""
    root = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(PLUGIN, root / "scaffold_kind")
    dist = root / "scaffold_kind-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: scaffold-kind\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[sitegw.kinds]\nscaffold = scaffold_kind\n")
    return os.environ | {"PYTHONPATH": os.pathsep.join([str(root), str(REPO)]), "REGULATOR_SECRET": SECRET}


def sitegw(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "--log-level", "WARNING", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def background(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sitegw.cli", "--log-level", "WARNING", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return proc.stdout.read() if proc.stdout else ""


def write_site(tmp_path: Path, modbus_port: int, api_port: int, regulator_port: int) -> Path:
    site = {
        "project": {"code": PROJECT, "name": "插件测试项目", "city": "深圳", "district": "南山区"},
        "profiles_dir": str(PLUGIN / "profiles"),
        "devices": [
            {
                "id": "scaffold-1",
                "name": "1号爬架",
                "kind": "scaffold",
                "profile": "scaffold_monitor",
                "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": modbus_port, "unit_id": 1},
                "poll_interval_s": 1,
                "scaffold": {"rated_load_kn": 50, "position_m": [30, 40]},
            }
        ],
        "api": {"host": "127.0.0.1", "port": api_port},
        "uplinks": [
            {
                "type": "regulator",
                "name": "regulator",
                "base_url": f"http://127.0.0.1:{regulator_port}",
                "secret": "${REGULATOR_SECRET}",
            }
        ],
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def regulator(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[int, httpx.Client]]:
    """`sitegw regulator serve` with the project and an admin, and a client signed in to its review UI."""
    db = f"sqlite:///{tmp_path / 'regulator.sqlite'}"
    added = sitegw(env, "regulator", "add-project", PROJECT, "--name", "插件测试项目", "--city", "深圳",
                   "--secret", SECRET, "--db", db)  # fmt: skip
    assert added.returncode == 0, added.stderr
    user = sitegw(
        env, "regulator", "add-user", "admin", "--role", "admin", "--password", PASSWORD, "--db", db
    )
    assert user.returncode == 0, user.stderr
    port = free_port()
    # the admin signs in with a password alone: the second factor is tests/regulator/test_second_factor.py's
    proc = background(env, "regulator", "serve", "--port", str(port), "--db", db, "--optional-second-factor")
    try:
        wait_port(port, timeout=60)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as ui:
            assert (
                ui.post("/ui/api/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
            )
            yield port, ui
    finally:
        stop(proc)


def test_a_kind_from_outside_is_known_to_every_part_of_sitegw(
    env: dict[str, str], tmp_path: Path, regulator: tuple[int, httpx.Client], page: Page
) -> None:
    regulator_port, ui = regulator
    modbus_port, api_port = free_port(), free_port()
    site = write_site(tmp_path, modbus_port, api_port, regulator_port)
    assert registry.find("scaffold") is None  # this process never loaded the plug-in

    # loaded from a site file: the union of device models has the plug-in's, its section validated
    checked = sitegw(env, "check-config", str(site))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "scaffold-1" in checked.stdout and "configuration OK" in checked.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(site.read_text(encoding="utf-8").replace("rated_load_kn: 50", "rated_load_kn: -1"))
    refused = sitegw(env, "check-config", str(bad))
    assert refused.returncode == 1 and "devices[0].scaffold.rated_load_kn" in refused.stdout + refused.stderr
    listed = sitegw(env, "kinds")
    assert (
        "scaffold  附着式升降脚手架 (climbing scaffold)" in listed.stdout
        and "提升点荷载 [kN]" in listed.stdout
        and "  rules: scaffold.load 脚手架超载" in listed.stdout
    )
    helped = sitegw(env | {"COLUMNS": "3000"}, "simulate", "--help")  # the help lists the registry's kinds
    assert "scaffold (climbing scaffold: normal, overload)" in " ".join(helped.stdout.split())

    # simulated (its own simulator behind a real Modbus server), judged by its own judge in the gateway
    sim = background(env, "simulate", "scaffold", "--site", str(site), "--scenario", "overload",
                     "--tcp", f"127.0.0.1:{modbus_port}")  # fmt: skip
    gateway = background(env, "run", str(site), "--state-dir", str(tmp_path / "state"))
    try:
        wait_port(api_port, timeout=90)
        api = httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=10)
        alert = until(
            lambda: next((a for a in api.get("/api/v1/alerts").json() if a["rule"] == "scaffold.load"), None)
        )
        assert alert["level"] == "alarm" and alert["device"] == "scaffold-1"
        assert alert["message"].startswith("1号爬架 提升点荷载") and "停止升降" in alert["message"]
        # shown by the API: the kind's Chinese names and units, the device on the plug-in's own card
        view = api.get("/api/v1/site").json()
        (device,) = view["devices"]
        assert (device["kind"], device["kind_name"], device["card"]) == (
            "scaffold",
            "附着式升降脚手架",
            "scaffold",
        )
        (kind,) = view["kinds"]
        assert {m["name"]: (m["zh"], m["unit"]) for m in kind["metrics"]}["load_kn"] == ("提升点荷载", "kN")
        # its card's data in the site's JSON, and the dashboard draws it with the plug-in's script
        assert view["scaffolds"] == [{"id": "scaffold-1", "rated_load_kn": 50.0, "position_m": [30.0, 40.0]}]
        assert kind["script"] == "cards/scaffold.js"
        page.goto(f"http://127.0.0.1:{api_port}/")
        card = page.locator('#scaffolds [data-scaffold="scaffold-1"]')
        expect(card).to_contain_text("50 kN")
        expect(card.locator('[data-gauge="load_kn"] b')).to_contain_text("%")
        expect(page.locator("#cards h2")).to_have_text(["附着式升降脚手架"])
        expect(page.locator('#other-devices [data-device="scaffold-1"]')).to_have_count(0)
        expect(card.locator(".rating")).to_have_css("color", "rgb(140, 200, 255)")  # its card.js's own style
        # on the site plan by its card's layer: where its site file places it, in its alarm's colour, and named
        # in the plan's heading and note
        on_plan = page.locator('#plan .scaffold-plan[data-scaffold="scaffold-1"]')
        expect(on_plan).to_have_attribute("data-level", "alarm")
        centre = on_plan.locator("rect").evaluate(
            "r => [+r.getAttribute('x') + r.getAttribute('width') / 2, +r.getAttribute('y') + r.getAttribute('height') / 2]"
        )
        assert centre == pytest.approx([30, -40])  # the plan draws north up: y as -y
        expect(page.locator("#plan-title")).to_have_text("现场平面 · 爬架")
        expect(page.locator("#plan-note")).to_have_text("蓝框：爬架")
        # the trend opens on its alarm's device, titled with the name (and unit) its declaration gives the
        # metric, not its raw id: the dashboard has no words of its own for a plug-in's metrics
        expect(page.locator("#trend-title")).to_have_text(
            re.compile(r"^\s*scaffold-1 · (升降中|提升点荷载 \(kN\))$")
        )
        latest = {r["metric"]: r["value"] for r in api.get("/api/v1/readings/latest").json()}
        assert 55 <= latest["load_kn"] <= 65  # 120 % of 50 kN, ±5 %, as read through the profile's scale
        # named by the regulator: the event delivered, its check named from the plug-in's declaration
        hazard = until(lambda: next(iter(ui.get("/ui/api/hazards").json()["hazards"]), None))
        assert (hazard["rule"], hazard["rule_name"]) == ("scaffold.load", "脚手架超载")
        names = ui.get("/ui/api/names").json()
        assert (
            names["rules"]["scaffold.load"] == "脚手架超载"
            and names["kinds"]["scaffold"] == "附着式升降脚手架"
        )
        assert names["metrics"]["load_kn"] == "提升点荷载"
    finally:
        log = stop(gateway)
        stop(sim)
    assert "Traceback" not in log, log

    # summarised: the regulator takes a summary of the plug-in's metric (without the plug-in: 422)
    body = json.dumps(
        {
            "project": PROJECT,
            "readings": [
                {
                    "device": "scaffold-1",
                    "metric": "load_kn",
                    "ts": time.time() - 120,
                    "value": 61.0,
                    "unit": "kN",
                }
            ],
        }
    ).encode()
    sent = httpx.post(
        f"http://127.0.0.1:{regulator_port}{READINGS_PATH}",
        content=body,
        headers=signed(READINGS_PATH, body, secret=SECRET, project=PROJECT),
        timeout=10,
    )
    assert sent.status_code == 200 and sent.json()["readings"] == 1, sent.text

    # replayed: the same judge over a recorded day, as `sitegw replay` runs it
    readings = tmp_path / "readings.csv"
    readings.write_text("ts,device,point,metric,value\n" + "".join(
        f"{1795222800 + i},scaffold-1,,load_kn,{v}\n" for i, v in enumerate([20, 46, 51, 52, 30, 20])))  # fmt: skip
    out = tmp_path / "alerts.jsonl"
    replayed = sitegw(env, "replay", str(site), "--readings", str(readings), "--out", str(out))
    assert replayed.returncode == 0, replayed.stderr
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(e["rule"], e["level"], e["state"]) for e in events] == [
        ("scaffold.load", "warning", "firing"),  # 46 kN: 92 % of 50
        ("scaffold.load", "alarm", "updated"),  # 51 kN: over the rating
        ("scaffold.load", "alarm", "resolved"),  # 30 kN: below 90 % less the band (a resolve keeps its level)
    ]

    # warmed up: the history the plug-in's judge asks for is in the gateway's warm-up window
    window = subprocess.run(
        [sys.executable, "-c", "from contract.config import load_site; from sitegw.warmup import warmup_window_s;"
         f"print(warmup_window_s(load_site({str(site)!r}).config))"],
        env=env, capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert float(window.stdout) == 900.0, window.stderr  # scaffold_kind.judge.HISTORY_S, above offline's 600


def until(probe: object, timeout: float = 60.0) -> dict:
    """The first truthy answer of ``probe()`` within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()  # type: ignore[operator]
        if found:
            return found  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"nothing within {timeout} s")
