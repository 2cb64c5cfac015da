"""`make bench`'s summary: the headline figures of one run against their goals, printed and written to
docs/benchmarks.md between ``<!-- bench:begin -->`` and ``<!-- bench:end -->``.

Reads the run's output (bench/run_all.sh keeps it: ``== name`` before each benchmark, then its
``name: value unit`` lines), so every figure in the table, and its baseline, comes from that one run. A
figure taken while the machine was loaded (bench/load.py) keeps its ``(loaded)`` mark; a figure the run did
not produce (a benchmark failed, the ThingsBoard peer was missing) is said to be missing, never filled in.

Run: .venv/bin/python bench/summary.py RUN_OUTPUT [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime
import operator
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import memory_budget

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
_LINE = re.compile(r"^(?P<name>[a-z][\w.]*): (?P<value>-?[\d.]+(?:e[-+]?\d+)?)(?P<rest>.*)$")


@dataclass(frozen=True)
class Figure:
    """One ``name: value unit`` line of the run."""

    value: float
    unit: str
    loaded: bool

    def text(self) -> str:
        """As the table shows it: the value with its unit, and the mark of a loaded machine."""
        shown = f"{self.value:,.0f}" if abs(self.value) >= 100 else f"{self.value:g}"
        return f"{shown} {self.unit}".strip() + (" (loaded)" if self.loaded else "")


Figures = dict[tuple[str, str], Figure]  # by (benchmark, figure name)


@dataclass(frozen=True)
class Row:
    """A line of the table: what, the figure (benchmark, name), its goal, and its baseline in the same run."""

    what: str
    bench: str
    name: str
    goal: str
    meets: Callable[[float], bool] | None  # None: a figure with no goal of its own
    baseline: tuple[str, str, str] | None = None  # (benchmark, name, what it is)


def at_least(limit: float) -> Callable[[float], bool]:
    return lambda v: operator.ge(v, limit)


def below(limit: float) -> Callable[[float], bool]:
    return lambda v: operator.lt(v, limit)


def within_budget(name: str) -> tuple[str, Callable[[float], bool]]:
    """The goal of a memory figure: its budget (bench/memory_budget.py), and the check of it."""
    allowed = memory_budget.allowed_mb(name)
    return f"≤ {allowed:.0f} MB (budget)", lambda v: v <= allowed


SIZES = (30_000, 150_000, 1_000_000)


def rows() -> list[Row]:
    """The table's rows: ingest at each burst size, replay, Modbus against its peer, vision, idle, regulator."""
    out: list[Row] = []
    for n in SIZES:
        bench, fig = f"ingest_{n}", f"ingest_with_rules_{n}"
        plain = f"ingest_without_rules_{n}"
        burst = f"ingest, a {n:,}-message burst (×7 readings), with the rules"
        out += [
            Row(
                f"{burst}: rate",
                bench,
                f"{fig}_readings_per_s",
                "≥ 50,000 readings/s",
                at_least(50_000),
                (bench, f"{plain}_readings_per_s", "without the rules"),
            ),
            Row(
                f"{burst}: gateway peak RSS",
                bench,
                f"{fig}_peak_rss",
                *within_budget(f"{fig}_peak_rss"),
                (bench, f"{plain}_peak_rss", "without the rules"),
            ),
            Row(
                f"{burst}: readings lost (local store and InfluxDB)",
                bench,
                f"{fig}_lost",
                "0",
                lambda v: v == 0,
                (bench, f"{plain}_lost", "without the rules"),
            ),
        ]
    broker = "ingest_broker_with_rules_150000"
    out += [
        Row(
            "the same, 150,000 messages queued at a real Mosquitto: gateway peak RSS",
            "ingest_broker",
            f"{broker}_peak_rss",
            *within_budget(f"{broker}_peak_rss"),
        ),
        Row(
            "the same: rate, paho's socket reading included",
            "ingest_broker",
            f"{broker}_readings_per_s",
            "",
            None,
        ),
        Row("the same: readings lost", "ingest_broker", f"{broker}_lost", "0", lambda v: v == 0),
        Row(
            "a pit DAU's 150,000-record store (×5 readings) uploaded over Modbus TCP: gateway peak RSS",
            "logger_backlog",
            "logger_backlog_peak_rss",
            *within_budget("logger_backlog_peak_rss"),
        ),
        Row("the same: records a second", "logger_backlog", "logger_backlog_records_per_s", "", None),
        Row("the same: readings lost", "logger_backlog", "logger_backlog_lost", "0", lambda v: v == 0),
        Row(
            "the same: readings stored twice",
            "logger_backlog",
            "logger_backlog_duplicates",
            "0",
            lambda v: v == 0,
        ),
        Row(
            "rules: `sitegw replay` of the example site's day, per CPU-second",
            "rules_replay",
            "replay_readings_per_cpu_s",
            "≥ 600,000 readings/s",
            at_least(600_000),
            ("rules_replay", "rules_engine_readings_per_cpu_s", "the engine alone"),
        ),
        Row(
            "the same against the main before issue #43, rounds interleaved in this run: this checkout's "
            "figure over that main's",
            "rules_replay_vs_base",
            "replay_readings_per_cpu_s_ratio",
            "",
            None,
            ("rules_replay_vs_base", "replay_readings_per_cpu_s_baseline", "that main"),
        ),
        Row(
            "the same against 837aeaa (the main issue #55 measured at 3.27× the one above), its rules compiled: "
            "this checkout's figure over that main's",
            "rules_replay_vs_issue55",
            "replay_readings_per_cpu_s_ratio",
            "",
            None,
            ("rules_replay_vs_issue55", "replay_readings_per_cpu_s_baseline", "that main"),
        ),
        Row(
            "rules stage of the ingest (`SafetyMonitor.judge`): a burst of broken sensors' readings (each "
            "with its sensor.fault warning) over a healthy burst's, CPU per reading",
            "ingest_stages",
            "rules_stage_broken_over_healthy",
            "≤ 2×",
            lambda v: v <= 2,
            ("ingest_stages", "rules_stage_healthy_us_per_reading", "a healthy reading"),
        ),
        Row(
            "Modbus, 20 devices × 16 registers every 100 ms: registers per CPU-second against the ThingsBoard "
            "IoT gateway (median of the pairs)",
            "modbus_poll",
            "peer_ratio_registers_per_cpu_s",
            "≥ 5×",
            at_least(5),
            ("modbus_poll", "peer_tbgw_registers_per_cpu_s", "the ThingsBoard IoT gateway"),
        ),
        Row(
            "Modbus: sitegw's registers per CPU-second through the peer harness",
            "modbus_poll",
            "peer_sitegw_registers_per_cpu_s",
            "",
            None,
            ("modbus_poll", "modbus_registers_per_cpu_s", "the poller alone"),
        ),
        Row(
            "vision: CPU per 1280×720 frame, every check",
            "vision",
            "vision_frame_all_checks_1280x720",
            "≤ 150 ms",
            lambda v: v <= 150,
            ("vision", "vision_frame_whole_1280x720", "hard hats on the whole frame and its mirror"),
        ),
        Row(
            "vision: CPU per frame of a still scene",
            "vision",
            "vision_frame_still_scene_1280x720",
            "≤ 10 ms",
            lambda v: v <= 10,
        ),
        Row(
            "cameras one `sitegw run` judges at 1920×1080, 1 frame/s each, every check",
            "cameras_per_box",
            "cameras_per_box_1080p",
            "≥ 16",
            at_least(16),
            ("cameras_per_box", "cameras_per_2_cores_by_cpu_1080p", "two whole cores at one camera's CPU"),
        ),
        Row(
            "the same at 1920×1080 on a fixed camera's footage (two people walking in opposite corners)",
            "cameras_per_box_walkers",
            "cameras_per_box_1080p_walkers",
            "≥ 16",
            at_least(16),
            (
                "cameras_per_box_walkers",
                "cameras_per_2_cores_by_cpu_1080p_walkers",
                "two whole cores at one camera's CPU",
            ),
        ),
        Row(
            "the same 1080p streams analysed at 1280×720 (a camera's `analyse_px: 1280`, for near work)",
            "cameras_per_box_scaled",
            "cameras_per_box_1080p_at1280",
            "",
            None,
            (
                "cameras_per_box_scaled",
                "cameras_per_2_cores_by_cpu_1080p_at1280",
                "two whole cores at one camera's CPU",
            ),
        ),
        Row(
            "reading an RTSP camera at 1 frame/s: key frames only against every frame decoded",
            "cameras_per_box",
            "camera_read_1080p_keyframes_vs_all",
            "",
            None,
            ("cameras_per_box", "camera_read_1080p_decode_all", "every frame decoded"),
        ),
        Row(
            "gateway idle with the demo site: CPU",
            "idle_cpu",
            "gateway_idle_cpu_pct",
            "< 2 % of a core",
            below(2),
            ("idle_cpu", "gateway_idle_without_hoist_formwork_gate_cpu_pct", "without hoist, formwork, gate"),
        ),
        Row(
            "gateway running the demo site: RSS, the most at any second of 30 s",
            "idle_cpu",
            "gateway_idle_rss",
            *within_budget("gateway_idle_rss"),
            ("idle_cpu", "gateway_idle_without_hoist_formwork_gate_rss", "without hoist, formwork, gate"),
        ),
        Row(
            "regulator: ingest from 500 gateways, saturated",
            "regulator",
            "regulator_ingest_saturation_events_per_s",
            "≥ 1,000 events/s",
            at_least(1000),
            ("regulator_workers", "regulator_ingest_saturation_events_per_s", "`serve --workers 2`"),
        ),
        Row(
            "regulator: ingest latency at 1,100 requests/s offered, p99",
            "regulator",
            "regulator_ingest_paced_1100_p99",
            "< 200 ms",
            below(200),
            ("regulator", "regulator_ingest_paced_250_p99", "at 250 requests/s"),
        ),
        Row(
            "regulator on a primary and its synchronous standby (pg_auto_failover): 1,000 events/s, p99",
            "regulator_failover",
            "regulator_failover_p99_before",
            "< 200 ms",
            below(200),
            ("regulator", "regulator_ingest_paced_1100_p99", "one PostgreSQL at 1,100 requests/s"),
        ),
        Row(
            "the same, the primary's machine lost (SIGKILL): events answered 2xx and lost",
            "regulator_failover",
            "regulator_failover_lost",
            "0",
            lambda v: v == 0,
            ("regulator_failover", "regulator_failover_no_service", "seconds without service"),
        ),
        Row(
            "the same: p99 after the failover (one node, the backlog retried)",
            "regulator_failover",
            "regulator_failover_p99_after",
            "",
            None,
            ("regulator_failover", "regulator_failover_p99_during", "around the loss"),
        ),
    ]
    return out


def parse(text: str) -> Figures:
    """The run's figures by (benchmark, name); a name printed twice by one benchmark keeps its last value."""
    out: Figures = {}
    bench = ""
    for line in text.splitlines():
        if line.startswith("== "):
            bench = line[3:].strip()
            continue
        m = _LINE.match(line)
        if m:
            rest = m["rest"].strip()
            loaded = rest.endswith("(loaded)")
            unit = rest.split(" ")[0] if rest and not rest.startswith("(") else ""
            out[(bench, m["name"])] = Figure(float(m["value"]), unit, loaded)
    return out


def table(figures: Figures) -> list[str]:
    """The markdown table of the rows, from ``figures``."""
    lines = ["| benchmark | figure | goal | baseline (same run) |", "|---|---|---|---|"]
    for row in rows():
        fig = figures.get((row.bench, row.name))
        if fig is None:
            shown, verdict = "missing from this run", "not measured" if row.goal else ""
        else:
            shown = fig.text()
            verdict = "" if row.meets is None else ("met" if row.meets(fig.value) else "**not met**")
        goal = f"{row.goal}: {verdict}" if row.goal else "—"
        base = "—"
        if row.baseline is not None:
            b_bench, b_name, what = row.baseline
            b_fig = figures.get((b_bench, b_name))
            base = f"{what}: {b_fig.text() if b_fig else 'missing from this run'}"
        lines.append(f"| {row.what} | {shown} | {goal} | {base} |")
    return lines


def commit() -> str:
    """The checkout's commit, marked when the working tree has changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (
        " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def section(text: str, when: datetime.datetime) -> str:
    """What goes between the markers for the run's output ``text``: when, on what commit and load, the table."""
    loads = re.findall(r"^load_average_(?:start|end): ([\d.]+) \((\d+) cores\)", text, re.M)
    first, last = (loads[0], loads[-1]) if loads else (("?", "?"), ("?", "?"))
    cpu = re.search(r"^cpu_model: (.+)$", text, re.M)
    head = (
        f"`make bench` of {when:%Y-%m-%d %H:%M} UTC, commit {commit()}; load average {first[0]} at the first "
        f"benchmark's start, {last[0]} at the last one's end, on {first[1]} cores"
        f"{f' of an {cpu[1].strip()}' if cpu else ''}. A figure marked (loaded) "
        "was taken while the load average was above the core count."
    )
    return "\n".join([head, "", *table(parse(text))])


def write(page: Path, body: str) -> None:
    """Put ``body`` between the markers of ``page`` (the page and the markers made if missing)."""
    text = page.read_text() if page.exists() else "# Benchmarks\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    page.write_text(f"{before}{BEGIN}\n{body}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the run's output (bench/run_all.sh keeps it)")
    parser.add_argument("--write", type=Path, help="the page to write the table into (docs/benchmarks.md)")
    args = parser.parse_args()
    body = section(args.output.read_text(), datetime.datetime.now(datetime.UTC))
    print(body)
    if args.write:
        write(args.write, body)
        print(f"(written to {args.write})", file=sys.stderr)


if __name__ == "__main__":
    main()
