"""A project's list of dangerous works (危大工程清单, 住建部令第37号; standards.md §14): each item as the site
keeps it in its site file (``dangerous_works:``) and as the gateway sends it to the regulator with its
heartbeat (contract/wire.py ``Heartbeat.dangerous_works``), one model for both so the two never disagree.

An item names the devices that monitor it (``devices: [formwork-1]``): the regulator sees which dangerous
works are monitored and which are not, and classifies an item under way without its plan, expert review
or acceptance as a major hazard (regulator/ledger/dangerous_works.py, 建质规〔2024〕5号 Art. 4(四)(五)).

``over_scale`` is the flag as written, raised where the site's own devices show the item 超过一定规模 (a 300 kN
crane's 安拆, a shield drive, a 9 m high formwork: contract/config/over_scale.py): the site's load raises it, so
the rules, check-config and the heartbeat all read the raised value; the reasons ride along on the item (not on
the wire, whose model this is too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import Field, PrivateAttr, model_validator

from contract.config.common import Model


class DangerousWork(Model):
    """One item of the 危大 list."""

    id: str = Field(min_length=1, max_length=64, title="Id", description="the item's id, e.g. hf-3-5")
    name: str = Field(min_length=1, max_length=200, title="Name", description="e.g. 3号楼5层高支模")
    location: str = Field("", max_length=200, title="Location", description="where on the site")
    scale: str = Field("", max_length=200, title="Scale", description="e.g. 搭设高度9.2 m，跨度16 m")
    over_scale: bool = Field(
        False,
        title="超过一定规模",
        description="beyond the scale that needs an expert review (建办质〔2018〕31号 附件2); raised, whatever "
        "this says, where the devices attached to the item (its devices, or a machine whose 安拆 notice names "
        "it) show it: a crane's 安拆 from a rated load of 300 kN (30.59 t) or a top 200 m above the site's "
        "datum, a hoist's from 200 m erected, a formwork from height_m 8 m, any tunnel or shield drive; "
        "check-config names each such item whose flag says false",
    )
    planned_start: date | None = Field(None, title="Planned start", description="YYYY-MM-DD")
    planned_end: date | None = Field(None, title="Planned end", description="YYYY-MM-DD")
    actual_start: date | None = Field(
        None, title="Actual start", description="YYYY-MM-DD; set: the work is under way"
    )
    actual_end: date | None = Field(None, title="Actual end", description="YYYY-MM-DD; set: the work is over")
    responsible: list[str] = Field(
        default_factory=list, title="Responsible", description="responsible people, e.g. 项目经理 张三"
    )
    plan_written: bool = Field(False, title="Plan written", description="专项施工方案已编制")
    plan_reviewed: bool = Field(
        False, title="Plan reviewed", description="方案已审核（施工单位技术负责人、总监）"
    )
    expert_reviewed: bool = Field(
        False, title="Expert reviewed", description="专家论证已通过 (needed when over_scale)"
    )
    briefed: bool = Field(False, title="Briefed", description="方案交底、安全技术交底已完成")
    accepted: bool = Field(False, title="Accepted", description="验收合格（进入下一道工序或使用前）")
    devices: list[str] = Field(
        default_factory=list,
        title="Devices",
        description="ids of the site's devices that monitor this item, e.g. [formwork-1]",
    )

    # why the site's facts make it 超过一定规模 (none: its flag alone says, or nothing), and whether the flag as
    # written said not: kept off the model's fields, so neither the site file nor the wire can set them
    _scale_reasons: tuple[str, ...] = PrivateAttr(default=())
    _flag_missing: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _dates_in_order(self) -> DangerousWork:
        for first, then, what in (
            (self.planned_start, self.planned_end, "planned_end is before planned_start"),
            (self.actual_start, self.actual_end, "actual_end is before actual_start"),
        ):
            if first is not None and then is not None and then < first:
                raise ValueError(f"dangerous work {self.id}: {what}")
        if self.actual_end is not None and self.actual_start is None:
            raise ValueError(f"dangerous work {self.id}: actual_end without actual_start: give the start")
        return self

    def over_scale_by(self, reasons: Sequence[str]) -> DangerousWork:
        """This item as the site's facts make it: over_scale when they give ``reasons`` (why, in a message's
        words), whatever its flag says, the reasons kept; itself when they give none (fail safe: the facts never
        lower the flag)."""
        if not reasons:
            return self
        raised = self.model_copy(update={"over_scale": True})
        raised._scale_reasons = tuple(reasons)
        raised._flag_missing = self._flag_missing or not self.over_scale
        return raised

    @property
    def scale_reasons(self) -> tuple[str, ...]:
        """Why the site's facts make it 超过一定规模; none when they do not (its flag may still say so)."""
        return self._scale_reasons

    @property
    def flag_missing(self) -> bool:
        """超过一定规模 by the site's facts while its ``over_scale``, as written, said not."""
        return self._flag_missing

    def plan_gaps(self) -> list[str]:
        """What its special plan still lacks before the work may go on (建质规〔2024〕5号 第四条(四)), in the words a
        message uses: 编制 (not written), 审核 (not reviewed), 专家论证 (超过一定规模, not expert-reviewed)."""
        gaps = ["编制"] if not self.plan_written else ["审核"] if not self.plan_reviewed else []
        return gaps + (["专家论证"] if self.over_scale and not self.expert_reviewed else [])

    def under_way(self, today: date) -> bool:
        """Has the work started (actual_start on or before ``today``) and not ended?"""
        return (
            self.actual_start is not None
            and self.actual_start <= today
            and (self.actual_end is None or self.actual_end > today)
        )
