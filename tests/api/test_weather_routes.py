"""Warning signals over real HTTP against the simulated site (`sitegw demo` in-process), as a supervisor
sets them and the rules judge them (crane-1 keeps lifting in the demo: under a gale signal that is
冒险作业), and `sitegw warning` as a user runs it."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.site import RunningSite
from tests.api.test_work_routes import post, sitegw

pytestmark = pytest.mark.slow


def alerts(site: RunningSite, rule: str) -> list[dict[str, Any]]:
    r = httpx.get(site.url + "api/v1/alerts", params={"rule": rule}, timeout=10)
    assert r.status_code == 200, r.text
    return list(r.json())


def wait_for(what: str, check: Any, timeout_s: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout_s:g} s")


def test_a_supervisor_sets_a_gale_signal_and_the_lifting_crane_is_an_alert(site: RunningSite) -> None:
    body = {"type": "gale", "colour": "yellow"}
    nobody = httpx.post(site.url + "api/v1/warnings", json=body, timeout=10)
    assert nobody.status_code == 401
    viewer = httpx.post(site.url + "api/v1/warnings", json=body, headers=site.login("viewer1"), timeout=10)
    assert viewer.status_code == 403
    supervisor = site.login("super1")
    wrong = httpx.post(
        site.url + "api/v1/warnings", json={"type": "heat", "colour": "blue"}, headers=supervisor, timeout=10
    )
    assert wrong.status_code == 422 and "no blue" in wrong.json()["detail"]

    made = httpx.post(site.url + "api/v1/warnings", json=body, headers=supervisor, timeout=10)
    assert made.status_code == 200, made.text
    signal = made.json()
    assert signal["set_by"] == "super1" and signal["source"] == "site" and "施工升降机" in signal["measure"]
    active = httpx.get(site.url + "api/v1/warnings", params={"active": True}, timeout=10).json()
    assert [s["id"] for s in active] == [signal["id"]]

    warning = wait_for("weather.warning", lambda: alerts(site, "weather.warning"))
    assert warning[0]["state"] != "resolved" and "大风黄色预警" in warning[0]["message"]
    work = wait_for(
        "weather.work on crane-1",
        lambda: [
            a for a in alerts(site, "weather.work") if a["device"] == "crane-1" and a["level"] == "critical"
        ],
    )
    assert "第十五条(二)" in work[0]["clause"]

    cleared = post(site, f"api/v1/warnings/{signal['id']}/clear", supervisor)
    assert cleared.status_code == 200 and cleared.json()["cleared_by"] == "super1"
    twice = post(site, f"api/v1/warnings/{signal['id']}/clear", supervisor)
    assert twice.status_code == 409
    assert post(site, "api/v1/warnings/W-none/clear", supervisor).status_code == 404
    wait_for(
        "the signal resolved",
        lambda: [a for a in alerts(site, "weather.warning") if a["state"] == "resolved"],
    )


def test_sitegw_warning_cli_sets_lists_and_clears(site: RunningSite) -> None:
    made = sitegw("users", "token", "zhao.an", "--role", "supervisor", "--state-dir", str(site.state_dir))
    token = made.stdout.strip()
    url = site.url
    set_ = sitegw(
        "warning", "set", "rainstorm", "orange", "--to", "2099-01-01T00:00:00+08:00", url=url, token=token
    )
    assert set_.returncode == 0, set_.stderr
    assert "暴雨橙色预警" in set_.stdout and "by zhao.an" in set_.stdout and "基坑" in set_.stdout
    signal_id = set_.stdout.split()[1]
    listed = sitegw("warning", "list", "--active", url=url, token=token)
    assert listed.returncode == 0 and signal_id in listed.stdout and "暴雨橙色预警" in listed.stdout
    cleared = sitegw("warning", "clear", signal_id, url=url, token=token)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
    again = sitegw("warning", "clear", signal_id, url=url, token=token)
    assert again.returncode == 1 and "already cleared" in again.stderr
    bad = sitegw("warning", "set", "tornado", "red", url=url, token=token)
    assert bad.returncode == 1 and "unknown type" in bad.stderr
    when = sitegw("warning", "set", "gale", "red", "--from", "tomorrow", url=url, token=token)
    assert when.returncode == 1 and "ISO 8601" in when.stderr
    for out in (again, bad, when):
        assert "Traceback" not in out.stderr
