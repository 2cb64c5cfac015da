"""A company self-check (企业自查) on the wire: what a site's safety officer found, sent by the site's gateway to
the regulator (``POST /api/v1/self-checks``, signed like events, contract/wire.py). The regulator keeps one
hazard per ``check_id``, so the gateway's retries never make a second one."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SELF_CHECKS_PATH = "/api/v1/self-checks"


class SelfCheck(BaseModel):
    """One finding of the site's own inspection, with photos (base64 JPEGs)."""

    model_config = ConfigDict(extra="forbid")

    check_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        title="Check id",
        description="the site's id of this finding (a uuid): the same id sent again is the same hazard",
    )
    project: str = Field(title="Project", description="project code")
    description: str = Field(
        min_length=1, max_length=2000, title="Description", description="what was found (隐患描述)"
    )
    standard: str = Field(
        "建质规〔2024〕5号",
        max_length=100,
        title="Standard",
        description="the standard broken: 建质规〔2024〕5号 (a major hazard) or another, e.g. JGJ 59-2011",
    )
    article: str = Field(
        "", max_length=40, title="Article", description="its article, e.g. 第八条; empty: none"
    )
    item: str = Field("", max_length=10, title="Item", description="the article's item, e.g. 四 or （四）")
    deadline_days: float | None = Field(
        None, gt=0, le=365, title="Deadline (days)", description="the site's own rectification deadline, days"
    )
    found_by: str = Field("", max_length=100, title="Found by", description="the safety officer who found it")
    photos: list[str] = Field(
        default_factory=list, max_length=6, title="Photos", description="JPEG photos as base64, at most 6"
    )


class SelfCheckReceipt(BaseModel):
    """The regulator's answer: the hazard that holds the check, new or already recorded."""

    check_id: str = Field(description="the check's id, as sent")
    hazard_id: int = Field(description="the hazard's id in the regulator's ledger")
    status: str = Field(description="recorded (new) or duplicate (recorded before: not stored twice)")
