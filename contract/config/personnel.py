"""Key personnel (关键岗位人员) the site must have on duty, with their safety-assessment
certificates (建质规〔2024〕5号 Art. 4(二); 建质〔2011〕111号; docs/standards.md §7)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contract.config.common import Model

Role = Literal["project_manager", "safety_officer", "chief_supervisor", "technical_lead"]

ROLE_ZH: dict[str, str] = {
    "project_manager": "项目负责人",
    "safety_officer": "专职安全员",
    "chief_supervisor": "总监理工程师",
    "technical_lead": "项目技术负责人",
}


class KeyPerson(Model):
    """One key person, as the site's real-name access gates (实名制闸机) know them."""

    id: str = Field(min_length=1, title="Person id", description="the id the access gates report")
    name: str = Field(min_length=1, title="Name", description="full name")
    role: Role = Field(
        title="Role",
        description="project_manager (项目负责人), safety_officer (专职安全员), "
        "chief_supervisor (总监理工程师) or technical_lead (项目技术负责人)",
    )
    certificate_no: str = Field(
        "",
        title="Certificate",
        description="safety assessment certificate number (安全生产考核合格证书, A/B/C certificate)",
    )
    certificate_valid_until: date | None = Field(
        None, title="Certificate valid until", description="expiry date of the certificate (YYYY-MM-DD)"
    )
