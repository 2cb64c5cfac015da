"""What a replay of the bench's days concludes, as SHA-256 digests: run it from two checkouts and compare.

A change that makes the rules or the alert manager faster must not change what they conclude. For each of
`bench/rules_replay.py`'s days (the example site's cranes, anemometer and pit; the hoist, formwork and gates)
this prints a digest of every verdict (its full repr), of every alert event delivered (its JSON, less the
random event id), of what the store holds at the end (each alert, and each alert's history with the events'
delivery), and of the alerts as the API reads them every 97 instants of a replay and after ``tell_worst``. The
last line digests them all: equal lines, the same conclusions.

Run: ``.venv/bin/python bench/replay_digest.py [--hours H]`` in each checkout (e.g. the baseline made with
``git worktree add --detach /tmp/base REF``), with the same H.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from bench.rules_replay import SITE, new_device_batches, site_batches
from contract.alert_event import AlertEvent
from contract.config import LoadedSite, load_site
from contract.readings import Reading
from gateway.alerts.manager import AlertManager
from gateway.alerts.store import AlertStore
from rules.engine import TS, RuleEngine
from sitegw.replay import replay

ALL = 1_000_000  # more alerts than any bench day has
NO_ID = {"event_id"}


def digests(site: LoadedSite, readings: list[Reading]) -> dict[str, str]:
    """The four digests of one day's replay, and its counts."""
    parts = {name: hashlib.sha256() for name in ("verdicts", "events", "store", "api")}
    ordered = sorted(readings, key=TS)
    verdicts = 0
    for _ts, _batch, results in RuleEngine(site).replay(ordered):
        for r in results:
            parts["verdicts"].update(repr(r).encode())
            verdicts += 1
    events: list[AlertEvent] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "alerts.db"
        replay(site, readings, events.append, db_path=db)
        store = AlertStore(db)
        try:
            for alert in sorted(
                store.query(
                    state=None, level=None, device=None, rule=None, since=None, until=None, limit=ALL
                ),
                key=lambda a: a.alert_id,
            ):
                parts["store"].update(alert.model_dump_json().encode())
                for event in store.history(alert.alert_id):
                    parts["store"].update(event.model_dump_json(exclude=NO_ID).encode())
        finally:
            store.close()
    for event in events:
        parts["events"].update(event.model_dump_json(exclude=NO_ID).encode())
    _read_as_the_api(site, ordered, parts["api"].update)
    out = {name: h.hexdigest() for name, h in parts.items()}
    out["counts"] = f"{verdicts} verdicts, {len(events)} events"
    return out


def _read_as_the_api(site: LoadedSite, ordered: list[Reading], update: Callable[[bytes], object]) -> None:
    """Replay as `sitegw replay` does, reading the alerts as the API does every 97 instants and at the end
    (the manager folds the latest repeated figures and the worst value into them when read)."""
    now = [0.0]
    manager = AlertManager(":memory:", site.config.project.code, lambda e: None, clock=lambda: now[0])
    try:
        for i, (ts, _batch, results) in enumerate(RuleEngine(site).replay(ordered)):
            now[0] = ts
            if results:
                manager.handle(results)
            manager.tick(ts)
            if i % 97 == 0:
                for alert in manager.list_alerts(limit=ALL):
                    update(alert.model_dump_json().encode())
        manager.tell_worst()
        for alert in manager.list_alerts(limit=ALL):
            detail = manager.get(alert.alert_id)
            update(detail.model_dump_json(exclude={"history": {"__all__": NO_ID}}).encode())
    finally:
        manager.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0, help="hours of each bench day to replay")
    opts = parser.parse_args()
    site = load_site(SITE)
    total = hashlib.sha256()
    for day in (site_batches, new_device_batches):
        found = digests(site, [r for batch in day(opts.hours) for r in batch])
        for name, value in found.items():
            print(f"{day.__name__} {name}: {value}")
            total.update(value.encode())
    print(f"all: {total.hexdigest()}")


if __name__ == "__main__":
    with watched():  # the load around it, as every benchmark prints (the digests do not depend on it)
        main()
