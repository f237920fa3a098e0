"""发展党员 and 换届: the stages of recruitment on the member row, and a branch's 任期.

Only adds nullable columns (member: stage dates with their precision, votes, 介绍人; branch:
term_years); touches no table or column of another migration.
"""

from peewee import *

MEMBER_PARTIAL = (
    "applied_on",
    "talked_on",
    "activist_on",
    "plan_on",
    "candidate_on",
    "vetted_on",
    "training_start",
    "training_end",
    "prechecked_on",
    "pledge_on",
    "approved_on",
)
MEMBER_TEXT = ("mentors", "activist_training", "candidate_training", "pledge_number")
MEMBER_DATES = ("reviewed_on", "publicized_on")
MEMBER_INTS = (
    "admission_entitled",
    "admission_present",
    "admission_yes",
    "extension_months",
    "confirm_entitled",
    "confirm_present",
    "confirm_yes",
)
INTRODUCERS = ("introducer_1", "introducer_2")


def up(migrator, db):
    class Member(Model):
        class Meta:
            database = db
            table_name = "member"

    operations = []
    for name in MEMBER_PARTIAL:
        operations.append(migrator.add_column("member", name, DateField(null=True)))
        operations.append(
            migrator.add_column("member", f"{name}_precision", CharField(max_length=5, null=True))
        )
    operations += [migrator.add_column("member", n, CharField(null=True)) for n in MEMBER_TEXT]
    operations += [migrator.add_column("member", n, DateField(null=True)) for n in MEMBER_DATES]
    operations += [migrator.add_column("member", n, IntegerField(null=True)) for n in MEMBER_INTS]
    for name in INTRODUCERS:
        operations.append(
            migrator.add_column(
                "member",
                f"{name}_id",
                ForeignKeyField(Member, null=True, on_delete="SET NULL", field=Member.id),
            )
        )
    operations.append(migrator.add_column("branch", "term_years", IntegerField(null=True)))
    migrator.migrate(*operations)


def down(migrator, db):
    columns = [
        *MEMBER_PARTIAL,
        *(f"{n}_precision" for n in MEMBER_PARTIAL),
        *MEMBER_TEXT,
        *MEMBER_DATES,
        *MEMBER_INTS,
        *(f"{n}_id" for n in INTRODUCERS),
    ]
    migrator.migrate(*[migrator.drop_column("member", c) for c in columns])
    migrator.migrate(migrator.drop_column("branch", "term_years"))
