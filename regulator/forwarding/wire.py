"""What a city's platform and a province's say to each other (regulator/forwarding/): a batch of the city's
changed records up, the province's receipt for it, and the province's decisions on the city's records down.
Both requests are signed like a gateway's (contract.wire.signed_headers), with the city's id in place of a
project code and the key the province registered for it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contract.weather import Colour, SignalType

FORWARD_PATH = "/api/v1/forward"
# ``?verdicts=1`` on a batch: the city keeps a refused record aside itself, so the province answers per record
# (BatchReceipt.refused) instead of refusing the whole batch; a province before it ignores the parameter, a
# city before it never sends it and gets the whole batch refused as then. ``&backlog=N``: what the city still
# has queued, for the province's cities page.
VERDICTS = "verdicts"
BACKLOG = "backlog"
DECISIONS_PATH = "/api/v1/forward/decisions"
# ``?hazards=1`` on a poll of decisions: the child takes the hazards its parent recorded itself on the child's
# projects (Decision.made) and makes them its own; a parent before it ignores the parameter, and a child before
# it never asks, so never gets a decision on a hazard it does not hold
HAZARDS = "hazards"
# the parent's warning signals over the child's place (regulator/forwarding/warnings.py); ``?held=ID,ID``: the
# parent's ids of the copies the child holds in force, answered whatever became of them (lifted, shortened)
WARNINGS_PATH = "/api/v1/forward/warnings"
HELD = "held"
MAX_HELD = 200  # copies in force a child names at most (far above the warnings of one place at a time)

# ``liveness``: a project's summary of its gateway, devices and cameras (forwarding/liveness.py), not a ledger row;
# ``warning_site``: a site's receipt and acknowledgement of a warning that came down (forwarding/warnings.py);
# ``camera_picture``: a small version of a video-set project's camera's latest picture (forwarding/pictures.py);
# ``safety_log``, ``attendance_day``: a site's day's log (its compliance) and key people (forwarding/site_logs.py);
# ``dangerous_works``, ``video_set``: a project's 危大 list and its membership of the video-monitoring set, each
# sent whole and as removed when it is gone (forwarding/project_lists.py)
Kind = Literal[
    "project",
    "hazard",
    "action",
    "listing",
    "notice",
    "incident",
    "incident_report",
    "enforcement_action",
    "person_score",
    "enforcement",
    "reinspection",
    "liveness",
    "warning_site",
    "camera_picture",
    "safety_log",
    "attendance_day",
    "dangerous_works",
    "video_set",
]
# the order a first switch-on queues the existing ledger in: what a row points at goes first (a project's
# liveness is queued by the forwarder's sweep, not by a table's trigger)
KINDS: tuple[Kind, ...] = (
    "project",
    "hazard",
    "action",
    "listing",
    "notice",
    "incident",
    "incident_report",
    "enforcement_action",
    "person_score",
    "enforcement",
    "reinspection",
)
Scalar = str | int | float | bool | None  # a column's value as JSON carries it
MAX_BATCH = 500  # records a batch holds at most (the city sends 200)
MAX_COLUMNS = 80  # more than any forwarded table has
MAX_TEXT = 20_000  # characters of one value (a hazard's message, a listing's note)
MAX_REF = 64  # characters of a record's key (a project code, a row id)


class Record(BaseModel):
    """One record of the city's ledger as it is now: its table's row, keyed by the city's id of it."""

    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=1, description="the city's outbox position of its newest change in this batch")
    kind: Kind
    ref: str = Field(min_length=1, max_length=MAX_REF, description="the city's key: a project code, a row id")
    row: dict[str, Scalar] = Field(description="the row's columns but the city's own id and secrets")
    place: str | None = Field(None, max_length=200, description="a project's jurisdiction path at the city")
    upstream_id: str | None = Field(
        None, max_length=MAX_REF, description="the province's id of a row that came down from it"
    )

    @field_validator("row")
    @classmethod
    def bounded(cls, row: dict[str, Scalar]) -> dict[str, Scalar]:
        """A row of at most MAX_COLUMNS short-named columns, each text at most MAX_TEXT characters."""
        if len(row) > MAX_COLUMNS:
            raise ValueError(f"{len(row)} columns: at most {MAX_COLUMNS}")
        for name, value in row.items():
            if not name.isidentifier() or len(name) > 63:
                raise ValueError(f"column {name[:80]!r} is not a column name")
            if isinstance(value, str) and len(value) > MAX_TEXT:
                raise ValueError(f"column {name} holds {len(value)} characters: at most {MAX_TEXT}")
        return row


class Batch(BaseModel):
    """The records a city sends in one request, oldest change first."""

    model_config = ConfigDict(extra="forbid")

    city: str = Field(min_length=1, max_length=64)
    jurisdiction: str = Field(min_length=1, max_length=200, description="the city's place, 广东省/深圳市")
    records: list[Record] = Field(max_length=MAX_BATCH)


Reason = Literal["place", "unknown_project", "schema", "conflict", "not_allowed"]
# each reason in Chinese first, with what the city does about it (the city's forwarding page, its log)
WHAT_TO_DO: dict[Reason, str] = {
    "place": "项目所在地不在本市辖区内：在本市平台重新登记项目的市、区（sitegw regulator add-project --city/--district），"
    "改正后自动重新转报",
    "unknown_project": "所属项目未被省级平台接收（多为该项目被隔离）：先改正该项目，本记录随之重新转报",
    "schema": "记录格式不符合转报约定：升级本市或省级平台后执行 sitegw regulator forwarding release",
    "conflict": "与省级平台已有记录冲突（项目编号在两个平台重复登记，或所指记录未到）：与省级平台核对后执行 "
    "sitegw regulator forwarding release",
    "not_allowed": "记录含省级平台权限内的内容（省级用户、省级挂牌督办）：由省级平台处理，核对后执行 "
    "sitegw regulator forwarding release",
}


class Verdict(BaseModel):
    """One record of a batch the province refused for a reason no retry cures, and why: ``code`` for the
    machine, ``reason`` in the province's words (the field and the fix)."""

    seq: int
    kind: Kind
    ref: str
    code: Reason
    reason: str


class BatchReceipt(BaseModel):
    """The province's answer to a batch: only this, naming the batch, counts as delivered (a proxy's 200
    does not)."""

    city: str
    records: int = Field(description="records in the batch, each kept once or refused")
    last_seq: int = Field(description="the batch's highest seq")
    new: int = Field(description="records the province did not hold before")
    refused: list[Verdict] = Field(default_factory=list, description="records not kept (only to ?verdicts=1)")


class DownRow(BaseModel):
    """A row of the province's ledger that goes down: the province's id, the city's id of it when it is a row
    the city forwarded (None: the province made it), and its columns."""

    id: int
    city_ref: str | None = None
    row: dict[str, Scalar]


class Decision(BaseModel):
    """One decision the province took on a city's hazard (an action of its audit trail: listing it for
    supervision, a notice, a re-inspection, 销号) with what it left: the hazard's state, and its listings and
    their notices as the province holds them."""

    id: int = Field(description="the province's action id, the cursor of the next poll")
    hazard_ref: str = Field(
        description="the city's id of the hazard ('': one the province recorded, ``made``)"
    )
    action: dict[str, Scalar]
    hazard: dict[str, Scalar] = Field(description="the hazard's state, major, deadline and closed_at")
    listings: list[DownRow]
    notices: list[DownRow]
    made: DownRow | None = Field(
        None,
        description="the hazard as the province holds it, when the province recorded it on the city's project "
        "and the city has not sent its copy back yet (only to ?hazards=1): the city makes its copy from it",
    )


class Decisions(BaseModel):
    """The province's answer to a city's poll: its decisions after the cursor, oldest first."""

    decisions: list[Decision]


class DownWarning(BaseModel):
    """One of the parent's warning signals over the child's place, as the parent holds it now (its own or one
    that came down to it from above): the child keeps one copy of it by ``id``."""

    model_config = ConfigDict(allow_inf_nan=False)

    id: int = Field(ge=1, description="the parent's warning id")
    jurisdiction: str = Field(min_length=1, max_length=200, description="the place it is for")
    type: SignalType
    colour: Colour
    measure: str = Field(max_length=2000)
    valid_from: float
    valid_to: float | None
    issued_by: str = Field(max_length=200)
    issued_at: float


class DownWarnings(BaseModel):
    """The parent's answer to a child's poll: its warnings in force or to come over the child's place, and
    those the child named as held, whatever became of them."""

    warnings: list[DownWarning] = Field(max_length=2 * MAX_HELD + 500)
