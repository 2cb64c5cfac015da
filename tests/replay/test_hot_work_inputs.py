"""Hot-work permits as a replay's inputs (sitegw/replay_inputs.py, docs/site/running.md "Replay inputs"):
each bad permit line is refused as file:line with what is wrong, and nothing is replayed; a good one is the
permit the rules judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract.config import load_site
from sitegw.replay import ReplayInputError
from sitegw.replay_inputs import read_inputs

SITE = load_site(Path(__file__).resolve().parents[2] / "config" / "examples" / "site.yaml")
PERMIT: dict[str, Any] = {
    "input": "permit",
    "id": "DH-1",
    "place": "3号楼5层",
    "start": "2026-11-21T09:00:00+08:00",
    "end": "2026-11-21T10:00:00+08:00",
    "operator": {"name": "张三", "certificate_no": "T440300198801010011", "valid_until": "2027-06-30"},
    "fire_watch": {"name": "李四", "person_id": "W-102"},
    "extinguishers": 2,
    "extinguishers_checked": True,
    "combustibles_cleared": True,
    "signer": "王工",
}


def lines(path: Path, *permits: dict[str, Any]) -> Path:
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in permits) + "\n", encoding="utf-8")
    return path


def test_a_permit_line_is_the_permit_the_rules_judge(tmp_path: Path) -> None:
    closed = {**PERMIT, "closed_at": "2026-11-21T10:05:00+08:00", "closed_by": "王工"}
    unnamed = {k: v for k, v in PERMIT.items() if k != "id"}
    inputs = read_inputs(lines(tmp_path / "in.jsonl", closed, unnamed), SITE)
    first, second = inputs.permits
    assert first.id == "DH-1" and first.closed_ts == 1795226700 and first.signed_ts == 1795222800
    scheme = SITE.config.hot_work_permits
    assert first.in_force(1795222800, scheme) and not first.in_force(1795226400, scheme)
    assert first.unclosed(1795226400, scheme) and not first.unclosed(1795226700, scheme)
    assert second.id == "line-2" and second.closed_ts is None and inputs.readings == []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"end": "2026-11-21T08:00:00+08:00"}, "end must come after start"),
        ({"start": "2026-11-21T09:00:00"}, "start: Input should have timezone info"),
        ({"closed_at": "2026-11-21T08:30:00+08:00"}, "closed_at must come after start"),
        ({"fire_watch": {"name": "李四"}}, "fire_watch.person_id: Field required"),
        (
            {"fire_watch": {"name": "李四", "person_id": "W 102/x"}},
            "fire_watch.person_id: String should match",
        ),
        ({"operator": {"name": "张三", "certificate_no": "T1"}}, "operator.valid_until: Field required"),
        ({"method": "laser"}, "method: Input should be"),
        ({"extinguishers": 1000}, "extinguishers: Input should be less than or equal to 100"),
        ({"place": "x" * 101}, "place: String should have at most 100 characters"),
        ({"watch": "李四"}, "watch: Extra inputs are not permitted"),
    ],
)
def test_a_bad_permit_line_is_refused_naming_its_line_and_field(
    tmp_path: Path, change: dict[str, Any], said: str
) -> None:
    path = lines(tmp_path / "in.jsonl", PERMIT, {**PERMIT, "id": "DH-2", **change})
    with pytest.raises(ReplayInputError) as err:
        read_inputs(path, SITE)
    text = " ".join(str(err.value).split())
    assert "in.jsonl:2: " in text and said in text, text
    assert "in.jsonl:1:" not in text


def test_a_permit_number_given_twice_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReplayInputError) as err:
        read_inputs(lines(tmp_path / "in.jsonl", PERMIT, PERMIT), SITE)
    assert "in.jsonl:2: " in str(err.value) and "permit id 'DH-1' is given twice" in str(err.value)
