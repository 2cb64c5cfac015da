"""personnel.certificate: a person's certificate against its expiry, on the site's local date.

- A key person (project manager, safety officer, ...) whose safety assessment certificate
  (安全生产考核合格证书) has expired is critical: 建质规〔2024〕5号 第四条(二) makes it a major hazard.
  Judged once a day and at start, on the access gates' device.
- A certified worker (crane operator, hoist driver: 特种作业操作资格证书, 建设部令第166号 Art. 25) is
  judged once a day from the first time a machine reports them logged in, on that machine. An expired
  certificate raises no alert here: one fact, one alert. The hazard of 建质规〔2024〕5号 第四条(三) is working
  with it, and the machine's own operator rule (crane.operator, hoist.operator) judges that at every sample,
  the worker's name, licence number and expiry in its alert; a second critical alert here would make the
  regulator count one hazard twice. A warning open here for the certificate is closed saying where it went.

A key person's certificate due within 30 days (the expiry day itself still valid) is a warning, so that its
renewal is applied for in time; a certified worker's within the renewal window of 建质〔2008〕75号
(rules.personnel.renewal_warning_d, 90 days: standards.md §19 "expiry within 90 days → warning to the
employer", at the gate and at each machine login alike), citing that window.
"""

from __future__ import annotations

from datetime import date

from contract.alert_event import Level
from contract.config.crane import Operator
from contract.config.personnel import ROLE_ZH, KeyPerson
from rules.certificate_check import RENEWAL_CLAUSE
from rules.levels import LevelMemory
from rules.papers_due import DUE_WITHIN_D, due_level
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

    def evaluate_worker(
        self, device: str, worker: Operator, renewal_d: int, today: date, ts: float
    ) -> RuleResult | None:
        """The verdict for certified worker ``worker``, seen at work on ``device``, on ``today``; due within
        ``renewal_d`` days: the renewal warning."""
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
            None,  # expired: the machine operator rule's alert
            today,
            ts,
            renewal_d,
            RENEWAL_CLAUSE,
        )

    def _judge(
        self,
        device: str,
        point: str,
        paper: tuple[str, str],
        number: str,
        until: date | None,
        clause: str,
        expired_action: tuple[str, str] | None,
        today: date,
        ts: float,
        within_d: int = DUE_WITHIN_D,
        due_clause: str = "",
    ) -> RuleResult | None:
        """The verdict on one certificate; ``expired_action`` None: an expired one is the machine operator
        rule's alert (the module's docstring), not raised here. Due within ``within_d`` days: a warning,
        citing ``due_clause`` where given."""
        level: Level | None = due_level(until, today, within_d)
        joined = expired_action is None and level == "critical"
        if joined:
            level = None

        def build() -> RuleResult:
            if joined:
                # not "back to normal": the certificate is expired, and its alert is the machine's while they work
                message = (
                    f"{paper[0]}（{number or '无编号'}）已于 {until} 过期，不得上岗；"
                    "上岗即由该机械的操作员持证检查报危险（同一事实只报一条）"
                )
                message_en = (
                    f"{paper[1]} expired on {until}: they may not work; at the controls the machine's "
                    "operator check raises it as critical (one fact, one alert)"
                )
            else:
                if level == "critical" and expired_action is not None:
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
                message, message_en = pick(level, what, action), pick_en(level, what_en, action_en)
            return RuleResult(
                rule=RULE,
                device=device,
                point=point,
                level=level,
                ts=ts,
                clause=due_clause if level == "warning" and due_clause else clause,
                value=number,
                message=message,
                message_en=message_en,
                details={"valid_until": str(until)},
            )

        return self._memory.report(device, point, level, build)
