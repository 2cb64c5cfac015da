"""A tower crane's jacking window as the gateway keeps it (standards.md §10): the checks its closing
requires, the crane's height it leaves, and the proposal to open one when the site file's height changed.

The crane's height at runtime: ``crane_heights.json`` in the state folder holds, per crane, the jib height
the last jacking window closed with (``height_m``) and the site file's height then (``config_height_m``).
At start :meth:`CraneHeights.apply` gives the site with each crane's ``crane.jib_height_m`` replaced by
that height (the rules' crane geometry, the collision check included, read it from there), unless the site
file's height changed since: then the site file wins, and a jacking window is proposed (logged, and listed
on the dashboard) until one is opened on that crane. Closing a window publishes the new height as the
crane's ``jib_height_m`` reading, which the cranes' judge takes at once (kinds/crane/judge.py).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from contract.config import LoadedSite
from gateway.site.site_work import JACKING_WINDOW, SiteWork, WindowView, WorkError
from kinds.crane.kind import JIB_HEIGHT, LIMITERS, MAX_TIES, TIES_ADDED, CraneDevice

log = logging.getLogger(__name__)
HEIGHTS_FILE = "crane_heights.json"


class JackingClose(BaseModel):
    """What closing a jacking window records: the checks JGJ 196-2010 and 建质规〔2024〕5号 Art. 8(三) ask
    for after a climb, the height the crane now stands at, and whether its limiters were re-calibrated for it
    (standards.md §10: else crane.recalibration reminds the site until it records them)."""

    verticality_per_mille: float | None = Field(
        None, ge=0, description="the tower's verticality measured after the climb, ‰ (required)"
    )
    ties_checked: bool = Field(
        False, description="the ties (附着), bolts and pins were checked (required: true)"
    )
    height_m: float | None = Field(
        None, gt=0, le=1000, description="the jib's new height above site datum, m (default: unchanged)"
    )
    ties_added: int = Field(
        0,
        ge=0,
        le=MAX_TIES,
        description="new ties (附着) fitted during the climb: the crane is accepted again before it works "
        "(crane.install acceptance; standards.md §13: added ties need acceptance, a climb alone does not)",
    )
    limiters_recalibrated: bool = Field(
        False,
        description="the hoisting-height limiter (起升高度限位器), the load and moment limiters and the other "
        "safety devices were re-adjusted and tested for the new height (false: crane.recalibration warns until "
        "it is recorded, POST /jacking/{device}/recalibrated)",
    )
    note: str = Field("", max_length=500, description="what was done, e.g. 加2节标准节，新增第3道附着")


class LimitersRecord(BaseModel):
    """The limiters re-adjusted and tested after a jacking window closed without (crane.recalibration)."""

    note: str = Field(
        "", max_length=500, description="what was done, e.g. 起升高度限位器按新高度调整并试吊合格"
    )


class JackingView(WindowView):
    """A crane's jacking window, its height now and any proposal to open one."""

    height_m: float = Field(description="the jib's height the rules use now, m")
    proposal: str = Field("", description="why a jacking window is proposed (the site file's height changed)")


class CraneHeights:
    """The cranes' runtime heights and the proposals of jacking windows, kept in ``crane_heights.json``."""

    def __init__(self, state_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self._file = state_dir / HEIGHTS_FILE
        self._clock = clock
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # first start (or a torn file from before atomic writes)
        self._known: dict[str, dict[str, object]] = data if isinstance(data, dict) else {}

    def apply(self, site: LoadedSite) -> LoadedSite:
        """``site`` with each crane at its runtime height; proposals for cranes whose site-file height changed."""
        devices = []
        for d in site.config.devices:
            if isinstance(d, CraneDevice):
                d = self._crane(d)
            devices.append(d)
        self._save()
        config = site.config.model_copy(update={"devices": devices})
        return dataclasses.replace(site, config=config)

    def _crane(self, d: CraneDevice) -> CraneDevice:
        configured = d.crane.jib_height_m
        known = self._known.get(d.id)
        if known is None:
            self._known[d.id] = {"height_m": configured, "config_height_m": configured}
            return d
        last = float(str(known.get("height_m", configured)))
        if known.get("config_height_m") != configured:
            proposal = (
                f"站点文件中{d.display_name}起重臂高度由 {known.get('config_height_m')} m 改为 {configured:g} m："
                f"请开启顶升作业窗口，完成后记录垂直度和附着检查"
            )
            log.warning(
                "%s: the site file's jib height changed from %s m to %g m: propose a jacking window "
                "(sitegw jacking start %s) and record its checks when closing it",
                d.id,
                known.get("config_height_m"),
                configured,
                d.id,
            )
            self._known[d.id] = {"height_m": configured, "config_height_m": configured, "proposal": proposal}
            return d
        if last != configured:
            log.info(
                "%s: jib height %g m from the last jacking window (site file: %g m)", d.id, last, configured
            )
            return d.model_copy(update={"crane": d.crane.model_copy(update={"jib_height_m": last})})
        return d

    def height(self, d: CraneDevice) -> float:
        """The crane's runtime height."""
        return float(str(self._known.get(d.id, {}).get("height_m", d.crane.jib_height_m)))

    def proposal(self, device: str) -> str:
        """Why a window is proposed on ``device`` ("": none)."""
        return str(self._known.get(device, {}).get("proposal", ""))

    def opened(self, device: str) -> None:
        """A window opened on ``device``: its proposal is taken up."""
        known = self._known.get(device)
        if known is not None and known.pop("proposal", None) is not None:
            self._save()

    def closed(self, device: str, height_m: float) -> None:
        """A window closed with the crane at ``height_m``."""
        self._known.setdefault(device, {})["height_m"] = height_m
        self._save()

    def _save(self) -> None:
        tmp = self._file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._known, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self._file)  # atomic: a power cut leaves the old file or the new one


class Jacking:
    """Jacking windows over the site's work windows and the cranes' heights."""

    def __init__(self, work: SiteWork, heights: CraneHeights) -> None:
        self._work, self._heights = work, heights

    def list(self) -> list[JackingView]:
        """Every crane with its jacking window, height and proposal."""
        out = []
        for w in self._work.windows(JACKING_WINDOW.name):
            crane = self._work.device_of(JACKING_WINDOW.name, w.device)
            assert isinstance(crane, CraneDevice)
            out.append(
                JackingView(
                    **w.model_dump(),
                    height_m=self._heights.height(crane),
                    proposal=self._heights.proposal(w.device),
                )
            )
        return out

    def start(self, device: str, actor: str) -> JackingView:
        """Open a jacking window on ``device``: the crane.jacking_* rules watch it from now."""
        self._work.set_window(JACKING_WINDOW.name, device, True, actor)
        self._heights.opened(device)
        return self._view(device)

    def end(self, device: str, actor: str, check: JackingClose) -> JackingView:
        """Close the window with its checks (WorkError, naming the field, if one is missing or failed)."""
        crane = self._work.device_of(JACKING_WINDOW.name, device)
        assert isinstance(crane, CraneDevice)
        self._work.check_state(JACKING_WINDOW.name, device, False)  # nothing to close: said before the checks
        if check.verticality_per_mille is None:
            raise WorkError(
                f"{device}: closing a jacking window needs verticality_per_mille (the tower's verticality measured, ‰)"
            )
        if not check.ties_checked:
            raise WorkError(
                f"{device}: closing a jacking window needs ties_checked: true (ties, bolts and pins checked)"
            )
        limit = crane.crane.tilt_limit_per_mille
        if check.verticality_per_mille > limit:
            raise WorkError(
                f"{device}: verticality {check.verticality_per_mille:g}‰ is beyond the crane's {limit:g}‰ "
                "(JGJ 196-2010): correct the tower before closing the window"
            )
        height = check.height_m or self._heights.height(crane)
        record: dict[str, float | str | bool] = {
            "verticality_per_mille": check.verticality_per_mille,
            "ties_checked": True,
            "height_m": height,
            "ties_added": check.ties_added,
            "limiters_recalibrated": check.limiters_recalibrated,
            "note": check.note,
        }
        extra = [(JIB_HEIGHT, height)] + ([(TIES_ADDED, float(check.ties_added))] if check.ties_added else [])
        extra.append((LIMITERS, 1.0 if check.limiters_recalibrated else 0.0))
        self._work.set_window(JACKING_WINDOW.name, device, False, actor, extra, record)
        self._heights.closed(device, height)
        return self._view(device)

    def recalibrated(self, device: str, actor: str, done: LimitersRecord) -> JackingView:
        """Record the crane's limiters re-calibrated after its last window closed without: crane.recalibration
        ends (WorkError while a window is open, before any closed, or when its close or a record said so)."""
        self._work.device_of(JACKING_WINDOW.name, device)
        view = self._view(device)
        if view.active:
            raise WorkError(
                f"{device}: a jacking window is open: close it with limiters_recalibrated: true once they are done"
            )
        if not view.record:
            raise WorkError(f"{device}: no jacking window has closed on it: no re-calibration is owed")
        if view.record.get("limiters_recalibrated") is True:
            raise WorkError(
                f"{device}: its limiters are already recorded re-calibrated since its last jacking"
            )
        record: dict[str, float | str | bool] = {
            "limiters_recalibrated": True,
            "limiters_recalibrated_by": actor,
            "limiters_note": done.note,
        }
        self._work.record(
            JACKING_WINDOW.name, device, [(LIMITERS, 1.0)], record, stamped="limiters_recalibrated_ts"
        )
        return self._view(device)

    def _view(self, device: str) -> JackingView:
        return next(j for j in self.list() if j.device == device)
