"""What the gateway's start-up made, out of the garbage collector's full collections.

A full collection walks every object the collector tracks, and after start-up most of them never die:
modules, classes, pydantic's schemas, the API's routes, the site's configuration (about 140,000 objects
in the process bench/ingest_pipeline.py builds as `sitegw run` does). While readings pour in, those
waiting in the stores' queues and the rules' memory make the collector run a full collection every few
seconds, and each walked all of them: the seven of that benchmark's 210,000 readings took 0.55 to 0.65 s
of CPU, 0.07 to 0.13 s with start-up frozen (13.9 -> 11.4 µs a reading, issue #20). ``gc.freeze()``
moves them to the permanent generation, which no collection walks; what start-up left as garbage is
collected first, so nothing is frozen that could still be freed.
"""

from __future__ import annotations

import gc


def settle_startup_heap() -> None:
    """Collect, then freeze every object alive, once per process: a permanent generation that holds
    anything means an earlier start settled the heap. A later gateway of the same process (the tests
    start hundreds) would otherwise freeze whatever the process held then, and what of it later died
    in a reference cycle would never be freed."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
