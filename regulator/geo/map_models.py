"""The map's answers (regulator/routes/map_page.py), typed for the API's documentation."""

from __future__ import annotations

from pydantic import BaseModel, Field

from regulator.answers import Answer


class RegionProperties(BaseModel):
    """What a boundary is."""

    name: str = Field(description="its name, e.g. 南山区")
    path: str = Field(description="its jurisdiction path, 省/市/区县")
    level: str = Field(description="province, city or district")
    role: str = Field(description="place: the place opened; part: one of its subdivisions")
    label: list[float] = Field(description="[lon, lat] where its name goes: its largest part's centroid")


class Geometry(BaseModel):
    """A GeoJSON MultiPolygon, longitude then latitude (高德's coordinates, GCJ-02)."""

    type: str = Field(description="MultiPolygon")
    coordinates: list[list[list[list[float]]]] = Field(description="polygons of rings of [lon, lat]")


class Region(BaseModel):
    """A GeoJSON Feature: one administrative boundary, simplified."""

    type: str = Field(description="Feature")
    properties: RegionProperties
    geometry: Geometry


class Boundaries(BaseModel):
    """A GeoJSON FeatureCollection: the place opened and its subdivisions."""

    type: str = Field(description="FeatureCollection")
    features: list[Region]
    missing: list[str] = Field(
        description="places the boundary data does not have (drawn without an outline)"
    )


class PointHazard(BaseModel):
    """One open hazard of a project on the map."""

    id: int = Field(description="the hazard's id (its page: the review queue's detail)")
    rule: str = Field(description="the check, e.g. crane.load")
    level: str = Field(description="warning, alarm or critical")
    message: str = Field(description="the alert's message")
    state: str = Field(description="its review state")
    major: bool = Field(description="classified a major hazard")


class Point(BaseModel):
    """A project on the map."""

    code: str = Field(description="project code")
    name: str = Field(description="project name")
    district: str = Field(description="its district or county")
    lat: float | None = Field(description="latitude, WGS-84 degrees (null: not known yet)")
    lon: float | None = Field(description="longitude, WGS-84 degrees (null: not known yet)")
    place: str | None = Field(description="its district's path (null: in no place)")
    last_seen_at: float | None = Field(
        description="when its gateway was last heard, here or (forwarded) at its city, Unix seconds; null: never"
    )
    offline: bool = Field(description="its gateway not heard within the regulator's offline time (离线)")
    open: int = Field(description="open hazards")
    worst: str = Field(description="the worst open hazard's level: critical, alarm, warning or none")
    hazards: list[PointHazard] = Field(description="the worst open hazards, up to 20")


class MapView(Answer):
    """A jurisdiction's map: its boundaries and its projects."""

    place: str | None = Field(description="the place drawn, 省/市/区县 (null: several provinces)")
    boundaries: Boundaries
    points: list[Point] = Field(description="every project of the place, by code")
    cameras: dict[str, list[str]] = Field(description="each project's patrol cameras, by project code")


class Located(Answer):
    """A project's coordinates as set."""

    code: str = Field(description="project code")
    lat: float = Field(description="latitude")
    lon: float = Field(description="longitude")
