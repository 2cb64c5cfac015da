"""The roster of licensed special-operations workers (特种作业人员): crane operators and hoist
drivers, checked on the local date of the reading (建设部令第166号 Art. 25; 建质规〔2024〕5号
第四条(三): working without a valid certificate is a major hazard), and how a black box says that
nobody is logged in.

A missing identity is never a licensed one: an empty id, the vendor's "nobody" code (255 in the
driver-number field of Deye's protocol, docs/standards.md §5) and no id at all in a sample of a box
that reports one with every sample are all "nobody logged in".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from contract.config.crane import Operator
from contract.config.loader import LoadedSite
from contract.config.profile import Profile
from contract.config.trades import Trade
from rules.certificate_check import standing_problem
from rules.result import Details

# what a black box reports for nobody logged in: nothing, or the vendor's code for it
NOBODY = frozenset({"", "255"})


@dataclass(frozen=True)
class Finding:
    """What the roster says of one id at one instant ("" problem: licensed)."""

    problem_zh: str
    problem_en: str
    operator: Operator | None
    nobody: bool = False  # the id says nobody is logged in (:func:`nobody`)
    expired: bool = False  # a roster worker past their licence's last valid day

    def details(self) -> Details:
        """The worker's licence as the operator rules' alerts carry it. An expired licence is one fact with
        the worker's personnel.certificate finding, which raises no alert of its own for it
        (rules/personnel_certificate.py): ``joins`` names it, so the regulator sees the two are one."""
        op = self.operator
        if op is None:
            return {}
        out: Details = {"worker": op.id, "licence_no": op.licence_no, "valid_until": str(op.valid_until)}
        return out | ({"joins": "personnel.certificate"} if self.expired else {})


MEMO_MAX = 4096  # ids a roster remembers its findings for: the boxes report them, the roster bounds them


class Roster:
    """Licensed workers by id for one trade (a tower-crane driver's, a hoist driver's), with licence expiry
    read in the site's time zone."""

    def __init__(self, operators: list[Operator], utc_offset_h: float, needs: Trade) -> None:
        self._by_id = {op.id: op for op in operators}
        self._needs = needs  # the certificate category the machine's driver must hold (standards.md §19)
        tz = timezone(timedelta(hours=utc_offset_h))
        # the instant each licence ends: the local midnight after its last valid day (a timestamp compared
        # at every sample instead of the reading's local date worked out at each)
        self._ends = {
            op.id: datetime.combine(op.valid_until + timedelta(days=1), time(), tz).timestamp()
            for op in operators
            if op.valid_until is not None
        }
        # each id as reported: the instant its finding changes (a licence's end), the finding before and
        # after it; a crane or hoist repeats its operator's id with every sample
        self._memo: dict[str | None, tuple[float, Finding, Finding]] = {}

    def check(self, worker_id: str | None, ts: float) -> Finding:
        """Is ``worker_id`` licensed on the local date of ``ts``? None (the sample carried no id),
        an empty id and the vendor's nobody code are "nobody", never licensed."""
        memo = self._memo.get(worker_id)
        if memo is None:
            if len(self._memo) >= MEMO_MAX:
                self._memo.clear()
            memo = self._memo[worker_id] = self._findings(worker_id)
        end, before, after = memo
        return before if ts < end else after

    def _findings(self, worker_id: str | None) -> tuple[float, Finding, Finding]:
        """What :meth:`check` says of ``worker_id``: before an instant, and from it on."""
        if worker_id is None:
            found = Finding(
                "身份未上报（本次数据无人员编号，按无人登录处理）",
                "no identity in this sample (taken as nobody logged in)",
                None,
                nobody=True,
            )
            return math.inf, found, found
        worker_id = worker_id.strip()
        if worker_id in NOBODY:
            code = f"，设备报 {worker_id}" if worker_id else ""
            code_en = f" (the box reports {worker_id})" if worker_id else ""
            found = Finding(f"无人登录（未识别身份{code}）", f"nobody logged in{code_en}", None, nobody=True)
            return math.inf, found, found
        op = self._by_id.get(worker_id)
        if op is None:
            found = Finding(
                f"{worker_id} 不在持证人员名单", f"{worker_id} is not on the licensed roster", None
            )
            return math.inf, found, found
        standing = standing_problem(op, self._needs)
        if standing is not None:  # no certificate, not valid in the register, or another trade's
            found = Finding(
                f"{worker_id} {op.name} {standing[0]}", f"{worker_id}: {standing[1]}", op, expired=False
            )
            return math.inf, found, found
        # past the licence's last valid day, on the site's local date
        number = op.licence_no or "无编号"
        expired = Finding(
            f"{worker_id} {op.name} 操作资格证（{number}）已于 {op.valid_until} 过期",
            f"{worker_id}'s licence {op.licence_no or '(no number)'} expired on {op.valid_until}",
            op,
            expired=True,
        )
        return self._ends[worker_id], Finding("", "", op), expired


def nobody(worker_id: str | None) -> bool:
    """Whether ``worker_id`` says nobody is logged in (None: no id in the sample)."""
    return worker_id is None or worker_id.strip() in NOBODY


def text_id(value: float | str) -> str:
    """A worker id as text: black boxes read over Modbus report card numbers as numbers (1001.0)."""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    return str(value).strip()


def reported_with(site: LoadedSite, metric: str, companion: str) -> frozenset[str]:
    """The devices whose every sample carrying ``companion`` (a hoist's speed_ms, a crane's load_t)
    also carries ``metric`` (driver_id, operator_id), as their profiles map them: a sample of theirs
    without ``metric`` lacks it (a failed read, a blank register), it did not come separately."""
    return frozenset(
        d.id
        for d in site.config.devices
        if (profile := site.profiles.get(d.profile)) is not None and _together(profile, metric, companion)
    )


def _together(profile: Profile, metric: str, companion: str) -> bool:
    """Whether each read of ``profile`` that gives ``companion`` gives ``metric`` too: one Modbus poll
    (its requests share one timestamp), or each MQTT topic mapping ``companion``."""
    if profile.modbus is not None:
        mapped = {v.metric for v in profile.modbus.values}
        return metric in mapped and companion in mapped
    if profile.mqtt is not None:
        topics = [{v.metric for v in t.values} for t in profile.mqtt.topics]
        carrying = [t for t in topics if companion in t]
        return bool(carrying) and all(metric in t for t in carrying)
    return False
