"""A training run that outlasts its session (training/train.py, training/checkpoint.py, training/rebuild.py).

What whoever trains a detector over several sessions relies on: a run killed outright (SIGKILL, the
session's machine taken back) and then resumed with `--resume` ends with the very weights an
uninterrupted run ends with; its committed recipe rebuilds the last checkpoint bit for bit; and a resume
that would change the recipe, or a new run over an existing one, is refused. The runs are the real command
(`python -m training.train`) on the shipped sample photos at a 64 px input: seconds, not hours.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.vision.conftest import SAMPLE

torch = pytest.importorskip("torch", reason="torch is in the train extra")
pytest.importorskip("onnx", reason="onnx is in the train extra")

from training import checkpoint, train  # noqa: E402

STEPS = 24  # 3 steps an epoch (6 train photos, 2 a batch): val and best.onnx at every third step


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder of the sample photos (6 train, 2 val) and its split lists."""
    root = tmp_path_factory.mktemp("train")
    for kind in ("images", "labels"):
        shutil.copytree(SAMPLE / kind, root / "data" / "cap" / kind)
    names = sorted(p.name for p in (SAMPLE / "images").iterdir())
    (root / "split").mkdir()
    (root / "split" / "train.txt").write_text("".join(f"cap/{n}\n" for n in names[:6]))
    (root / "split" / "val.txt").write_text("".join(f"cap/{n}\n" for n in names[6:]))
    return root


def argv(place: Path, run: str, *more: str) -> list[str]:
    return [
        "--run", run, "--data", str(place / "data"), "--split-dir", str(place / "split"), "--size", "64",
        "--batch", "2", "--steps", str(STEPS), "--checkpoint-minutes", "0.002",
        "--checkpoints", str(place / "ck"), "--recipes", str(place / "rc"), *more,
    ]  # fmt: skip


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "training.train", *args]


def recorded(place: Path, run: str) -> list[dict[str, object]]:
    path = place / "rc" / f"{run}.json"
    try:
        return list(json.loads(path.read_text())["checkpoints"])
    except (FileNotFoundError, json.JSONDecodeError):
        return []


def final(place: Path, run: str) -> tuple[str, dict[str, float | int]]:
    ckpt = checkpoint.load(place / "ck" / run)
    return checkpoint.weights_digest(ckpt["net"]), ckpt["progress"]


@pytest.fixture(scope="module")
def uninterrupted(place: Path) -> tuple[str, dict[str, float | int]]:
    subprocess.run(command(*argv(place, "whole")), check=True, capture_output=True, timeout=300)
    return final(place, "whole")


def test_a_run_killed_and_resumed_ends_with_the_uninterrupted_runs_weights(
    place: Path, uninterrupted: tuple[str, dict[str, float | int]]
) -> None:
    proc = subprocess.Popen(
        command(*argv(place, "killed")), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 240
    while not any(int(str(c["step"])) >= 6 for c in recorded(place, "killed")):
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "no checkpoint at step 6 within 4 minutes"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    stopped = int(final(place, "killed")[1]["step"])
    assert 6 <= stopped < STEPS, "killed mid-run, with a checkpoint behind it"
    # the next session: the run's name, where it and the photos lie; the recipe comes from the checkpoint
    session = ["--run", "killed", "--resume", "--data", str(place / "data")]
    session += ["--checkpoints", str(place / "ck"), "--recipes", str(place / "rc")]
    done = subprocess.run(command(*session), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"resumed at step {stopped} of {STEPS}" in done.stdout
    digest, progress = final(place, "killed")
    assert progress["step"] == STEPS
    assert (digest, progress["best"], progress["best_step"]) == (
        uninterrupted[0],
        uninterrupted[1]["best"],
        uninterrupted[1]["best_step"],
    )
    whole, killed = (place / "ck" / r / "best.pt" for r in ("whole", "killed"))
    assert checkpoint.weights_digest(torch.load(whole)) == checkpoint.weights_digest(torch.load(killed))


def test_a_session_that_runs_out_of_minutes_stops_with_a_checkpoint_to_resume(place: Path) -> None:
    out = subprocess.run(
        command(*argv(place, "short", "--minutes", "0")), capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert "session over at step 1 of 24: continue with --run short --resume" in out.stdout
    assert final(place, "short")[1]["step"] == 1


def test_the_recipe_rebuilds_the_last_checkpoint_bit_for_bit(
    place: Path, uninterrupted: tuple[str, dict[str, float | int]]
) -> None:
    recipe = json.loads((place / "rc" / "whole.json").read_text())
    assert recipe["args"]["steps"] == STEPS and recipe["checkpoints"][-1]["step"] == STEPS
    assert recipe["split"] == checkpoint.split_digests(place / "split")
    shutil.rmtree(place / "ck" / "whole")  # the checkpoint is lost with its machine; the recipe is committed
    out = subprocess.run(
        [sys.executable, "-m", "training.rebuild", "whole", "--data", str(place / "data"),
         "--checkpoints", str(place / "ck"), "--recipes", str(place / "rc")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "the recorded weights, bit for bit" in out.stdout
    assert final(place, "whole")[0] == uninterrupted[0]
    assert json.loads((place / "rc" / "whole.json").read_text()) == recipe  # the committed file untouched


def test_a_resume_that_changes_the_recipe_or_a_new_run_over_an_old_one_is_refused(
    place: Path, uninterrupted: tuple[str, dict[str, float | int]]
) -> None:
    with pytest.raises(SystemExit, match=r"a resumed run keeps its recipe: --lr 0.5 given, the run has None"):
        train.main([*argv(place, "whole"), "--resume", "--lr", "0.5"])
    with pytest.raises(SystemExit, match=r"run 'whole' has a checkpoint .*--resume continues it"):
        train.main(argv(place, "whole"))
    with pytest.raises(FileNotFoundError, match=r"no checkpoint .*nope.*python -m training.rebuild nope"):
        train.main([*argv(place, "nope"), "--resume"])
    lists = place / "split" / "train.txt"
    kept = lists.read_text()
    lists.write_text(kept + "cap/000160.jpg\n")  # the split changed under the run
    try:
        with pytest.raises(SystemExit, match=r"train or val list changed since run 'whole' started"):
            train.main(
                [
                    "--run",
                    "whole",
                    "--resume",
                    "--data",
                    str(place / "data"),
                    "--checkpoints",
                    str(place / "ck"),
                ]
            )
    finally:
        lists.write_text(kept)
