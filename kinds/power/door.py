"""power.door_electrician: a distribution box's door open (its ``door_state`` 1, 打开) while no certified
electrician is on site. standards.md §19's gate logic accepts, "for anyone opening a distribution box", only a
建筑电工 certificate (operationCategory 01) valid in the issuer's register (certState 01) on a day up to its
expiringDate; anything else is critical under 建质规〔2024〕5号 第四条(三) (特种作业人员未取得有效操作资格证书上岗
作业, a major hazard). That JGJ/T 46-2024 has boxes operated by electricians is not in standards.md §17 [U],
and the clause says so.

The monitor sees the door, not who opened it: the rule asks whether anyone who could lawfully have opened it
is on site. Those are the roster's electricians (``operators`` booked as ``electrician`` or holding that
category, kinds/power/electricians.py), each judged on the site's local date (rules/certificate_check.py) and
on site as the access gates last saw them. Critical while a door is open and none of them is both certified
that day and inside; it clears when the door closes or such an electrician badges in, and fires again if the
last one leaves with the door open. Fail safe:

- a gate never heard from has nobody on site: unknown presence never clears it, nor does a silent box (its
  door stays as last read), a stale or faulty reading (the engine judges neither), or a door value other
  than closed (0), which is taken for open;
- a certificate that lapses at midnight is caught by the site's first tick of the next local day (as
  rules/install_window.py), the door still open;
- a restart finds who of them came in within the warm-up's window (a day): their passages are kept a series
  per person (``Shared.on_passage``), as the key people's are.

A site with no access gate at all (no ``kind: attendance`` device) is not judged, and ``sitegw check-config``
says so: presence could never be known there, so the rule would be critical at every opening of every box,
an electrician's routine work included, for ever and with nothing anyone on site could do to clear it short
of keeping boxes shut. An alarm that cannot be answered is soon ignored, the others with it; the fix is to
connect the gates, not a site-file list of badge ids (75号 asks for the certificate, which the roster
holds). A site with gates but no electrician on the roster is judged: each opening is critical, as it should
be, and check-config hints at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from contract.alert_event import Level
from contract.config.crane import Operator
from kinds.power.clauses import JGJT46
from kinds.power.electricians import ELECTRICIAN, electricians
from rules.certificate_check import ARTICLE, problem_on
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.site_day import SiteDay
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "power.door_electrician"
DOOR_CLOSED = 0  # the kind's door_state: 0 关闭, 1 打开
CLAUSE = (
    f"{ARTICLE}，{MAJOR_ZH}；建质〔2008〕75号 第三条 建筑电工为建筑施工特种作业，开启配电箱者须持有效建筑电工(01)"
    f"证书（standards.md §19）；{JGJT46} 配电箱由电工操作（条文未核实）"
)
ACTION = (
    "立即关闭配电箱，由持有效建筑电工(01)操作资格证书的电工经闸机实名进场后操作；无证人员不得开启配电箱、开关箱",
    "close the box now: only an electrician with a valid category-01 certificate, badged in at the gate, may open it",
)
NO_ELECTRICIAN = "特种作业人员名单（operators）中无建筑电工(01)"


@dataclass(frozen=True)
class _Verdict:
    """One judgement of the roster's electricians: who counts, and what each of them was found."""

    certified: tuple[str, ...]  # certified that day and inside, as 姓名（id）
    said: tuple[str, ...]  # each electrician of the roster: 姓名（id）and what keeps them from counting


class DoorElectrician:
    """The doors of every box of one site with access gates, against the electricians on site."""

    def __init__(self, roster: list[Operator], utc_offset_h: float) -> None:
        self._electricians = electricians(roster)
        self.people = frozenset(op.id for op in self._electricians)
        """The roster's electricians' ids: the passages this rule hears."""
        self._inside: set[str] = set()  # of them, who the gates last saw come in
        self._open: dict[str, str] = {}  # the boxes whose door last read open, with their names
        self._day = SiteDay(utc_offset_h)
        self._judged_on: date | None = None  # the local day an open door was last judged
        self.memory = LevelMemory()

    def door(self, device: str, name: str, state: float, ts: float, backfill: bool) -> RuleResult | None:
        """A reading of ``device``'s door (``name``: the box's): its verdict, None when nothing is new."""
        opened = round(state) != DOOR_CLOSED
        was_open = device in self._open
        if opened:
            self._open[device] = name
        else:
            self._open.pop(device, None)
        if self.memory.quiet(device) and (not opened or (was_open and self._day.of(ts) == self._judged_on)):
            return None  # closed and clear, or still open with nothing changed since its clear verdict
        return self._judge(device, name, opened, ts, backfill)

    def passage(self, person: str, entered: bool, ts: float, backfill: bool) -> list[RuleResult]:
        """A gate saw ``person`` come in or leave: the open doors judged again if they are an electrician."""
        if person not in self.people:
            return []
        (self._inside.add if entered else self._inside.discard)(person)
        return self._open_doors(ts, backfill)

    def tick(self, now: float) -> list[RuleResult]:
        """At the first instant of a new local day, the open doors judged again (a certificate that expired
        at midnight); nothing else changes without a reading or a passage."""
        if not self._open or self._day.of(now) == self._judged_on:
            return []
        return self._open_doors(now, False)

    def _open_doors(self, ts: float, backfill: bool) -> list[RuleResult]:
        found = [self._judge(device, name, True, ts, backfill) for device, name in self._open.items()]
        return [r for r in found if r is not None]

    def _judge(self, device: str, name: str, opened: bool, ts: float, backfill: bool) -> RuleResult | None:
        today = self._day.of(ts)
        if opened:
            self._judged_on = today
        verdict = self._roster(today)
        level: Level | None = "critical" if opened and not verdict.certified else None
        return self.memory.report(
            device, "", level, partial(_result, device, name, opened, level, verdict, ts, backfill)
        )

    def _roster(self, today: date) -> _Verdict:
        """The roster's electricians on the local date ``today``: who is certified and inside."""
        certified, said = [], []
        for op in self._electricians:
            who = f"{op.name or op.id}（{op.id}）"
            problem = problem_on(op, ELECTRICIAN, today)
            why = problem[0] if problem else ("" if op.id in self._inside else "闸机记录不在场")
            if not why:
                certified.append(who)
            said.append(f"{who}{why or '持证在场'}")
        return _Verdict(tuple(certified), tuple(said))


def _result(
    device: str, name: str, opened: bool, level: Level | None, verdict: _Verdict, ts: float, backfill: bool
) -> RuleResult:
    if level is not None:
        what = f"{name}箱门打开时现场无持有效建筑电工证人员（{'；'.join(verdict.said) or NO_ELECTRICIAN}）"
        what_en = f"{name}: door open with no certified electrician (建筑电工, 01) on site"
    elif opened:
        what = f"{name}箱门打开，持有效建筑电工证人员{'、'.join(verdict.certified)}在场"
        what_en = f"{name}: door open, a certified electrician on site"
    else:
        what, what_en = f"{name}箱门关闭", f"{name}: door closed"
    return RuleResult(
        rule=RULE,
        device=device,
        point="",
        level=level,
        ts=ts,
        clause=CLAUSE,
        value="箱门打开" if opened else "箱门关闭",
        message=pick(level, what, ACTION[0]),
        message_en=pick_en(level, what_en, ACTION[1]),
        details={
            "box": name,
            "electricians": list(verdict.said),
            "certified_on_site": list(verdict.certified),
        },
        backfill=backfill,
    )
