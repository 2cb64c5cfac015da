"""What an 安拆 window needs on paper, written from docs/standards.md §19: "an 安拆/jacking window may open only with
(a) a 告知 record, (b) plan approvals (plus expert review when 超规模) … else critical, Art. 4(三)/(四)", and the
installer "holds the construction authority's 资质 and a 安全生产许可证" (建设部令第166号 第十条). crane.install's and
hoist.install's ``plan`` and ``installer`` points judge them while a window (or a crane's jacking window) is open.

The reference site: crane-1's erection notified on 2026-02-20 with its 危大 item tc-1-erect (plan written and
reviewed, not 超规模), no dismantling notice; hoist-1's on 2026-04-01 (hoist-1-erect); both installed by a
contractor whose qualification runs to 2028-06-30 and its safety licence to 2027-08-31. The windows open on
2026-11-26 (Beijing)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.config import ConfigError
from rules import RuleEngine
from tests.rules.sites import reference_site, site_variant
from tests.rules.test_install_window import (
    CLIMB,
    CLOSED,
    CREW_IN,
    DISMANTLE,
    ERECT,
    T0,
    jacking,
    levels,
    verdicts,
    window,
)


def papers(data: dict[str, Any], device: str = "crane-1") -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in data["devices"] if d["id"] == device)["papers"]
    return found


def item(data: dict[str, Any], work: str = "tc-1-erect") -> dict[str, Any]:
    found: dict[str, Any] = next(w for w in data["dangerous_works"] if w["id"] == work)
    return found


def test_an_erection_notified_with_a_reviewed_plan_and_a_licensed_installer_raises_nothing() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), window(T0 + 3600, "crane-1", CLOSED)]
    for point, said in (
        ("plan", "已告知，专项方案已审核"),
        ("installer", "安装单位资质、安全生产许可证有效"),
    ):
        found = verdicts(RuleEngine(reference_site()), batches, "crane.install", point)
        assert levels(found) == [None], point  # said once, in order; the closing says nothing more
        assert said in found[0].message
    assert verdicts(engine, batches, "crane.install", "plan")[0].clause.startswith(
        "建质规〔2024〕5号 第四条(四)"
    )


@pytest.mark.parametrize(("stage", "level"), [(ERECT, None), (CLIMB, None), (DISMANTLE, "critical")])
def test_a_window_needs_a_notice_of_its_stage_an_erections_covering_its_climbs(
    stage: float, level: str | None
) -> None:
    found = verdicts(RuleEngine(reference_site()), [window(T0, "crane-1", stage)], "crane.install", "plan")
    assert levels(found) == [level]
    if level:
        assert "未办理拆卸告知" in found[0].message and "papers.install_notices" in found[0].message
        assert "第十二条(五)" in found[0].clause and "第四条(四)" in found[0].clause
        assert "立即停止安拆作业" in found[0].message and "告知县级以上建设主管部门" in found[0].message


@pytest.mark.parametrize(
    ("notified_on", "level"),
    [("2026-11-25", None), ("2026-11-26", None), ("2026-11-27", "critical")],  # before, on, after the day
)
def test_a_notice_covers_windows_opened_on_its_day_or_after(
    tmp_path: Path, notified_on: str, level: str | None
) -> None:
    def change(data: dict[str, Any]) -> None:
        papers(data)["install_notices"].append(
            {"stage": "dismantle", "notified_on": notified_on, "dangerous_work": "tc-1-erect"}
        )

    engine = RuleEngine(site_variant(tmp_path, change))
    found = verdicts(engine, [window(T0, "crane-1", DISMANTLE)], "crane.install", "plan")
    assert levels(found) == [level]


def test_a_notice_dated_the_next_day_covers_the_window_from_that_midnight(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        papers(data)["install_notices"] = [
            {"stage": "erect", "notified_on": "2026-11-27", "dangerous_work": "tc-1-erect"}
        ]

    engine = RuleEngine(site_variant(tmp_path, change))
    found = verdicts(engine, [window(T0, "crane-1", ERECT)], "crane.install", "plan")
    assert levels(found) == ["critical"]
    midnight = datetime.fromisoformat("2026-11-27T00:00:01+08:00").timestamp()
    turned = [r for r in engine.tick(midnight) if r.rule == "crane.install" and r.point == "plan"]
    assert [r.level for r in turned] == [None]


@pytest.mark.parametrize(
    ("plan", "missing"),
    [
        ({"plan_written": False, "plan_reviewed": False}, "未编制"),
        ({"plan_reviewed": False}, "未审核"),
        ({"over_scale": True}, "未专家论证"),
        ({"plan_reviewed": False, "over_scale": True}, "未审核、专家论证"),
        ({"over_scale": True, "expert_reviewed": True}, None),
    ],
)
def test_the_notices_plan_must_be_written_reviewed_and_over_scale_expert_reviewed(
    tmp_path: Path, plan: dict[str, bool], missing: str | None
) -> None:
    engine = RuleEngine(site_variant(tmp_path, lambda data: item(data).update(plan)))
    found = verdicts(engine, [*CREW_IN, window(T0 + 60, "crane-1", ERECT)], "crane.install", "plan")
    assert levels(found) == ["critical" if missing else None]
    if missing:
        assert f"专项施工方案（1号塔吊安装（含顶升加节、附着））{missing}" in found[0].message


def heavy_crane(data: dict[str, Any]) -> None:
    next(d for d in data["devices"] if d["id"] == "crane-1")["crane"]["load_chart"][0]["rated_t"] = 32.0


def tall_hoist(data: dict[str, Any]) -> None:
    next(d for d in data["devices"] if d["id"] == "hoist-1")["hoist"]["erected_height_m"] = 200.0


@pytest.mark.parametrize(
    ("machine", "work", "change", "why"),
    [
        ("crane-1", "tc-1-erect", heavy_crane, "crane-1 额定起重量 32 t = 313.8 kN ≥ 300 kN"),
        ("hoist-1", "hoist-1-erect", tall_hoist, "hoist-1 安装高度 200 m ≥ 200 m"),
    ],
)
def test_an_erection_its_machines_facts_put_over_scale_needs_the_expert_review_its_flag_forgot(
    tmp_path: Path, machine: str, work: str, change: Any, why: str
) -> None:
    # 附件2 三(二): 起重量300kN及以上 or 搭设总高度200m及以上; the item's over_scale left false, as the reference has it
    batches = [*CREW_IN, window(T0 + 60, machine, ERECT)]
    rule = f"{machine.split('-')[0]}.install"
    found = verdicts(RuleEngine(site_variant(tmp_path, change)), batches, rule, "plan")
    assert levels(found) == ["critical"]
    assert f"未专家论证（超过一定规模：{why}（建办质〔2018〕31号 附件2 三(二)" in found[0].message
    assert "第四条(四)" in found[0].clause

    def reviewed(data: dict[str, Any]) -> None:
        change(data)
        item(data, work)["expert_reviewed"] = True

    found = verdicts(RuleEngine(site_variant(tmp_path, reviewed)), batches, rule, "plan")
    assert levels(found) == [None]


@pytest.mark.parametrize(
    ("until", "level"),
    [("2026-11-25", "critical"), ("2026-11-26", None), ("2026-11-27", None)],  # expired, its last day, before
)
@pytest.mark.parametrize("paper", ["qualification_until", "safety_licence_until"])
def test_the_installers_qualification_and_licence_are_judged_on_the_day_of_the_window(
    tmp_path: Path, paper: str, until: str, level: str | None
) -> None:
    engine = RuleEngine(
        site_variant(
            tmp_path, lambda data: papers(data, "hoist-1")["installer_company"].update({paper: until})
        )
    )
    found = verdicts(engine, [window(T0, "hoist-1", CLIMB)], "hoist.install", "installer")
    assert levels(found) == [level]
    if level:
        what = (
            "资质证书（D244012345）"
            if paper == "qualification_until"
            else "安全生产许可证（(粤)JZ安许证字[2024]010203）"
        )
        assert f"安装单位深圳市建机安装工程有限公司的{what}已于 2026-11-25 过期" in found[0].message
        assert "第十条" in found[0].clause and "立即停止安拆作业" in found[0].message


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda p: p.pop("installer_company"),
            "未登记安装单位及其资质、安全生产许可证（papers.installer_company）",
        ),
        (lambda p: p["installer_company"].pop("safety_licence_no"), "安全生产许可证未登记"),
        (lambda p: p["installer_company"].pop("qualification_until"), "资质证书未登记"),
    ],
)
def test_an_installer_not_shown_is_critical(tmp_path: Path, change: Any, said: str) -> None:
    engine = RuleEngine(site_variant(tmp_path, lambda data: change(papers(data))))
    found = verdicts(engine, [window(T0, "crane-1", ERECT)], "crane.install", "installer")
    assert levels(found) == ["critical"] and said in found[0].message


def test_a_jacking_window_is_judged_as_the_climb_for_its_papers_too(tmp_path: Path) -> None:
    """§19: "an 安拆/jacking window may open only with" the notice and the plan; jacking is the climb (§10)."""

    def dismantle_only(data: dict[str, Any]) -> None:
        papers(data)["install_notices"][0]["stage"] = "dismantle"
        del papers(data)["installer_company"]

    engine = RuleEngine(site_variant(tmp_path, dismantle_only))
    batches = [*CREW_IN, jacking(T0 + 60, True), jacking(T0 + 3600, False)]
    for point in ("plan", "installer"):
        found = verdicts(RuleEngine(site_variant(tmp_path, dismantle_only)), batches, "crane.install", point)
        assert levels(found) == ["critical", None], point
    assert "未办理顶升加节告知" in verdicts(engine, batches, "crane.install", "plan")[0].message


def test_a_notice_naming_no_dangerous_work_is_refused_at_load_with_its_place(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        papers(data)["install_notices"][0]["dangerous_work"] = "tc-9"

    with pytest.raises(ConfigError) as exc:
        site_variant(tmp_path, change)
    text = str(exc.value)
    assert "install_notices" in text and "'tc-9'" in text and "add the 安拆 job to dangerous_works" in text
