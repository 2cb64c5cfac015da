"""hoist.door: the cage must never move with a door or the roof hatch open: cage door, landing
doors and roof hatch each have a mechanical lock and an electrical interlock (Guangdong hoist
self-inspection form 2.4.8, 2.4.1, 1.1.4). A moving cage with one open is critical at once: no
wait for a second sample, since one second of it can kill."""

from __future__ import annotations

from contract.alert_event import Level
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "hoist.door"
CLAUSE = (
    "施工升降机 吊笼门、层门、天窗 机械锁止与电气联锁，门未关闭吊笼不得运行（广东省施工升降机自检表 2.4.8、"
    f"2.4.1、1.1.4）；联锁失效属 建质规〔2024〕5号 第八条(四) {MAJOR_ZH}"
)
DOORS = {1: ("吊笼门", "cage door"), 2: ("层门", "landing door"), 3: ("天窗", "roof hatch")}


class HoistDoor:
    """A moving cage with any door open, per hoist."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        moving: bool,
        speed_ms: float,
        door_state: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The hoist.door verdict for one sample (``door_state``: 0 closed, 1 cage, 2 landing, 3 hatch)."""
        state = round(door_state)
        level: Level | None = "critical" if moving and state != 0 else None
        door, door_en = DOORS.get(state, (f"门状态 {state}", f"door state {state}"))

        def build() -> RuleResult:
            if level:
                way, way_en = ("上行", "up") if speed_ms > 0 else ("下行", "down")
                what = f"{name} {door}未关闭，吊笼{way} {abs(speed_ms):.2f} m/s"
                what_en = f"{name} moving {way_en} at {abs(speed_ms):.2f} m/s with the {door_en} open"
            else:
                what, what_en = f"{name} 门联锁", f"{name} door interlock"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                # a state, not a figure: its words, so no screen shows "peak 2 (limit 0)"
                value="门已关闭" if state == 0 else f"{door}未关闭",
                unit="",
                message=pick(level, what, "立即停梯，关闭所有门后检查门锁与电气联锁，查明前停止使用"),
                message_en=pick_en(
                    level, what_en, "stop the cage, close every door, check the locks and interlocks"
                ),
                details={"door": door, "speed_ms": speed_ms},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)
