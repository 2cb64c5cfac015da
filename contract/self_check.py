"""A company self-check (企业自查) on the wire: what a site's safety officer found, sent by the site's gateway to
the regulator (``POST /api/v1/self-checks``, signed like events, contract/wire.py). The regulator keeps one
hazard per ``check_id``, so the gateway's retries never make a second one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SELF_CHECKS_PATH = "/api/v1/self-checks"
STANDARD = "建质规〔2024〕5号"  # the 2024 major-hazard criteria (standards.md §7)
# photos of one finding: 3 of 3 MB as base64 (12 MB) fit the regulator's default 16 MB body with room to spare
MAX_PHOTOS = 3


class Finding(BaseModel):
    """What was found and the article it breaks: the part of a finding that every channel shares (the
    gateway's dashboard form, the regulator's inspection and self-check bodies)."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(
        min_length=1, max_length=2000, title="Description", description="what was found (隐患描述)"
    )
    standard: str = Field(
        STANDARD,
        max_length=100,
        title="Standard",
        description=f"the standard broken: {STANDARD} (its Art. 4–17: a major hazard) or another, e.g. JGJ 59-2011",
    )
    article: str = Field(
        "", max_length=40, title="Article", description="e.g. 第八条; empty: none cited (general)"
    )
    item: str = Field("", max_length=10, title="Item", description="the article's item, e.g. 四 or （四）")
    deadline_days: float | None = Field(
        None, gt=0, le=365, title="Deadline (days)", description="days to rectify (empty: the default)"
    )


class WithPhotos(Finding):
    """A finding with its photos."""

    photos: list[str] = Field(
        default_factory=list,
        max_length=MAX_PHOTOS,
        title="Photos",
        description=f"JPEG photos as base64 (or data: URLs), at most {MAX_PHOTOS} of 3 MB each",
    )


class SelfCheck(WithPhotos):
    """One finding of the site's own inspection, as the gateway sends it."""

    check_id: str = Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        title="Check id",
        description="the site's id of this finding (a uuid): the same id sent again is the same hazard",
    )
    project: str = Field(title="Project", description="project code")
    found_by: str = Field("", max_length=100, title="Found by", description="the safety officer who found it")


class SelfCheckReceipt(BaseModel):
    """The regulator's answer: the hazard that holds the check, new or already recorded."""

    check_id: str = Field(description="the check's id, as sent")
    hazard_id: int = Field(description="the hazard's id in the regulator's ledger")
    status: Literal["recorded", "duplicate"] = Field(
        description="recorded (new) or duplicate (recorded before: not stored twice)"
    )
