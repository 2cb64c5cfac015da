"""The warm-up's parts on the reference site: the store read back in order, and the rules' state after it."""

from __future__ import annotations

from pathlib import Path

from contract.config.sinks import LocalStoreConfig
from contract.readings import Quality
from gateway.store.local import LocalStore
from rules import RuleEngine
from sitegw.warmup import warm_up
from tests.rules.sites import PROJECT, reference_site, sample

T0 = 1_795_222_800.0
H2 = 7200.0


def stored(tmp_path: Path, batches: list[list]) -> LocalStore:
    store = LocalStore(tmp_path / "history.sqlite", LocalStoreConfig())
    store.start()
    for batch in batches:
        store.add(batch)
    assert store.flush()
    return store


def test_history_comes_back_in_time_order_across_series_and_chunks(tmp_path: Path) -> None:
    batches = [
        sample("pit-1", T0 + i * H2, point=code, disp_h_mm=float(i))
        for i in range(6)
        for code in ("ZQS-02", "ZQS-01")
    ]
    batches += [
        sample("crane-1", T0 + 3 * H2, load_t=1.0, operator_id="OP-1001"),
        sample("crane-1", T0 + 3 * H2 + 1, tilt_deg=0.1, quality=Quality.FAULT),
    ]
    store = stored(tmp_path, batches)
    try:
        back = list(store.reader.readings_since(T0 + H2, PROJECT, {"pit-1", "crane-1"}, chunk=2))
    finally:
        store.stop()
    assert [r.ts for r in back] == sorted(r.ts for r in back) and len(back) == 5 * 2 + 3
    same_instant = [(r.device, r.point, r.metric) for r in back if r.ts == T0 + 3 * H2]
    assert same_instant == [
        ("crane-1", "", "load_t"),
        ("crane-1", "", "operator_id"),
        ("pit-1", "ZQS-01", "disp_h_mm"),
        ("pit-1", "ZQS-02", "disp_h_mm"),
    ]
    text = next(r for r in back if r.metric == "operator_id")
    tilt = next(r for r in back if r.metric == "tilt_deg")
    assert text.value == "OP-1001" and tilt.quality is Quality.FAULT and tilt.ts == T0 + 3 * H2 + 1


def test_after_a_warm_up_the_next_verdict_counts_and_offline_clocks_restart() -> None:
    """An alert the manager still holds but the warm-up saw clear (it fired before the window) resolves on
    the first live verdict; devices are not taken for offline because the gateway itself was off."""
    engine = RuleEngine(reference_site())
    history = [
        r for i in range(3) for r in sample("pit-1", T0 + i * H2, point="ZQS-03", disp_h_mm=5.0 + i / 10)
    ]
    history += sample("crane-1", T0 + 2 * H2, load_t=1.0, radius_m=20.0)
    report = warm_up(engine, history, 3 * H2)
    assert report.readings == 5 and report.first_ts == T0 and report.last_ts == T0 + 2 * H2
    later = T0 + 10 * H2  # the box was off for 16 h
    engine.resume(later)
    assert [r for r in engine.tick(later + 1) if r.level is not None] == []
    verdicts = engine.process(sample("pit-1", later + 10, point="ZQS-03", disp_h_mm=5.4))
    assert [(r.rule, r.level) for r in verdicts if r.rule == "pit.cumulative"] == [("pit.cumulative", None)]
    # without resume() the same clear verdict would not be reported again (it did not change)
    again = engine.process(sample("pit-1", later + H2, point="ZQS-03", disp_h_mm=5.5))
    assert [r for r in again if r.rule == "pit.cumulative"] == []
