"""The video-monitoring set's requests and answers (regulator/ledger/video_set.py), typed for the API's documentation."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Inclusion(BaseModel):
    """A project to put in the set (纳入), or whose category changes."""

    project: str = Field(min_length=1, title="项目编号", description="the project's code")
    category: str = Field(
        title="类别",
        description="public_building (政府投资大型公共建筑), rail_transit (轨道交通), "
        "municipal_tunnel (市政隧道) or other (其他)",
    )
    reason: str = Field(
        min_length=1, max_length=2_000, title="纳入原因", description="why (kept in the history)"
    )
    effective_on: str = Field(
        "", title="日期", description="the decision's day, yyyy-MM-dd, Beijing time (empty: today)"
    )


class Removal(BaseModel):
    """A project to take out of the set (移出)."""

    reason: str = Field(
        min_length=1, max_length=2_000, title="移出原因", description="why (kept in the history)"
    )
    effective_on: str = Field(
        "", title="日期", description="the decision's day, yyyy-MM-dd, Beijing time (empty: today)"
    )


class Decided(BaseModel):
    """What a decision on a project in the set says: its category, why, from when, who."""

    project: str = Field(description="project code")
    name: str = Field(description="project name")
    category: str = Field(description="the category's key (a removal: the category it had)")
    category_name: str = Field(description="the category in Chinese, e.g. 轨道交通")
    reason: str = Field(description="why")
    effective_on: str = Field(description="the decision's day, yyyy-MM-dd")
    decided_by: str = Field(description="the regulator who decided")
    decided_at: float = Field(description="when it was recorded, Unix seconds")


class Member(Decided):
    """A project in the set now, as its inclusion (or its last change of category) placed it."""

    city: str = Field(description="the project's city")
    district: str = Field(description="the project's district or county")


class Change(Decided):
    """One inclusion, change of category or removal, as kept."""

    id: int = Field(description="the change's id, in the order they were recorded")
    action: str = Field(description="include, change or remove")
    action_name: str = Field(description="纳入, 变更类别 or 移出")


class VideoSet(BaseModel):
    """The set as the user may see it: its projects now and its history."""

    categories: dict[str, str] = Field(description="category key -> Chinese name")
    members: list[Member] = Field(description="the set's projects now, by category then code")
    changes: list[Change] = Field(description="every inclusion, change and removal, oldest first")
