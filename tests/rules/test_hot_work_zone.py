"""Hot work seen by a camera (docs/standards.md §18; issue 51 §3): a camera zone marked for hot work
(``hot_work_at: [3号楼5层]``) reports the people inside it on every frame; people there for the zone's settle
time while no permit is in force for 3号楼5层 are hot_work.zone_unpermitted (Chinese first, GB/T 50720-2011
（2025年版）§6.3.1(1), what to do), never while a permit's window is open, and a camera falling silent never clears it.

The camera's readings here are those vision's worker puts on the bus (tests/vision/test_hot_work_zone.py
drives them from a real photo through the person network and a real gateway to its API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.config import LoadedSite
from contract.config.errors import ConfigError
from contract.hot_work import Permit
from contract.readings import Quality, Reading
from kinds.welder.judge import probe_permit
from rules import RuleEngine, RuleResult
from tests.rules.sites import levels, sample, site_variant

T0 = datetime.fromisoformat("2026-11-26T08:00:00+08:00").timestamp()
ZONE = "5层焊接区"
PLACE = "3号楼5层"  # welder-1's place in the reference site
SETTLE_S = 60.0
HANG_S = 30.0  # vision.hang_timeout_s of the site below: the camera's silence limit
RULE = "hot_work.zone_unpermitted"


def hot_site(
    tmp_path: Path,
    places: list[str] | None = None,
    polygon: tuple[tuple[float, float], ...] = ((0, 0.5), (1, 0.5), (1, 1), (0, 1)),
    **site: Any,
) -> LoadedSite:
    """The reference site with camera cam-hot, whose zone 5层焊接区 (``polygon``, fractions of the frame)
    watches ``places`` (default 3号楼5层); ``site``: more of the site file."""

    def change(data: dict[str, Any]) -> None:
        zone = {
            "name": ZONE,
            "polygon": [list(p) for p in polygon],
            "hot_work_at": places or [PLACE],
            "hot_work_settle_s": SETTLE_S,
            "inertia": 1,
        }
        data["vision"] = {
            "hang_timeout_s": HANG_S,
            "cameras": [{"name": "cam-hot", "source": "x", "helmet": False, "zones": [zone]}],
        }
        data.update(site)

    return site_variant(tmp_path, change)


def seen(ts: float, persons: int, quality: Quality = Quality.OK) -> list[Reading]:
    return sample("cam-hot", ts, point=ZONE, quality=quality, hot_work_persons=float(persons))


def permit(place: str, start: float, end: float, closed: float | None = None) -> Permit:
    """A permit for ``place`` from ``start`` to ``end`` (closed at ``closed``), every measure confirmed."""
    begin = datetime.fromtimestamp(start, UTC)
    made = probe_permit(f"DH-{int(start)}", place, begin, datetime.fromtimestamp(end, UTC) - begin)
    return made.model_copy(update={"closed_ts": closed})


def watch(engine: RuleEngine, frames: list[list[Reading]]) -> list[RuleResult]:
    """Tick and judge each frame, as the live gateway does: the zone's verdicts."""
    out: list[RuleResult] = []
    for frame in frames:
        out += [r for r in engine.tick(frame[0].ts) + engine.process(frame) if r.rule == RULE]
    return out


def stay(first: float, last: float, persons: int = 2) -> list[list[Reading]]:
    """A frame a second from ``first`` to ``last`` (inclusive) with ``persons`` in the zone."""
    return [seen(first + t, persons) for t in range(int(last - first) + 1)]


@pytest.mark.parametrize(
    ("stayed_s", "fired"), [(SETTLE_S - 1, False), (SETTLE_S, True), (SETTLE_S + 1, True)]
)
def test_people_in_the_zone_for_the_settle_time_without_a_permit_are_an_alarm(
    tmp_path: Path, stayed_s: float, fired: bool
) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    engine.hot_work_picture("cam-hot", ZONE, "UElDVFVSRQ==")  # vision's latest picture of the zone
    found = watch(engine, stay(T0, T0 + stayed_s))
    assert levels(found) == (["alarm"] if fired else [])  # 达到: at the settle time it fires
    if fired:
        alarm = found[0]
        assert alarm.ts == T0 + SETTLE_S and (alarm.device, alarm.point, alarm.value) == (
            "cam-hot",
            ZONE,
            2.0,
        )
        assert alarm.message.startswith(
            "摄像头 cam-hot「5层焊接区」（动火区：3号楼5层）内有 2 人作业 60 s，无动火许可证，疑似无动火证作业："
            "立即到场核查：正在动火的，停止作业"
        )
        # the edition in force, §6.3.1(1) as the 2011 edition words it, and that it is unconfirmed in 2025's
        assert alarm.clause.startswith(
            "GB/T 50720-2011（2025年版）第6.3.1条第1款 动火作业应办理动火许可证，签发人应到现场确认防火措施落实后"
            "再签发（条文经GB 50720-2011核实，2025年版未核实）；公安部令第61号"
        )
        assert "推定正在动火（非明火、电弧识别）" in alarm.clause
        assert alarm.evidence == "UElDVFVSRQ==" and alarm.details["places"] == [PLACE]


def test_no_alert_while_a_permit_for_the_place_is_in_force_but_one_for_another_place_does_not_cover_it(
    tmp_path: Path,
) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    engine.set_permits([permit(PLACE, T0 - 60, T0 + 3600)])
    assert watch(engine, stay(T0, T0 + 300)) == []

    other = RuleEngine(hot_site(tmp_path))
    other.set_permits([permit("2号楼3层", T0 - 60, T0 + 3600)])
    found = watch(other, stay(T0, T0 + 120))
    assert levels(found) == ["alarm"]
    assert "无该地点的动火许可证（有效许可证的地点：2号楼3层）" in found[0].message


def test_a_window_that_ends_with_people_at_work_gives_them_the_settle_time_then_a_new_permit_clears_it(
    tmp_path: Path,
) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    engine.set_permits([permit(PLACE, T0 - 600, T0 + 100)])
    found = watch(engine, stay(T0, T0 + 100 + SETTLE_S - 1))
    assert found == []  # the window ended at +100: a minute to stop
    found = watch(engine, [seen(T0 + 100 + SETTLE_S, 2)])
    assert levels(found) == ["alarm"] and "超出该地点动火许可证的作业时段" in found[0].message
    engine.set_permits([permit(PLACE, T0 - 600, T0 + 100), permit(PLACE, T0 + 200, T0 + 3600)])
    ended = [r for r in engine.tick(T0 + 200) if r.rule == RULE]  # no frame needed: the permit says it
    assert levels(ended) == [None]
    assert ended[0].message == "摄像头 cam-hot「5层焊接区」（动火区：3号楼5层）已有有效动火许可证，已恢复正常"


def test_a_closed_permit_covers_nothing(tmp_path: Path) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    engine.set_permits([permit(PLACE, T0 - 600, T0 + 3600, closed=T0 - 10)])
    found = watch(engine, stay(T0, T0 + SETTLE_S))
    assert levels(found) == ["alarm"] and "该地点的动火许可证已关闭" in found[0].message


@pytest.mark.parametrize(("empty_s", "cleared"), [(SETTLE_S - 1, False), (SETTLE_S, True)])
def test_the_alarm_ends_once_the_camera_has_seen_the_zone_empty_for_the_settle_time(
    tmp_path: Path, empty_s: float, cleared: bool
) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    assert levels(watch(engine, stay(T0, T0 + SETTLE_S))) == ["alarm"]
    found = watch(engine, stay(T0 + SETTLE_S + 1, T0 + SETTLE_S + 1 + empty_s, persons=0))
    assert levels(found) == ([None] if cleared else [])
    if cleared:
        assert found[0].message.endswith("（动火区：3号楼5层）区内已无人员，已恢复正常")


def test_someone_crossing_the_zone_is_no_alert(tmp_path: Path) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    frames = [*stay(T0, T0 + 20), *stay(T0 + 21, T0 + 23, persons=0), *stay(T0 + 24, T0 + 24 + SETTLE_S - 1)]
    assert watch(engine, frames) == []  # three empty frames: the first stay is over, the second not yet


def test_a_camera_that_falls_silent_never_clears_the_alarm_and_says_it_is_silent(tmp_path: Path) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    assert levels(watch(engine, stay(T0, T0 + SETTLE_S))) == ["alarm"]
    later: list[RuleResult] = []
    for t in range(1, 600):
        later += [r for r in engine.tick(T0 + SETTLE_S + t) if r.rule == RULE]
    # stale counts of nobody are the camera's silence, not frames
    later += watch(engine, [seen(T0 + SETTLE_S + 600 + t, 0, Quality.STALE) for t in range(90)])
    assert [r.level for r in later] == ["alarm"]  # never cleared: said silent once, held
    assert "视频已中断 31 s，无法确认作业是否结束，告警保持" in later[0].message
    back = watch(engine, stay(T0 + 800, T0 + 800 + SETTLE_S, persons=0))
    assert [r.level for r in back] == ["alarm", None]  # back: what it sees; clear after a settled empty
    assert "视频已中断" not in back[0].message


def test_people_last_seen_inside_a_camera_that_fell_silent_are_taken_as_still_there(tmp_path: Path) -> None:
    engine = RuleEngine(hot_site(tmp_path))
    assert watch(engine, stay(T0, T0 + 20)) == []
    found = [r for t in range(21, 120) for r in engine.tick(T0 + t) if r.rule == RULE]
    assert levels(found) == ["alarm"] and found[0].ts == T0 + SETTLE_S
    assert "视频已中断 40 s" in found[0].message


def test_a_zone_watching_a_place_no_welder_serves_nor_the_site_lists_is_refused_naming_the_fix(
    tmp_path: Path,
) -> None:
    with pytest.raises(
        ConfigError,
        match=r"(?s)site.yaml:\d+: vision.cameras\[0\].zones\[0\].hot_work_at\[1\].*'3号楼5F'.*no welder or fire detector "
        r"serves.*3号楼5层.*write the place as the permits name it, or add it to the site's hot_work_places",
    ):
        hot_site(tmp_path, [PLACE, "3号楼5F"])
    engine = RuleEngine(hot_site(tmp_path, ["钢筋加工棚"], hot_work_places=["钢筋加工棚"]))
    assert levels(watch(engine, stay(T0, T0 + SETTLE_S))) == ["alarm"]


def test_a_zone_cannot_be_both_a_machines_exclusion_zone_and_a_hot_work_place(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        zone = {
            "name": ZONE,
            "polygon": [[0, 0], [1, 0], [1, 1]],
            "hot_work_at": [PLACE],
            "exclusion_of": "crane-1",
        }
        data["vision"] = {"cameras": [{"name": "cam-hot", "source": "x", "zones": [zone]}]}

    with pytest.raises(ConfigError, match=r"both exclusion_of and hot_work_at.*draw a second zone"):
        site_variant(tmp_path, change)


def test_permits_a_day_apart_are_judged_by_their_times(tmp_path: Path) -> None:
    """A permit for yesterday does not cover today's work."""
    engine = RuleEngine(hot_site(tmp_path))
    day = timedelta(days=1).total_seconds()
    engine.set_permits([permit(PLACE, T0 - day, T0 - day + 3600)])
    assert levels(watch(engine, stay(T0, T0 + SETTLE_S))) == ["alarm"]
