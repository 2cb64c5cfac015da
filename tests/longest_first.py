"""`make test`'s files handed to its workers longest first, by the seconds each took in a recorded run.

pytest-xdist's ``--dist loadfile`` gives a worker a whole file at a time, in the order the workers collected
them (``--no-loadscope-reorder``; by default it puts the files with the most tests first, which sent the
few-test, six-minute schemathesis file to the end, where one worker ran it alone while the other had long
finished). Longest first, a long file starts while the short ones fill the other worker around it, and the
run ends about when half of its total work is done.

The seconds are tests/durations.json's (``scripts/test_durations.py`` writes it from a run's JUnit XML); a
file it does not know yet goes first: it may be long, and a short one there costs nothing. A recorded time
gone stale only costs balance: the order decides nothing a test checks, and every file still runs whole on
one worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DURATIONS = Path(__file__).with_name("durations.json")


def recorded() -> dict[str, float]:
    """Each test file's seconds in the recorded run, by its path from the repository's root."""
    seconds: dict[str, float] = json.loads(DURATIONS.read_text(encoding="utf-8"))
    return seconds


def order(items: list[pytest.Item]) -> None:
    """Sort ``items`` in place, their files longest first; a file's tests keep their order."""
    seconds = recorded()
    position = {item.nodeid: i for i, item in enumerate(items)}

    def place(item: pytest.Item) -> tuple[bool, float, str, int]:
        file = item.nodeid.split("::", 1)[0]
        return file in seconds, -seconds.get(file, 0.0), file, position[item.nodeid]

    items.sort(key=place)
