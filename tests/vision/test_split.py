"""The committed split (training/split/) against the data folders as they are: every list and audit names
images that exist, and training.split.build draws the committed lists again from the folders.

Reads the hard-hat data beside the checkout; skips where it is absent."""

from __future__ import annotations

from pathlib import Path

from tests.vision.test_helmet_stage2 import DATA, needs_data
from training import split

AUDITS = ("train_unlabelled_heads.txt", "val_unlabelled_bare_heads.txt", "test_unlabelled_bare_heads.txt")


def _missing(ids: list[str]) -> list[str]:
    return [i for i in ids if not split.image_path(DATA, i).is_file()]


@needs_data
def test_every_listed_image_is_in_the_data_folders_and_no_removed_one_is() -> None:
    lists = {p: split.load(p) for p in ("train", "val", "test", "test_near_duplicates")}
    lists |= {a: list(split.audited_heads(a)) for a in AUDITS}
    person_lines = (split.SPLIT_DIR / "person_audit.txt").read_text().splitlines()
    lists["person_audit"] = [f"sfchd/{ln.split()[0]}.jpg" for ln in person_lines if ln and ln[0] != "#"]
    for name, ids in lists.items():
        assert not _missing(ids), (name, _missing(ids))
    gone = split.removed()
    assert gone and _missing(sorted(gone)) == sorted(gone)  # each listed removal is really gone


@needs_data
def test_the_committed_parts_are_drawn_again_from_the_folders_and_do_not_overlap() -> None:
    parts = split.build(Path(DATA))
    assert parts == {p: split.load(p) for p in ("train", "val", "test")}
    train, val, test = (set(parts[p]) for p in ("train", "val", "test"))
    assert not (train & val or train & test or val & test)
    present = {f"{s}/{f.name}" for s in split.SETS for f in (DATA / s / "images").iterdir()}
    assert train | val | test == present


@needs_data
def test_a_part_is_linked_per_folder_for_vision_eval(tmp_path: Path) -> None:
    counts = split.link(Path(DATA), split.load("val"), tmp_path)
    val = split.load("val")
    assert counts == {s: sum(i.startswith(f"{s}/") for i in val) for s in split.SETS}
    assert counts["hhwraw"] > 4 * sum(counts[s] for s in ("cap", "sfchd", "hhw"))  # the part chosen on
    for s in split.SETS:
        images = sorted((tmp_path / s / "images").iterdir())
        assert [f"{s}/{p.name}" for p in images] == [i for i in val if i.startswith(f"{s}/")]
        assert all(p.resolve() == split.image_path(DATA, f"{s}/{p.name}").resolve() for p in images)
        assert len(list((tmp_path / s / "labels").iterdir())) == len(images)
