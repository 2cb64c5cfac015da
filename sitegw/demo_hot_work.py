"""The demo's hot-work permits (动火许可证, standards.md §18), signed by its supervisor as the run starts, so that
every permit rule has something to judge: welder-1 keeps welding at 3号楼5层, which no permit covers
(hot_work.unpermitted), and

- 2号楼屋面's open-air welding, in force through the run, names a fire watch who never badges in at the gate
  (hot_work.fire_watch) and, once weather-1's gale reaches Beaufort 5 (8.0 m/s, 含五级), is open-air hot work
  in the wind (hot_work.wind);
- 地下室B2's cutting, watched by a safety officer on site, ends ``CUTTING_ENDS_S`` into the run and is never
  closed with its post-work check (hot_work.unclosed).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from contract.hot_work import FireWatch, Operator, PermitRequest
from gateway.site.hot_work import HotWork

log = logging.getLogger(__name__)

SIGNER = "demo"
CUTTING_ENDS_S = 20.0  # 地下室B2's window ends this long after the permits are signed
ROOF_WATCH = FireWatch(name="钱立伟", person_id="FW-01")  # not on the site's gate: never badges in
CUTTING_WATCH = "KP-03"  # a safety officer the demo's gate lets in first (the reference site's key people)
CARD_VALID = date(2028, 6, 30)


def _welder(name: str, badge: str, card: str) -> Operator:
    return Operator(name=name, person_id=badge, certificate_no=card, valid_until=CARD_VALID)


def issue_demo_permits(hot_work: HotWork, now: float) -> list[str]:
    """Sign the demo's two permits at ``now`` (Unix s), but where its last run's permit for the place is in force
    over part of the window; their ids."""
    at = datetime.fromtimestamp(now, UTC)
    roof = PermitRequest(
        place="2号楼屋面",
        outdoor=True,
        method="electric_welding",
        start=at - timedelta(minutes=5),
        end=at + timedelta(hours=4),
        operator=_welder("郑国强", "HW-01", "T-440300-2023-3301"),
        fire_watch=ROOF_WATCH,
        extinguishers=2,
        extinguishers_checked=True,
        combustibles_cleared=True,
        note="屋面钢结构焊接",
    )
    cutting = PermitRequest(
        place="地下室B2",
        method="cutting",
        start=at - timedelta(hours=1),
        end=at + timedelta(seconds=CUTTING_ENDS_S),
        operator=_welder("冯志勇", "HW-02", "T-440300-2022-3302"),
        fire_watch=FireWatch(name="赵永刚", person_id=CUTTING_WATCH),
        extinguishers=2,
        extinguishers_checked=True,
        combustibles_cleared=True,
        note="拆除临时支撑钢板",
    )
    ids, signed = [], hot_work.all()  # what earlier runs signed (this run's two are at different places)
    for r in (roof, cutting):
        # a demo run again on its state folder finds the permit its last run signed for the place, in force over
        # part of this window: the run goes on under it (signing it again is refused, its fire watch already
        # watching that point then)
        start, end = r.start.timestamp(), r.end.timestamp()
        kept = next(
            (p for p in signed if p.place == r.place and p.in_force_during(start, end, hot_work.scheme)),
            None,
        )
        if kept is not None:
            log.info("demo: hot-work permit %s of the last run kept", kept.id)
        ids.append(kept.id if kept is not None else hot_work.issue(r, SIGNER).id)
    log.info("demo: hot-work permits %s", ", ".join(ids))
    return ids
