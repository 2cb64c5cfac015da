"""What the soak reads each interval: the gateway process from /proc, its Prometheus /metrics, and the
regulator's database (when each alert was stored against when it happened).

Only reads; nothing here changes the processes it watches.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.idle_cpu import cpu_seconds, rss_mb

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1e6


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (the camera workers and their helpers), from /proc."""
    parents: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        parents[int(fields[1])].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def open_fds(pid: int) -> int:
    """Open file descriptors of ``pid`` (sockets, files, pipes)."""
    return len(os.listdir(f"/proc/{pid}/fd"))


@dataclass
class CpuMeter:
    """CPU seconds (user + system) of a set of processes between two reads; a process that ended in
    between takes what it used before the last read with it (its last slice is not seen)."""

    last: dict[int, float] = field(default_factory=dict)

    def used(self, pids: list[int]) -> float:
        """CPU seconds ``pids`` used since the previous call (all of a process first seen now)."""
        now: dict[int, float] = {}
        for pid in pids:
            try:
                now[pid] = cpu_seconds(pid)
            except OSError:
                continue
        used = sum(t - self.last.get(pid, 0.0) for pid, t in now.items())
        self.last = now
        return used


def memory_mb(pid: int) -> dict[str, float]:
    """``pid``'s resident memory as /proc/PID/status gives it, in MB: now (VmRSS) and its peak since
    start (VmHWM), and now split into anonymous (the heap: what a leak grows) and file-backed (mapped
    libraries and files: the page cache's to reclaim)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024
    return out


def rss_total_mb(pids: list[int]) -> float:
    """Resident memory of ``pids`` together (MB); processes that ended meanwhile count nothing."""
    total = 0.0
    for pid in pids:
        try:
            total += rss_mb(pid)
        except OSError:
            continue
    return total


@dataclass(frozen=True)
class Scrape:
    """The gateway's counters the soak follows, from one /metrics read."""

    readings: float  # readings on the gateway's bus (sitegw_readings_in: the devices' and the cameras')
    by_device: dict[str, float]  # readings each device's driver took (sitegw_readings)
    store_rows: float  # rows in the local store
    frames: dict[str, float]  # frames analysed per camera
    online: dict[str, bool]  # devices (and cameras) answering, by id
    outbox_depth: float  # alert events waiting for the regulator
    delivered: float  # alert events the regulator confirmed


def scrape(url: str) -> Scrape:
    """Read the gateway's Prometheus endpoint (``url`` ends in /metrics)."""
    text = httpx.get(url, timeout=30).text
    values: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            values[s.name][tuple(sorted(s.labels.items()))] = s.value
    cams = {dict(k)["camera"]: v for k, v in values["sitegw_frames_analysed_total"].items()}
    online = {dict(k)["device"]: v == 1.0 for k, v in values["sitegw_device_online"].items()}
    online.update({dict(k)["camera"]: v == 1.0 for k, v in values["sitegw_camera_online"].items()})
    return Scrape(
        readings=sum(values["sitegw_readings_in_total"].values()),
        by_device={dict(k)["device"]: v for k, v in values["sitegw_readings_total"].items()},
        store_rows=sum(values["sitegw_store_rows"].values()),
        frames=cams,
        online=online,
        outbox_depth=sum(values["sitegw_outbox_depth"].values()),
        delivered=sum(values["sitegw_outbox_delivered_total"].values()),
    )


@dataclass
class DeliveryWatch:
    """Alert events the regulator stored since the last look, each with its delivery latency: the
    regulator's receive time (``received_at``, when it stored the event) minus the event's own time
    (``ts``, when the gateway saw the hazard change). Both clocks are this machine's."""

    db: str
    project: str
    evidence: Path  # the regulator's evidence folder (the repository opens it; nothing is written)
    seen: set[str] = field(default_factory=set)

    def new_latencies(self) -> list[tuple[str, float]]:
        """Rule and seconds from event to storage of each event stored since the previous call."""
        from regulator.storage.repository import Repository  # the regulator extra: imported only by the soak

        repo = Repository(self.db, self.evidence)
        try:
            fresh = [s for s in repo.events(self.project) if s.event.event_id not in self.seen]
        finally:
            repo.engine.dispose()
        self.seen.update(s.event.event_id for s in fresh)
        return [(s.event.rule, s.received_at - s.event.ts) for s in fresh]
