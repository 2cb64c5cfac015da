"""The review queue's filters from the query string: one definition for the queue and its exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from regulator.answers import MAX_ID
from regulator.ledger.review import MAX_PAGE_SIZE, QueueFilter


def queue_filter(
    state: str = Query(
        "pending", description="pending, confirmed, rectifying, reported, closed, dismissed, open or all"
    ),
    city: str = Query("", description="the project's city (empty: any)"),
    district: str = Query("", description="the project's district or county (empty: any)"),
    project: str = Query("", description="project code (empty: any)"),
    rule: str = Query("", description="the check's id, e.g. crane.load (empty: any)"),
    level: str = Query("", description="warning, alarm or critical (empty: any)"),
    since: float | None = Query(None, description="newest event at or after, Unix seconds"),
    until: float | None = Query(None, description="newest event at or before, Unix seconds"),
    overdue: bool = Query(False, description="only rectifications past their deadline"),
    listed: bool = Query(
        False, description="only hazards under listed supervision (挂牌督办) not yet closed"
    ),
    page: int = Query(1, ge=1, le=MAX_ID // MAX_PAGE_SIZE, description="page number, from 1"),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE, description="hazards per page"),
    source: str = Query("", description="gateway, inspection, self_check or public (empty: any)"),
) -> QueueFilter:
    """The review queue's filters from the query string: one definition for the queue and its exports."""
    return QueueFilter(
        state,
        city,
        district,
        project,
        rule,
        level,
        since,
        until,
        overdue,
        listed,
        page,
        page_size,
        source=source,
    )


Filter = Annotated[QueueFilter, Depends(queue_filter)]
