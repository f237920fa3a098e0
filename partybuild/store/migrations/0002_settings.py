"""Key/value settings stored with the data (compliance rules, defaults)."""

# Generated from the models with playhouse.migrations.template; frozen since.
from peewee import *


def up(migrator, db):
    class Setting(Model):
        key = CharField(primary_key=True)
        value = TextField()

        class Meta:
            database = db
            table_name = "setting"

    db.create_tables([Setting])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("setting"))
