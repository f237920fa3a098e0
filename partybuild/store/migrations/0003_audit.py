"""操作日志 (audit_log) and who last changed each record (updated_by)."""

from peewee import *

TABLES = (
    "branch",
    "enterprise",
    "member",
    "activity",
    "activity_attendee",
    "training",
    "attendance",
    "team",
    "team_member",
    "service",
    "service_participant",
    "enterprise_issue",
)


def up(migrator, db):
    migrator.migrate(
        *[migrator.add_column(table, "updated_by", CharField(null=True)) for table in TABLES]
    )

    class AuditEntry(Model):
        at = DateTimeField(index=True)
        operator = CharField(index=True)
        action = CharField(index=True)
        ledger = CharField(null=True, index=True)
        record_id = IntegerField(null=True, index=True)
        title = CharField(null=True)
        changes = TextField(null=True)

        class Meta:
            database = db
            table_name = "audit_log"

    db.create_tables([AuditEntry])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("audit_log"))
    migrator.migrate(*[migrator.drop_column(table, "updated_by") for table in TABLES])
