"""A crane's or hoist's 安拆 window (安装、顶升加节、拆卸; standards.md §10, §13, §19) as the gateway keeps it: opened
by a supervisor with its stage, watched by the <kind>.install rules (rules/install_window.py) while open, and
closed with what 建设部令第166号 asks of the installer at the end of an erection or a climb: its self-check
(自检合格证明) before the user organises the acceptance. The machine may work again only once accepted on or
after that day (<kind>.install, point acceptance) and registered within 30 days (<kind>.papers)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from contract.config.papers import INSTALL_STAGES
from gateway.site.site_work import INSTALL_WINDOW, SiteWork, WindowView, WorkError

Stage = Literal["erect", "climb", "dismantle"]
STAGES: dict[str, int] = {"erect": 1, "climb": 2, "dismantle": 3}
"""Each stage as the API and the CLI name it, and its ``install_active`` reading (INSTALL_STAGES' keys)."""


class InstallStart(BaseModel):
    """What opening an 安拆 window says: the stage under way."""

    stage: Stage = Field(description="erect (安装), climb (顶升加节, with the building) or dismantle (拆卸)")


class InstallClose(BaseModel):
    """What closing an 安拆 window records."""

    self_checked: bool = Field(
        False,
        description="the installer's self-check passed (自检合格, 建设部令第166号): required after an erection or a "
        "climb; acceptance and use registration follow before the machine works",
    )
    note: str = Field("", max_length=500, description="what was done, e.g. 安装至 45 m，附着 2 道")


class InstallView(WindowView):
    """A crane's or hoist's 安拆 window and the stage under way (empty: closed)."""

    stage: str = Field("", description="erect, climb or dismantle while open")
    stage_zh: str = Field("", description="安装, 顶升加节 or 拆卸 while open")


class Install:
    """安拆 windows over the site's work windows."""

    def __init__(self, work: SiteWork) -> None:
        self._work = work

    def list(self) -> list[InstallView]:
        """Every crane and hoist with its 安拆 window."""
        out = []
        for w in self._work.windows(INSTALL_WINDOW.name):
            stage = self._work.value(INSTALL_WINDOW.name, w.device) if w.active else 0
            name = next((s for s, code in STAGES.items() if code == stage), "")
            out.append(
                InstallView(**w.model_dump(), stage=name, stage_zh=INSTALL_STAGES[stage] if name else "")
            )
        return out

    def start(self, device: str, actor: str, start: InstallStart) -> InstallView:
        """Open an 安拆 window on ``device`` at ``start.stage``: the <kind>.install rules watch it from now."""
        self._work.set_window(INSTALL_WINDOW.name, device, True, actor, value=float(STAGES[start.stage]))
        return self._view(device)

    def end(self, device: str, actor: str, close: InstallClose) -> InstallView:
        """Close the window (WorkError, naming the field, when an erection's or climb's self-check is missing)."""
        self._work.device_of(INSTALL_WINDOW.name, device)
        self._work.check_state(INSTALL_WINDOW.name, device, False)
        stage = self._work.value(INSTALL_WINDOW.name, device)
        if stage != STAGES["dismantle"] and not close.self_checked:
            raise WorkError(
                f"{device}: closing an erection or a climb needs self_checked: true (the installer's self-check "
                "passed, 建设部令第166号); then have it inspected, accepted and registered before it works"
            )
        record: dict[str, float | str | bool] = {"self_checked": close.self_checked, "note": close.note}
        self._work.set_window(INSTALL_WINDOW.name, device, False, actor, record=record)
        return self._view(device)

    def _view(self, device: str) -> InstallView:
        return next(w for w in self.list() if w.device == device)
