"""crane.collision: clearances between tower cranes (GB 5144-2006 §10.5), now and predicted.

Every pair of cranes that could come close is judged on each structure that can meet (standards.md §11):

- ``mast``: a crane's slewing structure (counter-jib end to jib tip) against the tower of a crane
  as high or higher, 2 m apart in plan. The mast section's orientation is not known, so the tower is
  taken as the circle through its corners (half-width × √2);
- ``jib``: two jibs in one layer (:meth:`CraneSpec.shares_layer`: heights closer than the minimum
  clearance plus the higher crane's trolley and hook block depth), each slewing structure against the other, in plan; and the other's
  slewing structure against this crane's own tower (``own_mast``);
- ``hook``: a higher crane's hook within ``hook_plan_m`` in plan of this crane's jib must be 2 m above
  it (a negative clearance: its rope crosses the jib, the load hangs in its way);
- ``top``: a higher crane's counter-jib and counterweight (or its jib, trolley and hook block) passing
  over this crane's top must be 2 m above it.

A pair is judged on both sides when its jibs share a layer (both drivers act), else on the lower
crane's. The worst clearance now, or predicted at the cranes' current slew, trolley and hoist speeds
over their braking time, decides the level: the three distances of anti-collision devices, 预警
(warning), 减速 (alarm, the standard's 2 m) and 制动 (critical).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from functools import partial
from math import radians
from typing import Final, NamedTuple

from contract.alert_event import LEVEL_RANK, Level
from contract.config.crane import CraneSpec
from contract.config.site import SiteConfig
from kinds.crane.thresholds import CraneCollisionRule
from rules.geometry import Point, segment_distance, segments_distance
from rules.levels import LevelMemory, banded_level, clear_from, threshold_of
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE: Final = "crane.collision"
CLEARANCE = (
    "GB 5144-2006 第10.5条 低位塔机臂架端部与另一塔机塔身水平距离不小于 2 m，"
    "高位塔机最低位置部件与低位塔机最高位置部件垂直距离不小于 2 m"
)
TREND = "JGJ 332-2014 第3.1.1条 危险趋势应自动处置；按当前速度在制动时间内预测净距" + PRACTICE_ZH
CLAUSES = {
    "warning": f"{CLEARANCE}；安全距离加预警余量{PRACTICE_ZH}；{TREND}",
    "alarm": f"{CLEARANCE}；群塔未保持安全距离属 建质规〔2024〕5号 第八条(八) {MAJOR_ZH}；{TREND}",
    "critical": f"{CLEARANCE}；净距低于制动距离{PRACTICE_ZH}，属 建质规〔2024〕5号 第八条(八) {MAJOR_ZH}；{TREND}",
}
ACTIONS = {
    "warning": "减速慢转，司机与信号工联系，确认两机安全距离",
    "alarm": "减速并停止向对方回转、变幅，司机与信号工联系，确认两机安全距离后再作业",
    "critical": "立即制动，停止回转、变幅和起升，司机与信号工及对方塔吊司机联系，确认安全后再作业",
}
ACTIONS_EN = {
    "warning": "slow down, driver and banksman keep in touch, confirm the clearance between the two cranes",
    "alarm": "slow down and stop slewing or trolleying towards the other crane, confirm the clearance",
    "critical": "brake now: stop slewing, trolleying and hoisting; talk to the banksman and the other driver",
}
MODES_ZH = {
    "mast": "臂架与对方塔身水平净距",
    "own_mast": "对方臂架与本机塔身水平净距",
    "jib": "同层臂架间水平净距",
    "hook": "对方吊钩(钢丝绳)与本机臂架垂直净距",
    "top": "对方平衡臂/配重或小车吊钩与本机塔顶垂直净距",
}
MODES_EN = {
    "mast": "jib to the other's tower",
    "own_mast": "the other's jib to this tower",
    "jib": "jib to jib in one layer",
    "hook": "the other's hook and rope above this jib",
    "top": "the other's counter-jib, counterweight or trolley above this top",
}
VERTICAL = frozenset({"hook", "top"})  # the clearances measured in height; the others in plan
# the prediction looks at instants between which no structure moves more than this
PREDICT_STEP_M: Final = 2.0
PREDICT_STEPS: Final = 10  # and at most this many: a fast slew is looked at more coarsely


class Frame:
    """The plan geometry of one crane's spec that its views and predicted poses are worked out from, read
    from the spec once: a field of the pydantic spec costs several times a plain attribute to read, and
    each sample of a crane made a view from five of them, each step of a prediction a pose from four."""

    __slots__ = ("braking_s", "ccw", "offset_deg", "swing_m", "tail_m", "tip_m", "x0", "y0")

    def __init__(self, spec: CraneSpec) -> None:
        self.ccw = spec.slew_direction == "ccw"
        self.offset_deg = spec.slew_offset_deg
        self.x0, self.y0 = spec.position_m
        # the counter-jib end and the jib tip, along the jib from the axis
        self.tail_m, self.tip_m = -spec.counter_jib_m, spec.jib_m
        self.braking_s = spec.braking_time_s
        self.swing_m = max(spec.jib_m, spec.counter_jib_m)  # the farthest structure from the axis


class CraneView:
    """What the collision check needs of one crane: its spec, latest kinematics and speeds, and the
    plan geometry they give, worked out once per view (each view meets every other crane's). Not to
    be changed once made: the engine makes a new view at each of the crane's samples. A plain class
    with slots: a frozen dataclass cost more to make than the whole check of a pair."""

    __slots__ = (
        "angle",
        "device",
        "frame",
        "height_m",
        "height_ms",
        "hook",
        "jib",
        "name",
        "pose",
        "radius_m",
        "radius_ms",
        "slew_deg",
        "slew_deg_s",
        "spec",
        "stale_s",
        "travel",
        "ts",
        "turn",
    )

    def __init__(
        self,
        device: str,
        name: str,
        spec: CraneSpec,
        slew_deg: float | None,
        radius_m: float | None,
        height_m: float | None,
        ts: float = -math.inf,
        speeds: tuple[float, float, float] = (0.0, 0.0, 0.0),
        stale_s: float = math.inf,
        travel: float | None = None,
        frame: Frame | None = None,
    ) -> None:
        self.device, self.name, self.spec = device, name, spec
        # ``frame``: Frame(spec), which the judge keeps for each crane rather than make one per sample
        self.frame = frame = Frame(spec) if frame is None else frame
        self.slew_deg, self.radius_m, self.height_m = slew_deg, radius_m, height_m
        self.ts, self.stale_s = ts, stale_s  # its sample's time; how long that stays current
        self.slew_deg_s, self.radius_ms, self.height_ms = speeds
        self.jib: tuple[Point, Point] | None = None  # counter-jib end and jib tip; None without a slew
        self.hook: Point | None = None  # None without slew and radius
        ccw = frame.ccw
        self.turn = 1.0 if ccw else -1.0  # the site angle's sense of the slew
        self.angle: float | None = None  # the jib's site angle, radians
        if slew_deg is not None:
            # along_jib at the three distances, the angle's cosine and sine worked out once, and
            # jib_axes's site angle written out (two calls cost a fifth of the view)
            angle = radians((frame.offset_deg + (slew_deg if ccw else -slew_deg)) % 360.0)
            self.angle = angle
            x0, y0 = frame.x0, frame.y0
            cos, sin = math.cos(angle), math.sin(angle)
            tail, tip = frame.tail_m, frame.tip_m
            self.jib = ((x0 + tail * cos, y0 + tail * sin), (x0 + tip * cos, y0 + tip * sin))
            if radius_m is not None:
                self.hook = (x0 + radius_m * cos, y0 + radius_m * sin)
        self.pose: Pose = (self.jib, self.hook, height_m)
        # the farthest any of its structures (hook height included) moves within its braking time at
        # its current speeds (:func:`travel_m`; the judge's Motion gives it, worked out with the speeds)
        self.travel = travel_m(frame, speeds) if travel is None else travel

    def moving(self) -> bool:
        """Whether any of its speeds is not 0 (a prediction would move it)."""
        return self.travel > 0

    def stale(self, now: float) -> bool:
        """Whether its latest sample is too old (or it has none) to clear an alert with."""
        return self.ts < now - self.stale_s


def travel_m(frame: Frame, speeds: tuple[float, float, float]) -> float:
    """The farthest any structure of the crane of ``frame`` (hook height included) moves within its
    braking time at ``speeds`` (slew °/s, trolley and hoist m/s): a clearance now larger than a pair's
    travel cannot be predicted lower."""
    slew, trolley, hoist = speeds
    return (abs(radians(slew)) * frame.swing_m + abs(trolley) + abs(hoist)) * frame.braking_s


EDGE_MARGIN_M: Final = 0.001  # pairs within a millimetre of the edge of reach are checked, not skipped


class Clearance(NamedTuple):
    """One clearance of a crane against another crane."""

    metres: float
    mode: str  # mast, own_mast, jib, hook or top (MODES_ZH)
    other: str


def mast_radius(spec: CraneSpec) -> float:
    """The circle through the mast's corners (its orientation is not known)."""
    return spec.tower_half_width_m * math.sqrt(2)


def clearances(me: CraneView, other: CraneView, cfg: CraneCollisionRule) -> list[Clearance]:
    """Every clearance of ``me`` against ``other`` that applies (module docstring); none without a
    slew of ``me``."""
    if me.jib is None:
        return []
    a, b = me.jib
    spec, ospec, device = me.spec, other.spec, other.device
    layer = spec.shares_layer(ospec, cfg.min_clearance_m)
    higher = ospec.jib_height_m >= spec.jib_height_m
    out = []
    if higher or layer:
        out.append(Clearance(segment_distance(ospec.position_m, a, b) - mast_radius(ospec), "mast", device))
    if layer and other.jib is not None:
        c, d = other.jib
        out.append(Clearance(segments_distance(a, b, c, d), "jib", device))
        out.append(Clearance(segment_distance(spec.position_m, c, d) - mast_radius(spec), "own_mast", device))
    hook = other.hook
    if (
        higher
        and hook is not None
        and other.height_m is not None
        and segment_distance(hook, a, b) <= cfg.hook_plan_m
    ):
        out.append(Clearance(other.height_m - spec.jib_height_m, "hook", device))
    if ospec.jib_height_m > spec.jib_height_m and other.jib is not None:
        top = _over_top(spec, other, cfg.hook_plan_m)
        if top is not None:
            out.append(Clearance(top, "top", device))
    return out


def _over_top(spec: CraneSpec, higher: CraneView, plan_m: float) -> float | None:
    """The vertical clearance of ``higher``'s slewing structure over the top of the crane of
    ``spec`` where it passes within the mast's circle and ``plan_m`` of it in plan (None elsewhere):
    the counterweight hangs below the counter-jib, the trolley and hook block below the jib."""
    assert higher.jib is not None
    (ax, ay), (bx, by) = higher.jib
    px, py = spec.position_m
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    if math.hypot(px - (ax + t * dx), py - (ay + t * dy)) > mast_radius(spec) + plan_m:
        return None
    hspec = higher.spec
    axis_t = hspec.counter_jib_m / (hspec.counter_jib_m + hspec.jib_m)  # where the tower axis lies
    depth = hspec.counterweight_depth_m if t < axis_t else hspec.trolley_depth_m
    return hspec.jib_height_m - depth - spec.top_m


Pose = tuple[tuple[Point, Point] | None, Point | None, float | None]
"""A crane's slewing structure (counter-jib end, jib tip), hook in plan and hook height at one instant."""
MODES = ("mast", "own_mast", "jib", "hook", "top")


class _Pair:
    """What measuring one crane against another needs that does not move, worked out once per pair:
    :meth:`worst` is :func:`clearances`'s smallest, the segment arithmetic written out (it runs at
    every sample of both cranes and at every instant of a prediction)."""

    __slots__ = (
        "above",
        "axis_t",
        "half",
        "higher",
        "hook_plan",
        "jib_height",
        "layer",
        "mast",
        "other",
        "other_at",
        "other_half",
        "own_at",
        "own_mast",
        "top_jib",
        "top_plan",
        "top_tail",
    )

    def __init__(self, me: CraneSpec, other: CraneSpec, device: str, cfg: CraneCollisionRule) -> None:
        self.other = device
        self.layer = me.shares_layer(other, cfg.min_clearance_m)
        self.higher = other.jib_height_m >= me.jib_height_m
        self.above = other.jib_height_m > me.jib_height_m
        self.other_at, self.mast = other.position_m, mast_radius(other)
        self.own_at, self.own_mast = me.position_m, mast_radius(me)
        self.hook_plan, self.jib_height = cfg.hook_plan_m, me.jib_height_m
        self.half, self.other_half = (
            (me.jib_m + me.counter_jib_m) / 2,
            (other.jib_m + other.counter_jib_m) / 2,
        )
        self.top_plan = mast_radius(me) + cfg.hook_plan_m
        self.axis_t = other.counter_jib_m / (other.counter_jib_m + other.jib_m)
        self.top_tail = other.jib_height_m - other.counterweight_depth_m - me.top_m
        self.top_jib = other.jib_height_m - other.trolley_depth_m - me.top_m

    def worst(
        self, jib: tuple[Point, Point], other: Pose, floor: float = math.inf
    ) -> tuple[float, str] | None:
        """The smallest clearance of a crane whose structure is at ``jib`` against the other at
        ``other``, and its mode (the first of equal ones in :func:`clearances`'s order). The jib
        against jib and own-tower clearances are not measured where a bound shows them at or above
        ``floor`` (the structures' midpoints apart less their half-lengths): then the smallest is
        exact only if it is below ``floor``."""
        (ax, ay), (bx, by) = jib
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        metres, mode = math.inf, ""
        if self.higher or self.layer:  # segment_distance written out: the one clearance of every pair
            px, py = self.other_at
            t = 0.0 if length2 == 0 else ((px - ax) * dx + (py - ay) * dy) / length2
            t = t if 0.0 < t < 1.0 else (0.0 if t <= 0.0 else 1.0)
            metres, mode = math.hypot(px - (ax + t * dx), py - (ay + t * dy)) - self.mast, "mast"
        ojib, hook, height = other
        if self.layer and ojib is not None:
            c, d = ojib
            mx, my = (c[0] + d[0]) / 2, (c[1] + d[1]) / 2  # the other's midpoint
            apart = math.hypot((ax + bx) / 2 - mx, (ay + by) / 2 - my)
            if apart - self.half - self.other_half < floor:
                jibs = segments_distance((ax, ay), (bx, by), c, d)
                if jibs < metres:
                    metres, mode = jibs, "jib"
            px, py = self.own_at
            if math.hypot(px - mx, py - my) - self.other_half - self.own_mast < floor:
                own = segment_distance(self.own_at, c, d) - self.own_mast
                if own < metres:
                    metres, mode = own, "own_mast"
        if self.higher and hook is not None and height is not None:
            px, py = hook  # segment_distance written out, as below
            t = 0.0 if length2 == 0 else ((px - ax) * dx + (py - ay) * dy) / length2
            t = t if 0.0 < t < 1.0 else (0.0 if t <= 0.0 else 1.0)
            vertical = height - self.jib_height
            if vertical < metres and math.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= self.hook_plan:
                metres, mode = vertical, "hook"
        if self.above and ojib is not None:
            (cx, cy), (ex, ey) = ojib
            fx, fy = ex - cx, ey - cy
            px, py = self.own_at
            along = fx * fx + fy * fy
            t = 0.0 if along == 0 else ((px - cx) * fx + (py - cy) * fy) / along
            t = t if 0.0 < t < 1.0 else (0.0 if t <= 0.0 else 1.0)
            vertical = self.top_tail if t < self.axis_t else self.top_jib
            if vertical < metres and math.hypot(px - (cx + t * fx), py - (cy + t * fy)) <= self.top_plan:
                metres, mode = vertical, "top"
        return (metres, mode) if mode else None


def pairs_of(me: CraneView, others: Iterable[CraneView], cfg: CraneCollisionRule) -> list[_Pair]:
    """The pairs of ``me`` with each of ``others``, in that order."""
    return [_Pair(me.spec, o.spec, o.device, cfg) for o in others]


def worst_clearance(me: CraneView, others: list[CraneView], cfg: CraneCollisionRule) -> Clearance | None:
    """The smallest of :func:`clearances` of ``me`` against ``others``, in that order (the first of
    equal ones, as ``min`` picks); None without a slew."""
    return _worst(pairs_of(me, others, cfg), me.jib, [o.pose for o in others])


def _worst(
    pairs: list[_Pair], jib: tuple[Point, Point] | None, poses: list[Pose], floor: float = math.inf
) -> Clearance | None:
    """The smallest :meth:`_Pair.worst` of ``jib`` against ``poses`` (exact below ``floor``)."""
    if jib is None:
        return None
    best: tuple[float, str] | None = None
    at = -1
    for k, pair in enumerate(pairs):
        found = pair.worst(jib, poses[k], floor)
        if found is not None and (best is None or found[0] < best[0]):
            best, at = found, k
    if best is None:
        return None
    return tuple.__new__(Clearance, (best[0], best[1], pairs[at].other))  # a NamedTuple's __new__ is Python


def pose_ahead(view: CraneView, t: float) -> Pose:
    """Its pose ``t`` seconds on at its current speeds, without making a view (the prediction looks
    at many instants): it stops at its braking time, the trolley stays on the jib, the hook above
    the ground."""
    if view.angle is None or not view.travel:
        return view.pose
    frame = view.frame
    t = min(t, frame.braking_s)
    angle = view.angle + view.turn * radians(view.slew_deg_s) * t
    cos, sin = math.cos(angle), math.sin(angle)
    x0, y0 = frame.x0, frame.y0
    tail, tip = frame.tail_m, frame.tip_m
    jib = ((x0 + tail * cos, y0 + tail * sin), (x0 + tip * cos, y0 + tip * sin))
    radius, height = view.radius_m, view.height_m
    hook = None
    if radius is not None:
        r = min(tip, max(0.0, radius + view.radius_ms * t))
        hook = (x0 + r * cos, y0 + r * sin)
    if height is not None:
        height = max(0.0, height + view.height_ms * t)
    return jib, hook, height


def predicted_clearance(
    me: CraneView, others: list[CraneView], cfg: CraneCollisionRule, pairs: list[_Pair] | None = None
) -> tuple[Clearance, float] | None:
    """The smallest clearance of ``me`` against ``others`` over the next seconds at every crane's
    current speeds (each stopping at its braking time), and in how many seconds it comes; None when
    none of them moves or ``me`` has no slew. Looked at in steps in which no structure moves more than
    :data:`PREDICT_STEP_M` (at most :data:`PREDICT_STEPS`); ``pairs``: :func:`pairs_of` them."""
    moving = [v for v in (me, *others) if v.moving()]
    if me.jib is None or not moving:
        return None
    if pairs is None:
        pairs = pairs_of(me, others, cfg)
    horizon = max(v.frame.braking_s for v in moving)
    travel = sum(v.travel for v in moving)
    steps = max(1, min(PREDICT_STEPS, math.ceil(travel / PREDICT_STEP_M)))
    # the smallest over the instants and, at each, over the pairs: the first of equal ones (the earliest
    # instant, then the first pair), as :func:`_worst` of each instant in turn picks; written out, as
    # the prediction runs at most samples of two cranes working near each other
    best, best_t, at = math.inf, 0.0, -1
    mode = ""
    for k in range(1, steps + 1):
        t = horizon * k / steps
        jib = pose_ahead(me, t)[0]
        assert jib is not None  # me.jib is not None: a slew, which pose_ahead keeps
        for p, other in enumerate(others):
            found = pairs[p].worst(jib, pose_ahead(other, t))
            if found is not None and found[0] < best:
                (best, mode), best_t, at = found, t, p
    if at < 0:
        return None
    return tuple.__new__(Clearance, (best, mode, pairs[at].other)), best_t


def can_come_close(lower: CraneSpec, other: CraneSpec, cfg: CraneCollisionRule) -> bool:
    """Whether any slew, trolley and hook position of the two cranes could give a clearance that
    matters: horizontally within the warning distance (and its hysteresis) of the other's tower or
    slewing structure, or the other's hook or structure over the lower one's slewing structure or
    top. Cranes set up out of each other's reach never are, so a site of 20 cranes checks the few
    pairs that overlap instead of all 380."""
    bases = math.dist(lower.position_m, other.position_m)
    swing = max(lower.jib_m, lower.counter_jib_m)
    other_swing = max(other.jib_m, other.counter_jib_m)
    warning = (cfg.min_clearance_m + cfg.warning_margin_m) * (1 + cfg.hysteresis_pct / 100)
    # a pair at the very edge of reach is checked: the plan geometry rounds (a hook exactly hook_plan_m
    # from the jib came out a femtometre inside it), and a skipped pair must never hide a clearance
    return (
        bases - swing - mast_radius(other) <= warning + EDGE_MARGIN_M
        or bases <= swing + other_swing + max(warning, cfg.hook_plan_m) + EDGE_MARGIN_M
        or bases <= other_swing + mast_radius(lower) + cfg.hook_plan_m + EDGE_MARGIN_M
    )


def judged_against(me: CraneSpec, other: CraneSpec, cfg: CraneCollisionRule) -> bool:
    """Whether ``me`` is judged against ``other``: it could come close to one as high or higher, or
    to one in its own layer (then both are judged, each against the other)."""
    return (
        other.jib_height_m >= me.jib_height_m or me.shares_layer(other, cfg.min_clearance_m)
    ) and can_come_close(me, other, cfg)


class CraneCollision:
    """Evaluates every crane against the cranes it is judged against (:func:`judged_against`): the
    others can never change its level."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        # for the list of cranes in _plan_for and the settings in _plan_cfg: each judged crane's index
        # with the indices of the cranes it is judged against, its pairs with them, and the devices
        # of that group
        self._plan: list[tuple[int, list[int], list[_Pair], frozenset[str]]] = []
        # each crane's entries of the plan (where it is the judged crane or one of the others), and
        # the entry of each judged crane
        self._entries_of: dict[str, list[int]] = {}
        self._entry_of: dict[str, int] = {}
        self._plan_for: list[CraneView] | None = None
        self._plan_devices: tuple[str, ...] = ()
        self._plan_cfg: CraneCollisionRule | None = None
        self._names: dict[str, str] = {}  # each crane's name, by device, for the verdicts' words
        self._thresholds: list[tuple[Level, float]] = []  # of _plan_cfg: mildest first, never changed
        self._clear = math.inf  # a clearance at or beyond it is clear from a clear level
        self._lines: list[float] = []  # every threshold and the end of its band, ascending

    def _make_plan(self, cranes: list[CraneView], cfg: CraneCollisionRule) -> None:
        devices = tuple(c.device for c in cranes)
        self._plan_for = cranes
        self._thresholds = [
            ("warning", cfg.min_clearance_m + cfg.warning_margin_m),
            ("alarm", cfg.min_clearance_m),
            ("critical", cfg.stop_clearance_m),
        ]
        self._clear = clear_from(self._thresholds)
        band = 1 + cfg.hysteresis_pct / 100
        self._lines = sorted(x for _level, t in self._thresholds for x in (t, t * band))
        if devices == self._plan_devices and cfg is self._plan_cfg:
            return  # a new list of the same cranes: the same pairs
        self._plan, self._plan_devices, self._plan_cfg = [], devices, cfg
        self._names = {c.device: c.name for c in cranes}
        for i, me in enumerate(cranes):
            others = [
                j
                for j, other in enumerate(cranes)
                if other.device != me.device and judged_against(me.spec, other.spec, cfg)
            ]
            if others:
                group = frozenset([me.device, *(cranes[j].device for j in others)])
                self._plan.append((i, others, pairs_of(me, [cranes[j] for j in others], cfg), group))
        self._entries_of, self._entry_of = {}, {}
        for k, (i, _others, _pairs, group) in enumerate(self._plan):
            self._entry_of[cranes[i].device] = k
            for device in group:
                self._entries_of.setdefault(device, []).append(k)

    def evaluate(
        self,
        cranes: list[CraneView],
        cfg: CraneCollisionRule,
        ts: float,
        backfill: bool,
        moved: str | None = None,
    ) -> list[RuleResult]:
        """crane.collision verdicts for every crane that is judged against another and has a slew.

        ``cranes`` may be one list the caller keeps and updates in place (each crane's new view at
        its own index, never another order): the pairs are worked out once for it. With ``moved``
        (the crane whose view alone changed since the last call, with the same list and settings),
        only the groups that hold it and the cranes whose memory is not quiet are judged: another
        crane's clearances are those it was last judged on.

        The level is that of the worst clearance now or predicted (:func:`predicted_clearance`); a
        group with a crane whose latest sample is stale (:meth:`CraneView.stale`) may raise the
        level but never lower it: missing data never clears a collision alert.
        """
        results = []
        memory, clear = self._memory, self._clear
        for k in self._order(cranes, cfg, moved):
            i, indices, pairs, _group = self._plan[k]
            me = cranes[i]
            if me.jib is None:
                continue  # no slew yet: no clearance to measure
            if len(indices) == 1:  # one other crane (most cranes of most sites): _worst of one pair
                other = cranes[indices[0]]
                poses = [other.pose]
                travel = me.travel + other.travel  # a pair closes by both cranes' travel at most
                floor = clear + travel  # clearances beyond it cannot give a level, however they move
                found = pairs[0].worst(me.jib, poses[0], floor)
                if found is None:
                    continue
                quiet = memory.quiet(me.device)
                if quiet and found[0] >= floor:
                    continue  # beyond every threshold however they move: what banded_level would find
                now = tuple.__new__(Clearance, (found[0], found[1], pairs[0].other))
            else:
                travel = 0.0  # of the other that moves farthest
                poses = []
                for j in indices:
                    other = cranes[j]
                    poses.append(other.pose)
                    travel = other.travel if other.travel > travel else travel
                travel += me.travel
                floor = clear + travel
                worst_now = _worst(pairs, me.jib, poses, floor)
                if worst_now is None:
                    continue
                now = worst_now
                quiet = memory.quiet(me.device)
                if quiet and now.metres >= floor:
                    continue
            if now.metres >= floor:  # a verdict to make: every clearance measured
                now = _worst(pairs, me.jib, poses) or now
            held, band, thresholds = self._memory.get(me.device), cfg.hysteresis_pct / 100, self._thresholds
            worst, lead_s = now, 0.0
            level = banded_level(now.metres, thresholds, held, band, higher_is_worse=False)
            others = [cranes[j] for j in indices]
            # the prediction can only lower the clearance, by the pair's travel at most: where no
            # threshold or band line lies between that lowest clearance and the clearance now, no
            # clearance between them gives another level
            lines = self._lines
            if travel > 0 and bisect_right(lines, now.metres) != bisect_right(lines, now.metres - travel):
                ahead = predicted_clearance(me, others, cfg, pairs)
                if ahead is not None and ahead[0].metres < now.metres:
                    worst, lead_s = ahead
                    level = banded_level(worst.metres, thresholds, held, band, higher_is_worse=False)
            if held is not None and _rank(level) < _rank(held) and any(v.stale(ts) for v in (me, *others)):
                level = held  # a crane's data is missing or stale: it may not clear the alert
            if level is None and quiet:
                continue  # clear and known clear: nothing to report, no verdict to make
            build = partial(
                self._result,
                me,
                now,
                (worst, lead_s) if lead_s else None,
                self._names[worst.other],
                level,
                thresholds,
                cfg,
                ts,
                backfill,
            )
            # its value given at once: the alert manager reads every repeat's value for the alert's worst
            result = self._memory.report_later(
                RULE, me.device, "", level, ts, backfill, build, round((worst if lead_s else now).metres, 2)
            )
            if result is not None:
                results.append(result)
        return results

    def _order(self, cranes: list[CraneView], cfg: CraneCollisionRule, moved: str | None) -> Iterable[int]:
        """The plan's groups to judge: every one for a new list or settings (the plan made again), else
        with ``moved`` those that hold the crane that moved and the judged cranes that are not quiet."""
        same = cranes is self._plan_for and cfg is self._plan_cfg
        if not same:
            self._make_plan(cranes, cfg)
        if not same or moved is None:
            return range(len(self._plan))
        picked = self._entries_of.get(moved, ())
        if self._memory.owes():
            more = set(picked)
            for device, _point in self._memory.owing():
                entry = self._entry_of.get(device)
                if entry is not None:
                    more.add(entry)
            picked = sorted(more)
        return picked

    @staticmethod
    def _result(
        me: CraneView,
        now: Clearance,
        ahead: tuple[Clearance, float] | None,
        other_name: str,
        level: Level | None,
        thresholds: list[tuple[Level, float]],
        cfg: CraneCollisionRule,
        ts: float,
        backfill: bool,
    ) -> RuleResult:
        worst = now if ahead is None else ahead[0]
        what = f"{me.name} 与 {other_name} {MODES_ZH[worst.mode]} "
        what_en = f"{me.name} to {other_name}: {MODES_EN[worst.mode]} "
        if ahead is None:
            what += f"{now.metres:.1f} m"
            what_en += f"{now.metres:.1f} m"
        else:
            what += f"按当前速度 {ahead[1]:.0f} s 内将降至 {worst.metres:.1f} m（当前最小净距 {now.metres:.1f} m）"
            what_en += f"falls to {worst.metres:.1f} m within {ahead[1]:.0f} s at the current speeds (now {now.metres:.1f} m)"
        limits = (
            f"，预警 {thresholds[0][1]:g} m、减速 {cfg.min_clearance_m:g} m、制动 {cfg.stop_clearance_m:g} m"
            "（GB 5144-2006 第10.5条 不小于 2 m）"
        )
        details: dict[str, float | str | list[str]] = {
            "other": worst.other,
            "mode": "vertical" if worst.mode in VERTICAL else "horizontal",
            "parts": worst.mode,
            "now_m": round(now.metres, 2),
        }
        if ahead is not None:
            details |= {"predicted_m": round(worst.metres, 2), "in_s": round(ahead[1], 1)}
        return RuleResult(
            rule=RULE,
            device=me.device,
            point="",
            level=level,
            ts=ts,
            clause=CLAUSES.get(level or "alarm", CLAUSES["alarm"]),
            value=round(worst.metres, 2),
            threshold=threshold_of(thresholds, level) or cfg.min_clearance_m,
            unit="m",
            message=pick(level, what + limits, ACTIONS.get(level or "", "")),
            message_en=pick_en(
                level, f"{what_en}, minimum {cfg.min_clearance_m:g} m", ACTIONS_EN.get(level or "", "")
            ),
            details=details,
            backfill=backfill,
        )


def _rank(level: Level | None) -> int:
    return -1 if level is None else LEVEL_RANK[level]


def history_s(site: SiteConfig) -> float:
    """Seconds of history that carry every crane's latest kinematics and level. The same holds for
    the other crane motion rules (load, zone, tilt, operator): each judges the latest sample against
    its last level only, so this one declaration covers them."""
    return max((2 * d.poll_interval_s for d in site.devices if d.kind == "crane"), default=0.0)
