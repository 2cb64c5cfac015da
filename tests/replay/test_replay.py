"""`sitegw replay`: every kind's testcases (kinds/<kind>/testcases/), bad input, and the command function
itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from contract.kinds import registry
from contract.readings import Quality, Reading
from sitegw.replay import ReplayInputError, parse_ts, read_readings
from sitegw.replay_cli import replay_command
from sitegw.replay_inputs import ReplayInputs, read_inputs
from tests.rules.sites import PROJECT, REFERENCE, reference_site

SITE = reference_site()
REPO = Path(__file__).resolve().parents[2]
# each kind's golden testcases (kinds/<kind>/testcases/<name>/), found from the registry as its profiles are
SCENARIOS = sorted(
    case
    for kind in registry.kinds()
    if (home := registry.folder(kind.name)) is not None and (home / "testcases").is_dir()
    for case in (home / "testcases").iterdir()
    if case.is_dir()
)
FIELDS = ("rule", "device", "point", "level", "state", "ts")


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("replay")(replay_command)
    app.command("unused")(lambda: None)  # two commands: typer then expects the command name, as in sitegw
    return app


def site_of(scenario: Path) -> Path:
    """The site file a scenario runs on: the one its ``site.path`` names (from the repository root),
    or the reference site."""
    named = scenario / "site.path"
    return REPO / named.read_text(encoding="utf-8").strip() if named.exists() else REFERENCE


def replay(
    tmp_path: Path, readings: Path, site: Path = REFERENCE, inputs: Path | None = None
) -> tuple[int, str, list[dict]]:
    out = tmp_path / "alerts.jsonl"
    args = ["replay", str(site), "--readings", str(readings), "--out", str(out)]
    if inputs is not None:
        args += ["--inputs", str(inputs)]
    result = CliRunner().invoke(cli(), args)
    events = (
        [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    )
    return result.exit_code, result.output, events


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{s.parent.parent.name}/{s.name}" for s in SCENARIOS])
def test_scenario(tmp_path: Path, scenario: Path) -> None:
    inputs = scenario / "inputs.jsonl"  # its warning signals and work windows, where it has any
    code, output, events = replay(
        tmp_path, scenario / "readings.csv", site_of(scenario), inputs if inputs.exists() else None
    )
    assert code == 0, output
    expected = [
        json.loads(line) for line in (scenario / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [{k: e[k] for k in FIELDS} for e in events] == expected
    assert len({e["event_id"] for e in events}) == len(events)
    assert all(e["project"] == "GD-SZ-2026-0001" and e["clause"] and e["message"] for e in events)
    assert f"{len(events)} alert events" in output


def test_every_kinds_testcases_are_found_from_the_registry() -> None:
    on_disk = {p.parent for p in REPO.glob("kinds/*/testcases/*/expected.jsonl")}
    assert on_disk and on_disk <= set(SCENARIOS), sorted(p.name for p in on_disk - set(SCENARIOS))


def test_bad_rows_are_listed_with_their_line_numbers_and_nothing_is_written(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "ts,device,point,metric,value\n"
        "1795222800,crane-1,,load_t,1.0\n"
        "2026-11-21T09:00:00,crane-1,,load_t,1.0\n"
        "1795222801,crane-9,,load_t,1.0\n"
        "1795222802,crane-1,,load_t,1,5\n"
        "1795222803,crane-1,,load_t,heavy\n"
        "1795222804,pit-1,ZQS-99,disp_h_mm,1.0\n"
        "1795222805,crane-1,,disp_h_mm,1.0\n",
        encoding="utf-8",
    )
    code, output, events = replay(tmp_path, csv)
    assert code == 1 and events == []
    flat = " ".join(output.split())
    for line, text in [
        (3, "no UTC offset"),
        (4, "device 'crane-9' is not in the site file"),
        (5, "6 fields where the header has 5"),
        (6, "'heavy' of load_t is not a number"),
        (7, "point 'ZQS-99' is not a point of pit-1"),
        (8, "'disp_h_mm' is not a crane metric"),
    ]:
        assert f"bad.csv:{line}: " in flat and text in flat, (line, text, output)


def test_a_cameras_rows_are_checked_against_its_zones_and_metrics(tmp_path: Path) -> None:
    """A camera of the site's vision.cameras is a row's device (its zones' counts replayed as the gateway
    stored them); a zone it does not draw, or a metric no camera reports, is named with the fix."""
    site = REPO / "kinds" / "hoist" / "testcases" / "install_exclusion_zone" / "site.yaml"
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "ts,device,point,metric,value\n"
        "1795651200,cam-hoist,施工升降机安拆警戒区,exclusion_persons,1\n"
        "1795651201,cam-hoist,塔吊警戒区,exclusion_persons,1\n"
        "1795651202,cam-hoist,,load_t,1.0\n"
        "1795651203,cam-9,,persons,1\n",
        encoding="utf-8",
    )
    code, output, events = replay(tmp_path, csv, site)
    assert code == 1 and events == []
    flat = " ".join(output.split())
    for line, text in [
        (3, "point '塔吊警戒区' is not a point of cam-hoist"),
        (4, "'load_t' is not a camera metric"),
        (5, "device 'cam-9' is not in the site file (devices: gate-1, hoist-1; vision.cameras: cam-hoist)"),
    ]:
        assert f"bad.csv:{line}: " in flat and text in flat, (line, text, output)
    assert "bad.csv:2:" not in flat, output


def test_bad_input_lines_are_listed_as_file_and_line_and_nothing_is_replayed(tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text("ts,device,point,metric,value\n1795226400,crane-1,,load_t,0.0\n", encoding="utf-8")
    inputs = tmp_path / "in.jsonl"
    good = (
        '{"input": "warning", "type": "gale", "colour": "yellow", "valid_from": "2026-11-21T10:00:00+08:00"}'
    )
    inputs.write_text(
        "\n".join(
            [
                good,
                "",  # blank: skipped
                "{not json",
                '{"input": "alarm"}',
                '{"input": "warning", "type": "gale", "colour": "yellow", "valid_from": "2026-11-21T10:00:00"}',
                '{"input": "warning", "type": "heat", "colour": "blue", "valid_from": "2026-11-21T10:00:00+08:00"}',
                '{"input": "warning", "type": "gale", "colour": "yellow", "valid_from": "2026-11-21T10:00:00+08:00",'
                ' "colour_": "red"}',
                '{"input": "window", "window": "jacking", "device": "formwork-1", "start": "2026-11-21T10:00:00+08:00"}',
                '{"input": "window", "window": "pour", "device": "formwork-1", "start": "2026-11-21T10:00:00+08:00",'
                ' "end": "2026-11-21T09:00:00+08:00"}',
                '{"input": "window", "window": "pour", "device": "formwork-1", "start": "2026-11-21T10:00:00+08:00",'
                ' "end": "2026-11-21T11:00:00+08:00", "height_m": 50}',
                '{"input": "window", "window": "crane", "device": "crane-1", "start": "2026-11-21T10:00:00+08:00"}',
                '{"input": "window", "window": "jacking", "device": "crane-1", "start": "2026-11-21T10:00:00+08:00",'
                ' "ties_added": 1}',
                '{"input": "window", "window": "jacking", "device": "crane-1", "start": "2026-11-21T10:00:00+08:00",'
                ' "end": "2026-11-21T11:00:00+08:00", "recalibrated_at": "2026-11-21T10:30:00+08:00"}',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, output, events = replay(tmp_path, csv, inputs=inputs)
    assert code == 1 and events == [] and not (tmp_path / "alerts.jsonl").exists(), output
    flat = " ".join(output.split())
    for line, text in [
        (3, "not JSON"),
        (4, '"input": "warning", "window" or "permit"'),
        (5, "valid_from: Input should have timezone info"),
        (6, "a heat signal (高温) has no blue"),
        (7, "colour_: Extra inputs are not permitted"),
        (8, "device 'formwork-1' is not a crane of the site file (a jacking opens on: crane-1, crane-2)"),
        (9, "end must come after start"),
        (10, "height_m is the jib's height as a jacking window closes"),
        (11, "window: Input should be 'pour', 'jacking' or 'install'"),
        (12, "ties_added are the ties a jacking window fitted as it closes: give them with its end"),
        (13, "recalibrated_at records a closed jacking window's limiters: at its end or later"),
    ]:
        assert f"in.jsonl:{line}: " in flat and text in flat, (line, text, output)
    assert "in.jsonl:1:" not in flat and "in.jsonl:2:" not in flat


def test_an_inputs_file_has_a_bound(tmp_path: Path) -> None:
    inputs = tmp_path / "long.jsonl"
    inputs.write_text(
        '{"input": "window", "window": "pour", "device": "' + "x" * 20_000 + '"}\n', encoding="utf-8"
    )
    with pytest.raises(ReplayInputError) as err:
        read_inputs(inputs, SITE)
    assert err.value.issues == ["1: longer than 16384 bytes: one input a line"]


def test_a_window_is_replayed_as_the_gateway_records_it(tmp_path: Path) -> None:
    """Its window reading 1 at the start, the jib's new height, the ties it fitted, the limiters not recorded
    re-calibrated then 0 at the end, and their record later: what SiteWork and Jacking publish."""
    found = read_inputs_text(
        tmp_path,
        '{"input": "window", "window": "jacking", "device": "crane-1", "start": "2026-11-21T10:00:01+08:00",'
        ' "end": "2026-11-21T10:01:00+08:00", "height_m": 50.8, "ties_added": 1,'
        ' "recalibrated_at": "2026-11-21T10:30:00+08:00"}',
    )
    assert [(r.ts - 1795226400, r.device, r.metric, r.value) for r in found.readings] == [
        (1, "crane-1", "jacking_active", 1.0),
        (60, "crane-1", "jib_height_m", 50.8),
        (60, "crane-1", "ties_added", 1.0),
        (60, "crane-1", "limiters_recalibrated", 0.0),
        (1800, "crane-1", "limiters_recalibrated", 1.0),
        (60, "crane-1", "jacking_active", 0.0),
    ]
    assert found.warnings == []


def test_a_warning_line_reads_as_the_signal_the_gateway_keeps(tmp_path: Path) -> None:
    found = read_inputs_text(
        tmp_path,
        '{"input": "warning", "type": "typhoon", "colour": "orange", "valid_from": "2026-11-21T10:00:00+08:00",'
        ' "valid_to": "2026-11-21T16:00:00+08:00", "cleared_at": "2026-11-21T12:00:00+08:00"}',
    )
    (signal,) = found.warnings
    assert signal.id == "line-1" and signal.title_zh == "台风橙色预警"
    assert signal.cleared_ts == 1795226400 + 2 * 3600
    assert signal.in_force(1795226400) and not signal.in_force(1795226400 + 2 * 3600)


def read_inputs_text(tmp_path: Path, text: str) -> ReplayInputs:
    path = tmp_path / "in.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    return read_inputs(path, SITE)


def test_header_must_name_the_columns(tmp_path: Path) -> None:
    csv = tmp_path / "h.csv"
    csv.write_text("time,device,metric,value\n1,crane-1,load_t,1\n", encoding="utf-8")
    with pytest.raises(ReplayInputError) as err:
        read_readings(csv, reference_site())
    assert err.value.issues[0].startswith("1: missing column(s) ts, point; unknown column(s) time")


def test_timestamps_epoch_or_iso_with_offset() -> None:
    assert parse_ts("1795222800") == 1795222800
    assert parse_ts("2026-11-21T09:00:00+08:00") == 1795222800
    assert parse_ts("2026-11-21T01:00:00Z") == 1795222800
    with pytest.raises(ValueError, match="neither Unix seconds nor ISO 8601"):
        parse_ts("yesterday")


# rows the reference site accepts: (device, metric, point), a text metric among them
ROWS = [
    ("crane-1", "load_t", ""),
    ("crane-2", "operator_id", ""),
    ("anemo-1", "wind_ms", ""),
    ("pit-1", "disp_h_mm", "ZQS-01"),
    ("formwork-1", "pour_active", ""),
    ("formwork-1", "settle_mm", "M2"),
    ("gate-1", "on_site", "W-0001"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ROWS),
            st.floats(1e9, 2e9),
            st.floats(-1e6, 1e6),
            st.sampled_from(["", "ok", "stale", "fault", "backfill"]),
            st.sampled_from(["", "t", "mm"]),
        ),
        max_size=30,
    ),
    st.permutations(["ts", "device", "point", "metric", "value", "unit", "quality"]),
    st.booleans(),
)
def test_a_file_reads_back_as_the_readings_written(
    tmp_path: Path, rows: list[tuple[Any, ...]], header: list[str], padded: bool
) -> None:
    """Any order of columns, fields padded with blanks, blank lines between rows: each row reads
    back as the Reading it was written from (the columns' places are found once per file)."""
    pad = " " if padded else ""
    want, lines = [], [",".join(f"{pad}{c}{pad}" for c in header)]
    for (device, metric, point), ts, number, quality, unit in rows:
        value: float | str = "OP-1001" if metric == "operator_id" else number
        want.append(Reading(ts, PROJECT, device, metric, value, unit, Quality(quality or "ok"), point))
        fields = {"ts": repr(ts), "device": device, "point": point, "metric": metric, "unit": unit}
        fields |= {"value": value if isinstance(value, str) else repr(value), "quality": quality}
        lines += [",".join(f"{pad}{fields[c]}{pad}" for c in header), ", ," if padded else ""]
    csv = tmp_path / f"day-{len(list(tmp_path.iterdir()))}.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_readings(csv, SITE) == want
