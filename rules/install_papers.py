"""What an 安拆 window needs on paper before it opens (standards.md §19; <kind>.install's ``installer`` and ``plan``
points, rules/install_window.py): an installer holding its qualification and safety production licence that day
(建设部令第166号 第十条), and a notice of the job to the construction authority (第十二条(五)) whose 危大 item has its
special plan written, reviewed and, 超过一定规模, expert-reviewed (建质规〔2024〕5号 第四条(四)). Each function gives
the problems in Chinese, none when the papers are in order; a date is valid through its day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from contract.config.dangerous_works import DangerousWork
from contract.config.papers import INSTALL_STAGES, NOTICE_STAGES, InstallerCompany, InstallNotice

INSTALLER_CLAUSE = (
    "建设部令第166号 第十条 安装、拆卸单位应当依法取得建设主管部门颁发的相应资质和建筑施工企业安全生产许可证，"
    "并在其资质许可范围内承揽建筑起重机械安装、拆卸工程"
)
PLAN_CLAUSE = (
    "建质规〔2024〕5号 第四条(四) 危大工程专项施工方案未编制、未审核或超过一定规模未经专家论证，重大事故隐患；"
    "建设部令第166号 第十二条(五) 安装、拆卸前将专项方案、作业人员名单和作业时间经施工总承包、监理单位审核后"
    "告知工程所在地县级以上建设主管部门"
)
COVERS: dict[int, frozenset[int]] = {
    stage: frozenset({stage, NOTICE_STAGES["climb"]}) if name == "erect" else frozenset({stage})
    for name, stage in NOTICE_STAGES.items()
}
"""The window stages a notice's stage covers: an erection's notice covers its climbs (顶升加节 is in its plan)."""


def installer_problems(company: InstallerCompany | None, today: date) -> list[str]:
    """The installer's qualification and safety production licence on ``today``."""
    if company is None:
        return ["站点文件未登记安装单位及其资质、安全生产许可证（papers.installer_company）"]
    out = []
    for what, number, until in (
        ("资质证书", company.qualification_no, company.qualification_until),
        ("安全生产许可证", company.safety_licence_no, company.safety_licence_until),
    ):
        if not number or until is None:
            out.append(f"安装单位{company.name}的{what}未登记（编号、有效期）")
        elif until < today:
            out.append(f"安装单位{company.name}的{what}（{number}）已于 {until} 过期")
    return out


def covering_notice(notices: Sequence[InstallNotice], stage: int, today: date) -> InstallNotice | None:
    """The latest notice of a window at ``stage`` (INSTALL_STAGES' code) dated ``today`` or before."""
    found = [n for n in notices if stage in COVERS[NOTICE_STAGES[n.stage]] and n.notified_on <= today]
    return max(found, key=lambda n: n.notified_on, default=None)


def plan_problems(
    notices: Sequence[InstallNotice], works: Mapping[str, DangerousWork], stage: int, today: date
) -> list[str]:
    """The notice of a window at ``stage`` opened by ``today``, and its job's special plan; an expert review
    missing names why the job is 超过一定规模 where the site's facts say so (contract/config/over_scale.py)."""
    notice = covering_notice(notices, stage, today)
    if notice is None:
        return [
            f"未办理{INSTALL_STAGES[stage]}告知（papers.install_notices 无 {today} 及以前的告知），专项方案无从核对"
        ]
    work = works[notice.dangerous_work]  # the site's load checks that it names an item of the list
    gaps = work.plan_gaps()
    if not gaps:
        return []
    why = "；".join(work.scale_reasons) if "专家论证" in gaps else ""
    return [f"专项施工方案（{work.name}）未{'、'.join(gaps)}" + (f"（超过一定规模：{why}）" if why else "")]
