"""Flood control's one-statement path on PostgreSQL (held.STORE_OR_HOLD, run from the event loop by
regulator/ingest/on_loop.py) against its straightforward path (WarningHold.write, statement by statement in a
transaction, as Repository.store_event runs it): on random sequences of warnings and alarms (out of order,
resolved, past the hold, redelivered, with and without evidence) both leave the same ledger, the same held
warnings and the same counters, answer every request alike, and stay alike after the upkeep's promotion."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.alert_event import AlertEvent
from contract.wire import EVENTS_PATH
from regulator.ingest.held import WarningHold
from regulator.ingest.on_loop import LoopIngest
from regulator.ingest.receive import Accepted, ingest
from regulator.storage.repository import Repository
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, signed

HOLD_S = 60.0
TABLES = "held_warnings, held_events, warning_counts, events, event_ids, evidence, nonces, hazards"
# what each path left, in an order that does not depend on ids or the regulator's clock
SNAPSHOT = {
    "held_warnings": "SELECT alert_id, rule, first_ts, last_ts, site_state, state FROM held_warnings "
    "ORDER BY alert_id",
    "held_events": "SELECT event_id, alert_id, state, level, ts, backfill, body, has_evidence FROM held_events "
    "ORDER BY event_id",
    "warning_counts": "SELECT project, rule, episodes, events, first_ts, last_ts FROM warning_counts",
    "hazards": "SELECT alert_id, level, level_rank, message, value, site_state, first_ts, last_ts, "
    "evidence_event, state, peak_value, peak_ts FROM hazards ORDER BY alert_id",
    "events": "SELECT e.event_id, h.alert_id, e.state, e.level, e.ts, e.body FROM events e "
    "JOIN hazards h ON h.id = e.hazard_id ORDER BY e.event_id",
    "event_ids": "SELECT event_id FROM event_ids ORDER BY event_id",
    "evidence": "SELECT v.event_id, h.alert_id, v.kind, v.url FROM evidence v "
    "LEFT JOIN hazards h ON h.id = v.hazard_id ORDER BY v.event_id",
}


@pytest.fixture(scope="module")
def two_ledgers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Repository, Repository]]:
    """Two regulators' databases with the test project: one for each path."""
    folder = tmp_path_factory.mktemp("held")
    with pg_database() as one, pg_database() as other:
        repos = tuple(Repository(url, folder / name) for url, name in ((one, "a"), (other, "b")))
        for repo in repos:
            repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区")
        yield repos[0], repos[1]
        for repo in repos:
            repo.close()


step = st.tuples(
    st.integers(0, 2),  # which of three alerts
    st.sampled_from(["warning", "warning", "warning", "alarm"]),
    st.sampled_from(["firing", "updated", "acknowledged", "resolved"]),
    st.floats(0, 2.5 * HOLD_S, allow_nan=False),  # site time after the first event: within and past the hold
    st.booleans(),  # with an evidence picture's address
    st.booleans(),  # redelivered afterwards (the same event_id again, a new request)
)


def events_of(steps: list[tuple[int, str, str, float, bool, bool]]) -> list[AlertEvent]:
    """The requests' events in the order they are sent (a redelivery right after its event)."""
    start = time.time() - 3 * HOLD_S
    sent = []
    for alert, level, state, after, evidence, again in steps:
        event = make_event(
            f"crane-1:crane.wind:{alert}",
            level=level,
            state=state,
            rule="crane.wind",
            ts=start + after,
            value=12.0 + after / 100,
            evidence=f"https://evidence.example.cn/{alert}/{after:.3f}.jpg" if evidence else None,
        )
        sent += [event, event] if again else [event]
    return sent


def snapshot(repo: Repository) -> dict[str, list[tuple[Any, ...]]]:
    with repo.engine.connect() as db:
        return {table: [tuple(r) for r in db.execute(sa.text(q))] for table, q in SNAPSHOT.items()}


def empty(repo: Repository) -> None:
    with repo.engine.begin() as db:
        db.execute(sa.text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))


async def over_the_loop(repo: Repository, hold: WarningHold, sent: list[AlertEvent]) -> list[Accepted]:
    on_loop = LoopIngest(repo, hold)
    try:
        answers = []
        for event in sent:
            body = event.model_dump_json().encode()
            answers.append(await on_loop.ingest(signed(EVENTS_PATH, body), "POST", EVENTS_PATH, body))
        return answers
    finally:
        await on_loop.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_one_statement_holds_warnings_as_the_transaction_does(
    two_ledgers: tuple[Repository, Repository], steps: list[tuple[int, str, str, float, bool, bool]]
) -> None:
    straight, fast = two_ledgers
    hold = WarningHold(HOLD_S)
    sent = events_of(steps)
    for repo in two_ledgers:
        empty(repo)
    by_statements = []
    for event in sent:
        body = event.model_dump_json().encode()
        by_statements.append(ingest(straight, signed(EVENTS_PATH, body), "POST", EVENTS_PATH, body, hold))
    by_loop = asyncio.run(over_the_loop(fast, hold, sent))
    assert by_loop == by_statements
    assert snapshot(fast) == snapshot(straight)
    # the upkeep, once the regulator's clock has passed the hold: what is still held becomes a hazard
    later = time.time() + 2 * HOLD_S
    assert hold.promote_waiting(fast, later) == hold.promote_waiting(straight, later)
    assert snapshot(fast) == snapshot(straight)


def test_a_warning_is_held_in_one_statement_and_a_resolution_in_a_transaction(
    two_ledgers: tuple[Repository, Repository], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual warning takes the one statement (no worker thread); its resolution, which counts the
    episode, takes WarningHold.write's transaction."""
    _, repo = two_ledgers
    empty(repo)
    threads: list[str] = []
    store_held = repo.store_held

    def counted(args: dict[str, Any], write: Any) -> bool:
        threads.append(args["s"])
        return store_held(args, write)

    monkeypatch.setattr(repo, "store_held", counted)
    now = time.time()
    alert = "crane-1:crane.wind:1"
    sent = [
        make_event(alert, level="warning", state="firing", rule="crane.wind", ts=now - 30),
        make_event(alert, 1, level="warning", state="updated", rule="crane.wind", ts=now - 20),
        make_event(alert, 2, level="warning", state="resolved", rule="crane.wind", ts=now - 10),
    ]
    answers = asyncio.run(over_the_loop(repo, WarningHold(HOLD_S), sent))
    assert [a.duplicate for a in answers] == [False, False, False]
    assert threads == ["resolved"]
    state = snapshot(repo)
    assert state["hazards"] == [] and len(state["held_events"]) == 3
    assert [(c[2], c[3]) for c in state["warning_counts"]] == [(1, 3)]
