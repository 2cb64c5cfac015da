"""Per-camera configuration: source, rate, and the checks with their zones and edges.

Zones and edges are drawn on the camera's picture. A camera's stream size changes (a sub-stream of
640x360 instead of 1280x720, a firmware update), and a zone must stay on the same part of the scene, so
their coordinates are either fractions of the frame (0-1, as Frigate keeps them) or pixels of the frame
size named in ``drawn_on``; the analysis scales them to the frames that arrive (``scaled``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from contract.config.common import Model

Point = tuple[float, float]

# The default hard-hat tile (CameraConfig.helmet_tile_px): at the detector's input of 576, a far head
# keeps 0.8 of its pixels; the tools that measure the check (vision detect/eval, training.evaluate)
# default to it too, so their figures are those of a camera left at its default
HELMET_TILE_PX = 720
MIN_HELMET_TILE_PX = 480
# the smallest analysed size a camera may ask for (CameraConfig.analyse_px): below it a head has too few pixels
MIN_ANALYSE_PX = 640
# a camera's reading of the people in an exclusion zone (the zone its point), for the install rule
EXCLUSION_PERSONS = "exclusion_persons"
# a camera's reading of the people in a zone marked for hot work (the zone its point), for the hot-work rule
HOT_WORK_PERSONS = "hot_work_persons"
Place = Annotated[str, Field(min_length=1, max_length=100)]


def tile_px_problem(value: int) -> str | None:
    """What is wrong with ``value`` as a hard-hat tile size (for the config and the command line), or None."""
    if 0 < value < MIN_HELMET_TILE_PX:
        return (
            f"{value} must be 0 (off: whole frames) or at least {MIN_HELMET_TILE_PX}: the detector's input is "
            "576 px, so smaller tiles are scaled up past the frame's own pixels, more passes for nothing"
        )
    return None


class ZoneConfig(Model):
    """A danger zone drawn on the camera image: nobody may be inside (禁入区); or, with ``exclusion_of``,
    nobody while its machine's 安拆 window is open (警戒区); or, with ``hot_work_at``, a place of hot work
    (动火区) where people at work need a permit in force."""

    name: str = Field(title="Name", description="the zone's name, shown in alerts, e.g. 卸料平台下方")
    polygon: list[Point] = Field(
        min_length=3,
        title="Polygon",
        description="vertices as [x, y]: fractions 0-1 of the frame, or pixels of the camera's drawn_on size",
    )
    inertia: int = Field(
        3,
        ge=1,
        title="Inertia",
        description="consecutive analysed frames with someone inside before it counts",
    )
    loiter_s: float = Field(
        0.0, ge=0, title="Loiter", description="seconds someone must stay inside before the alert"
    )
    exclusion_of: str | None = Field(
        None,
        title="Exclusion zone of",
        description="the id of the crane or hoist whose 安拆 exclusion zone (警戒区) this is: people inside "
        "are an alert of its install rule only while its 安拆 window is open (not vision.zone_intrusion); "
        "leave out for a standing 禁入区",
    )
    hot_work_at: list[Place] = Field(
        default_factory=list,
        max_length=20,
        title="Hot-work places",
        description="marks the zone for hot work (动火区): the hot-work place(s) it watches, as permits name "
        "places, e.g. [3号楼5层]; each a welder's place or one of the site's hot_work_places. People seen "
        "inside it for hot_work_settle_s while no permit is in force for any of them are "
        "hot_work.zone_unpermitted (not vision.zone_intrusion). The camera sees people in the zone, not a "
        "flame or an arc: their presence stands for hot work (docs/vision.md)",
    )
    hot_work_settle_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        title="Hot-work settle time",
        description="with hot_work_at: s people must be seen inside with no permit in force before the alert "
        "(达到: at it the alert fires), and s the camera must see nobody inside before it ends [U: practice]",
    )

    @model_validator(mode="after")
    def _one_purpose(self) -> ZoneConfig:
        if self.exclusion_of is not None and self.hot_work_at:
            raise ValueError(
                f"zone {self.name!r} has both exclusion_of and hot_work_at: a zone is a machine's 警戒区 or "
                "a hot-work place, not both: draw a second zone for the other"
            )
        return self

    @property
    def counted(self) -> bool:
        """Whether vision counts the people inside it as readings for a rule (警戒区, 动火区) rather than
        judging it as a standing 禁入区 itself."""
        return self.exclusion_of is not None or bool(self.hot_work_at)


class EdgeConfig(Model):
    """An edge that must be protected (临边防护), drawn along the guard rail in the reference frame."""

    name: str = Field(title="Name", description="the edge's name, shown in alerts, e.g. 3F东侧临边")
    polyline: list[Point] = Field(
        min_length=2,
        title="Polyline",
        description="points along the rail: fractions 0-1 of the frame, or pixels of the drawn_on size",
    )
    band_px: int = Field(
        40,
        ge=8,
        title="Band",
        description="half-height in pixels of the strip above and below the line that is compared "
        "(pixels of drawn_on when given, scaled with the frame; else of the frames as they arrive)",
    )
    missing_frames: int = Field(
        5,
        ge=1,
        title="Missing frames",
        description="consecutive analysed frames without protection before the alert",
    )


class CameraConfig(Model):
    """One camera: where its frames come from and what is checked."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+$",
        title="Name",
        description="the camera's id: letters, digits, '_', '.', '-' (it names the device in alerts)",
    )
    source: str = Field(
        title="Source",
        description="rtsp://…, http(s)://… (MJPEG or snapshot), a video file or a folder of images",
    )
    kind: Literal["auto", "rtsp", "mjpeg", "snapshot", "file", "images"] = Field(
        "auto", title="Kind", description="how to read the source; auto: from its scheme or path"
    )
    fps: float = Field(
        1.0,
        gt=0,
        le=30,
        title="Rate",
        description="analysed frames per second; the rest are skipped. 1 is what the checks need (a "
        "hard hat or a person in a zone is there for seconds); each analysed frame a second costs a camera "
        "more: sizing a box, docs/site/cameras.md",
    )
    decode: Literal["auto", "all", "keyframes"] = Field(
        "auto",
        title="Decoding",
        description="rtsp: which frames of the stream are decoded. Decoding every frame of a 25 fps 1080p "
        "stream costs a camera a tenth of a core; keyframes decodes the key frames only, a third of that, "
        "and needs the camera's I-frame interval (GOP) at most 1/fps seconds (one a second at fps 1). auto: "
        "keyframes at fps 1 or less, falling back to all (logged) when the key frames come less often than "
        "fps; all: every frame",
    )
    rtsp_transport: Literal["tcp", "udp"] = Field(
        "tcp",
        title="RTSP transport",
        description="RTP over the RTSP TCP connection (tcp: no lost packets or smeared frames on a 4G "
        "uplink, and a silent camera is noticed by the read timeout) or plain UDP",
    )
    loop: bool = Field(False, title="Loop", description="replay a file or folder forever (demo cameras)")
    hold_frames: int = Field(
        1,
        ge=1,
        le=100,
        title="Hold frames",
        description="images: analyse each picture this many frames in a row, as a fixed camera sees a "
        "still scene (demo feeds); each picture is its own scene, nothing seen in one carries to the next",
    )
    analyse_px: int = Field(
        0,
        ge=0,
        le=7680,
        title="Analysed size",
        description="0 (the default): frames analysed as they come. N: frames longer than N on a side are "
        "scaled down to it once, before the checks, and every check, evidence picture and clip works on the "
        "scaled frame: at 1280 a 1920x1080 stream is analysed as 1280x720, for about the CPU of a 720p camera "
        "(two hard-hat tiles, not six; 16 cameras at 1080p on 2 cores instead of about 12). The cost: on real "
        "site photos the people found are the same and the near heads nearly so, but far heads (under 30 px "
        "at 1080p) are found 11 % less often (docs/site/cameras.md), so it is a choice a site makes for a "
        "camera that watches near work, never the default",
    )
    helmet: bool = Field(True, title="Hard hats", description="run the hard-hat check (安全帽)")
    helmet_frames: int = Field(
        2,
        ge=1,
        title="Hard-hat frames",
        description="consecutive analysed frames with a bare head before the alert",
    )
    helmet_tile_px: int = Field(
        HELMET_TILE_PX,
        ge=0,
        title="Hard-hat tile",
        description="longest side in frame pixels of what the head detector looks at at once: a frame (or "
        "moved region) larger than this is also seen in overlapping tiles, so far-off heads keep their "
        "pixels (a 1280x720 frame: two tiles at 0.8 of its pixels beside the whole frame at 0.45, for "
        "about a third more CPU). 0: the whole frame and its mirror image only (close-up cameras)",
    )
    helmet_model: Literal["default", "far_field", "auto"] = Field(
        "default",
        title="Hard-hat model",
        description="kept so that site files written before round 17 load: every camera runs the vision "
        "section's model (the shipped vision/models/helmet.onnx unless set), since round 17 one card for every "
        "view, close-ups, gates and fixed cameras over the site whose heads are 15-40 px seen from above alike "
        "(training/rounds/round17.md). far_field and auto, which chose between two cards before, run that "
        "same card; check-config says the line can go",
    )
    helmet_auto_s: float = Field(
        180.0,
        ge=1,
        le=86400,
        title="Hard-hat model choice",
        description="kept so that site files written before round 17 load: helmet_model auto watched this "
        "many seconds before choosing a card; with one card nothing reads it, and check-config says the line "
        "can go",
    )
    persons: bool = Field(
        True,
        title="Persons",
        description="run the person network (SSDLite-MobileNetV2; zones also use heads)",
    )
    motion_gate: bool = Field(
        True,
        title="Motion gate",
        description="analyse only where the picture moved (a still scene costs little)",
    )
    still_recheck_s: float = Field(
        10.0, gt=0, title="Still recheck", description="full analysis at least this often on a still scene"
    )
    drawn_on: tuple[int, int] | None = Field(
        None,
        title="Drawn on",
        description="[width, height] of the frame the zones' and edges' pixel coordinates were drawn on; "
        "leave out when they are fractions 0-1 of the frame",
    )
    zones: list[ZoneConfig] = Field(
        default_factory=list,
        title="Danger zones",
        description="areas nobody may enter (vision.zone_intrusion)",
    )
    edges: list[EdgeConfig] = Field(
        default_factory=list,
        title="Edges",
        description="edges whose guard rails must stay in place (vision.edge_missing)",
    )
    edge_reference: Path | None = Field(
        None,
        title="Edge reference",
        description="JPEG taken when the edge protection was accepted (needed with edges)",
    )
    clip_pre_s: float = Field(
        3.0, ge=0, title="Clip before", description="seconds of video kept before an alert's frame"
    )
    clip_post_s: float = Field(
        3.0, ge=0, title="Clip after", description="seconds of video kept after an alert's frame"
    )
    patrol_every_s: float = Field(
        600.0,
        ge=0,
        le=86400,
        title="Patrol picture",
        description="seconds between sends of this camera's latest analysed picture, with its findings, "
        "to each regulator uplink (远程巡查); the first goes as soon as there is one. Pictures travel "
        "behind alerts. 0 turns it off; otherwise at least 1",
    )

    @field_validator("edge_reference")
    @classmethod
    def _reference_exists(cls, v: Path | None) -> Path | None:
        if v is not None and not v.exists():
            raise ValueError(
                f"edge reference image {v} does not exist: take one when the protection is accepted"
            )
        return v

    @field_validator("patrol_every_s")
    @classmethod
    def _patrol_period(cls, v: float) -> float:
        if 0 < v < 1:
            raise ValueError(f"patrol_every_s {v:g} must be 0 (off) or at least 1 second")
        return v

    @field_validator("analyse_px")
    @classmethod
    def _analysed_size(cls, v: int) -> int:
        if 0 < v < MIN_ANALYSE_PX:
            raise ValueError(
                f"analyse_px {v} must be 0 (frames as they come) or at least {MIN_ANALYSE_PX}: smaller frames "
                "leave the hard-hat check too few pixels of a head"
            )
        return v

    @field_validator("helmet_tile_px")
    @classmethod
    def _tile_size(cls, v: int) -> int:
        problem = tile_px_problem(v)
        if problem:
            raise ValueError(f"helmet_tile_px {problem}")
        return v

    @field_validator("drawn_on")
    @classmethod
    def _positive_size(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and min(v) <= 0:
            raise ValueError(f"drawn_on {list(v)} is not a frame size: give [width, height] in pixels")
        return v

    @model_validator(mode="after")
    def _coordinates_fit(self) -> CameraConfig:
        width, height = self.drawn_on or (1, 1)
        shapes = [("zone", z.name, z.polygon) for z in self.zones] + [
            ("edge", e.name, e.polyline) for e in self.edges
        ]
        for what, name, points in shapes:
            outside = [p for p in points if not (0 <= p[0] <= width and 0 <= p[1] <= height)]
            if not outside:
                continue
            if self.drawn_on is None:
                raise ValueError(
                    f"camera {self.name}: {what} {name!r} has point {list(outside[0])} outside 0-1: "
                    f"give the frame size it was drawn on as drawn_on: [WIDTH, HEIGHT], or the points as "
                    f"fractions of the frame"
                )
            raise ValueError(
                f"camera {self.name}: {what} {name!r} has point {list(outside[0])} outside the "
                f"{width}x{height} frame of drawn_on: redraw it, or correct drawn_on"
            )
        return self

    def scaled(self, width: int, height: int) -> CameraConfig:
        """This camera with its zones and edges in pixels of a ``width`` x ``height`` frame."""
        if self.drawn_on is None:
            sx, sy, band = float(width), float(height), 1.0
        else:
            sx, sy = width / self.drawn_on[0], height / self.drawn_on[1]
            band = sy
        return self.model_copy(
            update={
                "zones": [
                    z.model_copy(update={"polygon": [(x * sx, y * sy) for x, y in z.polygon]})
                    for z in self.zones
                ],
                "edges": [
                    e.model_copy(
                        update={
                            "polyline": [(x * sx, y * sy) for x, y in e.polyline],
                            "band_px": max(8, round(e.band_px * band)),
                        }
                    )
                    for e in self.edges
                ],
            }
        )


class VisionConfig(Model):
    """All cameras of a site plus where evidence is kept."""

    cameras: list[CameraConfig] = Field(
        default_factory=list, title="Cameras", description="the site's cameras"
    )
    evidence_dir: Path = Field(
        Path("state/evidence"),
        title="Evidence folder",
        description="where evidence pictures and clips are kept (relative: inside the state directory)",
    )
    evidence_budget_mb: float = Field(
        500.0, gt=0, title="Evidence budget", description="oldest evidence is deleted beyond this"
    )
    patrol_budget_mb: float = Field(
        50.0,
        gt=0,
        title="Patrol budget",
        description="disk the patrol pictures waiting for the regulator may take (shared by the regulator "
        "uplinks); only the newest picture of each camera waits, and beyond this the oldest waiting ones "
        "are dropped",
    )
    clip_budget_mb: float = Field(
        200.0,
        gt=0,
        title="Clip upload budget",
        description="disk the evidence clips waiting for the regulator may take (shared by the regulator "
        "uplinks that send clips); beyond this the oldest waiting clips are dropped (logged, counted in "
        "/api/v1/health's clips)",
    )
    clip_max_mb: float = Field(
        4.0,
        gt=0,
        le=8.0,
        title="Largest clip sent",
        description="a vision alert's clip larger than this stays on the gateway only (logged); the "
        "regulator takes at most 8 MB",
    )
    hang_timeout_s: float = Field(
        30.0,
        gt=0,
        title="Hang timeout",
        description="a worker silent this long is killed and restarted (with all its cameras); so is one "
        "whose camera's reader is stuck this long",
    )
    cameras_per_worker: int = Field(
        0,
        ge=0,
        le=64,
        title="Cameras per worker",
        description="how many cameras share a worker process, which loads OpenCV and the networks once for "
        "them all (~250 MB) and analyses their frames in turn, each camera's newest frame once a round; "
        "each further camera in it adds its stream's decoder and its state, tens of MB. 0 (auto): the "
        "cameras spread evenly over one worker per core of the box (16 cameras on 2 cores: two workers of "
        "8). 1: a process per camera, as before (most memory; a camera's crash restarts only itself)",
    )
    model: Path | None = Field(
        None, title="Model", description="hard-hat ONNX; default: the shipped vision/models/helmet.onnx"
    )
