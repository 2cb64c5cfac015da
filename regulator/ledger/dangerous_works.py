"""Each project's list of dangerous works (危大工程清单) as its gateway last sent it with the heartbeat
(contract/config/dangerous_works.py), read back per item: monitored (devices attached) or not, under way or not, and
the major hazards of 建质规〔2024〕5号 an item under way shows.

The classification is the regulator's, not a gateway rule: the list is paperwork the site declares, not a
reading, so there is nothing for the edge to watch in real time; judging it where the lists of every site
arrive keeps one reading of Art. 4 whatever version each gateway runs, and it is the regulator who
supervises major hazards. An item under way (started, not ended, on the Beijing date) is a major hazard
when its plan is not written or not reviewed, or, 超过一定规模, not expert-reviewed (Art. 4(四)), or when it
is not accepted (Art. 4(五): the next step or use before acceptance).
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter

from contract.config.dangerous_works import DangerousWork
from regulator.names import BEIJING
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

BASIS = "《房屋市政工程生产安全重大事故隐患判定标准（2024版）》（建质规〔2024〕5号）"
ITEMS = TypeAdapter(list[DangerousWork])


def major_hazards(work: DangerousWork, today: date) -> list[dict[str, str]]:
    """The major hazards of one item on ``today``: none unless it is under way."""
    if not work.under_way(today):
        return []
    found = []
    gaps = work.plan_gaps()
    if gaps and gaps[0] != "专家论证":
        found.append(
            {
                "article": f"{BASIS}第四条（四）",
                "message": f"危大工程“{work.name}”已施工，专项施工方案未{gaps[0]}：重大事故隐患，"
                "立即停止该部位施工，方案编制、审核后方可继续。",
            }
        )
    if "专家论证" in gaps:
        found.append(
            {
                "article": f"{BASIS}第四条（四）",
                "message": f"超过一定规模的危大工程“{work.name}”已施工，专项施工方案未经专家论证：重大事故隐患，"
                "立即停止施工，组织专家论证并按论证意见修改方案。",
            }
        )
    if not work.accepted:
        found.append(
            {
                "article": f"{BASIS}第四条（五）",
                "message": f"危大工程“{work.name}”未经验收即施工或投入使用：重大事故隐患，"
                "立即停止下一道工序，组织验收合格并挂验收标识牌后方可继续。",
            }
        )
    return found


def keep(repo: Repository, project: str, works: list[DangerousWork], now: float) -> None:
    """Keep ``works`` as the project's list (the heartbeat says it whole, so it replaces the last)."""
    items = ITEMS.dump_json(works).decode()
    with repo.engine.begin() as db:
        db.execute(
            sql(
                "INSERT INTO dangerous_works(project, items, received_at) VALUES (:p, :items, :now) ON CONFLICT "
                "(project) DO UPDATE SET items = excluded.items, received_at = excluded.received_at"
            ),
            {"p": project, "items": items, "now": now},
        )


def lists(
    repo: Repository, actor: Actor, project: str = "", now: float | None = None
) -> list[dict[str, Any]]:
    """The 危大 lists of the projects ``actor`` may see (only ``project``'s when given), each item read back."""
    now = time.time() if now is None else now
    today = datetime.fromtimestamp(now, BEIJING).date()
    where, args = ("WHERE p.code = :code", {"code": project}) if project else ("", {})
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT p.code, p.name, w.items, w.received_at FROM dangerous_works w "
            f"JOIN {PROJECTS} p ON p.code = w.project {where} ORDER BY p.code",
            args,
        ).all()
    out = []
    for code, name, items, received_at in rows:
        works = [
            w.model_dump(mode="json")
            | {
                "monitored": bool(w.devices),
                "in_progress": w.under_way(today),
                "major_hazards": major_hazards(w, today),
            }
            for w in ITEMS.validate_json(items)
        ]
        out.append(
            {
                "project": code,
                "project_name": name,
                "received_at": received_at,
                "works": works,
                "monitored": sum(w["monitored"] for w in works),
                "unmonitored": sum(not w["monitored"] for w in works),
                "major": sum(bool(w["major_hazards"]) for w in works),
            }
        )
    return out
