"""The site file's ``hot_work_permits:`` (contract/config/hot_work_permits.py): a validity that is no
validity (zero, negative, past 30 days) or a level allowed longer than any permit may run is refused at its
line, naming the field and the fix; a riskier level allowed longer than a less risky one is legal (the scheme
is the company's) and check-config points it out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from contract.config import load_site
from contract.config.errors import ConfigError
from tests.config.test_check_config import EXAMPLE, run_cli


def with_section(tmp_path: Path, section: str) -> tuple[Path, int]:
    """The example site with ``section`` appended, and the line of the section's first field."""
    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "site.yaml"
    path.write_text(text + "\nhot_work_permits:\n" + section, encoding="utf-8")
    return path, text.count("\n") + 3


def refusal(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_site(path, env={})
    return str(caught.value)


@pytest.mark.parametrize("value", ["0", "-24", "0.5", "721"])
def test_a_validity_out_of_its_bounds_is_refused_at_its_line(tmp_path: Path, value: str) -> None:
    path, line = with_section(tmp_path, f"  level_2_h: {value}\n")
    said = refusal(path)
    assert (
        f"site.yaml:{line}: hot_work_permits.level_2_h: {float(value):g} h is no validity for a 二级 permit"
        in said
    )
    assert "at least 1 h and at most 720 h (30 days)" in said
    assert (
        "hint: write the hours your company's scheme gives, e.g. level_2_h: 72 (the default, 3 days)" in said
    )


def test_a_level_longer_than_the_longest_permit_is_refused_naming_both(tmp_path: Path) -> None:
    path, line = with_section(tmp_path, "  max_h: 120\n  level_3_h: 168\n")
    said = refusal(path)
    assert (
        f"site.yaml:{line + 1}: hot_work_permits.level_3_h: 168 h for a 三级 permit is longer than max_h 120 h"
        in said
    )
    assert "hint: lower level_3_h to at most 120, or raise max_h to 168" in said


def test_a_riskier_level_allowed_longer_is_legal_and_check_config_says_so(tmp_path: Path) -> None:
    path, _ = with_section(tmp_path, "  level_1_h: 96\n")
    assert load_site(path, env={}).config.hot_work_permits.level_1_h == 96
    out = run_cli("check-config", str(path), env={**os.environ, "COLUMNS": "300"})  # one hint a line
    assert out.returncode == 0, out.stderr
    assert "hint hot_work_permits: a 一级 permit may run 96 h, longer than a 二级 permit's 72 h" in out.stdout
    assert "三级" not in out.stdout.split("hint hot_work_permits")[1]  # 96 h is within 三级's week
