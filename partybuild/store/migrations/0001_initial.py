"""The first schema: every ledger of DESIGN.md."""

# Generated from the models with playhouse.migrations.template; frozen since.
from peewee import *


def up(migrator, db):
    class Branch(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        name = CharField(unique=True)
        kind = CharField()
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")
        secretary = CharField(null=True)
        founded_on = DateField(null=True)
        renewed_on = DateField(null=True)
        has_committee = BooleanField(default=False)
        has_groups = BooleanField(default=False)
        note = TextField(null=True)

        class Meta:
            database = db
            table_name = "branch"

    db.create_tables([Branch])

    class Activity(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        branch = ForeignKeyField(Branch, on_delete="CASCADE")
        kind = CharField(index=True)
        date = DateField(index=True)
        topic = CharField()
        place = CharField(null=True)
        host = CharField(null=True)
        recorder = CharField(null=True)
        minutes = TextField(null=True)
        resolutions = TextField(null=True)

        class Meta:
            database = db
            table_name = "activity"
            indexes = ((("branch", "kind", "date", "topic"), True),)

    db.create_tables([Activity])

    class Enterprise(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        name = CharField(unique=True)
        credit_code = CharField(unique=True, null=True, max_length=18)
        industry = CharField(null=True)
        kind = CharField(default="industrial")
        employees = IntegerField(null=True)
        above_scale = BooleanField(default=False)
        high_tech = BooleanField(default=False)
        project_state = CharField(null=True)
        liaison = CharField(null=True)
        in_service = BooleanField(default=True)
        branch = ForeignKeyField(Branch, null=True, on_delete="SET NULL")
        note = TextField(null=True)

        class Meta:
            database = db
            table_name = "enterprise"

    db.create_tables([Enterprise])

    class Member(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        name = CharField(index=True)
        gender = CharField(null=True)
        ethnicity = CharField(null=True)
        birth_date = DateField(null=True)
        id_number = CharField(unique=True, max_length=18)
        education = CharField(null=True)
        phone = CharField(null=True, max_length=32)
        enterprise = ForeignKeyField(Enterprise, null=True, on_delete="SET NULL")
        branch = ForeignKeyField(Branch, null=True, on_delete="SET NULL")
        category = CharField(index=True, default="full")
        joined_on = DateField(null=True)
        confirmed_on = DateField(null=True)
        party_post = CharField(null=True)
        job_title = CharField(null=True)
        status = CharField(default="normal")
        note = TextField(null=True)

        class Meta:
            database = db
            table_name = "member"

    db.create_tables([Member])

    class ActivityAttendee(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        activity = ForeignKeyField(Activity, on_delete="CASCADE")
        member = ForeignKeyField(Member, on_delete="CASCADE")
        status = CharField(default="present")
        note = CharField(null=True)

        class Meta:
            database = db
            table_name = "activity_attendee"
            indexes = ((("activity", "member"), True),)

    db.create_tables([ActivityAttendee])

    class Training(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        name = CharField()
        kind = CharField(index=True)
        start_date = DateField(index=True)
        end_date = DateField(null=True)
        place = CharField(null=True)
        lecturer = CharField(null=True)
        organiser = CharField(null=True)
        hours = FloatField(null=True)
        content = TextField(null=True)

        class Meta:
            database = db
            table_name = "training"
            indexes = ((("name", "start_date"), True),)

    db.create_tables([Training])

    class Attendance(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        training = ForeignKeyField(Training, on_delete="CASCADE")
        member = ForeignKeyField(Member, null=True, on_delete="CASCADE")
        person_name = CharField(null=True)
        person_unit = CharField(null=True)
        status = CharField(index=True, default="expected")
        signed_at = DateTimeField(null=True)
        note = CharField(null=True)

        class Meta:
            database = db
            table_name = "attendance"
            indexes = (
                (("training", "member"), False),
                (("training", "person_name", "person_unit"), False),
            )

    db.create_tables([Attendance])

    class EnterpriseIssue(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        enterprise = ForeignKeyField(Enterprise, on_delete="CASCADE")
        received_on = DateField(index=True)
        source = CharField(null=True)
        category = CharField(index=True)
        description = TextField()
        responsible_unit = CharField(null=True)
        responsible_person = CharField(null=True)
        deadline = DateField(null=True)
        state = CharField(index=True, default="open")
        resolved_on = DateField(index=True, null=True)
        measures = TextField(null=True)
        evaluation = CharField(null=True)

        class Meta:
            database = db
            table_name = "enterprise_issue"

    db.create_tables([EnterpriseIssue])

    class Team(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        name = CharField(unique=True)
        kind = CharField()
        branch = ForeignKeyField(Branch, null=True, on_delete="SET NULL")
        leader = CharField(null=True)
        founded_on = DateField(null=True)
        focus = CharField(null=True)
        note = TextField(null=True)

        class Meta:
            database = db
            table_name = "team"

    db.create_tables([Team])

    class Service(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        team = ForeignKeyField(Team, on_delete="CASCADE")
        date = DateField(index=True)
        topic = CharField()
        place = CharField(null=True)
        target_enterprise = ForeignKeyField(Enterprise, null=True, on_delete="SET NULL")
        target_text = CharField(null=True)
        hours = FloatField(null=True)
        outcome = TextField(null=True)

        class Meta:
            database = db
            table_name = "service"
            indexes = ((("team", "date", "topic"), True),)

    db.create_tables([Service])

    class ServiceParticipant(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        service = ForeignKeyField(Service, on_delete="CASCADE")
        member = ForeignKeyField(Member, on_delete="CASCADE")

        class Meta:
            database = db
            table_name = "service_participant"
            indexes = ((("service", "member"), True),)

    db.create_tables([ServiceParticipant])

    class TeamMember(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)
        deleted = BooleanField(index=True, default=False)
        deleted_at = DateTimeField(null=True)
        team = ForeignKeyField(Team, on_delete="CASCADE")
        member = ForeignKeyField(Member, on_delete="CASCADE")
        role = CharField(null=True)

        class Meta:
            database = db
            table_name = "team_member"
            indexes = ((("team", "member"), True),)

    db.create_tables([TeamMember])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("team_member"))
    migrator.migrate(migrator.drop_table("service_participant"))
    migrator.migrate(migrator.drop_table("service"))
    migrator.migrate(migrator.drop_table("team"))
    migrator.migrate(migrator.drop_table("enterprise_issue"))
    migrator.migrate(migrator.drop_table("attendance"))
    migrator.migrate(migrator.drop_table("training"))
    migrator.migrate(migrator.drop_table("activity_attendee"))
    migrator.migrate(migrator.drop_table("member"))
    migrator.migrate(migrator.drop_table("enterprise"))
    migrator.migrate(migrator.drop_table("activity"))
    migrator.migrate(migrator.drop_table("branch"))
