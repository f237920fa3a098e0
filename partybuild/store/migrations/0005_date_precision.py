"""Dates of record given to the month or the year: a precision column beside each such date.

``<date>_precision`` is "month" or "year", NULL for a full date — so every existing row keeps
the day precision it had. Only adds nullable columns to branch, member and team: it touches no
table or column of another migration and applies the same after 0003 or after 0004.
"""

from peewee import *

COLUMNS = (
    ("branch", "founded_on_precision"),
    ("branch", "renewed_on_precision"),
    ("member", "birth_date_precision"),
    ("member", "joined_on_precision"),
    ("member", "confirmed_on_precision"),
    ("team", "founded_on_precision"),
)


def up(migrator, db):
    migrator.migrate(
        *[
            migrator.add_column(table, column, CharField(max_length=5, null=True))
            for table, column in COLUMNS
        ]
    )


def down(migrator, db):
    migrator.migrate(*[migrator.drop_column(table, column) for table, column in COLUMNS])
