"""The site file's 危大工程清单 (``dangerous_works:``): the example site keeps its high formwork monitored by
formwork-1; an item naming a device the site lacks, two items with one id, or dates out of order are refused
naming the item and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import load_site
from contract.config.errors import ConfigError

EXAMPLE = Path(__file__).parents[2] / "config" / "examples" / "site.yaml"


NOTICED = "  - {id: tc-1-erect, name: 1号塔吊安装}\n  - {id: hoist-1-erect, name: 1号施工升降机安装}\n"
"""The items the example's 安拆 notices name (papers.install_notices), kept so that only ``works`` is judged."""


def with_works(tmp_path: Path, works: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").split("\ndangerous_works:")[0]
    path = tmp_path / "site.yaml"
    path.write_text(text + "\ndangerous_works:\n" + NOTICED + works, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_site(path, env={})
    return str(caught.value)


def test_the_example_sites_high_formwork_is_monitored_by_its_device() -> None:
    works = {w.name: w for w in load_site(EXAMPLE, env={}).config.dangerous_works}
    assert works["3号楼5层高支模"].devices == ["formwork-1"] and works["3号楼5层高支模"].over_scale
    assert works["2号楼悬挑脚手架"].devices == []


def test_an_item_naming_a_missing_device_is_refused_naming_both(tmp_path: Path) -> None:
    said = refusal(with_works(tmp_path, "  - {id: hf, name: 3号楼5层高支模, devices: [formwork-9]}\n"))
    assert "hf (3号楼5层高支模)" in said and "'formwork-9'" in said and "formwork-1" in said


def test_two_items_with_one_id_are_refused(tmp_path: Path) -> None:
    said = refusal(with_works(tmp_path, "  - {id: hf, name: 甲}\n  - {id: hf, name: 乙}\n"))
    assert "dangerous_works ids must be unique" in said and "hf" in said


def test_an_end_before_the_start_is_refused(tmp_path: Path) -> None:
    said = refusal(
        with_works(tmp_path, "  - {id: hf, name: 甲, actual_start: 2026-11-05, actual_end: 2026-11-01}\n")
    )
    assert "dangerous work hf: actual_end is before actual_start" in said
    said = refusal(with_works(tmp_path, "  - {id: hf, name: 甲, over_scale: maybe}\n"))
    assert "over_scale" in said
