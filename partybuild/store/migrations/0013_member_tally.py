"""概览 at park scale: one narrow index that answers the reminders' member counts on its own.

The branch-setup warnings (党员 and 正式党员 per branch, 正式党员 per enterprise) and the
quorum check (正式党员 with a vote, per branch) count live, active members grouped by branch and
enterprise. Read from the member rows, each count walks the whole wide table; this index holds
exactly the columns they read, so one grouped pass over it answers them all (services.compliance
``member_tally``). Only adds an index: applies the same after any of 0010–0012.

On SQLite, a database whose member table has statistics (``ANALYZE``, as 0009 runs) gets them for
the new index too: with statistics for every index but this one, SQLite's planner would walk it
for joins it does not suit (the quorum count began at every member instead of the meeting's
attendees). A database without statistics keeps none.
"""

from peewee import *

NAME = "member_deleted_branch_id_enterprise_id_status_category"


def up(migrator, db):
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "member" '
        '("deleted", "branch_id", "enterprise_id", "status", "category")'
    )
    if isinstance(db, SqliteDatabase):
        has_stats = db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).fetchone()
        if has_stats:
            db.execute_sql('ANALYZE "member"')


def down(migrator, db):
    db.execute_sql(f'DROP INDEX IF EXISTS "{NAME}"')
