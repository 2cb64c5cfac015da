"""glibc's heap under a burst: its large blocks and the pages it freed given back to the system (issue #55).

An edge box's gateway is budgeted by its peak memory (bench/memory_budget.py). Under a logger's backlog its
threads allocate and free readings, batches and encodings out of order; what glibc keeps of that after it was
freed, not what is still in use, was the largest part of the peak's growth (docs/benchmarks.md, Memory).
Elsewhere than glibc (musl, macOS) both are no-ops.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
from collections.abc import Callable

_M_MMAP_THRESHOLD = -3  # mallopt's parameter: blocks of at least this size are mapped on their own
MMAP_THRESHOLD = 128 * 1024
TRIM_EVERY_S = 1.0


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (mallopt, malloc_trim); None elsewhere (musl, macOS)."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def map_large_blocks() -> None:
    """Blocks of 128 KB and more mapped on their own, whatever was freed before (glibc; a no-op elsewhere).

    glibc raises that threshold to the size of each large block freed (up to 32 MB): after a burst's first
    line-protocol bodies, the live stream's JSON and the spool's reads (0.5 to 2 MB each) were freed, their
    successors came from the heap and left it full of holes the size of each, held after they were freed
    (issue #55). Fixed, each is given back to the system when freed."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


async def trim_while_busy(moved: Callable[[], int], period_s: float = TRIM_EVERY_S) -> None:
    """Every ``period_s`` that ``moved()`` (a count of readings taken) changed, hand glibc's free pages back to
    the system (``malloc_trim``), until cancelled.

    A burst's readings, batches and encodings are freed out of order, across the heaps of several threads:
    the pages between the blocks still held stay the process's until trimmed, and they were the largest part
    of a burst's peak (docs/benchmarks.md, Memory). The trim runs in a worker thread, outside the GIL."""
    libc = _glibc()
    if libc is None:
        return
    last = moved()
    while True:
        await asyncio.sleep(period_s)
        now = moved()
        if now != last:
            last = now
            await asyncio.to_thread(libc.malloc_trim, 0)
