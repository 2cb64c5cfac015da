"""crane.wind: wind at the jib (JGJ 276-2012 §3.0.12; Shenzhen regulator interface).

The alert's device is the anemometer (or a crane reporting its own wind), naming the cranes it
serves, since one anemometer's wind stops every crane it serves.
"""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.rules import CraneWindRule
from contract.config.site import SiteConfig
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult

RULE = "crane.wind"
CLAUSES = {
    "warning": "JGJ 276-2012 §3.0.12 (Beaufort 6, 10.8 m/s: stop lifting)",
    "alarm": "Shenzhen regulator interface (> 13.8 m/s in 2 consecutive samples)",
    "critical": "Beaufort 9, 20.8 m/s (practice)",
}


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
        above = self._above.get(device, 0) + 1 if wind_ms > cfg.alarm_ms else 0
        self._above[device] = above
        current = self._memory.get(device)
        thresholds: list[tuple[Level, float]] = [
            ("warning", cfg.warning_ms),
            ("alarm", cfg.alarm_ms),
            ("critical", cfg.critical_ms),
        ]
        level = banded_level(wind_ms, thresholds, current, cfg.hysteresis_pct / 100)
        if level == "alarm" and current not in ("alarm", "critical") and above < cfg.alarm_samples:
            level = "warning"  # one gust is not yet an alarm

        def build() -> RuleResult:
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(wind_ms, 2),
                thresholds,
                "m/s",
                f"{name} 风速 {wind_ms:.1f} m/s，{'、'.join(serve_names)} 停止吊装 | wind {wind_ms:.1f} m/s at "
                f"{device}, serving {', '.join(serves)}",
                {"cranes": list(serves)},
                backfill,
            )

        return self._memory.report(device, "", level, build)


def history_s(site: SiteConfig) -> float:
    """Seconds of history that carry the run of samples above the alarm speed (alarm_samples)."""
    needed = 0.0
    for d in site.devices:
        if d.kind in ("anemometer", "crane"):
            cfg = site.rules.for_device(d.id, "crane_wind")
            assert isinstance(cfg, CraneWindRule)
            needed = max(needed, (cfg.alarm_samples + 1) * d.poll_interval_s)
    return needed
