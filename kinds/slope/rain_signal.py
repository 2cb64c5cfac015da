"""slope.rain_signal: a rainstorm warning signal (暴雨预警信号, any colour) in force on the site raises a warning on
every slope: monitor it more often, walk its top and toe, drain it (docs/standards.md §15: "A rainstorm signal
(§12) ... → raise sampling rate and issue a warning [practice]"; §12: the CMA's blue to red rainstorm signals).

One alert per slope station (its device, no point): a supervisor sends a patrol per slope, and one alert a slope
says which slopes to walk however many signals are in force. Judged at each engine tick against the signals the
gateway keeps (gateway/site/weather_warnings.py, or a replay's inputs), as weather.warning judges them: it
clears when the last rainstorm signal in force ends, by its own ``valid_to`` or cleared by a supervisor or the
regulator. The slope's readings are no input of it: a station silent, broken or stale neither raises nor
clears it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from contract.alert_event import Level
from contract.weather import COLOURS, WarningSignal
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "slope.rain_signal"
SIGNAL = "rainstorm"  # the signal type it answers (contract/weather.py)
CLAUSE = (
    "暴雨预警信号（中国气象局令第16号，经二手资料转录）生效期间：GB 50330-2013 表19.1.3 降雨量为边坡监测项目；"
    "GB 55034-2022 第3.5.2～3.5.4条 边坡坡顶、坡脚截水或排水（OCR副本）；暴雨预警即加密监测并发布边坡预警"
    "（docs/standards.md §15，提示为行业惯例，非标准条文）"
)
ACTION = (
    "按监测方案加密边坡监测频率，巡查坡顶、坡脚及坡面裂缝与渗水，疏通坡顶截水沟和坡脚排水沟，坡面覆盖防冲刷；"
    "出现险情暂停施工、撤离坡脚人员"
)
ACTION_EN = (
    "monitor the slope more often (the monitoring plan's denser sampling), walk its top, toe and face for "
    "cracks and seepage, clear the top's cut-off drains and the toe's drains, cover the face; at any sign of "
    "danger stop work and clear the toe"
)


class RainSignal:
    """slope.rain_signal over every slope station of the site."""

    def __init__(self) -> None:
        self.memory = LevelMemory()
        self._judged = (
            False  # every slope judged once: a restart resolves an alert whose signal ended meanwhile
        )

    def tick(
        self, now: float, signals: Sequence[WarningSignal], slopes: Sequence[tuple[str, str]]
    ) -> list[RuleResult]:
        """The verdicts at ``now``: ``signals`` the rainstorm signals in force, ``slopes`` each slope station's
        (device, name)."""
        if not signals and self._judged and not self.memory.owes():
            return []  # nearly every tick: no rainstorm signal, nothing firing
        self._judged = True
        level: Level | None = "warning" if signals else None
        out: list[RuleResult] = []
        for device, name in slopes:
            found = self.memory.report(device, "", level, partial(_result, device, name, level, signals, now))
            if found is not None:
                out.append(found)
        return out


def _result(
    device: str, name: str, level: Level | None, signals: Sequence[WarningSignal], now: float
) -> RuleResult:
    """The verdict of one slope: the signals in force named, the worst colour its value."""
    ranked = sorted(signals, key=lambda s: COLOURS.index(s.colour), reverse=True)
    titles = "、".join(dict.fromkeys(s.title_zh for s in ranked))
    if level:
        what = f"{name}：{titles}生效，边坡须加强监测与巡查"
        what_en = f"{name}: {', '.join(dict.fromkeys(s.colour for s in ranked))} rainstorm warning in force"
    else:
        what, what_en = f"{name}：暴雨预警信号已解除或过期", f"{name}: rainstorm warning over"
    return RuleResult(
        rule=RULE,
        device=device,
        point="",
        level=level,
        ts=now,
        clause=CLAUSE,
        value=ranked[0].colour if ranked else "",
        unit="",
        message=pick(level, what, ACTION),
        message_en=pick_en(level, what_en, ACTION_EN),
        details={"signals": [s.id for s in ranked], "colour": ranked[0].colour if ranked else ""},
    )
