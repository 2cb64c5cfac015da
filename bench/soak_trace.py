"""`sitegw` with a memory probe, for finding what grows (`bench/soak.py --memory-probe`, `--tracemalloc`).

Runs the CLI exactly as ``python -m sitegw.cli`` would. Each SIGUSR2 writes ``stats-<n>.json`` to the
folder in SITEGW_TRACEMALLOC_DIR: glibc's heap (mallinfo2: what C code and Python's larger objects
hold, in use and free), SQLite's own allocator (sqlite3_memory_used), Python's small-object blocks and
the live objects by type. With SITEGW_TRACEMALLOC_FRAMES above 0 the first SIGUSR2 also starts
tracemalloc (from the start it would trace every import and slow the start-up past the soak's patience)
and each later one writes ``snap-<n>.tracemalloc`` too. The soak starts the probe once the gateway
serves, reads it after the warm-up and at the end, and writes the difference (:func:`report`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import json
import linecache
import os
import signal
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MALLINFO2 = (
    "arena",
    "ordblks",
    "smblks",
    "hblks",
    "hblkhd",
    "usmblks",
    "fsmblks",
    "uordblks",
    "fordblks",
    "keepcost",
)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in MALLINFO2]


@functools.cache
def _libraries() -> tuple[ctypes.CDLL, ctypes.CDLL | None]:
    """glibc, and the SQLite the gateway's sqlite3 module uses (found once: ``find_library`` runs
    ldconfig)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mallinfo2.restype = _MallInfo2
    # the SQLite the gateway's module runs on: bundled into pysqlite3's extension, or the libsqlite3 the
    # standard library's extension links (dlsym searches a library's dependencies too)
    from plumbing.sqlite import BUNDLED, sqlite3  # noqa: F401  loads that extension

    extension = sys.modules["pysqlite3._sqlite3" if BUNDLED else "_sqlite3"].__file__
    if extension is None:
        return libc, None
    sqlite = ctypes.CDLL(extension)
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    return libc, sqlite


def heap_stats(objects: bool = True) -> dict[str, Any]:
    """This process's allocators now: glibc's heap in use and free (MB), SQLite's (MB), Python's small
    blocks, and (``objects``) the 40 commonest object types."""
    libc, sqlite = _libraries()
    info = libc.mallinfo2()
    stats: dict[str, Any] = {
        "malloc_in_use_mb": info.uordblks / 1e6,  # allocated from the heap arenas
        "malloc_free_mb": info.fordblks / 1e6,  # freed but kept by the arenas (fragmentation)
        "malloc_mmapped_mb": info.hblkhd / 1e6,  # large blocks mapped on their own
        "python_blocks": sys.getallocatedblocks(),
    }
    if sqlite is not None:
        stats["sqlite_mb"] = sqlite.sqlite3_memory_used() / 1e6
    if objects:
        stats["objects"] = dict(Counter(type(o).__qualname__ for o in gc.get_objects()).most_common(40))
    return stats


def report(folder: Path, top: int = 25) -> str:
    """What grew between the first and the last probe: allocators, object counts, tracemalloc sites."""
    first, last = (
        json.loads((folder / "stats-1.json").read_text()),
        json.loads((folder / "stats-2.json").read_text()),
    )
    lines = ["allocators (first -> last probe):"]
    for key in ("malloc_in_use_mb", "malloc_free_mb", "malloc_mmapped_mb", "sqlite_mb", "python_blocks"):
        if key in first and key in last:
            lines.append(f"  {key}: {first[key]:,.1f} -> {last[key]:,.1f} ({last[key] - first[key]:+,.1f})")
    grown = Counter(last["objects"])
    grown.subtract(first["objects"])
    lines.append("objects by type that grew most:")
    lines += [f"  {name}: {n:+,} (now {last['objects'].get(name, 0):,})" for name, n in grown.most_common(15)]
    snaps = folder / "snap-1.tracemalloc", folder / "snap-2.tracemalloc"
    if all(p.exists() for p in snaps):
        lines.append("tracemalloc, the sites that grew most:")
        lines.append(_diff(*snaps, top))
    return "\n".join(lines)


def _diff(first: Path, last: Path, top: int) -> str:
    old, new = tracemalloc.Snapshot.load(str(first)), tracemalloc.Snapshot.load(str(last))
    keep = (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen*>"))
    old, new = old.filter_traces(keep), new.filter_traces(keep)
    lines = []
    for stat in new.compare_to(old, "traceback")[:top]:
        lines.append(
            f"{stat.size_diff / 1e6:+.2f} MB in {stat.count_diff:+d} blocks (now {stat.size / 1e6:.2f} MB)"
        )
        lines += [f"    {frame.strip()}" for frame in stat.traceback.format(most_recent_first=True)]
    linecache.clearcache()
    return "\n".join(lines)


def main() -> None:
    folder = Path(os.environ["SITEGW_TRACEMALLOC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    frames = int(os.environ.get("SITEGW_TRACEMALLOC_FRAMES", "0"))
    taken, started = 0, False

    def probe(signum: int, frame: FrameType | None) -> None:
        nonlocal taken, started
        if not started:  # the soak's first signal: the gateway serves, the imports are done
            started = True
            if frames:
                tracemalloc.start(frames)
            return
        taken += 1
        if frames:
            tracemalloc.take_snapshot().dump(str(folder / f"snap-{taken}.tracemalloc"))
        (folder / f"stats-{taken}.json").write_text(json.dumps(heap_stats()))

    signal.signal(signal.SIGUSR2, probe)
    from sitegw.cli import main as cli

    sys.argv[0] = "sitegw"
    cli()


if __name__ == "__main__":
    main()
