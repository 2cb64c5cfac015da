"""What the gateway's services read of the camera side: the shape, not the implementation.

The camera workers are wired in by the application shell (sitegw/cameras.py); the API and the metrics
read them only through these protocols, so nothing in gateway/ depends on how vision runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contract.wire import PictureFindings


@dataclass(frozen=True, slots=True)
class Shot:
    """A camera's latest analysed picture with its findings drawn on it, and those findings."""

    camera: str
    ts: float
    jpeg: bytes
    findings: PictureFindings


class CameraState(Protocol):
    """One camera as the API and /metrics show it."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def online(self) -> bool: ...

    @property
    def last_frame_ts(self) -> float | None: ...

    @property
    def late_s(self) -> float | None:
        """Seconds the camera's analysis is behind (the worst of its last 10 s); None without a frame."""
        ...

    @property
    def behind(self) -> bool:
        """Whether late_s is above 2 s: the dashboard says so on the camera's card."""
        ...


class CameraService(Protocol):
    """The cameras' state and pictures (the shell's CameraHub; None on a site without cameras)."""

    def cameras(self) -> Sequence[CameraState]:
        """Every camera with its link state and last analysed frame time."""
        ...

    def latest_jpeg(self, camera_id: str) -> bytes | None:
        """The camera's latest analysed frame with its detections drawn, when there is one."""
        ...

    def latest_shot(self, camera_id: str) -> Shot | None:
        """The camera's latest analysed picture with its findings (for the regulator's patrol), if any."""
        ...

    def evidence_jpeg(self, alert_id: str) -> bytes | None:
        """An alert's evidence picture kept by the camera side, if any."""
        ...
