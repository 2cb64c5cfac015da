"""The channels' API bodies and answers, typed for the OpenAPI document and its clients."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from contract.self_check import STANDARD, WithPhotos
from regulator.answers import Refused

MEANING = {
    401: "not signed in, or (a gateway) a missing, stale, forged or replayed signature",
    403: "the signed-in user's role may not do this",
    404: "no such project, camera picture or report in the user's jurisdiction",
    409: "the report was already verified or rejected",
    413: "the body or a photo is too large (a photo: at most 3 MB)",
    415: "a photo that is not a JPEG picture",
    422: "the body or a parameter is wrong; the field is named",
    429: "too many reports from this address, or from everyone, in the last hour: try again later",
    503: "the database or the evidence store is out of reach: retry later",
}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented refusals of an operation."""
    return {s: {"model": Refused, "description": MEANING[s]} for s in statuses}


class Override(BaseModel):
    """An inspector's classification against the article, with the reason (kept in the audit trail)."""

    major: bool | None = Field(
        None,
        title="Major",
        description="override: true 重大事故隐患, false 一般隐患; empty: as the article says",
    )
    override_reason: str = Field(
        "",
        max_length=1000,
        title="Override reason",
        description="why, when major differs from the article's answer",
    )


class OnProject(WithPhotos):
    """A finding on one project, with photos."""

    project: str = Field(min_length=1, max_length=100, title="Project", description="project code")


class NewSelfCheck(OnProject):
    """What the project's safety officer found on site (企业自查)."""


class NewInspection(OnProject, Override):
    """An inspector's finding on a project of their jurisdiction (监督检查): on site, or from a camera's picture."""

    camera: str | None = Field(
        None,
        max_length=200,
        title="Camera",
        description="a camera of the patrol wall: its latest picture becomes the hazard's evidence",
    )


class Recorded(BaseModel):
    """The hazard a finding became."""

    hazard_id: int = Field(description="its id in the ledger")
    status: Literal["recorded", "duplicate"] = Field(
        description="recorded now, or the same finding recorded before"
    )


class Article(BaseModel):
    """An article of 建质规〔2024〕5号 that lists major hazards."""

    article: str = Field(description="e.g. 第八条")
    subject: str = Field(description="what it covers, e.g. 建筑起重机械及吊装")
    items: list[str] = Field(
        description="its items, e.g. （一）…（九）; empty where standards.md does not count them"
    )


class Articles(BaseModel):
    """What a finding may cite, and the channels' names."""

    standard: str = Field(description=STANDARD)
    articles: list[Article] = Field(description="Art. 4 to 17: an item of each is a major hazard")
    sources: dict[str, str] = Field(
        description="hazard source -> Chinese name (机器告警, 监督检查, 企业自查, 群众举报)"
    )


class NewPublicReport(BaseModel):
    """A report from the public form (no sign-in); name and contact are optional."""

    district: str = Field(
        min_length=1,
        max_length=200,
        title="District",
        description="the district's path, from /public/api/districts",
    )
    site: str = Field(
        min_length=1, max_length=200, title="Site", description="the site's name or address (工地名称或地址)"
    )
    description: str = Field(
        min_length=1, max_length=2000, title="Description", description="what you saw (隐患描述)"
    )
    photo: str | None = Field(
        None, title="Photo", description="a JPEG photo as base64 or a data: URL, at most 3 MB"
    )
    reporter: str = Field("", max_length=100, title="Name", description="your name; empty: anonymous (匿名)")
    contact: str = Field("", max_length=100, title="Contact", description="phone or e-mail; empty: none")


class PublicReceipt(BaseModel):
    """The form's answer."""

    id: int = Field(description="the report's number, to quote when calling the bureau")
    status: Literal["received"] = Field(description="received: an inspector of the district checks it")
    message: str = Field(description="what happens next, in Chinese")


class Districts(BaseModel):
    """Where a report may be sent."""

    districts: list[str] = Field(description="district paths, e.g. 广东省/深圳市/南山区")


class PublicReport(BaseModel):
    """A public report as the district's inspectors see it."""

    id: int = Field(description="the report's number")
    district: str = Field(description="its district's path")
    site: str = Field(description="the site as the reporter named it")
    description: str = Field(description="what they saw")
    has_photo: bool = Field(description="a photo came with it (GET .../photo)")
    reporter: str = Field(description="their name; empty: anonymous")
    contact: str = Field(description="their phone or e-mail; empty: none")
    received_at: float = Field(description="Unix seconds")
    state: str = Field(description="received, verified or rejected")
    state_name: str = Field(description="待核查, 已查实 or 不予受理")
    decided_by: str | None = Field(description="the inspector who verified or rejected it")
    decided_at: float | None = Field(description="when, Unix seconds")
    reason: str = Field(description="the inspector's note or reason")
    hazard_id: int | None = Field(description="the hazard it became, once verified")


class PublicReports(BaseModel):
    """The reports of the user's districts."""

    reports: list[PublicReport] = Field(description="newest first")


class Verify(OnProject, Override):
    """The inspector verified the report on a project of theirs (群众举报查实)."""

    note: str = Field(
        "", max_length=1000, title="Note", description="what the inspection found (kept in the audit trail)"
    )


class Reject(BaseModel):
    """The report is not taken (不予受理), with the reason."""

    reason: str = Field(
        min_length=1, max_length=1000, title="Reason", description="why (kept with the report)"
    )
