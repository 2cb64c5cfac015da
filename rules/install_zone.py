"""The exclusion zone (警戒区) of an 安拆 window, kept by a camera (standards.md §10, §19): a camera zone
the site file names as a crane's or hoist's (``vision.cameras[].zones[].exclusion_of``) counts the people
inside it on every analysed frame (vision/zones.py, with the zone's inertia and loitering time), whether a
window is open or not. While the machine's window is open:

- ``exclusion``: anyone inside is an alarm, held until EMPTY_FRAMES frames in a row see nobody there (as
  vision's own checks clear: a worker hidden behind the mast for a frame has not left), and a camera that
  falls silent with people inside leaves it firing;
- ``exclusion_watch``: the camera silent for longer than vision's hang timeout (since its last frame, or
  since the window opened when it has sent none) is a warning that nobody watches the zone, never an all-clear.

Both clear when the window closes. InstallRules (rules/install_window.py) reports what is judged here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from contract.alert_event import Level
from contract.config.camera import EXCLUSION_PERSONS
from contract.config.site import SiteConfig
from contract.readings import Quality, Reading
from rules.wording import PRACTICE_ZH

EXCLUSION_CLAUSE = (
    "建设部令第166号 第十二条（安装拆卸专项施工方案）、第十三条（安装单位现场监督，条号未核实）；起重机械安装拆卸作业"
    "安全要点：安拆、顶升作业区域设警戒区，非作业人员不得进入（standards.md §10 [S10-4]、§19）" + PRACTICE_ZH
)
WATCH_CLAUSE = "安拆警戒区由摄像头看守（本站设置，非标准条文）：视频中断期间警戒区无人看守，不视为区内无人"
EMPTY_FRAMES = 3  # vision.pipeline.CLEAR_FRAMES: frames without a check's finding before it is resolved
HEARD = (Quality.OK, Quality.BACKFILL)  # a stale reading is the camera's silence, not a frame


def frame_count(r: Reading, metric: str) -> int | None:
    """The people one frame counted in a zone, from a camera's ``metric`` reading; None where the reading is
    no frame: another metric, a stale one (the camera's silence), or a value no count can be (NaN, infinite,
    negative: a replay's or a bridge's broken value), which is neither anyone seen nor the zone empty."""
    if r.metric != metric or r.quality not in HEARD or isinstance(r.value, str):
        return None
    if not math.isfinite(r.value) or r.value < 0:
        return None
    return int(r.value)


@dataclass
class _Zone:
    camera: str
    name: str
    persons: int = 0  # people inside as last seen (until EMPTY_FRAMES frames have seen nobody)
    empty: int = 0  # frames in a row that saw nobody
    heard: float | None = None  # the last frame's instant


@dataclass(frozen=True)
class ZoneVerdict:
    """One point of a machine's exclusion zone, as InstallRules reports it."""

    point: str
    level: Level | None
    clause: str
    what: tuple[str, str]  # Chinese, English
    action: tuple[str, str]
    value: float | None = None


class ExclusionZones:
    """The exclusion zones of a site's cranes and hoists: the people each camera last saw in them."""

    def __init__(self, site: SiteConfig) -> None:
        cameras = site.vision.cameras if site.vision is not None else []
        self._of = {
            z.exclusion_of: _Zone(c.name, z.name)
            for c in cameras
            for z in c.zones
            if z.exclusion_of is not None
        }
        self._machine = {(z.camera, z.name): machine for machine, z in self._of.items()}
        # a camera silent this long is not watching: the time after which vision restarts its worker
        self._silent_s = site.vision.hang_timeout_s if site.vision is not None else 0.0

    def has(self, machine: str) -> bool:
        """Has ``machine`` an exclusion zone?"""
        return machine in self._of

    def heard(self, r: Reading) -> str | None:
        """A camera's reading: the machine whose zone it counts, now remembered (None: no zone's count)."""
        seen = frame_count(r, EXCLUSION_PERSONS)
        if seen is None:
            return None
        machine = self._machine.get((r.device, r.point))
        if machine is not None:
            zone = self._of[machine]
            zone.empty = 0 if seen else zone.empty + 1
            if seen or zone.empty >= EMPTY_FRAMES:
                zone.persons = seen
            zone.heard = r.ts
        return machine

    def judge(
        self, machine: str, name: str, stage: str, opened: float | None, now: float
    ) -> list[ZoneVerdict]:
        """Both points of ``machine``'s zone at ``now``: ``stage`` the work under way, ``opened`` the
        instant its window opened (None: closed)."""
        z = self._of[machine]
        where = f"{name}{stage}警戒区（摄像头 {z.camera}「{z.name}」）"
        if opened is None:
            over = (f"{name}安拆作业结束，警戒区解除", f"{name}: 安拆 over, exclusion zone lifted")
            return [ZoneVerdict(p, None, c, over, ("", "")) for p, c in _POINTS]
        since = opened if z.heard is None else z.heard
        silent = now - since > self._silent_s
        return [
            ZoneVerdict(
                "exclusion",
                "alarm" if z.persons > 0 else None,
                EXCLUSION_CLAUSE,
                (
                    f"{where}内发现 {z.persons} 人" if z.persons else f"{where}内无人",
                    f"{name}: {z.persons} in the 安拆 exclusion zone {z.name}",
                ),
                (
                    "立即暂停安拆作业，清退警戒区内人员并派专人监护警戒线，区内无人后方可继续",
                    "stop the 安拆 and clear the exclusion zone; go on only once it is empty",
                ),
                float(z.persons),
            ),
            ZoneVerdict(
                "exclusion_watch",
                "warning" if silent else None,
                WATCH_CLAUSE,
                (
                    f"{where}视频中断 {now - since:.0f} s，警戒区无人看守"
                    if silent
                    else f"{where}视频看守正常",
                    f"{name}: camera {z.camera} silent {now - since:.0f} s, exclusion zone unwatched"
                    if silent
                    else f"{name}: exclusion zone watched",
                ),
                (
                    "派专人现场看守警戒区，检查摄像头供电与网络",
                    "post a guard at the exclusion zone; check the camera's power and network",
                ),
            ),
        ]


_POINTS = (("exclusion", EXCLUSION_CLAUSE), ("exclusion_watch", WATCH_CLAUSE))
