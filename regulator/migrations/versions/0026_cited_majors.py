"""Major hazards by citation (issue 49 §1): a hazard whose worst level cites an item of 建质规〔2024〕5号 is
major from that citation (regulator/ledger/classify.py), where before only the seed table's few items were.
The ledger classifies on reading, so the hazards already stored follow by themselves; what this migration
adds is the audit trail: each stored hazard the table decided (no inspector's reclassification) whose
classification the citation changes gets a ``reclassify`` row naming this migration as the actor, the
classification before and after and why, as an inspector's reclassification does. Nothing else of the
hazard changes (its deadline and listings stay as ordered; the row says to review them).

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

from regulator.ledger import classify

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

ACTOR = "migration 0026 (条款引用判定)"
ROLE = "system"


def _said(c: dict[str, object]) -> str:
    """A classification in a few words: 重大事故隐患 建质规〔2024〕5号 第九条（五）, or 一般隐患."""
    return f"{c['classification_name']} {c['citation']}".strip()


def upgrade() -> None:
    """An audit row for every stored hazard whose classification the citation changes."""
    db = op.get_bind()
    table = classify.load(db)
    pairs = db.execute(sa.text("SELECT DISTINCT rule, clause FROM hazards WHERE class_major IS NULL")).all()
    now = time.time()
    for rule, clause in pairs:
        before = classify.by_row(classify.table_row(table, rule, clause))  # the table alone, as before
        after = classify.classify(table, rule, clause)
        if (before["classification"], before["citation"]) == (after["classification"], after["citation"]):
            continue
        reason = (
            f"改判为{_said(after)}：{after['basis']}（原按分类表为{_said(before)}；"
            "已下达的整改期限与挂牌督办未改，请复核）"
        )
        db.execute(
            sa.text(
                "INSERT INTO actions(hazard_id, project, action, actor, role, from_state, to_state, reason, "
                "deadline, ts) SELECT id, project, 'reclassify', :actor, :role, state, state, :reason, NULL, :ts "
                "FROM hazards WHERE rule = :rule AND clause = :clause AND class_major IS NULL ORDER BY id"
            ),
            {"actor": ACTOR, "role": ROLE, "reason": reason, "ts": now, "rule": rule, "clause": clause},
        )


def downgrade() -> None:
    """Remove the audit rows this revision wrote (the classification itself is the code's, not stored)."""
    op.get_bind().execute(sa.text("DELETE FROM actions WHERE actor = :actor"), {"actor": ACTOR})
