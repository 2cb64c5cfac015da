"""shield.leak 盾尾铰接渗漏: the PLC reports a leak at the tail seal (盾尾密封) or at the articulation (铰接, the
article's 铰链部位), each its own alert (point tail_seal, articulation).

- while the machine advances (its advance rate above ``rules.shield.advancing_mm_min``, 0 by default: any
  movement): **critical**, the major hazard of 建质规〔2024〕5号 Art. 13(五), 盾尾密封失效、铰链部位发生渗漏
  仍继续掘进;
- while it is stopped (the rate at or below that), or before any rate has been read: **alarm**. The article is
  about the drive going on with the leak, so a stopped machine is not that hazard, and the clause says so;
  advancing again before the leak is dealt with makes it one.

A flag reads 0 (sealed) or 1 (leaking); anything above 0 up to 1 is a leak (a fraction can only be a
mis-scaled 1, never read as the leak stopped). Only a fresh 0 ends the alert: the judge passes no stale,
faulty or out-of-range reading here (the last sound one stands), and a silence is device.offline's. The
advance rate is the last sound one read, so a rate gone missing keeps a critical leak critical."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.shield.clauses import ART_13_5
from kinds.shield.kind import ARTICULATION, TAIL_SEAL
from kinds.shield.words import at_ring
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "shield.leak"
SEALS: dict[str, tuple[str, str, str]] = {
    TAIL_SEAL: ("tail_seal", "盾尾密封", "tail seal"),
    ARTICULATION: ("articulation", "铰接（铰链）部位", "articulation"),
}
"""Each flag's point in its alerts, and its Chinese and English names."""
CLAUSES: dict[str, str] = {
    "critical": f"{ART_13_5}属{MAJOR_ZH}",
    "alarm": f"盾构未在掘进（推进速度未超过掘进判定值，或未读到）：不构成 {ART_13_5}所列{MAJOR_ZH}；"
    "渗漏处理前恢复掘进即属该项",
}
ACTIONS: dict[str, tuple[str, str]] = {
    "critical": (
        "立即停止掘进，查明渗漏原因并处理，确认密封有效后方可恢复掘进，并按重大事故隐患报告",
        "stop advancing now, find and stop the leak, advance again only once the seal holds, and report it "
        "as a major hazard",
    ),
    "alarm": (
        "处理渗漏并确认密封有效，此前不得恢复掘进",
        "deal with the leak and make sure the seal holds; do not advance until then",
    ),
    "unknown": (
        "立即确认盾构已停止掘进，处理渗漏并确认密封有效，此前不得恢复掘进",
        "make sure the machine has stopped advancing, deal with the leak and make sure the seal holds; do not "
        "advance until then",
    ),
}


class ShieldLeak:
    """Each machine's two seals."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        metric: str,
        flag: float,
        advance_mm_min: float | None,
        advancing_mm_min: float,
        ring: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of ``metric``'s flag with the last advance rate read (None: none yet)."""
        point, zh, en = SEALS[metric]
        leaking = flag > 0
        advancing = advance_mm_min is not None and advance_mm_min > advancing_mm_min
        level: Level | None = None if not leaking else "critical" if advancing else "alarm"

        def build() -> RuleResult:
            at, at_en = at_ring(ring)
            if level is None:
                what, what_en, action = f"{name}{at} {zh}未报渗漏", f"{name}{at_en}: no {en} leak", ("", "")
            elif advance_mm_min is None:
                what = f"{name}{at} {zh}渗漏，未读到推进速度（掘进状态未知）"
                what_en = f"{name}{at_en}: {en} leak, no advance rate read (advancing or not unknown)"
                action = ACTIONS["unknown"]
            elif advancing:
                what = f"{name}{at} {zh}渗漏，盾构仍在掘进（推进速度 {advance_mm_min:g} mm/min）"
                what_en = f"{name}{at_en}: {en} leak while advancing ({advance_mm_min:g} mm/min)"
                action = ACTIONS["critical"]
            else:
                what = f"{name}{at} {zh}渗漏，盾构已停止掘进"
                what_en = f"{name}{at_en}: {en} leak, the machine stopped"
                action = ACTIONS["alarm"]
            details: dict[str, float | str | list[str]] = {"seal": zh, "advancing_mm_min": advancing_mm_min}
            if advance_mm_min is not None:
                details["advance_mm_min"] = advance_mm_min
            return RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=CLAUSES[level or "critical"],
                value=1.0 if leaking else 0.0,
                threshold=None,  # a flag has no limit to be worse against
                unit="",
                message=pick(level, what, action[0]),
                message_en=pick_en(level, what_en, action[1]),
                details=details,
                backfill=backfill,
            )

        return self._memory.report(device, point, level, build)
