"""How long a hot-work permit may run is the site's (its company's) scheme, not a national standard
(docs/standards.md §18: GB 50720 defines no levels): the site file's ``hot_work_permits`` reaches the
register as the gateway builds it (sitegw/runtime.py), and issuing refuses a window past its level's
validity at, below and above the line, saying in Chinese first which validity applied and whose rule it is."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from contract.config import load_site
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import FireWatch
from gateway.site.hot_work import HotWork
from gateway.site.site_work import WorkError
from tests.gateway.test_hot_work_register import NOW, START, Sink, request

EXAMPLE = Path(__file__).parents[2] / "config" / "examples" / "site.yaml"
CARD = request().operator.model_copy(update={"valid_until": date(2026, 12, 31)})  # past every window here


def validity_of(tmp_path: Path, section: str) -> HotWorkPermitsConfig:
    """The example site with ``section`` appended, loaded as ``sitegw run`` loads it."""
    path = tmp_path / "site.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + section, encoding="utf-8")
    return load_site(path, env={}).config.hot_work_permits


def register(tmp_path: Path, validity: HotWorkPermitsConfig) -> HotWork:
    return HotWork(tmp_path / "hot_work.sqlite", Sink(), 8.0, clock=lambda: NOW, validity=validity)


def refusal(hot_work: HotWork, level: str | None, span: timedelta) -> str:
    with pytest.raises(WorkError) as caught:
        hot_work.issue(request(operator=CARD, level=level, end=START + span), "王工")
    return str(caught.value)


def issued(hot_work: HotWork, level: str | None, span: timedelta) -> bool:
    """A permit over ``span`` from START signed; each with a fire watch of its own (one per permit over the
    same hours, §6.3.1(6))."""
    n = len(hot_work.all()) + 1
    watch = FireWatch(name=f"监火人{n}", person_id=f"W-9{n:02d}")
    permit = hot_work.issue(request(operator=CARD, level=level, end=START + span, fire_watch=watch), "王工")
    return permit.end - permit.start == span


def test_a_二级_permit_runs_3_days_by_default(tmp_path: Path) -> None:
    hot_work = register(tmp_path, validity_of(tmp_path, ""))  # the example site says nothing: the defaults
    assert issued(hot_work, "二级", timedelta(hours=71))
    assert issued(hot_work, "二级", timedelta(days=3))  # the line itself is inside
    said = refusal(hot_work, "二级", timedelta(days=3, seconds=1))
    # Chinese first: the validity that applied, that it is the site's (company's) rule and where it is set,
    # the clause the register cites (company practice [U], §18), and what to do
    assert said.startswith("作业时段 2026-11-26T08:00:00+08:00 至 2026-11-29T08:00:01+08:00")
    assert "超过二级动火许可证的有效期 72 小时（3 天）" in said
    assert "本工地（企业）的规定（工地文件 hot_work_permits.level_2_h）" in said
    assert "企业做法 [U]，docs/standards.md §18；GB 50720-2011 未规定分级" in said
    assert "请按每段作业分别办理动火许可证" in said
    assert "the site's (company's) rule (hot_work_permits.level_2_h; company practice [U], §18)" in said
    assert said.index("作业时段") < said.index("The window")


def test_the_sites_2_days_for_二级_reach_the_register(tmp_path: Path) -> None:
    validity = validity_of(tmp_path, "\nhot_work_permits:\n  level_2_h: 48   # our company: 二级 2 days\n")
    assert validity.level_2_h == 48 and validity.level_1_h == 24 and validity.level_3_h == 168
    hot_work = register(tmp_path, validity)
    assert issued(hot_work, "二级", timedelta(hours=47))
    assert issued(hot_work, "二级", timedelta(days=2))
    said = refusal(hot_work, "二级", timedelta(days=2, seconds=1))
    assert "超过二级动火许可证的有效期 48 小时（2 天）" in said and "hot_work_permits.level_2_h" in said
    assert "72 小时" not in said and "72 h" not in said  # the default no longer applies
    assert "超过二级动火许可证的有效期 48 小时" in refusal(hot_work, "二级", timedelta(days=3))
    # the other levels keep theirs: a 三级 permit still runs its week
    assert issued(hot_work, "三级", timedelta(days=7))


def test_a_permit_naming_no_level_runs_the_sites_longest(tmp_path: Path) -> None:
    hot_work = register(
        tmp_path,
        validity_of(
            tmp_path, "\nhot_work_permits: {max_h: 12, level_1_h: 8, level_2_h: 12, level_3_h: 12}\n"
        ),
    )
    assert issued(hot_work, None, timedelta(hours=12))
    said = refusal(hot_work, None, timedelta(hours=12, minutes=1))
    assert "超过未注明级别动火许可证的最长有效期 12 小时：" in said and "hot_work_permits.max_h" in said
    assert issued(hot_work, "一级", timedelta(hours=8))
    assert "一级动火许可证的有效期 8 小时" in refusal(hot_work, "一级", timedelta(hours=9))
