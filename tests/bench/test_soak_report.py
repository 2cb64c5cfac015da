"""The soak's analysis (bench/soak_report.py) on synthetic runs: a flat one passes, a leaking one fails
with its slope, a warm-up alone does not fail, and the plots and the CSV come out."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from bench import soak_report

MINUTES = 30
STEP_S = 15


def run(
    rss_mb_h: float = 0.0, fds_h: float = 0.0, warmup_mb: float = 0.0, seed: int = 1
) -> list[dict[str, float]]:
    """A 30-minute run sampled every 15 s: RSS 150 MB with 1 MB of noise, growing ``rss_mb_h``, plus
    ``warmup_mb`` gained over the first 5 minutes; 90 descriptors +-1, growing ``fds_h``; two cameras."""
    rng = random.Random(seed)
    rows = []
    for i in range(MINUTES * 60 // STEP_S + 1):
        t = i * STEP_S
        warm = warmup_mb * min(1.0, t / 300)
        rss = 150 + warm + rss_mb_h * t / 3600 + rng.gauss(0, 1)
        row = {
            "t_s": float(t),
            "load1": 2.0,
            "gw_rss_mb": rss,
            "gw_anon_mb": rss - 50,
            "workers_rss_mb": 1600 + rng.gauss(0, 5),
            "gw_fds": 90 + fds_h * t / 3600 + rng.choice((-1, 0, 1)),
            "gw_cpu_pct": 8 + rng.random(),
            "workers_cpu_pct": 35 + rng.random(),
            "readings": 600.0 * t,
            "store_rows": 600.0 * t - 300,
            "events": 3.0,
            "lat_p50_ms": 20 + rng.random(),
            "lat_p99_ms": math.nan if i % 5 == 0 else 60 + rng.random(),
        }
        for cam in ("cam-1", "cam-2"):
            row[f"analysed:{cam}"] = 0.9 * t
            row[f"offered:{cam}"] = float(t)
        rows.append(row)
    return rows


def test_a_flat_run_passes_with_a_slope_near_zero() -> None:
    v = soak_report.verdict(run())
    assert v.passed, v.failures
    assert abs(v.rss_slope_mb_h) < 5
    assert abs(v.fd_slope_per_h) < 10


def test_a_leak_fails_and_reports_its_slope() -> None:
    v = soak_report.verdict(run(rss_mb_h=60))
    assert not v.passed
    assert v.rss_slope_mb_h == pytest.approx(60, abs=6)
    assert "RSS grew" in v.failures[0]


def test_descriptors_that_grow_fail() -> None:
    v = soak_report.verdict(run(fds_h=120))
    assert [f for f in v.failures if "descriptors" in f]
    assert v.fd_slope_per_h == pytest.approx(120, abs=15)


def test_the_warm_up_alone_does_not_fail() -> None:
    """100 MB gained in the first 5 minutes is start-up, not a leak: only the last two-thirds count."""
    v = soak_report.verdict(run(warmup_mb=100))
    assert v.passed, v.failures
    assert v.rss_end_mb - v.rss_start_mb > 90


def test_too_few_samples_is_an_error_not_a_verdict() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        soak_report.verdict(run()[:2])


def test_frames_share_per_camera_and_overall() -> None:
    rows = run()
    assert soak_report.cameras(rows) == ["cam-1", "cam-2"]
    assert soak_report.frame_share(rows) == pytest.approx(0.9)
    assert soak_report.frame_share(rows, "cam-2") == pytest.approx(0.9)


def test_plots_are_small_pngs_and_the_csv_reads_back(tmp_path: Path) -> None:
    rows = run(rss_mb_h=60)
    paths = soak_report.plot(rows, tmp_path, soak_report.verdict(rows))
    assert {p.name for p in paths} == {"memory.png", "cpu.png", "delivery.png", "throughput.png"}
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert 5_000 < p.stat().st_size < 200_000, p
    back = soak_report.read_csv(soak_report.write_csv(rows, tmp_path / "soak.csv"))
    assert len(back) == len(rows)
    assert back[-1]["gw_rss_mb"] == pytest.approx(rows[-1]["gw_rss_mb"], rel=1e-5)
    assert math.isnan(back[0]["lat_p99_ms"])  # an interval without events stays empty, not 0
