"""The fixed, by-image split of the hard-hat data: train / val (threshold choice) / test (the quoted figure).

Image ids are `SET/FILE` (cap/000002.jpg, sfchd/000002.jpg): the two sets reuse file names.
The lists are committed under vision/train/split/ so every figure can be reproduced.
"""

from __future__ import annotations

import random
from pathlib import Path

SETS = ("cap", "sfchd")
SPLIT_DIR = Path(__file__).parent / "split"
SEED = 20261121


def build(data_root: Path, val_frac: float = 0.07, test_frac: float = 0.15) -> dict[str, list[str]]:
    """Shuffle each set with a fixed seed and cut it, so both sets appear in every part."""
    parts: dict[str, list[str]] = {"train": [], "val": [], "test": []}
    rng = random.Random(SEED)
    for s in SETS:
        ids = sorted(f"{s}/{p.name}" for p in (data_root / s / "images").iterdir())
        rng.shuffle(ids)
        n_test, n_val = round(len(ids) * test_frac), round(len(ids) * val_frac)
        parts["test"] += ids[:n_test]
        parts["val"] += ids[n_test:n_test + n_val]
        parts["train"] += ids[n_test + n_val:]
    return {k: sorted(v) for k, v in parts.items()}


def load(name: str) -> list[str]:
    """Image ids of one committed part (train, val or test)."""
    return (SPLIT_DIR / f"{name}.txt").read_text().split()


def image_path(data_root: Path, image_id: str) -> Path:
    """Image file of an id."""
    s, f = image_id.split("/")
    return data_root / s / "images" / f


def label_path(data_root: Path, image_id: str) -> Path:
    """YOLO label file of an id."""
    s, f = image_id.split("/")
    return data_root / s / "labels" / (Path(f).stem + ".txt")


if __name__ == "__main__":
    import sys

    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/helmet")
    SPLIT_DIR.mkdir(exist_ok=True)
    for part, ids in build(root).items():
        (SPLIT_DIR / f"{part}.txt").write_text("\n".join(ids) + "\n")
        print(f"{part}: {len(ids)} images")
