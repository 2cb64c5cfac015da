"""Rebuild a training run's last checkpoint from its committed recipe (training/recipes/RUN.json).

    nice -n 15 .venv/bin/python -m training.rebuild r13_det

Checkpoints are tens of MB and stay out of git (training/checkpoints/); the recipe is committed. On a CPU
training is deterministic, so the run is replayed from its first step to the recipe's last checkpoint with
the recipe's arguments and the weights' digest is checked against the one recorded: a match is the very
checkpoint, which `python -m training.train --run RUN --resume` then continues. A run whose checkpoints
were written on an accelerator (cuda kernels are not bit-reproducible) or on another number of threads is
replayed all the same, and the digest check says whether it came back exactly.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from training import checkpoint, train
from training.feature_cache import CACHE


def rebuild_argv(
    recipe: dict[str, Any],
    data: Path,
    checkpoints: Path,
    recipes: Path,
    step: int,
    threads: int,
    cache_dir: Path = CACHE,
) -> list[str]:
    """The training command line that replays the recipe up to `step`, reading the photos from `data`
    (and a --cached run's body maps from `cache_dir`, computing those missing)."""
    argv = ["--run", str(recipe["run"]), "--data", str(data), "--checkpoints", str(checkpoints)]
    argv += ["--recipes", str(recipes), "--cache-dir", str(cache_dir)]
    for k, v in recipe["args"].items():
        if k not in train.RECIPE_ARGS or v is None or v is False:
            continue
        flag = f"--{k.replace('_', '-')}"
        argv += [flag] if v is True else [flag, str(v)]  # True: a switch such as --cached
    return [*argv, "--stop-at-step", str(step), "--threads", str(threads), "--checkpoint-minutes", "1e9"]


def main(argv: list[str] | None = None) -> None:
    """Command line entry."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="the run's name (its recipe is RECIPES/RUN.json)")
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"), help="the photos' folder")
    ap.add_argument("--checkpoints", type=Path, default=checkpoint.CHECKPOINTS)
    ap.add_argument("--recipes", type=Path, default=checkpoint.RECIPES)
    ap.add_argument("--cache-dir", type=Path, default=CACHE, help="a --cached run's body maps")
    args = ap.parse_args(argv)
    recipe = checkpoint.read_recipe(args.recipes, args.run)
    if not recipe["checkpoints"]:
        raise SystemExit(f"the recipe of {args.run} records no checkpoint: nothing to rebuild")
    split_dir = Path(recipe["args"]["split_dir"])
    if not checkpoint.same_split(recipe, split_dir):
        raise SystemExit(
            f"{split_dir}'s train or val list is not the one run {args.run} read: check out the commit "
            f"{recipe['commit'] or '(unknown)'} of the recipe to rebuild it"
        )
    last = recipe["checkpoints"][-1]
    kinds = {(c["device"], c["threads"]) for c in recipe["checkpoints"]}
    if len(kinds) > 1 or last["device"] != "cpu":
        print(
            f"the run was trained on {sorted(kinds)}: the replay (cpu) may not match bit for bit", flush=True
        )
    run_dir = args.checkpoints / args.run
    if run_dir.exists():
        shutil.rmtree(run_dir)
    # the replay writes its own recipe lines: keep the committed recipe as it is
    scratch = args.checkpoints / f".{args.run}.recipes"
    step, threads = int(last["step"]), int(last["threads"])
    train.main(rebuild_argv(recipe, args.data, args.checkpoints, scratch, step, threads, args.cache_dir))
    shutil.rmtree(scratch, ignore_errors=True)
    got = checkpoint.weights_digest(checkpoint.load(run_dir)["net"])
    if got != last["weights_sha256"]:
        raise SystemExit(
            f"rebuilt {run_dir / 'last.pt'} at step {last['step']}, but its weights differ from the recorded ones "
            f"({got[:12]} against {last['weights_sha256'][:12]}): not the same checkpoint"
        )
    print(f"rebuilt {run_dir / 'last.pt'} at step {last['step']}: the recorded weights, bit for bit")


if __name__ == "__main__":
    main()
