"""crane.jacking_motion: inside a jacking window the crane must not slew, travel its trolley or hoist
(不得进行起升、回转、变幅等操作) while the tower is unbalanced or unbolted (standards.md §10: a slew of
more than 1° is critical). Motion is judged against where the crane stood when the window opened, or
where it last stood still once an alert of the window cleared (kinds/crane/standing.py): never sample to
sample, so a slow steady slew under the noise at every step fires once its sum is beyond it (大于: a
change of exactly the noise is still). Critical: the climbing frame carries an unbalanced top.

Once fired, the alert holds while the crane keeps moving and clears only after it has stood still for
``still_s`` (every motion within half its noise, complete samples one poll apart): missing motions, a
gap or a silence restart that count, and never clear it. Where it stopped is then where it must stay.
"""

from __future__ import annotations

from contract.alert_event import Level
from kinds.crane.jacking_window import window_closed
from kinds.crane.standing import METRICS, MOTIONS, STILL_BAND, STILL_GAP, Standing, moved, noise_of
from kinds.crane.thresholds import CraneJackingRule
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "crane.jacking_motion"
CLAUSE = (
    "JGJ 196-2010 第3.4节 顶升过程中应保持塔机平衡，不得进行起升、回转、变幅等操作，回转机构应制动"
    "（起重机械安装拆卸作业安全要点第9条；条款号未核实）"
)


class JackingMotion:
    """Motion of each crane inside its jacking window."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._still: dict[str, dict[str, float]] = {}  # where each crane must stay (its reference)
        self._standing: dict[str, Standing] = {}  # where each crane stands now, and since when

    def start(self, device: str, kinematics: dict[str, float]) -> None:
        """A window opens: the crane's position now is where it must stay."""
        self._still[device] = dict(kinematics)
        self._standing[device] = Standing()

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
        for metric in METRICS:  # a motion first reported inside the window: where it is, it stays
            if metric not in still and metric in kinematics:
                still[metric] = kinematics[metric]
        standing = self._standing.setdefault(device, Standing())
        noise = noise_of(cfg)
        complete = all(m in changed for m in METRICS if m in kinematics)
        standing.see(kinematics, complete, noise, STILL_BAND, interval_s * STILL_GAP, ts)
        away = moved(kinematics, still, noise)
        level: Level | None = "critical" if away else None
        if self._memory.get(device) is not None:
            if standing.still_for(ts) >= cfg.still_s:
                level = None  # stood still long enough: where it stands is where it must stay now
                self._still[device] = standing.place()
            elif not away:
                return None  # back within the noise of its place, but not proven still: the alert holds
            else:
                level = "critical"

        def build() -> RuleResult:
            if level is not None:
                parts = [(MOTIONS[i], round(d, 2)) for i, d in away]
                what = f"{name}顶升作业中{'、'.join(f'{m[1]} {d:g}{m[3]}' for m, d in parts)}"
                what_en = f"{name}: {', '.join(f'{m[2]} {d:g}{m[3]}' for m, d in parts)} during jacking"
            else:
                what = f"{name}顶升作业中塔吊已静止 {cfg.still_s:g} s"
                what_en = f"{name} still for {cfg.still_s:g} s during jacking"
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=round(away[0][1], 2) if level is not None else 0.0,
                message=pick(level, what, "立即停止回转、变幅和起升，制动回转机构，恢复配平后方可继续顶升"),
                message_en=pick_en(
                    level, what_en, "stop slewing, trolley and hoist at once, brake the slew, rebalance"
                ),
                details={"motions": [MOTIONS[i][2] for i, _ in away] if level is not None else []},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)

    def end(self, device: str, name: str, ts: float) -> RuleResult | None:
        """The window closes: a motion alert clears (the tower is bolted again)."""
        self._still.pop(device, None)
        self._standing.pop(device, None)
        return window_closed(self._memory, RULE, CLAUSE, device, name, ts)
