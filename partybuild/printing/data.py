"""What goes on each printed document: who is expected, in what order, with which counts.

Everything here reads the database through the services and returns a Qt-free
:class:`~partybuild.printing.layout.Document`, so the CLI, the preview dialog and the tests print
the very same content and the tests can check it without a display.

Lists follow the sign-in list of :mod:`partybuild.services.relations`: rows in the recycle bin and
rows of binned members are left out. Names are printed in the order asked for (``order``: 姓氏笔画,
拼音 or 录入顺序, :mod:`partybuild.domain.collation`; None is the database's default,
:mod:`partybuild.services.name_order`): sign-in lists by branch in that order, then name, non-members
last; 录入顺序 is the order people were put on the list. The roster and the summary say their
order (a sign-in sheet keeps that line for its rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import peewee as pw

from partybuild.domain import collation, dates, vocab
from partybuild.ledgers import spec
from partybuild.ledgers.display import masked_value
from partybuild.printing.layout import (
    BODY_PT,
    ROSTER_ROW_H,
    SIGNIN_ROW_H,
    SMALL_PT,
    SUMMARY_ROW_H,
    Column,
    Document,
    Table,
)
from partybuild.services import name_order, records, relations
from partybuild.store import models as m

#: Names per line in the attendance summary's lists.
SUMMARY_NAMES_PER_LINE = 6

#: The members-ledger fields a 党员花名册 prints: those of DESIGN.md that fit A4 landscape
#: (所属党组织 is the roster's title; 企业岗位、状态、备注 are left to the Excel export).
ROSTER_FIELDS: tuple[str, ...] = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "phone",
    "enterprise",
    "category",
    "joined_on",
    "confirmed_on",
    "party_post",
)

_NUMBER = Column("序号", 12, "center")
_NAME = Column("姓名", 24, "center")
_SIGNATURE = Column("签名", 48)
_REMARK = Column("备注", 32, font_pt=SMALL_PT)
_BLANK_FILL = "______"

T = TypeVar("T")


def _ordered(
    people: list[T], order: str, branch: Callable[[T], str | None] | None = None
) -> list[T]:
    """People (rows with ``name`` and ``id``) in ``order``; by branch first when ``branch`` is given.

    录入顺序 is the rows' own order of entry (their ids), without grouping; in 姓氏笔画 or 拼音 order
    the branches follow the same collation and people without a branch (guests) come last.
    """
    if order == "entry":
        return sorted(people, key=lambda p: p.id)  # type: ignore[attr-defined]
    key = collation.name_sort_key(order)

    def sort_key(p: T) -> tuple[object, ...]:
        group = branch(p) if branch is not None else ""
        return (group is None, key(group or ""), key(p.name), p.id)  # type: ignore[attr-defined]

    return sorted(people, key=sort_key)


def _order_info(order: str) -> tuple[str, str]:
    return ("排序", f"按{collation.order_label(order)}")


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_span(start: dt.date, end: dt.date | None) -> str:
    """2023年2月16日, 2023年2月16日至17日, 2023年2月16日至3月1日: as a notice would write it."""
    if end is None or end <= start:
        return _day(start)
    if end.year != start.year:
        return f"{_day(start)}至{_day(end)}"
    if end.month != start.month:
        return f"{_day(start)}至{end.month}月{end.day}日"
    return f"{_day(start)}至{end.day}日"


def _remark(status: str, note: str | None, leave_code: str = "leave") -> str:
    """备注: the note, and 请假 when the person asked for leave beforehand (known before printing)
    or 缺席 when the sheet is printed again after the event for the file (both vocabularies call
    it ``absent``)."""
    note = (note or "").strip()
    word = {leave_code: "请假", "absent": "缺席"}.get(status)
    if word is not None:
        return f"{word}：{note}" if note else word
    return note


def _organisation(branch: str | None, unit: str | None, sep: str = "\n") -> str:
    """所属党组织 / 所在企业 in one cell: the branch, and the enterprise under it unless its name
    already says it (瑞丰化工有限公司党支部 covers 瑞丰化工有限公司)."""
    if branch and unit and unit not in branch:
        return f"{branch}{sep}{unit}"
    return branch or unit or ""


def _headcount_info(expected: int) -> tuple[tuple[str, str], ...]:
    return (("应到人数", f"{expected} 人"), ("实到人数", f"{_BLANK_FILL} 人"))


def _signin_table(rows: list[tuple[str, str, str, str]], organisation_label: str) -> Table:
    columns = (
        _NUMBER,
        _NAME,
        Column(organisation_label, 64, font_pt=SMALL_PT),
        _SIGNATURE,
        _REMARK,
    )
    return Table(
        columns,
        tuple(rows),
        SIGNIN_ROW_H,
        numbered=True,
        fill_page=True,
        font_pt=BODY_PT,
    )


# --------------------------------------------------------------------------- sign-in sheets


def _training_info(training: m.Training) -> tuple[tuple[str, str], ...]:
    """The header lines a training's sheet and its summary share."""
    return (
        ("时间", date_span(training.start_date, training.end_date)),
        ("地点", training.place or ""),
        ("主讲人", training.lecturer or ""),
        ("主办单位", training.organiser or ""),
    )


def training_signin(training_id: int, order: str | None = None) -> Document:
    """签到表 of a training: everyone on its sign-in list, whatever their status."""
    order = name_order.resolve(order)
    training: m.Training = records.get("trainings", training_id)  # type: ignore[assignment]
    people = _ordered(relations.attendance_rows(training.id), order, lambda p: p.branch)
    rows = [
        (p.name, _organisation(p.branch, p.unit), "", _remark(p.status, p.note)) for p in people
    ]
    info = (*_training_info(training), *_headcount_info(len(rows)))
    return Document(
        "signin",
        f"{training.name}签到表",
        info,
        (_signin_table(rows, "所属党组织 / 所在企业"),),
        names=tuple(p.name for p in people),
    )


def activity_signin(activity_id: int, order: str | None = None) -> Document:
    """签到表 of a meeting: its attendee list, or the branch's members when none was entered yet."""
    order = name_order.resolve(order)
    activity: m.Activity = records.get("activities", activity_id)  # type: ignore[assignment]
    attendees = _ordered(relations.activity_attendees(activity.id), order, lambda a: a.branch)
    branch = activity.branch
    if attendees:
        names = [a.name for a in attendees]
        rows = [
            (
                a.name,
                # 列席 from another branch: say which, the sheet is filed with this branch.
                _organisation(a.branch, a.enterprise) if a.extra else (a.enterprise or ""),
                "",
                _remark(a.status, a.note),
            )
            for a in attendees
        ]
    else:
        # Who is expected at a 三会一课 meeting: the branch's full and probationary members still
        # in the branch (relations.PARTY_MEMBERS, ACTIVE_STATUSES).
        M, E = m.Member, m.Enterprise
        query = (
            M.select(M.id, M.name, E.name, E.deleted)
            .join(E, pw.JOIN.LEFT_OUTER, on=(M.enterprise == E.id))
            .where(
                M.branch == branch.id,
                m.live(M),
                M.category.in_(relations.PARTY_MEMBERS),
                M.status.in_(relations.ACTIVE_STATUSES),
            )
        )
        members = _ordered([_Expected(*row) for row in query.tuples()], order)
        names = [p.name for p in members]
        rows = [(p.name, "" if p.gone else (p.firm or ""), "", "") for p in members]
    info = (
        ("时间", _day(activity.date)),
        ("地点", activity.place or ""),
        ("党组织", branch.name),
        ("会议类型", vocab.ACTIVITY_KIND.label(activity.kind)),
        ("主持人", activity.host or ""),
        ("记录人", activity.recorder or ""),
        *_headcount_info(len(rows)),
    )
    return Document(
        "signin",
        f"{activity.topic}签到表",
        info,
        (_signin_table(rows, "所在企业"),),
        names=tuple(names),
    )


@dataclass(frozen=True)
class _Expected:
    """A member expected at a meeting that has no attendee list yet."""

    id: int
    name: str
    firm: str | None
    gone: bool


# --------------------------------------------------------------------------- attendance summary


def _name_grid(caption: str, names: list[str]) -> Table:
    """Names six to a line: the long list (已签到) stays short on paper."""
    per_line = SUMMARY_NAMES_PER_LINE
    rows = [
        tuple(names[i : i + per_line]) + ("",) * (per_line - len(names[i : i + per_line]))
        for i in range(0, len(names), per_line)
    ]
    columns = tuple(Column("", 1, "center") for _ in range(per_line))
    return Table(columns, tuple(rows), SUMMARY_ROW_H, header=False, caption=caption)


def _follow_up(caption: str, people: list[relations.AttendanceRow]) -> Table:
    """One line per person, with where to reach them and why: the short lists someone follows up."""
    columns = (
        Column("姓名", 24, "center"),
        Column("所属党组织 / 所在企业", 96, font_pt=SMALL_PT),
        Column("备注", 60, font_pt=SMALL_PT),
    )
    rows = tuple(
        (p.name, _organisation(p.branch, p.unit, "　"), (p.note or "").strip()) for p in people
    )
    return Table(columns, rows, SUMMARY_ROW_H, header=bool(rows), caption=caption)


def training_summary(training_id: int, order: str | None = None) -> Document:
    """签到汇总 after a training: the figures, then who signed in, was on leave, absent, not signed."""
    order = name_order.resolve(order)
    training: m.Training = records.get("trainings", training_id)  # type: ignore[assignment]
    people = _ordered(relations.attendance_rows(training.id), order, lambda p: p.branch)
    summary = relations.attendance_summary(people)
    figures = Table(
        (
            Column("应到", 1, "center"),
            Column("已签到", 1, "center"),
            Column("请假", 1, "center"),
            Column("缺席", 1, "center"),
            Column("未签到", 1, "center"),
            Column("签到率", 1, "center"),
        ),
        (
            (
                f"{summary.expected} 人",
                f"{summary.signed} 人",
                f"{summary.leave} 人",
                f"{summary.absent} 人",
                f"{summary.pending} 人",
                relations.percent(summary.rate),
            ),
        ),
        SUMMARY_ROW_H + 1.5,
    )
    lists = []
    for code, label in vocab.ATTENDANCE_STATUS:
        group = [p for p in people if p.status == code]
        caption = f"{label}（{len(group)} 人）"
        if code == "signed":
            lists.append(_name_grid(caption, [p.name for p in group]))
        else:
            lists.append(_follow_up(caption, group))
    info = (*_training_info(training), _order_info(order))
    return Document(
        "summary",
        f"{training.name}签到汇总",
        info,
        (figures, *lists),
        names=tuple(p.name for p in people),
    )


# --------------------------------------------------------------------------- roster


def _roster_cell(column: spec.Column, member: m.Member, unmasked: bool) -> str:
    value = getattr(member, column.name if column.kind != spec.LINK else f"{column.name}_id")
    if value is None or value == "":
        return ""
    if column.kind == spec.LINK:
        linked = getattr(member, column.name)
        return "" if linked is None or linked.deleted else str(linked)
    if not unmasked:
        value = masked_value(column, value)  # the one masking rule (出生日期: the year)
    if column.kind == spec.CHOICE and column.vocabulary is not None:
        return column.vocabulary.label(value)
    if column.kind in spec.DATE_KINDS:
        return dates.shown(value)  # 入党 1998.11 printed as the roster wrote it
    return str(value)


def branch_roster(
    branch_id: int,
    *,
    unmasked: bool = False,
    today: dt.date | None = None,
    order: str | None = None,
) -> Document:
    """党员花名册 of a branch: its full and probationary members still in the branch.

    正式党员 first, then 预备党员, each in ``order``.

    Masked unless ``unmasked`` (a roster is handed round): ID numbers and phones as on screen,
    出生日期 as the year (ledgers.display.masked_value).
    """
    from partybuild.store.accounts import masked_only

    unmasked = unmasked and not masked_only()  # the viewer prints masked, always
    branch: m.Branch = records.get("branches", branch_id)  # type: ignore[assignment]
    M, E = m.Member, m.Enterprise
    query = (
        M.select(M, E)
        .join(E, pw.JOIN.LEFT_OUTER, on=(M.enterprise == E.id))
        .where(
            M.branch == branch.id,
            m.live(M),
            M.category.in_(relations.PARTY_MEMBERS),
            M.status.in_(relations.ACTIVE_STATUSES),
        )
    )
    order = name_order.resolve(order)
    rank = {code: i for i, code in enumerate(vocab.MEMBER_CATEGORY.codes)}
    members = _ordered(list(query), order)
    members.sort(key=lambda p: rank.get(p.category, 99))  # stable: the name order stays
    fields = [spec.MEMBERS.column(name) for name in ROSTER_FIELDS]
    centred = {spec.DATE, spec.PARTIAL_DATE, spec.CHOICE, spec.ID_NUMBER, spec.PHONE}
    columns = (
        Column("序号", 5, "center"),
        *(
            Column(f.label, f.width, "center" if f.kind in centred or f.name == "name" else "left")
            for f in fields
        ),
    )
    rows = tuple(tuple(_roster_cell(f, p, unmasked) for f in fields) for p in members)
    counts = {code: 0 for code in relations.PARTY_MEMBERS}
    for p in members:
        counts[p.category] += 1
    headcount = "，".join(
        f"{vocab.MEMBER_CATEGORY.label(code)} {n} 人" for code, n in counts.items()
    )
    info = (
        ("党组织类型", vocab.BRANCH_KIND.label(branch.kind)),
        ("书记", branch.secretary or ""),
        ("人数", f"共 {len(members)} 人（{headcount}）"),
        ("制表日期", _day(today or dt.date.today())),
        _order_info(order),
        (
            "说明",
            "身份证号、联系电话完整显示，请妥善保管"
            if unmasked
            else "身份证号、联系电话已隐去部分数字",
        ),
    )
    return Document(
        "roster",
        f"{branch.name}党员花名册",
        info,
        (Table(columns, rows, ROSTER_ROW_H, numbered=True, font_pt=SMALL_PT),),
        landscape=True,
        info_columns=2,
        names=tuple(p.name for p in members),
        private=unmasked,
    )


# --------------------------------------------------------------------------- finding things


def find_trainings(text: str) -> list[m.Training]:
    """Trainings a user means by ``text``: an id, else the exact name, else names containing it.

    A number is an id; it falls back only to a training named exactly so, never to names that
    merely contain the digits (“3” must not find every training of 2023). Several answers mean
    the caller must ask again; they come ordered by start date.
    """
    T = m.Training
    text = text.strip()
    if text.isdigit():
        hit = T.get_or_none(T.id == int(text), m.live(T))
        if hit is not None:
            return [hit]
    exact = list(T.select().where(T.name == text, m.live(T)).order_by(T.start_date, T.id))
    if exact or not text or text.isdigit():
        return exact
    return list(T.select().where(T.name.contains(text), m.live(T)).order_by(T.start_date, T.id))
