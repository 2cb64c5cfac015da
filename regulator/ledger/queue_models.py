"""The review queue's answer, typed for the API's documentation (OpenAPI) and its clients."""

from __future__ import annotations

from pydantic import BaseModel, Field

from regulator.paging import Paged


class HazardRow(BaseModel):
    """One hazard as the queue lists it: where, what, how bad at its worst, and both sides' states."""

    id: int = Field(description="the hazard's id in the ledger")
    project: str = Field(description="project code")
    project_name: str = Field(description="project name")
    city: str = Field(description="the project's city")
    district: str = Field(description="the project's district or county")
    device: str = Field(description="the site's device id")
    point: str = Field(description="monitoring point, empty for single-point devices")
    rule: str = Field(description="the check's id, e.g. crane.load")
    rule_name: str = Field(description="the check's Chinese name, e.g. 塔吊超载")
    clause: str = Field(description="the standard's clause of the worst level reached")
    level: str = Field(description="worst level reached: warning, alarm or critical")
    message: str = Field(description="the site's newest description (at resolution: the value then)")
    value: str = Field(description="the newest value the site sent, as text")
    threshold: float | None = Field(description="the newest limit the value was compared with")
    unit: str = Field(description="unit of values and limits")
    peak_value: float | None = Field(
        description="the worst value of all the hazard's events and of the readings summaries of its series "
        "while it was open, by its direction (a clearance: the smallest); null for a text value"
    )
    peak_threshold: float | None = Field(description="the limit at the peak")
    peak_message: str = Field(
        description="the site's description at the peak, e.g. 起重量 107.7%; empty when the peak is a "
        "reading of the summaries (the site said nothing at it)"
    )
    peak_ts: float | None = Field(description="Unix seconds of the peak")
    peak_text: str = Field(
        description="the peak as the ledger says it, e.g. 59.0 kN（设计值 20 kN 的 295%）; empty without a value"
    )
    site_state: str = Field(
        description="the alert's state on the site: firing, updated, acknowledged, resolved"
    )
    site_state_name: str = Field(description="the same in Chinese, e.g. 现场已解除")
    first_ts: float = Field(description="Unix seconds of the alert's first event")
    last_ts: float = Field(description="Unix seconds of its newest event")
    evidence_event: str | None = Field(description="event id whose evidence picture is kept")
    state: str = Field(description="the regulator's state: pending, confirmed, rectifying, reported, ...")
    major: bool = Field(description="under listed supervision (挂牌督办)")
    deadline: float | None = Field(description="rectification deadline, Unix seconds")
    due: float | None = Field(
        description="the deadline that counts for overdue: under listed supervision (挂牌督办) its open "
        "listings' first, on which it escalates; else the rectification deadline"
    )
    escalated_at: float | None = Field(description="when overdue rectification was escalated")
    closed_at: float | None = Field(description="when closed or dismissed")
    alert_id: str = Field(description="the site's alert id")
    overdue: bool = Field(description="rectifying past ``due``")
    classification: str = Field(description="major (重大事故隐患) or general (一般隐患), 建质规〔2024〕5号")
    classification_name: str = Field(description="the same in Chinese")
    article: str = Field(description="the criteria's article, e.g. 第八条; empty where none applies")
    item: str = Field(description="the article's item, e.g. （四）; empty where none applies or unknown")
    citation: str = Field(description="standard, article and item, e.g. 建质规〔2024〕5号 第八条（四）")
    basis: str = Field(
        description="why: the item's wording, why no article applies, or the inspector's reason"
    )
    classified_by: str = Field(
        description="citation (the clause cites an item of 建质规〔2024〕5号), table (the classification "
        "table) or the inspector who reclassified"
    )
    supervision: str = Field(
        "", description="its listings for supervision (挂牌督办), e.g. 区县级、市级; empty: not listed"
    )
    source: str = Field(description="how it reached the ledger: gateway, inspection, self_check or public")
    source_name: str = Field(description="the same in Chinese: 机器告警, 监督检查, 企业自查 or 群众举报")
    found_by: str | None = Field(
        description="who recorded a finding (inspector, safety officer); null: a gateway"
    )


class HazardPage(Paged):
    """One page of the review queue (``total``: the hazards matching the filters)."""

    hazards: list[HazardRow] = Field(description="this page's hazards, most severe then newest first")


class Names(BaseModel):
    """What the UI shows instead of ids (regulator/names.py)."""

    rules: dict[str, str] = Field(description="rule id -> the check's Chinese name")
    kinds: dict[str, str] = Field(
        description="a rule id's kind (before the dot) -> Chinese, for unknown rules"
    )
    metrics: dict[str, str] = Field(description="readings' metric -> Chinese name")
    site_states: dict[str, str] = Field(description="AlertEvent.state -> the site's state in Chinese")


class WarningCountRow(BaseModel):
    """Warnings of one project and rule that the site resolved within the hold (flood control)."""

    project: str = Field(description="project code")
    project_name: str = Field(description="project name")
    rule: str = Field(description="the check's id")
    rule_name: str = Field(description="the check's Chinese name")
    episodes: int = Field(description="warnings (alerts) resolved within the hold")
    events: int = Field(description="their events (firing, acknowledged, resolved, ...)")
    first_ts: float | None = Field(description="site time of the first counted event, Unix seconds")
    last_ts: float | None = Field(description="site time of the newest counted event, Unix seconds")


class WarningStats(BaseModel):
    """Flood control's statistics: what stayed out of the ledger."""

    hold_s: float = Field(description="a warning open longer than this becomes a hazard, seconds")
    held_now: int = Field(description="warnings held now, neither resolved nor past the hold yet")
    counts: list[WarningCountRow] = Field(description="per project and rule, most episodes first")


class Reclassify(BaseModel):
    """An inspector's classification of one hazard."""

    major: bool = Field(description="true: 重大事故隐患; false: 一般隐患")
    article: str = Field(
        "", description="article of 建质规〔2024〕5号, e.g. 第八条 (needed for a major hazard)"
    )
    item: str = Field("", description="the article's item, e.g. （四）")
    reason: str = Field(description="why (kept in the audit trail)")


class ClassificationEdit(BaseModel):
    """A row of the classification table as a regulator writes it."""

    rule: str = Field(description="rule id (e.g. crane.load), or * for any rule")
    clause_contains: str = Field("", description="text the hazard's clause contains (empty: any clause)")
    major: bool = Field(description="true: 重大事故隐患; false: 一般隐患")
    article: str = Field("", description="article, e.g. 第八条 (needed for a major hazard)")
    item: str = Field("", description="item, e.g. （四）")
    basis: str = Field(description="the item's wording, or why no article applies")


class ClassificationRow(ClassificationEdit):
    """A row of the classification table."""

    id: int = Field(description="the row's id")
    updated_by: str = Field(description="who wrote it last (the seed: docs/standards.md)")
    updated_at: float = Field(description="when, Unix seconds")


class ClassificationTable(BaseModel):
    """The table that classifies gateway alerts."""

    standard: str = Field(description="the criteria: 建质规〔2024〕5号")
    no_article: str = Field(description="what a hazard no row matches is told (general, and why)")
    rows: list[ClassificationRow] = Field(description="by rule and clause text")
