"""The live stream's readings rows written by hand (gateway/api/live_rows.py) are the text json.dumps
writes for the same rows as dicts, on random readings: any names, units and text values (quotes,
backslashes, control characters, CJK, lone surrogates), NaN, the infinities, -0.0 and huge floats,
readings sharing a ts object with other qualities and values."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.readings import Quality, Reading
from gateway.api.live_rows import ReadingRows, array

FIELDS = ("device", "point", "metric", "value", "unit", "ts", "quality")  # the stream's keys, in order


def dict_rows(batch: list[Reading]) -> str:
    """What the live stream sent before: a dict per reading through json.dumps."""
    rows: list[dict[str, Any]] = [
        {f: getattr(r, f) for f in FIELDS} | {"quality": r.quality.value} for r in batch
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


names = st.sampled_from(
    ["pit-1", "ZQS-01", "", 'a"b', "a\\b", "地表沉降", "\x00\x1f\n", "\ud800x"]
) | st.text(max_size=8)
values = st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8) | st.integers(-(10**20), 10**20)
# the same ts objects again and again, as a message's readings share theirs (the writer keeps the text
# after one), with other qualities among them
SHARED_TS = [1_790_000_000.123, float("nan"), 1_790_000_000.123, 7]
readings = st.builds(
    Reading,
    ts=st.sampled_from(SHARED_TS) | st.floats(allow_nan=True, allow_infinity=True) | st.integers(0, 2**40),
    project=st.just("B-0001"),
    device=names,
    metric=names,
    value=values,
    unit=names,
    quality=st.sampled_from(list(Quality)),
    point=names,
)


@settings(max_examples=400)
@given(st.lists(st.lists(readings, max_size=12), max_size=4))
def test_rows_are_the_json_of_the_dicts(batches: list[list[Reading]]) -> None:
    rows = ReadingRows()  # one writer for every batch: its kept parts must serve later batches alike
    for batch in batches:
        assert array(rows.rows(batch)) == dict_rows(batch)


def test_a_series_seen_again_with_another_quality_and_unit_keeps_each_its_own() -> None:
    rows = ReadingRows()
    first = Reading(1.5, "B", "pit-1", "disp_h_mm", 2.0, "mm", Quality.OK, "ZQS-01")
    fault = Reading(2.5, "B", "pit-1", "disp_h_mm", -9999.0, "mm", Quality.FAULT, "ZQS-01")
    metres = Reading(3.5, "B", "pit-1", "disp_h_mm", 0.002, "m", Quality.OK, "ZQS-01")
    batch = [first, fault, metres]
    assert array(rows.rows(batch)) == dict_rows(batch)
    assert [json.loads(r)["quality"] for r in rows.rows(batch)] == ["ok", "fault", "ok"]
