"""The console every `sitegw` command prints with: rich's, imported on the first thing printed, so that `sitegw
run`, which prints nothing of its own while it runs, does not hold it (3 MB, issue #55)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@cache
def console(stderr: bool = False, width: int = 140) -> Console:
    """rich's console on stdout, ``width`` columns wide when piped (a terminal's own width on a terminal), or
    on stderr for errors."""
    from rich.console import Console

    if stderr:
        # errors are never wrapped: a "file:line: what" line cut at the terminal's width is neither greppable
        # nor opened by an editor at its line (a long path wrapped in CI once split bad.csv:3 across two lines)
        return Console(stderr=True, soft_wrap=True)
    return Console(width=None if Console().is_terminal else width)
