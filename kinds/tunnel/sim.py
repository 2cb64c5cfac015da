"""A tunnel's automated monitoring system as the tunnel_ams profile delivers it: every deformation point's
cumulative value (mm, settlement and closing positive) and every force point's force (kN) at simulated second
``t``, keyed ``metric@point``.

- ``normal``: each deformation point settles towards a third of its control value (the ground consolidating
  behind the drive, a time constant of an hour) with 0.1 mm of survey noise, each force point holds its
  baseline with 1 kN of gauge noise: nothing reaches a line.
- ``settlement``: the first vault point settles steadily to 110 % of its cumulative control over ten
  minutes (yellow at 85 %, orange at 100 %, from the cumulative value alone); the rest as normal.
- ``section`` (what the demo plays): a section settling as a whole, the first vault point as in
  ``settlement``, the first convergence and the first surface point to 90 % of their cumulative controls over
  the same ten minutes (yellow, from the cumulative value alone: 85 % reached); the rest as normal. Before
  it (``t`` below 0: the surveys the system's logger kept of the hours before, which the demo serves first)
  the section has not begun to move, and the second vault point's prism is hidden by plant from HIDDEN_S
  before the first live survey: the system reports it no more (tunnel.silent, an alarm once it has been
  silent for more than three of its intervals), while the others go on.
- ``force``: the first force point loses its preload, falling to 110 % of the way from its baseline to its
  minimum over ten minutes (yellow at 70 %, orange at 85 %, red at 100 % of the way; below the minimum, the
  design's, 建质规〔2024〕5号 Art. 13(三)); the second, where there is one, rises past its maximum the same way;
  the rest as normal.

``t`` counts from the first live survey; a backlog's surveys have negative ``t``, at which every scenario's
points are where they stood at 0.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from kinds.tunnel.force import force_control
from kinds.tunnel.kind import FORCE_ITEMS, ITEM_METRIC, TunnelDevice, TunnelPoint
from kinds.tunnel.limits import control_of

NOISE_MM = 0.1  # a total station's or a static level's repeatability
SETTLE_TAU_S = 3600.0
NORMAL_SHARE = 0.33
SETTLEMENT_S, SETTLEMENT_SHARE = 600.0, 1.1
SECTION_SHARE = 0.9  # section: the convergence's and the surface's share of their controls at the end
UNSET_CONTROL_MM = 10.0  # a point the site file left without control values (check-config refuses it)
HIDDEN_S = 3 * 3600.0  # section: the second vault point's last survey, before the first live one
NOISE_KN = 1.0  # a vibrating-wire force gauge's repeatability
FORCE_SHARE = 1.1  # force: the share of the way to a control value its first two force points run to


class TunnelSim:
    """One tunnel's monitoring system."""

    def __init__(self, device: DeviceConfig, site: LoadedSite, scenario: str, seed: int) -> None:
        assert isinstance(device, TunnelDevice)
        self._rng = random.Random(seed)
        self._points: list[tuple[str, float, float]] = []  # key, control, share it runs away to (0: none)
        self._forces = _forces(device.tunnel.points, scenario)
        firsts: dict[str, str] = {}
        for p in device.tunnel.points:
            firsts.setdefault(p.item, p.code)
        vaults = [p.code for p in device.tunnel.points if p.item == "vault"]
        self._hidden = vaults[1] if scenario == "section" and len(vaults) > 1 else None
        for p in device.tunnel.points:
            if p.item in FORCE_ITEMS:
                continue
            control = control_of(device.tunnel, p)
            c = control.cumulative_mm if control is not None else UNSET_CONTROL_MM
            first = firsts[p.item] == p.code
            share = 0.0
            if scenario in ("settlement", "section") and first and p.item == "vault":
                share = SETTLEMENT_SHARE
            elif scenario == "section" and first:
                share = SECTION_SHARE
            self._points.append((f"{ITEM_METRIC[p.item]}@{p.code}", c, share))

    def values(self, t: float) -> Mapping[str, float | str]:
        """Every point's cumulative value ``t`` seconds in (a point the system no longer reports left out)."""
        out: dict[str, float | str] = {}
        moved = max(t, 0.0)
        for key, control, share in self._points:
            if self._hidden is not None and key.endswith(f"@{self._hidden}") and t > -HIDDEN_S:
                continue
            if share:
                settled = control * share * min(1.0, moved / SETTLEMENT_S)
            else:
                settled = control * NORMAL_SHARE * (1 - math.exp(-moved / SETTLE_TAU_S))
            out[key] = round(settled + self._rng.gauss(0.0, NOISE_MM), 2)
        for key, base, target in self._forces:
            force = base + (target - base) * min(1.0, moved / SETTLEMENT_S)
            out[key] = round(force + self._rng.gauss(0.0, NOISE_KN), 1)
        return out


def _forces(points: list[TunnelPoint], scenario: str) -> list[tuple[str, float, float]]:
    """Each force point's key, baseline and the force it runs to (its baseline: it holds it)."""
    out: list[tuple[str, float, float]] = []
    for p in points:
        if p.item not in FORCE_ITEMS:
            continue
        control, nth = force_control(p), len(out)
        base = control.baseline if control is not None else (p.baseline_kn or 0.0)
        target = base
        if scenario == "force" and control is not None and nth < 2:
            target = control.at_share(FORCE_SHARE, upper=nth == 1)  # the first falls, the second rises
        out.append((f"{ITEM_METRIC[p.item]}@{p.code}", base, target))
    return out
