"""crane.jacking_balance: before and while jacking the crane is balanced (配平) by hooking the manual's load
at the manual's radius, so jib and counter-jib balance on the climbing frame (standards.md §10). A hook
load or radius outside the configured tolerance of the balance point (超出: exactly at the tolerance is
within it) is an alarm; a crane with no balance point configured is not judged (check-config says so).
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.crane import JackingBalance
from kinds.crane.jacking_window import window_closed
from kinds.crane.thresholds import CraneJackingRule
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "crane.jacking_balance"
CLAUSE = (
    "JGJ 196-2010 第3.4节 顶升前应将回转下支座与顶升套架连接，并按说明书配平，使起重臂与平衡臂保持平衡"
    f"（起重机械安装拆卸作业安全要点第9条；条款号未核实）；容差{PRACTICE_ZH}"
)


class JackingBalanceCheck:
    """Balance of each crane inside its jacking window."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        balance: JackingBalance,
        load_t: float | None,
        radius_m: float | None,
        cfg: CraneJackingRule,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one sample (None without both the load and the radius: nothing is cleared)."""
        if load_t is None or radius_m is None:
            return None
        load_off, radius_off = abs(load_t - balance.load_t), abs(radius_m - balance.radius_m)
        load_tol = balance.load_t * cfg.balance_load_pct / 100
        off = crosses(load_off, load_tol, strict=True) or crosses(
            radius_off, cfg.balance_radius_m, strict=True
        )
        level: Level | None = "alarm" if off else None
        if level is None and self._memory.quiet(device):
            return None

        def build() -> RuleResult:
            what = (
                f"{name}顶升配平：吊重 {load_t:g} t、幅度 {radius_m:g} m，"
                f"平衡点 {balance.load_t:g} t、{balance.radius_m:g} m"
                f"（容差 ±{load_tol:g} t、±{cfg.balance_radius_m:g} m）"
            )
            what_en = (
                f"{name} jacking balance: {load_t:g} t at {radius_m:g} m, balance point "
                f"{balance.load_t:g} t at {balance.radius_m:g} m"
            )
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=round(load_t, 3),
                threshold=balance.load_t,
                unit="t",
                message=pick(level, what, "停止顶升，按说明书吊起配平重物并将小车开到平衡幅度后再继续"),
                message_en=pick_en(
                    level, what_en, "stop jacking; hook the balance load at the balance radius first"
                ),
                details={"radius_m": round(radius_m, 2), "balance_radius_m": balance.radius_m},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)

    def end(self, device: str, name: str, ts: float) -> RuleResult | None:
        """The window closes: an imbalance alert clears."""
        return window_closed(self._memory, RULE, CLAUSE, device, name, ts)
