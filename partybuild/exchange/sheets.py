"""What each ledger looks like as an Excel sheet, derived from :mod:`partybuild.ledgers.spec`.

Import, export and templates all read these :class:`SheetSpec` objects, so a sheet is described
once. A ledger's columns come from its spec; links are written as the linked record's natural
title (DESIGN.md): 所属党组织 by branch name, 所在企业 by enterprise name, a member by ID number,
a training by 培训名称 and 培训开始日期, an activity by 党组织+类型+日期+主题, a service by
服务队+日期+主题. The three link tables that have no ledger of their own (参会人员, 服务队队员,
参加队员) get sheets of their own, so an "all ledgers" workbook carries the whole database.

Sheets are listed in dependency order: a sheet only links to sheets before it (a branch's
上级党组织 links within its own sheet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from partybuild.domain import vocab
from partybuild.domain.vocab import Vocabulary
from partybuild.exchange.read import clean_header
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Column, Ledger
from partybuild.store import models as m

# How sure a header names a column: the user said so, its own header or label, an alias, a loose
# alias (taken only when the values fit).
FORCED, EXACT, ALIAS, LOOSE = 4, 3, 2, 1

# Headers that number rows or explain them; never data, never "unknown".
IGNORED_HEADERS = frozenset({"序号", "编号", "序", "NO", "NO.", "No", "No.", "错误原因", "原行号"})


@dataclass(frozen=True)
class Target:
    """How a linked ledger is named in a sheet: the kinds of the parts of its natural title."""

    name: str
    kinds: tuple[str, ...]
    vocabularies: tuple[Vocabulary | None, ...] = ()

    def vocabulary(self, part: int) -> Vocabulary | None:
        return self.vocabularies[part] if part < len(self.vocabularies) else None


TARGETS: dict[str, Target] = {
    "branches": Target("branches", (spec.TEXT,)),
    "enterprises": Target("enterprises", (spec.TEXT,)),
    "members": Target("members", (spec.ID_NUMBER,)),
    "trainings": Target("trainings", (spec.TEXT, spec.DATE)),
    "teams": Target("teams", (spec.TEXT,)),
    "activities": Target(
        "activities",
        (spec.TEXT, spec.CHOICE, spec.DATE, spec.TEXT),
        (None, vocab.ACTIVITY_KIND, None, None),
    ),
    "services": Target("services", (spec.TEXT, spec.DATE, spec.TEXT)),
}
TARGET_OF_MODEL: dict[type[m.BaseModel], str] = {
    m.Branch: "branches",
    m.Enterprise: "enterprises",
    m.Member: "members",
    m.Training: "trainings",
    m.Team: "teams",
    m.Activity: "activities",
    m.Service: "services",
}


@dataclass(frozen=True)
class XColumn:
    """One column of a sheet.

    ``field`` names the model field a plain column fills. A link is written in one or more
    columns (``link`` = the link field, ``part`` = which part of the target's title). An ``info``
    column is shown for people (the member's name beside an ID number) and checked on import.
    """

    header: str
    aliases: tuple[str, ...] = ()
    width: int = 12
    kind: str = spec.TEXT
    field: str | None = None
    link: str | None = None
    part: int = 0
    info: bool = False
    optional: bool = False  # a link part that may be left out (培训开始日期)
    column: Column | None = None
    vocabulary: Vocabulary | None = None
    # Headers that mean something else in other systems: taken only when the values fit.
    loose: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def label(self) -> str:
        """The field as people name it (the form's label; the header for link parts)."""
        if self.column is not None and not self.link:
            return self.column.label
        return self.header

    @property
    def checkable(self) -> bool:
        """Whether a value can be seen not to fit (a choice, date, number, ID…); any text fits."""
        return self.kind not in (spec.TEXT, spec.LONGTEXT)

    @property
    def key(self) -> str:
        """A stable id of the column within its sheet."""
        return self.field or (f"{self.link}#{self.part}" if self.link else f"info:{self.header}")

    @property
    def is_text_cell(self) -> bool:
        """Written as a text cell formatted “@” so Excel never turns it into a number."""
        return self.kind in (spec.ID_NUMBER, spec.PHONE, spec.CREDIT_CODE)


@dataclass(frozen=True)
class Link:
    """A link field and the sheet columns that name its target."""

    field: str
    target: str
    headers: tuple[str, ...]


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: its ledger (or link table), columns in order, and how its rows are named."""

    name: str
    label: str
    ledger: Ledger
    columns: tuple[XColumn, ...]
    # Headers whose values form this sheet's natural title (for rows of other sheets linking here).
    title_headers: tuple[str, ...] = ()
    # Other names of the sheet as people write them.
    sheet_aliases: tuple[str, ...] = ()
    # A link table: rows removed earlier come back from the recycle bin instead of being refused.
    link_table: bool = False
    # The field fetched with IN-lists to find existing records (one query per chunk).
    lookup_field: str = "id"

    @property
    def model(self) -> type[m.BaseModel]:
        return self.ledger.model

    @cached_property
    def links(self) -> tuple[Link, ...]:
        found: dict[str, list[XColumn]] = {}
        for col in self.columns:
            if col.link:
                found.setdefault(col.link, []).append(col)
        result = []
        for name, cols in found.items():
            fk = self.model._meta.fields[name]
            target = TARGET_OF_MODEL[fk.rel_model]
            result.append(
                Link(name, target, tuple(c.header for c in sorted(cols, key=lambda c: c.part)))
            )
        return tuple(result)

    @cached_property
    def by_header(self) -> dict[str, XColumn]:
        return {c.header: c for c in self.columns}

    @cached_property
    def header_index(self) -> dict[str, XColumn]:
        """Every accepted header (cleaned) → its column."""
        index: dict[str, XColumn] = {}
        for col in self.columns:
            for name in col.names:
                index.setdefault(clean_header(name), col)
        return index

    @cached_property
    def header_priority(self) -> dict[str, tuple[XColumn, int]]:
        """Every header a column may have (cleaned) → (column, how sure): the header itself or
        the field's label 3, an alias 2, a loose alias 1 (only if the values fit)."""
        index: dict[str, tuple[XColumn, int]] = {}
        for col in self.columns:
            for name in (col.header, col.label):
                index.setdefault(clean_header(name), (col, EXACT))
        for col in self.columns:
            for name in col.aliases:
                index.setdefault(clean_header(name), (col, ALIAS))
        for col in self.columns:
            for name in col.loose:
                index.setdefault(clean_header(name), (col, LOOSE))
        return index

    @cached_property
    def by_key(self) -> dict[str, XColumn]:
        return {c.key: c for c in self.columns}

    @cached_property
    def by_name(self) -> dict[str, XColumn]:
        """A field as a user names it in ``--map`` (its header or its label, cleaned)."""
        names: dict[str, XColumn] = {}
        for col in self.columns:
            for name in (col.header, col.label):
                names.setdefault(clean_header(name), col)
        return names

    def required_columns(self) -> list[XColumn]:
        """Plain columns whose field must have a value (the key columns are checked apart)."""
        return [
            c
            for c in self.columns
            if c.field
            and c.column is not None
            and c.column.required
            and c.header not in self.key_headers
        ]

    def default_columns(self) -> list[XColumn]:
        """Plain columns whose field takes a default when the file has no value for it."""
        result = []
        for c in self.columns:
            if not c.field or c.column is None:
                continue
            f = c.column.field
            if not f.null and f.default is not None:
                result.append(c)
        return result

    @cached_property
    def key_headers(self) -> tuple[str, ...]:
        """Columns a sheet must have to be this sheet: those naming a row."""
        if self.name == "enterprises":
            return ()  # by 统一社会信用代码 or by 名称: checked in :meth:`missing_keys`
        needed: list[str] = []
        for name in self.ledger.natural_key:
            if self.name == "attendance" and name != "training":
                continue  # 党员身份证号, or 姓名 for a non-member: checked per row
            for col in self.columns:
                if (col.field == name or col.link == name) and not col.optional:
                    needed.append(col.header)
        return tuple(needed)

    def missing_keys(self, present: set[str]) -> list[str]:
        """Key headers a sheet lacks (by canonical header)."""
        if self.name == "enterprises":
            return [] if {"名称", "统一社会信用代码"} & present else ["名称"]
        missing = [h for h in self.key_headers if h not in present]
        if self.name == "attendance" and not ({"党员身份证号", "姓名"} & present):
            missing.append("党员身份证号或姓名")
        return missing


def _aliases(column: Column, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    names = dict.fromkeys((column.label, *column.aliases, *extra))
    names.pop(column.excel_header, None)
    return tuple(names)


def _plain(column: Column, aliases: tuple[str, ...] = ()) -> XColumn:
    return XColumn(
        header=column.excel_header,
        aliases=_aliases(column, aliases),
        width=column.width,
        kind=column.kind,
        field=column.name,
        column=column,
        vocabulary=column.vocabulary,
        loose=column.loose_aliases,
    )


def _link(column: Column) -> XColumn:
    """A one-cell link: the target's name (or a member's ID number)."""
    target = TARGETS[TARGET_OF_MODEL[column.link_model]]  # type: ignore[index]
    return XColumn(
        header=column.excel_header,
        aliases=_aliases(column),
        width=column.width,
        kind=target.kinds[0],
        link=column.name,
        column=column,
        loose=column.loose_aliases,
    )


def _ledger_columns(ledger: Ledger) -> list[XColumn]:
    return [_link(c) if c.kind == spec.LINK else _plain(c) for c in ledger.columns]


ID_ALIASES = ("身份证号", "公民身份号码", "身份证号码", "身份证")


def _member_link(field_name: str = "member") -> XColumn:
    return XColumn("党员身份证号", ID_ALIASES, 21, spec.ID_NUMBER, link=field_name)


def _member_name() -> XColumn:
    return XColumn("姓名", ("党员姓名",), 10, spec.TEXT, info=True)


def _ledger_sheet(ledger: Ledger, **kwargs: object) -> SheetSpec:
    return SheetSpec(ledger.name, ledger.label, ledger, tuple(_ledger_columns(ledger)), **kwargs)  # type: ignore[arg-type]


def _attendance_sheet() -> SheetSpec:
    ledger = spec.ATTENDANCE
    training = ledger.column("training")
    columns = [
        XColumn(
            training.excel_header,
            ("培训", "培训主题", "培训班名称"),
            training.width,
            spec.TEXT,
            link="training",
        ),
        XColumn(
            "培训开始日期",
            ("培训日期", "培训开始时间"),
            12,
            spec.DATE,
            link="training",
            part=1,
            optional=True,
        ),
        _member_link(),
        _plain(ledger.column("person_name"), aliases=("参训人员", "参训人", "党员姓名")),
        *[_plain(ledger.column(n)) for n in ("person_unit", "status", "signed_at", "note")],
    ]
    return SheetSpec(ledger.name, ledger.label, ledger, tuple(columns), lookup_field="training")


C = Column
ACTIVITY_ATTENDEES = Ledger(
    "activity_attendees",
    "参会人员",
    m.ActivityAttendee,
    (C("activity"), C("member"), C("status", width=8), C("note", width=16)),
    natural_key=("activity", "member"),
    title_field="id",
)
TEAM_MEMBERS = Ledger(
    "team_members",
    "服务队队员",
    m.TeamMember,
    (C("team"), C("member"), C("role", width=10)),
    natural_key=("team", "member"),
    title_field="id",
)
SERVICE_PARTICIPANTS = Ledger(
    "service_participants",
    "参加队员",
    m.ServiceParticipant,
    (C("service"), C("member")),
    natural_key=("service", "member"),
    title_field="id",
)


def _activity_attendees_sheet() -> SheetSpec:
    ledger = ACTIVITY_ATTENDEES
    columns = (
        XColumn("党组织", ("党支部", "所属党组织"), 24, spec.TEXT, link="activity"),
        XColumn(
            "活动类型",
            ("会议类型", "类型"),
            12,
            spec.CHOICE,
            link="activity",
            part=1,
            vocabulary=vocab.ACTIVITY_KIND,
        ),
        XColumn("活动日期", ("会议日期", "日期"), 12, spec.DATE, link="activity", part=2),
        XColumn("活动主题", ("会议主题", "主题"), 30, spec.TEXT, link="activity", part=3),
        _member_link(),
        _member_name(),
        _plain(ledger.column("status"), aliases=("状态", "出席")),
        _plain(ledger.column("note")),
    )
    return SheetSpec(
        ledger.name, ledger.label, ledger, columns, link_table=True, lookup_field="activity"
    )


def _team_members_sheet() -> SheetSpec:
    ledger = TEAM_MEMBERS
    columns = (
        XColumn("服务队", ("服务队名称", "队伍名称"), 28, spec.TEXT, link="team"),
        _member_link(),
        _member_name(),
        _plain(ledger.column("role"), aliases=("队内职务", "职务")),
    )
    return SheetSpec(
        ledger.name, ledger.label, ledger, columns, link_table=True, lookup_field="team"
    )


def _service_participants_sheet() -> SheetSpec:
    ledger = SERVICE_PARTICIPANTS
    columns = (
        XColumn("服务队", ("服务队名称",), 28, spec.TEXT, link="service"),
        XColumn("服务日期", ("日期", "活动日期"), 12, spec.DATE, link="service", part=1),
        XColumn("服务主题", ("主题", "活动主题"), 28, spec.TEXT, link="service", part=2),
        _member_link(),
        _member_name(),
    )
    return SheetSpec(
        ledger.name, ledger.label, ledger, columns, link_table=True, lookup_field="service"
    )


def _dues_sheet() -> SheetSpec:
    """党费: a member by ID number with the name beside it (checked), then the month's figures."""
    ledger = spec.DUES
    rest = [c for c in ledger.columns if c.name != "member"]
    return SheetSpec(
        ledger.name,
        ledger.label,
        ledger,
        (_member_link(), _member_name(), *[_plain(c) for c in rest]),
        sheet_aliases=("党费台账", "党费收缴台账", "党费交纳台账", "党费缴纳台账", "党费补缴"),
        lookup_field="month",
    )


SHEETS: dict[str, SheetSpec] = {
    s.name: s
    for s in (
        _ledger_sheet(
            spec.BRANCHES,
            title_headers=("名称",),
            sheet_aliases=("党组织台账", "党支部", "党组织名单", "党支部台账"),
            lookup_field="name",
        ),
        _ledger_sheet(
            spec.ENTERPRISES,
            title_headers=("名称",),
            sheet_aliases=("企业台账", "企业名单", "市场主体", "企业名录"),
            lookup_field="name",
        ),
        _ledger_sheet(
            spec.MEMBERS,
            title_headers=("身份证号",),
            sheet_aliases=("党员花名册", "党员名册", "党员信息", "党员台账", "花名册"),
            lookup_field="id_number",
        ),
        _ledger_sheet(
            spec.ACTIVITIES,
            title_headers=("党组织", "类型", "日期", "主题"),
            sheet_aliases=("三会一课", "组织生活台账", "三会一课台账"),
            lookup_field="date",
        ),
        _activity_attendees_sheet(),
        _ledger_sheet(
            spec.TRAININGS,
            title_headers=("名称", "开始日期"),
            sheet_aliases=("培训台账", "培训记录"),
            lookup_field="name",
        ),
        _attendance_sheet(),
        _ledger_sheet(
            spec.TEAMS,
            title_headers=("名称",),
            sheet_aliases=("服务队", "志愿服务队台账", "突击队"),
            lookup_field="name",
        ),
        _team_members_sheet(),
        _ledger_sheet(
            spec.SERVICES,
            title_headers=("服务队", "日期", "主题"),
            sheet_aliases=("志愿服务", "志愿服务台账"),
            lookup_field="date",
        ),
        _service_participants_sheet(),
        _ledger_sheet(
            spec.ISSUES,
            sheet_aliases=("企业诉求台账", "难题办理", "企业难题", "诉求办理"),
            lookup_field="received_on",
        ),
        # The people of the roster seen by their stages: a row adds a person (an applicant) or
        # updates the one with that ID number. Not part of an "all ledgers" file — the 党员 sheet
        # already writes those rows — so it is exported and imported on its own.
        _ledger_sheet(
            spec.RECRUITMENT,
            sheet_aliases=(
                "发展党员台账",
                "发展党员工作台账",
                "党员发展信息",
                "党员发展信息录入样表",
                "发展党员信息",
            ),
            lookup_field="id_number",
        ),
        _dues_sheet(),
    )
}
#: Sheets not written into an "all ledgers" file; read from one only without a 党员 sheet.
SEPARATE = ("recruitment",)

# The sheets of one ledger when only that ledger is exported or imported.
LINK_TABLES = ("activity_attendees", "team_members", "service_participants")


def sheet(name: str) -> SheetSpec:
    return SHEETS[name]


def sheet_names_match(spec_: SheetSpec, title: str) -> bool:
    """Whether a sheet's name says it is this ledger (党员, 党员花名册, 2023年党员台账…)."""
    name = clean_header(title)
    names = {clean_header(n) for n in (spec_.label, *spec_.sheet_aliases)}
    if name in names:
        return True
    return any(name.endswith(n) for n in names if len(n) >= 3)


@dataclass
class HeaderChoice:
    """Where a sheet's header was found and which physical column feeds which column."""

    spec: SheetSpec
    rows: tuple[int, ...]  # header row numbers (one, or two for a two-row header)
    mapping: dict[int, XColumn] = field(default_factory=dict)
    headers: dict[int, str] = field(default_factory=dict)  # column index → header as written
    unknown: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    # Every column a header could fill, and how sure (EXACT/ALIAS/LOOSE, FORCED by the user);
    # ``mapping`` is what was settled from these and the columns' values.
    claims: dict[int, tuple[XColumn, int]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # columns the user said not to import
    constants: dict[str, Any] = field(default_factory=dict)  # XColumn.key → value for every row
    constant_text: dict[str, str] = field(default_factory=dict)  # XColumn.key → value as given
    samples: dict[int, list[str]] = field(default_factory=dict)  # a few values of each column
    ambiguous: dict[int, str] = field(default_factory=dict)  # column → why it is flagged
    note_rows: tuple[int, ...] = ()  # 必填/选填/格式 rows right under the header
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sheet-level: nothing of it is imported
    missing: list[str] = field(default_factory=list)  # required columns the sheet lacks
    asked: list[XColumn] = field(default_factory=list)  # defaults that need the user's word
    defaults: list[XColumn] = field(default_factory=list)  # fields that will take a default

    @property
    def score(self) -> int:
        return len(self.mapping)

    @property
    def data_start(self) -> int:
        return max(self.rows) + 1

    @property
    def present(self) -> set[str]:
        return {c.header for c in self.mapping.values()} | {
            self.spec.by_key[k].header for k in self.constants
        }
