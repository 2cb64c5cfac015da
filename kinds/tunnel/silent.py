"""tunnel.silent: a monitoring point without a valid reading for more than ``silent_intervals`` of its
reporting intervals, while its system reports, is an alarm (GB 50911-2013 §9.1.5: a warning that is never
measured is never reported; 建质规〔2024〕5号 Art. 13(三): works without 监控量测 are a major hazard).

A total station's prism hidden by plant or a static level's cable cut leaves the system online (so no
device.offline) with one point blind. A point's clock starts at its system's first reading (a point that
never reports is silent too) and at each of its own valid readings; a reading the sensor cannot give is no
proof the point is watched, so it does not stop the clock. A reading again ends the alarm. A system the
gateway has not heard for longer than a point's allowance is not reporting (device.offline's): its points are
judged once it reports again. A point's silence runs on the system's own clock between its reports, so a data
logger's backlog, oldest first, blames only the point its reports went on without, and no point for the hours
its later reports still cover.
"""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from rules.heard import HeardTimes, Stop
from rules.levels import LevelMemory, banded_result, crosses
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "tunnel.silent"
CLAUSE = (
    "GB 50911-2013 第9.1.5条（强制性条文）监测数据达到预警标准时必须进行警情报送，测点中断即无法判定预警；"
    "建质规〔2024〕5号 第十三条(三) 未按要求进行监控量测属重大事故隐患（中断时限为行业惯例，可配置）"
)


class TunnelSilent:
    """Every tunnel point's last valid reading, per system.

    A point's silence is two parts on two clocks: how long the system's own reports have gone on without the
    point, by the system's stamps (a logger's backlog carries its times: served at once, it still tells which
    point its hours went on without), and how long since the gateway last heard the system, by the gateway's
    clock (rules/heard.py). Neither part compares a stamp with the gateway's clock, so a system's clock set
    ahead of the gateway's or behind it hides no silence and invents none. In replay the system is heard at its
    stamps, and the two parts add up to the silence from the point's last stamp, as they always did."""

    def __init__(self) -> None:
        # by the system's own clock: its first reading (its points' clocks start there), its latest reading
        # (valid or not) and each point's latest valid reading
        self._started: dict[str, float] = {}
        self._latest: dict[str, float] = {}
        self._seen: dict[tuple[str, str], float] = {}
        self._heard = HeardTimes()  # (device, ""): when the gateway last heard the system, by its own clock
        self._memory = LevelMemory()

    def heard(self, device: str, ts: float, at: float) -> None:
        """A reading of ``device``, valid or not, stamped ``ts``, heard at ``at``: its points are expected from
        now on."""
        self._started.setdefault(device, ts)
        self._latest[device] = max(self._latest.get(device, ts), ts)
        self._heard.hear((device, ""), at)

    def seen(self, device: str, name: str, point: str, ts: float, at: float) -> RuleResult | None:
        """A valid reading of ``point`` stamped ``ts``, heard at ``at``: its silence (if any) is over."""
        self.heard(device, ts, at)
        self._seen[(device, point)] = max(self._seen.get((device, point), ts), ts)
        if self._memory.get(device, point) is None:
            return None
        return self._memory.report(
            device, point, None, partial(_result, device, name, point, None, 0.0, 0.0, ts)
        )

    def tick(self, now: float, device: str, name: str, points: list[tuple[str, float]]) -> list[RuleResult]:
        """Alarms for ``points`` ((code, seconds allowed)) of ``device`` silent longer than allowed at ``now``."""
        heard = self._heard.get((device, ""))
        if heard is None:
            return []
        started, latest = self._started[device], self._latest[device]
        out: list[RuleResult] = []
        for code, allowed in points:
            if crosses(now - heard, allowed, strict=True):
                continue  # the system is not reporting either: its later reports may still bring the point
            silent = latest - self._seen.get((device, code), started) + (now - heard)
            # more than the allowed time: a point reporting exactly on time is not silent
            if crosses(silent, allowed, strict=True) and self._memory.get(device, code) is None:
                found = self._memory.report(
                    device, code, "alarm", partial(_result, device, name, code, "alarm", silent, allowed, now)
                )
                if found is not None:
                    out.append(found)
        return out

    def stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: silences measured across the step. A
        system takes its time from the site's source as the gateway does (the demo's share one clock), so its
        stamps are taken to step with it: a point silent at the step keeps its silence, not the step's size."""
        self._heard.stepped(step_s, now)
        self._started = {device: ts + step_s for device, ts in self._started.items()}
        self._latest = {device: ts + step_s for device, ts in self._latest.items()}
        self._seen = {key: ts + step_s for key, ts in self._seen.items()}

    def restart(self, stop: Stop) -> None:
        """After a warm-up: the gateway was not listening before the start, so a silence is measured from there,
        not blamed on the points: each system's points from its first reading heard after the start. A point
        whose alarm was firing at the ``stop`` stays firing until it is heard (rules/heard.py)."""
        stop.rule(RULE, self._memory)
        self._heard = HeardTimes()
        self._started.clear()
        self._latest.clear()
        self._seen.clear()


def _result(
    device: str, name: str, point: str, level: Level | None, silent: float, allowed: float, ts: float
) -> RuleResult:
    what = f"{name} 测点 {point} {silent / 3600:.1f} 小时无有效数据" if level else f"{name} 测点 {point} 数据"
    what_en = (
        f"{name} point {point} without a valid reading for {silent / 3600:.1f} h"
        if level
        else f"{name} point {point}"
    )
    return banded_result(
        RULE,
        {"alarm": CLAUSE},
        device,
        level,
        ts,
        round(silent, 1),
        [("alarm", allowed)],
        "s",
        pick(level, what, "检查测点（棱镜遮挡、线缆、供电），恢复前人工监测并加强巡视"),
        {},
        False,
        pick_en(
            level,
            what_en,
            "check the point (prism hidden, cable, power) and measure by hand until it reports",
        ),
        point,
    )
