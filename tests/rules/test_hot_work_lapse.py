"""A permit's validity is checked at run time, not only when it is signed (docs/standards.md §18: the
company scheme's 一级 1 day, 二级 3 days, 三级 1 week [U]; the site file's ``hot_work_permits:``).

A 二级 permit signed for 72 h under the default scheme and kept in the register's SQLite; the gateway
restarted with the site file's 二级 shortened to 48 h (sitegw/runtime.py builds the register with the
engine as its sink and the file's scheme): hot work under it from its start + 48 h is hot work without a
valid permit. 有效期 48 小时 counts 48 hours from the window's start, as issuing measures a window: at start +
48 h the 48 hours have run out (the window is half-open, [start, end), the same way), so 1 s before is
covered, the instant itself and after are not."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.config import LoadedSite
from gateway.site.hot_work import HotWork
from plumbing.sqlite import sqlite3
from rules import RuleEngine, RuleResult
from tests.gateway.test_hot_work_register import Sink, request
from tests.rules.sites import sample, site_variant

START = datetime.fromisoformat("2026-11-26T08:00:00+08:00")
T0 = START.timestamp()
H = 3600.0
PLACE = "3号楼5层"  # welder-1's place in the reference site
CARD = request().operator.model_copy(update={"valid_until": date(2026, 12, 31)})  # past every window here
UNPERMITTED, ZONE_RULE = "hot_work.unpermitted", "hot_work.zone_unpermitted"


def site_with(where: Path, scheme: dict[str, float] | None, **more: Any) -> LoadedSite:
    """The reference site with ``hot_work_permits: scheme`` (None: none, the defaults), in a folder of its own."""
    where.mkdir(parents=True, exist_ok=True)

    def change(data: dict[str, Any]) -> None:
        if scheme is not None:
            data["hot_work_permits"] = scheme
        data.update(more)

    return site_variant(where, change)


def signed_for_72_h(tmp_path: Path, level: str | None = "二级", hours: float = 72) -> Path:
    """A permit for 3号楼5层 from START, signed 10 min before under the default scheme (二级 3 days) for
    ``hours``, kept in the register's SQLite as a gateway leaves it; the file."""
    db = tmp_path / "state" / "hot_work.sqlite"
    db.parent.mkdir()
    before = site_with(tmp_path / "before", None).config.hot_work_permits
    register = HotWork(db, Sink(), 8.0, clock=lambda: T0 - 600, validity=before)
    permit = register.issue(request(operator=CARD, level=level, end=START + timedelta(hours=hours)), "王工")
    assert permit.id == "DH-20261126-001" and permit.end - permit.start == timedelta(hours=hours)
    register.shut()
    return db


def restarted(tmp_path: Path, db: Path, scheme: dict[str, float] | None, **more: Any) -> RuleEngine:
    """The gateway started again on ``db`` with the site file's ``hot_work_permits: scheme``: its engine, told
    the kept permits by the register as sitegw/runtime.py builds it."""
    site = site_with(tmp_path / "after", scheme, **more)
    engine = RuleEngine(site)
    HotWork(db, engine, 8.0, clock=lambda: T0, validity=site.config.hot_work_permits)
    return engine


def welding(engine: RuleEngine, ts: float, heard: float | None = None) -> list[RuleResult]:
    """welder-1 at 150 A stamped ``ts``, heard by the gateway at ``heard`` (its stamp if None)."""
    batch = sample("welder-1", ts, current_a=150.0)
    return [
        r
        for r in engine.evaluate(batch, heard=ts if heard is None else heard).results
        if r.rule == UNPERMITTED
    ]


@pytest.mark.parametrize(
    ("at_h", "fired"),
    [(48 - 1 / 3600, False), (48, True), (50, True), (71, True)],
    ids=["1 s before 48 h", "at 48 h", "50 h", "71 h, inside the signed window"],
)
def test_a_二级_permit_signed_for_72_h_covers_no_welding_past_the_48_h_the_site_now_gives(
    tmp_path: Path, at_h: float, fired: bool
) -> None:
    engine = restarted(tmp_path, signed_for_72_h(tmp_path), {"level_2_h": 48})
    found = welding(engine, T0 + at_h * H)
    assert [r.level for r in found] == (["alarm"] if fired else [])
    if fired:
        said = found[0].message
        # Chinese first: the permit, the validity that applied, that it is the site's rule, what to do
        assert said.startswith(
            "3号楼5层1号电焊机（3号楼5层）焊机电流 150.0 A（空载阈值 10 A），正在动火作业，"
        )
        assert (
            "该地点的动火许可证 DH-20261126-001 已超过二级动火许可证有效期 48 小时（2 天）"
            "（本工地（企业）动火分级管理规定，工地文件 hot_work_permits.level_2_h，自作业时段开始起算），不再有效"
        ) in said
        assert said.endswith("后方可作业") and "立即停止动火" in said
        assert found[0].clause.startswith(
            "GB/T 50720-2011（2025年版）第6.3.1条第1款 动火作业应办理动火许可证"
        )


def test_the_same_permit_under_the_unchanged_scheme_covers_its_whole_window(tmp_path: Path) -> None:
    engine = restarted(tmp_path, signed_for_72_h(tmp_path), None)
    assert welding(engine, T0 + 50 * H) == [] and welding(engine, T0 + 72 * H - 1) == []
    assert [r.level for r in welding(engine, T0 + 72 * H)] == ["alarm"]  # its own end, as before
    assert "超出该地点动火许可证的作业时段" in welding(engine, T0 + 72 * H + 1)[0].message


def test_a_permit_naming_no_level_is_held_to_max_h_and_a_level_to_max_h_too(tmp_path: Path) -> None:
    # signed for a week with no level (max_h 168); the site's longest is now 3 days: 72 h from its start
    engine = restarted(tmp_path, signed_for_72_h(tmp_path, None, 168), {"max_h": 72, "level_3_h": 72})
    assert welding(engine, T0 + 72 * H - 1) == []
    said = welding(engine, T0 + 72 * H)[0].message
    assert (
        "已超过未注明级别动火许可证的最长有效期 72 小时（3 天）" in said and "hot_work_permits.max_h" in said
    )


def test_the_gateways_clock_not_the_machines_stamp_says_when_it_ran_out(tmp_path: Path) -> None:
    engine = restarted(tmp_path, signed_for_72_h(tmp_path), {"level_2_h": 48})
    # the machine's clock runs 3 h behind: it stamps 47 h, the gateway hears it at 50 h
    found = welding(engine, T0 + 47 * H, heard=T0 + 50 * H)
    assert [r.level for r in found] == ["alarm"] and "已超过二级动火许可证有效期 48 小时" in found[0].message


def test_at_the_lapse_the_fire_watch_alarm_ends_and_the_post_work_check_is_owed(tmp_path: Path) -> None:
    engine = restarted(tmp_path, signed_for_72_h(tmp_path), {"level_2_h": 48})

    def ticked(ts: float) -> list[tuple[str, str | None]]:
        return [(r.rule, r.level) for r in engine.tick(ts) if r.rule.startswith("hot_work.")]

    # its fire watch W-102 never badged in: the permit in force without its watch, until 48 h
    assert ticked(T0 + 48 * H - 1) == [("hot_work.fire_watch", "alarm")]
    found = [r for r in engine.tick(T0 + 48 * H) if r.rule.startswith("hot_work.")]
    assert [(r.rule, r.level) for r in found] == [
        ("hot_work.fire_watch", None),
        ("hot_work.unclosed", "warning"),
    ]
    watch, owed = found
    assert "已超过二级动火许可证有效期 48 小时（2 天）" in watch.message and "不再有效" in watch.message
    assert owed.point == "DH-20261126-001" and owed.message.startswith(
        "动火许可证 DH-20261126-001（3号楼5层，电焊）已于 11-28 08:00 超过二级动火许可证有效期 48 小时（2 天）"
    )
    assert owed.message.endswith(
        "未记录动火后现场检查：停止动火，检查作业点及周边（含下层、隐蔽处）确认无火灾危险后，记录检查并关闭许可证；"
        "需继续动火的，重新办理动火许可证"
    )


def test_a_camera_zone_under_the_lapsed_permit_is_suspected_unpermitted_hot_work(tmp_path: Path) -> None:
    zone = {"name": "5层焊接区", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]], "hot_work_at": [PLACE]}
    cameras = {"hang_timeout_s": 30, "cameras": [{"name": "cam-hot", "source": "x", "zones": [zone]}]}
    engine = restarted(tmp_path, signed_for_72_h(tmp_path), {"level_2_h": 48}, vision=cameras)
    found: list[RuleResult] = []
    for t in range(61):  # people in the zone from 48 h, a frame a second: 60 s (达到) fires it
        ts = T0 + 48 * H + t
        batch = sample("cam-hot", ts, point="5层焊接区", hot_work_persons=1.0)
        found += [r for r in engine.tick(ts) + engine.process(batch) if r.rule == ZONE_RULE]
    assert [r.level for r in found] == ["alarm"]
    assert "DH-20261126-001 已超过二级动火许可证有效期 48 小时（2 天）" in found[0].message


def test_an_unreadable_permit_covers_nothing_and_the_others_still_do(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = signed_for_72_h(tmp_path)
    with sqlite3.connect(db) as con:  # a second permit, for the other place, then the first damaged
        body = con.execute("SELECT body FROM permits").fetchone()[0]
        other = body.replace("DH-20261126-001", "DH-20261126-002").replace(PLACE, "2号楼3层")
        con.execute("INSERT INTO permits VALUES ('DH-20261126-002', ?, ?)", (other, T0))
        con.execute("UPDATE permits SET body = ? WHERE id = 'DH-20261126-001'", (body[: len(body) // 2],))
    engine = restarted(tmp_path, db, None)
    said = welding(engine, T0 + H)[0].message
    assert "无该地点的动火许可证（有效许可证的地点：2号楼3层）" in said
    assert (
        "hot-work permit DH-20261126-001" in caplog.text
        and "unreadable and covers no hot work" in caplog.text
    )
