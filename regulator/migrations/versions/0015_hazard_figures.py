"""Figures kept per project and check (``hazard_figures``), so the overview and the queue's totals read a
few rows per project instead of counting every hazard (a province: 2,000,000 hazards, 800,000 open).

Kept by triggers on ``hazards``, in the transaction that changes a hazard: hazards are written by ingest's
one statement (regulator/storage/event_sql.py), the review loop, reclassification, flood control, the channels and
listed supervision, and a trigger counts every one of them (and a DBA's fix by hand) where code in each
writer could forget one. A trigger undoes the old row's share and adds the new row's; an update that
changes none of the counted columns (most of ingest's: a newer value, the site's state) fires nothing.
Figures that depend on the clock (the age of open hazards, rectification past its deadline) cannot be
kept this way; two indexes below serve them from the few hazards they concern (by age, and
rectification by deadline). A third
index serves the queue filtered by check and level, which the figures are not kept by.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# kept by: where (the queue's filters), the check, and what classifies it for risk grading (the clause, and
# an inspector's reclassification: 1 major, 0 general, -1 none, so the table's row for the clause decides)
KEY = {
    "project": "{r}project",
    "city": "{r}city",
    "district": "{r}district",
    "rule": "{r}rule",
    "clause": "{r}clause",
    "class_major": "COALESCE(CAST({r}class_major AS INTEGER), -1)",
}
# each counted column and a hazard's share of it, ``{r}`` standing for the row (OLD or NEW, or none)
SHARES = {
    "pending": "CAST({r}state = 'pending' AS INTEGER)",
    "confirmed": "CAST({r}state = 'confirmed' AS INTEGER)",
    "rectifying": "CAST({r}state = 'rectifying' AS INTEGER)",
    "reported": "CAST({r}state = 'reported' AS INTEGER)",
    "closed": "CAST({r}state = 'closed' AS INTEGER)",
    "dismissed": "CAST({r}state = 'dismissed' AS INTEGER)",
    # under listed supervision while rectified (regulator/reports/overview.py's ``listed``)
    "listed": "CAST(({r}major AND {r}state IN ('rectifying', 'reported')) AS INTEGER)",
    "open_severe": (
        "CAST(({r}state IN ('pending', 'confirmed', 'rectifying', 'reported') "
        "AND ({r}major OR {r}level = 'critical')) AS INTEGER)"
    ),
    # open and listed for supervision: graded as major whatever its classification (regulator/reports/risk.py)
    "open_listed": "CAST(({r}state IN ('pending', 'confirmed', 'rectifying', 'reported') AND {r}major) AS INTEGER)",
    # the time to close: summed exactly (NUMERIC on PostgreSQL) over the closed hazards that have one
    "close_n": "CAST(({r}state = 'closed' AND {r}closed_at IS NOT NULL) AS INTEGER)",
    "close_s": "COALESCE(CASE WHEN {r}state = 'closed' THEN CAST({r}closed_at - {r}first_ts AS NUMERIC) END, 0)",
}
COUNTED = (*KEY, "state", "major", "level", "closed_at", "first_ts")


def delta(row: str, sign: str) -> str:
    """The statement that adds (``sign`` '') or takes away ('-') ``row``'s share (``row``: OLD or NEW)."""
    columns = (*KEY, *SHARES)
    values = [key.format(r=row + ".") for key in KEY.values()]
    values += [f"{sign}{share.format(r=row + '.')}" for share in SHARES.values()]
    sums = ", ".join(f"{c} = hazard_figures.{c} + excluded.{c}" for c in SHARES)
    return (
        f"INSERT INTO hazard_figures({', '.join(columns)}) VALUES ({', '.join(values)}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {sums};"
    )


CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
SQLITE_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)


def upgrade() -> None:
    """The table, filled from the hazards there are, its triggers and the clock's two indexes."""
    count = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "hazard_figures",
        *(sa.Column(k, sa.Text, nullable=False) for k in KEY if k != "class_major"),
        sa.Column("class_major", sa.SmallInteger, nullable=False),
        *(sa.Column(c, count, nullable=False, server_default="0") for c in SHARES if c != "close_s"),
        sa.Column("close_s", sa.Numeric, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint(*KEY),
    )
    sums = ", ".join(f"SUM({share.format(r='')})" for share in SHARES.values())
    op.execute(
        f"INSERT INTO hazard_figures({', '.join((*KEY, *SHARES))}) "
        f"SELECT {', '.join(k.format(r='') for k in KEY.values())}, {sums} FROM hazards "
        f"GROUP BY {', '.join(k.format(r='') for k in KEY.values())}"
    )
    if op.get_bind().dialect.name == "postgresql":
        # every counted change rewrites its row: room on the page keeps the update HOT (no index write,
        # its dead version pruned in place), and autovacuum comes early for a table of a few rows per project
        op.execute(
            "ALTER TABLE hazard_figures SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.02, "
            "autovacuum_analyze_scale_factor = 0.05)"
        )
        op.execute(
            "CREATE FUNCTION hazard_figures_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {delta('OLD', '-')} END IF; "
            f"IF TG_OP <> 'DELETE' THEN {delta('NEW', '')} END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER hazard_figures_on_insert_delete AFTER INSERT OR DELETE ON hazards "
            "FOR EACH ROW EXECUTE FUNCTION hazard_figures_count()"
        )
        op.execute(
            "CREATE TRIGGER hazard_figures_on_update AFTER UPDATE ON hazards "
            f"FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION hazard_figures_count()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER hazard_figures_on_insert AFTER INSERT ON hazards BEGIN {delta('NEW', '')} END"
        )
        op.execute(
            f"CREATE TRIGGER hazard_figures_on_delete AFTER DELETE ON hazards BEGIN {delta('OLD', '-')} END"
        )
        op.execute(
            f"CREATE TRIGGER hazard_figures_on_update AFTER UPDATE ON hazards WHEN {SQLITE_CHANGED} "
            f"BEGIN {delta('OLD', '-')} {delta('NEW', '')} END"
        )
    # hazards by age (those of the last week or month are few) and rectification by deadline (overdue)
    op.create_index("hazards_by_age", "hazards", ["first_ts"])
    # the queue by check and level (its page and its count: the kept figures are not kept by level)
    op.create_index("hazards_rule_queue", "hazards", ["rule", "level", "state", "level_rank", "last_ts"])
    rectifying = sa.text("state = 'rectifying'")
    op.create_index(
        "hazards_rectifying_by_deadline",
        "hazards",
        ["deadline"],
        postgresql_where=rectifying,
        sqlite_where=rectifying,
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("hazards_rectifying_by_deadline", table_name="hazards")
    op.drop_index("hazards_by_age", table_name="hazards")
    op.drop_index("hazards_rule_queue", table_name="hazards")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER hazard_figures_on_update ON hazards")
        op.execute("DROP TRIGGER hazard_figures_on_insert_delete ON hazards")
        op.execute("DROP FUNCTION hazard_figures_count()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER hazard_figures_on_{name}")
    op.drop_table("hazard_figures")
