"""Payload maps: JSON paths, plain numbers, point codes, timestamps, and what bad messages give.

No broker here: these drive the same decoders the driver runs in paho's thread.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contract.bus import Bus
from contract.config.errors import ConfigError
from drivers.mqtt.decode import MessageRouter
from drivers.mqtt.driver import MqttDriver, site_decoders

from .conftest import PREFIX, write_site

NESTED = """\
name: nested_box
kind: pit
mqtt:
  topics:
    - topic: "{prefix}/report"
      point_path: $.meta.point
      ts_path: $.meta.time
      values:
        - {metric: disp_h_mm, path: $.data.0.v, scale: 0.1, unit: mm}
        - {metric: disp_v_mm, path: data.1.v, unit: mm}
    - topic: "{prefix}/level/+"
      format: number
      point_level: 2
      values:
        - {metric: water_level_m, offset: -10, unit: m}
"""


@pytest.fixture
def pit_router(tmp_path: Path) -> MessageRouter:
    return MessageRouter(site_decoders(write_site(tmp_path, 1883))["site"])


@pytest.fixture
def nested_router(tmp_path: Path) -> MessageRouter:
    site = write_site(tmp_path, 1883, profile="nested_box", extra_profile=NESTED, points=["ZQS-01", "SW-01"])
    return MessageRouter(site_decoders(site)["site"])


def decode(router: MessageRouter, topic: str, payload: object, arrival: float | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    results = router.route(topic, body, arrival or time.time())
    assert len(results) == 1, f"{topic} should match exactly one topic map"
    return results[0][1]


def test_pit_message_gives_one_reading_per_metric_with_point_from_topic(pit_router: MessageRouter) -> None:
    out = decode(
        pit_router,
        f"{PREFIX}/points/ZQS-01/data",
        {"ts": 1763701200, "point": "ZQS-01", "disp_h_mm": 12.41, "disp_v_mm": 4},
    )
    assert out.problems == []
    got = {(r.metric, r.value, r.unit, r.point, r.ts, r.device, r.project) for r in out.readings}
    assert got == {
        ("disp_h_mm", 12.41, "mm", "ZQS-01", 1763701200.0, "pit-1", "T-0001"),
        ("disp_v_mm", 4.0, "mm", "ZQS-01", 1763701200.0, "pit-1", "T-0001"),
    }


def test_nested_paths_list_indexes_and_scale(nested_router: MessageRouter) -> None:
    out = decode(
        nested_router,
        f"{PREFIX}/report",
        {"meta": {"point": "ZQS-01", "time": "2026-11-21T08:00:00+08:00"}, "data": [{"v": 123}, {"v": -1.5}]},
    )
    assert out.problems == []
    by_metric = {r.metric: r for r in out.readings}
    assert by_metric["disp_h_mm"].value == pytest.approx(12.3)  # 123 * 0.1
    assert by_metric["disp_v_mm"].value == -1.5
    assert by_metric["disp_h_mm"].ts == datetime(2026, 11, 21, 0, 0, tzinfo=UTC).timestamp()
    assert by_metric["disp_h_mm"].point == "ZQS-01"


def test_plain_number_payload_with_point_from_topic_and_arrival_time(nested_router: MessageRouter) -> None:
    out = decode(nested_router, f"{PREFIX}/level/SW-01", b" 6.75\n", arrival=1763701234.5)
    assert out.problems == []
    [r] = out.readings
    assert (r.metric, r.value, r.point, r.ts) == ("water_level_m", -3.25, "SW-01", 1763701234.5)


@pytest.mark.parametrize(
    "ts, expected",
    [
        (1763701200, 1763701200.0),  # Unix seconds
        (1763701200.25, 1763701200.25),
        (1763701200123, 1763701200.123),  # Unix milliseconds
        ("1763701200", 1763701200.0),
        ("2025-11-21T05:00:00Z", datetime(2025, 11, 21, 5, tzinfo=UTC).timestamp()),
        ("2025-11-21T13:00:00.500+08:00", datetime(2025, 11, 21, 5, 0, 0, 500000, tzinfo=UTC).timestamp()),
    ],
)
def test_timestamp_formats(pit_router: MessageRouter, ts: object, expected: float) -> None:
    out = decode(pit_router, f"{PREFIX}/points/ZQS-01/data", {"ts": ts, "disp_h_mm": 1.0})
    assert out.problems == []
    assert out.readings[0].ts == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    "ts, why",
    [
        ("2025-11-21T05:00:00", "no UTC offset"),
        ("yesterday", "neither Unix time nor ISO 8601"),
        (None, "no timestamp"),
        # a named id: pytest-xdist's workers must collect the same test names, and the value is the clock's
        pytest.param(time.time() + 86400, "in the future", id="a day ahead-in the future"),
        (True, "not a number"),
    ],
)
def test_bad_timestamp_drops_the_message_and_says_why(
    pit_router: MessageRouter, ts: object, why: str
) -> None:
    out = decode(pit_router, f"{PREFIX}/points/ZQS-01/data", {"ts": ts, "disp_h_mm": 1.0})
    assert out.readings == []
    assert why in out.problems[0] and "dropped" in out.problems[0]


def test_partly_bad_message_keeps_its_good_values(pit_router: MessageRouter) -> None:
    out = decode(
        pit_router,
        f"{PREFIX}/points/ZQS-01/data",
        {"ts": 1763701200, "disp_h_mm": "12.4", "disp_v_mm": 3.2, "incl_mm": float("nan")},
    )
    assert [(r.metric, r.value) for r in out.readings] == [("disp_v_mm", 3.2)]
    assert any("disp_h_mm" in p and "not a number" in p for p in out.problems)
    assert any("incl_mm" in p for p in out.problems)


def test_missing_required_value_is_a_problem_missing_optional_is_not(nested_router: MessageRouter) -> None:
    out = decode(
        nested_router,
        f"{PREFIX}/report",
        {"meta": {"point": "ZQS-01", "time": 1763701200}, "data": [{"v": 5}]},
    )
    assert [r.metric for r in out.readings] == ["disp_h_mm"]
    assert out.problems == ["disp_v_mm: no value at data.1.v"]


def test_message_without_any_value_is_a_problem(pit_router: MessageRouter) -> None:
    out = decode(pit_router, f"{PREFIX}/points/ZQS-01/data", {"ts": 1763701200, "temp_c": 21})
    assert out.readings == [] and "none of the profile's values" in out.problems[0]


@pytest.mark.parametrize(
    "payload, why",
    [
        (b'{"ts": 1763701200, "disp_h_mm": 12.', "not valid JSON"),  # truncated
        (b"\xff\xfe garbage", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_unparseable_payload(pit_router: MessageRouter, payload: bytes, why: str) -> None:
    out = decode(pit_router, f"{PREFIX}/points/ZQS-01/data", payload)
    assert out.readings == [] and why in out.problems[0]


def test_unknown_point_is_rejected_naming_the_known_ones(pit_router: MessageRouter) -> None:
    out = decode(pit_router, f"{PREFIX}/points/ZQS-99/data", {"ts": 1763701200, "disp_h_mm": 1.0})
    assert out.readings == []
    assert "unknown point 'ZQS-99'" in out.problems[0] and "ZQS-01" in out.problems[0]


def test_plain_number_that_is_not_a_number(nested_router: MessageRouter) -> None:
    out = decode(nested_router, f"{PREFIX}/level/SW-01", b"n/a")
    assert out.readings == [] and "not a number" in out.problems[0]


def test_topics_outside_the_filters_match_nothing(pit_router: MessageRouter) -> None:
    for topic in (f"{PREFIX}/points/ZQS-01", f"{PREFIX}/points/ZQS-01/data/x", "other/points/ZQS-01/data"):
        assert pit_router.route(topic, b"{}", time.time()) == []


def test_a_broken_topic_map_is_a_config_error_naming_device_and_topic(tmp_path: Path) -> None:
    bad = NESTED.replace('"{prefix}/report"', '"{prefix}/rep#ort"')
    site = write_site(tmp_path, 1883, profile="nested_box", extra_profile=bad, points=["ZQS-01"])
    with pytest.raises(ConfigError) as err:
        MqttDriver(site, Bus())
    text = str(err.value)
    assert "pit-1" in text and "mqtt.topics[0]" in text and "'#' must be a whole level" in text
