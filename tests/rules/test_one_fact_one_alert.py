"""One expired licence, one alert (issue 49 §2): a crane driven by a worker whose licence has expired is one
major hazard (建质规〔2024〕5号 第四条(三)), and the regulator counts every alert it receives as one.

crane.operator owns it: the hazard is working with the expired licence, judged at every sample of the
machine. personnel.certificate, which judges the same worker's certificate once the machine reports them,
raises no second alert for it; its finding is in the crane's alert (the worker, their licence's number
and expiry, and ``joins``). The defect this pins: the demo's crane-2 with OP-1002 opened two critical
alerts, crane.operator and personnel.certificate, for the same person and the same fact."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from contract.alert_event import AlertEvent
from gateway.alerts.manager import AlertManager
from rules import RuleEngine, RuleResult
from tests.rules.sites import reference_site, sample

# OP-1002's licence ended on 2026-06-30 (config/examples/site.yaml); crane-2 lifts with them at the controls
START = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()


def replayed(seconds: int) -> list[RuleResult]:
    """The verdicts of ``seconds`` of crane-2's samples, through the engine as the live gateway runs it."""
    batches = [
        sample("crane-2", START + s, operator_id="OP-1002", load_t=2.0, rated_load_t=4.0, radius_m=20.0)
        for s in range(seconds)
    ]
    return [
        r
        for _, _, results in RuleEngine(reference_site()).replay(b for batch in batches for b in batch)
        for r in results
    ]


def test_the_engine_raises_one_alert_for_one_expired_licence() -> None:
    raised = [r for r in replayed(5) if r.level is not None]
    assert {(r.rule, r.device) for r in raised} == {("crane.operator", "crane-2")}, raised
    found = raised[0]
    assert found.level == "critical" and "第四条(三)" in found.clause
    # the certificate's finding, joined: who, which licence, since when
    assert "OP-1002 李卫东" in found.message and "T-440300-2020-1002" in found.message
    assert "2026-06-30 过期" in found.message and found.message.endswith("立即停止作业，由持证司机操作")
    assert found.details == {
        "worker": "OP-1002",
        "licence_no": "T-440300-2020-1002",
        "valid_until": "2026-06-30",
        "joins": "personnel.certificate",
    }
    # personnel.certificate still judged the worker, and says where the fact went instead of "back to normal"
    [joined] = [r for r in replayed(5) if r.rule == "personnel.certificate" and r.point == "OP-1002"]
    assert joined.level is None and joined.device == "crane-2"
    assert "已于 2026-06-30 过期，不得上岗" in joined.message and "恢复正常" not in joined.message


def test_the_alert_store_holds_one_alert_and_sends_one_hazard(tmp_path: Path) -> None:
    sent: list[AlertEvent] = []
    store = AlertManager(tmp_path / "alerts.sqlite", "GD-SZ-2026-0001", sent.append, clock=lambda: START + 10)
    try:
        store.handle(replayed(5))
        open_ = [a for a in store.list_alerts() if a.state != "resolved"]
        assert [(a.rule, a.device, a.level) for a in open_] == [("crane.operator", "crane-2", "critical")]
        # what goes up to the regulator: one firing event, so one hazard in its ledger
        assert [(e.rule, e.state) for e in sent] == [("crane.operator", "firing")]
    finally:
        store.close()


def test_a_licensed_worker_due_for_renewal_is_still_warned_by_the_certificate_rule() -> None:
    # not the same fact: OP-1001 is licensed (crane.operator quiet) until 2027-12-31; 30 days before, a warning
    ts = datetime.fromisoformat("2027-12-15T09:00:00+08:00").timestamp()
    engine = RuleEngine(reference_site())
    batch = sample("crane-2", ts, operator_id="OP-1001", load_t=2.0, rated_load_t=4.0, radius_m=20.0)
    results = [r for _, _, rs in engine.replay(iter(batch)) for r in rs] + engine.tick(ts + 1)
    about = [(r.rule, r.level) for r in results if r.level and r.device == "crane-2"]  # other papers age too
    assert about == [("personnel.certificate", "warning")]


def test_a_hoist_driver_with_an_expired_licence_is_flagged_at_once_standing_or_moving() -> None:
    # the certificate rule no longer raises it, so the hoist's own rule shows it from the first sample that
    # reports the driver, as the certificate rule did, not only once the cage moves
    ts = START
    batches = [
        sample("hoist-1", ts, driver_id="OP-1002", speed_ms=0.0, load_kg=0.0),
        sample("hoist-1", ts + 1, driver_id="OP-1002", speed_ms=0.6, load_kg=0.0),
        sample("hoist-1", ts + 2, driver_id="OP-1001", speed_ms=0.0, load_kg=0.0),
    ]
    engine = RuleEngine(reference_site())
    results = [r for _, _, rs in engine.replay(b for batch in batches for b in batch) for r in rs]
    about = [
        r for r in results if r.device == "hoist-1" and r.rule in ("hoist.operator", "personnel.certificate")
    ]
    raised = [(r.rule, r.ts - START, r.level) for r in about if r.level]
    assert raised[0] == ("hoist.operator", 0, "critical") and {r[0] for r in raised} == {"hoist.operator"}
    assert "T-440300-2020-1002" in next(r for r in about if r.level).message
    assert [r.level for r in about if r.rule == "hoist.operator"][-1] is None  # a licensed driver took over
