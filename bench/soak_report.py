"""The soak's analysis: its samples as a CSV, the verdict on memory and descriptors, the plots, docs/soak.md.

The verdict looks at the last two-thirds of the run only: the first third is the warm-up (imports, the
camera workers loading their networks, SQLite's page cache, the rules' windows filling), which a
gateway on a site does once. Over what is left, a least-squares slope of the gateway's RSS above
``rss_limit_mb_h`` fails the soak (a leak of that size fills an edge box in weeks), and so does a
slope of its open file descriptors above ``fd_limit_per_h`` (a descriptor leak ends in EMFILE).
"""

from __future__ import annotations

import csv
import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Row = dict[str, float]

RSS_LIMIT_MB_H = 20.0
FD_LIMIT_PER_H = 20.0  # a 20-minute window's slope swings a few per hour as sockets come and go
WARMUP_FRACTION = 1 / 3


def write_csv(rows: Sequence[Row], path: Path) -> Path:
    """The samples, one row each, columns in the first row's order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return path


def _cell(v: float) -> str:
    return "" if v != v else f"{v:.6g}"  # NaN (no event in the interval): an empty cell


def read_csv(path: Path) -> list[Row]:
    """Samples written by :func:`write_csv` (empty cells back as NaN)."""
    with path.open(encoding="utf-8") as f:
        return [{k: float(v) if v else float("nan") for k, v in r.items()} for r in csv.DictReader(f)]


def slope_per_hour(t_s: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of ``values`` against ``t_s`` (seconds), per hour; 0 for fewer than 2 points."""
    if len(t_s) < 2:
        return 0.0
    return statistics.linear_regression(t_s, values).slope * 3600.0


def steady(rows: Sequence[Row]) -> list[Row]:
    """The rows after the warm-up: the last two-thirds of the run by time."""
    end = rows[-1]["t_s"]
    return [r for r in rows if r["t_s"] >= end * WARMUP_FRACTION]


@dataclass(frozen=True)
class Verdict:
    """Memory and descriptors over the steady part of the run, and whether the soak passes."""

    rss_start_mb: float  # the gateway's RSS at the first sample
    rss_end_mb: float
    rss_slope_mb_h: float  # over the last two-thirds
    workers_slope_mb_h: float  # the camera workers together, over the same part
    fds_start: float
    fds_end: float
    fd_slope_per_h: float
    rss_limit_mb_h: float
    fd_limit_per_h: float

    @property
    def failures(self) -> list[str]:
        """What failed, in words (empty: the soak passed)."""
        out = []
        if self.rss_slope_mb_h > self.rss_limit_mb_h:
            out.append(
                f"the gateway's RSS grew {self.rss_slope_mb_h:.1f} MB/h over the last two-thirds "
                f"(limit {self.rss_limit_mb_h:g} MB/h)"
            )
        if self.workers_slope_mb_h > self.rss_limit_mb_h:
            out.append(
                f"the camera workers' RSS grew {self.workers_slope_mb_h:.1f} MB/h over the last "
                f"two-thirds (limit {self.rss_limit_mb_h:g} MB/h)"
            )
        if self.fd_slope_per_h > self.fd_limit_per_h:
            out.append(
                f"the gateway's open descriptors grew {self.fd_slope_per_h:.1f}/h over the last "
                f"two-thirds (limit {self.fd_limit_per_h:g}/h)"
            )
        return out

    @property
    def passed(self) -> bool:
        """True when neither memory nor descriptors grow beyond their limits."""
        return not self.failures


def verdict(
    rows: Sequence[Row], rss_limit_mb_h: float = RSS_LIMIT_MB_H, fd_limit_per_h: float = FD_LIMIT_PER_H
) -> Verdict:
    """Judge a run's samples (they need ``t_s``, ``gw_rss_mb``, ``workers_rss_mb`` and ``gw_fds``)."""
    if len(rows) < 3:
        raise ValueError(f"{len(rows)} samples: a soak needs at least 3 to judge a trend")
    tail = steady(rows)
    t = [r["t_s"] for r in tail]
    return Verdict(
        rss_start_mb=rows[0]["gw_rss_mb"],
        rss_end_mb=rows[-1]["gw_rss_mb"],
        rss_slope_mb_h=slope_per_hour(t, [r["gw_rss_mb"] for r in tail]),
        workers_slope_mb_h=slope_per_hour(t, [r["workers_rss_mb"] for r in tail]),
        fds_start=rows[0]["gw_fds"],
        fds_end=rows[-1]["gw_fds"],
        fd_slope_per_h=slope_per_hour(t, [r["gw_fds"] for r in tail]),
        rss_limit_mb_h=rss_limit_mb_h,
        fd_limit_per_h=fd_limit_per_h,
    )


def cameras(rows: Sequence[Row]) -> list[str]:
    """The cameras with columns ``analysed:NAME`` and ``offered:NAME``."""
    return [k.split(":", 1)[1] for k in rows[0] if k.startswith("analysed:")]


def frame_share(rows: Sequence[Row], camera: str | None = None) -> float:
    """Frames analysed per frame offered over the run (one camera, or all), NaN before any was offered."""
    last = rows[-1]
    if camera is None:
        analysed = sum(last[f"analysed:{c}"] for c in cameras(rows))
        offered = sum(last[f"offered:{c}"] for c in cameras(rows))
    else:
        analysed, offered = last[f"analysed:{camera}"], last[f"offered:{camera}"]
    return analysed / offered if offered else float("nan")


def plot(rows: Sequence[Row], out: Path, v: Verdict) -> list[Path]:
    """Four small PNGs in ``out``: memory and descriptors, CPU, delivery latency, throughput."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    minutes = [r["t_s"] / 60 for r in rows]
    paths = []

    def save(fig: object, name: str) -> None:
        path = out / name
        fig.tight_layout()  # type: ignore[attr-defined]
        fig.savefig(path, dpi=80)  # type: ignore[attr-defined]
        plt.close(fig)  # type: ignore[arg-type]
        paths.append(path)

    fig, (mem, fds) = plt.subplots(1, 2, figsize=(9, 3.2))
    mem.plot(minutes, [r["gw_rss_mb"] for r in rows], label="gateway")
    mem.plot(minutes, [r["gw_anon_mb"] for r in rows], ls="--", label="gateway, anonymous")
    mem.plot(minutes, [r["workers_rss_mb"] for r in rows], label="camera workers (all)")
    mem.axvline(rows[-1]["t_s"] / 60 * WARMUP_FRACTION, color="grey", ls=":", lw=1)
    mem.set(xlabel="minutes", ylabel="RSS (MB)", title=f"RSS: gateway {v.rss_slope_mb_h:+.1f} MB/h")
    mem.set_ylim(bottom=0)
    mem.legend(fontsize="small")
    fds.plot(minutes, [r["gw_fds"] for r in rows], color="C2")
    fds.set(xlabel="minutes", ylabel="open descriptors", title=f"gateway FDs {v.fd_slope_per_h:+.1f}/h")
    fds.set_ylim(bottom=0)
    save(fig, "memory.png")

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(minutes, [r["gw_cpu_pct"] for r in rows], label="gateway")
    ax.plot(minutes, [r["workers_cpu_pct"] for r in rows], label="camera workers (all)")
    ax.plot(minutes, [r["load1"] * 100 for r in rows], color="grey", ls=":", label="machine load ×100")
    ax.set(xlabel="minutes", ylabel="% of one core", title="CPU (user + system) per interval")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    save(fig, "cpu.png")

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(minutes, [r["lat_p50_ms"] for r in rows], "o-", ms=3, label="p50")
    ax.plot(minutes, [r["lat_p99_ms"] for r in rows], "o-", ms=3, label="p99")
    ax.set(xlabel="minutes", ylabel="ms", title="alert event → stored at the regulator, per interval")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    save(fig, "delivery.png")

    fig, (frames, readings) = plt.subplots(1, 2, figsize=(9, 3.2))
    for cam in cameras(rows):
        frames.plot(minutes, [_ratio(rows, i, cam) for i in range(len(rows))], lw=1, label=cam)
    frames.set(xlabel="minutes", ylabel="analysed / offered", title="camera frames, per interval")
    frames.set_ylim(0, 1.1)
    frames.legend(fontsize="x-small", ncol=2)
    readings.plot(minutes, [_rate(rows, i, "readings") for i in range(len(rows))], label="taken")
    readings.plot(minutes, [_rate(rows, i, "store_rows") for i in range(len(rows))], ls="--", label="stored")
    readings.set(xlabel="minutes", ylabel="readings/s", title="readings taken and stored")
    readings.set_ylim(bottom=0)
    readings.legend(fontsize="small")
    save(fig, "throughput.png")
    return paths


def _delta(rows: Sequence[Row], i: int, key: str) -> float:
    return rows[i][key] - rows[i - 1][key] if i else float("nan")


def _rate(rows: Sequence[Row], i: int, key: str) -> float:
    return _delta(rows, i, key) / _delta(rows, i, "t_s") if i else float("nan")


def _ratio(rows: Sequence[Row], i: int, cam: str) -> float:
    offered = _delta(rows, i, f"offered:{cam}")
    return _delta(rows, i, f"analysed:{cam}") / offered if offered and offered == offered else float("nan")


def markdown(summary: dict[str, Any], plots: Path, doc_dir: Path) -> str:
    """docs/soak.md from a run's summary (bench/soak.py writes both): the figures, the plots, the verdict."""
    v = summary["verdict"]
    lat = summary["latency_ms"]
    rel = Path(os.path.relpath(plots, doc_dir))
    worst = min(summary["frames_by_camera"].items(), key=lambda kv: kv[1], default=("none", float("nan")))
    verdict_line = (
        "**PASSED**: memory and descriptors flat within the limits, every event stored"
        if v["passed"] and summary["events_lost"] == 0
        else "**FAILED**: " + "; ".join(v["failures"] or [f"{summary['events_lost']} events lost"])
    )
    lines = [
        "# Soak: a large site for a long run",
        "",
        "Generated by `make soak` (bench/soak.py; `SOAK_MINUTES=3 make soak` for a short run). The site is",
        "bench/soak_site.py's, built from the example site's devices and profiles: 20 tower cranes, 4 hoists",
        "and 4 anemometers over Modbus (the anemometers on one RTU bus over a pty pair), 12 deep pits and 11",
        "high formworks (200 points) over a real Mosquitto, 8 cameras replaying video files at 1 frame/s;",
        "storms every 10 min on every anemometer, overloads on every other crane, landing doors on two hoists.",
        "The gateway is the real `sitegw run` process delivering to the real `sitegw regulator serve`",
        f"({summary['regulator_db']}); the simulators run in the soak's own process.",
        "",
        f"Last run: {summary['started_utc']} UTC, {summary['minutes']:g} minutes, a sample every "
        f"{summary['interval_s']:g} s, on a {summary['cores']}-core machine (load average "
        f"{summary['load1_mean']:.1f} mean, {summary['load1_max']:.1f} at most). {summary['note']}".rstrip(),
        "",
        f"Verdict: {verdict_line}.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| gateway RSS, first → last sample | {v['rss_start_mb']:.1f} → {v['rss_end_mb']:.1f} MB |",
        f"| gateway RSS slope, last two-thirds | {v['rss_slope_mb_h']:+.1f} MB/h (fails above {v['rss_limit_mb_h']:g}) |",
        f"| camera workers' RSS slope (all 8), last two-thirds | {v['workers_slope_mb_h']:+.1f} MB/h |",
        f"| gateway open descriptors, first → last | {v['fds_start']:.0f} → {v['fds_end']:.0f} "
        f"(slope {v['fd_slope_per_h']:+.1f}/h; fails above {v['fd_limit_per_h']:g}/h) |",
        f"| CPU, mean of the intervals (% of one core) | gateway {summary['cpu_gateway_pct_mean']:.1f} %, "
        f"camera workers {summary['cpu_workers_pct_mean']:.1f} % |",
        f"| alert event → stored at the regulator ({lat['n']} events) | p50 {lat['p50']:.0f} ms, "
        f"p99 {lat['p99']:.0f} ms, max {lat['max']:.0f} ms |",
        f"| events recorded / stored at the regulator / lost | {summary['events_recorded']} / "
        f"{summary['events_stored']} / {summary['events_lost']} |",
        f"| frames analysed / offered, all cameras | {summary['frames_analysed_per_offered']:.3f} "
        f"(lowest: {worst[0]} {worst[1]:.3f}) |",
        f"| readings taken / rows stored in the local store | {summary['readings_taken']:,.0f} / "
        f"{summary['store_rows']:,.0f} |",
        f"| MQTT messages the simulators published | {summary['mqtt_messages_published']:,.0f} |",
        f"| tracebacks in the gateway's log | {summary['gateway_log_tracebacks']} |",
        "",
        f"![memory and descriptors]({rel / 'memory.png'})",
        f"![CPU]({rel / 'cpu.png'})",
        f"![delivery latency]({rel / 'delivery.png'})",
        f"![frames and readings]({rel / 'throughput.png'})",
        "",
        f"The samples are in [{rel / 'soak.csv'}]({rel / 'soak.csv'}), the figures above in "
        f"[{rel / 'summary.json'}]({rel / 'summary.json'}).",
        "",
        "How to read them: the verdict fits a least-squares line through the last two-thirds of the samples",
        "(the first third is the warm-up: imports, the camera workers loading their networks, caches and",
        "the rules' windows filling). Delivery latency is the regulator's receive time (when it stored",
        "the event) minus the event's own time; both clocks are this machine's. A camera's offered frames",
        "are 1 a second from its first analysed frame; its source waits 1/fps after each analysed frame,",
        "so the time analysis takes shows as a share below 1. Readings taken are the gateway's bus count",
        "(`sitegw_readings_in`: the devices' and the cameras'), rows stored the local store's",
        "(`sitegw_store_rows`).",
        "",
    ]
    findings = plots / "findings.md"  # written by hand, kept across runs: what the runs found and fixed
    if findings.exists():
        lines += [findings.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)
