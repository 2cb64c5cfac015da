"""安拆 windows of cranes and hoists, written from docs/standards.md §10, §13 and §19: while a crane or hoist is
erected, climbed or dismantled, every installer its papers name must be badged in at the gate with a valid
安装拆卸工 certificate of the machine's category that day (else critical, 建质规〔2024〕5号 第四条(三)); the chief
supervisor on site (旁站, practice: an alarm); no load on a crane's hook (critical); and after an erection or a
climb the machine may not work before an acceptance dated on or after that day (critical, 第八条(一)).

The reference site: crane-1 erected by AZ-11 and AZ-12 (塔式起重机安装拆卸工, 08), hoist-1 by AZ-21 (施工升降机, 09);
the chief supervisor KP-04; crane-1 accepted on 2026-03-02."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import reference_site, sample, site_variant

ERECT, CLIMB, DISMANTLE, CLOSED = 1.0, 2.0, 3.0, 0.0
T0 = datetime.fromisoformat("2026-11-26T08:00:00+08:00").timestamp()
HOOK = {"radius_m": 20.0, "slew_deg": 0.0, "height_m": 30.0, "operator_id": "OP-1001"}


def gate(ts: float, person: str, inside: bool = True) -> list[Reading]:
    return sample("gate-1", ts, point=person, on_site=1.0 if inside else 0.0)


def window(ts: float, device: str, stage: float) -> list[Reading]:
    return sample(device, ts, install_active=stage)


def crane(ts: float, load_t: float) -> list[Reading]:
    return sample("crane-1", ts, load_t=load_t, **HOOK)  # type: ignore[arg-type]


def verdicts(engine: RuleEngine, batches: list[list[Reading]], rule: str, point: str) -> list[RuleResult]:
    out: list[RuleResult] = []
    for batch in batches:
        found = engine.process(batch) + engine.tick(batch[0].ts)
        out.extend(r for r in found if r.rule == rule and r.point == point)
    return out


def levels(found: list[RuleResult]) -> list[str | None]:
    seq: list[str | None] = []
    for r in found:
        if not seq or seq[-1] != r.level:
            seq.append(r.level)
    return seq


CREW_IN = [gate(T0, "AZ-11"), gate(T0 + 1, "AZ-12"), gate(T0 + 2, "KP-04")]


def test_a_certified_crew_and_the_supervisor_badged_in_erect_the_crane_without_an_alert() -> None:
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), window(T0 + 3600, "crane-1", CLOSED)]
    engine = RuleEngine(reference_site())
    for point in ("crew", "supervisor"):
        assert "critical" not in levels(verdicts(engine, batches, "crane.install", point))
    engine = RuleEngine(reference_site())
    crew = verdicts(engine, batches, "crane.install", "crew")
    assert [r.level for r in crew] == [None] and "安装作业人员持证在场" in crew[0].message


def test_an_installer_not_badged_in_is_critical_until_they_come_in() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        gate(T0, "AZ-11"),
        gate(T0 + 2, "KP-04"),
        window(T0 + 60, "crane-1", ERECT),
        gate(T0 + 300, "AZ-12"),
    ]
    crew = verdicts(engine, batches, "crane.install", "crew")
    assert levels(crew) == ["critical", None]
    assert "何建军（AZ-12）未经闸机实名进场" in crew[0].message and "第四条(三)" in crew[0].clause
    assert "立即停止安拆作业" in crew[0].message


def test_the_installers_safety_officer_away_during_the_window_is_critical(tmp_path: Path) -> None:
    # standards.md §19 (d): the 安拆 contractor's full-time safety officer badged in while the window is open
    def officer(data: dict[str, Any]) -> None:
        next(d for d in data["devices"] if d["id"] == "crane-1")["papers"]["safety_officers"] = ["AQ-01"]

    engine = RuleEngine(site_variant(tmp_path, officer))
    batches = [
        *CREW_IN,
        window(T0 + 60, "crane-1", ERECT),
        gate(T0 + 300, "AQ-01"),
        gate(T0 + 900, "AQ-01", inside=False),
        window(T0 + 1200, "crane-1", CLOSED),
    ]
    found = verdicts(engine, batches, "crane.install", "safety_officer")
    assert levels(found) == ["critical", None, "critical", None]
    assert "安装单位专职安全员（AQ-01）未经闸机进场" in found[0].message and "第十三条" in found[0].clause
    assert "立即停止安拆作业" in found[0].message
    # papers naming none: not judged (the reference site's)
    assert verdicts(RuleEngine(reference_site()), batches, "crane.install", "safety_officer") == []


def test_an_installer_leaving_mid_window_is_critical_again() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", DISMANTLE), gate(T0 + 600, "AZ-11", inside=False)]
    assert levels(verdicts(engine, batches, "crane.install", "crew")) == [None, "critical"]


@pytest.mark.parametrize(
    ("until", "level"),
    [("2026-11-25", "critical"), ("2026-11-26", None), ("2026-11-27", None)],  # expired, expiry day, before
)
def test_an_installers_certificate_is_judged_on_the_day_of_the_window(
    tmp_path: Path, until: str, level: str | None
) -> None:
    def change(data: dict[str, Any]) -> None:
        next(op for op in data["operators"] if op["id"] == "AZ-12")["valid_until"] = until

    engine = RuleEngine(site_variant(tmp_path, change))
    crew = verdicts(engine, [*CREW_IN, window(T0 + 60, "crane-1", CLIMB)], "crane.install", "crew")
    assert [r.level for r in crew] == [level]
    if level:
        assert "何建军（AZ-12）操作资格证书已于 2026-11-25 过期" in crew[0].message


def test_a_certificate_expiring_during_a_window_is_caught_at_midnight(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        next(op for op in data["operators"] if op["id"] == "AZ-12")["valid_until"] = "2026-11-26"

    engine = RuleEngine(site_variant(tmp_path, change))
    assert "critical" not in levels(
        verdicts(engine, [*CREW_IN, window(T0 + 60, "crane-1", ERECT)], "crane.install", "crew")
    )
    midnight = datetime.fromisoformat("2026-11-27T00:00:01+08:00").timestamp()
    turned = [r for r in engine.tick(midnight) if r.rule == "crane.install" and r.point == "crew"]
    assert [r.level for r in turned] == ["critical"]


def test_a_hoist_installers_certificate_does_not_erect_a_tower_crane(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        next(d for d in data["devices"] if d["id"] == "crane-1")["papers"]["installers"] = ["AZ-21"]

    engine = RuleEngine(site_variant(tmp_path, change))
    batches = [gate(T0, "AZ-21"), gate(T0 + 1, "KP-04"), window(T0 + 60, "crane-1", ERECT)]
    [crew] = verdicts(engine, batches, "crane.install", "crew")
    assert crew.level == "critical"
    assert (
        "持建筑起重机械安装拆卸工（施工升降机）(09)证书，不是建筑起重机械安装拆卸工（塔式起重机）(08)证书"
        in crew.message
    )


def test_no_crew_named_is_no_certified_crew(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del next(d for d in data["devices"] if d["id"] == "hoist-1")["papers"]["installers"]

    engine = RuleEngine(site_variant(tmp_path, change))
    crew = verdicts(engine, [window(T0, "hoist-1", ERECT)], "hoist.install", "crew")
    assert levels(crew) == ["critical"] and "未登记安拆人员" in crew[0].message


def test_the_supervisor_away_during_the_window_is_an_alarm_until_they_arrive() -> None:
    engine = RuleEngine(reference_site())
    batches = [gate(T0, "AZ-21"), window(T0 + 60, "hoist-1", CLIMB), gate(T0 + 900, "KP-04")]
    found = verdicts(engine, batches, "hoist.install", "supervisor")
    assert levels(found) == ["alarm", None]
    assert "监理人员未到场旁站" in found[0].message and "实践值" in found[0].clause


def test_a_loaded_hook_during_the_window_is_critical_and_closing_the_window_ends_it() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        *CREW_IN,
        crane(T0 + 30, 0.0),
        window(T0 + 60, "crane-1", ERECT),
        crane(T0 + 120, 0.0),
        crane(T0 + 180, 1.5),
        crane(T0 + 181, 1.5),
        crane(T0 + 240, 0.0),
        crane(T0 + 300, 1.5),
        window(T0 + 400, "crane-1", CLOSED),
    ]
    found = verdicts(engine, batches, "crane.install", "load")
    assert levels(found) == [None, "critical", None, "critical", None]
    assert "安装作业中吊钩有载" in found[1].message and "安拆期间不得起升、回转、变幅" in found[1].message


@pytest.mark.parametrize(
    ("accepted_on", "level"),
    [("2026-11-25", "critical"), ("2026-11-26", None), ("2026-11-27", None)],  # before, on, after the day
)
def test_after_an_erection_the_crane_may_not_lift_before_an_acceptance_dated_since(
    tmp_path: Path, accepted_on: str, level: str | None
) -> None:
    def change(data: dict[str, Any]) -> None:
        next(d for d in data["devices"] if d["id"] == "crane-1")["papers"]["accepted_on"] = accepted_on

    engine = RuleEngine(site_variant(tmp_path, change))
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), window(T0 + 3600, "crane-1", CLOSED)]
    batches += [crane(T0 + 7200, 1.5), crane(T0 + 7201, 1.5)]
    found = verdicts(engine, batches, "crane.install", "acceptance")
    assert [r.level for r in found][:1] == [level]
    if level:
        assert "2026-11-26 安拆作业结束后未经验收（验收日期：2026-11-25）" in found[0].message
        assert "第八条(一)" in found[0].clause and "办理使用登记后方可使用" in found[0].message


def test_after_dismantling_no_acceptance_is_owed() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", DISMANTLE), window(T0 + 3600, "crane-1", CLOSED)]
    batches += [crane(T0 + 7200, 1.5)]
    assert verdicts(engine, batches, "crane.install", "acceptance") == []


@pytest.mark.parametrize(("wind", "level"), [(8.99, None), (9.0, None), (9.01, "critical")])
def test_wind_above_9_ms_at_the_top_stops_an_erection_as_it_stops_jacking(
    wind: float, level: str | None
) -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), sample("anemo-1", T0 + 61, wind_ms=wind)]
    found = [r for r in verdicts(engine, batches, "crane.jacking_wind", "") if r.level]
    assert [r.level for r in found] == ([level] if level else [])
    if level:
        assert (
            found[0].message.startswith("1号塔吊安装作业中风速 9.01 m/s")
            and "立即停止安装" in found[0].message
        )
        assert "GB 55034-2022 第3.4.7条" in found[0].clause and "安装、拆卸" in found[0].clause


def test_an_erections_wind_stop_holds_in_its_band_and_closing_the_window_ends_it() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        *CREW_IN,
        window(T0 + 60, "crane-1", DISMANTLE),
        sample("anemo-1", T0 + 61, wind_ms=9.5),
        sample("anemo-1", T0 + 62, wind_ms=8.6),  # inside the 5 % band (8.55 m/s): held
        window(T0 + 120, "crane-1", CLOSED),
        sample("anemo-1", T0 + 121, wind_ms=12.0),  # no window: crane.wind's business, not this rule's
    ]
    found = verdicts(engine, batches, "crane.jacking_wind", "")
    assert levels(found) == ["critical", None]
    assert found[-1].ts == T0 + 120 and "1号塔吊拆卸作业结束" in found[-1].message
