"""The API's bodies and answers of listed supervision (挂牌督办, regulator/ledger/supervision.py)."""

from __future__ import annotations

from pydantic import BaseModel, Field

KIND = Field(description="rectify (整改通知书) or stop_work (停工整改通知书)")


class NoticeRow(BaseModel):
    """A notice issued under a listing."""

    id: int = Field(description="the notice's id")
    listing_id: int = Field(description="the listing it was issued under")
    hazard_id: int = Field(description="the hazard")
    project: str = Field(description="project code")
    kind: str = KIND
    kind_name: str = Field(description="the document's Chinese name")
    number: str = Field(description="the authority's number, e.g. 南山区住建督〔2026〕3号")
    deadline: float = Field(description="rectification deadline, Unix seconds")
    issued_by: str = Field(description="the regulator who issued it")
    issued_at: float = Field(description="Unix seconds")
    pdf_url: str = Field(description="where the printable PDF is")


class ListingRow(BaseModel):
    """A major hazard's listing at one level."""

    id: int = Field(description="the listing's id")
    hazard_id: int = Field(description="the hazard listed")
    project: str = Field(description="project code")
    project_name: str = Field(description="project name")
    level: str = Field(description="district, city or province")
    level_name: str = Field(description="区县级, 市级 or 省级")
    authority: str = Field(description="the listing authority's place, e.g. 广东省/深圳市/南山区")
    authority_name: str = Field(description="e.g. 南山区住房和城乡建设局")
    deadline: float = Field(
        description="the listing's deadline, Unix seconds (county 30 d, city 60 d by default)"
    )
    state: str = Field(description="listed, escalated (overdue, gone up a level) or closed (销号)")
    state_name: str = Field(description="the state in Chinese")
    overdue: bool = Field(description="open past its deadline")
    listed_by: str = Field(
        description="who listed it (the regulator who confirmed or ordered, or listed by hand)"
    )
    listed_at: float = Field(description="Unix seconds")
    escalated_to: str | None = Field(description="the place above it went to when overdue")
    escalated_at: float | None = Field(description="when it was escalated")
    handled_by: str = Field(description="the place that supervises it now: escalated_to, else authority")
    closed_by: str | None = Field(description="who closed it (销号) after re-inspection")
    closed_at: float | None = Field(description="when")
    hazard_state: str = Field(description="the hazard's state in the closed loop")
    alert_id: str | None = Field(description="the site's alert id (none for a hazard from another channel)")
    rule: str = Field(description="the check's id")
    message: str = Field(description="the site's newest description")
    peak_message: str = Field(description="the site's description at the worst")
    peak_text: str = Field(
        description="the hazard's worst value as the ledger says it, e.g. 59.0 kN（设计值 20 kN 的 295%）"
    )
    peak_ts: float | None = Field(description="Unix seconds of the worst value")
    notices: list[NoticeRow] = Field(description="notices issued under it, oldest first")


class ListingList(BaseModel):
    """The 挂牌督办 view."""

    listings: list[ListingRow] = Field(description="newest first, at most 1,000")
    county_days: float = Field(description="deadline of a county (district) listing, days")
    city_days: float = Field(description="deadline of a city listing, days")


class NewListing(BaseModel):
    """A regulator lists a major hazard by hand."""

    level: str = Field(
        "district", description="district, city or province: at or below the regulator's own level"
    )
    kind: str = Field(
        "rectify", description="the notice issued: rectify (整改通知书) or stop_work (停工整改通知书)"
    )
    deadline_days: float | None = Field(
        None, gt=0, le=365, description="days to rectify (empty: the level's default, county 30, city 60)"
    )


class NewNotice(BaseModel):
    """Another notice under a listing, e.g. a stop-work order."""

    kind: str = Field("stop_work", description="rectify (整改通知书) or stop_work (停工整改通知书)")


class Reinspection(BaseModel):
    """A re-inspection (复查) of a hazard the site reported fixed."""

    passed: bool = Field(description="true: fixed, close it (销号); false: send it back to rectification")
    note: str = Field(min_length=1, max_length=2000, description="what the inspector found (复查意见)")
    photo: str = Field(min_length=1, description="a photo taken at the re-inspection, JPEG as base64")
