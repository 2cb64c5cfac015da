"""Inspection plans', coverage's and draws' requests and answers (this package), typed for the API's
documentation."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from regulator.answers import BodyId
from regulator.ledger.enforcement_models import PublicAction

Title = Field(min_length=1, max_length=200, title="计划名称", description="e.g. 2026年第一轮全覆盖排查")
Day = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="yyyy-MM-dd, Beijing time")


class PlanIn(BaseModel):
    """A round (全覆盖, with its deadline) or a monthly theme (一月一主题)."""

    kind: str = Field(pattern="^(round|theme)$", description="round: 全覆盖排查; theme: 一月一主题")
    title: str = Title
    theme: str | None = Field(
        None, description="a theme plan's theme: heights, cranes, confined, flood, fire"
    )
    place: str = Field("", max_length=200, description="省/市/区县 the plan covers (empty: the user's own)")
    starts: str | None = Field(
        None, description="yyyy-MM-dd (empty: today); a theme plan: its month's first day"
    )
    due: str = Field(description="the deadline, yyyy-MM-dd: every project inspected by its end")
    projects: list[str] = Field(
        default_factory=list, max_length=10_000, description="the projects (empty: all of the place)"
    )


class ChecklistItem(BaseModel):
    """One line of a theme's checklist and the article it checks."""

    text: str
    article: str = Field(description="e.g. 建质规〔2024〕5号 第十一条（二）, JGJ 80-2016 第3.0.8条")


class PlanOut(BaseModel):
    """A plan as the user sees it."""

    id: int
    kind: str
    kind_name: str
    title: str
    theme: str | None
    theme_name: str | None
    checklist: list[ChecklistItem]
    place: str = Field(description="the jurisdiction's path ('' : everywhere)")
    starts_at: float
    due_at: float = Field(description="Unix seconds: the end of the deadline's day")
    created_by: str
    created_at: float
    incident_id: int | None = Field(description="a 举一反三 sweep's accident")
    work: str | None = Field(description="a 举一反三 sweep's kind of work, e.g. platform")
    projects: int = Field(description="its projects the user sees")


class RecordIn(BaseModel):
    """An inspection of one of the plan's projects."""

    project: str = Field(min_length=1, description="the project's code")
    note: str = Field("", max_length=4_000, description="what was found")


class RecordOut(BaseModel):
    """An inspection record: who inspected which project when, for which plan."""

    id: int
    plan_id: int | None
    project: str
    inspector: str
    inspected_at: float
    note: str


class Target(BaseModel):
    """One of the plan's projects and its state."""

    project: str
    name: str
    district: str
    state: str = Field(description="overdue, due or done")
    state_name: str = Field(description="逾期未查, 待查 or 已查")
    inspected_at: float | None = Field(description="the first inspection of the plan (null: none)")
    inspected_by: str | None
    inspectors: list[str] = Field(description="the inspectors assigned (a draw's)")


class Counts(BaseModel):
    """done / due / overdue of some of the plan's projects."""

    done: int
    due: int
    overdue: int
    total: int


class DistrictCounts(Counts):
    """A district's counts."""

    district: str


class InspectorCounts(Counts):
    """An inspector's counts (assigned, else who inspected, else 未分派)."""

    inspector: str


class KeyRiskProject(BaseModel):
    """A key-risk project (the grading's) and its monthly inspection duty."""

    project: str
    name: str
    district: str
    facts: list[str]
    inspections: int = Field(description="inspections this month")
    state: str = Field(description="done or due")
    state_name: str


class KeyRiskDuty(BaseModel):
    """Differentiated supervision: key-risk projects inspected at least monthly."""

    month: str
    per_month: float
    due: int
    projects: list[KeyRiskProject]


class CoverageOut(BaseModel):
    """A plan's coverage, the unseen first, per district and per inspector, and the key-risk duty."""

    plan: PlanOut
    as_of: float
    totals: Counts
    share: float = Field(description="done / total (1 when the user sees none)")
    projects: list[Target]
    districts: list[DistrictCounts]
    inspectors: list[InspectorCounts]
    key_risk: KeyRiskDuty


class MembersIn(BaseModel):
    """Members added to a pool."""

    kind: str = Field(pattern="^(inspector|project)$")
    members: list[str] = Field(min_length=1, max_length=10_000, description="user names or project codes")


class PoolOut(BaseModel):
    """A pool's inspectors and (those the user sees) projects."""

    pool: str
    inspectors: list[str]
    projects: list[str]


class RecusalIn(BaseModel):
    """An inspector kept off a project (a past role on it) or off a company's projects."""

    inspector: str = Field(min_length=1)
    project: str | None = None
    company: str | None = None
    reason: str = Field(min_length=1, max_length=500, description="e.g. 曾任该项目监理")


class RecusalOut(BaseModel):
    """A recusal as recorded."""

    id: int
    inspector: str
    project: str | None
    company: str | None
    reason: str


class DrawIn(BaseModel):
    """A 双随机 draw: from which pools, how many projects and inspectors for each, and by when."""

    title: str = Title
    inspector_pool: str = Field(min_length=1)
    project_pool: str = Field(min_length=1)
    projects: int = Field(ge=1, le=10_000, description="projects to draw")
    per_project: int = Field(2, ge=1, le=10, description="inspectors drawn for each")
    due: str = Field(description="the checks' deadline, yyyy-MM-dd")


class Drawn(BaseModel):
    """A project drawn and its inspectors."""

    project: str
    name: str
    district: str
    inspectors: list[str]


class DrawPools(BaseModel):
    """The pools as drawn from: [name, place], [code, company, district], [inspector, project, company]."""

    inspectors: list[list[str]]
    projects: list[list[str]]
    recusals: list[list[str | None]]


class DrawOut(BaseModel):
    """A draw's audit record: who drew, when, from which pools, with which seed."""

    id: int
    plan_id: int
    title: str
    place: str
    due_at: float
    inspector_pool: str
    project_pool: str
    seed: str = Field(description="the seed drawn from: the same pools and seed give the same draw")
    projects: int
    per_project: int
    drawn_by: str
    drawn_at: float
    published_at: float | None = Field(description="null: not on the public page")


class DrawDetail(DrawOut):
    """A draw with its pools, result, and whether drawing again from them gives it."""

    pools: DrawPools | None = Field(description="null for a user below the draw's place")
    result: list[Drawn]
    reproduced: bool = Field(description="drawing again from the recorded pools and seed gives this result")


class PublicDraw(BaseModel):
    """A published draw as the public page shows it."""

    id: int
    title: str
    place: str
    drawn_at: float
    published_at: float
    seed: str
    result: list[Drawn]


Key = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{8,64}$", description="the phone's key for it (a UUID): sent twice, kept once"
    ),
]
PHOTO_KEYS = "the keys of its photos (each sent before it), at most 3"


class Where(BaseModel):
    """Where the phone was (WGS-84), when it said."""

    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, le=100_000, description="the phone's estimate, metres")


class PhotoIn(Where):
    """A photo taken on site, sent before the inspection that cites it."""

    jpeg: str = Field(description="the JPEG as base64 (or a data: URL), at most 3 MB")
    taken_at: float = Field(description="Unix seconds, the phone's clock")


class PhotoOut(Where):
    """A photo as kept: its hash in the evidence store, when and where it was taken."""

    client_key: str
    sha256: str
    size: int
    taken_at: float
    duplicate: bool = Field(description="kept already under this key: nothing was stored again")


class ResultIn(BaseModel):
    """A checklist item's result."""

    position: int = Field(ge=0, le=99, description="the item's place in the plan's checklist, from 0")
    result: str = Field(
        pattern="^(pass|fail|na)$", description="pass 符合, fail 不符合 (a hazard), na 不涉及"
    )
    note: str = Field("", max_length=2_000, description="what was seen (a failed item: the hazard's words)")
    photos: list[Key] = Field(default_factory=list, max_length=3, description=PHOTO_KEYS)


class ExtraIn(BaseModel):
    """A finding beyond the checklist: a hazard with the article it breaks."""

    description: str = Field(min_length=1, max_length=2_000)
    article: str = Field(
        "",
        max_length=200,
        description="e.g. 建质规〔2024〕5号 第八条（四） or JGJ 59-2011 第3.2.3条 (empty: none)",
    )
    photos: list[Key] = Field(default_factory=list, max_length=3, description=PHOTO_KEYS)


class VisitIn(Where):
    """A 四不两直 inspection as the phone sends it."""

    project: str = Field(min_length=1, max_length=100)
    inspected_at: float = Field(description="Unix seconds, the phone's clock when the inspector finished")
    note: str = Field("", max_length=4_000)
    results: list[ResultIn] = Field(
        default_factory=list, max_length=100, description="every checklist item's"
    )
    findings: list[ExtraIn] = Field(default_factory=list, max_length=20)
    photos: list[Key] = Field(default_factory=list, max_length=10, description="of the inspection as a whole")


class LineOut(BaseModel):
    """A line of an inspection: a checklist item (or a finding beyond it), its result, a failed one's hazard."""

    position: int
    text: str
    article: str
    result: str
    result_name: str
    note: str
    hazard_id: int | None


class InspectionPhoto(BaseModel):
    """A photo of an inspection: its hash, when and where it was taken, the line it shows (null: the whole)."""

    sha256: str
    size: int
    taken_at: float
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    position: int | None


class InspectionOut(BaseModel):
    """An inspection sent from a phone, with its lines, photos and hazards."""

    id: int
    key: str | None
    plan_id: int | None
    project: str
    name: str
    inspector: str
    inspected_at: float
    received_at: float | None
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    note: str
    lines: list[LineOut]
    photos: list[InspectionPhoto]
    hazards: list[int] = Field(description="the hazards its failed lines became")


class SentOut(InspectionOut):
    """The inspection as kept, and whether it was already."""

    duplicate: bool = Field(description="kept already under this key: nothing was recorded again")


class FieldPlan(PlanOut):
    """A plan the phone keeps for inspecting offline: its checklist and its projects."""

    targets: list[Target]


class CaseIn(BaseModel):
    """A hazard or an accident the bureau exposes as a typical case, in the words it wrote for the public."""

    kind: str = Field(pattern="^(hazard|incident)$", description="hazard 隐患, incident 事故")
    id: BodyId = Field(description="the hazard's or the accident's id")
    title: str = Field(min_length=1, max_length=200, description="e.g. 某项目塔吊安全装置失效被责令停工整改")
    text: str = Field(
        min_length=1, max_length=4_000, description="redacted: no person's ID number or phone (refused)"
    )


class PublicCase(BaseModel):
    """A typical case as the public page shows it."""

    id: int
    kind: str
    kind_name: str
    title: str
    text: str
    district: str
    published_at: float
    published_text: str


class PublishedCompany(BaseModel):
    """A company on the published list: its stopped sites over its sites under construction."""

    name: str
    projects: int
    stopped: int
    ratio: float


class PublicPage(BaseModel):
    """Everything the bureau marked public, for anyone."""

    as_of: float
    month: str
    publish_ratio: float = Field(description="a company is listed at this stopped-sites ratio or more")
    companies: list[PublishedCompany]
    cases: list[PublicCase]
    draws: list[PublicDraw]
    enforcement: list[PublicAction] = Field(description="as /public/api/enforcement gives them")


class SweepIn(BaseModel):
    """A 举一反三 sweep after an accident: the kind of work it reaches and by when."""

    incident: BodyId = Field(description="the accident's (or serious near miss's) id")
    work: str = Field(
        description="platform 吊篮, crane 塔吊, hoist 施工升降机, confined 有限空间, pit 深基坑"
    )
    due: str = Field(description="the sweep's deadline, yyyy-MM-dd")
    projects: list[str] = Field(
        default_factory=list, max_length=10_000, description="projects to add to those found doing the work"
    )
