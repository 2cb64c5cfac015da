"""What the benchmarks say about themselves: the machine's load around each (bench/load.py), and `make bench`'s
table of figures against goals, written between its markers (bench/summary.py)."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path

import pytest

from bench import load, memory_budget, summary

REPO = Path(__file__).resolve().parents[2]
RUN = """\
== ingest_30000
load_average_start: 1.20 (2 cores)
ingest_without_rules_30000_readings_per_s: 120000 readings/s
ingest_without_rules_30000_peak_rss: 108 MB
ingest_without_rules_30000_lost: 0 readings
ingest_with_rules_30000_readings_per_s: 61000 readings/s
ingest_with_rules_30000_peak_rss: 151 MB
ingest_with_rules_30000_lost: 0 readings
load_average_end: 2.60 (2 cores) (loaded)
== idle_cpu
load_average_start: 2.70 (2 cores) (loaded)
gateway_idle_cpu_pct: 0.61 % of one core (loaded)
gateway_idle_without_hoist_formwork_gate_cpu_pct: 0.40 % of one core (loaded)
load_average_end: 2.10 (2 cores) (loaded)
"""


def printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, at: float) -> list[str]:
    """What a benchmark prints inside ``watched()`` on a 2-core machine whose load average reads ``at``."""
    monkeypatch.setattr(load, "cores", lambda: 2)
    monkeypatch.setattr(load, "load", lambda: at)
    monkeypatch.delenv("SITEGW_BENCH_LOAD_START", raising=False)
    monkeypatch.setattr("sys.argv", ["bench.py"])
    with load.watched():
        print("workload_readings_per_s: 1234 readings/s")
        print("a line that is not a figure")
    return capsys.readouterr().out.splitlines()


def test_figures_on_a_quiet_machine_are_plain(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert printed(capsys, monkeypatch, 1.5) == [
        "load_average_start: 1.50 (2 cores)",
        "workload_readings_per_s: 1234 readings/s",
        "a line that is not a figure",
        "load_average_end: 1.50 (2 cores)",
    ]


def test_figures_on_a_loaded_machine_are_marked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert printed(capsys, monkeypatch, 2.5) == [
        "load_average_start: 2.50 (2 cores) (loaded)",
        "workload_readings_per_s: 1234 readings/s (loaded)",
        "a line that is not a figure",
        "load_average_end: 2.50 (2 cores) (loaded)",
    ]
    assert "SITEGW_BENCH_LOAD_START" not in os.environ  # the outer benchmark's mark is gone with it


def test_a_benchmark_run_by_another_marks_by_the_outer_start_and_prints_no_load_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "cores", lambda: 2)
    monkeypatch.setattr(load, "load", lambda: 0.5)  # quiet now, but the outer benchmark started loaded
    monkeypatch.setenv("SITEGW_BENCH_LOAD_START", "3.0")
    with load.watched():
        print("child_peak_rss: 99 MB")
    assert capsys.readouterr().out.splitlines() == ["child_peak_rss: 99 MB (loaded)"]


def test_the_table_sets_each_figure_against_its_goal_and_its_same_run_baseline() -> None:
    lines = summary.table(summary.parse(RUN))
    assert lines[0] == "| benchmark | figure | goal | baseline (same run) |"
    rate = next(line for line in lines if "30,000-message burst" in line and ": rate" in line)
    assert "| 61,000 readings/s | ≥ 50,000 readings/s: met | without the rules: 120,000 readings/s |" in rate
    rss = next(line for line in lines if "30,000-message burst" in line and "peak RSS" in line)
    budget = memory_budget.allowed_mb("ingest_with_rules_30000_peak_rss")  # 5 % above what was measured
    assert f"| 151 MB | ≤ {budget:.0f} MB (budget): **not met** | without the rules: 108 MB |" in rss
    idle = next(line for line in lines if "idle" in line)
    assert "| 0.61 % (loaded) | < 2 % of a core: met |" in idle
    # a figure this run did not produce is said to be missing, never filled in
    big = next(line for line in lines if "1,000,000-message burst" in line and ": rate" in line)
    assert "| missing from this run | ≥ 50,000 readings/s: not measured |" in big


def test_the_table_goes_between_the_markers_and_the_rest_of_the_page_stays(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(f"# Benchmarks\n\nIntro.\n\n{summary.BEGIN}\nold table\n{summary.END}\n\nNotes.\n")
    summary.write(page, "new table")
    assert page.read_text() == (
        f"# Benchmarks\n\nIntro.\n\n{summary.BEGIN}\nnew table\n{summary.END}\n\nNotes.\n"
    )
    missing = tmp_path / "new.md"
    summary.write(missing, "first table")
    assert missing.read_text() == f"# Benchmarks\n\n{summary.BEGIN}\nfirst table\n{summary.END}\n"


def test_the_replay_rows_set_it_against_the_mains_before_the_issues_and_the_broken_sensor_row_its_ratio() -> (
    None
):
    run = """\
== rules_replay
replay_readings_per_cpu_s: 130000 readings/s
rules_engine_readings_per_cpu_s: 180000 readings/s
== rules_replay_vs_base
replay_readings_per_cpu_s: 131000 readings/s
replay_readings_per_cpu_s_baseline: 100000 readings/s
replay_readings_per_cpu_s_ratio: 1.31 x
== rules_replay_vs_issue55
replay_readings_per_cpu_s: 131000 readings/s
replay_readings_per_cpu_s_baseline: 125000 readings/s
replay_readings_per_cpu_s_ratio: 1.05 x
== ingest_stages
rules_stage_healthy_us_per_reading: 6.10 us
rules_stage_broken_over_healthy: 2.30 x (loaded)
"""
    lines = summary.table(summary.parse(run))
    replay = next(line for line in lines if "`sitegw replay`" in line)
    assert "| 130,000 readings/s | ≥ 600,000 readings/s: **not met** | the engine alone: 180,000" in replay
    base = next(line for line in lines if "the main before issue #43" in line)
    assert "| 1.31 x | — | that main: 100,000 readings/s |" in base
    issue = next(line for line in lines if "837aeaa" in line)  # the main issue #55 kept it against
    assert "| 1.05 x | — | that main: 125,000 readings/s |" in issue
    broken = next(line for line in lines if "broken sensors" in line)
    assert "| 2.3 x (loaded) | ≤ 2×: **not met** | a healthy reading: 6.1 us |" in broken


def test_every_benchmark_run_from_the_command_line_prints_the_load_around_it() -> None:
    # the helpers a benchmark starts (a peer's adapter, the soak's probe, `sitegw` as on an edge box, the
    # encoder of the cameras' footage under Debian's python) and the summary print no figure
    helpers = {"sitegw_tb_adapter.py", "soak_trace.py", "edge_install.py", "h264_encode.py", "summary.py"}
    bench = Path(summary.__file__).parent
    unwatched = [
        p.name
        for p in sorted(bench.glob("*.py"))
        if p.name not in helpers
        and 'if __name__ == "__main__":' in (text := p.read_text())
        and "with watched():" not in text
    ]
    assert unwatched == []


def test_the_head_says_when_on_what_commit_load_and_processor() -> None:
    when = datetime.datetime(2026, 11, 27, 14, 36, tzinfo=datetime.UTC)
    head = summary.section("cpu_model: AMD EPYC 7B13\n" + RUN, when).splitlines()[0]
    assert head.startswith("`make bench` of 2026-11-27 14:36 UTC, commit ")
    assert (
        "load average 1.20 at the first benchmark's start, 2.10 at the last one's end, on 2 cores of an AMD EPYC 7B13."
        in head
    )
    # a run written before the processor was recorded says nothing of it, rather than a guess
    assert "cores. A figure" in summary.section(RUN, when).splitlines()[0]


def test_a_partial_run_prints_its_table_and_leaves_the_whole_runs_page(tmp_path: Path) -> None:
    """`BENCH_ONLY` runs a part of `make bench`: its table says what is missing, and docs/benchmarks.md keeps the
    latest whole run's figures (a partial run used to write its table, every goal 'missing from this run', over
    them)."""
    page = REPO / "docs" / "benchmarks.md"
    before = page.read_bytes()
    env = os.environ | {"BENCH_ONLY": "^no_such_benchmark$", "BENCH_OUT": str(tmp_path / "run.txt")}
    done = subprocess.run(
        ["bash", "bench/run_all.sh"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "missing from this run" in done.stdout and page.read_bytes() == before
