"""附件 (issue 16): file contents stored once per SHA-256, and the files attached to records.

``attachment_blob`` holds the bytes (BLOB on SQLite, bytea on PostgreSQL); ``attachment`` links a
blob to a record of a ledger by name and id, with the recycle-bin and version columns every ledger
record has. Only creates new tables: it applies the same before or after 0006/0007.
"""

import datetime as dt

from peewee import *


def _now():
    return dt.datetime.now().replace(microsecond=0)


def up(migrator, db):
    class AttachmentBlob(Model):
        sha256 = CharField(max_length=64, unique=True)
        size = BigIntegerField()
        data = BlobField()
        created_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "attachment_blob"

    class Attachment(Model):
        created_at = DateTimeField(default=_now)
        updated_at = DateTimeField(default=_now)
        version = IntegerField(default=1)
        deleted = BooleanField(default=False, index=True)
        deleted_at = DateTimeField(null=True)
        updated_by = CharField(null=True)
        owner_ledger = CharField(max_length=16)
        owner_id = IntegerField()
        blob = ForeignKeyField(AttachmentBlob, on_delete="RESTRICT")
        name = CharField()
        kind = CharField()
        content_type = CharField(max_length=8)
        size = BigIntegerField()
        sha256 = CharField(max_length=64, index=True)
        added_at = DateTimeField(default=_now)

        class Meta:
            database = db
            table_name = "attachment"
            indexes = ((("owner_ledger", "owner_id"), False),)

    db.create_tables([AttachmentBlob, Attachment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("attachment"))
    migrator.migrate(migrator.drop_table("attachment_blob"))
