"""The gateway's memory ceiling under a data logger's backlog, and nothing of it lost (issue #43).

Both run bench/ingest_pipeline.py, whose gateway is a process of its own built as `sitegw run` builds it,
writing to its local store and to a real VictoriaMetrics; the readings are counted again in both afterwards.

- The 150,000-message burst (1,050,000 readings) offered as fast as the gateway's own MQTT link takes it (a
  stand-in for paho's network thread reads it from a file; the rest of the burst waits there as it would at
  the broker). The code before held 150 MB at 80,000 such messages, and 190 MB at this burst.
- A burst queued at a real Mosquitto running the shipped broker settings for the gateway's persistent
  session while the gateway is away, taken through paho once it starts. paho's socket reading (some 7,000
  messages a second on a quiet 2-core machine, far fewer on a loaded one) is slower than the stores here,
  so this one checks the path, its broker settings and the count, not the ceiling's cause; 30,000 messages
  keep it within a minute on a loaded machine.

The benchmark's 1,000,000-message burst is `make bench`'s, too long for this suite.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.mosquitto import BINARY as MOSQUITTO

ROOT = Path(__file__).resolve().parents[2]
CEILING_MB = 150
METRICS = 7


def ingest(messages: int, *source: str) -> tuple[str, dict[str, float]]:
    """Run the benchmark on a burst of ``messages`` without the rules (decode -> stores): its output and figures."""
    if MOSQUITTO is None or shutil.which("victoria-metrics") is None:
        pytest.skip("mosquitto or victoria-metrics is not installed: run scripts/setup-test-env.sh")
    argv = [
        sys.executable,
        "bench/ingest_pipeline.py",
        "--messages",
        str(messages),
        "--modes",
        "without_rules",
    ]
    done = subprocess.run(
        [*argv, *source], cwd=ROOT, capture_output=True, text=True, timeout=280, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    return done.stdout, {m[1]: float(m[2]) for m in re.finditer(r"^(\w+): ([\d.]+)", done.stdout, re.M)}


def assert_all_stored_within_the_ceiling(
    out: str, figures: dict[str, float], name: str, messages: int
) -> None:
    stored = re.search(
        rf"^{name}_readings: (\d+) readings \((\d+) in the local store, (\d+) in InfluxDB\)", out, re.M
    )
    assert stored is not None, out
    assert [int(n) for n in stored.groups()] == [
        messages * METRICS
    ] * 3  # sent, in the local store, in InfluxDB
    assert figures[f"{name}_lost"] == 0
    assert figures[f"{name}_peak_rss"] < CEILING_MB, out


def test_a_burst_faster_than_the_stores_stays_under_the_ceiling_and_nothing_is_lost() -> None:
    out, figures = ingest(150_000)
    assert_all_stored_within_the_ceiling(out, figures, "ingest_without_rules_150000", 150_000)


def test_a_backlog_queued_at_mosquitto_is_all_stored_within_the_ceiling() -> None:
    out, figures = ingest(30_000, "--source", "broker")
    assert_all_stored_within_the_ceiling(out, figures, "ingest_broker_without_rules_30000", 30_000)
