"""A hot-work permit kept from before the site shortened its validities (docs/standards.md §18; the site
file's ``hot_work_permits:``) on a real running gateway (`sitegw demo` in-process): the register lists it as
expired with the reason, Chinese first, `sitegw hot-work list` says so, and welder-1's welding at its place
is hot work without a valid permit."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import FireWatch, Operator, Permit, PermitRequest
from gateway.site.hot_work import HotWork
from gateway.uplinks.base import BEIJING
from tests.api.site import running_site
from tests.api.test_weather_routes import alerts, wait_for
from tests.api.test_work_routes import sitegw
from tests.gateway.test_hot_work_register import Sink

pytestmark = pytest.mark.slow


def lapsed_permit(state: Path) -> tuple[Permit, datetime]:
    """A permit kept in ``state`` (the folder a gateway starts on) and its lapse: 73 h ago, under the contractor's
    former scheme (二级 4 days), a 二级 permit for 3号楼5层 for 96 h; the demo's site file gives 二级 the default 3
    days, so it lapsed 72 h after its start, an hour ago."""
    start = datetime.fromtimestamp(int(time.time()) - 73 * 3600, BEIJING)
    before = HotWork(
        state / "hot_work.sqlite",
        Sink(),
        8.0,
        clock=lambda: start.timestamp() - 600,
        validity=HotWorkPermitsConfig(level_2_h=96),
    )
    permit = before.issue(
        PermitRequest(
            place="3号楼5层",
            level="二级",
            start=start,
            end=start + timedelta(hours=96),
            operator=Operator(
                name="张三", certificate_no="T440300198801010011", valid_until=date(2099, 1, 1)
            ),
            fire_watch=FireWatch(name="李四", person_id="W-FIRE-102"),
            extinguishers=2,
            extinguishers_checked=True,
            combustibles_cleared=True,
        ),
        "王工",
    )
    before.shut()
    return permit, start + timedelta(hours=72)


def test_a_permit_signed_under_a_longer_validity_is_expired_and_welding_under_it_alarms(
    tmp_path: Path,
) -> None:
    permit, lapsed = lapsed_permit(tmp_path)
    with running_site(tmp_path) as site:
        listed = httpx.get(site.url + "api/v1/hot-work", timeout=10).json()
        ours = next(p for p in listed if p["id"] == permit.id)
        assert ours["state"] == "expired" and ours["covers_until"] == lapsed.isoformat()
        said = ours["expired_reason"]
        assert said.startswith(
            f"动火许可证 {permit.id} 已于 {lapsed.isoformat()} 过期：超过二级动火许可证有效期 72 小时（3 天）"
            "（本工地（企业）动火分级管理规定，工地文件 hot_work_permits.level_2_h，自作业时段开始起算），"
            f"签发时段至 {permit.end.isoformat()} 不再适用；停止动火，重新办理动火许可证。"
        )
        assert "a 二级 permit's validity, 72 h from its start (the site's rule" in said
        assert all(p["expired_reason"] == "" for p in listed if p["id"] != permit.id)  # the demo's own

        out = sitegw("hot-work", "list", url=site.url)
        assert out.returncode == 0, out.stderr
        assert "已过期" in out.stdout and said in out.stdout

        # welder-1 arcs at 3号楼5层 (the demo's unpermitted welder): the lapsed permit covers none of it
        welding = wait_for(
            "welder-1's welding under the lapsed permit",
            lambda: [a for a in alerts(site, "hot_work.unpermitted") if a["device"] == "welder-1"],
        )
        assert welding[0]["level"] == "alarm"
        assert (
            f"该地点的动火许可证 {permit.id} 已超过二级动火许可证有效期 72 小时（3 天）"
            in welding[0]["message"]
        )
