"""A hot-work permit (动火许可证, GB 50720-2011 §6.3.1; docs/standards.md §18) as the gateway keeps it,
the rules judge it and ``sitegw replay`` takes it.

What the record holds is what §18 says a site system records per permit: the place, the window, the
method, the operator and their certificate (§19: stored as the issuer's register gives it, never
computed), the fire watch (每个动火作业点均应设置1个监护人, §6.3.1(6)) with their badge, the extinguishers
(不应少于2具, §5.2.1), the combustibles cleared (§6.3.1(3)), the signer who confirmed the measures on the
spot (§6.3.1(1)), and the post-work check that closes it (§6.3.1(8)). GB 50720 defines no approval
levels: ``level`` is a company's or a locality's scheme [U], recorded when one applies.

How long a permit covers hot work is decided at each check, not only when it is signed: the earlier of its
signed end and its start plus the validity the site's scheme gives its level NOW (``hot_work_permits:``,
contract/config/hot_work_permits.py; capped by ``max_h``). A permit signed before the site shortened its
windows, or carried over from a backup or a replay, runs no longer than today's scheme allows. The validity is
read as a span from the window's start, as issuing measures it: 有效期 24 小时 covers [start, start + 24 h),
and at start + 24 h the 24 hours have run out (the window itself is half-open the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contract.config.common import Model
from contract.config.hot_work_permits import HotWorkPermitsConfig

Method = Literal["electric_welding", "gas_welding", "cutting", "grinding", "other"]
METHOD_ZH: dict[str, str] = {
    "electric_welding": "电焊",
    "gas_welding": "气焊",
    "cutting": "切割",
    "grinding": "打磨",
    "other": "其他动火",
}
MIN_EXTINGUISHERS = 2  # GB 50720-2011 §5.2.1: 动火作业场所 … 灭火器不应少于2具
# Gas welding's cylinders (docs/standards.md §18, §6.3.3): the oxygen and the fuel-gas cylinder at least 5 m
# apart while working and at least 10 m from the open flame, as company manuals give them [U] (不小于: the
# line itself complies); §6.3.3(1) itself (mandatory) is that no cylinder with a defective regulator or
# flashback arrestor is used
CYLINDERS_APART_M = 5.0
CYLINDERS_TO_FLAME_M = 10.0
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"  # ids that name an alert point and an API path safely


@dataclass(frozen=True)
class Validity:
    """How long a permit covers hot work under the site's scheme (``hot_work_permits:``) as it stands now."""

    level: str | None  # the permit's approval level (None: it names none)
    hours: float  # the validity that applies: its level's, or max_h for none, capped by max_h
    field: str  # the hot_work_permits field giving it
    until: float  # Unix s: the earlier of its signed end and start + hours (at it, it covers nothing)
    cut: bool  # the validity ends before the signed end: the scheme, not the signature, ends it

    def why_zh(self) -> str:
        """What it ran past, Chinese (已… before it): the validity that applied and that it is the site's rule."""
        of = "未注明级别动火许可证的最长有效期" if self.level is None else f"{self.level}动火许可证有效期"
        return (
            f"超过{of} {hours_zh(self.hours)}（本工地（企业）动火分级管理规定，工地文件 "
            f"hot_work_permits.{self.field}，自作业时段开始起算）"
        )

    def why_en(self) -> str:
        """The English twin of :meth:`why_zh`."""
        return (
            f"past {validity_en(self.level)}, {self.hours:g} h from its start (the site's rule, "
            f"hot_work_permits.{self.field})"
        )


def validity_en(level: str | None) -> str:
    """The validity a permit of ``level`` has, as an English sentence names it (None: naming no level)."""
    return (
        "the longest validity of a permit naming no level"
        if level is None
        else f"a {level} permit's validity"
    )


RENEW_ZH = "停止动火，重新办理动火许可证"
RENEW_EN = "stop the hot work and issue a new permit"


def hours_zh(hours: float) -> str:
    """Hours as a permit's validity reads, e.g. 72 小时（3 天）."""
    days = hours / 24
    return f"{hours:g} 小时" + (f"（{days:g} 天）" if days == int(days) else "")


class Operator(Model):
    """The person doing the hot work and their card (熔化焊接与热切割作业, or a province's 建筑焊工)."""

    name: str = Field(min_length=1, max_length=50, description="e.g. 张三")
    person_id: str = Field("", max_length=64, description="their badge id at the access gates")
    certificate_no: str = Field(
        min_length=1, max_length=64, description="the certificate's number (特种作业操作证)"
    )
    certificate_kind: str = Field(
        "熔化焊接与热切割作业", min_length=1, max_length=50, description="what the card certifies"
    )
    valid_until: date = Field(description="the card's last valid day, as the issuer's register gives it")


class FireWatch(Model):
    """The permit's fire watch (动火监护人), one per hot-work point."""

    name: str = Field(min_length=1, max_length=50, description="e.g. 李四")
    person_id: str = Field(
        min_length=1, max_length=64, pattern=ID_PATTERN, description="their badge id at the access gates"
    )


class GasCylinders(Model):
    """The oxygen and fuel-gas (acetylene, propane) cylinders of gas welding or cutting, as the signer checked
    them on the spot (§6.3.3)."""

    apart_m: float = Field(
        ge=0,
        le=1000,
        description=f"working distance between the oxygen and the fuel-gas cylinder, m (at least "
        f"{CYLINDERS_APART_M:g} m [U])",
    )
    to_flame_m: float = Field(
        ge=0,
        le=1000,
        description=f"the cylinders' distance from the open flame, m (at least {CYLINDERS_TO_FLAME_M:g} m [U])",
    )
    regulators_checked: bool = Field(
        False,
        description="each cylinder's regulator (减压器) and flashback arrestor (回火防止器) checked sound "
        "(required: §6.3.3(1), mandatory)",
    )


class PermitRequest(Model):
    """What the signer records when issuing a permit: the measures confirmed on the spot."""

    place: str = Field(
        min_length=1, max_length=100, description="the hot-work place, as the welders' `place` names it"
    )
    outdoor: bool = Field(False, description="open-air work: 五级以上风力 stops it (§6.3.1(7))")
    windbreak: bool = Field(
        False,
        description="open-air work that must go on in 五级以上风力 behind a reliable windbreak (可靠的挡风措施, "
        "§6.3.1(7)), confirmed by the signer: the wind then warns instead of alarming",
    )
    method: Method = Field("electric_welding", description="electric/gas welding, cutting, grinding")
    level: Literal["一级", "二级", "三级"] | None = Field(
        None, description="the company's or locality's approval level where one applies [U]"
    )
    start: AwareDatetime = Field(description="the window's start (ISO 8601 with its UTC offset)")
    end: AwareDatetime = Field(description="the window's end")
    operator: Operator
    fire_watch: FireWatch
    cylinders: GasCylinders | None = Field(
        None,
        description="the gas cylinders of gas welding or cutting (气焊、气割), as checked (required for gas_welding)",
    )
    extinguishers: int = Field(ge=0, le=100, description="extinguishers at the place (at least 2)")
    extinguishers_checked: bool = Field(False, description="their pressure and seals checked (required)")
    combustibles_cleared: bool = Field(
        False, description="combustibles removed, or covered with non-combustible material (required)"
    )
    note: str = Field("", max_length=500)


class Permit(PermitRequest):
    """A permit as issued: its id, who signed it and when, and its closing."""

    id: str = Field(min_length=1, max_length=64, pattern=ID_PATTERN, description="its number, e.g. DH-0001")
    signer: str = Field(min_length=1, max_length=100, description="who confirmed the measures and signed")
    signed_ts: float = Field(description="Unix seconds of the signature")
    closed_ts: float | None = Field(None, description="Unix seconds of the post-work check (none: open)")
    closed_by: str = Field("", max_length=100, description="who checked the place after the work")

    @model_validator(mode="after")
    def _window(self) -> Permit:
        # a request's window is checked by the register, which says so as a refusal (409), not a 422
        if self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} is not after start {self.start.isoformat()}")
        return self

    def validity(self, scheme: HotWorkPermitsConfig) -> Validity:
        """How long it covers hot work under the site's ``scheme`` as it stands now."""
        hours, field = scheme.window_h(self.level)
        end, lapses = self.end.timestamp(), self.start.timestamp() + hours * 3600
        return Validity(self.level, hours, field, min(end, lapses), lapses < end)

    def in_force(self, ts: float, scheme: HotWorkPermitsConfig) -> bool:
        """Whether hot work may go on under it at ``ts``: inside its window, within its level's validity
        under the site's ``scheme`` (start + validity: at that instant it is over), and not yet closed."""
        if self.closed_ts is not None and ts >= self.closed_ts:
            return False
        return self.start.timestamp() <= ts < self.validity(scheme).until

    def in_force_until(self, scheme: HotWorkPermitsConfig) -> float:
        """Unix s: the instant it stops being in force (:meth:`in_force`), the earlier of its validity's end
        under ``scheme`` and its closing (one closed before its start is never in force)."""
        until = self.validity(scheme).until
        return until if self.closed_ts is None else min(until, self.closed_ts)

    def in_force_during(self, start: float, end: float, scheme: HotWorkPermitsConfig) -> bool:
        """Whether it is in force (:meth:`in_force`) at some instant of [``start``, ``end``) (Unix s)."""
        return max(start, self.start.timestamp()) < min(end, self.in_force_until(scheme))

    def expired(self, ts: float, scheme: HotWorkPermitsConfig) -> Validity | None:
        """The validity that ran out by ``ts`` before its signed end, the permit not closed by then (None:
        it has not, or its own window ended first)."""
        v = self.validity(scheme)
        closed = self.closed_ts is not None and ts >= self.closed_ts
        return v if v.cut and ts >= v.until and not closed else None

    def unclosed(self, ts: float, scheme: HotWorkPermitsConfig) -> bool:
        """It no longer covers hot work by ``ts`` (its window ended, or its level's validity ran out) and the
        post-work check is not recorded by then."""
        return ts >= self.validity(scheme).until and (self.closed_ts is None or ts < self.closed_ts)

    @property
    def title_zh(self) -> str:
        """How alerts name it: 动火许可证 ID（地点，方式）."""
        return f"动火许可证 {self.id}（{self.place}，{METHOD_ZH[self.method]}）"
