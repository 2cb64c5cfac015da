"""The exclusion zone (警戒区) of an 安拆 window kept by a camera (docs/standards.md §10, §19; issue 51 §2): a
camera zone the site file names as crane-1's (``exclusion_of``) reports the people inside it on every
frame; while crane-1's window is open, anyone inside is an alarm (Chinese first, the clause, what to do), and
the camera silent for longer than vision's hang timeout is a warning, never an all-clear.

The camera's readings here are those vision's worker puts on the bus (tests/vision/test_install_zone.py
drives them from a real photo through the person network)."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.config import LoadedSite
from contract.config.errors import ConfigError
from contract.readings import Quality, Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import levels, sample, site_variant

T0 = datetime.fromisoformat("2026-11-26T08:00:00+08:00").timestamp()
ZONE = "塔吊安拆警戒区"
HANG_S = 30.0  # vision.hang_timeout_s of the site below: the camera's silence limit
ERECT, CLOSED = 1.0, 0.0
CREW_IN = [sample("gate-1", T0 + i, point=p, on_site=1.0) for i, p in enumerate(("AZ-11", "AZ-12", "KP-04"))]


def zone_site(
    tmp_path: Path,
    exclusion_of: str = "crane-1",
    zones: int = 1,
    polygon: tuple[tuple[float, float], ...] = ((0, 0.5), (1, 0.5), (1, 1), (0, 1)),
) -> LoadedSite:
    """The reference site with camera cam-crane, whose zone 塔吊安拆警戒区 (``polygon``, fractions of the
    frame; ``zones`` of them) is ``exclusion_of``'s exclusion zone."""

    def change(data: dict[str, Any]) -> None:
        zone = {"polygon": [list(p) for p in polygon], "exclusion_of": exclusion_of, "inertia": 1}
        drawn = [{**zone, "name": f"{ZONE}{i or ''}"} for i in range(zones)]
        data["vision"] = {
            "hang_timeout_s": HANG_S,
            "cameras": [
                {"name": "cam-crane", "source": "x", "helmet": False, "motion_gate": False, "zones": drawn}
            ],
        }

    return site_variant(tmp_path, change)


def seen(ts: float, persons: int, zone: str = ZONE, quality: Quality = Quality.OK) -> list[Reading]:
    return sample("cam-crane", ts, point=zone, quality=quality, exclusion_persons=float(persons))


def window(ts: float, stage: float) -> list[Reading]:
    return sample("crane-1", ts, install_active=stage)


def run(engine: RuleEngine, batches: list[list[Reading]], point: str) -> list[RuleResult]:
    out: list[RuleResult] = []
    for batch in batches:
        found = engine.tick(batch[0].ts) + engine.process(batch)
        out.extend(r for r in found if r.rule == "crane.install" and r.point == point)
    return out


def test_a_person_inside_while_the_window_is_open_is_an_alarm_until_the_zone_is_empty(tmp_path: Path) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    batches = [*CREW_IN, seen(T0 + 59, 0), window(T0 + 60, ERECT), seen(T0 + 61, 2)]
    batches += [seen(T0 + 62, 0), seen(T0 + 63, 0)]  # two empty frames: a worker hidden for a moment
    found = run(engine, batches, "exclusion")
    assert levels(found) == [None, "alarm"]
    assert levels(run(engine, [seen(T0 + 64, 0)], "exclusion")) == [None]  # the third: the zone is empty
    alarm = next(r for r in found if r.level)
    assert alarm.message.startswith("1号塔吊安装警戒区（摄像头 cam-crane「塔吊安拆警戒区」）内发现 2 人")
    assert "立即暂停安拆作业，清退警戒区内人员" in alarm.message
    assert "建设部令第166号" in alarm.clause and "警戒区" in alarm.clause
    assert alarm.value == 2.0


@pytest.mark.parametrize("broken", [math.nan, math.inf, -1.0])
def test_a_broken_count_neither_clears_the_alarm_nor_counts_as_an_empty_frame(
    tmp_path: Path, broken: float
) -> None:
    # no count a frame can give: neither anyone seen nor the zone empty (it used to raise on NaN)
    engine = RuleEngine(zone_site(tmp_path))
    batches = [*CREW_IN, window(T0 + 60, ERECT), seen(T0 + 61, 2)]
    bad = [sample("cam-crane", T0 + 62 + i, point=ZONE, exclusion_persons=broken) for i in range(5)]
    assert levels(run(engine, [*batches, *bad], "exclusion")) == [None, "alarm"]  # held through them
    two = levels(run(engine, [seen(T0 + 70, 0), seen(T0 + 71, 0)], "exclusion"))
    assert None not in two  # the broken counts were no empty frames: two real ones still hold it
    assert levels(run(engine, [seen(T0 + 72, 0)], "exclusion")) == [None]


def test_people_inside_while_no_window_is_open_are_no_alert(tmp_path: Path) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    batches = [*CREW_IN, seen(T0 + 60, 3), seen(T0 + 61, 3), seen(T0 + 62, 3)]
    assert run(engine, batches, "exclusion") == []


def test_someone_already_inside_when_the_window_opens_is_an_alarm_at_once_and_it_clears_when_it_closes(
    tmp_path: Path,
) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    batches = [
        *CREW_IN,
        seen(T0 + 59, 1),
        window(T0 + 60, ERECT),
        window(T0 + 600, CLOSED),
        seen(T0 + 601, 1),
    ]
    found = run(engine, batches, "exclusion")
    assert levels(found) == ["alarm", None]
    assert found[-1].message.startswith("1号塔吊安拆作业结束，警戒区解除")


@pytest.mark.parametrize(("silent_s", "level"), [(HANG_S - 1, None), (HANG_S, None), (HANG_S + 1, "warning")])
def test_a_camera_silent_longer_than_the_hang_timeout_is_a_warning(
    tmp_path: Path, silent_s: float, level: str | None
) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    run(engine, [*CREW_IN, seen(T0 + 59, 0), window(T0 + 60, ERECT)], "exclusion_watch")
    found = [r for r in engine.tick(T0 + 59 + silent_s) if r.point == "exclusion_watch"]
    assert [r.level for r in found if r.level] == ([level] if level else [])
    if level:
        assert (
            "视频中断 31 s，警戒区无人看守" in found[0].message and "派专人现场看守警戒区" in found[0].message
        )


def test_a_camera_that_falls_silent_with_people_inside_never_clears_the_alarm(tmp_path: Path) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    batches = [*CREW_IN, window(T0 + 60, ERECT), seen(T0 + 61, 1)]
    assert levels(run(engine, batches, "exclusion")) == [None, "alarm"]
    later: list[RuleResult] = []
    for t in range(62, 62 + 300):
        later += engine.tick(T0 + t)
    later += engine.process(seen(T0 + 400, 0, quality=Quality.STALE))  # a stale count is no frame
    assert [r.level for r in later if r.point == "exclusion"] == []  # no clear: still firing
    assert "warning" in [r.level for r in later if r.point == "exclusion_watch"]
    back = [r for t in (401, 402, 403) for r in engine.process(seen(T0 + t, 0)) if r.point == "exclusion"]
    assert [r.level for r in back] == ["alarm", "alarm", None]  # frames again: clear at the third empty one


def test_a_camera_never_heard_is_a_warning_once_the_window_has_been_open_the_hang_timeout(
    tmp_path: Path,
) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    found = run(engine, [*CREW_IN, window(T0 + 60, ERECT)], "exclusion_watch")
    assert [r.level for r in found] == [None]  # just opened: the first frame is on its way
    assert [r.level for r in engine.tick(T0 + 60 + HANG_S + 1) if r.point == "exclusion_watch"] == ["warning"]
    assert [r.level for r in engine.process(seen(T0 + 100, 0)) if r.point == "exclusion_watch"] == [None]


def test_a_zone_of_another_camera_or_name_is_not_the_cranes(tmp_path: Path) -> None:
    engine = RuleEngine(zone_site(tmp_path))
    batches = [*CREW_IN, seen(T0 + 59, 0), window(T0 + 60, ERECT), seen(T0 + 61, 2, zone="卸料平台下方")]
    assert levels(run(engine, batches, "exclusion")) == [None]


def test_an_exclusion_zone_of_no_crane_or_hoist_is_refused_naming_the_fix(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"(?s)site.yaml:\d+: vision.cameras\[0\].zones\[0\].exclusion_of.*pit-1.*not a crane or hoist"
        r".*name a crane's or hoist's id",
    ):
        zone_site(tmp_path, exclusion_of="pit-1")
    with pytest.raises(ConfigError, match=r"second exclusion zone of crane-1"):
        zone_site(tmp_path, zones=2)
