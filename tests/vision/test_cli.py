"""`sitegw vision detect` and `sitegw vision eval` as a user runs them (typer, real model, real photos)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import typer
from typer.testing import CliRunner

from tests.vision.conftest import SAMPLE
from vision.cli import detect, evaluate

app = typer.Typer()
app.command("detect")(detect)
app.command("eval")(evaluate)
runner = CliRunner()


def test_detect_writes_one_line_per_image_with_pixel_boxes(tmp_path: Path) -> None:
    out = tmp_path / "dets.jsonl"
    r = runner.invoke(app, ["detect", "--input", str(SAMPLE / "images"), "--out", str(out), "--no-persons"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["image"] for x in lines] == sorted(p.name for p in (SAMPLE / "images").iterdir())
    for x in lines:
        assert (x["width"], x["height"]) == (640, 640)
        for d in x["detections"]:
            assert d["label"] in ("helmet", "no_helmet")
            x1, y1, x2, y2 = d["box"]
            assert 0 <= x1 < x2 <= 640 and 0 <= y1 < y2 <= 640
            assert 0 < d["score"] <= 1
        bare = [d for d in x["detections"] if d["label"] == "no_helmet"]
        assert bool(bare) == any(v["rule"] == "vision.no_helmet" for v in x["violations"])
    assert sum(len(x["detections"]) for x in lines) > 20


def test_detect_on_a_video_writes_analysed_frames_in_original_pixels(tmp_path: Path) -> None:
    video = tmp_path / "walk.avi"
    vw = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 4.0, (1280, 720))
    for p in sorted((SAMPLE / "images").iterdir())[:3]:
        big = cv2.resize(cv2.imread(str(p)), (1280, 720))
        for _ in range(4):
            vw.write(big)
    vw.release()
    out = tmp_path / "dets.jsonl"
    r = runner.invoke(app, ["detect", "--input", str(video), "--out", str(out), "--fps", "1"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["image"] for x in lines] == ["0", "4", "8"]
    assert all((x["width"], x["height"]) == (1280, 720) for x in lines)
    assert max(d["box"][2] for x in lines for d in x["detections"]) > 640, "boxes must be in 1280-wide pixels"


def test_detect_names_a_missing_input(tmp_path: Path) -> None:
    r = runner.invoke(app, ["detect", "--input", str(tmp_path / "nope"), "--out", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 2
    assert f"--input {tmp_path / 'nope'} does not exist" in r.output


def test_eval_prints_precision_recall_ap50_per_class() -> None:
    r = runner.invoke(app, ["eval", "--images", str(SAMPLE / "images"), "--labels", str(SAMPLE / "labels")])
    assert r.exit_code == 0, r.output
    rows = {
        ln.split()[0]: ln.split()[1:]
        for ln in r.output.splitlines()
        if ln.startswith(("helmet", "no_helmet"))
    }
    assert set(rows) == {"helmet", "no_helmet"}
    truth = {k: int(v[0]) for k, v in rows.items()}
    labels = [ln.split()[0] for p in (SAMPLE / "labels").iterdir() for ln in p.read_text().splitlines()]
    assert truth == {"helmet": labels.count("0"), "no_helmet": labels.count("1")}
    assert all(0.0 <= float(x) <= 1.0 for v in rows.values() for x in v[2:])


def test_eval_names_a_wrong_folder(tmp_path: Path) -> None:
    r = runner.invoke(app, ["eval", "--images", str(tmp_path), "--labels", str(tmp_path / "labels")])
    assert r.exit_code == 2 and "--labels" in r.output and "is not a folder" in r.output
