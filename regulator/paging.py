"""Where one page of a long list stands in the whole, as every paged answer carries it (the review queue,
the patrol wall, risk grading, the projects)."""

from __future__ import annotations

from pydantic import BaseModel, Field


def pages(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill (at least 1: an empty list is one empty page)."""
    return max(1, -(-total // page_size))


class Paged(BaseModel):
    """A page's place in its list."""

    total: int = Field(description="rows in the whole list, on every page")
    page: int = Field(description="this page's number, from 1")
    page_size: int = Field(description="rows per page")
    pages: int = Field(description="pages the list fills (at least 1)")


# the most projects a page of risk grading or of the projects list holds; pages are bounded so that the
# offset stays a BIGINT
MAX_LIST_PAGE = 1000
