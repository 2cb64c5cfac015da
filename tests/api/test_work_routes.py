"""Pours and key personnel over real HTTP against the simulated site (`sitegw demo` in-process), and
`sitegw pour` as a user runs it: a subprocess against the same gateway with an API token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from contract.readings import Reading
from kinds.attendance.sim import gate_schedule
from tests.api.site import RunningSite
from tests.support import free_port

# 20 s or more of the whole suite's time: in make test-slow, to keep make test within CI's 20 minutes
pytestmark = pytest.mark.slow

PROJECT = "GD-SZ-2026-0001"


def post(site: RunningSite, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(site.url + path, headers=headers or {}, timeout=10)


def pours(site: RunningSite) -> dict[str, dict[str, object]]:
    r = httpx.get(site.url + "api/v1/pours", timeout=10)
    assert r.status_code == 200, r.text
    return {p["device"]: p for p in r.json()}


def sitegw(*args: str, token: str = "", url: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SITEGW_URL", "SITEGW_TOKEN")}
    if token:
        env["SITEGW_TOKEN"] = token
    if url:
        env["SITEGW_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "sitegw.cli", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_supervisor_starts_and_ends_a_pour_and_the_rules_see_it(site: RunningSite) -> None:
    listed = pours(site)
    assert set(listed) == {"formwork-1"}
    assert listed["formwork-1"]["name"] == "3号楼5层高支模" and listed["formwork-1"]["active"] is False
    assert "报告厅" in str(listed["formwork-1"]["area"])

    nobody = post(site, "api/v1/pours/formwork-1/start")
    assert nobody.status_code == 401 and "log in" in nobody.json()["detail"]
    viewer = post(site, "api/v1/pours/formwork-1/start", site.login("viewer1"))
    assert viewer.status_code == 403 and "supervisor" in viewer.json()["detail"]
    assert pours(site)["formwork-1"]["active"] is False

    supervisor = site.login("super1")
    before = time.time()
    started = post(site, "api/v1/pours/formwork-1/start", supervisor)
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["active"] is True and body["changed_by"] == "super1" and body["changed_ts"] >= before
    assert pours(site)["formwork-1"]["active"] is True
    assert site.gw.monitor.engine.pouring() == ["formwork-1"]

    again = post(site, "api/v1/pours/formwork-1/start", supervisor)
    assert again.status_code == 409 and "already" in again.json()["detail"]

    ended = post(site, "api/v1/pours/formwork-1/end", supervisor)
    assert ended.status_code == 200 and ended.json()["active"] is False
    assert pours(site)["formwork-1"]["active"] is False and site.gw.monitor.engine.pouring() == []
    twice = post(site, "api/v1/pours/formwork-1/end", supervisor)
    assert twice.status_code == 409 and "not under way" in twice.json()["detail"]

    unknown = post(site, "api/v1/pours/crane-1/start", supervisor)
    assert unknown.status_code == 404 and "formwork-1" in unknown.json()["detail"]


def personnel_when(site: RunningSite, what: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The personnel view once ``check`` holds for it (within 20 s)."""
    deadline = time.monotonic() + 20
    while not check(view := httpx.get(site.url + "api/v1/personnel", timeout=10).json()):
        assert time.monotonic() < deadline, f"{what}: {view}"
        time.sleep(0.2)
    return view


def test_personnel_shows_who_the_gates_let_in(site: RunningSite) -> None:
    # the demo's gate replays the morning so far: every key person and the day's workers come in first
    roster = site.gw.site.config.key_personnel
    workers = {p.person_id for p in gate_schedule(roster) if p.person_id not in {k.id for k in roster}}
    everyone_in = personnel_when(
        site,
        "the key people and the workers through the demo's gate",
        lambda v: all(p["on_site"] for p in v["key_people"]) and v["others_on_site"] == len(workers),
    )
    people = {p["id"]: p for p in everyone_in["key_people"]}
    assert set(people) == {"KP-01", "KP-02", "KP-03", "KP-04"}
    pm = people["KP-01"]
    assert pm["name"] == "王海峰" and pm["role"] == "project_manager" and pm["role_zh"] == "项目负责人"
    assert pm["since"] < time.time() and pm["certificate_valid_until"] == "2027-09-30"

    # a safety officer leaves and another worker comes in, as the gate reports them
    now = time.time()
    site.gw.bus.publish_threadsafe(
        [
            Reading(now, PROJECT, "gate-1", "on_site", 0.0, point="KP-02"),
            Reading(now, PROJECT, "gate-1", "on_site", 1.0, point="W-7001"),  # a worker, not key personnel
        ]
    )
    view = personnel_when(site, "KP-02 out, W-7001 in", lambda v: v["others_on_site"] == len(workers) + 1)
    people = {p["id"]: p for p in view["key_people"]}
    assert people["KP-02"]["on_site"] is False and people["KP-02"]["since"] is None
    assert people["KP-01"]["on_site"] is True and people["KP-01"]["since"] == pm["since"]


def test_site_lists_the_hoist_and_the_formwork_points_with_their_limits(site: RunningSite) -> None:
    body = httpx.get(site.url + "api/v1/site", timeout=10).json()
    (hoist,) = body["hoists"]
    assert hoist["id"] == "hoist-1" and hoist["rated_load_t"] == 2.0 and hoist["rated_persons"] == 20
    assert hoist["load_pct"] == {"warning": 90, "alarm": 100, "critical": 110}
    assert hoist["wind_alarm_ms"] == 20 and hoist["arrester_valid_until"] == "2026-12-15"
    points = {p["code"]: p for p in body["formwork_points"]}
    assert set(points) == {"M1", "M2", "M3", "M4"}
    limits = {lim["metric"]: lim for lim in points["M1"]["limits"]}
    assert limits["settle_mm"]["alarm"] == 8 and limits["disp_h_mm"]["alarm"] == 12
    assert limits["tilt_deg"]["alarm"] == 0.229 and limits["axial_kn"]["alarm"] == 20
    assert points["M1"]["warning_fraction"] == 0.8


def test_sitegw_pour_cli_starts_lists_and_ends_a_pour(site: RunningSite) -> None:
    made = sitegw("users", "token", "li.gong", "--role", "supervisor", "--state-dir", str(site.state_dir))
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    url = site.url

    started = sitegw("pour", "start", "formwork-1", "--url", url, "--token", token)
    assert started.returncode == 0, started.stderr
    assert "formwork-1" in started.stdout and "started by li.gong" in started.stdout
    assert site.gw.monitor.engine.pouring() == ["formwork-1"]

    listed = sitegw("pour", "list", url=url, token=token)  # from SITEGW_URL and SITEGW_TOKEN
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "formwork-1" in line)
    assert "pouring" in row and "li.gong" in row and "3号楼5层高支模" in row

    again = sitegw("pour", "start", "formwork-1", "--url", url, "--token", token)
    assert again.returncode == 1 and "already under way" in again.stderr

    ended = sitegw("pour", "end", "formwork-1", "--url", url, "--token", token)
    assert ended.returncode == 0 and "pour ended by li.gong" in ended.stdout
    assert site.gw.monitor.engine.pouring() == []

    unknown = sitegw("pour", "start", "formwork-9", "--url", url, "--token", token)
    assert unknown.returncode == 1 and "not a formwork device" in unknown.stderr
    no_token = sitegw("pour", "start", "formwork-1", "--url", url)
    assert no_token.returncode == 1 and "--token" in no_token.stderr
    bad_token = sitegw("pour", "start", "formwork-1", "--url", url, "--token", "not-a-token")
    assert bad_token.returncode == 1 and "unknown or expired" in bad_token.stderr
    viewer_token = sitegw("users", "token", "screen", "--state-dir", str(site.state_dir)).stdout.strip()
    as_viewer = sitegw("pour", "start", "formwork-1", "--url", url, "--token", viewer_token)
    assert as_viewer.returncode == 1 and "supervisor" in as_viewer.stderr

    refused = sitegw("pour", "list", "--url", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    assert refused.returncode == 1 and "cannot connect to the gateway" in refused.stderr
    for out in (again, unknown, no_token, bad_token, as_viewer, refused):
        assert "Traceback" not in out.stderr
