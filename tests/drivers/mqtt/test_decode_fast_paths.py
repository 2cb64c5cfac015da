"""The MQTT decoder's shortcuts against the straightforward way, on hostile input (issue #20).

A value at a one-name path is taken from the JSON object's dict instead of walking the path, and a
finite float skips the checks (and the words of a message naming the value). On any document and topic
of test_decode_properties, the readings and problems are those of walking every path with ``lookup``
and checking every value with ``number`` or ``word``, as the decoder did before.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from drivers.mqtt.decode import MISSING, BadValue, MessageDecoder, MessageRouter, lookup, number, word
from tests.drivers.mqtt.test_decode_properties import (  # noqa: F401  (pytest fixtures)
    JSON,
    PIT_METRICS,
    PROJECT_PREFIX,
    SCALARS,
    SCALED_PREFIX,
    SETTINGS,
    documents,
    scaled_router,
    site_router,
    topics,
)

NOW = time.time()
# messages whose time and point are good, so every value is looked at: hostile values at the paths
SPECIAL = st.sampled_from([math.nan, math.inf, -math.inf, 1.7e308, -0.0, 5e-324, 10**400, 3, True, "12.5"])
VALUES = SPECIAL | st.floats() | SCALARS | JSON
PIT = st.fixed_dictionaries({"ts": st.just(NOW - 5)}, optional=dict.fromkeys(PIT_METRICS, VALUES)).map(
    lambda doc: (f"{PROJECT_PREFIX}/pit-1/points/ZQS-01/data", doc)
)
REPORT = st.fixed_dictionaries(
    {"meta": st.just({"point": "ZQS-01", "time": NOW - 5})},
    optional={"data": st.lists(st.dictionaries(st.sampled_from(["v", "w"]), VALUES) | VALUES, max_size=3)},
).map(lambda doc: (f"{SCALED_PREFIX}/report", doc))
LEVEL = (SCALARS | st.floats()).map(lambda v: (f"{SCALED_PREFIX}/level/SW-01", v))
MESSAGES = PIT | REPORT | LEVEL | st.tuples(topics(), documents())


def walked(dec: MessageDecoder, doc: Any) -> tuple[list[tuple[str, float]], list[str]]:
    """(metric, value) of each value of ``doc`` and the problems, every value found by walking its path
    and checked by number() or word()."""
    found: list[tuple[str, float]] = []
    problems: list[str] = []
    for spec in dec.values:
        raw = lookup(doc, spec.path) if dec.is_json else doc
        what = f"{spec.metric} at {spec.path_text}"
        if raw is MISSING or raw is None:
            problems += [] if spec.optional else [f"{spec.metric}: no value at {spec.path_text}"]
            continue
        try:
            value = word(raw, spec.words, what) if spec.words and type(raw) is str else number(raw, what)
        except BadValue as exc:
            problems.append(str(exc))
            continue
        scaled = value * spec.scale + spec.offset
        if math.isfinite(scaled):
            found.append((spec.metric, scaled))
        else:
            problems.append(f"{what} is {raw!r} * scale {spec.scale:g}: too large")
    return found, problems


@SETTINGS
@given(message=MESSAGES)
def test_decoding_is_walking_every_path_and_checking_every_value(
    site_router: MessageRouter, scaled_router: MessageRouter, message: tuple[str, Any]
) -> None:
    topic, doc = message
    payload = json.dumps(doc, allow_nan=True).encode()
    for router in (site_router, scaled_router):
        for dec, out in router.route(topic, payload, NOW):
            if any(p.endswith("message dropped") for p in out.problems):
                continue  # nothing of the message is looked at: no shortcut either
            values, problems = walked(dec, json.loads(payload) if dec.is_json else float(payload))
            assert [(r.metric, r.value) for r in out.readings] == values
            assert [p for p in out.problems if not p.startswith("none of the profile's")] == problems
