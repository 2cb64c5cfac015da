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
    """Shortest distance in plan between the segments ``a``–``b`` and ``c``–``d`` (0 where they cross):
    the closest points by their clamped parameters along each segment (Ericson, Real-Time Collision
    Detection §5.1.9), written out: it runs for every pair of jibs in one layer at every sample."""
    ax, ay = a
    cx, cy = c
    ux, uy = b[0] - ax, b[1] - ay  # along the first
    vx, vy = d[0] - cx, d[1] - cy  # along the second
    rx, ry = ax - cx, ay - cy
    uu, vv, vr = ux * ux + uy * uy, vx * vx + vy * vy, vx * rx + vy * ry
    if uu == 0.0 and vv == 0.0:
        return math.hypot(rx, ry)  # two points
    if uu == 0.0:
        s, t = 0.0, min(1.0, max(0.0, vr / vv))
    else:
        ur = ux * rx + uy * ry
        if vv == 0.0:
            s, t = min(1.0, max(0.0, -ur / uu)), 0.0
        else:
            uv = ux * vx + uy * vy
            denom = uu * vv - uv * uv  # 0 for parallel segments: any s is as near, take 0
            s = min(1.0, max(0.0, (uv * vr - ur * vv) / denom)) if denom > 0.0 else 0.0
            t = (uv * s + vr) / vv
            if t < 0.0:
                s, t = min(1.0, max(0.0, -ur / uu)), 0.0
            elif t > 1.0:
                s, t = min(1.0, max(0.0, (uv - ur) / uu)), 1.0
    return math.hypot(rx + ux * s - vx * t, ry + uy * s - vy * t)
