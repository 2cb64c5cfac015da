"""The fixed, by-image split of the hard-hat data: train / val (threshold choice) / test (the quoted figure).

Image ids are `SET/FILE` (cap/000002.jpg, sfchd/000002.jpg): the two sets reuse file names.
The lists are committed under training/split/ so every figure can be reproduced.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from pathlib import Path

import cv2
import numpy as np

from vision.images import read_image
from vision.labels import as_heads, read_yolo

# (val share, test share) of each data folder, drawn in this order from one seeded stream: a folder added
# last leaves the draws of those before it as they were (hhw after cap and sfchd, hhwraw after hhw)
FRACTIONS = {"cap": (0.07, 0.15), "sfchd": (0.07, 0.15), "hhw": (0.07, 0.15), "hhwraw": (0.40, 0.20)}
SETS = tuple(FRACTIONS)
SPLIT_DIR = Path(__file__).parent / "split"
SEED = 20261121
AUDIT_CLASSES = {"helmet": 0.0, "no_helmet": 1.0}  # the class numbers of the YOLO labels


def removed() -> set[str]:
    """Ids of images removed from the data folders after the split was drawn (split/removed.txt)."""
    return set(load("removed"))


def build(data_root: Path) -> dict[str, list[str]]:
    """Shuffle each folder with a fixed seed and cut it by its FRACTIONS, so every folder appears in every
    part.

    The draw is over the folders as they were when it was made (the present images plus split/removed.txt),
    and the removed images are then dropped: removing an image moves no other image to another part.
    hhwraw's val is large (two fifths, about 900 photos and 5,000 heads) because it is what a candidate is
    chosen on: the earlier folders' val parts (159 photos) could not tell 0.02 of AP50 from noise."""
    gone = removed()
    parts: dict[str, list[str]] = {"train": [], "val": [], "test": []}
    rng = random.Random(SEED)
    for s, (val_frac, test_frac) in FRACTIONS.items():
        present = {f"{s}/{p.name}" for p in (data_root / s / "images").iterdir()}
        ids = sorted(present | {i for i in gone if i.startswith(f"{s}/")})
        rng.shuffle(ids)
        n_test, n_val = round(len(ids) * test_frac), round(len(ids) * val_frac)
        parts["test"] += ids[:n_test]
        parts["val"] += ids[n_test : n_test + n_val]
        parts["train"] += ids[n_test + n_val :]
    return {k: sorted(set(v) - gone) for k, v in parts.items()}


def load(name: str) -> list[str]:
    """Image ids of one committed list (train, val, test, test_near_duplicates, removed); `#` lines are
    comments."""
    lines = (SPLIT_DIR / f"{name}.txt").read_text().splitlines()
    return [w for line in lines if not line.startswith("#") for w in line.split()]


def audited_heads(name: str) -> dict[str, np.ndarray]:
    """Heads the source labels omit, from split/NAME: rows (x1, y1, x2, y2, class) per image id.

    Lines are `image_id x1 y1 x2 y2 [class]` in pixels of the original image; the class is `helmet` or
    `no_helmet` (the default: the val audit lists bare heads only)."""
    path = SPLIT_DIR / name
    out: dict[str, list[list[float]]] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        i, *rest = line.split()
        cls = rest[4] if len(rest) == 5 else "no_helmet"
        try:
            if len(rest) not in (4, 5) or cls not in AUDIT_CLASSES:
                raise ValueError
            box = [float(v) for v in rest[:4]]
        except ValueError:
            raise ValueError(
                f"{path}:{n}: expected `image_id x1 y1 x2 y2 [helmet|no_helmet]`, got {line!r}"
            ) from None
        out.setdefault(i, []).append([*box, AUDIT_CLASSES[cls]])
    return {i: np.array(rows, np.float32) for i, rows in out.items()}


def val_unlabelled_bare_heads() -> dict[str, np.ndarray]:
    """Bare heads the source labels omit in val images, rows (x1, y1, x2, y2, 1) per image id.

    The sfchd set labels the workers of a photo, not bystanders, so a correct bare-head finding there
    counts as false; with only 32 labelled bare heads in val that made the precision-based threshold
    choice meaningless. The list (an audit of val only, see the file's header) corrects that.
    """
    return audited_heads("val_unlabelled_bare_heads.txt")


def train_unlabelled_heads() -> dict[str, np.ndarray]:
    """Heads the source labels omit in train images (helmets and bare heads), rows (x1, y1, x2, y2, class)
    per image id: taught as "not a head" they teach the classifier to doubt real heads (see the file's
    header for how they were found)."""
    return audited_heads("train_unlabelled_heads.txt")


def image_path(data_root: Path, image_id: str) -> Path:
    """Image file of an id."""
    s, f = image_id.split("/")
    return data_root / s / "images" / f


def label_path(data_root: Path, image_id: str) -> Path:
    """YOLO label file of an id."""
    s, f = image_id.split("/")
    return data_root / s / "labels" / (Path(f).stem + ".txt")


def truth(
    data_root: Path,
    image_id: str,
    width: int,
    height: int,
    extra: dict[str, np.ndarray] | None = None,
    helmet_heights: Mapping[str, float] | None = None,
) -> np.ndarray:
    """The image's labelled heads, rows (x1, y1, x2, y2, class) in pixels, with `extra`'s rows for it (an
    audit of the heads the labels omit) appended. `helmet_heights` names the folders whose helmet labels box only
    the hat, with the factor that grows them to heads (vision.labels.as_heads; training.label_convention)."""
    rows = read_yolo(label_path(data_root, image_id), width, height)
    factor = (helmet_heights or {}).get(image_id.split("/")[0])
    if factor is not None:
        rows = as_heads(rows, factor, height)
    return np.concatenate([rows, extra[image_id]]) if extra and image_id in extra else rows


def labelled(data_root: Path, ids: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(image, its labelled heads as truth rows) of each id, read as it is asked for."""
    for i in ids:
        img = read_image(image_path(data_root, i))
        yield img, truth(data_root, i, img.shape[1], img.shape[0])


def _dhashes(path: Path) -> list[np.ndarray]:
    grey = cv2.cvtColor(read_image(path), cv2.COLOR_BGR2GRAY)
    out = []
    # the sets contain flipped copies of one photo, so compare against all four flips
    for v in (grey, grey[:, ::-1], grey[::-1, :], grey[::-1, ::-1]):
        s = cv2.resize(v, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
        out.append(np.packbits((s[:, 1:] > s[:, :-1]).ravel()))
    return out


def near_duplicates(data_root: Path, part: str, max_bits: int = 8) -> list[str]:
    """Images of `part` whose 64-bit difference hash (any flip) is within `max_bits` of a train image.

    The split is by file, but the sources hold re-encoded, flipped or cropped copies of one
    photo under different names; the figures are also given without these.
    """
    train = np.stack([_dhashes(image_path(data_root, i))[0] for i in load("train")])
    out = []
    for i in load(part):
        best = min(
            int(np.unpackbits(np.bitwise_xor(train, h), axis=1).sum(1).min())
            for h in _dhashes(image_path(data_root, i))
        )
        if best <= max_bits:
            out.append(i)
    return out


def link(data_root: Path, ids: list[str], out: Path) -> dict[str, int]:
    """OUT/FOLDER/images and OUT/FOLDER/labels for each folder: links to the images of ``ids`` (a part's,
    ``load(part)``) and their labels, what `sitegw vision eval --images OUT/FOLDER/images --labels
    OUT/FOLDER/labels` measures per folder. Returns the images linked per folder."""
    counts: dict[str, int] = {}
    for i in ids:
        folder = i.split("/")[0]
        for kind, src in (("images", image_path(data_root, i)), ("labels", label_path(data_root, i))):
            dest = out / folder / kind / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.is_symlink():
                dest.symlink_to(src.resolve())
        counts[folder] = counts.get(folder, 0) + 1
    return counts


def main() -> None:
    """Draw the split again and write its lists, or link a part's images for `sitegw vision eval`."""
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data", type=Path, nargs="?", default=Path("../shared/data/helmet"))
    ap.add_argument(
        "--link",
        nargs=2,
        metavar=("PART", "OUT"),
        help="link PART's (train, val, test) images and labels into OUT/FOLDER/{images,labels} and stop",
    )
    args = ap.parse_args()
    if args.link:
        for folder, n in link(args.data, load(args.link[0]), Path(args.link[1])).items():
            print(f"{args.link[1]}/{folder}: {n} {args.link[0]} images")
        return
    SPLIT_DIR.mkdir(exist_ok=True)
    for part, ids in build(args.data).items():
        (SPLIT_DIR / f"{part}.txt").write_text("\n".join(ids) + "\n")
        print(f"{part}: {len(ids)} images")
    dups = near_duplicates(args.data, "test")
    (SPLIT_DIR / "test_near_duplicates.txt").write_text("\n".join(dups) + "\n")
    print(f"test images near-duplicating a train image: {len(dups)}")


if __name__ == "__main__":
    main()
