"""The overview's answer (regulator/reports/overview.py), typed for the API's documentation: a place's figures one
level below it, its listed projects, its checks and what the map needs to draw them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from regulator.answers import Answer

Status = Literal["offline", "overdue", "severe", "open", "quiet"]  # overview.STATUSES, worst first


class Figures(Answer):
    """A group's hazard figures: a project's, an area's (city, district) or a check's."""

    open: int = Field(description="open hazards (pending, confirmed, rectifying, reported)")
    open_lt_1d: int = Field(description="open hazards found in the last 24 hours")
    open_1_7d: int = Field(description="open hazards found 1 to 7 days ago")
    open_gt_7d: int = Field(description="open hazards found more than 7 days ago")
    pending: int = Field(description="hazards waiting for review (待审核)")
    overdue: int = Field(
        description="rectifications past their deadline (a listed hazard's: its listing's, 挂牌督办)"
    )
    listed: int = Field(
        description="major hazards in rectification (整改中 or 已报整改), under listed supervision (挂牌督办)"
    )
    open_severe: int = Field(description="open hazards that are major (重大事故隐患) or at critical level")
    closed: int = Field(description="hazards closed after re-inspection (销号)")
    dismissed: int = Field(description="hazards dismissed on review as false alarms")
    confirmed: int = Field(
        description="hazards reviewed and not a false alarm (confirmed, in rectification, closed)"
    )
    false_alarm_rate: float | None = Field(description="dismissed of reviewed; null before any review")
    mean_close_h: float | None = Field(
        description="mean hours from finding to closing; null before any closing"
    )


class AreaRow(Figures):
    """A city's figures (a province's overview) or a district's (a city's)."""

    path: str | None = Field(
        description="the place's path, 省/市 or 省/市/区县, to open it with ?place=; null for projects in no district"
    )
    name: str = Field(description="the place's own name (未定辖区 for projects in no district)")
    projects: int = Field(description="projects in the place")
    offline: int = Field(description="of them, those whose gateway stopped reporting")
    status: Status = Field(description="the worst of its states, what its circle on the map shows")
    lon: float | None = Field(description="where its circle is drawn (null: its city has no known point)")
    lat: float | None = Field(description="where its circle is drawn (null: its city has no known point)")


class ProjectRow(Figures):
    """A project's figures: every project of a district; above it, the listed ones only."""

    code: str = Field(description="the project's code")
    name: str = Field(description="the project's name")
    city: str | None = Field(description="its city as registered")
    district: str | None = Field(description="its district as registered")
    contractor: str | None = Field(description="its general contractor")
    last_seen_at: float | None = Field(description="when its gateway last reported (Unix seconds)")
    gateway_release: str | None = Field(
        description="the sitegw release its gateway's last heartbeat named (null: none said one yet)"
    )
    devices_online: int | None = Field(
        None,
        description="a city's project: its devices reporting, as its city last said (null: not a city's)",
    )
    devices_total: int | None = Field(None, description="a city's project: its devices heard in the last day")
    cameras_online: int | None = Field(
        None, description="a city's project: its cameras with a current picture"
    )
    cameras_total: int | None = Field(None, description="a city's project: its patrol cameras")
    video_set: str | None = Field(
        description="its category in the provincial video-monitoring set, null if not in it"
    )
    video_set_name: str = Field(description="that category's Chinese name, empty if not in the set")
    open_by_rule: dict[str, int] = Field(description="open hazards per check")
    offline: bool = Field(description="its gateway stopped reporting (past offline_after_s)")
    status: Status = Field(description="the worst of its states, what its dot on the map shows")
    lon: float | None = Field(None, description="its dot on the map (district level only; null elsewhere)")
    lat: float | None = Field(None, description="its dot on the map (district level only; null elsewhere)")


class RuleRow(Figures):
    """One check's figures over the place's projects."""

    rule: str = Field(description="the check (rule id, e.g. crane.overload)")


class PlaceStep(Answer):
    """A place on the way back up, or the place shown."""

    path: str = Field(description="its path for ?place= (empty: the user's every project)")
    name: str = Field(description="its own name (全部辖区 for every project)")


class Frame(Answer):
    """The map's bounds in degrees and the latitude its projection is true at."""

    west: float
    east: float
    south: float
    north: float
    lat0: float = Field(description="the latitude whose scale the equirectangular projection keeps")


class ProvinceOutline(Answer):
    """A province's outline, as [lon, lat] pairs (a sketch from its border and coastal cities)."""

    province: str
    outline: list[list[float]]


class MapCity(Answer):
    """A city drawn on the map."""

    city: str
    province: str
    lon: float
    lat: float


class MapFrame(Answer):
    """What the browser needs to draw the map (regulator/places.py)."""

    frame: Frame
    spacing_deg: float = Field(description="the dots' spacing, in degrees of latitude")
    outline_pad_deg: float = Field(description="how far outlines are widened, in degrees of latitude")
    provinces: list[ProvinceOutline]
    cities: list[MapCity]


class Overview(Answer):
    """A place's overview: its figures summed one level below it, per check, and its map."""

    now: float = Field(description="when the figures were taken (Unix seconds)")
    offline_after_s: float = Field(description="silence after which a gateway counts as offline")
    place: PlaceStep = Field(description="the place shown")
    level: Literal["province", "city", "district"] | None = Field(
        description="the place's level; null for every project"
    )
    by: Literal["city", "district", "project"] = Field(description="what the areas are")
    trail: list[PlaceStep] = Field(description="the way back up to the user's own place, top first")
    areas: list[AreaRow] = Field(
        description="the figures per area one level below, most open first (empty at district level: the "
        "projects carry the figures there)"
    )
    projects: list[ProjectRow] = Field(
        description="at district level every project; above it the video-monitored ones first, then the most overdue"
    )
    rules: list[RuleRow] = Field(description="the figures per check with hazards in the place")
    map: MapFrame
