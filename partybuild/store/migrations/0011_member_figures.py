"""Figures at park scale: two indexes that answer the year's member counts on their own.

``stats`` (members on the roll at the period's end by category, 转正 after it) and the overview's
党员 card (the ids of those members) read, of every live member, only the category, status, branch
and two dates. Read from the member rows, each walks the whole wide table (about 0.3 s at 200,000
members); ``member_figures`` holds exactly those columns, in the order the counts group by
(category, status, branch), so each is one pass over it. The 发展党员 figures (stages reached in
the period) count only members with a recorded application: ``member_stages`` holds their stage
dates and nobody else's (a partial index, on SQLite and PostgreSQL alike). Only adds indexes:
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
)
STAGES = "member_stages"
STAGE_COLUMNS = (
    "deleted",
    "branch_id",
    "applied_on",
    "activist_on",
    "candidate_on",
    "joined_on",
    "confirmed_on",
)


def up(migrator, db):
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "member" ({columns})')
    columns = ", ".join(f'"{c}"' for c in STAGE_COLUMNS)
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{STAGES}" ON "member" ({columns}) '
        'WHERE "applied_on" IS NOT NULL'
    )
    if isinstance(db, SqliteDatabase):
        has_stats = db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).fetchone()
        if has_stats:
            db.execute_sql('ANALYZE "member"')


def down(migrator, db):
    db.execute_sql(f'DROP INDEX IF EXISTS "{STAGES}"')
    db.execute_sql(f'DROP INDEX IF EXISTS "{NAME}"')
