"""crane.collision: clearances between tower cranes (GB 5144-2006 §10.5).

Horizontal: the lower crane's slewing structure (counter-jib end to jib tip: the counter-jib
swings as well) must stay 2 m from every higher crane's tower. The mast section's orientation is
not known, so the tower is taken as the circle through its corners (half-width × √2).
Vertical: where a higher crane's hook is within ``hook_plan_m`` in plan of the lower crane's
jib, the hook must be 2 m above that jib (a negative clearance means the rope crosses it).
The worst clearance against every other crane decides the lower crane's level.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import partial
from math import hypot, radians
from typing import NamedTuple

from contract.alert_event import Level
from contract.config.crane import CraneSpec
from contract.config.rules import CraneCollisionRule
from contract.config.site import SiteConfig
from rules.geometry import Point, segment_distance
from rules.levels import LevelMemory, banded_level, clear_from, threshold_of
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE = "crane.collision"
CLEARANCE = (
    "GB 5144-2006 第10.5条 低位塔机臂架端部与另一塔机塔身水平距离不小于 2 m，"
    "高位塔机最低位置部件与低位塔机最高位置部件垂直距离不小于 2 m"
)
CLAUSES = {
    "warning": f"{CLEARANCE}；安全距离加预警余量{PRACTICE_ZH}",
    "alarm": f"{CLEARANCE}；群塔未保持安全距离属 建质规〔2024〕5号 第八条(八) {MAJOR_ZH}",
}
ACTIONS = {"warning": "减速慢转，确认两机安全距离", "alarm": "停止回转，确认两机安全距离"}
ACTIONS_EN = {
    "warning": "slow down and confirm the clearance between the two cranes",
    "alarm": "stop slewing and confirm the clearance between the two cranes",
}


class CraneView:
    """What the collision check needs of one crane: its spec and latest kinematics, and the plan
    geometry they give, worked out once per view (each view meets every other crane's). Not to be
    changed once made: the engine makes a new view at each of the crane's samples. A plain class with
    slots: a frozen dataclass cost more to make than the whole check of a pair."""

    __slots__ = ("device", "height_m", "hook", "jib", "name", "radius_m", "slew_deg", "spec")

    def __init__(
        self,
        device: str,
        name: str,
        spec: CraneSpec,
        slew_deg: float | None,
        radius_m: float | None,
        height_m: float | None,
    ) -> None:
        self.device, self.name, self.spec = device, name, spec
        self.slew_deg, self.radius_m, self.height_m = slew_deg, radius_m, height_m
        self.jib: tuple[Point, Point] | None = None  # counter-jib end and jib tip; None without a slew
        self.hook: Point | None = None  # None without slew and radius
        if slew_deg is not None:
            # along_jib at the three distances, the angle's cosine and sine worked out once, and
            # jib_axes's site angle written out (two calls cost a fifth of the view)
            angle = radians(
                (spec.slew_offset_deg + (slew_deg if spec.slew_direction == "ccw" else -slew_deg)) % 360.0
            )
            x0, y0 = spec.position_m
            cos, sin = math.cos(angle), math.sin(angle)
            tail, tip = -spec.counter_jib_m, spec.jib_m
            self.jib = ((x0 + tail * cos, y0 + tail * sin), (x0 + tip * cos, y0 + tip * sin))
            if radius_m is not None:
                self.hook = (x0 + radius_m * cos, y0 + radius_m * sin)


EDGE_MARGIN_M = 0.001  # pairs within a millimetre of the edge of reach are checked, not skipped


class Clearance(NamedTuple):
    """One clearance between a lower crane and another crane."""

    metres: float
    mode: str  # horizontal or vertical
    other: str


def clearances(lower: CraneView, other: CraneView, hook_plan_m: float) -> list[Clearance]:
    """Horizontal and (where it applies) vertical clearances of ``lower`` against higher ``other``
    (the definition :func:`worst_clearance` measures fast, and is held to in the tests)."""
    if lower.jib is None:
        return []
    a, b = lower.jib
    mast = other.spec.tower_half_width_m * math.sqrt(2)
    out = [Clearance(segment_distance(other.spec.position_m, a, b) - mast, "horizontal", other.device)]
    hook = other.hook
    if hook is not None and other.height_m is not None and segment_distance(hook, a, b) <= hook_plan_m:
        out.append(Clearance(other.height_m - lower.spec.jib_height_m, "vertical", other.device))
    return out


def worst_clearance(
    lower: CraneView, cranes: list[CraneView], others: list[int], masts: list[float], hook_plan_m: float
) -> Clearance | None:
    """The smallest of :func:`clearances` of ``lower`` against the cranes at ``others`` in
    ``cranes``, in that order (the first of equal ones, as ``min`` picks), ``masts`` being each
    other's mast radius (half-width × √2); None without a slew. Measured without making the
    clearances that are not the worst, which is all the collision check keeps of them, and with
    segment_distance's arithmetic written out (the jib's terms worked out once for every point
    measured against it: this runs at every sample of every crane of a group)."""
    if lower.jib is None:
        return None
    (ax, ay), (bx, by) = lower.jib
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    jib_height_m = lower.spec.jib_height_m
    metres, mode, worst = math.inf, "", -1
    for k, j in enumerate(others):
        other = cranes[j]
        px, py = other.spec.position_m
        t = 0.0 if length2 == 0 else ((px - ax) * dx + (py - ay) * dy) / length2
        t = t if 0.0 < t < 1.0 else (0.0 if t <= 0.0 else 1.0)  # max(0.0, min(1.0, t)), NaN alike
        horizontal = hypot(px - (ax + t * dx), py - (ay + t * dy)) - masts[k]
        if worst < 0 or horizontal < metres:
            metres, mode, worst = horizontal, "horizontal", j
        hook = other.hook
        if hook is None or other.height_m is None:
            continue
        px, py = hook
        t = 0.0 if length2 == 0 else ((px - ax) * dx + (py - ay) * dy) / length2
        t = t if 0.0 < t < 1.0 else (0.0 if t <= 0.0 else 1.0)
        if hypot(px - (ax + t * dx), py - (ay + t * dy)) <= hook_plan_m:
            vertical = other.height_m - jib_height_m
            if vertical < metres:
                metres, mode, worst = vertical, "vertical", j
    if worst < 0:
        return None
    return tuple.__new__(
        Clearance, (metres, mode, cranes[worst].device)
    )  # a NamedTuple's own __new__ is Python


def can_come_close(lower: CraneSpec, other: CraneSpec, cfg: CraneCollisionRule) -> bool:
    """Whether any slew, trolley and hook position of the two cranes could give a clearance that
    matters: horizontally within the warning distance (and its hysteresis), or the other's hook over
    the lower one's slewing structure. Cranes set up out of each other's reach never are, so a site of
    20 cranes checks the few pairs that overlap instead of all 380."""
    bases = math.dist(lower.position_m, other.position_m)
    swing = max(lower.jib_m, lower.counter_jib_m)
    mast = other.tower_half_width_m * math.sqrt(2)
    warning = (cfg.min_clearance_m + cfg.warning_margin_m) * (1 + cfg.hysteresis_pct / 100)
    # a pair at the very edge of reach is checked: the plan geometry rounds (a hook exactly hook_plan_m
    # from the jib came out a femtometre inside it), and a skipped pair must never hide a clearance
    return (
        bases - swing - mast <= warning + EDGE_MARGIN_M
        or bases <= swing + other.jib_m + cfg.hook_plan_m + EDGE_MARGIN_M
    )


class CraneCollision:
    """Evaluates every crane against every crane whose jib is as high or higher and that it could
    come close to (the others can never change its level)."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        # for the list of cranes in _plan_for and the settings in _plan_cfg: each crane's index with
        # the indices of the cranes as high or higher that it could come close to (the others can
        # never change its level), their mast radii, and the devices of that group; only cranes with
        # such a neighbour
        self._plan: list[tuple[int, list[int], list[float], frozenset[str]]] = []
        # each crane's entries of the plan (where it is the lower crane or one of the others), and
        # the entry of each lower crane
        self._entries_of: dict[str, list[int]] = {}
        self._entry_of_lower: dict[str, int] = {}
        self._plan_for: list[CraneView] | None = None
        self._plan_devices: tuple[str, ...] = ()
        self._plan_cfg: CraneCollisionRule | None = None
        self._names: dict[str, str] = {}  # each crane's name, by device, for the verdicts' words
        self._thresholds: list[tuple[Level, float]] = []  # of _plan_cfg: mildest first, never changed
        self._clear = math.inf  # a clearance at or beyond it is clear from a clear level

    def _make_plan(self, cranes: list[CraneView], cfg: CraneCollisionRule) -> None:
        devices = tuple(c.device for c in cranes)
        self._plan_for = cranes
        self._thresholds = [
            ("warning", cfg.min_clearance_m + cfg.warning_margin_m),
            ("alarm", cfg.min_clearance_m),
        ]
        self._clear = clear_from(self._thresholds)
        if devices == self._plan_devices and cfg is self._plan_cfg:
            return  # a new list of the same cranes: the same pairs
        self._plan, self._plan_devices, self._plan_cfg = [], devices, cfg
        self._names = {c.device: c.name for c in cranes}
        for i, lower in enumerate(cranes):
            others = [
                j
                for j, other in enumerate(cranes)
                if other.device != lower.device
                and other.spec.jib_height_m >= lower.spec.jib_height_m
                and can_come_close(lower.spec, other.spec, cfg)
            ]
            if others:
                masts = [cranes[j].spec.tower_half_width_m * math.sqrt(2) for j in others]
                group = frozenset([lower.device, *(cranes[j].device for j in others)])
                self._plan.append((i, others, masts, group))
        self._entries_of, self._entry_of_lower = {}, {}
        for k, (i, _others, _masts, group) in enumerate(self._plan):
            self._entry_of_lower[cranes[i].device] = k
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
        """crane.collision verdicts for every crane that has a higher neighbour and a known slew.

        ``cranes`` may be one list the caller keeps and updates in place (each crane's new view at
        its own index, never another order): the pairs are worked out once for it. With ``moved``
        (the crane whose view alone changed since the last call, with the same list and settings),
        only the groups that hold it and the cranes whose memory is not quiet are judged (a site of
        80 crane pairs judged all 80 at each crane's sample): another crane's clearances are those it
        was last judged on, and the same clearance against a level set by it gives that level again
        (banded_level), so it would be clear and report nothing.
        """
        results = []
        same = cranes is self._plan_for and cfg is self._plan_cfg
        if not same:
            self._make_plan(cranes, cfg)
        thresholds = self._thresholds
        if same and moved is not None:
            # the groups that hold the crane that moved, and the lower cranes that are not quiet (one
            # never judged, without a slew so far, gets its first slew by a sample of its own)
            picked = self._entries_of.get(moved, ())
            if self._memory.owes():
                more = set(picked)
                for device, _point in self._memory.owing():
                    entry = self._entry_of_lower.get(device)
                    if entry is not None:
                        more.add(entry)
                picked = sorted(more)
            order: Iterable[int] = picked
        else:
            order = range(len(self._plan))
        for k in order:
            i, others, masts, _group = self._plan[k]
            lower = cranes[i]
            worst = worst_clearance(lower, cranes, others, masts, cfg.hook_plan_m)
            if worst is None:
                continue  # no slew yet: no clearance to measure
            if worst.metres >= self._clear and self._memory.quiet(lower.device):
                continue  # beyond every threshold and known clear: what banded_level would find
            level = banded_level(
                worst.metres,
                thresholds,
                self._memory.get(lower.device),
                cfg.hysteresis_pct / 100,
                higher_is_worse=False,
            )
            if level is None and self._memory.quiet(lower.device):
                continue  # clear and known clear: nothing to report, no verdict to make
            result = self._memory.report_later(
                RULE,
                lower.device,
                "",
                level,
                ts,
                backfill,
                partial(
                    self._result, lower, worst, self._names[worst.other], level, thresholds, cfg, ts, backfill
                ),
            )
            if result is not None:
                results.append(result)
        return results

    @staticmethod
    def _result(
        lower: CraneView,
        worst: Clearance,
        other_name: str,
        level: Level | None,
        thresholds: list[tuple[Level, float]],
        cfg: CraneCollisionRule,
        ts: float,
        backfill: bool,
    ) -> RuleResult:
        kind_zh = "水平" if worst.mode == "horizontal" else "垂直"
        what = (
            f"{lower.name} 与 {other_name} {kind_zh}净距 {worst.metres:.1f} m，"
            f"安全距离 {cfg.min_clearance_m:g} m"
        )
        what_en = (
            f"{lower.name} {worst.mode} clearance to {other_name} {worst.metres:.1f} m, "
            f"minimum {cfg.min_clearance_m:g} m"
        )
        return RuleResult(
            rule=RULE,
            device=lower.device,
            point="",
            level=level,
            ts=ts,
            clause=CLAUSES.get(level or "alarm", CLAUSES["alarm"]),
            value=round(worst.metres, 2),
            threshold=threshold_of(thresholds, level) or cfg.min_clearance_m,
            unit="m",
            message=pick(level, what, ACTIONS.get(level or "", "")),
            message_en=pick_en(level, what_en, ACTIONS_EN.get(level or "", "")),
            details={"other": worst.other, "mode": worst.mode},
            backfill=backfill,
        )


def history_s(site: SiteConfig) -> float:
    """Seconds of history that carry every crane's latest kinematics and level. The same holds for
    the other crane motion rules (load, zone, tilt, operator): each judges the latest sample against
    its last level only, so this one declaration covers them."""
    return max((2 * d.poll_interval_s for d in site.devices if d.kind == "crane"), default=0.0)
