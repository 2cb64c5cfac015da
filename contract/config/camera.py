"""Per-camera configuration: source, rate, and the checks with their zones and edges (pydantic)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Point = tuple[float, float]


class ZoneConfig(BaseModel):
    """A danger zone drawn on the camera image (pixels of the full frame)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    polygon: list[Point] = Field(min_length=3, description="vertices in frame pixels")
    inertia: int = Field(
        3, ge=1, description="consecutive analysed frames with someone inside before it counts"
    )
    loiter_s: float = Field(0.0, ge=0, description="seconds someone must stay inside before the alert")


class EdgeConfig(BaseModel):
    """An edge that must be protected (临边), drawn along the guard rail in the reference frame."""

    model_config = ConfigDict(extra="forbid")
    name: str
    polyline: list[Point] = Field(min_length=2, description="points along the rail, frame pixels")
    band_px: int = Field(40, ge=8, description="half-height of the strip above/below the line to compare")
    missing_frames: int = Field(
        5, ge=1, description="consecutive analysed frames without protection before the alert"
    )


class CameraConfig(BaseModel):
    """One camera: where its frames come from and what is checked."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    source: str = Field(
        description="rtsp://…, http(s)://… (MJPEG or snapshot), a video file or a folder of images"
    )
    kind: Literal["auto", "rtsp", "mjpeg", "snapshot", "file", "images"] = "auto"
    fps: float = Field(1.0, gt=0, le=30, description="analysed frames per second; the rest are skipped")
    rtsp_transport: Literal["tcp", "udp"] = Field(
        "tcp",
        description="RTP over the RTSP TCP connection (tcp: no lost packets or smeared frames on a 4G "
        "uplink, and a silent camera is noticed by the read timeout) or plain UDP",
    )
    loop: bool = Field(False, description="replay a file or folder forever (demo cameras)")
    helmet: bool = True
    helmet_frames: int = Field(
        2, ge=1, description="consecutive analysed frames with a bare head before the alert"
    )
    persons: bool = Field(
        True, description="run the person network (SSDLite-MobileNetV2; zones also use heads)"
    )
    motion_gate: bool = True
    still_recheck_s: float = Field(
        10.0, gt=0, description="full analysis at least this often on a still scene"
    )
    zones: list[ZoneConfig] = Field(default_factory=list)
    edges: list[EdgeConfig] = Field(default_factory=list)
    edge_reference: Path | None = Field(None, description="JPEG taken when the edge protection was accepted")
    clip_pre_s: float = Field(3.0, ge=0)
    clip_post_s: float = Field(3.0, ge=0)

    @field_validator("edge_reference")
    @classmethod
    def _reference_exists(cls, v: Path | None) -> Path | None:
        if v is not None and not v.exists():
            raise ValueError(
                f"edge reference image {v} does not exist: take one when the protection is accepted"
            )
        return v


class VisionConfig(BaseModel):
    """All cameras of a site plus where evidence is kept."""

    model_config = ConfigDict(extra="forbid")
    cameras: list[CameraConfig] = Field(default_factory=list)
    evidence_dir: Path = Path("state/evidence")
    evidence_budget_mb: float = Field(500.0, gt=0, description="oldest evidence is deleted beyond this")
    hang_timeout_s: float = Field(30.0, gt=0, description="a worker silent this long is killed and restarted")
    model: Path | None = Field(
        None, description="hard-hat ONNX; default: the shipped vision/models/helmet.onnx"
    )
