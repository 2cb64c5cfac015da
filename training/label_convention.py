"""How each folder's helmet labels box a head, from the labels alone: the hat, or the hat with the face under it.

    .venv/bin/python -m training.label_convention --part train

The data's README says a head box is "the hard hat with the face under it". A label set that boxes only the
hat draws its helmets flatter than its bare heads: in pixels, the median height over width of its helmet
boxes is well under that of its bare-head boxes, where in a set that boxes heads the two are close (a hard
hat adds a little height to a head). For each folder this prints both medians and their ratio, and the
factor by which its helmet labels' height would be grown to box heads, as vision.labels.as_heads grows
them (`sitegw vision eval --helmet-label-height`): the folder's ratio over the ratio of the folders that box
heads (``--heads``, by default the two whose ratio is nearest 1). No network is run: a part's labels only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from training import split

HAT_TO_HEAD = {"cap": 1.53, "sfchd": 1.38}
"""The folders whose helmet labels box only the hat, with the factor that grows them to heads, measured on the
train labels (round 16 section 2): every read of a card trained on heads since round 16 uses them."""


def aspects(data: Path, ids: list[str]) -> dict[int, np.ndarray]:
    """Per class (0 helmet, 1 bare head): the height over width, in pixels, of every labelled box of ``ids``."""
    out: dict[int, list[float]] = {0: [], 1: []}
    for i in ids:
        with Image.open(split.image_path(data, i)) as img:  # its header: the size, no pixel decoded
            w, h = img.size
        for row in split.truth(data, i, w, h):
            out[int(row[4])].append(float((row[3] - row[1]) / max(row[2] - row[0], 1e-6)))
    return {c: np.array(v) for c, v in out.items()}


def hat_ratio(per_class: dict[int, np.ndarray]) -> float:
    """The median bare head's height over width divided by the median helmet's: about 1 where helmets are
    boxed as heads, well over 1 where only the hat is boxed."""
    return float(np.median(per_class[1]) / np.median(per_class[0]))


def add_option(ap: argparse.ArgumentParser, purpose: str) -> None:
    """``--helmet-label-height FOLDER=K ...`` on a training command, ``purpose`` its help's first words;
    :func:`option_factors` reads it back."""
    ap.add_argument(
        "--helmet-label-height",
        nargs="*",
        default=[],
        metavar="FOLDER=K",
        help=f"{purpose}: the helmet labels of these folders grown K times their height (top kept), one box "
        "for a helmet whatever the folder (python -m training.label_convention prints each folder's K; "
        "training/rounds/round16.md)",
    )


def option_factors(ap: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, float]:
    """The parsed ``--helmet-label-height`` of :func:`add_option`; a bad pair ends the command with its error."""
    try:
        return factors(args.helmet_label_height)
    except ValueError as e:
        ap.error(str(e))


def factors(pairs: list[str]) -> dict[str, float]:
    """``FOLDER=K`` pairs (a training run's --helmet-label-height) as a mapping; a bad pair is an error
    naming it and the form wanted."""
    out: dict[str, float] = {}
    for pair in pairs:
        folder, _, k = pair.partition("=")
        try:
            value = float(k)
        except ValueError:
            value = 0.0
        if folder not in split.SETS or not 1.0 <= value <= 2.0:
            raise ValueError(
                f"--helmet-label-height {pair!r}: expected FOLDER=K, FOLDER one of {', '.join(split.SETS)} and K "
                "from 1 to 2 (python -m training.label_convention prints each folder's)"
            )
        out[folder] = value
    return out


def main() -> None:
    """Command line entry: one line per folder, then the factors."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/helmet"))
    ap.add_argument("--part", default="train", choices=["train", "val", "test"], help="whose labels")
    ap.add_argument("--heads", nargs="*", default=None, help="the folders taken to box heads")
    args = ap.parse_args()
    ids = split.load(args.part)
    ratios: dict[str, float] = {}
    for folder in split.SETS:
        per = aspects(args.data, [i for i in ids if i.startswith(folder + "/")])
        if not (len(per[0]) and len(per[1])):
            continue
        ratios[folder] = hat_ratio(per)
        print(
            f"{folder:<7} helmets {len(per[0]):>5} h/w {np.median(per[0]):.3f}   bare heads {len(per[1]):>5} "
            f"h/w {np.median(per[1]):.3f}   ratio {ratios[folder]:.3f}"
        )
    heads = args.heads or sorted(ratios, key=lambda f: abs(ratios[f] - 1))[:2]
    reference = float(np.mean([ratios[f] for f in heads]))
    print(f"folders taken to box heads: {', '.join(heads)} (ratio {reference:.3f})")
    for folder, r in ratios.items():
        print(f"{folder:<7} --helmet-label-height {max(r / reference, 1.0):.2f}")


if __name__ == "__main__":
    main()
