"""personnel.certificate: a key person (project manager, safety officer, ...) whose safety
assessment certificate (安全生产考核合格证书) has expired is critical: 建质规〔2024〕5号 第四条(二)
makes it a major hazard; one due within 30 days (the expiry day itself still valid) is a warning, so
that its renewal is applied for in time. Judged on the site's local date, once a day and at start."""

from __future__ import annotations

from datetime import date

from contract.alert_event import Level
from contract.config.personnel import ROLE_ZH, KeyPerson
from rules.levels import LevelMemory
from rules.machine_papers import due_level
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "personnel.certificate"
CLAUSE = (
    f"建质规〔2024〕5号 第四条(二) 项目负责人、专职安全生产管理人员未取得有效安全生产考核合格证书，{MAJOR_ZH}"
)


class PersonnelCertificate:
    """Certificate validity of each key person."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(self, device: str, person: KeyPerson, today: date, ts: float) -> RuleResult | None:
        """The verdict for ``person`` on the local date ``today``."""
        until = person.certificate_valid_until
        level: Level | None = due_level(until, today)
        role = ROLE_ZH[person.role]
        action, action_en = (
            "立即停止其履职，由持有效证书人员替岗并办理证书延续",
            "replace them with a certified person until renewed",
        )

        def build() -> RuleResult:
            number = person.certificate_no or "无编号"
            if level == "critical":
                what = f"{role} {person.name} 安全生产考核合格证书（{number}）已于 {until} 过期"
                what_en = f"{person.role} {person.name}'s safety certificate expired on {until}"
            elif level == "warning":
                what = f"{role} {person.name} 安全生产考核合格证书（{number}）将于 {until} 到期"
                what_en = f"{person.role} {person.name}'s safety certificate expires on {until}"
            else:
                what = f"{role} {person.name} 安全生产考核合格证书有效"
                what_en = f"{person.role} {person.name}'s safety certificate valid"
            return RuleResult(
                rule=RULE,
                device=device,
                point=person.id,
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=person.certificate_no,
                message=pick(level, what, action if level == "critical" else "到期前办理证书延续"),
                message_en=pick_en(
                    level, what_en, action_en if level == "critical" else "apply for renewal now"
                ),
                details={"valid_until": str(until)},
            )

        return self._memory.report(device, person.id, level, build)
