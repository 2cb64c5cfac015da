"""MQTT payload mapping under hostile input (issue #19): arbitrary bytes and arbitrary JSON.

Whatever arrives on a subscribed topic (not JSON, not UTF-8, numbers past the largest float,
10,000 levels of nesting, the wrong types everywhere), the decoders give readings with finite
values and real times, or problems that say what was wrong: no exception leaves them, and
the good values of a partly bad message are kept. At the link (paho's callback, the same
object the gateway runs), a stream mixing good and bad messages hands every good reading to
the bus, in order, and logs no traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import EXAMPLE_SITE
from contract.bus import Bus
from contract.config.loader import load_site
from contract.config.transport import MqttBroker
from contract.readings import Reading
from drivers.mqtt.decode import FUTURE_SLACK_S, Decoded, MessageRouter
from drivers.mqtt.driver import site_decoders
from drivers.mqtt.link import BrokerLink

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
PROJECT_PREFIX = "sitegw/GD-SZ-2026-0001"
PIT_METRICS = ["disp_h_mm", "disp_v_mm", "incl_mm", "axial_kn", "anchor_kn", "water_level_m", "settle_mm"]
FORMWORK_METRICS = ["settle_mm", "disp_h_mm", "tilt_deg", "axial_kn"]
# a profile with a scale, a nested path and a plain-number topic: the arithmetic can overflow there
SCALED = """\
name: scaled_box
kind: pit
mqtt:
  topics:
    - {topic: "{prefix}/report", point_path: meta.point, ts_path: meta.time, values: [
        {metric: disp_h_mm, path: data.0.v, scale: 1000, unit: mm},
        {metric: disp_v_mm, path: data.1.v, offset: -5, unit: mm, optional: true}]}
    - {topic: "{prefix}/level/+", format: number, point_level: 2, values: [
        {metric: water_level_m, scale: 1e10, unit: m}]}
"""
SCALED_PREFIX = "sitegw/T-0001/pit-1"

# JSON scalars a hostile or broken device sends: huge integers, every float JSON can spell
# (Python's json reads NaN and Infinity), text, booleans, null
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(
        ["in", "out", "进", "12.5", "1e400", "NaN", "2026-11-22T08:01:12+08:00", "0001-01-01T00:00:00Z"]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
TIMES = st.one_of(
    st.floats(1.6e9, 1.9e9),
    st.integers(1_600_000_000_000, 1_900_000_000_000),  # Unix ms
    JSON,
)


# the reference site's file, read once: loading it took a second of a loaded box's CPU, which the stream test paid
# for each of its examples; each example still gets decoders, a bus and a link of its own
SITE = load_site(EXAMPLE_SITE)


@pytest.fixture(scope="module")
def site_router() -> MessageRouter:
    """The reference site's MQTT decoders: pit, high formwork and the access gate."""
    return MessageRouter(site_decoders(SITE)["site"])


@pytest.fixture(scope="module")
def scaled_router(tmp_path_factory: pytest.TempPathFactory) -> MessageRouter:
    from tests.drivers.mqtt.conftest import write_site

    tmp = tmp_path_factory.mktemp("scaled")
    site = write_site(tmp, 1883, profile="scaled_box", extra_profile=SCALED, points=["ZQS-01", "SW-01"])
    return MessageRouter(site_decoders(site)["site"])


def topics() -> st.SearchStrategy[str]:
    """Every topic the two routers subscribe, with any point level (known points and junk)."""
    point = st.one_of(st.sampled_from(["ZQS-01", "CX-02", "M1", "M4", "SW-01"]), st.text(max_size=6))
    return st.one_of(
        point.map(lambda p: f"{PROJECT_PREFIX}/pit-1/points/{p}/data"),
        point.map(lambda p: f"{PROJECT_PREFIX}/formwork-1/points/{p}/data"),
        st.just(f"{PROJECT_PREFIX}/gate-1/passages"),
        st.just(f"{SCALED_PREFIX}/report"),
        point.map(lambda p: f"{SCALED_PREFIX}/level/{p}"),
    )


def documents() -> st.SearchStrategy[Any]:
    """JSON documents shaped like the devices' (known keys, hostile values) and shaped like nothing."""
    keys = [*PIT_METRICS, "ts", "point", "person_id", "direction", "meta", "data"]
    shaped = st.fixed_dictionaries(
        {"ts": TIMES},
        optional={k: JSON for k in keys if k != "ts"}
        | {"meta": st.fixed_dictionaries({"point": JSON, "time": TIMES})},
    )
    return st.one_of(shaped, JSON)


def check(results: list[tuple[Any, Decoded]], arrival: float) -> None:
    """What every decode must give: finite values at real times, and problems that say something."""
    for _decoder, out in results:
        for r in out.readings:
            assert isinstance(r.value, float) and math.isfinite(r.value), r
            assert math.isfinite(r.ts) and 0 < r.ts <= arrival + FUTURE_SLACK_S, r
        assert all(isinstance(p, str) and p for p in out.problems)


def route_all(routers: list[MessageRouter], topic: str, payload: bytes) -> list[tuple[Any, Decoded]]:
    arrival = time.time()
    results = [hit for router in routers for hit in router.route(topic, payload, arrival)]
    check(results, arrival)
    return results


@SETTINGS
@given(topic=topics(), payload=st.binary(max_size=300))
def test_any_bytes_on_any_subscribed_topic_give_readings_or_problems(
    site_router: MessageRouter, scaled_router: MessageRouter, topic: str, payload: bytes
) -> None:
    route_all([site_router, scaled_router], topic, payload)


@SETTINGS
@given(topic=topics(), doc=documents())
def test_any_json_document_gives_finite_readings_or_problems(
    site_router: MessageRouter, scaled_router: MessageRouter, topic: str, doc: Any
) -> None:
    payload = json.dumps(doc, allow_nan=True).encode()
    results = route_all([site_router, scaled_router], topic, payload)
    for _decoder, out in results:
        assert out.readings or out.problems, "a message that gives nothing says why"


@SETTINGS
@given(
    good=st.dictionaries(
        st.sampled_from(PIT_METRICS), st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=3
    ),
    bad=st.dictionaries(
        st.sampled_from(PIT_METRICS),
        st.one_of(
            st.text(max_size=5),
            st.booleans(),
            st.lists(st.integers(), max_size=2),
            st.just(10**400),
            st.just(1e400),
        ),
        max_size=3,
    ),
)
def test_the_good_values_of_a_partly_bad_message_are_kept_and_each_bad_one_named(
    site_router: MessageRouter, good: dict[str, float], bad: dict[str, Any]
) -> None:
    bad = {k: v for k, v in bad.items() if k not in good}
    now = time.time()
    payload = json.dumps({"ts": now - 5, **good, **bad}, allow_nan=True).encode()
    [(_dec, out)] = site_router.route(f"{PROJECT_PREFIX}/pit-1/points/ZQS-01/data", payload, now)
    assert {r.metric: r.value for r in out.readings} == good
    for metric in bad:
        assert any(metric in p for p in out.problems), (metric, out.problems)


@pytest.mark.parametrize("depth", [1_000, 10_000, 100_000])
def test_deeply_nested_json_is_a_bad_message_not_a_crash(site_router: MessageRouter, depth: int) -> None:
    payload = b'{"ts": 1, "disp_h_mm": ' + b"[" * depth + b"]" * depth + b"}"
    [(_dec, out)] = route_all([site_router], f"{PROJECT_PREFIX}/pit-1/points/ZQS-01/data", payload)
    assert out.readings == [] and out.problems


def test_a_number_past_the_largest_float_is_named_not_raised(site_router: MessageRouter) -> None:
    now = time.time()
    payload = json.dumps({"ts": now, "disp_h_mm": 10**400, "disp_v_mm": 1.5}).encode()
    [(_dec, out)] = route_all([site_router], f"{PROJECT_PREFIX}/pit-1/points/ZQS-01/data", payload)
    assert [(r.metric, r.value) for r in out.readings] == [("disp_v_mm", 1.5)]
    assert any("disp_h_mm" in p for p in out.problems)


def test_a_value_its_scale_carries_past_the_largest_float_is_named(scaled_router: MessageRouter) -> None:
    [(_dec, out)] = route_all([scaled_router], f"{SCALED_PREFIX}/level/SW-01", b"1e300")
    assert out.readings == [] and "too large" in out.problems[0]
    [(_dec, out)] = route_all([scaled_router], f"{SCALED_PREFIX}/level/SW-01", b"2.5")
    assert [r.value for r in out.readings] == [2.5e10]


def test_a_time_before_1970_is_refused_like_any_invalid_time(site_router: MessageRouter) -> None:
    payload = json.dumps({"ts": "0001-01-01T00:00:00+00:00", "disp_h_mm": 1.0}).encode()
    [(_dec, out)] = route_all([site_router], f"{PROJECT_PREFIX}/pit-1/points/ZQS-01/data", payload)
    assert out.readings == [] and "not a valid time" in out.problems[0]


def message(topic: str, payload: bytes) -> mqtt.MQTTMessage:
    """A message as paho hands it to the callback (paho's own class, filled in as its reader does)."""
    msg = mqtt.MQTTMessage(topic=topic.encode())
    msg.payload = payload
    return msg


GOOD = st.builds(
    lambda point, v: (point, v), st.sampled_from(["ZQS-01", "ZQS-02", "CX-01"]), st.floats(-500, 500)
)
BAD = st.one_of(
    st.binary(max_size=50),
    documents().map(lambda d: json.dumps(d, allow_nan=True).encode()),
    st.just(b"[" * 20_000),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    stream=st.lists(st.one_of(GOOD.map(lambda g: ("good", g)), BAD.map(lambda b: ("bad", b))), max_size=30)
)
def test_a_stream_mixing_good_and_bad_messages_loses_no_good_reading(
    stream: list[tuple[str, Any]],
) -> None:
    bus = Bus()
    got: list[Reading] = []
    bus.subscribe("test", got.extend)
    link = BrokerLink(
        "site",
        MqttBroker(host="127.0.0.1", port=1883),
        "test",
        site_decoders(SITE)["site"],
        ["pit-1", "formwork-1", "gate-1"],
        bus,
        2,
    )
    tracebacks = _Tracebacks()
    logging.getLogger("drivers.mqtt").addHandler(tracebacks)

    async def feed() -> list[tuple[str, float]]:
        link._loop = asyncio.get_running_loop()  # what start() sets; no broker needed to drive the callback
        expected = []
        now = time.time()
        for i, (kind, item) in enumerate(stream):
            if kind == "good":
                point, value = item
                topic, payload = (
                    f"{PROJECT_PREFIX}/pit-1/points/{point}/data",
                    json.dumps({"ts": now - 100 + i, "disp_h_mm": value}).encode(),
                )
                expected.append((point, value))
            else:
                topic, payload = f"{PROJECT_PREFIX}/pit-1/points/ZQS-03/data", item
            link._on_message(None, None, message(topic, payload))  # type: ignore[arg-type]
        for _ in range(100):
            await asyncio.sleep(0.01)
            if len([r for r in got if r.point != "ZQS-03"]) >= len(expected):
                break
        return expected

    try:
        expected = asyncio.run(feed())
    finally:
        logging.getLogger("drivers.mqtt").removeHandler(tracebacks)
    assert [(r.point, r.value) for r in got if r.point != "ZQS-03"] == expected
    assert tracebacks.records == [], "a bad message must be reported, not end in a traceback"


class _Tracebacks(logging.Handler):
    """Collects log records that carry a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


def test_scaled_router_site_is_valid(tmp_path: Path) -> None:
    """The scaled profile above is itself a valid profile (the hostile part is the payloads)."""
    from tests.drivers.mqtt.conftest import write_site

    site = write_site(tmp_path, 1883, profile="scaled_box", extra_profile=SCALED, points=["ZQS-01", "SW-01"])
    assert site.profiles["scaled_box"].mqtt is not None
