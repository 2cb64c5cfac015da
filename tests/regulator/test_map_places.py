"""Where the regulator's map puts cities and projects (regulator/places.py): Guangdong's 21 cities where
they are, every project near its own city and never on another's spot, unknown cities listed unplaced."""

from __future__ import annotations

import math
from itertools import combinations

from regulator.places import (
    CITIES,
    OUTLINE_PAD_DEG,
    OUTLINES,
    SPACING_DEG,
    Layout,
    find_city,
    layout,
    map_frame,
)

GUANGDONG = (
    "广州",
    "深圳",
    "珠海",
    "汕头",
    "佛山",
    "韶关",
    "湛江",
    "肇庆",
    "江门",
    "茂名",
    "惠州",
    "梅州",
    "汕尾",
    "河源",
    "阳江",
    "清远",
    "东莞",
    "中山",
    "潮州",
    "揭阳",
    "云浮",
)


def in_guangdong(lon: float, lat: float) -> bool:
    return 109.6 <= lon <= 117.3 and 20.2 <= lat <= 25.6


def apart(placed: Layout, a: str, b: str) -> float:
    """Distance of two projects' dots in degrees of latitude, as the map draws them."""
    (lon1, lat1), (lon2, lat2) = placed.spots[a], placed.spots[b]  # type: ignore[misc]
    return math.hypot((lon1 - lon2) * placed.projection.kx, lat1 - lat2)


def test_every_guangdong_city_is_in_the_table_inside_the_province() -> None:
    for name in GUANGDONG:
        city = find_city(name)
        assert city is not None, name
        assert city.province == "广东" and in_guangdong(city.lon, city.lat), city
    assert len({(c.lon, c.lat) for c in CITIES}) == len(CITIES)  # no two cities share a point
    # a few known relations, so a swapped lon/lat or a city put in another's place shows
    assert find_city("韶关").lat > find_city("广州").lat > find_city("深圳").lat > find_city("湛江").lat  # type: ignore[union-attr]
    assert find_city("湛江").lon < find_city("广州").lon < find_city("汕头").lon  # type: ignore[union-attr]


def test_a_city_is_found_as_users_write_it() -> None:
    assert find_city("深圳市") == find_city(" 深圳 ") == find_city("Shenzhen") == find_city("深圳")
    for unknown in ("", "市", "深川", "Shenzen", "长沙"):
        assert find_city(unknown) is None, unknown


def test_every_province_has_an_outline_around_its_cities() -> None:
    for province in {c.province for c in CITIES}:
        ring = [(lon, lat) for _, lon, lat in OUTLINES[province]]
        for city in (c for c in CITIES if c.province == province):
            assert inside(city.lon, city.lat, ring) or near_ring(city.lon, city.lat, ring), city


def inside(lon: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule."""
    hit = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def near_ring(lon: float, lat: float, ring: list[tuple[float, float]]) -> bool:
    """Within the drawn widening of a town of the ring (a coastal city is one of its corners)."""
    return any(math.hypot(lon - x, lat - y) <= OUTLINE_PAD_DEG for x, y in ring)


def test_projects_sit_around_their_city_and_an_unknown_city_is_unplaced() -> None:
    placed = layout(
        {
            "GD-SZ-0001": "深圳",
            "GD-SZ-0002": "深圳市",
            "GD-GZ-0001": "广州",
            "GD-XX-0001": "火星",
            "GD-XX-0002": "",
        }
    )
    assert placed.spots["GD-XX-0001"] is None and placed.spots["GD-XX-0002"] is None
    assert placed.spots["GD-SZ-0001"] != placed.spots["GD-SZ-0002"]
    assert apart(placed, "GD-SZ-0001", "GD-SZ-0002") >= SPACING_DEG
    for code, name in (("GD-SZ-0001", "深圳"), ("GD-SZ-0002", "深圳"), ("GD-GZ-0001", "广州")):
        lon, lat = placed.spots[code]  # type: ignore[misc]
        city = find_city(name)
        assert math.hypot(lon - city.lon, lat - city.lat) < 2 * SPACING_DEG, code  # type: ignore[union-attr]
    frame = map_frame(placed)
    assert [c["city"] for c in frame["cities"]] == [c.name for c in CITIES]
    assert frame["frame"]["west"] < 110.2 and frame["frame"]["east"] > 117.0


def test_five_hundred_projects_over_21_cities_keep_apart_near_their_cities() -> None:
    projects = {f"GD-{i:04d}": GUANGDONG[i % 21] for i in range(500)}
    placed = layout(projects)
    codes = list(projects)
    closest = min(apart(placed, a, b) for a, b in combinations(codes, 2))
    assert closest >= SPACING_DEG * 0.999
    for code, spot in placed.spots.items():
        assert spot is not None and in_guangdong(*spot), code
        city = find_city(projects[code])
        assert math.hypot(spot[0] - city.lon, spot[1] - city.lat) < 1.0, code  # type: ignore[union-attr]
    # deterministic, whatever order the database returned the projects in
    assert layout(dict(reversed(projects.items()))).spots == placed.spots


def test_a_new_project_leaves_the_others_where_they_were() -> None:
    before = layout({f"GD-SZ-{i:04d}": "深圳" for i in range(20)})
    after = layout({f"GD-SZ-{i:04d}": "深圳" for i in range(21)})
    assert all(after.spots[code] == spot for code, spot in before.spots.items())
