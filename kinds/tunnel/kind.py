"""Tunnels during construction (盾构法、矿山法, urban rail): the monitoring points of GB 50911-2013
(docs/standards.md §16), a deformation point against its pair of control values (cumulative and rate), a
force point against its maximum and minimum (§9.1.3).

This module is the declaration alone (it imports only the contract and its own thresholds), so the
regulator, which reads the names, never loads the judge or the simulator named here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.config.scale_lines import tunnelling
from contract.config.uniqueness import DUPLICATE_POINT_CODE, require_unique
from contract.kinds import Kind, Metric, Thresholds
from contract.kinds.offline import TIME_LIMITS
from kinds.tunnel.thresholds import TunnelRule

Item = Literal["vault", "convergence", "surface", "strut", "anchor"]
ITEM_METRIC: dict[str, str] = {
    "vault": "vault_settle_mm",
    "convergence": "convergence_mm",
    "surface": "surface_settle_mm",
    "strut": "axial_kn",
    "anchor": "anchor_kn",
}
"""The one metric each kind of point reports (a point is one prism, one laser line, one levelling mark or one
force gauge)."""
FORCE_ITEMS = frozenset({"strut", "anchor"})
"""The items judged against a maximum and a minimum force (GB 50911 §9.1.3), not a deformation's pair."""
CONTROL_MAX_MM = 500.0
"""The largest control value a tunnel is designed to (they are tens of millimetres): a number past it was
written in another unit, and the check says so."""
FORCE_RANGE_KN = (-1000.0, 20000.0)
"""The forces a strut's or an anchor's gauge reads, as rules.sensor_fault's default ranges of axial_kn and
anchor_kn say (contract/config/rules.py): a control value outside them could never be read."""


def _force(what: str, zh: str) -> float | None:
    lo, hi = FORCE_RANGE_KN
    return Field(None, ge=lo, le=hi, title=what, description=zh)


class TunnelPoint(Model):
    """One monitoring point (测点) with the site's code, e.g. GD-01, and its design control values."""

    code: str = Field(title="Point code", description="the site's own code, e.g. GD-01 (拱顶 01)")
    item: Item = Field(
        title="Item",
        description="vault (拱顶沉降), convergence (净空收敛), surface (地表沉降); force points: strut "
        "(支撑轴力, e.g. a temporary steel strut propping the segments at a passage's opening) or anchor "
        "(锚杆拉力)",
    )
    interval_s: float = Field(
        3600, gt=0, le=7 * 86400, title="Reporting interval", description="seconds between readings"
    )
    cumulative_mm: float | None = Field(
        None,
        gt=0,
        le=CONTROL_MAX_MM,
        title="Cumulative control value",
        description="累计变化控制值 from the construction drawings, mm (GB 50911 §9.1.2); "
        "default: the fallback of docs/standards.md §16 where it gives one",
    )
    rate_mm_d: float | None = Field(
        None,
        gt=0,
        le=CONTROL_MAX_MM,
        title="Rate control value",
        description="变化速率控制值 from the construction drawings, mm/d (GB 50911 §9.1.2); "
        "default: the fallback of docs/standards.md §16 where it gives one",
    )
    heave_mm: float | None = Field(
        None,
        gt=0,
        le=CONTROL_MAX_MM,
        title="Heave control value",
        description="surface points: 隆起控制值 from the construction drawings, mm; default: §16's for a shield "
        "drive (10 mm), else the cumulative control (the magnitude judged)",
    )
    maximum_kn: float | None = _force(
        "Maximum control value",
        "force points (strut, anchor): 最大值 from the construction drawings, kN (GB 50911 §9.1.3: a force's "
        "control values are a maximum and a minimum); required: no standard gives one",
    )
    minimum_kn: float | None = _force(
        "Minimum control value",
        "force points (strut, anchor): 最小值 from the construction drawings, kN (a strut or an anchor losing "
        "its preload); required: no standard gives one",
    )
    baseline_kn: float | None = _force(
        "Baseline force",
        "force points: the force the member was locked off at (预加力、锁定值), kN, where the way to either "
        "control value starts; default 0 (a member the ground alone loads), so a minimum above 0 needs it",
    )


class TunnelSpec(Model):
    """A tunnel (or a station) under construction and its monitoring points."""

    method: Literal["shield", "mined"] = Field(
        title="Method", description="shield (盾构法) or mined (矿山法: drill-and-blast, NATM)"
    )
    ground: Literal["hard", "soft"] = Field(
        "hard",
        title="Ground",
        description="shield only: hard (硬~中硬土) or soft (软土), which picks the fallback settlement "
        "control; default hard, the smaller (stricter) values",
    )
    works: Literal["running", "station"] = Field(
        "running",
        title="Works",
        description="mined only: running tunnel (区间) or station (车站), which picks the fallback vault "
        "settlement control; default running, the smaller (stricter) values",
    )
    diameter_m: float | None = Field(
        None,
        gt=0,
        le=20,
        title="Diameter",
        description="shield only: the tunnel's diameter D, m; the fallback convergence control is 0.2 % D",
    )
    points: list[TunnelPoint] = Field(min_length=1, title="Points", description="monitoring points")

    @model_validator(mode="after")
    def _unique_codes(self) -> TunnelSpec:
        # the rules key each point by (device, code): a second point of a code would hide the first
        require_unique([p.code for p in self.points], DUPLICATE_POINT_CODE, "point codes")
        return self


class TunnelDevice(DeviceConfig):
    """A tunnel's automated monitoring system (total stations, static levels, convergence lasers)."""

    kind: Literal["tunnel"] = Field(
        title="Kind", description="tunnel: a tunnel's monitoring points during construction"
    )
    tunnel: TunnelSpec = Field(
        title="Tunnel", description="method, ground, works, diameter_m, points: the tunnel and its points"
    )

    def over_scale_reasons(self) -> list[str]:
        """A tunnel built by shield or mining: always over the line (附件2 六)."""
        return tunnelling(self.id, "盾构法" if self.tunnel.method == "shield" else "矿山法")

    def point_codes(self) -> frozenset[str]:
        """The tunnel's monitoring point codes."""
        return frozenset(p.code for p in self.tunnel.points)


KIND = Kind(
    name="tunnel",
    zh="隧道施工监测",
    en="tunnel monitoring",
    device=TunnelDevice,
    section="tunnel",
    metrics=(
        # signed (settlement and closing inward positive, heave negative): the control is on the magnitude,
        # so the minute's reading farthest from zero, with its sign, stands for it
        Metric("vault_settle_mm", "拱顶沉降", "mm", "vault settlement", summary="peak"),
        Metric("convergence_mm", "净空收敛", "mm", "convergence", summary="peak"),
        Metric("surface_settle_mm", "地表沉降", "mm", "surface settlement", summary="peak"),
        # one id, one meaning: the pit's strut and anchor forces (kN; their summaries the pit's, a force point
        # reporting once a survey cycle has one reading a minute whichever is picked)
        Metric("axial_kn", "支撑轴力", "kN", "strut force", summary="max"),
        Metric("anchor_kn", "锚杆拉力", "kN", "anchor force", summary="min"),
    ),
    offline_clause=(
        "建质规〔2024〕5号 第十三条(三) 未按要求进行监控量测属重大事故隐患；"
        f"监测系统中断期间隧道失去监测{TIME_LIMITS}"
    ),
    judge="kinds.tunnel.judge:TunnelJudge",
    rules={
        "tunnel.vault": "隧道拱顶沉降预警",
        "tunnel.convergence": "隧道净空收敛预警",
        "tunnel.surface": "隧道地表沉降预警",
        "tunnel.force": "隧道支护结构受力预警",
        "tunnel.silent": "隧道测点监测中断",
    },
    simulator="kinds.tunnel.sim:TunnelSim",
    scenarios=("normal", "settlement", "section", "force"),
    card="kinds.tunnel.card:CARD",
    thresholds=(
        Thresholds(
            "tunnel",
            TunnelRule,
            "Tunnel",
            "tunnel.vault, tunnel.convergence, tunnel.surface, tunnel.force, tunnel.silent",
        ),
    ),
)
