"""The hot-work permit register (gateway/site/hot_work.py) on its real SQLite: what issuing refuses, at and
either side of each line §18 draws (the card's last valid day against the window's last day, 2
extinguishers, the company scheme's default validities: test_hot_work_validity.py sets the site's own),
closing with the check, the day's permits for the safety log, and the permits handed to the rules again
after a restart."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.hot_work import FireWatch, GasCylinders, Operator, Permit, PermitRequest
from gateway.site.hot_work import HotWork
from gateway.site.site_work import WorkError

START = datetime.fromisoformat("2026-11-26T08:00:00+08:00")
NOW = START.timestamp() - 600


class Sink:
    """What the engine hears: the permits handed over last."""

    def __init__(self) -> None:
        self.permits: list[Permit] = []

    def set_permits(self, permits: list[Permit]) -> None:
        self.permits = permits


def request(**changes: Any) -> PermitRequest:
    fields: dict[str, Any] = {
        "place": "3号楼5层",
        "start": START,
        "end": START + timedelta(hours=9),
        "operator": Operator(
            name="张三", person_id="W-101", certificate_no="T1", valid_until=date(2026, 11, 26)
        ),
        "fire_watch": FireWatch(name="李四", person_id="W-102"),
        "extinguishers": 2,
        "extinguishers_checked": True,
        "combustibles_cleared": True,
    }
    fields.update(changes)
    return PermitRequest(**fields)


@pytest.fixture
def register(tmp_path: Path) -> tuple[HotWork, Sink]:
    sink = Sink()
    return HotWork(tmp_path / "hot_work.sqlite", sink, 8.0, clock=lambda: NOW), sink


def watch(n: int) -> FireWatch:
    """A fire watch of their own for the n-th permit over the same hours (§6.3.1(6): one permit each)."""
    return FireWatch(name=f"监火人{n}", person_id=f"W-9{n:02d}")


def test_each_line_of_section_18_at_and_either_side(register: tuple[HotWork, Sink]) -> None:
    hot_work, sink = register
    card = request().operator
    # the card valid to the window's last day (site time) is enough; a day short is not
    assert hot_work.issue(request(), "王工").id == "DH-20261126-001"
    short = card.model_copy(update={"valid_until": date(2026, 11, 25)})
    with pytest.raises(
        WorkError,
        match=r"^动火操作人 张三 .*有效期至 2026-11-25，早于作业结束日 2026-11-26.* valid until 2026-11-25, before",
    ):
        hot_work.issue(request(operator=short), "王工")
    # a window ending at 00:30 on the 27th (site time) needs the card valid on the 27th
    with pytest.raises(WorkError, match="before the window ends on 2026-11-27"):
        hot_work.issue(request(end=START + timedelta(hours=16, minutes=30)), "王工")
    # 2 extinguishers, checked, at least
    assert hot_work.issue(request(extinguishers=3, fire_watch=watch(1)), "王工").extinguishers == 3
    for changes in ({"extinguishers": 1}, {"extinguishers_checked": False}):
        with pytest.raises(
            WorkError, match=r"^灭火器 .*不少于 2 具灭火器.* at least 2 at the place, checked"
        ):
            hot_work.issue(request(**changes), "王工")
    # 7 days at most
    week = card.model_copy(update={"valid_until": date(2026, 12, 31)})
    assert hot_work.issue(request(operator=week, end=START + timedelta(days=7), fire_watch=watch(2)), "王工")
    with pytest.raises(WorkError, match="longest validity of a permit naming no level, 168 h"):
        hot_work.issue(request(operator=week, end=START + timedelta(days=7, minutes=1)), "王工")
    # a permit of an approval level: 一级 1 day, 二级 3 days, 三级 a week (company practice, standards.md §18)
    for n, (level, days) in enumerate((("一级", 1), ("二级", 3), ("三级", 7)), start=3):
        assert hot_work.issue(
            request(operator=week, level=level, end=START + timedelta(days=days), fire_watch=watch(n)), "王工"
        )
        with pytest.raises(WorkError, match=f"longer than a {level} permit's validity, {days * 24} h"):
            hot_work.issue(
                request(operator=week, level=level, end=START + timedelta(days=days, minutes=1)), "王工"
            )
    with pytest.raises(WorkError, match=r"^结束时间 .* 不晚于开始时间 .* End .* is not after start"):
        hot_work.issue(request(end=START), "王工")
    with pytest.raises(WorkError, match="a watch of its own"):
        hot_work.issue(request(fire_watch=FireWatch(name="张三", person_id="W-101")), "王工")
    with pytest.raises(
        WorkError, match=r"^未确认清理可燃物.*第6.3.1条第3款.* combustibles_cleared must be true"
    ):
        hot_work.issue(request(combustibles_cleared=False), "王工")
    assert [p.id for p in sink.permits][-3:] == ["DH-20261126-003", "DH-20261126-002", "DH-20261126-001"]
    assert len(sink.permits) == 6


def test_closing_needs_the_check_and_the_rules_hear_of_it_after_a_restart(
    register: tuple[HotWork, Sink], tmp_path: Path
) -> None:
    hot_work, sink = register
    permit = hot_work.issue(request(), "王工")
    with pytest.raises(WorkError, match=r"^DH-\S+：关闭须确认动火后检查.*第6.3.1条第8款.*§6.3.1\(8\)"):
        hot_work.close(permit.id, "王工", checked=False)
    closed = hot_work.close(permit.id, "刘安全员", checked=True)
    assert closed.closed_ts == NOW and closed.closed_by == "刘安全员" and sink.permits == [closed]
    with pytest.raises(
        WorkError, match=r"^动火许可证 DH-\S+ 已由 刘安全员 关闭。 Permit .* already closed by 刘安全员"
    ):
        hot_work.close(permit.id, "王工", checked=True)
    with pytest.raises(WorkError, match=r"^没有动火许可证 'DH-0'.* No hot-work permit 'DH-0'"):
        hot_work.close("DH-0", "王工", checked=True)
    assert [p.id for p in hot_work.of_day(date(2026, 11, 26))] == [permit.id]
    assert hot_work.of_day(date(2026, 11, 25)) == [] and hot_work.of_day(date(2026, 11, 27)) == []
    hot_work.shut()

    again = Sink()
    HotWork(tmp_path / "hot_work.sqlite", again, 8.0, clock=lambda: NOW + 86400).shut()
    assert again.permits == [closed]  # a restart tells the rules the permits it keeps
    late = Sink()
    HotWork(tmp_path / "hot_work.sqlite", late, 8.0, clock=lambda: NOW + 31 * 86400).shut()
    assert late.permits == []  # closed more than 30 days ago: history only


def test_a_fire_watch_watches_one_permit_at_a_time(register: tuple[HotWork, Sink]) -> None:
    """GB 50720 §6.3.1(6): 每个动火作业点均应设置1个监护人. A badge already watching a permit in force over part of
    the window is refused, naming the permit it watches; a window that only touches its end, or a permit
    closed, leaves them free."""
    hot_work, _ = register
    first = hot_work.issue(request(), "王工")  # 08:00–17:00 at 3号楼5层, watched by 李四 (W-102)
    elsewhere = {"place": "2号楼屋面"}
    with pytest.raises(WorkError) as caught:
        hot_work.issue(request(**elsewhere, start=START + timedelta(hours=8, minutes=59)), "王工")
    said = str(caught.value)
    assert said.startswith("监火人（fire_watch）李四（W-102）已是动火许可证 " + first.id) and "\n" not in said
    assert "每个动火作业点均应设置1个监护人" in said and "第6.3.1条第6款" in said
    assert "另行指定监火人" in said and "name another fire watch" in said
    with pytest.raises(
        WorkError, match=f"already watches permit {first.id}"
    ):  # it starts before, ends within
        hot_work.issue(
            request(**elsewhere, start=START - timedelta(hours=1), end=START + timedelta(minutes=1)), "王工"
        )
    # the same badge with another name is the same person: the badge is who the gates see
    with pytest.raises(WorkError, match="fire_watch"):
        hot_work.issue(request(**elsewhere, fire_watch=FireWatch(name="李小四", person_id="W-102")), "王工")
    # windows that do not overlap (the first's end is not inside it: [start, end)), or another watch: accepted
    after = hot_work.issue(
        request(**elsewhere, start=START + timedelta(hours=9), end=START + timedelta(hours=12)), "王工"
    )
    assert after.fire_watch.person_id == "W-102"
    assert hot_work.issue(request(**elsewhere, fire_watch=FireWatch(name="王五", person_id="W-103")), "王工")
    # once the first permit is closed (post-work check done) its watch is free for a permit over the same hours
    hot_work.close(first.id, "刘安全员", checked=True)
    assert hot_work.issue(request(**elsewhere), "王工").fire_watch.person_id == "W-102"


def test_a_permit_past_its_levels_validity_no_longer_holds_its_watch(tmp_path: Path) -> None:
    """In force is the module's own notion (contract/hot_work.py): a 一级 permit signed 08:00–17:00 covers
    only its level's validity; here the site's scheme gives 一级 8 h, so from 16:00 its watch is free."""
    from contract.config.hot_work_permits import HotWorkPermitsConfig

    scheme = HotWorkPermitsConfig(level_1_h=9)
    hot_work = HotWork(tmp_path / "a.sqlite", Sink(), 8.0, clock=lambda: NOW, validity=scheme)
    hot_work.issue(request(level="一级"), "王工")
    hot_work.shut()
    shorter = HotWork(
        tmp_path / "a.sqlite", Sink(), 8.0, clock=lambda: NOW, validity=HotWorkPermitsConfig(level_1_h=8)
    )
    later = {"place": "2号楼屋面", "start": START + timedelta(hours=8), "end": START + timedelta(hours=10)}
    assert shorter.issue(request(**later), "王工")
    with pytest.raises(WorkError, match="fire_watch"):
        shorter.issue(request(**{**later, "start": START + timedelta(hours=7, minutes=59)}), "王工")


def test_the_operator_named_as_fire_watch_is_refused_without_badges_to_tell_them_apart(
    register: tuple[HotWork, Sink],
) -> None:
    hot_work, _ = register
    operator = request().operator
    no_badge = operator.model_copy(update={"name": "李四", "person_id": ""})
    with pytest.raises(WorkError) as caught:
        hot_work.issue(request(operator=no_badge), "王工")  # watched by 李四 (W-102)
    said = str(caught.value)
    assert said.startswith("监火人（fire_watch）李四") and "即动火操作人" in said and "\n" not in said
    assert "a watch of its own" in said and "operator.person_id" in said
    with pytest.raises(WorkError, match="a watch of its own"):  # spaces around a name change no one
        hot_work.issue(request(operator=no_badge.model_copy(update={"name": " 李 四 "})), "王工")
    # two people of one name, told apart by their badges, are two people
    namesake = operator.model_copy(update={"name": "李四", "person_id": "W-201"})
    assert hot_work.issue(request(operator=namesake), "王工").operator.name == "李四"


def cylinders(**changes: Any) -> GasCylinders:
    """Gas welding's cylinders as checked: 5 m apart, 10 m from the flame (on both lines), regulators sound."""
    return GasCylinders(**({"apart_m": 5.0, "to_flame_m": 10.0, "regulators_checked": True} | changes))


def test_gas_welding_is_signed_only_with_its_cylinders_checked(register: tuple[HotWork, Sink]) -> None:
    """§18, §6.3.3: gas welding records its cylinders; the oxygen and fuel-gas cylinders at least (不小于) 5 m
    apart and 10 m from the flame [U] (on a line is enough, a tenth short is not); a regulator or flashback
    arrestor not checked sound refuses it (§6.3.3(1), mandatory). Electric welding needs none."""
    hot_work, _ = register
    with pytest.raises(WorkError, match=r"^气焊须记录气瓶检查.*第6\.3\.3条.*Gas welding needs its cylinders"):
        hot_work.issue(request(method="gas_welding"), "王工")
    with pytest.raises(WorkError, match=r"^未确认气瓶减压器、回火防止器完好.*第6\.3\.3条第1款（强制性条文）"):
        hot_work.issue(request(method="gas_welding", cylinders=cylinders(regulators_checked=False)), "王工")
    for field, short, least in (("apart_m", 4.9, 5), ("to_flame_m", 9.9, 10)):
        with pytest.raises(WorkError, match=rf"小于 {least} m（cylinders\.{field}；.* less than {least} m"):
            hot_work.issue(request(method="gas_welding", cylinders=cylinders(**{field: short})), "王工")
    for n, kept in enumerate((cylinders(), cylinders(apart_m=5.1, to_flame_m=10.1)), 1):
        issued = hot_work.issue(request(method="gas_welding", cylinders=kept, fire_watch=watch(n)), "王工")
        assert issued.cylinders == kept
    # cutting gives its cylinders where it uses gas, and they are checked as gas welding's
    with pytest.raises(WorkError, match=r"cylinders\.to_flame_m"):
        hot_work.issue(
            request(method="cutting", cylinders=cylinders(to_flame_m=3.0), fire_watch=watch(9)), "王工"
        )
    assert hot_work.issue(request(fire_watch=watch(8)), "王工").cylinders is None
