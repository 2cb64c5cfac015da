"""Plan geometry of tower cranes in site coordinates (metres, +x east, angles counter-clockwise)."""

from __future__ import annotations

import math

from contract.config.crane import CraneSpec

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x min, y min, x max, y max


def site_angle_deg(spec: CraneSpec, slew_deg: float) -> float:
    """The jib's direction in site terms (0 = +x, counter-clockwise) from the black box's slew."""
    signed = slew_deg if spec.slew_direction == "ccw" else -slew_deg
    return (spec.slew_offset_deg + signed) % 360.0


def jib_axes(spec: CraneSpec, slew_deg: float) -> tuple[float, float, float, float]:
    """The tower axis (x, y) and the jib's direction (cosine, sine) at one slew: the plan point
    ``d`` metres along the jib is (x + d × cosine, y + d × sine)."""
    a = math.radians(site_angle_deg(spec, slew_deg))
    x0, y0 = spec.position_m
    return x0, y0, math.cos(a), math.sin(a)


def along_jib(spec: CraneSpec, slew_deg: float, distance_m: float) -> Point:
    """The plan point ``distance_m`` from the tower axis along the jib (negative: counter-jib side)."""
    x0, y0, cos, sin = jib_axes(spec, slew_deg)
    return x0 + distance_m * cos, y0 + distance_m * sin


def segment_distance(p: Point, a: Point, b: Point) -> float:
    """Shortest distance from point ``p`` to the segment ``a``–``b``."""
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length2))
    return math.hypot(p[0] - (ax + t * dx), p[1] - (ay + t * dy))


def inside_polygon(p: Point, polygon: list[tuple[float, float]]) -> bool:
    """Even-odd rule: is ``p`` inside ``polygon`` (points on an edge count as inside)?"""
    if polygon_edge_distance(p, polygon) < 1e-9:
        return True
    x, y = p
    inside = False
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def polygon_edge_distance(p: Point, polygon: list[tuple[float, float]]) -> float:
    """Distance from ``p`` to the nearest edge of ``polygon``."""
    n = len(polygon)
    return min(segment_distance(p, polygon[i], polygon[(i + 1) % n]) for i in range(n))


def bounding_box(polygon: list[tuple[float, float]]) -> Box:
    """The smallest upright rectangle holding ``polygon``."""
    xs, ys = [x for x, _ in polygon], [y for _, y in polygon]
    return min(xs), min(ys), max(xs), max(ys)


def near_box(p: Point, box: Box, margin: float) -> bool:
    """Whether ``p`` is inside ``box`` grown by ``margin`` on every side (a point farther out is
    farther than ``margin`` from every edge of a polygon in that box, and not inside it)."""
    return box[0] - margin <= p[0] <= box[2] + margin and box[1] - margin <= p[1] <= box[3] + margin


def segments_distance(a: Point, b: Point, c: Point, d: Point) -> float:
    """Shortest distance in plan between the segments ``a``–``b`` and ``c``–``d`` (0 where they cross).
    Two segments that do not cross are nearest at an end of one of them, so the distance is the least
    of the four end-to-segment distances; crossing is told by the orientation of each segment's ends
    against the other (strictly on both sides, or an end lying on the other segment)."""
    if _cross(a, b, c, d):
        return 0.0
    return min(
        segment_distance(a, c, d),
        segment_distance(b, c, d),
        segment_distance(c, a, b),
        segment_distance(d, a, b),
    )


def _cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether ``a``–``b`` and ``c``–``d`` properly cross (an end on the other segment is found as a
    zero end-to-segment distance instead)."""
    d1, d2 = _orient(c, d, a), _orient(c, d, b)
    d3, d4 = _orient(a, b, c), _orient(a, b, d)
    return ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4))


def _orient(p: Point, q: Point, r: Point) -> float:
    """Twice the signed area of p, q, r: positive when r is left of p→q."""
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
