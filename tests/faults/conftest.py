"""The fault suite's table: one row per scenario run, printed at the end of the session."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest


@dataclass(frozen=True)
class FaultRow:
    """What a user checks after a fault: what was lost, stored twice, and how long the site took to catch up."""

    scenario: str
    fault: str
    readings_lost: int | None  # None: the scenario does not count them
    events_lost: int | None  # None: the scenario has no events to lose (a readings-only fault)
    duplicates_stored: int
    recover_s: float
    events: int | None  # events the gateway recorded in the run, so a 0 lost reads against something


ROWS: list[FaultRow] = []


@pytest.fixture
def fault_table() -> list[FaultRow]:
    """Append a FaultRow for the scenario; the table is printed when the session ends."""
    return ROWS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault table (scenario, fault injected, readings lost, events lost, duplicates, recovery)."""
    if not ROWS:
        return
    names = [f.name for f in fields(FaultRow)]
    terminalreporter.section("fault suite")
    terminalreporter.write_line(" | ".join(names))
    for row in ROWS:
        cells = ("n/a" if getattr(row, n) is None else str(getattr(row, n)) for n in names)
        terminalreporter.write_line(" | ".join(cells))
