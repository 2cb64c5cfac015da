"""One ONNX network run by onnxruntime on the CPU, one thread, as every vision worker runs them.

Why onnxruntime and not cv2.dnn (the first choice): measured on this 2-core box, onnxruntime runs
the head classifier 2.4x faster than cv2.dnn 4.14 (48 crops: 35 against 85 ms) and the
EfficientNet-Lite body's depthwise convolutions about 6x faster (67 against 385 ms), and the head
detector faster too; `make bench` prints the figures (bench/vision_bench.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort


class OnnxNet:
    """A loaded network: call it with the input array, get its first output."""

    def __init__(self, path: Path) -> None:
        opts = ort.SessionOptions()
        # one camera worker per process, several per box: each runs single-threaded
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3  # warnings about unused initialisers are not the user's business
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own untyped errors for a bad file
            raise ValueError(f"{path} is not a network onnxruntime can run: {e}") from e
        self.input = self.session.get_inputs()[0].name

    def outputs(self, x: np.ndarray) -> list[np.ndarray]:
        """All the network's outputs for input `x` (float32, NCHW)."""
        outputs: list[np.ndarray] = self.session.run(None, {self.input: np.ascontiguousarray(x, np.float32)})
        return outputs

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The network's first output for input `x` (float32, NCHW)."""
        return self.outputs(x)[0]
