"""What a city may say in each kind of forwarded record (issue 56 findings 3, 7, 10): one pydantic model per
kind, every column the province stores with its type, enumeration or bound, checked before anything is
written. A city's platform is a party the province trusts for its own ledger only (docs/security.md, trust
boundaries): what it sends is data, never markup, never the province's decisions.

A column the model does not name is dropped (a newer city may carry columns this province does not have); a
value outside its enumeration (a hazard's ``level``, ``site_state``, ``state``, ``source``, a listing's
``level`` and ``state``, a notice's ``kind``, an incident's ``kind``, a report's ``to_level`` and ``how``) or
its bound is refused with 422 naming ``records.N.row.COLUMN``, never stored to fail a page later.
``level_rank`` is not the city's to say: the province derives it from ``level``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from contract.alert_event import LEVEL_RANK
from contract.config.dangerous_works import DangerousWork
from contract.wire import RELEASE_MAX, RELEASE_PATTERN, PictureFindings
from regulator.forwarding.evidence_links import parse
from regulator.forwarding.project_lists import MAX_WORKS, joined
from regulator.forwarding.wire import MAX_REF, MAX_TEXT, Kind, Reason
from regulator.ingest.receive import Refusal
from regulator.ledger.enforcement import MAX_POINTS

# Text is bounded by the wire's MAX_TEXT, not tighter: the city's own ledger takes a gateway's text without a
# shorter bound (AlertEvent has none), and a bound the city's record cannot meet would hold its outbox for ever
# numbers only finite, for the same reason: the city's ledger keeps a gateway's time and values unbounded
MAX_COUNT = 10_000  # deaths or injuries of one incident, as the city's own form (incident_models.py) takes
MAX_DEVICES = 100_000  # devices or cameras of one project: far above any site


Ts = float  # Unix seconds; finite, as every number here (the models' allow_inf_nan=False)
Number = float
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Code = Annotated[str, Field(min_length=1, max_length=MAX_REF)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]

HazardState = Literal[
    "pending", "confirmed", "rectifying", "reported", "dismissed", "closed"
]  # review.STATES
ActionKind = Literal[
    "record",  # a hazard entered by a channel (inspection, self-check, public)
    "confirm",
    "dismiss",
    "order",
    "report",
    "close",
    "reject",
    "reclassify",
    "escalate",
    "escalate_listing",
    "list",
    "notice",
]
Role = Literal["regulator", "project", "admin", "gateway", "system"]


def _listed(text: str) -> str:
    """A hazard's ``evidence``: a JSON list of its stored objects (evidence_links.parse)."""
    parse(text)
    return text


class _Row(BaseModel):
    """A forwarded row: unknown columns dropped, known ones checked."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class ProjectRow(_Row):
    name: Text
    city: Text = ""
    district: Text = ""
    contractor: Text = ""
    supervisor: Text = ""
    created_at: Ts = 0.0
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    # the release the project's gateway last said, checked as a heartbeat's is (it is shown on the pages)
    gateway_release: str | None = Field(None, max_length=RELEASE_MAX, pattern=RELEASE_PATTERN)


class HazardRow(_Row):
    project: Code
    alert_id: Text
    city: Text = ""
    district: Text = ""
    device: Text = ""
    point: Text = ""
    rule: Text
    clause: Text = ""
    level: Literal["warning", "alarm", "critical"]  # contract.alert_event.LEVELS
    message: Text = ""
    value: Text = ""
    threshold: Number | None = None
    unit: Text = ""
    # names.SITE_STATES; "" for a person's finding (监督检查, 企业自查, 群众举报: channels/ledger.py), no site's alarm
    site_state: Literal["", "firing", "updated", "acknowledged", "resolved"]
    first_ts: Ts
    last_ts: Ts
    evidence_event: Text | None = None
    state: HazardState
    major: bool = False
    deadline: Ts | None = None
    escalated_at: Ts | None = None
    closed_at: Ts | None = None
    updated_at: Ts
    peak_value: Number | None = None
    peak_threshold: Number | None = None
    peak_message: Text = ""
    peak_ts: Ts | None = None
    peak_firing: bool = False
    class_major: bool | None = None
    class_article: Text | None = None
    class_item: Text | None = None
    class_basis: Text | None = None
    class_by: Text | None = None
    source: Literal["gateway", "inspection", "self_check", "public"] = "gateway"  # channels.SOURCES
    found_by: Text | None = None
    peak_dir: int | None = Field(None, ge=-1, le=1)
    peak_metric: Text | None = None
    # the city's stored pictures and clips of it, as a JSON list (evidence_links.py): the bytes stay at the city
    evidence: Annotated[Text, AfterValidator(_listed)] | None = None


class ActionRow(_Row):
    hazard_id: Id | None = None
    project: Code
    action: ActionKind
    actor: Text
    role: Role
    from_state: HazardState | Literal[""]
    to_state: HazardState | Literal[""]
    reason: Text = ""
    deadline: Ts | None = None
    ts: Ts


class ListingRow(_Row):
    hazard_id: Id
    project: Code
    level: Literal["province", "city", "district"]  # storage.jurisdictions.LEVELS
    authority: Text
    deadline: Ts
    state: Literal["listed", "escalated", "closed"]  # supervision.STATES
    listed_by: Text
    listed_at: Ts
    escalated_to: Text | None = None
    escalated_at: Ts | None = None
    closed_by: Text | None = None
    closed_at: Ts | None = None


class NoticeRow(_Row):
    listing_id: Id
    hazard_id: Id
    project: Code
    kind: Literal["rectify", "stop_work"]  # supervision.NOTICE_KINDS
    number: Text
    seq: int = Field(ge=1, le=1_000_000)
    deadline: Ts
    issued_by: Text
    issued_at: Ts


class IncidentRow(_Row):
    project: Code
    kind: Literal["accident", "near_miss"]  # incidents.KINDS
    occurred_at: Ts
    deaths: int = Field(0, ge=0, le=MAX_COUNT)
    injuries: int = Field(0, ge=0, le=MAX_COUNT)
    description: Text = ""
    recorded_by: Text
    recorded_at: Ts
    investigation_done_at: Ts | None = None
    investigation_done_by: Text | None = None
    penalty_done_at: Ts | None = None
    penalty_done_by: Text | None = None
    closed_at: Ts | None = None
    closed_by: Text | None = None


class IncidentReportRow(_Row):
    incident_id: Id
    # incidents.DESTINATIONS: an unknown one would fail every page that lists the incident's clocks
    to_level: Literal["county", "city", "province", "provincial_system", "national_platform"]
    reported_by: Text
    reported_at: Ts
    note: Text = ""
    recorded_by: Text
    recorded_at: Ts
    how: Literal["manual", "forwarded", "export"] = "manual"  # incidents.HOWS
    late_s: Number | None = None


class LivenessRow(_Row):
    """A project's liveness as its city last summed it up (forwarding/liveness.py)."""

    at: Ts  # when the city summed it up: a summary older than the one kept changes nothing
    last_seen_at: Ts | None = None
    devices_online: int = Field(0, ge=0, le=MAX_DEVICES)
    devices_total: int = Field(0, ge=0, le=MAX_DEVICES)
    cameras_online: int = Field(0, ge=0, le=MAX_DEVICES)
    cameras_total: int = Field(0, ge=0, le=MAX_DEVICES)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    gateway_release: str | None = Field(None, max_length=RELEASE_MAX, pattern=RELEASE_PATTERN)


class WarningSiteRow(_Row):
    """A site's receipt and acknowledgement of a warning that came down (forwarding/warnings.py)."""

    warning_id: Id  # the parent's warning
    project: Code
    received_at: Ts
    acked_at: Ts | None = None
    acked_by: Text = ""


class EnforcementActionRow(_Row):
    """A 行政处罚, 约谈 or 通报. Its decision document stays in the city's evidence store: the province keeps
    its hash (which proves the city's copy) and answers 404 for the file."""

    kind: Literal["penalty", "interview", "notice"]  # enforcement_records.KINDS
    project: Code
    authority: Text
    case_number: Text | None = None
    article: Text = ""
    party: Text
    party_kind: Literal["company", "person"]  # enforcement_records.PARTY_KINDS
    amount: Number = Field(0.0, ge=0)
    reason: Text = ""
    happened_at: Ts
    public: bool = False
    document_sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")] | None = None
    document_type: Literal["pdf", "jpg", "png"] | None = None
    recorded_by: Text
    recorded_at: Ts


class PersonScoreRow(_Row):
    project: Code
    person: Text
    certificate: Text
    role: Literal["manager", "chief_supervisor"]  # person_scores.ROLES
    points: Number = Field(gt=0)
    rule_item: Text
    happened_at: Ts
    recorded_by: Text
    recorded_at: Ts


class EnforcementRow(_Row):
    """A supervision station's record that grading counts (regulator/ledger/enforcement.py): a deduction
    (动态扣分), a stop-work order (责令停工) with its lifting (复工) when it comes, an inspection, a monthly
    report. The province grades, publishes and exports the city's projects with them as with its own."""

    project: Code
    kind: Literal["deduction", "stop_work", "inspection", "report"]  # enforcement.KINDS
    company: Text = ""
    points: Number = Field(0.0, ge=0, le=MAX_POINTS)
    happened_at: Ts
    lifted_at: Ts | None = None
    note: Text = ""
    recorded_by: Text
    recorded_at: Ts


class ReinspectionRow(_Row):
    """A city inspector's re-inspection of a hazard's fix (复查): grading counts it as an inspector on the
    site that month. Its photo stays in the city's evidence store; the province keeps the hash."""

    hazard_id: Id
    project: Code
    inspector: Text
    jurisdiction: Text | None = None  # the inspector's place then (trust.py: under the city's)
    passed: bool
    note: Text = ""
    photo_sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
    ts: Ts


def _findings(text: str) -> str:
    """Findings the wall can show: contract.wire.PictureFindings as JSON."""
    return PictureFindings.model_validate_json(text).model_dump_json()


class CameraPictureRow(_Row):
    """A small version of a video-set project's camera's latest picture (forwarding/pictures.py)."""

    project: Code
    camera: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", max_length=64)]  # as CameraPicture's
    taken_at: Ts
    every_s: Number = Field(gt=0)
    findings: Annotated[Text, AfterValidator(_findings)]
    jpeg: Text  # base64, within the wire's bound: a tile's picture, the full one stays at the city


Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]  # a site's calendar day (Beijing), as kept


class SafetyLogRow(_Row):
    """A site's daily safety log's compliance (forwarding/site_logs.py): who signed it, when, when the city
    got it. The log's text stays at the city."""

    project: Code
    day: Day
    signed_by: Text
    signed_at: Ts
    received_at: Ts


class PersonRow(BaseModel):
    """One key person's day (contract.safety_log.PersonDay; ``person`` '' for a day without key people)."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    person: Text
    name: Text
    role: Text
    first_in: Ts | None = None
    last_out: Ts | None = None
    minutes: int = Field(0, ge=0, le=1440)


def _people(text: str) -> str:
    """A day's people as JSON: a list of PersonRow, at least one (the city keeps a day as one row or more)."""
    people = [PersonRow.model_validate(p).model_dump() for p in json.loads(text)]
    if not people:
        raise ValueError("a day holds one person at least (person '' for a day without key people)")
    return json.dumps(people, ensure_ascii=False)


class AttendanceDayRow(_Row):
    """A site's key people's attendance of one day, whole (forwarding/site_logs.py)."""

    project: Code
    day: Day
    people: Annotated[Text, AfterValidator(_people)]
    received_at: Ts


class DangerousWorksRow(_Row):
    """A project's 危大工程清单 as its site last sent it, or ``items`` null: the city holds none any more
    (forwarding/project_lists.py). Its parts (``items``, ``items_1``...) are joined before it is read."""

    project: Code
    items: list[DangerousWork] | None = Field(None, max_length=MAX_WORKS)
    received_at: Ts | None = None

    @model_validator(mode="before")
    @classmethod
    def _joined(cls, row: Any) -> Any:
        return joined(row) if isinstance(row, dict) else row

    @field_validator("items", mode="before")
    @classmethod
    def _parsed(cls, items: Any) -> Any:
        """The list is JSON text on the wire (a row holds scalars only)."""
        return json.loads(items) if isinstance(items, str) else items


class VideoSetRow(_Row):
    """A project's membership of the video-monitoring set: its category and the decision, or ``category``
    null with the decision that took it out (forwarding/project_lists.py)."""

    project: Code
    # regulator/ledger/video_set.py CATEGORIES
    category: Literal["public_building", "rail_transit", "municipal_tunnel", "other"] | None
    reason: Text = ""
    effective_on: Annotated[str, Field(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = ""
    decided_by: Text = ""
    decided_at: Ts | None = None


MODELS: dict[Kind, type[_Row]] = {
    "project": ProjectRow,
    "hazard": HazardRow,
    "action": ActionRow,
    "listing": ListingRow,
    "notice": NoticeRow,
    "incident": IncidentRow,
    "incident_report": IncidentReportRow,
    "liveness": LivenessRow,
    "warning_site": WarningSiteRow,
    "enforcement_action": EnforcementActionRow,
    "person_score": PersonScoreRow,
    "enforcement": EnforcementRow,
    "reinspection": ReinspectionRow,
    "camera_picture": CameraPictureRow,
    "safety_log": SafetyLogRow,
    "attendance_day": AttendanceDayRow,
    "dangerous_works": DangerousWorksRow,
    "video_set": VideoSetRow,
}
# the columns of each kind that name a person or office acting: none of them may be one of the province's users
ACTORS: dict[Kind, tuple[str, ...]] = {
    kind: tuple(
        name
        for name in model.model_fields
        if (name.endswith("_by") and name != "reported_by") or name in ("actor", "inspector")
    )
    for kind, model in MODELS.items()
}


def refused(status: int, field: str, problem: str, where: str, code: Reason = "not_allowed") -> Refusal:
    """A refusal of one record, naming the field (``records.N.row.COLUMN``), why, and the reason's ``code``
    (a city that asks for verdicts sets the record aside with it)."""
    return Refusal(
        status,
        f"{where}: {field} {problem}; nothing of the batch kept",
        errors=[{"field": field, "problem": problem}],
        code=code,
    )


def checked(kind: Kind, row: dict[str, Any], at: str, where: str) -> dict[str, Any]:
    """The row's columns the province keeps (those of ``kind``'s model, defaults filled in), checked;
    Refusal(422) naming each wrong column as ``{at}.COLUMN``. A hazard's ``level_rank`` is derived from its
    ``level``, whatever the city said."""
    try:
        model = MODELS[kind].model_validate(row)
    except ValidationError as exc:
        errors = [
            {"field": ".".join((at, *(str(p) for p in e["loc"]))), "problem": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        raise Refusal(
            422,
            f"{where}: {', '.join(e['field'] for e in errors)} not as the forwarding contract allows: "
            "the city's record is refused, nothing of the batch kept",
            errors=errors,
            code="schema",
        ) from None
    kept = model.model_dump()
    if isinstance(model, HazardRow):
        kept["level_rank"] = LEVEL_RANK[model.level]
    return kept
