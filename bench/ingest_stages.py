"""Where the CPU of a reading goes on the ingest path: microseconds of CPU per reading, stage by stage.

The workload of bench/ingest_pipeline.py (pit DAU messages, 7 metrics each, 40 points, the points'
sensors judged broken so every reading gets a verdict), each stage timed alone with
``time.process_time`` (CPU of every thread of this process, so waiting for a busy core does not
count): decoding the MQTT JSON into Readings, the rule engine, the alert manager with the engine's
verdicts, the live picture, the live stream's JSON, the local store until committed, and the
InfluxDB line protocol. The bus itself is a loop over these handlers.

Then the rules stage as the gateway runs it (``SafetyMonitor.judge``: the engine, then the alert manager
with its verdicts) over that broken-sensor burst and over a healthy one of the same shape (every value
within its sensor's range and below every limit, moving a little), best of ``--rounds`` alternated: a
burst of broken sensors should cost at most twice a healthy one (issue #43).

Run: ``.venv/bin/python bench/ingest_stages.py [--messages N]``; between two checkouts,
``bench/compare.py --base DIR bench/ingest_stages.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched
from bench.mqtt_decode import METRICS, POINTS, PREFIX, SITE, messages
from contract.config.loader import LoadedSite, load_site
from contract.config.sinks import LocalStoreConfig
from contract.readings import Reading
from drivers.mqtt.decode import MessageRouter
from drivers.mqtt.driver import site_decoders
from gateway.alerts.manager import AlertManager
from gateway.alerts.monitor import SafetyMonitor
from gateway.api.hub import LiveHub
from gateway.live import LiveState
from gateway.store.lineproto import LineEncoder
from gateway.store.local import LocalStore
from rules import RuleEngine, RuleResult

BATCH = 40  # messages per bus batch, about what one 5 ms drain carries at 50,000 readings/s


def cpu(fn: Callable[[], object]) -> float:
    """CPU seconds of ``fn()`` (all threads of the process)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def healthy_messages(count: int) -> list[tuple[str, bytes]]:
    """Pit DAU messages of bench/mqtt_decode.py's shape whose values every sensor can give and no limit
    reaches, each point's moving by a hundredth now and then (never stuck, never a jump)."""
    start = time.time() - 86400
    out = []
    for i in range(count):
        point = POINTS[i % len(POINTS)]
        body: dict[str, float | str] = {"ts": round(start + i, 3), "point": point}
        body.update({m: round(1.0 + (i % 7) * 0.01 + k * 0.1, 2) for k, m in enumerate(METRICS)})
        out.append((f"{PREFIX}/points/{point}/data", json.dumps(body).encode()))
    return out


def decode_all(router: MessageRouter, msgs: list[tuple[str, bytes]]) -> list[list[Reading]]:
    """The messages as the bus's batches of Readings."""
    out: list[list[Reading]] = []
    now = time.time()
    for i in range(0, len(msgs), BATCH):
        batch: list[Reading] = []
        for topic, payload in msgs[i : i + BATCH]:
            for _decoder, decoded in router.route(topic, payload, now):
                batch.extend(decoded.readings)
        out.append(batch)
    return out


def rules_stage(site: LoadedSite, batches: list[list[Reading]], db: Path) -> float:
    """CPU seconds of the ingest's rules stage over ``batches``: ``SafetyMonitor.judge`` of each, on a
    fresh engine and alert database."""
    monitor = SafetyMonitor(site, db, lambda e: None)
    try:
        return cpu(lambda: [monitor.judge(b) for b in batches])
    finally:
        monitor.close()
        db.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="pit DAU messages, 7 metrics each")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rules stage: broken and healthy runs, alternated"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        (tmp / "site.yaml").write_text(SITE)
        site = load_site(tmp / "site.yaml")
        msgs = messages(7, args.messages)
        router = MessageRouter(site_decoders(site)["site"])
        decoded: list[list[Reading]] = []
        stages: dict[str, float] = {"decode": cpu(lambda: decoded.extend(decode_all(router, msgs)))}
        n = sum(len(b) for b in decoded)
        engine = RuleEngine(site)
        judged: list[list[Reading]] = []
        verdicts: list[list[RuleResult]] = []

        def rules() -> None:
            for batch in decoded:
                evaluation = engine.evaluate(batch)
                judged.append(evaluation.readings)
                verdicts.append(evaluation.results)

        stages["rules_engine"] = cpu(rules)
        alerts = AlertManager(tmp / "alerts.sqlite", "B-0001", lambda e: None)
        stages["alert_manager"] = cpu(lambda: [alerts.handle(v) for v in verdicts])
        alerts.close()
        live = LiveState()
        stages["live_state"] = cpu(lambda: [live.on_readings(b) for b in judged])

        async def stream() -> None:
            hub = LiveHub(coalesce_s=0.0)
            hub.bind_loop(asyncio.get_running_loop())
            for b in judged:
                hub.on_readings(b)
                await asyncio.sleep(0)  # each batch's coalesced event is serialised
            hub.close()

        stages["live_stream_json"] = cpu(lambda: asyncio.run(stream()))
        store = LocalStore(tmp / "history.sqlite", LocalStoreConfig())

        def local_store() -> None:
            store.start()
            for b in judged:
                store.add(b)
            store.flush()
            store.stop()

        stages["local_store"] = cpu(local_store)
        encoder = LineEncoder({"pit-1": "pit"})
        stages["influx_lines"] = cpu(lambda: [encoder.encode(judged[i]) for i in range(len(judged))])
        healthy = decode_all(router, healthy_messages(args.messages))
        best = {"broken": float("inf"), "healthy": float("inf")}
        for _ in range(args.rounds):
            for label, batches in (("broken", decoded), ("healthy", healthy)):
                best[label] = min(best[label], rules_stage(site, batches, tmp / f"{label}.sqlite"))
    total = sum(stages.values())
    for name, seconds in stages.items():
        print(f"stage_{name}_us_per_reading: {seconds / n * 1e6:.2f} us")
    print(f"stages_total_us_per_reading: {total / n * 1e6:.2f} us")
    print(f"stages_readings_per_cpu_s: {n / total:.0f} readings/s")
    for label, seconds in best.items():
        print(f"rules_stage_{label}_us_per_reading: {seconds / n * 1e6:.2f} us")
    print(f"rules_stage_broken_over_healthy: {best['broken'] / best['healthy']:.2f} x")


if __name__ == "__main__":
    with watched():
        main()
