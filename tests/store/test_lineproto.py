"""Line protocol as sitegw writes it: the schema, the escaping, and a round trip through InfluxDB 1.6.7."""

from __future__ import annotations

import itertools

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.readings import Quality, Reading
from gateway.store.lineproto import LineEncoder
from tests.servers.influx import InfluxDB1

TS = 1_790_000_000.123
KINDS = {"crane-1": "crane", "pit-1": "pit", "anemo-1": "anemometer"}


def lines(readings: list[Reading], backfill: bool = False) -> list[str]:
    return LineEncoder(KINDS).encode(readings, backfill).body.decode().splitlines()


def test_metrics_of_one_device_and_instant_share_a_line() -> None:
    out = lines(
        [
            Reading(TS, "GD-1", "crane-1", "load_t", 2.5, "t"),
            Reading(TS, "GD-1", "crane-1", "radius_m", 30, "m"),
            Reading(TS, "GD-1", "crane-1", "operator_id", "OP-007"),
            Reading(TS + 1, "GD-1", "crane-1", "load_t", 2.75, "t"),
        ]
    )
    assert out == [
        'crane,device=crane-1,project=GD-1 load_t=2.5,radius_m=30.0,operator_id="OP-007" 1790000000123',
        "crane,device=crane-1,project=GD-1 load_t=2.75 1790000001123",
    ]


def test_pit_point_and_quality_tags_and_the_backfill_field() -> None:
    out = lines(
        [
            Reading(TS, "GD-1", "pit-1", "disp_h_mm", 12.5, "mm", point="ZQS-01"),
            Reading(TS, "GD-1", "pit-1", "disp_h_mm", 99.0, "mm", Quality.FAULT, point="ZQS-02"),
            Reading(TS, "GD-1", "anemo-1", "wind_ms", 7.0, "m/s", Quality.BACKFILL),
            Reading(TS, "GD-1", "gateway", "spool_depth", 3),
        ]
    )
    assert out == [
        "pit,device=pit-1,point=ZQS-01,project=GD-1 disp_h_mm=12.5 1790000000123",
        "pit,device=pit-1,point=ZQS-02,project=GD-1,quality=fault disp_h_mm=99.0 1790000000123",
        "anemometer,device=anemo-1,project=GD-1 wind_ms=7.0,backfill=true 1790000000123",
        "gateway,device=gateway,project=GD-1 spool_depth=3.0 1790000000123",
    ]
    spooled = lines([Reading(TS, "GD-1", "pit-1", "disp_h_mm", 1.0, "mm", Quality.STALE, "ZQS-01")], True)
    assert spooled == [
        "pit,device=pit-1,point=ZQS-01,project=GD-1,quality=stale disp_h_mm=1.0,backfill=true 1790000000123"
    ]


def test_nan_and_infinity_are_counted_not_written() -> None:
    encoder = LineEncoder(KINDS)
    batch = encoder.encode(
        [
            Reading(TS, "P", "crane-1", "load_t", float("nan")),
            Reading(TS, "P", "crane-1", "wind_ms", float("inf")),
            Reading(TS, "P", "crane-1", "radius_m", 3.0),
        ]
    )
    assert batch.body == b"crane,device=crane-1,project=P radius_m=3.0 1790000000123\n"
    assert (batch.points, batch.readings, batch.rejected) == (1, 1, 2)
    assert encoder.rejected_total == 2


def test_awkward_names_and_strings_survive_a_round_trip_through_influxdb(influxdb1: InfluxDB1) -> None:
    """Spaces, commas, equals signs, quotes, backslashes and non-ASCII in every position."""
    point = "ZQS 01,a=b"
    text = 'he said "hi", C:\\path\\ 司机\nline two'
    readings = [
        Reading(TS, "项目 A,1", "pit-1", "disp_h_mm", 1.5, point=point),
        Reading(TS, "项目 A,1", "pit-1", "note x=y", text, point=point),
    ]
    body = LineEncoder(KINDS).encode(readings).body
    response = httpx.post(f"{influxdb1.url}/write", params={"db": "site", "precision": "ms"}, content=body)
    assert response.status_code == 204, response.text
    series = influxdb1.query("site", "SELECT * FROM pit GROUP BY *")
    assert len(series) == 1
    assert series[0]["tags"] == {"device": "pit-1", "point": point, "project": "项目 A,1"}
    row = dict(zip(series[0]["columns"], series[0]["values"][0], strict=True))
    assert row == {"time": 1790000000123, "disp_h_mm": 1.5, "note x=y": text}


def test_backslash_in_a_tag_is_written_as_slash(influxdb1: InfluxDB1) -> None:
    """InfluxDB 1.x has no escape for a backslash before a separator: a trailing one would break the line."""
    body = LineEncoder(KINDS).encode([Reading(TS, "P", "pit-1", "disp_h_mm", 1.0, point="A\\")]).body
    response = httpx.post(f"{influxdb1.url}/write", params={"db": "site", "precision": "ms"}, content=body)
    assert response.status_code == 204, response.text
    assert influxdb1.query("site", "SELECT * FROM pit GROUP BY *")[0]["tags"]["point"] == "A/"


# names as a site might type them: any printable text, including separators and quotes
names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"), min_size=1, max_size=12
)
_example = itertools.count()
texts = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(point=names, text=texts, value=st.floats(allow_nan=False, allow_infinity=False))
def test_any_point_code_and_text_round_trip(
    influxdb1: InfluxDB1, point: str, text: str, value: float
) -> None:
    project = f"P{next(_example)}"  # each example its own series, found by its project tag
    readings = [
        Reading(TS, project, "pit-1", "disp_h_mm", value, point=point),
        Reading(TS, project, "pit-1", "operator_id", text, point=point),
    ]
    body = LineEncoder(KINDS).encode(readings).body
    response = httpx.post(f"{influxdb1.url}/write", params={"db": "site", "precision": "ms"}, content=body)
    assert response.status_code == 204, (body, response.text)
    [series] = influxdb1.query("site", f"SELECT * FROM pit WHERE project = '{project}' GROUP BY *")
    assert series["tags"]["point"] == point.replace("\\", "/").replace("\n", " ")
    row = dict(zip(series["columns"], series["values"][0], strict=True))
    assert float(row["disp_h_mm"]) == value  # InfluxDB prints integral floats as JSON integers
    assert row["operator_id"] == text
