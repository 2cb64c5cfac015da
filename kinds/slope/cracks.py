"""A crack point's lines and clauses (GB 50330-2013 §19.1.6, docs/standards.md §15), and what check-config says of
a crack point the rules could not judge.

A crack point is a crack meter (裂缝计, 测缝计) across one crack; ``crack_mm`` is the crack's width in mm, never
signed (a meter that reports the change since it was fitted needs the width it was fitted at added: its
profile's ``offset``). Where the crack is decides how it is judged:

- ``crack_in: support``: a crack in the support, its width against the design's allowable width (§19.1.6 (1): 支护结构
  裂缝宽度达到允许值; GB 50330 gives no number, so ``allowable_crack_mm`` is required, as an anchor's band is);
- ``crack_in: building`` or ``crack_in: ground``: a crack in a building at the top (§19.1.6 (3): 原有裂缝有新发展) or in the
  ground (§19.1.1 names ground cracks among a 一级 slope's mandatory items; §18.5.1 has cracking around the
  slope stop the works), its growth above its baseline against a line above the meter's noise (practice). The
  baseline is the first survey's width (``baseline_mm``) or else the point's first reading: a crack found new is
  reported by the people who found it and gets a point, whose first reading is where its growth starts.

standards.md §15 marks §19.1.6's crack items [U] (seen in a scrambled copy): every clause here says so."""

from __future__ import annotations

from dataclasses import dataclass

from contract.config.yamlsrc import Loc
from kinds.slope.kind import SlopePoint, SlopeSpec
from kinds.slope.thresholds import SlopeRule
from rules.wording import PRACTICE_ZH

WORDING = "（条文措辞录自二手资料）"
CLAUSES = {
    "building": "GB 50330-2013 第19.1.6条第3款 坡顶建筑物出现新的裂缝、原有裂缝有新发展应及时报警",
    "ground": "GB 50330-2013 第18.5.1条 边坡周边出现开裂等险情时应暂停施工并处置（地表裂缝为第19.1.1条强制监测项目）",
}
"""A growing crack's clause by its place: §19.1.6 (3) words a building's; a ground crack's is §18.5.1's danger."""
PLACES_ZH = {"building": "坡顶建筑物", "ground": "坡顶地表", "support": "支护结构"}
PLACES_EN = {"building": "a building at the top", "ground": "the ground at the top", "support": "the support"}
ALARM = (
    "暂停施工，加密监测，立即通知勘察、设计、监理与第三方监测单位；坡脚反压、坡顶卸载、排水并封闭裂缝，"
    "临时加固（GB 50330-2013 第18.5.1条）"
)
ALARM_EN = (
    "stop the works, monitor more often, tell the investigator, the designer, the supervising engineer and the "
    "monitoring firm now; load the toe, unload the top, drain and seal the cracks, strengthen for now "
    "(GB 50330-2013 §18.5.1)"
)


@dataclass(frozen=True)
class SupportCrack:
    """A support crack's allowable width (mm, the design's): reaching it (达到) is the alarm."""

    allowable: float
    clause: str


@dataclass(frozen=True)
class Growth:
    """A ground or building crack's growth line (mm above its baseline, 大于 it the alarm) and clause."""

    crack_in: str  # "ground" or "building"
    line: float
    clause: str


def support_crack(point: SlopePoint) -> SupportCrack | None:
    """The allowable width of a support crack point, None for another point or without it (check-config asks)."""
    allowable = point.allowable_crack_mm
    if point.kind != "crack" or point.crack_in != "support" or allowable is None:
        return None
    clause = (
        f"GB 50330-2013 第19.1.6条第1款 支护结构裂缝宽度达到允许值应及时报警（允许值由设计确定，设计取 "
        f"{allowable:g} mm，GB 50330 未给数值）{WORDING}"
    )
    return SupportCrack(allowable, clause)


def growth(point: SlopePoint, cfg: SlopeRule) -> Growth | None:
    """The growth line of a ground or building crack point (its own, else ``rules.slope``'s), None otherwise."""
    if point.kind != "crack" or point.crack_in not in ("ground", "building"):
        return None
    line = point.growth_mm if point.growth_mm is not None else cfg.crack_growth_mm
    clause = (
        f"{CLAUSES[point.crack_in]}{WORDING}；裂缝宽度较基准扩展大于 {line:g} mm（测缝计噪声与温度变化以上）判为扩展"
        f"{PRACTICE_ZH}"
    )
    return Growth(point.crack_in, line, clause)


def check_cracks(device: str, spec: SlopeSpec, at: Loc) -> list[tuple[Loc, str, str]]:
    """Crack points the rules could not judge as written, ``at`` the slope's place: (field path, message, hint)."""
    issues: list[tuple[Loc, str, str]] = []
    for j, point in enumerate(spec.points):
        if point.kind != "crack":
            continue
        where: Loc = (*at, "points", j)
        if point.crack_in is None:
            issues.append(
                (
                    (*where, "crack_in"),
                    f"slope {device}: crack point {point.code} has no crack_in",
                    "add crack_in: support, ground or building (where its crack is): a support crack's width is "
                    "judged against its allowable, a ground or building crack's growth from its baseline",
                )
            )
        elif point.crack_in == "support" and point.allowable_crack_mm is None:
            issues.append(
                (
                    (*where, "allowable_crack_mm"),
                    f"slope {device}: support crack point {point.code} has no allowable_crack_mm",
                    "add allowable_crack_mm: <mm>: the support's allowable crack width, from its design: GB "
                    "50330 gives no value, so the point is not judged without it",
                )
            )
    return issues
