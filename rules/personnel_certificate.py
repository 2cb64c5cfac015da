"""personnel.certificate: a person's certificate against its expiry, on the site's local date.

- A key person (project manager, safety officer, ...) whose safety assessment certificate
  (安全生产考核合格证书) has expired is critical: 建质规〔2024〕5号 第四条(二) makes it a major hazard.
  Judged once a day and at start, on the access gates' device.
- A certified worker (crane operator, hoist driver: 特种作业操作资格证书, 建设部令第166号 Art. 25) whose
  certificate has expired is critical, 建质规〔2024〕5号 第四条(三). Judged once a day from the first time
  a machine reports them logged in, on that machine (the machine's own operator rule judges every sample).

Either certificate due within 30 days (the expiry day itself still valid) is a warning, so that its renewal
is applied for in time.
"""

from __future__ import annotations

from datetime import date

from contract.alert_event import Level
from contract.config.crane import Operator
from contract.config.personnel import ROLE_ZH, KeyPerson
from rules.levels import LevelMemory
from rules.papers_due import due_level
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "personnel.certificate"
CLAUSE = (
    f"建质规〔2024〕5号 第四条(二) 项目负责人、专职安全生产管理人员未取得有效安全生产考核合格证书，{MAJOR_ZH}"
)
WORKER_CLAUSE = (
    f"建质规〔2024〕5号 第四条(三) 建筑施工特种作业人员未取得特种作业人员操作资格证书上岗作业，{MAJOR_ZH}；"
    "建设部令第166号 第二十五条"
)


class PersonnelCertificate:
    """Certificate validity of each key person or certified worker."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(self, device: str, person: KeyPerson, today: date, ts: float) -> RuleResult | None:
        """The verdict for key person ``person`` on the local date ``today``."""
        role = ROLE_ZH[person.role]
        return self._judge(
            device,
            person.id,
            (
                f"{role} {person.name} 安全生产考核合格证书",
                f"{person.role} {person.name}'s safety certificate",
            ),
            person.certificate_no,
            person.certificate_valid_until,
            CLAUSE,
            (
                "立即停止其履职，由持有效证书人员替岗并办理证书延续",
                "replace them with a certified person until renewed",
            ),
            today,
            ts,
        )

    def evaluate_worker(self, device: str, worker: Operator, today: date, ts: float) -> RuleResult | None:
        """The verdict for certified worker ``worker``, seen at work on ``device``, on ``today``."""
        return self._judge(
            device,
            worker.id,
            (
                f"特种作业人员 {worker.name or worker.id} 操作资格证书",
                f"{worker.name or worker.id}'s licence",
            ),
            worker.licence_no,
            worker.valid_until,
            WORKER_CLAUSE,
            ("立即停止其作业，由持有效证书人员操作", "stop their work; a licensed worker takes over"),
            today,
            ts,
        )

    def _judge(
        self,
        device: str,
        point: str,
        paper: tuple[str, str],
        number: str,
        until: date | None,
        clause: str,
        expired_action: tuple[str, str],
        today: date,
        ts: float,
    ) -> RuleResult | None:
        level: Level | None = due_level(until, today)

        def build() -> RuleResult:
            if level == "critical":
                what, what_en = (
                    f"{paper[0]}（{number or '无编号'}）已于 {until} 过期",
                    f"{paper[1]} expired on {until}",
                )
                action, action_en = expired_action
            elif level == "warning":
                what, what_en = (
                    f"{paper[0]}（{number or '无编号'}）将于 {until} 到期",
                    f"{paper[1]} expires on {until}",
                )
                action, action_en = "到期前办理证书延续", "apply for renewal now"
            else:
                what, what_en, action, action_en = f"{paper[0]}有效", f"{paper[1]} valid", "", ""
            return RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=clause,
                value=number,
                message=pick(level, what, action),
                message_en=pick_en(level, what_en, action_en),
                details={"valid_until": str(until)},
            )

        return self._memory.report(device, point, level, build)
