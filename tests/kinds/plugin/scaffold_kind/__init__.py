"""A device kind from outside sitegw, as a third party would ship it: a climbing scaffold's load monitor
(附着式升降脚手架荷载监测). The plug-in test (tests/kinds/test_plugin.py) installs this package beside
sitegw with a ``sitegw.kinds`` entry point and nothing else; every part of sitegw must then know it.

This module is the declaration alone (it imports only the contract), so the regulator, which reads the names,
never loads the judge, the simulator or the card named here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.kinds import Kind, Metric


class ScaffoldSpec(Model):
    """The scaffold's rating."""

    rated_load_kn: float = Field(gt=0, le=1000, title="Rated load", description="kN the lifting points carry")
    position_m: tuple[float, float] | None = Field(
        None,
        title="Position",
        description="the building it climbs (x, y) in site metres; none: off the site plan",
    )


class ScaffoldDevice(DeviceConfig):
    """A climbing scaffold's load monitor."""

    kind: Literal["scaffold"] = Field(
        title="Kind", description="scaffold: a climbing scaffold's load monitor"
    )
    scaffold: ScaffoldSpec = Field(
        title="Scaffold", description="rated_load_kn, position_m: its rating and place"
    )


KIND = Kind(
    name="scaffold",
    zh="附着式升降脚手架",
    en="climbing scaffold",
    device=ScaffoldDevice,
    section="scaffold",
    metrics=(
        Metric("load_kn", "提升点荷载", "kN", "lifting point load", summary="max"),
        Metric("lifting", "升降中", "", "lifting", states={0: "停止", 1: "升降中"}),
    ),
    offline_clause="附着式升降脚手架荷载监测离线（测试用插件）",
    judge="scaffold_kind.judge:ScaffoldJudge",
    rules={"scaffold.load": "脚手架超载"},
    simulator="scaffold_kind.sim:ScaffoldSim",
    scenarios=("normal", "overload"),
    weather_stops=frozenset({"height"}),  # climbing it is work at height: the wind's 六级 stop holds it
    card="scaffold_kind.card:CARD",
)
