"""党费 (party dues): one row per member per month — base, kind, rate, due, paid, approval.

Only creates the ``dues`` table; it touches no table of another migration.
"""

# Written from the model Dues; frozen since.
from peewee import *


def up(migrator, db):
    class Member(Model):
        class Meta:
            database = db
            table_name = "member"

    class Dues(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        updated_by = CharField(null=True)
        member = ForeignKeyField(Member, on_delete="CASCADE")
        month = DateField(index=True)
        month_precision = CharField(max_length=5, null=True)
        until = DateField(null=True)
        until_precision = CharField(max_length=5, null=True)
        kind = CharField(default="working")
        base = DecimalField(max_digits=12, decimal_places=2, null=True)
        rate = DecimalField(max_digits=8, decimal_places=6, null=True)
        due = DecimalField(max_digits=12, decimal_places=2)
        paid = DecimalField(max_digits=12, decimal_places=2, null=True)
        paid_on = DateField(null=True)
        method = CharField(null=True)
        reduction = CharField(null=True)
        decision_on = DateField(null=True)
        decision_doc = CharField(null=True)
        note = CharField(null=True)

        class Meta:
            database = db
            table_name = "dues"
            indexes = ((("member", "month"), True),)

    db.create_tables([Dues])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("dues"))
