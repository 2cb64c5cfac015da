"""`sitegw replay`: the scenarios under scenarios/, bad input, and the command function itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sitegw.replay import ReplayInputError, parse_ts, read_readings
from sitegw.replay_cli import replay_command
from tests.rules.sites import REFERENCE, reference_site

SCENARIOS = sorted(p for p in (Path(__file__).parent / "scenarios").iterdir() if p.is_dir())
FIELDS = ("rule", "device", "point", "level", "state", "ts")


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("replay")(replay_command)
    app.command("unused")(lambda: None)  # two commands: typer then expects the command name, as in sitegw
    return app


def replay(tmp_path: Path, readings: Path) -> tuple[int, str, list[dict]]:
    out = tmp_path / "alerts.jsonl"
    result = CliRunner().invoke(
        cli(), ["replay", str(REFERENCE), "--readings", str(readings), "--out", str(out)]
    )
    events = (
        [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    )
    return result.exit_code, result.output, events


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(tmp_path: Path, scenario: Path) -> None:
    code, output, events = replay(tmp_path, scenario / "readings.csv")
    assert code == 0, output
    expected = [
        json.loads(line) for line in (scenario / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [{k: e[k] for k in FIELDS} for e in events] == expected
    assert len({e["event_id"] for e in events}) == len(events)
    assert all(e["project"] == "GD-SZ-2026-0001" and e["clause"] and e["message"] for e in events)
    assert f"{len(events)} alert events" in output


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
