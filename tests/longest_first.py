"""`make test`'s and `make test-long`'s files handed to their workers longest first, by the seconds each took
in a recorded run.

pytest-xdist's ``--dist loadfile`` gives a worker a whole file at a time, in the order the workers collected
them (``--no-loadscope-reorder``; by default it puts the files with the most tests first, which sent the
few-test, six-minute schemathesis file to the end, where one worker ran it alone while the other had long
finished). Longest first, a long file starts while the short ones fill the other worker around it, and the
run ends about when half of its total work is done.

The seconds are tests/durations.json's (``scripts/record_test_durations.py`` writes it from a run's JUnit
XML); a file it does not know is reckoned at PER_TEST seconds a test, the suite's average, so that unrecorded
files keep xdist's own order among themselves (the most tests first). A recorded time gone stale only costs
balance: the order decides nothing a test checks, and every file still runs whole on one worker."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

DURATIONS = Path(__file__).with_name("durations.json")
PER_TEST = 1.1  # seconds: a full run on two workers, 2,743 tests in 25 minutes (2026-11-26)


def recorded() -> dict[str, float]:
    """Each test file's seconds in the recorded run, by its path from the repository's root."""
    seconds: dict[str, float] = json.loads(DURATIONS.read_text(encoding="utf-8"))
    return seconds


def order(items: list[pytest.Item]) -> None:
    """Sort ``items`` in place, their files longest first; a file's tests keep their order."""
    seconds = recorded()
    tests = Counter(file_of(item) for item in items)
    first: dict[str, int] = {}  # where each file came in pytest's order: equal reckonings keep it
    for i, item in enumerate(items):
        first.setdefault(file_of(item), i)
    position = {item.nodeid: i for i, item in enumerate(items)}

    def place(item: pytest.Item) -> tuple[float, int, int]:
        file = file_of(item)
        return -seconds.get(file, tests[file] * PER_TEST), first[file], position[item.nodeid]

    items.sort(key=place)


def file_of(item: pytest.Item) -> str:
    """The test file of ``item``, from the repository's root."""
    return item.nodeid.split("::", 1)[0]
