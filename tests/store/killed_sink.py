"""An InfluxDB sink spooling until it is killed: ``python -m tests.store.killed_sink URL SPOOL_DIR``.

The server at URL is down, so every batch goes to the disk spool. Whenever the spool grows it
prints ``spooled N`` (points confirmed on disk). test_influx_v1 SIGKILLs it mid-spool and
checks that a new sink replays at least those points, in order.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from contract.config.sinks import InfluxConfig
from contract.readings import Reading
from gateway.store.influx import InfluxSink


async def main(url: str, spool_dir: Path) -> None:
    """Add readings forever, reporting the spool's depth."""
    cfg = InfluxConfig(url=url, api="v1", database="site", flush_interval_s=0.01, batch_size=100)
    sink = InfluxSink(cfg, spool_dir, {"crane-1": "crane"}, retry_max_s=0.05)
    await sink.start()
    t0 = int(time.time()) - 3600
    added = reported = 0
    while True:
        sink.add([Reading(t0 + added + i, "GD-1", "crane-1", "load_t", float(added + i)) for i in range(50)])
        added += 50
        await asyncio.sleep(0.005)
        if sink.stats().spool_points > reported:
            reported = sink.stats().spool_points
            print(f"spooled {reported}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
