"""When a paper in force until a date (a machine's periodic inspection, a worker's certificate) is due:
the one reading the papers rules, the certificate rule and the dashboard's papers list share."""

from __future__ import annotations

from datetime import date

from contract.alert_event import Level

DUE_WITHIN_D = 30  # an inspection or certificate due within this many days is a warning


def due_level(due: date | None, today: date, within_d: int = DUE_WITHIN_D) -> Level | None:
    """The level of a paper in force until ``due`` on ``today``: past it, critical; due within ``within_d``
    days (the day itself in date), a warning; None otherwise or with no date."""
    if due is None:
        return None
    if today > due:
        return "critical"
    return "warning" if (due - today).days <= within_d else None
