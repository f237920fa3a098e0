"""党费 figures at any scale: one index that answers the period's sums and the arrears on its own.

``stats`` and the annual summary read, of every live 党费 row of the period, the member, the
amounts and (for the arrears) the end month and the day paid: ``_total`` sums ``due`` and
``paid`` of the live rows of the period (of live members), ``arrears`` reads the rows of the
period that can be 未交 or 少交 (``member_id``, ``month``, ``until``, ``due``, ``paid``,
``paid_on`` and the row id). Read from the rows, each walks the wide table by the ``deleted``
flag alone; this index is ordered as they filter (live rows, then the month range) and holds
every other column they read (on SQLite the row id is in every index), so both are one range read
of it. Only adds an index: applies the same before or after any other migration (0015 too).

On SQLite, a database with statistics (``ANALYZE``, as 0009 runs) gets them for the dues table
too, so the planner weighs the new index as it weighs the others. A database without statistics
keeps none.
"""

from peewee import *

NAME = "dues_deleted_month_member_id_due_paid_until_paid_on"
COLUMNS = ("deleted", "month", "member_id", "due", "paid", "until", "paid_on")


def up(migrator, db):
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "dues" ({columns})')
    if isinstance(db, SqliteDatabase):
        has_stats = db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).fetchone()
        if has_stats:
            db.execute_sql('ANALYZE "dues"')


def down(migrator, db):
    db.execute_sql(f'DROP INDEX IF EXISTS "{NAME}"')
