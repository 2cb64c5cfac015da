"""A LocalStore writer that runs until it is killed: ``python -m tests.store.killed_writer DB``.

It adds batches of readings without pause and, whenever ``flush`` returns, prints ``committed N``
(readings the store has confirmed on disk). test_local_store SIGKILLs it mid-write and checks
that at least that many readings are in the reopened file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from contract.config.sinks import LocalStoreConfig
from contract.readings import Reading
from gateway.store.local import LocalStore


def main(path: Path) -> None:
    """Write forever, reporting every confirmed commit."""
    store = LocalStore(path, LocalStoreConfig(flush_interval_s=0.05))
    store.start()
    added = 0
    t0 = int(time.time()) - 3600  # inside the retention
    while True:
        for _ in range(10):
            store.add(
                [
                    Reading(t0 + (added + i) / 1000, "P", "crane-1", "load_t", float(added + i))
                    for i in range(1000)
                ]
            )
            added += 1000
        if store.flush(30):
            print(f"committed {added}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
