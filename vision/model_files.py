"""Where the shipped networks lie, importable without a network's libraries: `sitegw`'s command line
names the default hard-hat model in its options, and every `sitegw` process (the gateway's too) builds
that command line, so naming it must not load OpenCV and onnxruntime."""

from __future__ import annotations

from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODEL_DIR / "helmet.onnx"
