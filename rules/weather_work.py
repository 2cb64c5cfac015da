"""weather.work: a machine at work while a weather stop it obeys is in force (冒险作业).

Every judge tells the site of its machines' work (``Shared.work_seen``: a crane's loaded hook or any
slewing, trolley travel or hoisting, loaded or not, judged from where it stood rather than sample to sample
so that a slow slew is work too (kinds/crane/standing.py); a hoist running; a platform moving); each kind declares the stops it obeys (``Kind.weather_stops``), so this rule
knows no kind by name. Work seen while one of the machine's stops is in force is critical at once; it
clears when no stop of the machine is in force any more, or when the machine keeps reporting samples without
work for ``work_hold_s``. A machine that falls silent keeps its alert: silence is not proof that it stopped.
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import WeatherRule
from contract.weather import STOP_EN, STOP_ZH
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.weather_stops import WeatherStops
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "weather.work"
CLAUSE = (
    f"建质规〔2024〕5号 第十五条(二) 在恶劣天气下违规进行起重吊装、安装拆卸或高处作业，属冒险作业{MAJOR_ZH}"
)


class WeatherWork:
    """Per machine: the work last seen, its instant, and the stops it went against."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._seen: dict[str, tuple[float, tuple[str, str]]] = {}
        self._rest: dict[str, float] = {}  # a firing machine's first sample without work since its last work
        self.firing: set[str] = set()  # the machines with a weather.work alert (usually none)

    def work(
        self,
        device: str,
        what: tuple[str, str],
        obeys: frozenset[str],
        stops: WeatherStops,
        ts: float,
    ) -> RuleResult | None:
        """``device`` seen at work ``what`` at ``ts``; the verdict owed, if any."""
        self._seen[device] = (ts, what)
        self._rest.pop(device, None)
        return self._judge(device, what, obeys, stops, ts)

    def unproven(self, device: str, ts: float) -> None:
        """A sample of ``device`` at ``ts`` that proves neither work nor rest (a crane's sample without
        every motion, or the first after one or after a silence: it may have swung away and back): a
        firing machine's rest is counted again from a sample that proves it."""
        if device in self.firing:
            self._seen[device] = (ts, self._seen[device][1])
            self._rest.pop(device, None)

    def quiet(self, device: str) -> bool:
        """Whether ``device`` has no weather.work alert and owes no report (its work needs no look)."""
        return self._memory.quiet(device)

    def sample_seen(self, device: str, ts: float, cfg: WeatherRule, stops: WeatherStops) -> RuleResult | None:
        """A firing ``device`` reported a sample at ``ts``: once its samples have shown no work for
        ``work_hold_s``, counted from the first of them, it has stopped. Counted from its last work, a
        silence after it would count as rest: one sample at rest after a long silence ended the alert."""
        last, what = self._seen[device]
        if last == ts:
            return None  # at work in this very sample
        since = self._rest.setdefault(device, ts)
        if ts - since >= cfg.work_hold_s:
            return self._report(device, what, None, [], stops, ts)
        return None

    def tick(self, now: float, obeys: dict[str, frozenset[str]], stops: WeatherStops) -> list[RuleResult]:
        """Machines whose stops are no longer in force are cleared."""
        out: list[RuleResult] = []
        for device in list(self.firing):
            if not any(stops.why(s) for s in obeys.get(device, ())):
                found = self._report(device, self._seen[device][1], None, [], stops, now)
                if found is not None:
                    out.append(found)
        return out

    def _judge(
        self, device: str, what: tuple[str, str], obeys: frozenset[str], stops: WeatherStops, ts: float
    ) -> RuleResult | None:
        against = sorted(s for s in obeys if stops.why(s))
        level: Level | None = "critical" if against else None
        if level is None and self._memory.quiet(device):
            return None
        return self._report(device, what, level, against, stops, ts)

    def _report(
        self,
        device: str,
        what: tuple[str, str],
        level: Level | None,
        against: list[str],
        stops: WeatherStops,
        ts: float,
    ) -> RuleResult | None:
        if level:
            self.firing.add(device)
        else:
            self.firing.discard(device)
            self._rest.pop(device, None)
        if not self._memory.due(device, "", level):
            return None
        reasons = sorted({why for s in against for why in stops.why(s)})
        if level:
            message = pick(
                level,
                f"{'、'.join(reasons)}，应停止{'、'.join(STOP_ZH[s] for s in against)}，{what[0]}仍在进行",
                f"立即停止{what[0]}，按停工要求撤离人员；追查违章指挥、冒险作业责任",
            )
            message_en = pick_en(
                level,
                f"{what[1]} goes on while {', '.join(STOP_EN[s] for s in against)} must stop",
                f"stop {what[1]} at once and clear the people away",
            )
        else:
            message, message_en = (
                pick(None, f"{what[0]}已停止或停工条件已解除", ""),
                pick_en(None, f"{what[1]} stopped", ""),
            )
        return RuleResult(
            rule=RULE,
            device=device,
            point="",
            level=level,
            ts=ts,
            clause=CLAUSE,
            value=what[0],
            message=message,
            message_en=message_en,
            details={"stops": against, "causes": reasons},
        )
