"""A machine's papers (建筑起重机械备案、验收、使用登记、定期检验; standards.md §13), as one section any
kind of machine declares: a kind whose device model derives from :class:`MachineDevice` (cranes, hoists,
suspended platforms) gets a ``papers:`` section in the site file, the papers rules and the dashboard's
papers panel, with that one line."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.config.trades import Trade

INSTALL = "install_active"
"""A machine's 安拆 window as its reading (standards.md §10, §13, §19): 0 closed, else the stage under way."""
INSTALL_STAGES = {0: "结束", 1: "安装", 2: "顶升加节", 3: "拆卸"}
"""The stages of an 安拆 window: erection, climbing with the building (adding sections), dismantling."""


class MachinePapers(Model):
    """The filing, acceptance, use registration and periodic inspection of one machine."""

    filing_no: str = Field(
        "", title="Filing number", description="备案编号: property filing with the construction authority"
    )
    accepted_on: date | None = Field(
        None, title="Accepted on", description="验收合格日期: the day the installation passed acceptance"
    )
    registration_no: str = Field(
        "", title="Registration number", description="使用登记编号: use registration (mark on the machine)"
    )
    registered_on: date | None = Field(
        None,
        title="Registered on",
        description="使用登记日期: within 30 days of acceptance (建设部令第166号)",
    )
    next_inspection_on: date | None = Field(
        None,
        title="Next inspection",
        description="下次定期检验日期: the province's periodic inspection falls due that day",
    )
    installers: list[str] = Field(
        default_factory=list,
        max_length=50,
        title="Installers",
        description="the 安拆 crew who erected it, by their ids on the operators roster: each must hold a "
        "valid 安装拆卸工 certificate of the machine's category on installed_on (standards.md §19); empty: "
        "not judged by machine.papers, no crew (critical) while an 安拆 window is open; a crane's jacking "
        "window judges the crew, supervisor and safety officer only where this names installers",
    )
    safety_officers: list[str] = Field(
        default_factory=list,
        max_length=10,
        title="Installer's safety officers",
        description="the 安拆 contractor's full-time safety officers (专职安全生产管理人员), by the ids the access "
        "gates read: one of them badged in while an 安拆 window, or a jacking window of a crane whose papers name "
        "installers, is open (建设部令第166号 Art. 13; standards.md §19 (d)); empty: nobody can be shown on site, "
        "critical while such a window is open (<kind>.install safety_officer)",
    )
    installed_on: date | None = Field(
        None,
        title="Installed on",
        description="the day the crew erected it (安装日期); empty: accepted_on, else the day it is judged",
    )

    def missing(self) -> list[str]:
        """The fields not filled in, by their site-file names."""
        return [name for name, value in self.model_dump().items() if value in ("", None)]


class MachineDevice(DeviceConfig):
    """A device that is a machine needing papers (a crane, a hoist, a suspended platform): a kind's
    device model derives from this to declare its ``papers:`` section."""

    installer_trade: ClassVar[Trade | None] = None
    """The 安装拆卸工 category its installers must hold (a tower crane's: 08), None: none of 75号's."""

    papers: MachinePapers | None = Field(
        None,
        title="Papers",
        description="filing_no, accepted_on, registration_no, registered_on, next_inspection_on "
        "(备案、验收、使用登记、定期检验), installers, installed_on (安拆人员), safety_officers (安拆单位专职安全员): "
        "judged by machine.papers and <kind>.install",
    )
