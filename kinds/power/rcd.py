"""power.rcd: the RCD does not act (漏电保护器拒动). The box reports a residual current that has reached
(≥) its RCD's rated residual operating current IΔn while the RCD is still closed (not tripped, not
opened by hand) for longer than the RCD's rated operating time (``rcd_time_s``: a terminal box's
≤ 0.1 s, JGJ 46-2005 §8.2.10): the protection the two-level system rests on has failed, and the next
touch of a live case is unprotected. Critical at once: standards.md §17's practice, "leakage ≥ the
rating with no trip event → critical".

The time is measured between the box's readings, never guessed: the first sample that shows it starts
the clock, a later one past the rated time fires. It holds while the leakage stays within the clearing
band below IΔn and the RCD stays closed; a sample that does not report the leakage or the RCD's state
keeps the last one reported (a missing reading never clears it)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.power.clauses import RCD, RCD_2005
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "power.rcd"
CLAUSE = f"{RCD}：剩余电流达到额定漏电动作电流而漏电保护器未在额定动作时间内动作（拒动）；{RCD_2005}"


class PowerRcd:
    """Per box: when its leakage was first seen at IΔn with the RCD closed."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._since: dict[str, float] = {}

    def evaluate(
        self,
        device: str,
        name: str,
        rated_ma: float,
        rated_s: float,
        band: float,
        leakage_ma: float,
        energised: bool,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one sample: ``energised`` is the RCD closed (or bypassed) rather than tripped or
        opened."""
        current = self._memory.get(device)
        # 达到 the rating (on the line too); once firing, held down to the band below it
        over = banded_level(leakage_ma, [("critical", rated_ma)], current, band, strict=False) is not None
        level: Level | None = None
        if over and energised:
            since = self._since.setdefault(device, ts)
            if current is not None or ts - since > rated_s:
                level = "critical"
        else:
            self._since.pop(device, None)

        def build() -> RuleResult:
            lasted = ts - self._since.get(device, ts)
            what = (
                f"{name} 剩余电流 {leakage_ma:g} mA 已达漏电保护器额定动作电流 {rated_ma:g} mA，"
                f"{lasted:.1f} s 仍未动作（额定动作时间 {rated_s:g} s）"
                if level
                else f"{name} 漏电保护器"
            )
            what_en = (
                f"{name} residual current {leakage_ma:g} mA has reached its RCD's {rated_ma:g} mA and the RCD "
                f"has not tripped in {lasted:.1f} s (rated {rated_s:g} s)"
                if level
                else f"{name} RCD"
            )
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=leakage_ma,
                threshold=rated_ma,
                unit="mA",
                message=pick(
                    level,
                    what,
                    "立即就地断开该箱上级电源，停止该回路全部作业，更换漏电保护器并试跳合格后方可送电",
                ),
                message_en=pick_en(
                    level,
                    what_en,
                    "switch off the supply above this box on site, stop all work on the circuit, replace the "
                    "RCD and test it before power is restored",
                ),
                details={"rcd_rated_ma": rated_ma, "rcd_time_s": rated_s, "lasted_s": round(lasted, 2)},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
