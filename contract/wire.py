"""The default regulator protocol on the wire: its paths, the signature of every request, and the bodies a
gateway sends besides AlertEvents (docs/design.md). The receiver takes ``null`` for an optional field of
every body as its default, and refuses an unknown field with 422 naming it (contract/nulls.py).

A gateway signs and the regulator checks with the same ``default_signature``, so the two sides cannot drift
apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contract.config.dangerous_works import DangerousWork
from contract.kinds import registry

EVENTS_PATH = "/api/v1/events"
HEARTBEAT_PATH = "/api/v1/heartbeat"
READINGS_PATH = "/api/v1/readings"
RECTIFICATIONS_PATH = "/api/v1/rectifications"
FEEDBACK_PATH = "/api/v1/feedback"
WARNING_ACK_PATH = "/api/v1/warnings/{warning_id}/ack"  # a supervisor acknowledged a regulator's warning
PICTURES_PATH = "/api/v1/pictures"
CLIPS_PATH = "/api/v1/clips"
"""Paths of the default protocol's endpoints, relative to the regulator's base URL."""

RELEASE_MAX = 64
RELEASE_PATTERN = r"^[0-9A-Za-z.+!_-]+$"
"""A release as a heartbeat names it: PEP 440's characters (0.2.0, 0.3.0.dev4+g1a2b3c), nothing that could
be markup on the regulator's pages, and short."""


def default_signature(secret: str, method: str, path: str, timestamp_ms: str, nonce: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 over ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256HEX(BODY)`` (docs/design.md)."""
    message = "\n".join([method.upper(), path, timestamp_ms, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_headers(
    project: str,
    secret: str,
    path: str,
    body: bytes,
    now_ms: int | None = None,
    method: str = "POST",
    nonce: str | None = None,
) -> dict[str, str]:
    """The four X-Sitegw-* headers (plus Content-Type) for sending ``body`` to ``path`` (with its query
    string, if any) with ``method``: a gateway's requests to its regulator, and a city's regulator's to its
    province's (regulator/forwarding/), where ``project`` is the city's id. ``nonce``: a fresh random one
    unless given (a test replaying one)."""
    ts = str(int(time.time() * 1000) if now_ms is None else now_ms)
    nonce = nonce or secrets.token_hex(16)
    return {
        "Content-Type": "application/json",
        "X-Sitegw-Project": project,
        "X-Sitegw-Timestamp": ts,
        "X-Sitegw-Nonce": nonce,
        "X-Sitegw-Signature": default_signature(secret, method, path, ts, nonce, body),
    }


class EventReceipt(BaseModel):
    """The regulator's answer to ``POST /api/v1/events``: which event it holds, and whether it was new.

    A gateway counts an event delivered only on this receipt naming that very event: a 200 without it
    is a proxy, a captive portal or a wrong URL answering, and nothing was stored.
    """

    event_id: str = Field(description="the AlertEvent's event_id, as stored")
    status: Literal["stored", "duplicate"] = Field(
        description="stored now, or already held from an earlier attempt (not stored twice)"
    )


class Heartbeat(BaseModel):
    """A gateway saying it is alive with nothing else to report."""

    model_config = ConfigDict(extra="forbid")

    project: str
    ts: float = Field(description="Unix seconds at the gateway")
    outbox_depth: int = Field(0, ge=0, description="events waiting to be delivered")
    dangerous_works: list[DangerousWork] | None = Field(
        None,
        max_length=500,
        description="the site's 危大工程清单 as its site file keeps it, over_scale raised where the site's "
        "devices show an item 超过一定规模 (contract/config/over_scale.py); left out by a site that keeps none "
        "(the regulator keeps the last list it was sent: each heartbeat says it whole, so a lost one "
        "is made good by the next)",
    )
    # the site file's project coordinates; left out (not null) when it has none, so such a heartbeat reads
    # as before to a regulator older than these fields
    lat: float | None = Field(None, ge=3, le=54, description="the site's latitude, WGS-84 degrees")
    lon: float | None = Field(None, ge=73, le=136, description="the site's longitude, WGS-84 degrees")
    # left out by a gateway older than this field; the regulator keeps the last one heard per project
    release: str | None = Field(
        None,
        max_length=RELEASE_MAX,
        pattern=RELEASE_PATTERN,
        description="the sitegw release the gateway runs (`sitegw --version`), e.g. 0.2.0",
    )


class SummaryReading(BaseModel):
    """One device value of a readings summary: the reading that stands for its minute (e.g. the minute's
    peak), ``ts`` being when it was taken. The regulator keeps one value per device, point, metric and minute
    (UTC), so a later summary of the same minute replaces the value it kept."""

    model_config = ConfigDict(extra="forbid")

    device: str = Field(min_length=1)
    point: str = ""
    metric: str
    ts: float
    value: float
    unit: str = ""

    @field_validator("metric")
    @classmethod
    def _canonical(cls, metric: str) -> str:
        picks = registry.summary_picks()  # the metrics each kind declares summarised (contract/kinds/)
        if metric not in picks:
            raise ValueError(
                f"unknown metric {metric!r}; summaries carry the canonical metrics the device kinds declare: "
                f"{', '.join(sorted(picks))}"
            )
        return metric


class ReadingsSummary(BaseModel):
    """Tower-crane and pit readings a gateway summarises for the regulator (context around hazards)."""

    model_config = ConfigDict(extra="forbid")

    project: str
    readings: list[SummaryReading] = Field(max_length=10_000)


class RectificationReport(BaseModel):
    """The site's report that a hazard is fixed, with a photo of the fix (base64 JPEG)."""

    model_config = ConfigDict(extra="forbid")

    project: str
    alert_id: str = Field(description="the alert the regulator ordered rectified")
    note: str = Field(min_length=1, description="what was done, e.g. 已更换限位器并复测")
    photo: str = Field(description="JPEG as base64")
    actor: str = Field("gateway", description="who at the site reports it")


MAX_PICTURE_BYTES = 1_000_000
"""The largest patrol JPEG the regulator takes (a camera's preview is ~40 KB at 640 px)."""
MAX_PICTURE_BODY = MAX_PICTURE_BYTES * 4 // 3 + 16_384
"""The largest body of ``POST /api/v1/pictures``: the JPEG as base64 plus its findings."""


MAX_CLIP_BYTES = 8 * 1024 * 1024
"""The largest evidence clip the regulator takes (a 6 s VP8 WebM at 640 px is ~0.3 MB), a body limit."""
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"
"""The first four bytes of a WebM (Matroska EBML header): what a clip must start with."""
CLIP_TYPE = "video/webm"
"""The Content-Type of ``POST /api/v1/clips?alert_id=...`` (the body is the clip itself)."""


def check_clip(body: bytes) -> None:
    """ValueError unless ``body`` starts as a WebM does."""
    if not body.startswith(WEBM_MAGIC):
        raise ValueError("not a WebM (no 1A 45 DF A3 EBML header)")


class ClipReceipt(BaseModel):
    """The regulator's answer to ``POST /api/v1/clips``."""

    alert_id: str = Field(title="Alert", description="the gateway's alert the clip belongs to")
    hazard_id: int = Field(title="Hazard", description="the regulator's hazard the clip is kept with")
    status: Literal["stored", "duplicate"] = Field(
        title="Status", description="stored with the hazard's evidence, or the same clip was already there"
    )


class PictureFindings(BaseModel):
    """What the camera's analysis found on one patrol picture (the boxes are drawn on the JPEG itself)."""

    model_config = ConfigDict(extra="forbid")

    persons: int = Field(0, ge=0, description="people seen (the larger of heads and person boxes)")
    heads: int = Field(0, ge=0, description="heads found, with or without a hard hat")
    bare_heads: int = Field(0, ge=0, description="heads without a hard hat (未戴安全帽)")
    zones: dict[str, bool] = Field(
        default_factory=dict, description="each danger zone of the camera: whether someone is inside (禁入区)"
    )
    edges: dict[str, bool] = Field(
        default_factory=dict,
        description="each protected edge of the camera: whether its rail is missing (临边)",
    )


class CameraPicture(BaseModel):
    """One camera's latest analysed picture for the regulator's patrol wall (远程巡查), ``POST
    /api/v1/pictures``. Not an event: the regulator keeps only the newest picture of each camera."""

    model_config = ConfigDict(extra="forbid")

    project: str
    camera: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+$", max_length=64, description="the camera's id at the site"
    )
    taken_at: float = Field(description="Unix seconds of the analysed frame")
    every_s: float = Field(
        600, gt=0, description="how often the site sends this camera's picture: the wall marks it stale after"
    )
    findings: PictureFindings = Field(default_factory=PictureFindings)
    jpeg: str = Field(description="the picture with the findings drawn on it, JPEG as base64")


class ReadingsReceipt(BaseModel):
    """The regulator's answer to ``POST /api/v1/readings``."""

    status: Literal["stored"] = Field(description="the summary is kept")
    readings: int = Field(
        description="readings received (one a device, point, metric and minute is kept: the last sent)"
    )


class PictureReceipt(BaseModel):
    """The regulator's answer to ``POST /api/v1/pictures``."""

    camera: str
    status: Literal["stored", "older"] = Field(
        description="stored as the camera's latest picture, or older than the one held (not kept)"
    )
