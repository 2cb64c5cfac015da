"""Duplicated point codes and device ids, and unknown profiles: each named with its line and a fix,
all of them in the same run as the schema's errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from contract.config import ConfigError, ConfigIssue, SiteConfig, load_site
from contract.config.pit import PitSpec
from contract.config.uniqueness import DUPLICATE_DEVICE_ID, DUPLICATE_POINT_CODE, duplicate_codes
from kinds.pit.kind import PitDevice

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "config" / "examples" / "site.yaml").read_text(encoding="utf-8")

POINT_HINT = "rename one of them; point codes are the site's own codes, unique per device"
ID_HINT = "device ids must be unique on the site: rename one"

# the reference pit's third point, and the second crane's id line
ZQS_03 = "        - {code: ZQS-03, kind: wall_top}\n"
CRANE_2 = "  - id: crane-2\n"


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (which must occur exactly once) replaced: a silent no-op edit would
    leave the test checking a valid file."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` that contains ``needle``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def device(text: str, device_id: str) -> str:
    """``devices[i]`` of a device of the site ``text``, as issue paths name it."""
    ids = [line.split("id:", 1)[1].strip() for line in text.splitlines() if line.startswith("  - id: ")]
    return f"devices[{ids.index(device_id)}]"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def issues_of(path: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as exc:
        load_site(path, env={})
    return exc.value.issues


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitegw.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_duplicate_codes_pairs_each_repeat_with_its_first_use() -> None:
    assert duplicate_codes([]) == []
    assert duplicate_codes(["a", "b", "c"]) == []
    assert duplicate_codes(["a", "b", "a", "b", "a"]) == [(2, 0), (3, 1), (4, 0)]
    # missing codes are the schema's to report, not duplicates of each other
    assert duplicate_codes([None, "a", None, "A"]) == []


def test_duplicate_point_code_names_both_lines_device_and_code(tmp_path: Path) -> None:
    text = edit(EXAMPLE, ZQS_03, ZQS_03.replace("ZQS-03", "ZQS-02"))
    [issue] = issues_of(write(tmp_path, text))
    first, second = line_of(text, "ZQS-02"), line_of(text, "ZQS-02", nth=2)
    assert second == first + 1
    assert issue.line == second
    pit = device(text, "pit-1")
    assert issue.path == f"{pit}.pit.points[2].code"
    assert issue.message == (
        f"device pit-1: point code 'ZQS-02' is already used on line {first} ({pit}.pit.points[1].code)"
    )
    assert issue.hint == POINT_HINT


def test_a_code_used_three_times_gives_two_issues_pointing_at_the_first(tmp_path: Path) -> None:
    text = EXAMPLE.replace("code: ZQS-04,", "code: ZQS-01,").replace("code: ZQS-07,", "code: ZQS-01,")
    issues = issues_of(write(tmp_path, text))
    first = line_of(text, "ZQS-01")
    assert [i.line for i in issues] == [line_of(text, "ZQS-01", 2), line_of(text, "ZQS-01", 3)]
    assert all(f"already used on line {first} " in i.message for i in issues)


def test_the_same_code_on_two_pits_is_fine(tmp_path: Path) -> None:
    # codes are unique per device: a second pit may number its points ZQS-01... again
    start = EXAMPLE.index("  - id: pit-1\n")
    pit = EXAMPLE[start : EXAMPLE.index("\n\n", start) + 1]
    text = edit(EXAMPLE, pit, pit + "\n" + pit.replace("pit-1", "pit-2"))
    site = load_site(write(tmp_path, text), env={})
    pits = [d for d in site.config.devices if isinstance(d, PitDevice)]
    assert [d.id for d in pits] == ["pit-1", "pit-2"]
    assert pits[0].pit == pits[1].pit


def test_formwork_point_codes_are_checked_the_same_way(tmp_path: Path) -> None:
    if "kind: formwork" not in EXAMPLE:
        pytest.skip("the reference site has no formwork device")
    text = edit(EXAMPLE, "        - {code: M3,", "        - {code: M1,")
    [issue] = issues_of(write(tmp_path, text))
    formwork = device(text, "formwork-1")
    assert issue.line == line_of(text, "{code: M1,", 2)
    assert issue.path == f"{formwork}.formwork.points[2].code"
    assert issue.message == (
        f"device formwork-1: point code 'M1' is already used on line {line_of(text, '{code: M1,')} "
        f"({formwork}.formwork.points[0].code)"
    )
    assert issue.hint == POINT_HINT


def test_duplicate_device_id_names_the_second_id_line_and_the_first(tmp_path: Path) -> None:
    text = edit(EXAMPLE, CRANE_2, "  - id: crane-1\n")
    issues = issues_of(write(tmp_path, text))
    # the model's own unlocated error is not repeated (the other issue: the anemometer serves the crane-2
    # that is gone, named in the same run)
    [issue] = [i for i in issues if i.path.endswith(".id")]
    assert all(i.line and i.path for i in issues), issues
    assert issue.line == line_of(text, "id: crane-1", nth=2)
    assert issue.path == "devices[1].id"  # the reference site's second device is crane-2
    assert issue.message == (
        f"device id 'crane-1' is already used on line {line_of(text, 'id: crane-1')} (devices[0].id)"
    )
    assert issue.hint == ID_HINT
    assert "<top>" not in str(issue)


def test_unknown_profile_is_reported_with_the_schema_errors(tmp_path: Path) -> None:
    text = edit(EXAMPLE, "profile: anemometer_rs485", "profile: anemometer_rs48")
    text = edit(text, "      jib_m: 50\n", "      jib_m: fifty\n")
    issues = issues_of(write(tmp_path, text))
    assert [(i.line, i.path) for i in issues] == [
        (line_of(text, "jib_m: fifty"), f"{device(text, 'crane-2')}.crane.jib_m"),
        (line_of(text, "anemometer_rs48"), f"{device(text, 'anemo-1')}.profile"),
    ]
    profile = issues[1]
    assert profile.message.startswith("device anemo-1: profile 'anemometer_rs48' not found in ")
    assert profile.hint == "did you mean 'anemometer_rs485'?"


def test_unknown_profile_on_an_invalid_site_searches_its_profiles_dir(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "pit_gauge_v2.yaml").write_text("name: pit_gauge_v2\n", encoding="utf-8")
    text = edit(EXAMPLE, "profile: pit_dau", "profile: pit_gauge_v3") + "profiles_dir: profiles\n"
    text = edit(text, "      jib_m: 50\n", "      jib_m: fifty\n")
    issues = issues_of(write(tmp_path, text))
    assert [i.path for i in issues] == [
        f"{device(text, 'crane-2')}.crane.jib_m",
        f"{device(text, 'pit-1')}.profile",
    ]
    assert issues[1].hint == "did you mean 'pit_gauge_v2'?"
    assert str(tmp_path / "profiles") in issues[1].message


def test_all_three_mistakes_and_a_schema_error_come_in_one_run(tmp_path: Path) -> None:
    text = edit(EXAMPLE, ZQS_03, ZQS_03.replace("ZQS-03", "ZQS-02"))
    text = edit(text, CRANE_2, "  - id: crane-1\n")
    text = edit(text, "profile: anemometer_rs485", "profile: anemometer_rs48")
    text = edit(text, "retention_days: 35", "retention_days: many")
    path = write(tmp_path, text)
    issues = issues_of(path)
    # in file order, so the file is fixed top to bottom
    anemo, pit = device(text, "anemo-1"), device(text, "pit-1")
    assert [i.path for i in issues] == [
        "devices[1].id",
        f"{anemo}.profile",
        f"{pit}.pit.points[2].code",
        "store.retention_days",
    ]
    assert [i.line for i in issues] == sorted(i.line or 0 for i in issues)

    result = run_cli("check-config", str(path))
    assert result.returncode == 1
    err = result.stderr
    assert "4 error(s) in the configuration:" in err
    assert f"{path}:{line_of(text, 'id: crane-1', 2)}: devices[1].id: device id 'crane-1'" in err
    assert f"{path}:{line_of(text, 'anemometer_rs48')}: {anemo}.profile:" in err
    assert f"{path}:{line_of(text, 'ZQS-02', 2)}: {pit}.pit.points[2].code: device pit-1" in err
    for hint in (ID_HINT, POINT_HINT, "did you mean 'anemometer_rs485'?"):
        assert f"    hint: {hint}" in err
    assert "<top>" not in err and "Traceback" not in err


def test_duplicates_are_refused_by_the_models_too() -> None:
    # a site built in code (bench, demo) gets no lines, but still no silently shadowed point or device
    points = [{"code": "ZQS-01", "kind": "wall_top"}, {"code": "ZQS-01", "kind": "wall_top"}]
    pit = {"grade": 1, "support": "bored_pile", "excavation_depth_m": 12, "points": points}
    with pytest.raises(ValidationError) as exc:
        PitSpec.model_validate(pit)
    [err] = exc.value.errors()
    assert err["type"] == DUPLICATE_POINT_CODE and "ZQS-01" in err["msg"]

    device = {
        "id": "g-1",
        "kind": "generic",
        "profile": "x",
        "transport": {"type": "modbus_tcp", "host": "127.0.0.1"},
    }
    with pytest.raises(ValidationError) as exc:
        SiteConfig.model_validate({"project": {"code": "T-1"}, "devices": [device, device]})
    [err] = exc.value.errors()
    assert err["type"] == DUPLICATE_DEVICE_ID and "g-1" in err["msg"]
