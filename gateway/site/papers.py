"""Every machine's and person's papers as the dashboard lists them (standards.md §13): each machine's
filing, acceptance, use registration and next periodic inspection, each special-operations worker's
certificate (named by the trade they are booked for; one not valid in the register or of another trade is
missing) and each key person's safety certificate, with what is due.

The levels are the rules' own (rules/machine_papers.py, rules/personnel_certificate.py), so the list
and the alerts never disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from contract.config import LoadedSite
from contract.config.papers import MachineDevice
from contract.config.personnel import ROLE_ZH
from contract.kinds import registry
from rules.certificate_check import standing_problem, trade_zh
from rules.machine_papers import registration_due, registration_problem
from rules.papers_due import DUE_WITHIN_D, due_level

Status = Literal["ok", "due", "expired", "missing"]
STATUS: dict[str | None, Status] = {None: "ok", "warning": "due", "critical": "expired"}


class PaperRow(BaseModel):
    """One paper of one machine or person."""

    holder: str = Field(description="device id or person id")
    name: str = Field(description="display name, e.g. 1号塔吊, 张建国")
    kind: str = Field(
        description="塔吊, 施工升降机 … for a machine; the role for a person, e.g. 司机, 项目负责人"
    )
    paper: str = Field(
        description="registration (备案、验收、使用登记), inspection (定期检验), installer_qualification and "
        "installer_licence (its 安拆 contractor's 资质 and 安全生产许可证) or certificate"
    )
    number: str = Field("", description="filing/registration number, or the certificate's")
    until: date | None = Field(None, description="next inspection or certificate expiry")
    days_left: int | None = Field(None, description="days from today to `until` (negative: past)")
    status: Status = Field(
        description="ok, due (within 30 days; a special-operations certificate within its renewal window, "
        "rules.personnel.renewal_warning_d), expired, missing"
    )
    problem: str = Field("", description="what is wrong, in Chinese")


def paper_rows(site: LoadedSite, today: date) -> list[PaperRow]:
    """Every machine's papers, then every certified worker's and key person's, on the local ``today``."""
    rows: list[PaperRow] = []
    for d in site.config.devices:
        if not isinstance(d, MachineDevice):
            continue
        kind = registry.get(d.kind).zh
        p = d.papers
        if p is None:
            rows.append(
                PaperRow(
                    holder=d.id,
                    name=d.display_name,
                    kind=kind,
                    paper="registration",
                    status="missing",
                    problem="站点文件未填写 papers（备案、验收、使用登记、检验）",
                )
            )
            continue
        problem = registration_problem(p, today)
        due = registration_due(p)
        rows.append(
            PaperRow(
                holder=d.id,
                name=d.display_name,
                kind=kind,
                paper="registration",
                number=" / ".join(n for n in (p.filing_no, p.registration_no) if n),
                until=p.registered_on or due,
                days_left=(due - today).days if due is not None else None,
                status="missing" if problem else "due" if due is not None else "ok",
                problem=problem[0] if problem else f"尚未办理使用登记，应于 {due} 前办理" if due else "",
            )
        )
        rows.append(_due(d.id, d.display_name, kind, "inspection", "", p.next_inspection_on, today))
        if (
            company := p.installer_company
        ) is not None:  # judged while an 安拆 window is open (<kind>.install)
            rows += [
                _due(d.id, d.display_name, kind, paper, number, until, today)
                for paper, number, until in (
                    ("installer_qualification", company.qualification_no, company.qualification_until),
                    ("installer_licence", company.safety_licence_no, company.safety_licence_until),
                )
            ]
    for op in site.config.operators:
        kind = trade_zh(op.trade) if op.trade else "特种作业人员"
        row = _due(
            op.id,
            op.name or op.id,
            kind,
            "certificate",
            op.licence_no,
            op.valid_until,
            today,
            site.config.rules.personnel.renewal_warning_d,  # the workers' renewal window, as their rules'
        )
        # not valid in the register, or another trade's: no paper for the booked trade, whatever its date
        standing = standing_problem(op, op.trade) if op.trade and op.valid_until else None
        rows.append(
            row if standing is None else row.model_copy(update={"status": "missing", "problem": standing[0]})
        )
    for kp in site.config.key_personnel:
        rows.append(
            _due(
                kp.id,
                kp.name,
                ROLE_ZH[kp.role],
                "certificate",
                kp.certificate_no,
                kp.certificate_valid_until,
                today,
            )
        )
    return rows


def _due(
    holder: str,
    name: str,
    kind: str,
    paper: str,
    number: str,
    until: date | None,
    today: date,
    within_d: int = DUE_WITHIN_D,
) -> PaperRow:
    if until is None:
        return PaperRow(
            holder=holder,
            name=name,
            kind=kind,
            paper=paper,
            number=number,
            status="missing",
            problem="未填写有效期",
        )
    return PaperRow(
        holder=holder,
        name=name,
        kind=kind,
        paper=paper,
        number=number,
        until=until,
        days_left=(until - today).days,
        status=STATUS[due_level(until, today, within_d)],
    )


def missing_papers(site: LoadedSite) -> list[str]:
    """What check-config hints at: machines without papers, or with fields left out."""
    hints = []
    for d in site.config.devices:
        if not isinstance(d, MachineDevice):
            continue
        if d.papers is None:
            hints.append(
                f"{d.id}: no papers (filing_no, accepted_on, registration_no, registered_on, next_inspection_on): {d.kind}.papers cannot judge it"
            )
        elif missing := d.papers.missing():
            hints.append(f"{d.id}: papers without {', '.join(missing)}")
    return hints
