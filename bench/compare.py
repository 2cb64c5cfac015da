"""Same-run ratios of a benchmark between a baseline checkout and this one.

The machine is shared and noisy (±30-50 % between minutes), so figures taken at different times
cannot be compared. This runs one bench script against both trees' code in turn, ``--rounds``
times, and prints every figure of both as the median over the rounds, with the ratio new /
baseline. The script is this tree's, copied beside the baseline's code for its runs (every bench
puts the tree it lies in first on the path), so both are measured with the same workload and the
same clock; figures per CPU-second (``process_time``) are the steadiest on a shared machine.

The baseline is any checkout, e.g. ``git worktree add --detach /tmp/sitegw-base main``.

Run: ``.venv/bin/python bench/compare.py --base /tmp/sitegw-base bench/rules_replay.py [-- ARGS]``
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import watched

HERE = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^(?P<name>[A-Za-z0-9_]+): (?P<value>-?[0-9.]+(?:e[+-]?\d+)?) (?P<unit>\S.*)$")


def run_once(tree: Path, script: str, args: list[str]) -> dict[str, tuple[float, str]]:
    """The ``name: value unit`` figures of one run of ``script`` from ``tree``."""
    done = subprocess.run(
        [sys.executable, str(tree / script), *args],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tree / script} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    figures = {}
    for line in done.stdout.splitlines():
        m = LINE.match(line.strip())
        if m:
            figures[m["name"]] = (float(m["value"]), m["unit"])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the baseline checkout")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each tree, interleaved")
    parser.add_argument("script", help="bench script of this tree, relative to it (bench/rules_replay.py)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments, after --")
    opts = parser.parse_args()
    args = [a for a in opts.args if a != "--"]
    if not (opts.base / "rules" / "engine.py").is_file():
        raise SystemExit(f"{opts.base} is not a sitegw checkout (no rules/engine.py): --base must be one")
    runs: dict[str, list[dict[str, tuple[float, str]]]] = {"base": [], "new": []}
    script = Path(opts.script)
    twin = script.with_name(f"_compare_{script.name}")  # this tree's script among the baseline's code
    shutil.copyfile(HERE / script, opts.base / twin)
    # and the load watch every bench script runs in (bench/load.py), which an older baseline lacks
    load = opts.base / "bench" / "load.py"
    lent = not load.exists()
    if lent:
        shutil.copyfile(HERE / "bench" / "load.py", load)
    try:
        for _ in range(opts.rounds):
            runs["base"].append(run_once(opts.base.resolve(), str(twin), args))
            runs["new"].append(run_once(HERE, opts.script, args))
    finally:
        (opts.base / twin).unlink()
        if lent:
            load.unlink()
    for name in runs["new"][0]:
        unit = runs["new"][0][name][1]
        new = statistics.median(r[name][0] for r in runs["new"] if name in r)
        if not all(name in r for r in runs["base"]):
            print(f"{name}: {new:g} {unit}")
            continue
        base = statistics.median(r[name][0] for r in runs["base"])
        print(f"{name}: {new:g} {unit}")
        print(f"{name}_baseline: {base:g} {unit}")
        if base:
            print(f"{name}_ratio: {new / base:.2f} x")


if __name__ == "__main__":
    with watched():
        main()
