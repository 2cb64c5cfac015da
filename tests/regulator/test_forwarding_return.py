"""Issue 50: a province back from an outage has its cities' backlogs on their way within seconds of its
return, however long it was away. The city probes a province that does not answer every 2 s instead of
backing off to its 30 s cap (regulator/forwarding/sender.py), so the first batch leaves moments after the
province answers again, and everything arrives once. Two real `sitegw regulator serve` processes on their
own PostgreSQL databases (tests/regulator/chain.py).
"""

from __future__ import annotations

import queue
import threading
import time

import pytest

from tests.regulator.chain import CITY_ID, chain, wait
from tests.regulator.support import make_event

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

AWAY_S = 45.0  # long enough for a backoff doubling from 1 s to have reached a 30 s cap
FIRST_WITHIN_S = 10.0  # the first batch after the province answers again: the probe's 2 s, and its work
HAZARDS = 120


def lines(stream: object) -> queue.Queue[str]:
    """The city's log lines as they come (read by a thread till the process ends)."""
    got: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:  # type: ignore[attr-defined]
            got.put(line)

    threading.Thread(target=read, daemon=True).start()
    return got


@pytest.mark.slow
def test_the_first_batch_leaves_within_seconds_of_the_provinces_return_and_everything_arrives_once() -> None:
    with chain() as c:
        c.post(make_event("before"))
        wait(c.same, "the first hazard at the province", 60, c)
        assert c.city.proc is not None and c.city.proc.stdout is not None
        said = lines(c.city.proc.stdout)
        c.province.stop(kill=True)
        away = time.monotonic()
        for n in range(HAZARDS):
            c.post(make_event(f"while-away-{n}"))
        time.sleep(max(0.0, AWAY_S - (time.monotonic() - away)))
        queued = c.backlog()
        assert queued >= HAZARDS
        # the province comes back just after one of the city's tries failed: the worst moment for a backoff
        while not said.empty():
            said.get_nowait()
        tried = said.get(timeout=60)
        assert "no answer" in tried, tried
        c.province.start()
        back = time.monotonic()
        first = wait(lambda: c.backlog() < queued, "the first batch after the province's return", 60, c)
        assert first < FIRST_WITHIN_S, f"the first batch left {first:.1f} s after the province answered again"
        wait(c.same, "everything at the province", 120, c)
        print(f"first batch {first:.1f} s, all there {time.monotonic() - back:.1f} s after the return")
        assert c.province.rows(
            f"SELECT COUNT(*), COUNT(DISTINCT ref) FROM forward_records WHERE origin = '{CITY_ID}' "
            "AND kind = 'hazard'"
        ) == [(HAZARDS + 1, HAZARDS + 1)]
        assert c.province.rows("SELECT COUNT(*) FROM hazards") == [(HAZARDS + 1,)]
