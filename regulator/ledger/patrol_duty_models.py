"""Patrol records' requests and answers (regulator/ledger/patrol_duty.py), typed for the API's documentation."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SightingIn(BaseModel):
    """A project looked at during the patrol, and what was found on its picture."""

    project: str = Field(min_length=1, title="项目编号", description="the project's code")
    camera: str = Field(
        "", max_length=200, title="摄像头", description="the camera whose picture was looked at"
    )
    finding: str = Field(
        "", max_length=2_000, title="发现", description="what was found (empty: nothing wrong seen)"
    )
    hazard_id: int | None = Field(
        None, title="隐患", description="the hazard recorded from the picture (a hazard of this project)"
    )


class FinishIn(BaseModel):
    """A patrol's end."""

    note: str = Field("", max_length=4_000, title="巡查小结", description="the patrol's summary")


class SightingOut(BaseModel):
    """A sighting as kept."""

    id: int
    patrol_id: int
    project: str
    name: str = Field(description="the project's name")
    camera: str
    seen_at: float = Field(description="Unix seconds")
    finding: str
    hazard_id: int | None


class PatrolOut(BaseModel):
    """A patrol: who, when, how many projects looked at and findings made (of those the user may see)."""

    id: int
    patrolled_by: str
    started_at: float
    ended_at: float | None = Field(description="null: under way")
    note: str
    projects: int = Field(description="projects looked at")
    findings: int = Field(description="sightings with a finding or a hazard")
    sightings: list[SightingOut] = Field(default_factory=list, description="in the order recorded")


class Covered(BaseModel):
    """A project of the video-monitoring set, with its latest sighting in the period."""

    project: str
    name: str
    city: str
    district: str
    category: str
    category_name: str
    last_seen_at: float | None = Field(description="null: not seen in the period")
    last_seen_by: str | None
    sightings: int = Field(description="times seen in the period")


class Coverage(BaseModel):
    """How much of the video-monitoring set was patrolled in the period, and which projects were not."""

    days: float | None = Field(None, description="the period's length (the duty: each project once per it)")
    since: float
    until: float
    total: int = Field(description="projects of the set the user may see")
    seen: int = Field(description="of those, seen at least once")
    share: float = Field(description="seen / total (1 with an empty set)")
    patrols: int = Field(description="patrols that saw any of them")
    unseen: list[Covered] = Field(description="not seen: the next patrol's list")
    covered: list[Covered]
