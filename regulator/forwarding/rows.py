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

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from contract.alert_event import LEVEL_RANK
from regulator.forwarding.wire import MAX_REF, MAX_TEXT, Kind
from regulator.ingest.receive import Refusal

MAX_NAME = 128  # a user's or an office's name (``*_by``, ``actor``)
MAX_PLACE = 200  # a jurisdiction's path, 广东省/深圳市/南山区
MAX_SHORT = 200  # an id, a rule, a device, a number
MAX_TS = 1e11  # Unix seconds: year 5138, beyond any real record
MAX_COUNT = 100_000  # deaths or injuries of one incident


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("must be a finite number")
    return x


Ts = Annotated[float, Field(ge=0, le=MAX_TS), AfterValidator(_finite)]
Number = Annotated[float, Field(ge=-1e15, le=1e15), AfterValidator(_finite)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Code = Annotated[str, Field(min_length=1, max_length=MAX_REF)]
Short = Annotated[str, Field(max_length=MAX_SHORT)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Name = Annotated[str, Field(max_length=MAX_NAME)]
Place = Annotated[str, Field(max_length=MAX_PLACE)]

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


class _Row(BaseModel):
    """A forwarded row: unknown columns dropped, known ones checked."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class ProjectRow(_Row):
    name: Short
    city: Short = ""
    district: Short = ""
    contractor: Short = ""
    supervisor: Short = ""
    created_at: Ts = 0.0
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class HazardRow(_Row):
    project: Code
    alert_id: Short
    city: Short = ""
    district: Short = ""
    device: Short = ""
    point: Short = ""
    rule: Short
    clause: Text = ""
    level: Literal["warning", "alarm", "critical"]  # contract.alert_event.LEVELS
    message: Text = ""
    value: Short = ""
    threshold: Number | None = None
    unit: Annotated[str, Field(max_length=32)] = ""
    site_state: Literal["firing", "updated", "acknowledged", "resolved"]  # names.SITE_STATES
    first_ts: Ts
    last_ts: Ts
    evidence_event: Short | None = None
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
    class_by: Name | None = None
    source: Literal["gateway", "inspection", "self_check", "public"] = "gateway"  # channels.SOURCES
    found_by: Name | None = None
    peak_dir: int | None = Field(None, ge=-1, le=1)
    peak_metric: Short | None = None


class ActionRow(_Row):
    hazard_id: Id | None = None
    project: Code
    action: ActionKind
    actor: Name
    role: Role
    from_state: HazardState | Literal[""]
    to_state: HazardState | Literal[""]
    reason: Text = ""
    deadline: Ts | None = None
    ts: Ts


class ListingRow(_Row):
    hazard_id: Id
    project: Code
    level: Literal["province", "city", "district"]  # access.jurisdictions.LEVELS
    authority: Place
    deadline: Ts
    state: Literal["listed", "escalated", "closed"]  # supervision.STATES
    listed_by: Name
    listed_at: Ts
    escalated_to: Place | None = None
    escalated_at: Ts | None = None
    closed_by: Name | None = None
    closed_at: Ts | None = None


class NoticeRow(_Row):
    listing_id: Id
    hazard_id: Id
    project: Code
    kind: Literal["rectify", "stop_work"]  # supervision.NOTICE_KINDS
    number: Short
    seq: int = Field(ge=1, le=1_000_000)
    deadline: Ts
    issued_by: Name
    issued_at: Ts


class IncidentRow(_Row):
    project: Code
    kind: Literal["accident", "near_miss"]  # incidents.KINDS
    occurred_at: Ts
    deaths: int = Field(0, ge=0, le=MAX_COUNT)
    injuries: int = Field(0, ge=0, le=MAX_COUNT)
    description: Text = ""
    recorded_by: Name
    recorded_at: Ts
    investigation_done_at: Ts | None = None
    investigation_done_by: Name | None = None
    penalty_done_at: Ts | None = None
    penalty_done_by: Name | None = None
    closed_at: Ts | None = None
    closed_by: Name | None = None


class IncidentReportRow(_Row):
    incident_id: Id
    # incidents.DESTINATIONS: an unknown one would fail every page that lists the incident's clocks
    to_level: Literal["county", "city", "province", "provincial_system", "national_platform"]
    reported_by: Name
    reported_at: Ts
    note: Text = ""
    recorded_by: Name
    recorded_at: Ts
    how: Literal["manual", "forwarded", "export"] = "manual"  # incidents.HOWS
    late_s: Number | None = None


MODELS: dict[Kind, type[_Row]] = {
    "project": ProjectRow,
    "hazard": HazardRow,
    "action": ActionRow,
    "listing": ListingRow,
    "notice": NoticeRow,
    "incident": IncidentRow,
    "incident_report": IncidentReportRow,
}
# the columns of each kind that name a person or office acting: none of them may be one of the province's users
ACTORS: dict[Kind, tuple[str, ...]] = {
    kind: tuple(
        name
        for name in model.model_fields
        if (name.endswith("_by") and name != "reported_by") or name == "actor"
    )
    for kind, model in MODELS.items()
}


def refused(status: int, field: str, problem: str, where: str) -> Refusal:
    """A refusal of one record, naming the field (``records.N.row.COLUMN``) and why."""
    return Refusal(
        status,
        f"{where}: {field} {problem}; nothing of the batch kept",
        errors=[{"field": field, "problem": problem}],
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
        ) from None
    kept = model.model_dump()
    if isinstance(model, HazardRow):
        kept["level_rank"] = LEVEL_RANK[model.level]
    return kept
