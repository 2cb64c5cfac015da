"""device.offline: no reading for warning_intervals poll intervals = warning, for alarm_after_s
(at least alarm_intervals intervals for slow devices such as pits) = alarm. The monitoring is
itself a safety device: a silent black box is a failed one (建质规〔2024〕5号 Art. 8 (四)), a deep
pit without monitoring a major hazard (Art. 5 (三)). Time limits: practice. Which kinds are watched, and the
clause each kind's alert cites, their declarations say (contract/kinds/).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Final

from contract.alert_event import Level
from contract.config.device import DeviceConfig
from contract.config.rules import DeviceOfflineRule
from contract.config.site import SiteConfig
from contract.kinds import registry
from contract.kinds.kind import Kind
from rules.heard import Stop
from rules.levels import LevelMemory
from rules.probes import Probe
from rules.result import RuleResult, rank
from rules.wording import pick, pick_en

RULE: Final = "device.offline"
ACTIONS = {
    "warning": "检查设备供电与通讯",
    "alarm": "检查设备供电与通讯，恢复监测前停止相关危险作业",
}
ACTIONS_EN = {
    "warning": "check the device's power and link",
    "alarm": "check the device's power and link; stop the work it watches until monitoring is back",
}
# which devices are watched, and the clause each cites, is each kind's declaration (contract/kinds/)


@dataclass
class _Watch:
    last_seen: float  # when the gateway last heard it, by its own clock (seen's ``heard``)
    driver_offline: str = ""  # the driver's reason while it reports the device offline
    # the memory's rearm count when the device was found online and quiet (LevelMemory.quiet); -1 once
    # a level is reported: while it is the memory's count, a sample's seen() needs no look at the memory
    quiet_at: int = -1


class DeviceOffline:
    """Tracks when each device last sent a fresh reading."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._watch: dict[str, _Watch] = {}
        # moves on whenever a device's time limit may come nearer than a bound calm_until() gave:
        # a device watched for the first time, a clock step, or resume() (seen() only puts it off)
        self.version = 0

    def calm_until(self, limits: Iterable[tuple[str, float]]) -> float:
        """An instant before which :meth:`tick` finds nothing for any of ``limits`` (device, its
        shorter time limit: warning_intervals × interval, or the alarm's limit if that is shorter),
        as long as :attr:`version` stays the same: the live gateway ticks every second and replay at
        every instant, and all but a few of those ticks find every device within its limits.

        Kept a little short of the exact instant, so that no rounding of ``now - last_seen`` against
        the limit in :meth:`tick` can reach a limit before it (a tick then runs in full, as always)."""
        bound = math.inf
        watches = self._watch
        for device, limit in limits:
            watch = watches.get(device)
            if watch is not None and watch.last_seen + limit < bound:
                bound = watch.last_seen + limit
        return bound - abs(bound) * 1e-12 - 1e-9 if bound < math.inf else bound

    def seen(
        self, device: str, ts: float, name: str, clause: str, backfill: bool, heard: float | None = None
    ) -> RuleResult | None:
        """A fresh reading stamped ``ts``: the device is online (resolves its offline alert). ``heard``: when
        the gateway got it, by the clock :meth:`tick`'s ``now`` and :meth:`clock_stepped` read (None: at
        ``ts``, as replay judges history). A silence is measured on that one clock: a device's own stamps are
        its clock's, which may run ahead or behind the gateway's or step at another moment (a device stamping
        by the gateway's old clock, a reading in flight across a step), so measured against the gateway's
        ``now`` they would invent a silence or hide a real one for as long as the two clocks differ."""
        at = ts if heard is None else heard
        watch = self._watch.get(device)
        memory = self._memory
        if watch is None:
            watch = self._watch[device] = _Watch(at)
            self.version += 1
        else:
            if at > watch.last_seen:  # not max(): this runs for every sample of every device
                watch.last_seen = at
            watch.driver_offline = ""
            if watch.quiet_at == memory.rearms or memory.quiet(device):
                # online and known online (every sample of a working device)
                watch.quiet_at = memory.rearms
                return None
        watch.quiet_at = memory.rearms  # a report of None leaves it quiet
        # reported even when nothing was known offline: after a restart the alert may still be open
        return memory.report(
            device,
            "",
            None,
            lambda: RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=None,
                ts=ts,
                clause=clause,
                value=0.0,
                unit="s",
                message=pick(None, f"{name} 设备在线", ""),
                message_en=pick_en(None, f"{name} online", ""),
                backfill=backfill,
            ),
        )

    def resume(self, now: float, stop: Stop | None = None) -> None:
        """After a warm-up: the gateway's own downtime is not the devices' silence, so every device gets its
        full time limits again from ``now``, and only them: the warm-up's history is judged at its readings' own
        stamps, which a device's clock ahead of the gateway's puts after ``now``, and the live gateway measures
        from when it hears a device. A device offline at the ``stop`` goes on from the silence it had reached
        (rules/heard.py), so that its warning becomes the alarm when that silence passes the alarm's limit, not
        a whole limit after the start, and is not lowered meanwhile."""
        carry = (stop or Stop()).rule(RULE, self._memory)
        for device, watch in self._watch.items():
            watch.last_seen = carry.heard(device, "", watch.last_seen, now)
        self.version += 1  # a limit may come nearer: the stamps ahead put calm_until's bound past it

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` (NTP, an RTC set by hand) and reads ``now``: the time it
        skipped, or went back, is not the devices' silence, so the last-seen times move with it (never
        past ``now``: a reading stamped by the new clock may have come before the step was noticed)."""
        for watch in self._watch.values():
            watch.last_seen = min(watch.last_seen + step_s, now)
        self.version += 1

    def driver_status(
        self, device: str, online: bool, reason: str, ts: float, name: str, interval_s: float, clause: str
    ) -> RuleResult | None:
        """The driver says the device stopped (or resumed) answering: at least a warning at once."""
        watch = self._watch.get(device)
        if watch is None:
            watch = self._watch[device] = _Watch(ts)
            self.version += 1
        watch.driver_offline = "" if online else (reason or "no answer")
        if online or self._memory.get(device) is not None:
            return None
        silent = ts - watch.last_seen
        watch.quiet_at = -1
        return self._memory.report(
            device,
            "",
            "warning",
            lambda: self._result(
                device, name, "warning", ts, silent, interval_s, clause, watch.driver_offline
            ),
        )

    def tick(
        self, now: float, device: str, name: str, interval_s: float, cfg: DeviceOfflineRule, clause: str
    ) -> list[RuleResult]:
        """Levels reached by ``now``, each stamped with the instant its limit passed."""
        watch = self._watch.get(device)
        if watch is None:
            return []  # never heard of: the driver's status reports it
        silent = now - watch.last_seen
        if silent <= shorter_limit(cfg, interval_s):
            return []  # within both limits below (what nearly every tick finds): no level reached
        limits: list[tuple[Level, float]] = [
            ("warning", cfg.warning_intervals * interval_s),
            ("alarm", max(cfg.alarm_after_s, cfg.alarm_intervals * interval_s)),
        ]
        out = []
        for level, after in limits:
            if now - watch.last_seen > after and rank(level) > rank(self._memory.get(device)):
                at = watch.last_seen + after
                watch.quiet_at = -1
                result = self._memory.report(
                    device,
                    "",
                    level,
                    partial(
                        self._result, device, name, level, at, after, interval_s, clause, watch.driver_offline
                    ),
                )
                if result is not None:
                    out.append(result)
        return out

    @staticmethod
    def _result(
        device: str,
        name: str,
        level: Level,
        ts: float,
        silent_s: float,
        interval_s: float,
        clause: str,
        reason: str,
    ) -> RuleResult:
        why = f"（{reason}）" if reason else ""
        what = f"{name} 已 {silent_s:.0f} 秒无数据{why}，监测失效"
        what_en = f"{name} silent for {silent_s:.0f} s{f' ({reason})' if reason else ''}: not monitored"
        return RuleResult(
            rule=RULE,
            device=device,
            point="",
            level=level,
            ts=ts,
            clause=clause,
            value=round(silent_s, 1),
            threshold=round(silent_s, 1),
            unit="s",
            message=pick(level, what, ACTIONS.get(level, ACTIONS["alarm"])),
            message_en=pick_en(level, what_en, ACTIONS_EN.get(level, ACTIONS_EN["alarm"])),
            details={"interval_s": interval_s},
        )


def shorter_limit(cfg: DeviceOfflineRule, interval_s: float) -> float:
    """The silence (s) past which a device polled every ``interval_s`` reaches a level: the warning's
    limit, or the alarm's where that is the shorter."""
    return min(cfg.warning_intervals * interval_s, max(cfg.alarm_after_s, cfg.alarm_intervals * interval_s))


def history_s(site: SiteConfig) -> float:
    """Seconds of history that carry the offline levels reached before a stop: the longest limit."""
    needed = 0.0
    for d in site.devices:
        if registry.get(d.kind).watched:
            cfg = site.rules.for_device(d.id, "device_offline")
            assert isinstance(cfg, DeviceOfflineRule)
            needed = max(needed, cfg.alarm_after_s, (cfg.alarm_intervals + 1) * d.poll_interval_s)
    return needed


def probes(kind: Kind, dev: DeviceConfig, cfg: DeviceOfflineRule) -> list[Probe]:
    """The limit probe of ``dev``'s silence (rules/probes.py): heard once, then no reading for longer than
    its warning limit, then a reading of its kind's first numeric metric (at its first point, for a
    multi-point device)."""
    if not kind.watched or not kind.metrics:
        return []
    points = sorted(dev.point_codes() or ())
    metric = next((m for m in kind.metrics if not m.text and m.name not in kind.device_metrics), None)
    if metric is None:
        return []
    interval, point = dev.poll_interval_s, points[0] if points else ""
    return [
        Probe(
            RULE,
            dev.id,
            metric.name,
            point=point,
            setup=((dev.id, point, {metric.name: 0.0}),),  # seen once: a device never heard of is not lost
            interval_s=interval,
            beyond=(None,),
            clear=0.0,
            fire_after_s=max(interval * cfg.warning_intervals, 0.0) + 2 * interval,
            alert=(dev.id, ""),
            link_only=True,
        )
    ]
