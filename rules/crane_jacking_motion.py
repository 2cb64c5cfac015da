"""crane.jacking_motion: inside a jacking window the crane must not slew, travel its trolley or hoist
(不得进行起升、回转、变幅等操作) while the tower is unbalanced or unbolted (standards.md §10). Motion is
seen in successive black-box samples: the slew angle, the radius or the hook height moved beyond its
noise (大于: a change of exactly the noise is still) from where the crane last stood still. Critical:
the climbing frame carries an unbalanced top. It clears once two samples in a row, one poll apart, each
with every motion, show the crane still: one such sample after motion, a gap or a silence proves nothing.
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import CraneJackingRule
from rules.crane_jacking_window import window_closed
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "crane.jacking_motion"
CLAUSE = (
    "JGJ 196-2010 第3.4节 顶升过程中应保持塔机平衡，不得进行起升、回转、变幅等操作，回转机构应制动"
    "（起重机械安装拆卸作业安全要点第9条；条款号未核实）"
)
STILL_GAP = 1.5  # polls: two still samples further apart than this have a silence between them
# (metric, Chinese motion, English motion, the rule's noise field, unit)
MOTIONS = (
    ("slew_deg", "回转", "slewing", "slew_noise_deg", "°"),
    ("radius_m", "变幅（小车行走）", "trolley travel", "radius_noise_m", " m"),
    ("height_m", "起升", "hoisting", "height_noise_m", " m"),
)


def _change(metric: str, now: float, before: float) -> float:
    """How far ``metric`` moved; a slew the short way round (359° to 1° is 2°)."""
    d = abs(now - before)
    if metric != "slew_deg":
        return d
    d %= 360.0
    return min(d, 360.0 - d)


class JackingMotion:
    """Motion of each crane inside its jacking window."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._still: dict[str, dict[str, float]] = {}  # where each crane last stood still
        self._quiet: dict[str, float] = {}  # when a moving crane's last sample showed no motion

    def start(self, device: str, kinematics: dict[str, float]) -> None:
        """A window opens: the crane's position now is where it must stay."""
        self._still[device] = dict(kinematics)

    def evaluate(
        self,
        device: str,
        name: str,
        kinematics: dict[str, float],
        changed: set[str],
        cfg: CraneJackingRule,
        interval_s: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one sample inside the window (``changed``: the metrics it reported;
        ``interval_s``: the crane's poll interval)."""
        still = self._still.setdefault(device, {})
        moved: list[tuple[str, str, float, str]] = []
        for metric, zh, en, noise_field, unit in MOTIONS:
            now = kinematics.get(metric)
            if now is None:
                continue
            before = still.setdefault(metric, now)
            change = _change(metric, now, before)
            if crosses(change, getattr(cfg, noise_field), strict=True):
                moved.append((zh, en, round(change, 2), unit))
        if moved:
            still.update(kinematics)  # the crane stands here now: it clears once it stops
        level: Level | None = "critical" if moved else None
        reported = {m for m, *_ in MOTIONS if m in kinematics}
        if (
            level is None
            and self._memory.get(device) is not None
            and not self._proven_still(device, reported <= changed, interval_s, ts)
        ):
            return None  # the crane is not known to have stopped
        self._quiet.pop(device, None)

        def build() -> RuleResult:
            if moved:
                what = f"{name}顶升作业中{'、'.join(f'{zh} {c:g}{u}' for zh, _, c, u in moved)}"
                what_en = f"{name}: {', '.join(f'{en} {c:g}{u}' for _, en, c, u in moved)} during jacking"
            else:
                what, what_en = f"{name}顶升作业中塔吊静止", f"{name} still during jacking"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=moved[0][2] if moved else 0.0,
                message=pick(level, what, "立即停止回转、变幅和起升，制动回转机构，恢复配平后方可继续顶升"),
                message_en=pick_en(
                    level, what_en, "stop slewing, trolley and hoist at once, brake the slew, rebalance"
                ),
                details={"motions": [en for _, en, *_ in moved]},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)

    def _proven_still(self, device: str, complete: bool, interval_s: float, ts: float) -> bool:
        """Whether a sample with no motion (``complete``: it reported every motion) proves a crane seen
        moving has stopped: only the second such sample in a row, one poll after the first. One alone
        proves nothing after motion, a sample without the motions or a silence: the hook may have swung
        away and back in between (a slew of +3° then -3° reads as no change)."""
        if not complete:
            self._quiet.pop(device, None)
            return False
        before, self._quiet[device] = self._quiet.get(device), ts
        return before is not None and ts - before <= interval_s * STILL_GAP

    def end(self, device: str, name: str, ts: float) -> RuleResult | None:
        """The window closes: a motion alert clears (the tower is bolted again)."""
        self._still.pop(device, None)
        self._quiet.pop(device, None)
        return window_closed(self._memory, RULE, CLAUSE, device, name, ts)
