"""Figures at park scale: one index that answers the year's member counts on its own.

``stats`` (members on the roll at the period's end by category, 转正 after it, 发展党员 stages
reached in it) and the overview's 党员 card (the ids of those members) read, of every live member,
only the category, status, branch and a few dates. Read from the member rows, each walks the whole
wide table (about 0.3 s at 200,000 members); this index holds exactly those columns, in the order
the counts group by (category, status, branch), so each is one pass over it. Only adds an index:
applies the same after any of 0010, 0012 and 0013.

On SQLite, a database whose member table has statistics (``ANALYZE``, as 0009 runs) gets them for
the new index too, so the planner weighs it as it weighs the others.
"""

from peewee import *

NAME = "member_figures"
COLUMNS = (
    "deleted",
    "category",
    "status",
    "branch_id",
    "joined_on",
    "joined_on_precision",
    "confirmed_on",
    "confirmed_on_precision",
    "applied_on",
    "activist_on",
    "candidate_on",
)


def up(migrator, db):
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "member" ({columns})')
    if isinstance(db, SqliteDatabase):
        has_stats = db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).fetchone()
        if has_stats:
            db.execute_sql('ANALYZE "member"')


def down(migrator, db):
    db.execute_sql(f'DROP INDEX IF EXISTS "{NAME}"')
