"""The closed loop's answers (regulator/ledger/review.py), typed for the API's documentation: one hazard in full, an
action taken on it, the audit trail and what a project's gateway hears of it (feedback)."""

from __future__ import annotations

from pydantic import Field

from regulator.answers import Answer
from regulator.ledger.queue_models import HazardRow
from regulator.ledger.supervision_models import NoticeRow
from regulator.ledger.weather_warning_models import FeedbackWarning


class HazardEvent(Answer):
    """One AlertEvent the site sent about the hazard's alert."""

    event_id: str = Field(description="the AlertEvent's event_id")
    state: str = Field(description="the alert's state it reported: firing, updated, acknowledged, resolved")
    level: str = Field(description="its level: warning, alarm or critical")
    ts: float = Field(description="site time of the event, Unix seconds")
    received_at: float = Field(description="when the regulator stored it, Unix seconds")
    backfill: bool = Field(description="sent late, from the gateway's outbox after an outage")
    body: str = Field(description="the AlertEvent as stored, JSON text (its picture replaced by a reference)")


class HazardEvidence(Answer):
    """A picture or clip kept with the hazard."""

    purpose: str = Field(
        description="event (the site's evidence), clip, rectification (the fix), reinspection or finding"
    )
    kind: str = Field(description="stored (in the evidence store, by sha256) or url (kept by the site)")
    sha256: str | None = Field(description="the stored file's hash (/ui/api/evidence/ or /ui/api/clips/)")
    url: str | None = Field(description="where the site keeps it, for kind url")
    created_at: float = Field(description="when it was kept, Unix seconds")


class EvidenceView(Answer):
    """A user of the province (the level above) who opened one of the hazard's pictures or clips here by the
    link the province signed (regulator/forwarding/evidence_links.py)."""

    sha256: str = Field(description="the object opened")
    viewer: str = Field(description="the province's user")
    role: str = Field(description="their role at the province")
    platform: str = Field(description="this platform's id at the province (its --forward-id)")
    address: str = Field(description="the browser's address")
    viewed_at: float = Field(description="Unix seconds")


class HazardReading(Answer):
    """A reading of the hazard's device around its time (15 minutes either side, 2,000 at most)."""

    device: str = Field(description="the site's device id")
    point: str = Field(description="monitoring point, empty for single-point devices")
    metric: str = Field(description="what was measured, e.g. load_pct")
    metric_name: str = Field(description="the same in Chinese")
    ts: float = Field(description="site time, Unix seconds")
    value: float = Field(description="the reading")
    unit: str = Field(description="its unit")


class ActionRecord(Answer):
    """One step of the closed loop as it was recorded: a row of the audit trail."""

    id: int = Field(description="the action's id: the audit trail's and the feedback's cursor (``after``)")
    hazard_id: int | None = Field(description="the hazard it was taken on")
    project: str = Field(description="project code")
    action: str = Field(
        description="confirm, dismiss, order, report, close, reject, reclassify, escalate; listed supervision's "
        "list, notice, escalate_listing; record (a finding entered by an inspector or the site)"
    )
    actor: str = Field(
        description="who took it (gateway:<project> for a site's report, system for escalation)"
    )
    role: str = Field(description="their role: regulator, admin, project, gateway or system")
    from_state: str = Field(description="the hazard's state before")
    to_state: str = Field(description="its state after")
    reason: str = Field(description="why, as the actor wrote it (empty where none is needed)")
    deadline: float | None = Field(description="the rectification deadline it set, Unix seconds")
    ts: float = Field(description="when, Unix seconds")


class AuditRow(ActionRecord):
    """A row of the audit trail with what a reader needs of its hazard."""

    alert_id: str | None = Field(
        description="the site's alert of the hazard (null: another channel's hazard)"
    )
    major: bool = Field(description="the hazard is under listed supervision (挂牌督办) now")


class HazardDetail(HazardRow, Answer):
    """One hazard in full: the queue's row, its events, evidence, the readings around it and its audit trail."""

    events: list[HazardEvent] = Field(description="the site's events, oldest first")
    evidence: list[HazardEvidence] = Field(description="pictures and clips kept with it, oldest first")
    readings: list[HazardReading] = Field(description="its device's readings around it, oldest first")
    actions: list[AuditRow] = Field(description="its audit trail, oldest first")
    views: list[EvidenceView] = Field(
        [], description="its pictures and clips opened from the province's hazard page, oldest first"
    )


class AuditTrail(Answer):
    """The decisions on the hazards the user may see (1,000 at most; page on with ``after``)."""

    actions: list[AuditRow] = Field(description="oldest first")


class FeedbackNotice(NoticeRow, Answer):
    """A supervision notice open on the project, as its gateway hears it."""

    level: str = Field(description="the listing's level: district, city or province")
    level_name: str = Field(description="区县级, 市级 or 省级")
    authority: str = Field(description="the listing authority's place, e.g. 广东省/深圳市/南山区")
    authority_name: str = Field(description="the issuing authority, e.g. 南山区住房和城乡建设局")
    listing_state: str = Field(description="the listing's state: listed or escalated")
    alert_id: str | None = Field(description="the site's alert it is about (null: found by an inspector)")
    hazard_state: str = Field(description="the regulator's state of the hazard: rectifying, reported, ...")
    overdue: bool = Field(description="past its deadline")


class Feedback(Answer):
    """What a project's gateway hears on each poll: decisions, pictures wanted, notices open, warnings."""

    actions: list[AuditRow] = Field(
        description="decisions on the project's hazards after ``after``, oldest first"
    )
    pictures_wanted: list[str] = Field(description="cameras a regulator asked a picture of, not yet sent")
    notices: list[FeedbackNotice] = Field(
        description="the supervision notices of its listings not yet closed"
    )
    warnings: list[FeedbackWarning] = Field(
        description="the authority's warning signals in force or to come for the project's place"
    )
