"""Where a burst's peak memory goes: the gateway process's RSS at each stage and its heap at the peak (issue #55).

`bench/ingest_pipeline.py --profile` runs each figure's gateway with a :class:`PeakProbe`: a thread that reads
the process's RSS every 50 ms and, at each new high, glibc's heap (in use, freed but held) and SQLite's own
allocator; the stages (``mark``: the imports done, the gateway built, started, the burst over) are read as
they pass. With ``trace`` the probe also runs tracemalloc from the gateway's start (the imports before it
untraced: they are the stage figures) and takes a snapshot each time the Python objects traced reach a new
high a megabyte above the last snapshot's, keeping the highest: its sites, by file and line, are the peak's
Python objects. tracemalloc slows the burst some tenfold and its own bookkeeping is in the RSS (so its RSS
peak is at the end, not when the queues are fullest), so the RSS figures are a run's without it.
"""

from __future__ import annotations

import linecache
import threading
import tracemalloc
from pathlib import Path

from bench.soak_trace import heap_stats

SAMPLE_S = 0.05
SNAPSHOT_STEP_MB = 1.0  # a new snapshot once the RSS is this much above the last one's


def rss_mb() -> float:
    """This process's resident memory now, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class PeakProbe:
    """Samples the RSS in a thread of its own; what the process holds at its stages and at its peak."""

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.stages: list[tuple[str, float]] = []
        self.peak_mb = 0.0
        self.peak_heap: dict[str, float] = {}
        self.snapshot: tracemalloc.Snapshot | None = None
        self.snapshot_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-probe", daemon=True)

    def mark(self, stage: str) -> None:
        """Record the RSS as ``stage`` passes; the first mark starts the sampling (and tracing)."""
        self.stages.append((stage, rss_mb()))
        if not self._thread.is_alive() and not self._stop.is_set():
            if self.trace:
                tracemalloc.start(1)
            self._thread.start()

    def stop(self) -> None:
        """Stop sampling (and tracing)."""
        self._stop.set()
        self._thread.join()
        if self.trace:
            tracemalloc.stop()

    def _sample(self) -> None:
        heap_mb = 0.0
        while not self._stop.wait(SAMPLE_S):
            now = rss_mb()
            if now > self.peak_mb:
                self.peak_mb = now
                if now >= heap_mb + 0.5:  # glibc's and SQLite's at each half-megabyte high, not each sample
                    heap_mb = now
                    self.peak_heap = _allocators()
            traced = tracemalloc.get_traced_memory()[0] / 1e6 if self.trace else 0.0
            if self.trace and traced >= self.snapshot_mb + SNAPSHOT_STEP_MB:
                self.snapshot = tracemalloc.take_snapshot()
                self.snapshot_mb = traced

    def report(self, top: int = 25) -> str:
        """The stages' RSS, the peak's allocators and, when traced, the peak's sites by file and by line."""
        lines = ["rss by stage (MB):"]
        lines += [f"  {stage}: {mb:.1f}" for stage, mb in self.stages]
        lines.append(f"  peak (sampled): {self.peak_mb:.1f}")
        lines.append(
            "allocators at the peak (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in self.peak_heap.items())
        )
        if self.snapshot is not None:
            snap = self.snapshot.filter_traces(
                (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen*>"))
            )
            total = sum(s.size for s in snap.statistics("filename"))
            lines.append(
                f"tracemalloc at the most Python objects held ({self.snapshot_mb:.1f} MB traced): {total / 1e6:.1f} "
                "MB of them allocated since the gateway's start"
            )
            for key in ("filename", "lineno"):
                lines.append(f"  by {key}:")
                for stat in snap.statistics(key)[:top]:
                    frame = stat.traceback[0]
                    where = frame.filename.split("site-packages/")[-1].replace(str(_ROOT) + "/", "")
                    at = f":{frame.lineno}" if key == "lineno" else ""
                    code = f"  {linecache.getline(frame.filename, frame.lineno).strip()[:70]}" if at else ""
                    lines.append(f"    {stat.size / 1e6:6.2f} MB {stat.count:8d} blocks  {where}{at}{code}")
        return "\n".join(lines)


_ROOT = Path(__file__).resolve().parents[1]


def _allocators() -> dict[str, float]:
    """glibc's heap in use and freed but held, its separately mapped blocks, and SQLite's allocator, MB."""
    stats = heap_stats(objects=False)
    return {k: v for k, v in stats.items() if k.endswith("_mb")}
