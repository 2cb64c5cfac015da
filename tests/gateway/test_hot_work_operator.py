"""A hot-work permit's operator against the site's operators roster (gateway/site/hot_work_operator.py), written
from docs/standards.md §18 and §19: 电焊、气焊等动火作业人员必须持证上岗 (消防法 Art. 21, GB 50720-2011 §6.3.1(2)),
and each card's state and expiry are the issuer's register's (§19: store certState and expiringDate, never compute
them; only certState 01 lets its holder work). Where the roster holds the operator's badge with the card the request
names, the register decides; another card of theirs, or a person not on the roster, is judged on the request's card."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from contract.config.crane import Operator as RosterEntry
from gateway.site.hot_work import HotWork
from gateway.site.site_work import WorkError
from tests.gateway.test_hot_work_register import NOW, START, Sink, request

CARD = {"id": "W-101", "name": "张三", "trade": "other", "licence_no": "T1"}


def register(tmp_path: Path, **entry: Any) -> HotWork:
    return HotWork(
        tmp_path / "hot_work.sqlite", Sink(), 8.0, clock=lambda: NOW, roster=[RosterEntry(**entry)]
    )


@pytest.mark.parametrize(
    ("state", "zh"),
    [
        ("suspended", "暂扣"),
        ("revoked", "吊销"),
        ("withdrawn", "撤销"),
        ("cancelled", "注销"),
        ("lapsed", "失效"),
    ],
)
def test_a_card_the_register_holds_as_not_valid_is_refused_whatever_the_request_says(
    tmp_path: Path, state: str, zh: str
) -> None:
    hot_work = register(tmp_path, **CARD, state=state, valid_until=date(2027, 6, 30))
    with pytest.raises(
        WorkError, match=rf"^动火操作人 张三（W-101）的证书 T1 在登记中为{zh}.*消防法 第二十一条"
    ):
        hot_work.issue(
            request(), "王工"
        )  # the request's card says valid to 2026-11-26, the window's last day
    assert hot_work.all() == []


def test_the_registers_expiry_is_judged_against_the_windows_last_day_at_and_either_side(
    tmp_path: Path,
) -> None:
    """The request types 2026-12-31; the register says the card ends on the window's last day (enough), or the
    day before (refused, naming the register's date)."""
    late = request().operator.model_copy(update={"valid_until": date(2026, 12, 31)})
    on_the_day = register(tmp_path / "a", **CARD, valid_until=date(2026, 11, 26))
    assert on_the_day.issue(request(operator=late), "王工").operator.name == "张三"
    short = register(tmp_path / "b", **CARD, valid_until=date(2026, 11, 25))
    with pytest.raises(
        WorkError, match=r"在登记中有效期至 2026-11-25，早于作业结束日 2026-11-26.*in the register"
    ):
        short.issue(request(operator=late), "王工")
    unknown = register(tmp_path / "c", **CARD, valid_until=None)
    with pytest.raises(WorkError, match="在登记中无有效期"):
        unknown.issue(request(operator=late), "王工")
    # a window ending after midnight (site time) needs the register's card valid on the next day
    with pytest.raises(WorkError, match="早于作业结束日 2026-11-27"):
        on_the_day.issue(request(operator=late, end=START + timedelta(hours=16, minutes=30)), "王工")


def test_another_card_of_theirs_or_a_person_off_the_roster_is_judged_on_the_requests_card(
    tmp_path: Path,
) -> None:
    """A welder's 应急管理部 card is not among 75号's categories: the roster may list their 建筑电工 card (another
    number), whose state says nothing of the welding card the signer checked."""
    electrician = register(
        tmp_path / "a", **{**CARD, "licence_no": "DG-7", "trade": "electrician"}, state="suspended"
    )
    assert electrician.issue(request(), "王工").operator.certificate_no == "T1"
    someone_else = register(tmp_path / "b", **{**CARD, "id": "W-555"}, state="revoked")
    assert someone_else.issue(request(), "王工").operator.person_id == "W-101"
    no_badge = request().operator.model_copy(update={"person_id": ""})
    assert register(tmp_path / "c", **CARD, state="revoked").issue(request(operator=no_badge), "王工")
