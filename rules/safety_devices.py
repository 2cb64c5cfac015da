"""<kind>.safety_device: the safety-device status bits a black box reports about itself.

A tower crane's box (kinds/crane/profiles/tower_crane_blackbox.yaml, register 12) says when its
limiter is bypassed or has failed, when one of its sensors is faulty, and when its anti-collision
system or zone limiter is stopping a movement; a hoist's box says when a sensor is faulty. Bypassed,
failed or faulty safety devices are the major hazard of 建质规〔2024〕5号 Art. 8 (四) (安全装置
不齐全、失效或者被违规拆除、破坏, docs/standards.md §1); an anti-collision system or zone
limiter intervening is the device doing its job, a warning that the driver is at a limit.

Each flag is judged on its own (point = the flag's metric). A set bit raises its level at once:
one reading of a bypassed limiter is enough. It clears only once the bit has read 0 for
``clear_samples`` readings in a row spanning at least ``clear_s`` seconds, so a bit that flickers
(a loose contact, an anti-collision system pulsing near its limit) keeps one alert open instead of
opening a new one per pulse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from contract.alert_event import Level
from contract.config.device import DeviceConfig
from contract.config.site import SiteConfig
from contract.kinds import registry
from contract.kinds.kind import Kind
from rules.levels import LevelMemory
from rules.probes import Probe
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

SUFFIX = ".safety_device"  # rule id: "<kind>.safety_device", e.g. crane.safety_device
CLEAR_SAMPLES = 3  # readings of 0 in a row before a flag clears
CLEAR_S = 5.0  # ... spanning at least this many seconds

DEVICE_FAILED = (
    f"建质规〔2024〕5号 第八条(四) 建筑起重机械安全装置不齐全、失效或者被违规拆除、破坏，{MAJOR_ZH}"
)


@dataclass(frozen=True)
class Flag:
    """How one status bit is judged and worded."""

    level: Level
    clause: str
    what: str  # set: what the box reports
    what_en: str
    action: str
    action_en: str
    normal: str  # clear: the device's normal state
    normal_en: str


FLAGS: dict[str, Flag] = {
    "flag_limiter_bypass": Flag(
        level="critical",
        clause=DEVICE_FAILED,
        what="黑匣子报告安全限制器被旁路（短接）",
        what_en="black box reports its limiter bypassed",
        action="立即停止作业，恢复安全限制器并查明旁路原因，经检查合格后方可使用",
        action_en="stop work now, restore the limiter and find out why it was bypassed; "
        "use the machine again only after it passes inspection",
        normal="安全限制器在用",
        normal_en="limiter in use",
    ),
    "flag_limiter_fault": Flag(
        level="critical",
        clause=DEVICE_FAILED,
        what="黑匣子报告安全限制器失效",
        what_en="black box reports a limiter failed",
        action="立即停止作业，检修安全限制器，经检查合格后方可使用",
        action_en="stop work now and repair the limiter; use the machine again only after it passes inspection",
        normal="安全限制器无故障",
        normal_en="limiters without fault",
    ),
    "flag_sensor_fault": Flag(
        level="alarm",
        clause=DEVICE_FAILED,
        what="黑匣子报告传感器故障或断线",
        what_en="black box reports a sensor faulty or disconnected",
        action="停止作业，检修传感器；修复前黑匣子的监测与限位不可信",
        action_en="stop work and repair the sensor; the box's monitoring and limits cannot be trusted until then",
        normal="黑匣子传感器无故障",
        normal_en="black box sensors without fault",
    ),
    "flag_anticollision": Flag(
        level="warning",
        clause="GB 5144-2006 第10.5条 两塔机之间应保持不小于 2 m 的安全距离；黑匣子防碰撞系统据其自身判定正在限制塔机动作",
        what="黑匣子防碰撞系统正在干预",
        what_en="the box's anti-collision system is intervening",
        action="减速，确认与相邻塔机的距离，不得强行操作",
        action_en="slow down and confirm the distance to the neighbouring crane; do not force the movement",
        normal="防碰撞系统未干预",
        normal_en="anti-collision system not intervening",
    ),
    "flag_zone_limit": Flag(
        level="warning",
        clause="黑匣子区域限位装置据其自身设定的禁行区、禁吊区正在限制塔机动作（黑建安监〔2011〕3号、"
        "重庆市塔机监管平台接口要求监测）",
        what="黑匣子区域限位正在干预",
        what_en="the box's zone limiter is intervening",
        action="确认吊钩位置，不得强行驶入限制区域",
        action_en="check where the hook is; do not force it into the restricted zone",
        normal="区域限位未干预",
        normal_en="zone limiter not intervening",
    ),
}


@dataclass
class _Zeros:
    count: int = 0  # readings of 0 in a row while the flag's alert is open
    since: float = 0.0  # ts of the first of them


class SafetyDevices:
    """The safety-device status bits of every crane and hoist, one alert per (device, flag)."""

    def __init__(self, clear_samples: int = CLEAR_SAMPLES, clear_s: float = CLEAR_S) -> None:
        self._clear_samples = clear_samples
        self._clear_s = clear_s
        self._memory = LevelMemory()
        self._zeros: dict[tuple[str, str], _Zeros] = {}

    def evaluate(
        self, kind: str, device: str, name: str, metric: str, value: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The ``<kind>.safety_device`` verdict for one reading of one flag (value 1 set, 0 clear); None
        for a metric this rule does not judge, a flag the kind's box does not report (its declaration's
        ``flags``, contract/kinds/), or when nothing changed to report."""
        flag = FLAGS.get(metric)
        if flag is None or metric not in registry.get(kind).flags or not math.isfinite(value):
            return None  # a reading that says nothing neither raises nor clears
        key = (device, metric)
        current = self._memory.get(device, metric)
        level: Level | None
        held = False
        if value >= 0.5:
            self._zeros.pop(key, None)
            level = flag.level
        elif current is None:
            level = None
        else:
            zeros = self._zeros.setdefault(key, _Zeros(0, ts))
            zeros.count += 1
            if zeros.count >= self._clear_samples and ts - zeros.since >= self._clear_s:
                del self._zeros[key]
                level = None
            else:
                level, held = current, True

        def build() -> RuleResult:
            if level is None:
                what, what_en = f"{name} {flag.normal}", f"{name} {flag.normal_en}"
            elif held:
                what = f"{name} {flag.what}（信号已复位，持续 {self._clear_s:g} s 正常后解除）"
                what_en = f"{name} {flag.what_en} (signal back to 0, clears after {self._clear_s:g} s of it)"
            else:
                what, what_en = f"{name} {flag.what}", f"{name} {flag.what_en}"
            return RuleResult(
                rule=kind + SUFFIX,
                device=device,
                point=metric,
                level=level,
                ts=ts,
                clause=flag.clause,
                value=1.0 if value >= 0.5 else 0.0,
                threshold=1.0,
                unit="",
                message=pick(level, what, flag.action),
                message_en=pick_en(level, what_en, flag.action_en),
                details={"flag": metric},
                backfill=backfill,
            )

        return self._memory.report(device, metric, level, build)


def history_s(site: SiteConfig, clear_samples: int = CLEAR_SAMPLES, clear_s: float = CLEAR_S) -> float:
    """Seconds of history that carry a flag's open alert and the run of zeros that may clear it."""
    flagged = {k.name for k in registry.kinds() if k.flags}
    return max(
        (
            max(clear_s, clear_samples * d.poll_interval_s) + d.poll_interval_s
            for d in site.devices
            if d.kind in flagged
        ),
        default=0.0,
    )


def probes(kind: Kind, dev: DeviceConfig) -> list[Probe]:
    """The limit probes of ``kind``'s safety-device flags on ``dev`` (rules/probes.py): each bit set, then
    read 0 for ``CLEAR_SAMPLES`` readings spanning ``CLEAR_S``."""
    return [
        Probe(
            f"{kind.name}{SUFFIX}",
            dev.id,
            flag,
            beyond=(1.0,),
            clear=0.0,
            interval_s=dev.poll_interval_s,
            clear_after_s=max(CLEAR_S, (CLEAR_SAMPLES - 1) * dev.poll_interval_s),
            alert=(dev.id, flag),
        )
        for flag in kind.flags
        if flag in FLAGS
    ]
