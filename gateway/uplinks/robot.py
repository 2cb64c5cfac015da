"""What the two group-robot notification adapters (DingTalk, WeCom) share: the text and the answer."""

from __future__ import annotations

from datetime import datetime

import httpx

from contract.alert_event import AlertEvent
from gateway.uplinks.base import BEIJING, PermanentFailure, TransientFailure

LEVEL_ZH = {"warning": "预警", "alarm": "报警", "critical": "危险"}
STATE_ZH = {"firing": "触发", "updated": "更新", "acknowledged": "已确认", "resolved": "已解除"}


def markdown(event: AlertEvent) -> tuple[str, str]:
    """A supervisor's view of one event: (title, markdown text), Chinese first."""
    level = LEVEL_ZH[event.level]
    title = f"[{level}] {event.project} {event.device} {event.rule}"
    where = f"{event.device} {event.point}".strip()
    value = "" if event.value is None else f"{event.value}{event.unit}"
    limit = "" if event.threshold is None else f" (阈值 {event.threshold:g}{event.unit})"
    when = datetime.fromtimestamp(event.ts, BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    lines = [
        f"### {level} · {STATE_ZH[event.state]}: {event.message or event.rule}",
        f"- 项目 project: {event.project}",
        f"- 设备 device: {where}",
        f"- 规则 rule: {event.rule} ({event.clause})",
        f"- 数值 value: {value}{limit}",
        f"- 时间 time: {when}",
    ]
    if event.actor:
        lines.append(f"- 处理人 by: {event.actor} {event.note}".rstrip())
    if event.backfill:
        lines.append("- 补传 (sent after an outage)")
    return title, "\n".join(lines)


def check_answer(response: httpx.Response, transient_codes: frozenset[int]) -> None:
    """Robots answer HTTP 200 with ``errcode``: 0 is delivered, a rate-limit code is retried, else refused."""
    try:
        code = int(response.json().get("errcode", 0))
    except (ValueError, AttributeError, TypeError):
        raise TransientFailure(
            f"HTTP {response.status_code}: not a robot answer: {response.text[:500]}"
        ) from None
    if code == 0:
        return
    detail = f"errcode {code}: {response.text[:2000]}"
    if code in transient_codes:
        raise TransientFailure(detail)
    raise PermanentFailure(detail)
