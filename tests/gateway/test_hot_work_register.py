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

from contract.hot_work import FireWatch, Operator, Permit, PermitRequest
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


def test_each_line_of_section_18_at_and_either_side(register: tuple[HotWork, Sink]) -> None:
    hot_work, sink = register
    card = request().operator
    # the card valid to the window's last day (site time) is enough; a day short is not
    assert hot_work.issue(request(), "王工").id == "DH-20261126-001"
    short = card.model_copy(update={"valid_until": date(2026, 11, 25)})
    with pytest.raises(WorkError, match="valid until 2026-11-25, before the window ends on 2026-11-26"):
        hot_work.issue(request(operator=short), "王工")
    # a window ending at 00:30 on the 27th (site time) needs the card valid on the 27th
    with pytest.raises(WorkError, match="before the window ends on 2026-11-27"):
        hot_work.issue(request(end=START + timedelta(hours=16, minutes=30)), "王工")
    # 2 extinguishers, checked, at least
    assert hot_work.issue(request(extinguishers=3), "王工").extinguishers == 3
    for changes in ({"extinguishers": 1}, {"extinguishers_checked": False}):
        with pytest.raises(WorkError, match="at least 2 at the place, checked"):
            hot_work.issue(request(**changes), "王工")
    # 7 days at most
    week = card.model_copy(update={"valid_until": date(2026, 12, 31)})
    assert hot_work.issue(request(operator=week, end=START + timedelta(days=7)), "王工")
    with pytest.raises(WorkError, match="longest validity of a permit naming no level, 168 h"):
        hot_work.issue(request(operator=week, end=START + timedelta(days=7, minutes=1)), "王工")
    # a permit of an approval level: 一级 1 day, 二级 3 days, 三级 a week (company practice, standards.md §18)
    for level, days in (("一级", 1), ("二级", 3), ("三级", 7)):
        assert hot_work.issue(request(operator=week, level=level, end=START + timedelta(days=days)), "王工")
        with pytest.raises(WorkError, match=f"longer than a {level} permit's validity, {days * 24} h"):
            hot_work.issue(
                request(operator=week, level=level, end=START + timedelta(days=days, minutes=1)), "王工"
            )
    with pytest.raises(WorkError, match="is not after start"):
        hot_work.issue(request(end=START), "王工")
    with pytest.raises(WorkError, match="a watch of its own"):
        hot_work.issue(request(fire_watch=FireWatch(name="张三", person_id="W-101")), "王工")
    with pytest.raises(WorkError, match="combustibles_cleared must be true"):
        hot_work.issue(request(combustibles_cleared=False), "王工")
    assert [p.id for p in sink.permits][-3:] == ["DH-20261126-003", "DH-20261126-002", "DH-20261126-001"]
    assert len(sink.permits) == 6


def test_closing_needs_the_check_and_the_rules_hear_of_it_after_a_restart(
    register: tuple[HotWork, Sink], tmp_path: Path
) -> None:
    hot_work, sink = register
    permit = hot_work.issue(request(), "王工")
    with pytest.raises(WorkError, match=r"§6.3.1\(8\)"):
        hot_work.close(permit.id, "王工", checked=False)
    closed = hot_work.close(permit.id, "刘安全员", checked=True)
    assert closed.closed_ts == NOW and closed.closed_by == "刘安全员" and sink.permits == [closed]
    with pytest.raises(WorkError, match="already closed by 刘安全员"):
        hot_work.close(permit.id, "王工", checked=True)
    with pytest.raises(WorkError, match="no hot-work permit 'DH-0'"):
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
