"""The data model: one peewee model per ledger of DESIGN.md, bound late to a database.

Models are declared against ``db_proxy`` and bound by :func:`partybuild.store.database.open_database`,
so tests, the CLI and the GUI can each hand in their own SQLite file or PostgreSQL URL.

Choice fields store the English codes of :mod:`partybuild.domain.vocab`; the Chinese labels live
there. Every table carries created/updated timestamps, a version number for safe concurrent edits
and a ``deleted`` flag (the recycle bin). Derived values (age, 党龄, attendance counts, days to
resolve, overdue) are computed by properties and queries, never stored.

Dates of record that rosters keep to the month or the year (入党/转正/出生 of a member, 成立/换届
of a branch, 成立 of a team) are :class:`PartialDateField`: a DATE column holding the first day of
the period, so SQL sorts, filters by year and indexes as before, and beside it a
``<name>_precision`` column ("month", "year"; NULL for a full date, which every older row is).
Reading the field gives a :class:`~partybuild.domain.dates.PartialDate` when the precision is
coarser than a day; writing it — by attribute, ``create``, ``update`` or ``insert_many`` — writes
both columns, so the two can never disagree. Event dates (a meeting, a training, a service, an
issue) stay plain DateFields: an event has a day.
"""

from __future__ import annotations

import datetime as dt
import decimal

import peewee as pw

from partybuild.domain import overdue, vocab
from partybuild.domain.dates import PartialDate, precision_of, whole_years_since

db_proxy = pw.DatabaseProxy()


def now() -> dt.datetime:
    """The time stamped on records and log entries (whole seconds)."""
    return dt.datetime.now().replace(microsecond=0)


def live(model: type[pw.Model] | pw.ModelAlias) -> pw.Expression:
    """The condition "not in the recycle bin", for any ledger table or its alias."""
    return model.deleted == False  # noqa: E712


def _first_day(value: object) -> object:
    """What the DATE column of a partial date holds: the first day of its period, a plain date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, PartialDate):
        return value.earliest()
    return value


class _PartialDateAccessor(pw.FieldAccessor):
    """``record.joined_on``: the stored first day and precision as one value, and back."""

    field: PartialDateField

    def __get__(self, instance: object, instance_type: object = None) -> object:
        if instance is None:
            return self.field
        data = instance.__data__  # type: ignore[attr-defined]
        value = data.get(self.name)
        if value is None:
            return None
        precision = data.get(self.field.precision_name)
        return value if precision is None else PartialDate.of(value, precision)

    def __set__(self, instance: object, value: object) -> None:
        # Rows loaded from the database set the date, then the precision column declared after
        # it; a value set in code sets both.
        data, dirty = instance.__data__, instance._dirty  # type: ignore[attr-defined]
        data[self.name] = _first_day(value)
        dirty.add(self.name)
        data[self.field.precision_name] = precision_of(value)  # type: ignore[arg-type]
        dirty.add(self.field.precision_name)


class PartialDateField(pw.DateField):
    """A date of record that may be known only to the month or the year.

    Declare ``<name>_precision = precision_field()`` right after it in the model.
    """

    accessor_class = _PartialDateAccessor

    @property
    def precision_name(self) -> str:
        return f"{self.name}_precision"

    def precision_field(self) -> pw.Field:
        return self.model._meta.fields[self.precision_name]

    def db_value(self, value: object) -> object:
        return super().db_value(_first_day(value))


def precision_field() -> pw.CharField:
    return pw.CharField(max_length=5, null=True, verbose_name="精度")


def partial_fields(model: type[pw.Model]) -> list[PartialDateField]:
    return [f for f in model._meta.sorted_fields if isinstance(f, PartialDateField)]


def combine_partial(model: type[pw.Model], row: dict[str, object]) -> dict[str, object]:
    """A ``.dicts()`` row that selected a partial date and its precision: one value again."""
    for f in partial_fields(model):
        if f.name in row:
            precision = row.pop(f.precision_name, None)
            value = row[f.name]
            if value is not None and precision is not None:
                row[f.name] = PartialDate.of(value, precision)  # type: ignore[arg-type]
    return row


def with_precision(fields: list[pw.Field]) -> list[pw.Field]:
    """The fields to select so partial dates can be read whole (precision columns added)."""
    extra = [f.precision_field() for f in fields if isinstance(f, PartialDateField)]
    return [*fields, *extra]


def certainly_by(field: PartialDateField, day: dt.date) -> pw.Expression:
    """SQL: the stored date is on or before ``day`` whatever day its period stands for.

    A founding “2023” is certainly before 2023-12-31 but not before 2023-06-30. (The first day of
    a month/year period is before the first day of the period after ``day``'s.)
    """
    precision = field.precision_field()
    after = day + dt.timedelta(days=1)
    bounds = {"month": dt.date(after.year, after.month, 1), "year": dt.date(after.year, 1, 1)}
    # When ``day`` ends a month (or a year), a month (or year) is certainly by it exactly when
    # its first day is, as for an exact day: those share the exact day's term, so at a year's
    # end (the figures' usual period end) the condition is one term instead of three.
    by_day = [name for name, bound in bounds.items() if bound == after]
    exact = precision.is_null()
    if by_day:
        exact = exact | precision.in_(by_day)
    condition = exact & (field <= day)
    for name, bound in bounds.items():
        if name not in by_day:
            condition = condition | ((precision == name) & (field < bound))
    return condition


def _expand(partial: list[PartialDateField], row: dict[object, object]) -> dict[object, object]:
    for f in partial:
        key: object = f.name if f.name in row else f if f in row else None
        if key is not None and f.precision_name not in row:
            value = row[key]
            row = {**row, key: _first_day(value), f.precision_name: precision_of(value)}  # type: ignore[arg-type]
    return row


def shown_parts(value: str | None, head: int, tail: int) -> str | None:
    """The head and tail a masked table shows, blank-separated; None when it is not masked so."""
    if not value or len(value) <= head + tail:
        return None
    return f"{value[:head]} {value[-tail:]}"


class BaseModel(pw.Model):
    created_at = pw.DateTimeField(default=now, verbose_name="创建时间")
    updated_at = pw.DateTimeField(default=now, verbose_name="修改时间")
    version = pw.IntegerField(default=1, verbose_name="版本")
    deleted = pw.BooleanField(default=False, index=True, verbose_name="已删除")
    deleted_at = pw.DateTimeField(null=True, verbose_name="删除时间")
    updated_by = pw.CharField(null=True, verbose_name="修改人")

    class Meta:
        database = db_proxy
        legacy_table_names = False

    @classmethod
    def derived(cls, data: dict[str, object]) -> dict[str, object]:
        """Columns computed from others, by field name, for a write that sets ``data``: every
        insert and update path (save, insert, update, insert_many, the importer's bulk insert)
        writes them. None here; Member has its pinyin sort key and search text."""
        return {}

    @classmethod
    def _normalize_data(cls, data: object, kwargs: object) -> object:  # type: ignore[override]
        """``update(joined_on=…)`` / ``insert(…)`` write a partial date's precision too."""
        normalized = super()._normalize_data(data, kwargs)  # type: ignore[misc]
        if isinstance(normalized, dict) and cls.derived.__func__ is not BaseModel.derived.__func__:  # type: ignore[attr-defined]
            by_name = {getattr(f, "name", f): v for f, v in normalized.items()}
            for name, value in cls.derived(by_name).items():
                normalized[cls._meta.fields[name]] = value
        if isinstance(normalized, dict):
            for f in list(normalized):
                if isinstance(f, PartialDateField) and not isinstance(normalized[f], pw.Node):
                    value = normalized[f]
                    normalized[f] = _first_day(value)
                    # save() passes both columns from the instance; update(joined_on=…) one.
                    normalized.setdefault(f.precision_field(), precision_of(value))  # type: ignore[arg-type]
        return normalized

    @classmethod
    def insert_many(cls, rows: object, fields: object = None) -> pw.ModelInsert:
        """Dict rows naming a partial date get its precision column as well."""
        partial = partial_fields(cls)
        if partial and fields is None:
            rows = [_expand(partial, row) if isinstance(row, dict) else row for row in rows]  # type: ignore[attr-defined]
        if fields is None and cls.derived.__func__ is not BaseModel.derived.__func__:  # type: ignore[attr-defined]
            rows = [{**row, **cls.derived(row)} if isinstance(row, dict) else row for row in rows]  # type: ignore[attr-defined]
        return super().insert_many(rows, fields)


class Branch(BaseModel):
    """党组织: a party branch of the park (standalone, joint, regional or temporary)."""

    name = pw.CharField(unique=True, verbose_name="名称")
    kind = pw.CharField(choices=vocab.BRANCH_KIND.choices(), verbose_name="类型")
    parent = pw.ForeignKeyField(
        "self", null=True, on_delete="SET NULL", backref="children", verbose_name="上级党组织"
    )
    secretary = pw.CharField(null=True, verbose_name="书记")
    founded_on = PartialDateField(null=True, verbose_name="成立日期")
    founded_on_precision = precision_field()
    renewed_on = PartialDateField(null=True, verbose_name="换届日期")
    renewed_on_precision = precision_field()
    has_committee = pw.BooleanField(default=False, verbose_name="设支委会")
    has_groups = pw.BooleanField(default=False, verbose_name="设党小组")
    note = pw.TextField(null=True, verbose_name="备注")

    class Meta:
        table_name = "branch"

    def __str__(self) -> str:
        return self.name


class Enterprise(BaseModel):
    """企业（市场主体）: an enterprise of the park, optionally covered by a branch."""

    name = pw.CharField(unique=True, verbose_name="名称")
    credit_code = pw.CharField(
        max_length=18, null=True, unique=True, verbose_name="统一社会信用代码"
    )
    industry = pw.CharField(choices=vocab.INDUSTRY.choices(), null=True, verbose_name="产业")
    kind = pw.CharField(
        choices=vocab.ENTERPRISE_KIND.choices(), default="industrial", verbose_name="类型"
    )
    employees = pw.IntegerField(null=True, verbose_name="职工数")
    above_scale = pw.BooleanField(default=False, verbose_name="规上企业")
    high_tech = pw.BooleanField(default=False, verbose_name="高新技术企业")
    project_state = pw.CharField(
        choices=vocab.PROJECT_STATE.choices(), null=True, verbose_name="项目状态"
    )
    liaison = pw.CharField(null=True, verbose_name="联系服务干部")
    in_service = pw.BooleanField(default=True, verbose_name="纳入联系服务")
    branch = pw.ForeignKeyField(
        Branch, null=True, on_delete="SET NULL", backref="enterprises", verbose_name="所属党组织"
    )
    note = pw.TextField(null=True, verbose_name="备注")

    class Meta:
        table_name = "enterprise"

    def __str__(self) -> str:
        return self.name


class Member(BaseModel):
    """党员（含发展对象等）: a party member or someone on the way to membership."""

    name = pw.CharField(index=True, verbose_name="姓名")
    gender = pw.CharField(choices=vocab.GENDER.choices(), null=True, verbose_name="性别")
    ethnicity = pw.CharField(choices=vocab.ETHNICITY.choices(), null=True, verbose_name="民族")
    # A month-only 出生年月 takes its day from the ID number (services.records); the precision
    # column is there for the record whose ID number cannot supply it.
    birth_date = PartialDateField(null=True, verbose_name="出生日期")
    birth_date_precision = precision_field()
    id_number = pw.CharField(max_length=18, unique=True, verbose_name="身份证号")
    education = pw.CharField(choices=vocab.EDUCATION.choices(), null=True, verbose_name="学历")
    phone = pw.CharField(max_length=32, null=True, index=True, verbose_name="联系电话")
    enterprise = pw.ForeignKeyField(
        Enterprise, null=True, on_delete="SET NULL", backref="members", verbose_name="所在企业"
    )
    branch = pw.ForeignKeyField(
        Branch, null=True, on_delete="SET NULL", backref="members", verbose_name="所属党组织"
    )
    category = pw.CharField(
        choices=vocab.MEMBER_CATEGORY.choices(), default="full", verbose_name="类别"
    )
    joined_on = PartialDateField(null=True, verbose_name="入党日期")
    joined_on_precision = precision_field()
    confirmed_on = PartialDateField(null=True, verbose_name="转正日期")
    confirmed_on_precision = precision_field()
    party_post = pw.CharField(null=True, verbose_name="党内职务")
    job_title = pw.CharField(null=True, verbose_name="企业岗位")
    status = pw.CharField(
        choices=vocab.MEMBER_STATUS.choices(), default="normal", verbose_name="状态"
    )
    note = pw.TextField(null=True, verbose_name="备注")
    # Written from the name on every insert and update (derived), filled for older rows by
    # migration 0009: the pinyin order tables sort names by, and what search matches a name by.
    name_key = pw.CharField(null=True, verbose_name="姓名排序键")
    search_text = pw.TextField(null=True, verbose_name="姓名检索文本")
    # The parts of the ID and phone number a table shows (first 4 + last 4, first 3 + last 4),
    # which search may match; never the masked middle. Empty for a value too short to mask so.
    id_shown = pw.CharField(null=True, verbose_name="身份证号显示部分")
    phone_shown = pw.CharField(null=True, verbose_name="电话显示部分")

    class Meta:
        table_name = "member"
        # The page's queries: live rows (deleted = false) in the order of a column (0009).
        # (deleted, name_key) carries what search reads, so a search walks the index alone.
        indexes = (
            (("deleted", "name_key", "id", "search_text", "id_shown", "phone_shown"), False),
            # 概览's member counts by branch and enterprise read this index alone (0013).
            (("deleted", "branch", "enterprise", "status", "category"), False),
            # The year's member figures and the 党员 card read this index alone (0011).
            (
                (
                    "deleted",
                    "category",
                    "status",
                    "branch",
                    "joined_on",
                    "joined_on_precision",
                    "confirmed_on",
                    "confirmed_on_precision",
                ),
                False,
            ),
        ) + tuple(
            (("deleted", name), False)
            for name in (
                "id_number",
                "enterprise",
                "branch",
                "note",
                "gender",
                "ethnicity",
                "birth_date",
                "education",
                "category",
                "joined_on",
                "confirmed_on",
                "party_post",
                "job_title",
                "status",
                "phone",  # 0010
            )
        )

    @classmethod
    def derived(cls, data: dict[str, object]) -> dict[str, object]:
        """The columns computed from ``name`` (pinyin sort key, search text), for a write that
        sets it."""
        from partybuild.domain import collation

        derived: dict[str, object] = {}
        name = data.get("name")
        if isinstance(name, str):
            derived["name_key"] = collation.pinyin_key(name)
            derived["search_text"] = collation.search_text(name)
        for source, target, head, tail in (
            ("id_number", "id_shown", 4, 4),
            ("phone", "phone_shown", 3, 4),
        ):
            if source in data:
                value = data[source]
                if value is None or isinstance(value, str):
                    derived[target] = shown_parts(value, head, tail)
        return derived

    def __str__(self) -> str:
        return self.name

    def age(self, on: dt.date | None = None) -> int | None:
        """Age in whole years on a date (today by default); from a month-only birth date, the
        years that are certain."""
        if self.birth_date is None:
            return None
        return whole_years_since(self.birth_date, on or dt.date.today())

    def party_years(self, on: dt.date | None = None) -> int | None:
        """党龄: whole years since 转正 (the party counts 党龄 from full membership). From a 转正
        given to the month or year, the whole years that are certain — counted from the last day
        the month or year allows — so 党龄 is never overstated."""
        if self.confirmed_on is None:
            return None
        return max(0, whole_years_since(self.confirmed_on, on or dt.date.today()))


class Activity(BaseModel):
    """组织生活: a 三会一课 meeting, 主题党日 or other organisational life of a branch."""

    branch = pw.ForeignKeyField(
        Branch, on_delete="CASCADE", backref="activities", verbose_name="党组织"
    )
    kind = pw.CharField(choices=vocab.ACTIVITY_KIND.choices(), index=True, verbose_name="类型")
    date = pw.DateField(index=True, verbose_name="日期")
    topic = pw.CharField(verbose_name="主题")
    place = pw.CharField(null=True, verbose_name="地点")
    host = pw.CharField(null=True, verbose_name="主持人")
    recorder = pw.CharField(null=True, verbose_name="记录人")
    minutes = pw.TextField(null=True, verbose_name="内容纪要")
    resolutions = pw.TextField(null=True, verbose_name="决议")

    class Meta:
        table_name = "activity"
        indexes = ((("branch", "kind", "date", "topic"), True),)


class ActivityAttendee(BaseModel):
    """Who was at an activity, and whether present, on leave or absent."""

    activity = pw.ForeignKeyField(
        Activity, on_delete="CASCADE", backref="attendees", verbose_name="组织生活"
    )
    member = pw.ForeignKeyField(
        Member, on_delete="CASCADE", backref="activity_attendance", verbose_name="党员"
    )
    status = pw.CharField(
        choices=vocab.ATTENDEE_STATUS.choices(), default="present", verbose_name="出席情况"
    )
    note = pw.CharField(null=True, verbose_name="备注")

    class Meta:
        table_name = "activity_attendee"
        indexes = ((("activity", "member"), True),)


class Training(BaseModel):
    """培训: a rotation training (轮训), lecture (宣讲), party lesson or business training."""

    name = pw.CharField(verbose_name="名称")
    kind = pw.CharField(choices=vocab.TRAINING_KIND.choices(), index=True, verbose_name="类型")
    start_date = pw.DateField(index=True, verbose_name="开始日期")
    end_date = pw.DateField(null=True, verbose_name="结束日期")
    place = pw.CharField(null=True, verbose_name="地点")
    lecturer = pw.CharField(null=True, verbose_name="主讲人")
    organiser = pw.CharField(null=True, verbose_name="主办单位")
    hours = pw.FloatField(null=True, verbose_name="学时")
    content = pw.TextField(null=True, verbose_name="内容")

    class Meta:
        table_name = "training"
        indexes = ((("name", "start_date"), True),)

    def __str__(self) -> str:
        return self.name


class Attendance(BaseModel):
    """培训签到: one expected attendee of a training — a member, or a non-member by name and unit."""

    training = pw.ForeignKeyField(
        Training, on_delete="CASCADE", backref="attendance", verbose_name="培训"
    )
    member = pw.ForeignKeyField(
        Member, null=True, on_delete="CASCADE", backref="training_attendance", verbose_name="党员"
    )
    person_name = pw.CharField(null=True, verbose_name="姓名")
    person_unit = pw.CharField(null=True, verbose_name="单位")
    status = pw.CharField(
        choices=vocab.ATTENDANCE_STATUS.choices(),
        default="expected",
        index=True,
        verbose_name="状态",
    )
    signed_at = pw.DateTimeField(null=True, verbose_name="签到时间")
    note = pw.CharField(null=True, verbose_name="备注")

    class Meta:
        table_name = "attendance"
        indexes = (
            (("training", "member"), False),
            (("training", "person_name", "person_unit"), False),
        )


class Team(BaseModel):
    """志愿服务队 / 突击队 of a branch."""

    name = pw.CharField(unique=True, verbose_name="名称")
    kind = pw.CharField(choices=vocab.TEAM_KIND.choices(), verbose_name="类型")
    branch = pw.ForeignKeyField(
        Branch, null=True, on_delete="SET NULL", backref="teams", verbose_name="所属党组织"
    )
    leader = pw.CharField(null=True, verbose_name="队长")
    founded_on = PartialDateField(null=True, verbose_name="成立日期")
    founded_on_precision = precision_field()
    focus = pw.CharField(null=True, verbose_name="服务方向")
    note = pw.TextField(null=True, verbose_name="备注")

    class Meta:
        table_name = "team"

    def __str__(self) -> str:
        return self.name


class TeamMember(BaseModel):
    """A member's place in a team (队员)."""

    team = pw.ForeignKeyField(
        Team, on_delete="CASCADE", backref="memberships", verbose_name="服务队"
    )
    member = pw.ForeignKeyField(
        Member, on_delete="CASCADE", backref="team_memberships", verbose_name="队员"
    )
    role = pw.CharField(null=True, verbose_name="职责")

    class Meta:
        table_name = "team_member"
        indexes = ((("team", "member"), True),)


class Service(BaseModel):
    """志愿服务活动: one service a team performed."""

    team = pw.ForeignKeyField(Team, on_delete="CASCADE", backref="services", verbose_name="服务队")
    date = pw.DateField(index=True, verbose_name="日期")
    topic = pw.CharField(verbose_name="主题")
    place = pw.CharField(null=True, verbose_name="地点")
    target_enterprise = pw.ForeignKeyField(
        Enterprise, null=True, on_delete="SET NULL", backref="services", verbose_name="服务企业"
    )
    target_text = pw.CharField(null=True, verbose_name="服务对象")
    hours = pw.FloatField(null=True, verbose_name="时长（小时）")
    outcome = pw.TextField(null=True, verbose_name="成效")

    class Meta:
        table_name = "service"
        indexes = ((("team", "date", "topic"), True),)


class ServiceParticipant(BaseModel):
    """参加队员 of a service."""

    service = pw.ForeignKeyField(
        Service, on_delete="CASCADE", backref="participants", verbose_name="志愿服务活动"
    )
    member = pw.ForeignKeyField(
        Member, on_delete="CASCADE", backref="service_participation", verbose_name="队员"
    )

    class Meta:
        table_name = "service_participant"
        indexes = ((("service", "member"), True),)


class EnterpriseIssue(BaseModel):
    """企业诉求（难题）: a problem an enterprise raised, taken up and followed to resolution."""

    enterprise = pw.ForeignKeyField(
        Enterprise, on_delete="CASCADE", backref="issues", verbose_name="企业"
    )
    received_on = pw.DateField(index=True, verbose_name="受理日期")
    source = pw.CharField(choices=vocab.ISSUE_SOURCE.choices(), null=True, verbose_name="来源")
    category = pw.CharField(choices=vocab.ISSUE_CATEGORY.choices(), index=True, verbose_name="类别")
    description = pw.TextField(verbose_name="问题描述")
    responsible_unit = pw.CharField(null=True, verbose_name="责任单位")
    responsible_person = pw.CharField(null=True, verbose_name="责任人")
    deadline = pw.DateField(null=True, verbose_name="办结时限")
    state = pw.CharField(
        choices=vocab.ISSUE_STATE.choices(), default="open", index=True, verbose_name="状态"
    )
    resolved_on = pw.DateField(null=True, index=True, verbose_name="办结日期")
    measures = pw.TextField(null=True, verbose_name="解决措施")
    evaluation = pw.CharField(
        choices=vocab.ISSUE_EVALUATION.choices(), null=True, verbose_name="企业评价"
    )

    class Meta:
        table_name = "enterprise_issue"

    @property
    def closed(self) -> bool:
        return self.state in ("resolved", "unresolvable")

    def days_to_resolve(self) -> int | None:
        if self.resolved_on is None:
            return None
        return (self.resolved_on - self.received_on).days

    def overdue(self, today: dt.date | None = None) -> bool:
        """Past its 办结时限 and not closed, on ``today`` (domain.overdue)."""
        return (
            overdue.days_overdue(self.deadline, self.closed, today or dt.date.today()) is not None
        )

    @classmethod
    def open_on(cls, day: dt.date) -> pw.Expression:
        """SQL: not closed on ``day`` — open now, or closed with a 办结日期 after that day (a
        problem solved in 2024 was still open at the end of 2023). One closed without a date
        is taken as closed: when is not known."""
        return cls.state.in_(("open", "in_progress")) | (
            cls.state.in_(("resolved", "unresolvable"))
            & cls.resolved_on.is_null(False)
            & (cls.resolved_on > day)
        )

    @classmethod
    def past_deadline(cls, day: dt.date) -> pw.Expression:
        """SQL: a 办结时限 before ``day`` (closed or not)."""
        return cls.deadline.is_null(False) & (cls.deadline < day)

    @classmethod
    def overdue_on(cls, day: dt.date) -> pw.Expression:
        """SQL: not closed and past 办结时限 on ``day`` — :meth:`overdue` as a query."""
        return cls.open_on(day) & cls.past_deadline(day)


class Setting(pw.Model):
    """Key/value settings kept with the data (compliance rules, operator defaults)."""

    key = pw.CharField(primary_key=True)
    value = pw.TextField()

    class Meta:
        database = db_proxy
        table_name = "setting"


class VocabularyItem(pw.Model):
    """The park's own items of an editable vocabulary (产业, 问题类别…), in its order.

    A built-in code appears here when the park relabelled or reordered it, or gave it synonyms;
    a code of the park's own (``custom_N``) only here. ``synonyms`` is one spelling per line.
    Read into :mod:`partybuild.domain.vocab` when the database is opened.
    """

    vocabulary = pw.CharField(verbose_name="词表")
    code = pw.CharField(verbose_name="代码")
    label = pw.CharField(verbose_name="名称")
    synonyms = pw.TextField(null=True, verbose_name="同义词")
    position = pw.IntegerField(verbose_name="顺序")

    class Meta:
        database = db_proxy
        table_name = "vocabulary_item"
        indexes = ((("vocabulary", "code"), True),)


class AuditEntry(pw.Model):
    """操作日志: one create, update, delete, restore, purge, import or database restore.

    ``changes`` is JSON: a list of {"field", "label", "old", "new"} with values as a person reads
    them (labels for codes, names for links). Written by the service layer, never edited.
    """

    at = pw.DateTimeField(index=True, verbose_name="时间")
    operator = pw.CharField(index=True, verbose_name="操作人")
    action = pw.CharField(index=True, verbose_name="操作")
    ledger = pw.CharField(null=True, index=True, verbose_name="台账")
    record_id = pw.IntegerField(null=True, index=True, verbose_name="记录编号")
    title = pw.CharField(null=True, verbose_name="记录")
    changes = pw.TextField(null=True, verbose_name="修改内容")

    class Meta:
        database = db_proxy
        table_name = "audit_log"


# --------------------------------------------------------------------------- 发展党员 and 换届
# The stages of recruitment are columns of the member row (migration 0007): 支部大会讨论接收 is the
# roster's 入党日期 and 转正 its 转正日期, and the category follows the stage, so one row keeps
# them from disagreeing. The 发展党员 ledger (ledgers.spec.RECRUITMENT) shows them apart, so the
# 党员 ledger's table, form and sheet stay as they were. Declared here, after the roster's own
# fields, so the Member class above still reads as the roster.

_RECRUITMENT_FIELDS: tuple[tuple[str, pw.Field], ...] = (
    ("applied_on", PartialDateField(null=True, verbose_name="递交入党申请书日期")),
    ("applied_on_precision", precision_field()),
    ("talked_on", PartialDateField(null=True, verbose_name="谈话日期")),
    ("talked_on_precision", precision_field()),
    ("activist_on", PartialDateField(null=True, verbose_name="确定入党积极分子日期")),
    ("activist_on_precision", precision_field()),
    ("mentors", pw.CharField(null=True, verbose_name="培养联系人")),
    ("activist_training", pw.CharField(null=True, verbose_name="积极分子培训起止时间")),
    ("reviewed_on", pw.DateField(null=True, verbose_name="最近一次考察日期")),
    ("plan_on", PartialDateField(null=True, verbose_name="列入发展计划日期")),
    ("plan_on_precision", precision_field()),
    ("candidate_on", PartialDateField(null=True, verbose_name="确定发展对象日期")),
    ("candidate_on_precision", precision_field()),
    ("vetted_on", PartialDateField(null=True, verbose_name="政治审查日期")),
    ("vetted_on_precision", precision_field()),
    ("candidate_training", pw.CharField(null=True, verbose_name="发展对象培训起止时间")),
    ("training_start", PartialDateField(null=True, verbose_name="集中培训开始日期")),
    ("training_start_precision", precision_field()),
    ("training_end", PartialDateField(null=True, verbose_name="集中培训结束日期")),
    ("training_end_precision", precision_field()),
    ("publicized_on", pw.DateField(null=True, verbose_name="公示开始日期")),
    ("prechecked_on", PartialDateField(null=True, verbose_name="上级党委预审日期")),
    ("prechecked_on_precision", precision_field()),
    ("pledge_on", PartialDateField(null=True, verbose_name="领取志愿书日期")),
    ("pledge_on_precision", precision_field()),
    ("pledge_number", pw.CharField(null=True, verbose_name="志愿书编号")),
    (
        "introducer_1",
        pw.ForeignKeyField(
            "self",
            null=True,
            on_delete="SET NULL",
            backref="introduced_1",
            verbose_name="入党介绍人一",
        ),
    ),
    (
        "introducer_2",
        pw.ForeignKeyField(
            "self",
            null=True,
            on_delete="SET NULL",
            backref="introduced_2",
            verbose_name="入党介绍人二",
        ),
    ),
    ("admission_entitled", pw.IntegerField(null=True, verbose_name="接收大会应到有表决权人数")),
    ("admission_present", pw.IntegerField(null=True, verbose_name="接收大会实到有表决权人数")),
    ("admission_yes", pw.IntegerField(null=True, verbose_name="接收大会赞成人数")),
    ("approved_on", PartialDateField(null=True, verbose_name="上级党委审批日期")),
    ("approved_on_precision", precision_field()),
    ("extension_months", pw.IntegerField(null=True, verbose_name="延长预备期（月）")),
    ("confirm_entitled", pw.IntegerField(null=True, verbose_name="转正大会应到有表决权人数")),
    ("confirm_present", pw.IntegerField(null=True, verbose_name="转正大会实到有表决权人数")),
    ("confirm_yes", pw.IntegerField(null=True, verbose_name="转正大会赞成人数")),
)
for _name, _field in _RECRUITMENT_FIELDS:
    Member._meta.add_field(_name, _field)
# The year's 发展党员 figures read, of the members with a recorded application only, this (0011).
Member.add_index(
    Member.index(
        Member.deleted,
        Member.branch,
        *(Member._meta.fields[n] for n in ("applied_on", "activist_on", "candidate_on")),
        Member.joined_on,
        Member.confirmed_on,
        where=Member._meta.fields["applied_on"].is_null(False),
        name="member_stages",
    )
)
#: 任期（年） of a branch committee; empty: the park's term for the branch's kind (a setting).
Branch._meta.add_field("term_years", pw.IntegerField(null=True, verbose_name="任期（年）"))
RECRUITMENT_FIELDS: tuple[str, ...] = tuple(
    name for name, _ in _RECRUITMENT_FIELDS if not name.endswith("_precision")
)


class AttachmentBlob(pw.Model):
    """The bytes of an attached file, stored once per content (SHA-256), whatever links to it.

    Kept apart from :class:`Attachment` so that listing, auditing and binning attachments never
    reads the bytes, and the same photo attached twice is stored once.
    """

    sha256 = pw.CharField(max_length=64, unique=True, verbose_name="SHA-256")
    size = pw.BigIntegerField(verbose_name="大小")
    data = pw.BlobField(verbose_name="内容")
    created_at = pw.DateTimeField(default=now, verbose_name="创建时间")

    class Meta:
        database = db_proxy
        table_name = "attachment_blob"


class Attachment(BaseModel):
    """附件: one file attached to a record of 组织生活, 培训, 志愿服务活动, 企业诉求 or 党员.

    ``owner_ledger`` + ``owner_id`` name the record (a ledger name of ``ledgers.spec`` and the
    record's id); the content is in :class:`AttachmentBlob`. ``content_type`` is what the bytes
    are (sniffed: jpeg, png, heic, pdf, docx, xlsx, doc, xls), never what the file name says.
    """

    owner_ledger = pw.CharField(
        max_length=16, choices=vocab.ATTACHMENT_OWNER.choices(), verbose_name="所属台账"
    )
    owner_id = pw.IntegerField(verbose_name="所属记录编号")
    blob = pw.ForeignKeyField(
        AttachmentBlob, on_delete="RESTRICT", backref="links", verbose_name="内容"
    )
    name = pw.CharField(verbose_name="文件名")
    kind = pw.CharField(choices=vocab.ATTACHMENT_KIND.choices(), verbose_name="类别")
    content_type = pw.CharField(max_length=8, verbose_name="格式")
    size = pw.BigIntegerField(verbose_name="大小（字节）")
    sha256 = pw.CharField(max_length=64, index=True, verbose_name="SHA-256")
    added_at = pw.DateTimeField(default=now, verbose_name="添加时间")

    class Meta:
        table_name = "attachment"
        indexes = ((("owner_ledger", "owner_id"), False),)


LEDGER_MODELS: tuple[type[BaseModel], ...] = (
    Branch,
    Enterprise,
    Member,
    Activity,
    ActivityAttendee,
    Training,
    Attendance,
    Team,
    TeamMember,
    Service,
    ServiceParticipant,
    EnterpriseIssue,
)
ALL_MODELS: tuple[type[pw.Model], ...] = (*LEDGER_MODELS, Setting, AuditEntry, VocabularyItem)


# --------------------------------------------------------------------------- 党费 (issue 14)


class MoneyField(pw.DecimalField):
    """An amount of yuan, exact to the fen (Decimal in, Decimal out, on SQLite as on PostgreSQL)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def python_value(self, value: object) -> object:
        value = super().python_value(value)
        return value.quantize(decimal.Decimal("0.01")) if value is not None else None  # type: ignore[union-attr]


class RateField(pw.DecimalField):
    """A share of the base (0.015 = 1.5 %)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 8)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def python_value(self, value: object) -> object:
        value = super().python_value(value)
        return value.normalize() if value is not None else None  # type: ignore[union-attr]


class Dues(BaseModel):
    """党费: what one member owes for one month and what was paid (中组发〔2008〕3号).

    ``month`` is a month of record (a PartialDateField kept to the month); ``due`` is the
    calculator's amount unless a reduction or exemption was approved, with its decision date and
    document. Whether the month is 已交/未交/少交/补交 is derived (services.dues), never stored.
    """

    member = pw.ForeignKeyField(Member, on_delete="CASCADE", backref="dues", verbose_name="党员")
    month = PartialDateField(index=True, verbose_name="月份")
    month_precision = precision_field()
    # A payment for several months at once (quarterly with the branch's consent, or 补交 of
    # months run together): the last month it covers; None for one month.
    until = PartialDateField(null=True, verbose_name="截止月份")
    until_precision = precision_field()
    kind = pw.CharField(
        choices=vocab.DUES_KIND.choices(), default="working", verbose_name="缴费类别"
    )
    base = MoneyField(null=True, verbose_name="缴费基数")
    rate = RateField(null=True, verbose_name="比例")
    due = MoneyField(verbose_name="应交")
    paid = MoneyField(null=True, verbose_name="实交")
    paid_on = pw.DateField(null=True, verbose_name="交纳日期")
    method = pw.CharField(choices=vocab.DUES_METHOD.choices(), null=True, verbose_name="交纳方式")
    reduction = pw.CharField(choices=vocab.DUES_REDUCTION.choices(), null=True, verbose_name="减免")
    decision_on = pw.DateField(null=True, verbose_name="批准日期")
    decision_doc = pw.CharField(null=True, verbose_name="批准文号")
    note = pw.CharField(null=True, verbose_name="备注")  # one line beside a month's figures

    class Meta:
        table_name = "dues"
        indexes = (
            (("member", "month"), True),
            # The period's sums and the arrears (stats, the annual summary) read this index
            # alone: live rows, the month range, then every other column they read (0014).
            (("deleted", "month", "member", "due", "paid", "until", "paid_on"), False),
        )

    @property
    def title(self) -> str:
        """“示明 2023.05”: the member and the month, for messages and the 操作日志."""
        month, until = self.month, self.until
        when = f"{month.year}.{month.month:02d}" if month is not None else ""
        if until is not None and until != month:
            when += f"–{until.year}.{until.month:02d}"
        return f"{self.member.name} {when}".strip()


LEDGER_MODELS = (*LEDGER_MODELS, Dues)
ALL_MODELS = (*LEDGER_MODELS, Setting, AuditEntry, VocabularyItem, AttachmentBlob, Attachment)
