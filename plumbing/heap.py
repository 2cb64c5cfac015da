"""What a service's start-up made, out of the garbage collector's full collections (the gateway's
``sitegw run`` and the regulator's ``serve``, once each is serving).

A full collection walks every object the collector tracks, and after start-up most of them never die:
modules, classes, pydantic's schemas, the API's routes, the site's configuration (about 97,000 objects
in the process bench/ingest_pipeline.py builds as `sitegw run` does). While readings pour in, those
waiting in the stores' queues and the rules' memory make the collector run a full collection every few
seconds, and each walked all of them: the seven of that benchmark's 210,000 readings took 0.51 to 0.56 s
of CPU, 0.09 to 0.11 s with start-up frozen. ``gc.freeze()`` moves them to the permanent generation,
which no collection walks; what start-up left as garbage is collected first, so nothing is frozen that
could still be freed. With the young collections below as well, the benchmark's CPU per reading went
from 14.3 to 11.6 µs (medians of 4 interleaved runs each; 11.9 with the freeze alone; issue #20). The
regulator's ingest benchmark: the freeze took a sixth of the API process's CPU per event back.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 10_000


def settle_startup_heap() -> None:
    """Collect, then freeze every object alive, once per process: a permanent generation that holds
    anything means an earlier start settled the heap. A later gateway of the same process (the tests
    start hundreds) would otherwise freeze whatever the process held then, and what of it later died
    in a reference cycle would never be freed. Then a young collection every ``YOUNG_COLLECTION_EVERY``
    tracked objects, not CPython's 700: each Reading waiting in the stores' queues is one, so under 50,000
    readings a second the default made about 200 young collections a second, each walking those readings."""
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
