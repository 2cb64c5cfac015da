"""A machine's papers (建筑起重机械备案、验收、使用登记、定期检验; standards.md §13), as one section any
kind of machine declares: a kind whose device model derives from :class:`MachineDevice` (cranes, hoists,
suspended platforms) gets a ``papers:`` section in the site file, the papers rules and the dashboard's
papers panel, with that one line."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.config.trades import Trade

INSTALL = "install_active"
"""A machine's 安拆 window as its reading (standards.md §10, §13, §19): 0 closed, else the stage under way."""
INSTALL_STAGES = {0: "结束", 1: "安装", 2: "顶升加节", 3: "拆卸"}
"""The stages of an 安拆 window: erection, climbing with the building (adding sections), dismantling."""
NOTICE_STAGES: dict[str, int] = {"erect": 1, "climb": 2, "dismantle": 3}
"""An 安拆 notice's stage as the site file names it, and the INSTALL_STAGES code of the windows it covers."""


class InstallerCompany(Model):
    """The 安拆 contractor (安装单位) of a machine: its qualification and its safety production licence
    (建设部令第166号 第十条: 相应资质 and 建筑施工企业安全生产许可证, within the scope of its qualification)."""

    name: str = Field(
        min_length=1, max_length=200, title="Name", description="e.g. 深圳市建机安装工程有限公司"
    )
    qualification_no: str = Field(
        "",
        max_length=64,
        title="Qualification number",
        description="资质证书编号 (起重设备安装工程专业承包); empty: not shown, critical while a window is open",
    )
    qualification_until: date | None = Field(
        None,
        title="Qualification valid until",
        description="资质证书有效期至 (valid through that day); empty: not shown, critical while a window is open",
    )
    safety_licence_no: str = Field(
        "",
        max_length=64,
        title="Safety production licence number",
        description="安全生产许可证编号; empty: not shown, critical while a window is open",
    )
    safety_licence_until: date | None = Field(
        None,
        title="Safety production licence valid until",
        description="安全生产许可证有效期至 (valid through that day); empty: not shown, critical while a window is open",
    )


class InstallNotice(Model):
    """One 安拆 job's notice (安装/拆卸告知, 建设部令第166号 第十二条(五)): its plan, crew list and time, reviewed by
    the main contractor and the supervisor, told to the county-level construction authority before the work."""

    stage: Literal["erect", "climb", "dismantle"] = Field(
        title="Stage",
        description="erect (安装; it covers the climbs of that erection too, 顶升加节 being in its plan), climb "
        "(顶升加节/附着 told on its own) or dismantle (拆卸)",
    )
    notified_on: date = Field(
        title="Notified on",
        description="告知日期: it covers the windows of its stage opened on or after that day",
    )
    number: str = Field(
        "", max_length=64, title="Receipt number", description="告知回执编号, where one is given"
    )
    dangerous_work: str = Field(
        min_length=1,
        max_length=64,
        title="Dangerous work",
        description="the id of this job's item on the site's dangerous_works list (起重机械安装拆卸 is 危大, "
        "住建部令第37号): its plan, review and, 超过一定规模, expert review are judged from it",
    )


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
        "not judged by machine.papers, no crew (critical) while an 安拆 window or a crane's jacking window is "
        "open",
    )
    safety_officers: list[str] = Field(
        default_factory=list,
        max_length=10,
        title="Installer's safety officers",
        description="the 安拆 contractor's full-time safety officers (专职安全生产管理人员), by the ids the access "
        "gates read: one of them badged in while an 安拆 window, or a crane's jacking window, is open "
        "(建设部令第166号 Art. 13; standards.md §19 (d)); empty: nobody can be shown on site, critical while such "
        "a window is open (<kind>.install safety_officer)",
    )
    installed_on: date | None = Field(
        None,
        title="Installed on",
        description="the day the crew erected it (安装日期); empty: accepted_on, else the day it is judged",
    )
    installer_company: InstallerCompany | None = Field(
        None,
        title="Installer",
        description="the 安拆 contractor, its qualification and safety production licence (建设部令第166号 第十条); "
        "empty: not shown, critical while an 安拆 window (or a crane's jacking window) is open "
        "(<kind>.install installer)",
    )
    install_notices: list[InstallNotice] = Field(
        default_factory=list,
        max_length=50,
        title="安拆 notices",
        description="each 安拆 job's notice to the construction authority with its dangerous-works item; a window "
        "opened with no notice of its stage dated that day or before, or whose plan is not written, reviewed or "
        "(超过一定规模) expert-reviewed, is critical (<kind>.install plan; standards.md §19 (a)(b))",
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
