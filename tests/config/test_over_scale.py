"""A 危大 item's 超过一定规模 from the site file's own facts, written from 建办质〔2018〕31号 附件2 as docs/standards.md
quotes it: 起重机械安装和拆卸 from 起重量300kN及以上, 搭设总高度200m及以上 or 搭设基础标高在200m及以上 (§19); tunnels and
chambers by 矿山法、盾构法、顶管法 always (§16); high formwork from a height of 8 m (§6). 及以上: on the line is over
it (300 kN is 300 / 9.80665 = 30.5915 t). Fail safe: the facts raise the flag, never lower it; check-config tells
where the file's flag says otherwise.

The reference site: crane-1 (largest rated load 6 t, jib at 45 m) erected under tc-1-erect, which its notice and
its ``devices:`` name (over_scale false); hoist-1 (2 t, 90 m) under hoist-1-erect (false); formwork-1 (9.6 m)
monitoring hf-3-5 (over_scale true)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contract.config import LoadedSite
from contract.config.dangerous_works import DangerousWork
from sitegw.cli import print_summary
from tests.rules.sites import REFERENCE, device, reference_site, site_variant

G = 9.80665  # standard gravity, m/s²
AT_300_KN = 300 / G
AROUND_300_KN = ((30.58, False), (AT_300_KN, True), (30.6, True))  # below, on, above the line, in t
AROUND_200_M = ((199.9, False), (200.0, True), (200.1, True))
AROUND_8_M = ((7.9, False), (8.0, True), (8.1, True))


def item(data: dict[str, Any], work: str) -> dict[str, Any]:
    found: dict[str, Any] = next(w for w in data["dangerous_works"] if w["id"] == work)
    return found


def work_of(site: LoadedSite, work: str) -> DangerousWork:
    return next(w for w in site.config.dangerous_works if w.id == work)


def judged(tmp_path: Path, work: str, change: Callable[[dict[str, Any]], None]) -> DangerousWork:
    """``work`` as the reference site with ``change`` loads it."""
    return work_of(site_variant(tmp_path, change), work)


def crane_rated(rated_t: float) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        device(data, "crane-1")["crane"]["load_chart"][0]["rated_t"] = rated_t

    return change


def test_a_cranes_erection_is_over_scale_from_a_rated_load_of_300_kn(tmp_path: Path) -> None:
    for rated_t, over in AROUND_300_KN:
        work = judged(tmp_path, "tc-1-erect", crane_rated(rated_t))
        assert work.over_scale is over, rated_t
        assert work.flag_missing is over  # the file says over_scale: false
        if over:
            [reason] = work.scale_reasons
            assert reason.startswith(f"crane-1 额定起重量 {rated_t:g} t = ") and "≥ 300 kN" in reason
            assert "建办质〔2018〕31号 附件2 三(二)" in reason


def test_the_largest_rated_load_of_any_reeving_counts(tmp_path: Path) -> None:
    def four_falls(data: dict[str, Any]) -> None:
        chart = [{"radius_m": 2.5, "rated_t": 32.0}, {"radius_m": 20, "rated_t": 8.0}]
        device(data, "crane-1")["crane"]["load_charts"] = {4: chart}

    work = judged(tmp_path, "tc-1-erect", four_falls)
    assert work.over_scale and "crane-1 额定起重量 32 t = 313.8 kN ≥ 300 kN" in work.scale_reasons[0]


@pytest.mark.parametrize(
    ("machine", "work_id", "height", "height_is"),
    [
        ("crane-1", "tc-1-erect", ("crane", "top_height_m"), "最高点高度（站点基准以上）"),
        ("hoist-1", "hoist-1-erect", ("hoist", "erected_height_m"), "安装高度"),
    ],
)
def test_a_machines_erection_is_over_scale_from_a_height_of_200_m(
    tmp_path: Path, machine: str, work_id: str, height: tuple[str, str], height_is: str
) -> None:
    section, field = height
    for height_m, over in AROUND_200_M:

        def raised(data: dict[str, Any], h: float = height_m) -> None:
            device(data, machine)[section].update({field: h})

        work = judged(tmp_path, work_id, raised)
        assert work.over_scale is over, height_m
        lifting = "建办质〔2018〕31号 附件2 三(二) 起重机械安装和拆卸工程"
        said = (f"{machine} {height_is} {height_m:g} m ≥ 200 m（{lifting}）",)
        assert work.scale_reasons == (said if over else ())


def test_a_high_formwork_is_over_scale_from_8_m(tmp_path: Path) -> None:
    for height_m, over in AROUND_8_M:

        def change(data: dict[str, Any], h: float = height_m) -> None:
            item(data, "hf-3-5")["over_scale"] = False
            device(data, "formwork-1")["formwork"]["height_m"] = h

        work = judged(tmp_path, "hf-3-5", change)
        assert work.over_scale is over, height_m
        said = [r for r in work.scale_reasons if r.startswith(f"formwork-1 搭设高度 {height_m:g} m ≥ 8 m（")]
        assert len(said) == len(work.scale_reasons) == int(over)


def test_a_formwork_without_its_height_is_left_to_its_flag(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        item(data, "hf-3-5")["over_scale"] = False
        del device(data, "formwork-1")["formwork"]["height_m"]

    work = judged(tmp_path, "hf-3-5", change)
    assert not work.over_scale and work.scale_reasons == ()


def with_sample(kind: str, work: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """The reference site with ``work`` on its list and the kind's sample device (kinds/<kind>/site.yaml) where
    it has none of that id (it has tunnel-1, no shield)."""
    sample = yaml.safe_load((REFERENCE.parents[2] / "kinds" / kind / "site.yaml").read_text(encoding="utf-8"))

    def change(data: dict[str, Any]) -> None:
        have = {d["id"] for d in data["devices"]}
        data["devices"] += [d for d in sample if d["id"] not in have]
        data["dangerous_works"].append(work)

    return change


@pytest.mark.parametrize(
    ("kind", "device_id", "method", "said"),
    [
        ("tunnel", "tunnel-1", "mined", "tunnel-1 矿山法施工"),
        ("tunnel", "tunnel-1", "shield", "tunnel-1 盾构法施工"),
        ("shield", "shield-1", None, "shield-1 盾构法施工"),
    ],
)
def test_a_tunnel_or_a_shield_drive_is_always_over_scale(
    tmp_path: Path, kind: str, device_id: str, method: str | None, said: str
) -> None:
    change = with_sample(kind, {"id": "tn-1", "name": "区间隧道", "devices": [device_id]})

    def with_method(data: dict[str, Any]) -> None:
        change(data)
        if method is not None:
            device(data, device_id)["tunnel"]["method"] = method

    work = judged(tmp_path, "tn-1", with_method)
    assert work.over_scale and work.flag_missing
    [reason] = work.scale_reasons
    assert reason.startswith(said) and "附件2 六 暗挖工程" in reason


def test_a_flag_already_set_stays_set_and_is_not_told(tmp_path: Path) -> None:
    under = judged(tmp_path, "tc-1-erect", lambda data: item(data, "tc-1-erect").update(over_scale=True))
    assert under.over_scale and under.scale_reasons == () and not under.flag_missing

    def both(data: dict[str, Any]) -> None:
        crane_rated(40.0)(data)
        item(data, "tc-1-erect")["over_scale"] = True

    over = judged(tmp_path, "tc-1-erect", both)
    assert over.over_scale and len(over.scale_reasons) == 1 and not over.flag_missing


def test_a_machine_is_attached_by_its_notice_or_by_the_items_devices(tmp_path: Path) -> None:
    def notice_only(data: dict[str, Any]) -> None:
        crane_rated(40.0)(data)
        item(data, "tc-1-erect")["devices"] = []

    assert judged(tmp_path, "tc-1-erect", notice_only).over_scale

    def devices_only(data: dict[str, Any]) -> None:
        crane_rated(40.0)(data)
        data["dangerous_works"].append({"id": "tc-1-down", "name": "1号塔吊拆卸", "devices": ["crane-1"]})

    site = site_variant(tmp_path, devices_only)
    assert work_of(site, "tc-1-down").over_scale
    assert not work_of(site, "scaffold-2").over_scale  # attached to nothing: its flag alone


def test_check_config_tells_an_item_over_scale_by_its_facts_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    print_summary(reference_site())
    assert "notice" not in capsys.readouterr().out  # the reference site's flags agree with its facts
    print_summary(site_variant(tmp_path, crane_rated(32.0)))
    out = "".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert out.count("notice") == 1
    notice = out[out.index("notice") :]
    for said in (
        "dangerousworktc-1-erect(1号塔吊安装（含顶升加节、附着）)超过一定规模",
        "crane-1额定起重量32t=313.8kN≥300kN",
        "setover_scale:true,andexpert_reviewed:trueoncetheexpertreviewhaspassed",
        "建质规〔2024〕5号第四条(四)",
    ):
        assert said in notice, said
