"""The API's bodies and answers of enforcement on record (regulator/ledger/enforcement_records.py: 行政处罚,
约谈, 通报; regulator/ledger/person_scores.py: 个人记分)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from regulator.answers import Answer

WHEN = Field(ge=0, allow_inf_nan=False, description="when it was issued, Unix seconds")


class NewAction(BaseModel):
    """A penalty, 约谈 or 通报 issued on a project."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="penalty (行政处罚), interview (约谈) or notice (通报)")
    project: str = Field(min_length=1, max_length=100, description="project code")
    happened_at: float = WHEN
    party: str = Field(max_length=200, description="the company, or the person by name (never an ID number)")
    party_kind: str = Field("company", description="company (单位) or person (个人)")
    reason: str = Field("", max_length=2000, description="why: what was found")
    article: str = Field(
        "",
        max_length=500,
        description="a penalty's law and article, e.g. 《建设工程安全生产管理条例》第六十二条",
    )
    case_number: str = Field("", max_length=100, description="a penalty's 案号, unique per issuing authority")
    amount: float = Field(0.0, ge=0, allow_inf_nan=False, description="a penalty's amount, yuan")
    public: bool = Field(False, description="published on the public list (a person by surname only)")
    document: str | None = Field(
        None, description="the decision document, PDF, JPEG or PNG as base64 (at most 10 MiB)"
    )


class ActionRow(Answer):
    """A penalty, 约谈 or 通报 on record."""

    id: int
    kind: str
    kind_name: str = Field(description="行政处罚, 约谈 or 通报")
    project: str
    project_name: str
    authority: str = Field(description="the issuing jurisdiction's path (empty: a user without one)")
    case_number: str | None
    article: str
    party: str
    party_kind: str
    amount: float
    reason: str
    happened_at: float
    happened_text: str = Field(description="when, Beijing time")
    document_type: str | None = Field(description="pdf, jpg or png; None: no document")
    document: str | None = Field(description="where to read the document")
    public: bool
    recorded_by: str
    recorded_at: float


class PublicAction(Answer):
    """A penalty, 约谈 or 通报 as published for anyone."""

    kind: str
    kind_name: str
    project: str
    project_name: str
    case_number: str | None
    article: str
    party: str = Field(description="a company by name, a person by surname only")
    amount: float
    reason: str
    happened_text: str = Field(description="the date, Beijing time")


class NewScore(BaseModel):
    """Points given to a project manager or chief supervising engineer."""

    model_config = ConfigDict(extra="forbid")

    project: str = Field(min_length=1, max_length=100, description="project code")
    person: str = Field(max_length=50, description="the person's name")
    certificate: str = Field(max_length=50, description="their registration or practice certificate number")
    role: str = Field(description="manager (项目经理) or chief_supervisor (总监理工程师)")
    points: float = Field(allow_inf_nan=False, description="the points, more than 0")
    rule_item: str = Field(max_length=500, description="the item of the province's scoring rules applied")
    happened_at: float = WHEN


class ScoreRecord(Answer):
    """One score in a running total."""

    id: int
    project: str
    points: float
    rule_item: str
    at: float


class PersonTotal(Answer):
    """A person's running total over the scoring period."""

    person: str
    certificate: str
    role: str
    role_name: str = Field(description="项目经理 or 总监理工程师")
    total: float
    records: list[ScoreRecord]
