"""A hot-work permit (动火许可证, GB 50720-2011 §6.3.1; docs/standards.md §18) as the gateway keeps it,
the rules judge it and ``sitegw replay`` takes it.

What the record holds is what §18 says a site system records per permit: the place, the window, the
method, the operator and their certificate (§19: stored as the issuer's register gives it, never
computed), the fire watch (每个动火作业点均应设置1个监护人, §6.3.1(6)) with their badge, the extinguishers
(不应少于2具, §5.2.1), the combustibles cleared (§6.3.1(3)), the signer who confirmed the measures on the
spot (§6.3.1(1)), and the post-work check that closes it (§6.3.1(8)). GB 50720 defines no approval
levels: ``level`` is a company's or a locality's scheme [U], recorded when one applies.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contract.config.common import Model

Method = Literal["electric_welding", "gas_welding", "cutting", "grinding", "other"]
METHOD_ZH: dict[str, str] = {
    "electric_welding": "电焊",
    "gas_welding": "气焊",
    "cutting": "切割",
    "grinding": "打磨",
    "other": "其他动火",
}
MIN_EXTINGUISHERS = 2  # GB 50720-2011 §5.2.1: 动火作业场所 … 灭火器不应少于2具
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"  # ids that name an alert point and an API path safely


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


class PermitRequest(Model):
    """What the signer records when issuing a permit: the measures confirmed on the spot."""

    place: str = Field(
        min_length=1, max_length=100, description="the hot-work place, as the welders' `place` names it"
    )
    outdoor: bool = Field(False, description="open-air work: 五级以上风力 stops it (§6.3.1(7))")
    method: Method = Field("electric_welding", description="electric/gas welding, cutting, grinding")
    level: Literal["一级", "二级", "三级"] | None = Field(
        None, description="the company's or locality's approval level where one applies [U]"
    )
    start: AwareDatetime = Field(description="the window's start (ISO 8601 with its UTC offset)")
    end: AwareDatetime = Field(description="the window's end")
    operator: Operator
    fire_watch: FireWatch
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

    def in_force(self, ts: float) -> bool:
        """Whether hot work may go on under it at ``ts``: inside its window and not yet closed."""
        if self.closed_ts is not None and ts >= self.closed_ts:
            return False
        return self.start.timestamp() <= ts < self.end.timestamp()

    def unclosed(self, ts: float) -> bool:
        """Its window has ended by ``ts`` and the post-work check is not recorded by then."""
        return ts >= self.end.timestamp() and (self.closed_ts is None or ts < self.closed_ts)

    @property
    def title_zh(self) -> str:
        """How alerts name it: 动火许可证 ID（地点，方式）."""
        return f"动火许可证 {self.id}（{self.place}，{METHOD_ZH[self.method]}）"
