"""The roster of licensed special-operations workers (特种作业人员): crane operators and hoist
drivers, checked on the local date of the reading (建设部令第166号 Art. 25; 建质规〔2024〕5号
第四条(三): working without a valid certificate is a major hazard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from contract.config.crane import Operator


@dataclass(frozen=True)
class Finding:
    """What the roster says of one id at one instant ("" problem: licensed)."""

    problem_zh: str
    problem_en: str
    operator: Operator | None


class Roster:
    """Licensed workers by id, with licence expiry read in the site's time zone."""

    def __init__(self, operators: list[Operator], utc_offset_h: float) -> None:
        self._by_id = {op.id: op for op in operators}
        self._tz = timezone(timedelta(hours=utc_offset_h))

    def check(self, worker_id: str, ts: float) -> Finding:
        """Is ``worker_id`` licensed on the local date of ``ts``? An empty id is "nobody"."""
        worker_id = worker_id.strip()
        op = self._by_id.get(worker_id)
        if not worker_id:
            return Finding("无人登录（未识别司机身份）", "no driver logged in", None)
        if op is None:
            return Finding(
                f"{worker_id} 不在持证人员名单", f"{worker_id} is not on the licensed roster", None
            )
        today = datetime.fromtimestamp(ts, UTC).astimezone(self._tz).date()
        if today > op.valid_until:
            return Finding(
                f"{worker_id} {op.name} 操作资格证已于 {op.valid_until} 过期",
                f"{worker_id}'s licence expired on {op.valid_until}",
                op,
            )
        return Finding("", "", op)


def text_id(value: float | str) -> str:
    """A worker id as text: black boxes read over Modbus report card numbers as numbers (1001.0)."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return str(value).strip()
