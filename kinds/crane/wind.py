"""crane.wind: wind at the jib (JGJ 276-2012 §3.0.12; Shenzhen regulator interface).

The alert's device is the anemometer (or a crane reporting its own wind), naming the cranes it
serves, since one anemometer's wind stops every crane it serves.
"""

from __future__ import annotations

from typing import Final

from contract.alert_event import Level
from contract.config.site import SiteConfig
from kinds.crane.thresholds import CraneWindRule
from rules.levels import LevelMemory, banded_level, banded_result, clear_below, crosses
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, PRACTICE_ZH, pick, pick_en

RULE: Final = "crane.wind"
# lifting on in such wind is itself a major hazard: 建质规〔2024〕5号 Art. 15 (二)
BAD_WEATHER = f"；恶劣天气违规吊装属 建质规〔2024〕5号 第十五条(二) {MAJOR_ZH}"
CLAUSES = {
    "warning": "JGJ 276-2012 第3.0.12条 六级及以上大风（10.8 m/s 起）应停止吊装作业" + BAD_WEATHER,
    "alarm": "深圳市塔机监管平台接口 连续 2 个工作循环风速大于 13.8 m/s 报警" + BAD_WEATHER,
    "critical": "九级风 20.8 m/s 危险报警" + PRACTICE_ZH + BAD_WEATHER,
}
# 六级及以上 and 九级 include their lower bound (以上 includes the number); the regulator's alarm is above
# 13.8 m/s ("大于 13.8 m/s"): a wind of exactly 13.8 m/s is the top of Beaufort 6, no alarm
STRICT: frozenset[Level] = frozenset({"alarm"})


def wind_thresholds(cfg: CraneWindRule) -> list[tuple[Level, float]]:
    """The levels' wind speeds (m/s), mildest first."""
    return [("warning", cfg.warning_ms), ("alarm", cfg.alarm_ms), ("critical", cfg.critical_ms)]


def quiet_winds(cfg: CraneWindRule) -> float:
    """The winds below which a wind source's clear verdict stays clear (routes.Route's band): below
    every threshold, so also not above the alarm speed (its run of samples above it stays at 0)."""
    return clear_below(wind_thresholds(cfg), STRICT)


class CraneWind:
    """Wind levels per wind source, with the consecutive-sample condition of the alarm."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._above: dict[str, int] = {}  # consecutive samples above the alarm speed

    def evaluate(
        self,
        device: str,
        name: str,
        serves: list[str],
        serve_names: list[str],
        cfg: CraneWindRule,
        wind_ms: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The crane.wind verdict for one wind sample."""
        above = self._above.get(device, 0) + 1 if crosses(wind_ms, cfg.alarm_ms, strict=True) else 0
        self._above[device] = above
        current = self._memory.get(device)
        thresholds = wind_thresholds(cfg)
        level = banded_level(wind_ms, thresholds, current, cfg.hysteresis_pct / 100, strict=STRICT)
        if level == "alarm" and current not in ("alarm", "critical") and above < cfg.alarm_samples:
            level = "warning"  # one gust is not yet an alarm
        if level is None and self._memory.quiet(device):
            return None  # clear and known clear: nothing to report, no verdict to make

        def build() -> RuleResult:
            what, what_en = _what(name, wind_ms, level, cfg)
            action, action_en = _action(level, serve_names, serves)
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(wind_ms, 2),
                thresholds,
                "m/s",
                pick(level, what, action),
                {"cranes": list(serves)},
                backfill,
                message_en=pick_en(level, what_en, action_en),
            )

        return self._memory.report_later(RULE, device, "", level, ts, backfill, build, round(wind_ms, 2))


def _what(name: str, wind_ms: float, level: Level | None, cfg: CraneWindRule) -> tuple[str, str]:
    """The facts: the wind and the limit it reached (none once clear)."""
    if level == "critical":
        return (
            f"{name} 风速 {wind_ms:.1f} m/s，达到危险风速 {cfg.critical_ms:g} m/s",
            f"{name} wind {wind_ms:.1f} m/s, at or above the danger speed {cfg.critical_ms:g} m/s",
        )
    if level == "alarm":
        return (
            f"{name} 风速 {wind_ms:.1f} m/s，连续 {cfg.alarm_samples} 次超过报警风速 {cfg.alarm_ms:g} m/s",
            f"{name} wind {wind_ms:.1f} m/s, above the alarm speed {cfg.alarm_ms:g} m/s "
            f"{cfg.alarm_samples} samples running",
        )
    if level == "warning":
        return (
            f"{name} 风速 {wind_ms:.1f} m/s，达到停止吊装风速 {cfg.warning_ms:g} m/s",
            f"{name} wind {wind_ms:.1f} m/s, at or above the stop-lifting speed {cfg.warning_ms:g} m/s",
        )
    return f"{name} 风速 {wind_ms:.1f} m/s", f"{name} wind {wind_ms:.1f} m/s"


def _action(level: Level | None, serve_names: list[str], serves: list[str]) -> tuple[str, str]:
    """What the served cranes' drivers do: stop lifting; from the alarm on, also leave the jib free
    to weathervane with the hook up, so that the wind turns the crane instead of pushing it over."""
    cranes, cranes_en = "、".join(serve_names), ", ".join(serve_names or serves)
    if level == "critical":
        return (
            f"{cranes} 停止吊装，吊钩升起、臂架随风自由回转，司机离开塔机",
            f"{cranes_en} stop lifting, raise the hook, let the jib slew freely with the wind, "
            "and the driver leaves the crane",
        )
    if level == "alarm":
        return (
            f"{cranes} 停止吊装，吊钩升起、臂架随风自由回转",
            f"{cranes_en} stop lifting, raise the hook and let the jib slew freely with the wind",
        )
    if level == "warning":
        return f"{cranes} 停止吊装作业", f"{cranes_en} stop lifting"
    return "", ""


def history_s(site: SiteConfig) -> float:
    """Seconds of history that carry the run of samples above the alarm speed (alarm_samples)."""
    needed = 0.0
    for d in site.devices:
        if d.kind in ("anemometer", "crane"):
            cfg = site.rules.for_device(d.id, "crane_wind")
            assert isinstance(cfg, CraneWindRule)
            needed = max(needed, (cfg.alarm_samples + 1) * d.poll_interval_s)
    return needed
