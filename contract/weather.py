"""Weather stops and regional warning signals: the words the weather rules, the kinds and the gateway share.

A *stop* is a kind of work that bad weather stops (吊装, 吊篮作业 ...). A kind declares the stops its
machines obey (``Kind.weather_stops``); the site-wide weather rules (rules/weather_*.py) say which stops
are in force, from the site's weather station and from the regional warning signals (气象灾害预警信号);
a machine reporting work while one of its stops is in force is 冒险作业 (rules/weather_work.py).

A warning signal is a record with an id and a ``source`` (set by the site, or pushed by the regulator),
kept by the gateway (gateway/site/weather_warnings.py) and handed to the rules whole. Its default measure per
type and colour is from docs/standards.md §12 (CMA signals, 中国气象局令第16号, via secondary pages [U];
the stops each colour implies are site practice [U]).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Stop = Literal["lifting", "erection", "platform", "height", "hoist", "outdoor"]
STOPS: tuple[Stop, ...] = ("lifting", "erection", "platform", "height", "hoist", "outdoor")
STOP_ZH: dict[str, str] = {
    "lifting": "塔式起重机吊装作业",
    "erection": "起重机械安装、拆卸、顶升加节作业",
    "platform": "高处作业吊篮作业",
    "height": "露天攀登与悬空高处作业",
    "hoist": "施工升降机运行",
    "outdoor": "露天户外作业",
}
STOP_EN: dict[str, str] = {
    "lifting": "tower crane lifting",
    "erection": "crane erection, dismantling and jacking",
    "platform": "suspended platform work",
    "height": "open-air climbing and suspended work at height",
    "hoist": "construction hoist runs",
    "outdoor": "open-air outdoor work",
}

SignalType = Literal["typhoon", "gale", "rainstorm", "lightning", "heat", "cold"]
Colour = Literal["blue", "yellow", "orange", "red"]
Source = Literal["site", "regulator"]
TYPE_ZH: dict[str, str] = {
    "typhoon": "台风",
    "gale": "大风",
    "rainstorm": "暴雨",
    "lightning": "雷电",
    "heat": "高温",
    "cold": "寒潮/道路结冰",
}
COLOUR_ZH: dict[str, str] = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
COLOURS: tuple[Colour, ...] = ("blue", "yellow", "orange", "red")

_HIGH: tuple[Stop, ...] = ("lifting", "erection", "platform", "height")  # 高空等户外危险作业
_MACHINES: tuple[Stop, ...] = (*_HIGH, "hoist")
_ALL: tuple[Stop, ...] = (*_MACHINES, "outdoor")
_WIND = {
    "blue": ("塔吊停止作业并松开回转制动、吊钩升起、小车收回，绑扎堆放材料，停止高空等户外危险作业", _HIGH),
    "yellow": ("停止塔吊、施工升降机、吊篮及高处作业，加固临时设施", _MACHINES),
    "orange": ("停止一切户外作业，撤离临时建筑与吊篮内人员", _ALL),
    "red": ("停止一切户外作业，人员撤至避风场所", _ALL),
}
# (measure, stops) per type and colour; a colour a type does not use (雷电、高温 have no blue) is refused
MEASURES: dict[str, dict[str, tuple[str, tuple[Stop, ...]]]] = {
    "typhoon": _WIND,
    "gale": _WIND,
    "rainstorm": {
        "blue": ("检查基坑排水、边坡与临时用电，做好防雨准备", ()),
        "yellow": ("切断低洼处危险的户外电源，暂停空旷地方的户外作业，检查基坑与临时用电", ("outdoor",)),
        "orange": ("暂停户外作业，检查基坑、临时用电与排水", _ALL),
        "red": ("停止户外作业，人员撤至安全场所，检查基坑、临时用电与排水", _ALL),
    },
    "lightning": {
        "yellow": ("避免户外活动，做好防雷准备", ()),
        "orange": ("停止塔吊作业并清空塔吊周边，人员进入室内，不在塔吊下避雨", _MACHINES),
        "red": ("停止一切户外作业，人员进入室内，不在塔吊下避雨", _ALL),
    },
    "heat": {
        "yellow": ("日最高气温35 ℃以上：轮换作业、缩短连续作业时间、户外不加班", ()),
        "orange": ("日最高气温37 ℃以上：户外露天作业累计不超过6小时，最高气温时段3小时内停止户外作业", ()),
        "red": ("日最高气温40 ℃以上：当日停止户外露天作业", ("outdoor",)),
    },
    "cold": {
        "blue": ("做好防冻防滑，清除作业面与通道结冰", ()),
        "yellow": ("做好防冻防滑，结冰的作业面停止高处作业", ("height",)),
        "orange": ("停止塔吊、施工升降机、吊篮及高处作业", _MACHINES),
        "red": ("停止一切户外作业", _ALL),
    },
}
MEASURE_CLAUSE = "中国气象局令第16号 气象灾害预警信号及防御指南（经二手资料转录；据此停止的作业为现场惯例，可由现场改写措施）"


def default_measure(signal: str, colour: str) -> tuple[str, tuple[Stop, ...]]:
    """The default measure and the stops of a signal of ``signal`` type and ``colour`` (KeyError naming
    the colours the type uses)."""
    colours = MEASURES[signal]
    if colour not in colours:
        raise KeyError(f"a {signal} signal ({TYPE_ZH[signal]}) has no {colour}: it is {', '.join(colours)}")
    return colours[colour]


class WarningSignal(BaseModel):
    """One regional warning signal in force on the site (or once in force: see ``cleared_ts``)."""

    id: str = Field(
        description="its id: the gateway's for one the site set, the regulator's for one pushed down"
    )
    source: Source = Field("site", description="who set it: the site (a supervisor) or the regulator")
    type: SignalType = Field(description="typhoon, gale, rainstorm, lightning, heat or cold (寒潮/道路结冰)")
    colour: Colour = Field(description="blue, yellow, orange or red")
    valid_from: datetime = Field(description="in force from (ISO 8601 with its UTC offset)")
    valid_to: datetime | None = Field(None, description="in force until (none: until cleared)")
    measure: str = Field(
        "", description="what the site does; empty: the default measure of the type and colour"
    )
    stops: list[Stop] = Field(
        default_factory=list, description="the work it stops (default: per type and colour)"
    )
    set_by: str = Field("", description="who set it")
    set_ts: float = Field(0.0, description="Unix seconds it was set")
    cleared_by: str = Field("", description="who cleared it")
    cleared_ts: float | None = Field(None, description="Unix seconds it was cleared (none: not cleared)")
    acked_by: str = Field("", description="the supervisor who acknowledged a regulator's signal")
    acked_ts: float | None = Field(
        None, description="Unix seconds a supervisor acknowledged it (none: not yet; the regulator hears it)"
    )

    @property
    def title_zh(self) -> str:
        """e.g. 大风黄色预警."""
        return f"{TYPE_ZH[self.type]}{COLOUR_ZH[self.colour]}预警"

    def in_force(self, now: float) -> bool:
        """Whether it applies at ``now`` (Unix seconds): not cleared, and within its validity."""
        if self.cleared_ts is not None and self.cleared_ts <= now:
            return False
        if self.valid_from.timestamp() > now:
            return False
        return self.valid_to is None or now < self.valid_to.timestamp()
