"""`sitegw demo` as a newcomer runs it: a whole simulated site, read for real, kept, served, continued.

The demo runs as a subprocess of the real CLI: cranes, the hoist and the anemometer over real Modbus
TCP and RTU (pty pair), the pit, the high formwork and the access gate over MQTT (embedded amqtt),
the formwork area's siren on a real Modbus relay server, InfluxDB writes to a real
VictoriaMetrics (the v2 write API; no InfluxDB 2.x server can be installed
here), history read back through the HTTP API.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from contract.config import load_site

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

REPO = Path(__file__).resolve().parents[2]
SITE = load_site(REPO / "config" / "examples" / "site.yaml")
CRANE_METRICS = {v.metric for v in SITE.profiles["tower_crane_blackbox"].modbus.values}  # type: ignore[union-attr]
HOIST_METRICS = {v.metric for v in SITE.profiles["hoist_blackbox"].modbus.values}  # type: ignore[union-attr]
PIT_POINTS = {p.code for p in SITE.config.device("pit-1").pit.points}  # type: ignore[attr-defined]
FORMWORK_POINTS = {p.code for p in SITE.config.device("formwork-1").formwork.points}  # type: ignore[attr-defined]
KEY_PEOPLE = {p.id for p in SITE.config.key_personnel}


def start_demo(
    state: Path, duration: float, *extra: str, own_group: bool = False
) -> tuple[subprocess.Popen[str], str]:
    """Start the demo and return it with the dashboard URL it printed (``own_group``: in a process
    group of its own, as a terminal runs it)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sitegw.cli",
            "demo",
            "--duration",
            str(duration),
            "--port",
            "0",
            "--state-dir",
            str(state),
            "--summary-json",
            str(state / "summary.json"),
            *extra,
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=own_group,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("Dashboard: "):
            return proc, line.split(" ", 1)[1].strip()
    proc.kill()
    raise AssertionError("the demo printed no dashboard URL:\n" + "".join(seen))


def finish(proc: subprocess.Popen[str], state: Path) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    return json.loads((state / "summary.json").read_text())


def wait_all_online(url: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        site = httpx.get(url + "api/v1/site", timeout=5).json()
        if all(d["online"] for d in site["devices"]):
            return site
        if time.monotonic() > deadline:
            raise AssertionError(
                f"devices not all online: {[(d['id'], d['online']) for d in site['devices']]}"
            )
        time.sleep(0.5)


def get(url: str, path: str, **params: object) -> Any:
    return httpx.get(url + "api/v1/" + path, params=params, timeout=5).json()  # type: ignore[arg-type]


def until(what: str, check: Any, timeout: float) -> Any:
    """Poll ``check()`` until it returns something true; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not (got := check()):
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(0.5)
    return got


def test_demo_reads_every_device_keeps_history_and_continues(tmp_path: Path, victoria: Any) -> None:
    state = tmp_path / "state"
    started = time.monotonic()
    proc, url = start_demo(state, 60, "--influx-url", victoria.url, "--influx-api", "v2")
    try:
        site = wait_all_online(url)
        assert {d["id"]: d["transport"] for d in site["devices"] if d["kind"] != "camera"} == {
            "crane-1": "modbus_tcp",
            "crane-2": "modbus_rtu",
            "anemo-1": "modbus_rtu",
            "hoist-1": "modbus_tcp",
            "platform-1": "modbus_tcp",
            "pit-1": "mqtt",
            "formwork-1": "mqtt",
            "gate-1": "mqtt",
            "cs-1": "mqtt",
            "weather-1": "mqtt",
            "welder-1": "mqtt",
            "power-main": "mqtt",
            "power-b2": "mqtt",
            "tunnel-1": "mqtt",
            "slope-1": "mqtt",
        }
        # the key people come through the gate first: the dashboard knows who is on site
        people = until(
            "every key person on site by the gate",
            lambda: (
                (p := get(url, "personnel"))
                and {k["id"] for k in p["key_people"] if k["on_site"]} == KEY_PEOPLE
            ),
            timeout=20,
        )
        assert people
        time.sleep(5)
        hist = get(url, "history", device="crane-1", metric="load_t", start=time.time() - 600)
        assert len(hist["points"]) >= 3 and hist["unit"] == "t"
        pit = get(url, "readings/latest", device="pit-1")
        assert {r["point"] for r in pit} == PIT_POINTS
        metrics = httpx.get(url + "metrics", timeout=5).text
        assert "sitegw_readings_in_total" in metrics
        # the pour starts by itself; then M3 settles under it until the formwork area's siren sounds
        pours = until("the demo's pour under way", lambda: [p for p in get(url, "pours") if p["active"]], 30)
        assert [(p["device"], p["changed_by"]) for p in pours] == [("formwork-1", "demo")]
        siren = until(
            "the formwork siren on, confirmed by its relay",
            lambda: [
                s
                for s in get(url, "sirens")
                if s["name"] == "siren-formwork" and s["written_on"] and s["write_ok"]
            ],
            timeout=max(1.0, 55 - (time.monotonic() - started)),
        )
        driving = {a.split(":")[-2] for s in siren for a in s["alerts"]}
        assert driving & {"formwork.settle", "formwork.axial", "hoist.door", "confined_space.gas"}, siren
        # the confined space's morning at 15x: H2S past 10 mg/m³ with two inside sounds its own siren
        confined = until(
            "the confined space's siren on, driven by its gas alert",
            lambda: [
                s
                for s in get(url, "sirens")
                if s["name"] == "siren-confined" and s["written_on"] and s["write_ok"]
            ],
            timeout=max(1.0, 58 - (time.monotonic() - started)),
        )
        assert [a.split(":")[-2] for a in confined[0]["alerts"]] == ["confined_space.gas"]
        # platform-1 tilts ~25 s in and its safety lock does not act: the façade's siren sounds
        facade = until(
            "the façade siren on for platform-1's failed safety lock",
            lambda: [
                s
                for s in get(url, "sirens")
                if s["name"] == "siren-facade" and s["written_on"] and s["write_ok"]
            ],
            timeout=max(1.0, 58 - (time.monotonic() - started)),
        )
        assert any(":platform.lock:" in a for s in facade for a in s["alerts"]), facade
        # power-b2 leaks 18 mA on its 15 mA RCD from 30 s and the RCD does not trip: 漏电保护器拒动
        refused = until(
            "power-b2's RCD not acting",
            lambda: [a for a in get(url, "alerts") if a["rule"] == "power.rcd"],
            timeout=max(1.0, 58 - (time.monotonic() - started)),
        )
        assert refused[0]["device"] == "power-b2" and refused[0]["level"] == "critical", refused
        assert "立即就地断开该箱上级电源" in refused[0]["message"], refused
        # welder-1 arcs at 3号楼5层 with no permit in force there: 无动火许可证
        welding = until(
            "welder-1's welding without a permit",
            lambda: [a for a in get(url, "alerts") if a["rule"] == "hot_work.unpermitted"],
            timeout=max(1.0, 58 - (time.monotonic() - started)),
        )
        assert welding[0]["device"] == "welder-1" and welding[0]["level"] == "alarm", welding
        assert welding[0]["clause"].startswith("GB/T 50720-2011（2025年版）"), welding
        # hoist-1's scripted 安拆 window (18-42 s of a 60 s run): the gate camera's workers are in its 警戒区
        zone = until(
            "hoist-1's exclusion zone alarm from the gate camera",
            lambda: [
                a for a in get(url, "alerts") if a["rule"] == "hoist.install" and a["point"] == "exclusion"
            ],
            timeout=max(1.0, 58 - (time.monotonic() - started)),
        )
        # fired (its message now may be the all-clear of the window's close)
        assert zone[0]["level"] == "alarm" and "警戒区" in zone[0]["message"], zone
        # the gate camera's upper half is welder-1's place's 动火区 (3号楼5层, no permit in force there): its
        # workers there for 20 s are 疑似无动火证作业, seen by the camera beside the welder's current
        seen = until(
            "the gate camera's people at work in the 动火区 without a permit",
            lambda: [a for a in get(url, "alerts") if a["rule"] == "hot_work.zone_unpermitted"],
            timeout=max(1.0, 58 - (time.monotonic() - started)),
        )
        assert seen[0]["device"] == "cam-gate" and seen[0]["level"] == "alarm", seen
        assert "3号楼5层" in seen[0]["message"] and seen[0]["clause"].startswith(
            "GB/T 50720-2011（2025年版）"
        ), seen
        fw = get(url, "readings/latest", device="formwork-1")
        assert {r["point"] for r in fw if r["metric"] != "pour_active"} == FORMWORK_POINTS
    finally:
        summary = finish(proc, state)

    readings = summary["readings"]
    assert set(readings) == {
        "crane-1",
        "crane-2",
        "anemo-1",
        "hoist-1",
        "platform-1",
        "pit-1",
        "formwork-1",
        "gate-1",
        "cs-1",
        "weather-1",
        "welder-1",
        "power-main",
        "power-b2",
        "tunnel-1",
        "slope-1",
        "cam-gate",
    }
    # hoist-1's scripted 安拆 window falls inside any --duration (sitegw/demo.py install_times): a reading too
    assert set(readings["hoist-1"]) == HOIST_METRICS | {"install_active"}
    assert readings["hoist-1"]["load_t"] >= 20
    assert {"settle_mm", "disp_h_mm", "tilt_deg", "axial_kn", "pour_active"} <= set(readings["formwork-1"])
    assert readings["gate-1"]["on_site"] >= len(KEY_PEOPLE)  # one passage per reading
    assert {"o2_pct", "lel_pct", "h2s_ppm", "co_ppm", "fan_on", "inside", "attendant"} <= set(
        readings["cs-1"]
    )
    assert {"wind_ms", "gust_ms", "rain_mm_h", "temp_c"} <= set(readings["weather-1"])
    assert readings["welder-1"]["current_a"] >= 20  # its current over the embedded broker, every second
    assert {"leakage_ma", "rcd_state", "temp_l1_c", "temp_box_c"} <= set(readings["power-main"])
    assert readings["cam-gate"]["persons"] >= 5  # the gate camera's worker analysed frames
    # crane-1's scripted jacking falls inside any --duration (sitegw/demo.py jacking_times): its window and the
    # height and the limiters' re-calibration it closes with are readings of crane-1 too
    assert set(readings["crane-1"]) == CRANE_METRICS | {
        "jacking_active",
        "jib_height_m",
        "limiters_recalibrated",
    }
    # crane-2 is climbed in the same scripted 安拆 window as hoist-1 (sitegw/demo.py INSTALL_CRANE)
    assert set(readings["crane-2"]) == CRANE_METRICS | {"install_active"}
    for crane in ("crane-1", "crane-2"):
        assert readings[crane]["load_t"] >= 20, crane  # polled every second for ~30 s
    assert readings["anemo-1"]["wind_ms"] >= 20
    assert {"disp_h_mm", "disp_v_mm", "incl_mm", "axial_kn", "water_level_m"} <= set(readings["pit-1"])
    # the tunnel's system, played TUNNEL_SCALE times faster (a survey every 20 s): every item is read
    assert set(readings["tunnel-1"]) == {"vault_settle_mm", "convergence_mm", "surface_settle_mm", "axial_kn"}
    # the high slope's station, published by its own simulator as its profile says (kinds/slope/)
    assert set(readings["slope-1"]) == {
        "disp_h_mm",
        "disp_v_mm",
        "incl_mm",
        "incl_depth_m",
        "water_level_m",
        "rain_mm",
        "bldg_settle_mm",
        "bldg_tilt",
        "anchor_kn",
        "crack_mm",
    }
    assert summary["errors_total"] == 0, summary["devices"]
    store = summary["store"]
    assert store["pending"] == 0
    assert store["rows"] + store["duplicates"] == summary["readings_total"]
    assert summary["spool"]["points_written"] > 0 and summary["spool"]["spool_points"] == 0
    load_series = victoria.export("crane_load_t", expect=1)
    assert {s["metric"]["device"] for s in victoria.export("crane_load_t")} >= {"crane-1"}
    assert load_series

    # a second run on the same state continues the same history
    first_rows, first_oldest = store["rows"], store["oldest_ts"]
    proc, url = start_demo(state, 8)
    second = finish(proc, state)
    assert second["store"]["oldest_ts"] == first_oldest
    assert second["store"]["rows"] > first_rows


def test_ctrl_c_stops_the_demo_and_its_camera_worker_cleanly(tmp_path: Path) -> None:
    """Ctrl-C in a terminal sends SIGINT to the whole process group, camera workers included: the
    demo stops, writes its summary and leaves no worker behind, with no traceback on the console."""
    state = tmp_path / "state"
    proc, url = start_demo(state, 120, own_group=True)
    try:
        deadline = time.monotonic() + 60
        while not httpx.get(url + "api/v1/readings/latest", params={"device": "cam-gate"}, timeout=5).json():
            assert time.monotonic() < deadline, "the camera worker analysed no frame"
            time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        summary = finish(proc, state)
    assert summary["readings"]["cam-gate"]["persons"] >= 1
    deadline = time.monotonic() + 10  # a worker notices its gateway is gone within a second or two
    while left := subprocess.run(["pgrep", "-a", "-g", str(proc.pid)], capture_output=True, text=True).stdout:
        assert time.monotonic() < deadline, f"processes left in the demo's group:\n{left}"
        time.sleep(0.2)


def test_ctrl_c_does_not_call_the_embedded_regulator_unreachable(tmp_path: Path) -> None:
    """Stopping the demo while its gateway delivers alerts to the embedded regulator: the regulator stops
    after the gateway, so no line on the console says it went away (it once stopped at the signal, first,
    and the gateway logged its last deliveries as failed)."""
    state = tmp_path / "state"
    proc, url = start_demo(state, 120, own_group=True)
    try:
        # alerts are being raised and delivered: the crane's overload, the pit's rate
        until("an alert", lambda: get(url, "alerts"), 60)
        time.sleep(2)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0 and "demo stopped after" in out, out
    for spurious in ("unreachable", "delivery failed", "ConnectError", "All connection attempts failed"):
        assert spurious not in out, out
