"""How long `sitegw check-config` takes to start and how much memory its process holds, against a baseline tree
in the same run (issue 52: the CLI imported the regulator's commands at every start).

Each run is a fresh process on the reference site (config/examples/site.yaml), pure Python in both trees (no
compiled rules: the same code path for both), once as on an edge box (without the regulator extra:
bench/edge_install.py) and once as a development install. The trees alternate run by run, so a change in
the box's load falls on both; the figures are medians of wall time and of the process's peak RSS
(``ru_maxrss`` of the child), and their ratios to the baseline's.

    git archive <baseline-commit> | tar -x -C /tmp/base
    python bench/cli_start.py --baseline /tmp/base --runs 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.load import watched

REPO = Path(__file__).resolve().parents[1]
SITE = "config/examples/site.yaml"


def one_run(tree: Path, edge: bool) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one `sitegw check-config` from ``tree``."""
    runner = [str(tree / "bench" / "edge_install.py")] if edge else ["-m", "sitegw.cli"]
    env = os.environ | {"PYTHONPATH": str(tree), "SITEGW_PURE_PYTHON": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *runner, "check-config", SITE],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"check-config failed in {tree} (exit {proc.returncode})")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the baseline commit")
    parser.add_argument("--runs", type=int, default=15, help="runs of each tree in each mode")
    args = parser.parse_args()
    with watched():
        for edge in (True, False):
            mode = "edge" if edge else "dev"
            runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "this": []}
            one_run(REPO, edge)  # the page cache warm for both trees' files alike
            one_run(args.baseline, edge)
            for _ in range(args.runs):
                runs["baseline"].append(one_run(args.baseline, edge))
                runs["this"].append(one_run(REPO, edge))
            wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
            rss = {k: statistics.median(r for _, r in v) for k, v in runs.items()}
            print(f"check_config_{mode}_start_s: {wall['this']:.3f} s (baseline {wall['baseline']:.3f} s)")
            print(f"check_config_{mode}_start_ratio: {wall['this'] / wall['baseline']:.2f} x")
            print(f"check_config_{mode}_rss_mb: {rss['this']:.1f} MB (baseline {rss['baseline']:.1f} MB)")
            print(f"check_config_{mode}_rss_saved_mb: {rss['baseline'] - rss['this']:.1f} MB")


if __name__ == "__main__":
    main()
