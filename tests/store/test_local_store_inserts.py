"""The local store inserts rows a hundred to a statement (gateway/store/local.py): what it keeps is what
inserting them one by one keeps, on random batches across the hundreds with repeated instants: each
series' first value at an instant stays, a repeat counts as a duplicate, nothing else is lost."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.config.sinks import LocalStoreConfig
from contract.readings import Reading
from gateway.store.local import LocalStore
from plumbing.sqlite import sqlite3

T0 = float(int(time.time()) - 3600)
readings = st.builds(
    Reading,
    ts=st.integers(0, 40).map(lambda k: T0 + k),  # few instants: repeats within and across batches
    project=st.just("GD-1"),
    device=st.sampled_from(["crane-1", "pit-1"]),
    metric=st.sampled_from(["load_t", "disp_h_mm", "operator_id"]),
    value=st.floats(-1e6, 1e6) | st.text(max_size=5),
    point=st.sampled_from(["", "ZQS-01"]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(readings, max_size=260), min_size=1, max_size=4))
def test_the_store_keeps_each_series_first_value_at_each_instant(batches: list[list[Reading]]) -> None:
    kept: dict[tuple[str, str, str, int], float | str] = {}
    for r in (r for batch in batches for r in batch):
        kept.setdefault((r.device, r.point, r.metric, round(r.ts * 1000)), r.value)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        store = LocalStore(path, LocalStoreConfig(flush_interval_s=10))  # one commit: the flush below
        store.start()
        for batch in batches:
            store.add(batch)
        assert store.flush(10)
        store.stop()
        counts = store.reader.counts()
        with sqlite3.connect(path) as db:
            rows = db.execute(
                "SELECT s.device, s.point, s.metric, r.ts, COALESCE(r.text, r.value) "
                "FROM readings r JOIN series s ON s.id = r.series_id"
            ).fetchall()
    assert {(d, p, m, ts): v for d, p, m, ts, v in rows} == kept
    assert (counts.rows, counts.duplicates) == (len(kept), sum(map(len, batches)) - len(kept))
