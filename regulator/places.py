"""Where projects sit on the regulator's map: a table of cities with their coordinates, and a layout
that puts every project near its city's point without two dots on one spot.

The schema has no per-project coordinates (a project has only a city and a district), so a project is
drawn around its city's point: the projects of one city go out along a sunflower (Vogel) spiral in
the order of their codes, and a spot closer than ``SPACING_DEG`` to any dot already placed, of this
city or a neighbouring one, is skipped. Codes grow with registration, so a new project lands on the
outside of its city's cluster and the dots a regulator already knows stay put.

Positions are equirectangular: one plane where a degree of longitude is ``cos(lat0)`` of a degree of
latitude, ``lat0`` the middle of the drawn frame. The layout works in that plane so the browser, which
draws with the same projection, shows the spacing the same in every direction.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class City:
    """A prefecture-level city: its name as a project's ``city`` gives it, and its government's seat."""

    name: str
    pinyin: str
    province: str
    lon: float
    lat: float


# Approximate positions of the city governments (degrees, WGS-84 to a few km: a map to scan, not to survey).
# Other provinces' cities go in the same table; the map then draws every province a project is in.
CITIES: tuple[City, ...] = (
    City("广州", "guangzhou", "广东", 113.264, 23.129),
    City("深圳", "shenzhen", "广东", 114.058, 22.543),
    City("珠海", "zhuhai", "广东", 113.577, 22.271),
    City("汕头", "shantou", "广东", 116.682, 23.354),
    City("佛山", "foshan", "广东", 113.122, 23.029),
    City("韶关", "shaoguan", "广东", 113.597, 24.810),
    City("湛江", "zhanjiang", "广东", 110.359, 21.271),
    City("肇庆", "zhaoqing", "广东", 112.465, 23.047),
    City("江门", "jiangmen", "广东", 113.082, 22.579),
    City("茂名", "maoming", "广东", 110.925, 21.663),
    City("惠州", "huizhou", "广东", 114.416, 23.111),
    City("梅州", "meizhou", "广东", 116.122, 24.289),
    City("汕尾", "shanwei", "广东", 115.375, 22.786),
    City("河源", "heyuan", "广东", 114.700, 23.744),
    City("阳江", "yangjiang", "广东", 111.982, 21.858),
    City("清远", "qingyuan", "广东", 113.056, 23.682),
    City("东莞", "dongguan", "广东", 113.752, 23.021),
    City("中山", "zhongshan", "广东", 113.393, 22.517),
    City("潮州", "chaozhou", "广东", 116.622, 23.657),
    City("揭阳", "jieyang", "广东", 116.373, 23.550),
    City("云浮", "yunfu", "广东", 112.044, 22.915),
)
DEFAULT_PROVINCE = "广东"  # drawn when no project has a known city yet
# Each province's shape on the map: a ring of towns along its border and coast, in order, drawn widened
# by OUTLINE_PAD_DEG. A sketch from places we know, not the administrative border (that needs boundary
# data we do not ship); a province added to CITIES needs its ring here (tests/regulator/test_map_places.py).
OUTLINES: dict[str, tuple[tuple[str, float, float], ...]] = {
    "广东": (
        ("怀集", 112.18, 23.91),
        ("连州", 112.38, 24.78),
        ("乐昌", 113.35, 25.13),
        ("南雄", 114.31, 25.12),
        ("和平", 114.94, 24.44),
        ("平远", 115.89, 24.57),
        ("大埔", 116.70, 24.35),
        ("饶平", 117.00, 23.67),
        ("南澳", 117.02, 23.42),
        ("汕头", 116.68, 23.35),
        ("惠来", 116.29, 23.03),
        ("陆丰", 115.64, 22.95),
        ("汕尾", 115.37, 22.79),
        ("深圳", 114.06, 22.54),
        ("珠海", 113.58, 22.27),
        ("台山", 112.79, 22.25),
        ("阳江", 111.98, 21.86),
        ("电白", 111.01, 21.51),
        ("湛江", 110.36, 21.27),
        ("徐闻", 110.17, 20.33),
        ("雷州", 110.08, 20.91),
        ("廉江", 110.28, 21.61),
        ("信宜", 110.95, 22.35),
        ("封开", 111.50, 23.42),
    ),
}
OUTLINE_PAD_DEG = 0.2
_BY_NAME: dict[str, City] = {key: c for c in CITIES for key in (c.name, c.pinyin)}

# About 9 km: ~12 px between two dots when the province is drawn 1,000 px wide, so 500 projects over
# 21 cities stay apart (the Pearl River Delta's clusters push each other outwards instead of piling up).
SPACING_DEG = 0.085
_STEP = 0.55 * SPACING_DEG  # the spiral's candidate spots are denser than the spacing, so few are wasted
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_FRAME_MARGIN_DEG = 0.15


def find_city(name: str) -> City | None:
    """The table's city for a project's ``city`` field: ``深圳``, ``深圳市`` or ``Shenzhen``; None if unknown."""
    key = name.strip()
    if key.endswith("市") and len(key) > 1:
        key = key[:-1]
    return _BY_NAME.get(key) or _BY_NAME.get(key.lower().replace(" ", ""))


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular around latitude ``lat0``: plane x = lon·cos(lat0), y = lat (both in degrees)."""

    lat0: float

    @property
    def kx(self) -> float:
        """How long a degree of longitude is, in degrees of latitude."""
        return math.cos(math.radians(self.lat0))

    def plane(self, lon: float, lat: float) -> tuple[float, float]:
        """A position in the plane."""
        return lon * self.kx, lat

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Back from the plane to longitude and latitude."""
        return x / self.kx, y


class _Occupied:
    """The dots placed so far, bucketed by cells of one spacing so a check looks at nine cells only."""

    def __init__(self, spacing: float) -> None:
        self.spacing = spacing
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        return math.floor(x / self.spacing), math.floor(y / self.spacing)

    def free(self, x: float, y: float) -> bool:
        """No dot within one spacing of (x, y)."""
        cx, cy = self._cell(x, y)
        limit = self.spacing * self.spacing
        return not any(
            (x - px) ** 2 + (y - py) ** 2 < limit
            for i in (cx - 1, cx, cx + 1)
            for j in (cy - 1, cy, cy + 1)
            for px, py in self.cells.get((i, j), ())
        )

    def add(self, x: float, y: float) -> None:
        """Take the spot."""
        self.cells.setdefault(self._cell(x, y), []).append((x, y))


@dataclass(frozen=True, slots=True)
class Layout:
    """Every project's position (None: its city is not in the table) and the frame to draw them in."""

    spots: dict[str, tuple[float, float] | None]
    projection: Projection
    provinces: tuple[str, ...]

    def cities(self) -> list[City]:
        """The cities to label: every city of every drawn province."""
        return [c for c in CITIES if c.province in self.provinces]


def layout(projects: Mapping[str, str]) -> Layout:
    """Place projects (code -> city) around their cities; deterministic for the same projects, so a layout
    is kept for the next request of the same projects (a province's 20,000 take seconds to place; the
    overview and the map ask every minute). The caller must not change what it returns."""
    return _layout(tuple(sorted(projects.items())))


@functools.lru_cache(maxsize=64)  # a few scopes (the province, its cities, busy districts) per process
def _layout(projects: tuple[tuple[str, str], ...]) -> Layout:
    """`layout` of (code, city) pairs in code order."""
    located: dict[City, list[str]] = {}
    spots: dict[str, tuple[float, float] | None] = {}
    for code, city_name in projects:
        city = find_city(city_name)
        if city is None:
            spots[code] = None
        else:
            located.setdefault(city, []).append(code)
    provinces = tuple(sorted({c.province for c in located})) or (DEFAULT_PROVINCE,)
    lats = [c.lat for c in CITIES if c.province in provinces]
    projection = Projection((min(lats) + max(lats)) / 2)
    occupied = _Occupied(SPACING_DEG)
    # the busiest cities first: their clusters stay round and tight, the small ones fit around them
    order = {c: i for i, c in enumerate(CITIES)}
    for city in sorted(located, key=lambda c: (-len(located[c]), order[c])):
        cx, cy = projection.plane(city.lon, city.lat)
        k = 0
        for code in sorted(located[city]):
            while True:
                # a spot refused once stays refused (dots are only ever added), so each city's spiral resumes
                k += 1
                radius, angle = _STEP * math.sqrt(k), k * _GOLDEN_ANGLE
                x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
                if occupied.free(x, y):
                    occupied.add(x, y)
                    spots[code] = projection.lonlat(x, y)
                    break
    return Layout(spots, projection, provinces)


def _r(value: float) -> float:
    return round(value, 5)  # ~1 m: plenty for a map, and the JSON stays short


def map_frame(placed: Layout) -> dict[str, Any]:
    """What the browser needs to draw: the frame (bounds and ``lat0``), each drawn province's outline
    (to be widened by ``outline_pad_deg``), every city of those provinces with its position, and the
    dots' spacing, both in degrees of latitude."""
    shapes = {p: [(lon, lat) for _, lon, lat in OUTLINES[p]] for p in placed.provinces}
    pad_lon = OUTLINE_PAD_DEG / placed.projection.kx
    lons = [lon + side * pad_lon for shape in shapes.values() for lon, _ in shape for side in (-1, 1)]
    lats = [lat + side * OUTLINE_PAD_DEG for shape in shapes.values() for _, lat in shape for side in (-1, 1)]
    for spot in placed.spots.values():
        if spot is not None:
            lons.append(spot[0])
            lats.append(spot[1])
    margin_lon = _FRAME_MARGIN_DEG / placed.projection.kx
    return {
        "frame": {
            "west": _r(min(lons) - margin_lon),
            "east": _r(max(lons) + margin_lon),
            "south": _r(min(lats) - _FRAME_MARGIN_DEG),
            "north": _r(max(lats) + _FRAME_MARGIN_DEG),
            "lat0": _r(placed.projection.lat0),
        },
        "spacing_deg": SPACING_DEG,
        "outline_pad_deg": OUTLINE_PAD_DEG,
        "provinces": [
            {"province": p, "outline": [[_r(lon), _r(lat)] for lon, lat in shape]}
            for p, shape in shapes.items()
        ],
        "cities": [
            {"city": c.name, "province": c.province, "lon": c.lon, "lat": c.lat} for c in placed.cities()
        ],
    }


def position(placed: Layout, code: str) -> dict[str, float | None]:
    """``lon``/``lat`` of one placed project for the overview JSON (both None when its city is unknown)."""
    spot = placed.spots.get(code)
    return {"lon": None, "lat": None} if spot is None else {"lon": _r(spot[0]), "lat": _r(spot[1])}
