"""安拆 windows over real HTTP against the simulated site (`sitegw demo` in-process), and `sitegw install` as a
user runs it: opened by a supervisor with its stage (the rules see the machine's install_active reading),
closed after an erection or a climb only with the installer's self-check (建设部令第166号)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.site import RunningSite
from tests.api.test_work_routes import sitegw

pytestmark = pytest.mark.slow


def machines(site: RunningSite) -> dict[str, dict[str, Any]]:
    r = httpx.get(site.url + "api/v1/install", timeout=10)
    assert r.status_code == 200, r.text
    return {m["device"]: m for m in r.json()}


def post(site: RunningSite, path: str, headers: dict[str, str], body: Any = None) -> httpx.Response:
    return httpx.post(site.url + path, headers=headers, json=body, timeout=10)


def test_a_supervisor_opens_a_climb_and_closes_it_only_with_the_self_check(site: RunningSite) -> None:
    listed = machines(site)
    assert {"crane-1", "crane-2", "hoist-1"} <= set(listed) and "platform-1" not in listed
    assert listed["hoist-1"]["active"] is False and listed["hoist-1"]["area"] == "SC200/200"
    viewer = post(site, "api/v1/install/hoist-1/start", site.login("viewer1"), {"stage": "climb"})
    assert viewer.status_code == 403

    supervisor = site.login("super1")
    bad = post(site, "api/v1/install/hoist-1/start", supervisor, {"stage": "repair"})
    assert bad.status_code == 422 and "stage" in bad.text
    started = post(site, "api/v1/install/hoist-1/start", supervisor, {"stage": "climb"})
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["active"] is True and body["stage"] == "climb" and body["stage_zh"] == "顶升加节"
    assert body["changed_by"] == "super1"
    assert site.gw.monitor.engine.open_windows("install_active") == ["hoist-1"]
    assert post(site, "api/v1/install/hoist-1/start", supervisor, {"stage": "climb"}).status_code == 409

    unchecked = post(site, "api/v1/install/hoist-1/end", supervisor, {})
    assert unchecked.status_code == 409 and "self_checked" in unchecked.json()["detail"]
    assert machines(site)["hoist-1"]["active"] is True  # refused: still open
    ended = post(
        site, "api/v1/install/hoist-1/end", supervisor, {"self_checked": True, "note": "加4节标准节"}
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["active"] is False and ended.json()["record"] == {
        "self_checked": True,
        "note": "加4节标准节",
    }
    assert site.gw.monitor.engine.open_windows("install_active") == []

    unknown = post(site, "api/v1/install/formwork-1/start", supervisor, {"stage": "erect"})
    assert unknown.status_code == 404 and "hoist-1" in unknown.json()["detail"]


def test_sitegw_install_cli_dismantles_a_crane_without_a_self_check(site: RunningSite) -> None:
    made = sitegw("users", "token", "li.gong", "--role", "supervisor", "--state-dir", str(site.state_dir))
    token, url = made.stdout.strip(), site.url
    started = sitegw("install", "start", "crane-2", "--stage", "dismantle", "--url", url, "--token", token)
    assert started.returncode == 0, started.stderr
    assert "install started by li.gong" in started.stdout
    listed = sitegw("install", "list", url=url, token=token)
    row = next(line for line in listed.stdout.splitlines() if "crane-2" in line)
    assert "dismantle" in row and "li.gong" in row
    ended = sitegw("install", "end", "crane-2", "--url", url, "--token", token)  # dismantled: none owed
    assert ended.returncode == 0, ended.stderr
    assert "install ended by li.gong" in ended.stdout
