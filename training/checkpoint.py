"""A training run's checkpoint and its recipe: what lets one detector train for hours over several sessions.

The checkpoint (CHECKPOINTS/RUN/last.pt, gitignored: tens of MB) holds everything the next step depends
on: the weights, the optimiser's moments, the step (the learning-rate schedule is a function of it), the
best val score so far, and the random generators that draw the data order and the augmentation. It is
written whole to a temporary file and renamed, so a run killed at any moment leaves the previous one.

The recipe (RECIPES/RUN.json, a few KB, committed) is how the run was started and each checkpoint it
wrote: the arguments, the split it read (a digest of each list), the torch version, the device and
threads, and a digest of the weights at each checkpoint. On a CPU with one thread the training is
deterministic, so `python -m training.rebuild RUN` replays the recipe from scratch to the last step and
checks the weights' digest: a checkpoint lost with its machine comes back from the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training import split

CHECKPOINTS = Path(__file__).parent / "checkpoints"
RECIPES = Path(__file__).parent / "recipes"


def weights_digest(state: Mapping[str, torch.Tensor]) -> str:
    """sha256 over a state dict's tensors in order (names and bytes): equal digests, equal weights."""
    h = hashlib.sha256()
    for name, t in state.items():
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def split_digests(split_dir: Path) -> dict[str, str]:
    """sha256 of the train and val lists a run reads: a rebuild on another split is refused."""
    return {
        part: hashlib.sha256((split_dir / f"{part}.txt").read_bytes()).hexdigest()
        for part in ("train", "val")
    }


def _commit() -> str:
    """The repository's commit, when there is one (a recipe says which code ran it)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _write_atomic(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def save(
    run_dir: Path,
    net: torch.nn.Module,
    opt: torch.optim.Optimizer,
    rng: np.random.Generator,
    progress: dict[str, float | int],
    recipe: dict[str, Any],
) -> str:
    """Write RUN/last.pt (atomically) and return its weights' digest."""
    state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
    ckpt = {
        "net": state,
        "opt": opt.state_dict(),
        "rng": rng.bit_generator.state,
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "progress": dict(progress),
        "recipe": recipe,
    }
    _write_atomic(run_dir / "last.pt", lambda p: torch.save(ckpt, p))
    return weights_digest(state)


def load(run_dir: Path) -> dict[str, Any]:
    """The run's last checkpoint; a missing one is an error naming where it was looked for and how to get
    it back."""
    path = run_dir / "last.pt"
    if not path.exists():
        raise FileNotFoundError(
            f"no checkpoint {path} to resume: start the run without --resume, or rebuild it from its recipe "
            f"(python -m training.rebuild {run_dir.name})"
        )
    ckpt: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=False)
    return ckpt


def restore(
    ckpt: dict[str, Any], net: torch.nn.Module, opt: torch.optim.Optimizer, rng: np.random.Generator
) -> dict[str, float | int]:
    """Put a checkpoint's weights, optimiser and generators back; returns its progress (step, best, ...)."""
    net.load_state_dict(ckpt["net"])
    opt.load_state_dict(ckpt["opt"])  # moments follow their parameters onto the net's device
    rng.bit_generator.state = ckpt["rng"]
    torch.set_rng_state(ckpt["torch_rng"])
    if ckpt["cuda_rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(ckpt["cuda_rng"])
    return dict(ckpt["progress"])


def new_recipe(run: str, args: dict[str, Any], split_dir: Path) -> dict[str, Any]:
    """The recipe of a run started now with these arguments (those that decide its weights)."""
    return {
        "run": run,
        "args": args,
        "split": split_digests(split_dir),
        "torch": torch.__version__,
        "commit": _commit(),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "checkpoints": [],
    }


def record(recipes: Path, recipe: dict[str, Any], entry: dict[str, Any]) -> None:
    """Add one checkpoint's line (step, digest, device, threads, time) to the recipe and write it."""
    recipe["checkpoints"].append(entry)
    text = json.dumps(recipe, indent=1) + "\n"
    _write_atomic(recipes / f"{recipe['run']}.json", lambda p: Path(p).write_text(text))


def read_recipe(recipes: Path, run: str) -> dict[str, Any]:
    """A committed recipe; a missing one is an error naming the file."""
    path = recipes / f"{run}.json"
    if not path.exists():
        raise FileNotFoundError(f"no recipe {path}: the run {run!r} was never started with this repository")
    recipe: dict[str, Any] = json.loads(path.read_text())
    return recipe


def same_split(recipe: dict[str, Any], split_dir: Path = split.SPLIT_DIR) -> bool:
    """Whether the split lists are the ones the recipe's run read."""
    return bool(recipe["split"] == split_digests(split_dir))
