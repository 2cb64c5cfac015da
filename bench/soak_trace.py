"""`sitegw` with tracemalloc on, for finding what grows (`bench/soak.py --tracemalloc`).

Runs the CLI exactly as ``python -m sitegw.cli`` would. The first SIGUSR2 starts tracemalloc (from
the start it would trace every import and slow the start-up past the soak's patience); each later
one writes a snapshot to the folder in SITEGW_TRACEMALLOC_DIR (``snap-<n>.tracemalloc``). The soak
starts tracing once the gateway serves, takes a snapshot after the warm-up and one at the end, and
writes their difference (:func:`diff`).
"""

from __future__ import annotations

import linecache
import os
import signal
import sys
import tracemalloc
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FRAMES = 8  # enough of each allocation's stack to see which caller keeps it; more slows a loaded box


def diff(first: Path, last: Path, top: int = 25) -> str:
    """The ``top`` allocation sites that grew most between two snapshots, each with its stack."""
    old, new = tracemalloc.Snapshot.load(str(first)), tracemalloc.Snapshot.load(str(last))
    keep = (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen*>"))
    old, new = old.filter_traces(keep), new.filter_traces(keep)
    lines = []
    for stat in new.compare_to(old, "traceback")[:top]:
        lines.append(
            f"{stat.size_diff / 1e6:+.2f} MB in {stat.count_diff:+d} blocks (now {stat.size / 1e6:.2f} MB)"
        )
        for frame in stat.traceback.format(most_recent_first=True)[: FRAMES * 2]:
            lines.append(f"    {frame.strip()}")
    linecache.clearcache()
    return "\n".join(lines)


def main() -> None:
    folder = Path(os.environ["SITEGW_TRACEMALLOC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    taken = 0

    def snapshot(signum: int, frame: FrameType | None) -> None:
        nonlocal taken
        if not tracemalloc.is_tracing():
            tracemalloc.start(FRAMES)
            return
        taken += 1
        tracemalloc.take_snapshot().dump(str(folder / f"snap-{taken}.tracemalloc"))

    signal.signal(signal.SIGUSR2, snapshot)
    from sitegw.cli import main as cli

    sys.argv[0] = "sitegw"
    cli()


if __name__ == "__main__":
    main()
