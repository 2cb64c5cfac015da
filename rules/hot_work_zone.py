"""hot_work.zone_unpermitted: people seen working in a camera zone marked for hot work (动火区,
``vision.cameras[].zones[].hot_work_at``) while no permit is in force for any place it watches (GB/T 50720-2011
（2025年版）§6.3.1(1); 公安部令第61号 Art. 20; docs/standards.md §18). A permit past its level's validity under the site's
``hot_work_permits:`` as it stands now (signed under a longer one, or restored) covers no zone.

What the camera sees is people inside the zone, counted on each analysed frame by vision (vision/zones.py,
with the zone's inertia and loitering time), not a flame, an arc or sparks: no detector of those ships, and
no real welding footage was at hand to measure one on. People at work in a place drawn for hot work stand for
hot work, so the alert says 疑似 (suspected) and its action starts with going to look.

- It fires once people have been seen inside for the zone's ``hot_work_settle_s`` (达到: at it) while no
  permit covers the zone, counted from the later of their arrival and the instant the zone became uncovered
  (a permit's window ending while they work gives them the same time to stop). People are held as seen until
  EMPTY_FRAMES frames in a row see nobody (one hidden behind a column for a frame has not left).
- It ends when a permit for one of its places comes into force, or when the camera has seen nobody inside for
  the settle time. A camera that falls silent (or sends stale readings) never ends it: past vision's hang
  timeout the alert says the camera is silent and holds; people last seen inside are taken as still there.
- It carries the latest picture vision took of the zone with people inside (vision/pipeline.py), as the
  cameras' own checks carry theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.alert_event import Level
from contract.config.camera import HOT_WORK_PERSONS
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.config.site import SiteConfig
from contract.hot_work import Permit
from contract.readings import Quality, Reading
from rules.hot_work_clauses import PERMIT_ZH, art_6_3_1
from rules.hot_work_unpermitted import why_not
from rules.install_zone import EMPTY_FRAMES, frame_count
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "hot_work.zone_unpermitted"
CLAUSE = (
    art_6_3_1(1, PERMIT_ZH)
    + "；公安部令第61号 第二十条 明火作业应办理审批手续、落实现场监护人；以摄像头动火区内有人作业推定正在动火"
    "（非明火、电弧识别）" + PRACTICE_ZH
)
ACTION = (
    "立即到场核查：正在动火的，停止作业，清理可燃物并办理动火许可证（签发人到场确认、设监火人和不少于2具"
    "灭火器）后方可作业；非动火作业的，核实后处置告警",
    "go and look: if it is hot work, stop it until a permit is issued for this place",
)


@dataclass
class _Zone:
    camera: str
    name: str
    places: tuple[str, ...]
    settle_s: float
    persons: int = 0  # people inside as last seen (until EMPTY_FRAMES frames have seen nobody)
    present: float | None = None  # when this stay's people were first seen (None: nobody inside)
    empty: int = 0  # frames in a row that saw nobody
    empty_since: float | None = None  # the first of them
    heard: float | None = None  # the last frame's instant
    uncovered: float | None = None  # since when no permit covers the zone, as last judged (None: one does)
    firing: bool = False
    said_silent: bool = False  # the alert says the camera fell silent
    picture: str | None = None  # the latest picture with people inside, JPEG as base64


class HotWorkZones:
    """The zones of a site's cameras marked for hot work: the people each camera last saw in them."""

    def __init__(self, site: SiteConfig) -> None:
        cameras = site.vision.cameras if site.vision is not None else []
        self._zones = {
            (c.name, z.name): _Zone(c.name, z.name, tuple(z.hot_work_at), z.hot_work_settle_s)
            for c in cameras
            for z in c.zones
            if z.hot_work_at
        }
        # a camera silent this long is not watching: the time after which vision restarts its worker
        self._silent_s = site.vision.hang_timeout_s if site.vision is not None else 0.0

    @property
    def watched(self) -> bool:
        """Has the site a zone marked for hot work?"""
        return bool(self._zones)

    @property
    def busy(self) -> bool:
        """Whether a tick may have anything to say: someone inside a zone, or an alert firing."""
        return any(z.firing or z.present is not None for z in self._zones.values())

    def picture(self, camera: str, zone: str, jpeg_b64: str) -> None:
        """Vision's latest picture of ``zone`` with people inside (the alert's evidence when it fires)."""
        found = self._zones.get((camera, zone))
        if found is not None:
            found.picture = jpeg_b64

    def heard(self, r: Reading, permits: Sequence[Permit], scheme: HotWorkPermitsConfig) -> list[RuleResult]:
        """A camera's reading: the people in a hot-work zone on one frame, judged at once."""
        seen = frame_count(r, HOT_WORK_PERSONS)
        z = self._zones.get((r.device, r.point))
        if seen is None or z is None:
            return []
        if seen:
            z.persons, z.empty, z.empty_since = seen, 0, None
            z.present = r.ts if z.present is None else z.present
        else:
            z.empty += 1
            z.empty_since = r.ts if z.empty_since is None else z.empty_since
            if z.empty >= EMPTY_FRAMES:
                z.persons, z.present = 0, None
        resumed = z.said_silent
        z.heard, z.said_silent = r.ts, False
        return self._judge(z, permits, scheme, r.ts, r.quality is Quality.BACKFILL, resumed)

    def tick(self, permits: Sequence[Permit], now: float, scheme: HotWorkPermitsConfig) -> list[RuleResult]:
        """The zones at ``now`` without a frame: a permit's window opening or ending, a camera falling
        silent."""
        return [
            out
            for z in self._zones.values()
            if z.firing or z.present is not None
            for out in self._judge(z, permits, scheme, now, False)
        ]

    def _judge(
        self,
        z: _Zone,
        permits: Sequence[Permit],
        scheme: HotWorkPermitsConfig,
        now: float,
        backfill: bool,
        resumed: bool = False,
    ) -> list[RuleResult]:
        why = why_not(permits, z.places, now, scheme)
        if why is None:
            z.uncovered = None
        elif z.uncovered is None:
            z.uncovered = now
        silent = z.heard is None or now - z.heard > self._silent_s
        if not z.firing:
            if why is None or z.present is None or z.uncovered is None:
                return []
            if now - max(z.present, z.uncovered) < z.settle_s:
                return []  # someone crossing the zone, or the time to stop when a window ends
            z.firing = True
            z.said_silent = silent
            return [self._result(z, why, now, silent, backfill, evidence=True)]
        if why is None:
            z.firing = False
            return [self._result(z, None, now, False, backfill, ended="已有有效动火许可证")]
        # empty as the camera saw it for the settle time (its frames, never its silence)
        if (
            z.present is None
            and z.heard is not None
            and z.empty_since is not None
            and (z.heard - z.empty_since >= z.settle_s)
        ):
            z.firing = False
            return [self._result(z, None, now, False, backfill, ended="区内已无人员")]
        if silent and not z.said_silent:
            z.said_silent = True
            return [self._result(z, why, now, True, backfill)]
        if resumed:  # the camera is back: the alert says what it sees again
            return [self._result(z, why, now, False, backfill)]
        return []

    def _result(
        self,
        z: _Zone,
        why: str | None,
        now: float,
        silent: bool,
        backfill: bool,
        ended: str = "",
        evidence: bool = False,
    ) -> RuleResult:
        where = f"摄像头 {z.camera}「{z.name}」（动火区：{'、'.join(z.places)}）"
        level: Level | None = "alarm" if why is not None else None
        if why is None:
            what, what_en = f"{where}{ended}", f"camera {z.camera} hot-work zone {z.name}: {ended}"
        else:
            stay = now - (z.present if z.present is not None else now)
            what = f"{where}内有 {z.persons} 人作业 {stay:.0f} s，{why}，疑似无动火证作业"
            what_en = (
                f"camera {z.camera} sees {z.persons} at work in hot-work zone {z.name} for {stay:.0f} s "
                "without a permit in force: suspected unpermitted hot work"
            )
            if silent:
                gone = now - z.heard if z.heard is not None else 0.0
                what += f"；视频已中断 {gone:.0f} s，无法确认作业是否结束，告警保持"
                what_en += f"; camera silent {gone:.0f} s, held"
        return RuleResult(
            rule=RULE,
            device=z.camera,
            point=z.name,
            level=level,
            ts=now,
            clause=CLAUSE,
            value=float(z.persons),
            unit="人",
            message=pick(level, what, ACTION[0]),
            message_en=pick_en(level, what_en, ACTION[1]),
            details={"camera": z.camera, "places": list(z.places), "settle_s": z.settle_s},
            backfill=backfill,
            evidence=z.picture if evidence else None,
        )
