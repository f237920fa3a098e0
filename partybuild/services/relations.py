"""Relationships edited where they live: who attended a training or a meeting, who is in a team
or took part in a service, which enterprises a branch covers, how an enterprise issue progresses.

Rules shared by every function here:

- every write runs in one ``db.atomic()``; a refused call raises :class:`ValidationError` with a
  Chinese message and writes nothing;
- adding never creates a duplicate: people already on the list are skipped and counted
  (:class:`AddResult`); a row removed earlier (recycle bin) is brought back instead of copied;
- members in the recycle bin are never added, and rows of binned members are not listed or
  counted (the same convention as :mod:`partybuild.services.stats`);
- every row changed gets ``version + 1`` and a new ``updated_at``, so concurrent editors notice.

Nothing here imports Qt: the GUI, the CLI and the tests call the same functions.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import peewee as pw

from partybuild.domain import overdue, vocab
from partybuild.domain.compliance import more_than_half
from partybuild.ledgers import spec
from partybuild.services import audit, records
from partybuild.services import query as query_rules
from partybuild.services.errors import ValidationError, busy_as_storage_busy
from partybuild.store import models as m

#: Categories a bulk add takes by default: members with full rights or on probation.
PARTY_MEMBERS: tuple[str, ...] = ("full", "probationary")
#: Statuses of members who still belong to their branch (transferred-out and deceased do not).
ACTIVE_STATUSES: tuple[str, ...] = ("normal", "mobile")
#: 《中国共产党支部工作条例（试行）》: a joint branch (联合党支部) generally covers at most 5 units.
JOINT_BRANCH_MAX_UNITS = 5


def _db() -> pw.Database:
    return m.db_proxy.obj


def _refuse(message: str) -> ValidationError:
    return ValidationError({"__all__": message})


def _ids(values: Iterable[Any], what: str = "记录") -> list[int]:
    """Distinct integer ids in their first order; anything else is refused, not guessed."""
    result: list[int] = []
    seen: set[int] = set()
    for value in values:
        record_id = value.id if isinstance(value, pw.Model) else value
        if isinstance(record_id, bool) or not isinstance(record_id, int):
            raise _refuse(f"{what}编号应为整数：{record_id!r}")
        if record_id not in seen:
            seen.add(record_id)
            result.append(record_id)
    return result


def _parent(model: type[m.BaseModel], record_id: int) -> Any:
    """The live record a relation hangs off; refused when missing or binned."""
    ledger = spec.ledger_for_model(model)
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        raise _refuse(f"{ledger.label}编号应为整数：{record_id!r}")
    record = model.get_or_none(model.id == record_id)
    if record is None:
        raise _refuse(f"{ledger.label}中没有编号为 {record_id} 的记录")
    if record.deleted:
        raise _refuse(f"{ledger.label}“{ledger.title(record)}”在回收站中，请先恢复")
    return record


def _code(vocabulary: vocab.Vocabulary, value: str, what: str) -> str:
    code = vocabulary.code(value) if isinstance(value, str) else None
    if code is None:
        raise _refuse(f"{what}“{value}”不是可选值（可选：{'、'.join(vocabulary.labels)}）")
    return code


def _bump(model: type[m.BaseModel], now: dt.datetime, **values: Any) -> dict[Any, Any]:
    """Update values that also move the row's version and timestamp on."""
    return {
        **values,
        model.version: model.version + 1,
        model.updated_at: now,
        model.updated_by: audit.operator(),
    }


def _soft_delete(model: type[m.BaseModel], ids: Iterable[int]) -> int:
    """Move link rows to the recycle bin; returns how many were live."""
    ids = _ids(ids)
    if not ids:
        return 0
    now = m.now()
    with _db().atomic():
        return int(
            model.update(_bump(model, now, deleted=True, deleted_at=now))
            .where(model.id.in_(ids), m.live(model))
            .execute()
        )


@dataclass(frozen=True)
class AddResult:
    """What an add did: ``added`` rows new or brought back, ``skipped`` already there or unusable.

    ``unavailable`` counts those of ``skipped`` that could not be added at all (in the recycle bin,
    unknown); ``warnings`` are Chinese notes worth showing that did not stop the add.
    """

    added: int
    skipped: int
    unavailable: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def message(self) -> str:
        text = f"已添加 {self.added} 个，跳过 {self.skipped} 个"
        if self.skipped:
            already = self.skipped - self.unavailable
            parts = []
            if already:
                parts.append(f"{already} 个已在名单中")
            if self.unavailable:
                parts.append(f"{self.unavailable} 个不存在或在回收站中")
            text += f"（{'，'.join(parts)}）"
        return "；".join([text, *self.warnings])


def _usable_members(member_ids: Sequence[int]) -> set[int]:
    """Of the given ids, the members that exist and are not in the recycle bin."""
    usable: set[int] = set()
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        query = m.Member.select(m.Member.id).where(m.Member.id.in_(chunk), m.live(m.Member))
        usable.update(row_id for (row_id,) in query.tuples())
    return usable


def _add_links(
    model: type[m.BaseModel],
    parent_field: pw.ForeignKeyField,
    parent_id: int,
    member_ids: Iterable[Any],
    reset: dict[str, Any],
    warnings: Sequence[str] = (),
) -> AddResult:
    """Add members to a link table: skip live duplicates, revive binned rows, insert the rest.

    Must run inside the caller's transaction so the duplicate check and the insert are one step.
    """
    wanted = _ids(member_ids, "党员")
    usable = _usable_members(wanted)
    unavailable = len([i for i in wanted if i not in usable])
    existing: dict[int, tuple[int, bool]] = {}
    query = model.select(model.id, model.member, model.deleted).where(
        parent_field == parent_id, model.member.in_(list(usable) or [0])
    )
    for row_id, member_id, deleted in query.order_by(model.id).tuples():
        # Several binned rows for one member can exist (attendance has no unique index): a live
        # one always wins, else the first binned one is revived.
        known = existing.get(member_id)
        if known is None or (known[1] and not deleted):
            existing[member_id] = (row_id, bool(deleted))
    now = m.now()
    revive: list[int] = []
    insert: list[int] = []
    already = 0
    for member_id in wanted:
        if member_id not in usable:
            continue
        if member_id in existing:
            row_id, deleted = existing[member_id]
            if deleted:
                revive.append(row_id)
            else:
                already += 1
        else:
            insert.append(member_id)
    if revive:
        model.update(_bump(model, now, deleted=False, deleted_at=None, **reset)).where(
            model.id.in_(revive)
        ).execute()
    if insert:
        rows = [
            {
                parent_field.name: parent_id,
                "member": member_id,
                "created_at": now,
                "updated_at": now,
                "updated_by": audit.operator(),
                **reset,
            }
            for member_id in insert
        ]
        for start in range(0, len(rows), 200):
            model.insert_many(rows[start : start + 200]).execute()
    return AddResult(
        added=len(revive) + len(insert),
        skipped=already + unavailable,
        unavailable=unavailable,
        warnings=tuple(warnings),
    )


def _members_of(
    categories: Sequence[str], *, branch_id: int | None = None, enterprise_id: int | None = None
) -> list[int]:
    """Ids of live members still active in a branch or enterprise, of the given categories."""
    cats = [_code(vocab.MEMBER_CATEGORY, c, "党员类别") for c in categories]
    query = m.Member.select(m.Member.id).where(
        m.live(m.Member), m.Member.category.in_(cats), m.Member.status.in_(ACTIVE_STATUSES)
    )
    if branch_id is not None:
        query = query.where(m.Member.branch == branch_id)
    if enterprise_id is not None:
        query = query.where(m.Member.enterprise == enterprise_id)
    return [row_id for (row_id,) in query.order_by(m.Member.name, m.Member.id).tuples()]


# --------------------------------------------------------------------------- training attendance


@dataclass(frozen=True)
class AttendanceRow:
    """One line of a training's sign-in list (签到名单)."""

    id: int
    member_id: int | None
    name: str
    branch: str | None
    unit: str | None
    status: str
    signed_at: dt.datetime | None
    note: str | None
    version: int = 1

    @property
    def is_guest(self) -> bool:
        return self.member_id is None

    @property
    def status_label(self) -> str:
        return vocab.ATTENDANCE_STATUS.label(self.status)


@dataclass(frozen=True)
class AttendanceSummary:
    """应到 / 已签到 / 请假 / 缺席 / 未签到 and the sign-in rate (signed ÷ expected, as stats does)."""

    expected: int
    signed: int
    leave: int
    absent: int
    pending: int

    @property
    def rate(self) -> float | None:
        return self.signed / self.expected if self.expected else None

    def text(self) -> str:
        return (
            f"应到 {self.expected}，已签到 {self.signed}，请假 {self.leave}，"
            f"缺席 {self.absent}，签到率 {percent(self.rate)}"
        )


def percent(rate: float | None) -> str:
    """56.7% / 100% / — : one decimal only when it says something."""
    if rate is None:
        return "—"
    value = round(rate * 100, 1)
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def _sort_key(branch: str | None, name: str, row_id: int) -> tuple[bool, str, str, int]:
    # Guests (no branch) last; the same order on SQLite and PostgreSQL, whatever NULL does.
    return (branch is None, branch or "", name, row_id)


def attendance_rows(training_id: int) -> list[AttendanceRow]:
    """The live sign-in list of a training, ordered by branch then name."""
    _parent(m.Training, training_id)
    A, M, B, E = m.Attendance, m.Member, m.Branch, m.Enterprise
    query = (
        A.select(
            A.id,
            A.member,
            A.person_name,
            A.person_unit,
            A.status,
            A.signed_at,
            A.note,
            A.version,
            M.name,
            B.name,
            E.name,
        )
        .join(M, pw.JOIN.LEFT_OUTER, on=(A.member == M.id))
        .join(B, pw.JOIN.LEFT_OUTER, on=(M.branch == B.id))
        .switch(A)
        .join(E, pw.JOIN.LEFT_OUTER, on=(M.enterprise == E.id))
        .where(A.training == training_id, m.live(A), A.member.is_null() | m.live(M))
    )
    rows = [
        AttendanceRow(
            id=row_id,
            member_id=member_id,
            name=(member_name if member_id is not None else person_name) or "",
            branch=branch_name if member_id is not None else None,
            unit=(enterprise_name or person_unit) if member_id is not None else person_unit,
            status=status,
            signed_at=signed_at,
            note=note,
            version=version,
        )
        for (
            row_id,
            member_id,
            person_name,
            person_unit,
            status,
            signed_at,
            note,
            version,
            member_name,
            branch_name,
            enterprise_name,
        ) in query.tuples()
    ]
    rows.sort(key=lambda r: _sort_key(r.branch, r.name, r.id))
    return rows


def attendance_summary(rows: Sequence[AttendanceRow]) -> AttendanceSummary:
    counts = {code: 0 for code in vocab.ATTENDANCE_STATUS.codes}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return AttendanceSummary(
        expected=len(rows),
        signed=counts["signed"],
        leave=counts["leave"],
        absent=counts["absent"],
        pending=counts["expected"],
    )


_ATTENDANCE_RESET = {"status": "expected", "signed_at": None}


def add_members(training_id: int, member_ids: Iterable[Any]) -> AddResult:
    """Put members on a training's sign-in list (未签到)."""
    with _db().atomic():
        _parent(m.Training, training_id)
        return _add_links(
            m.Attendance, m.Attendance.training, training_id, member_ids, _ATTENDANCE_RESET
        )


def add_members_of_branch(
    training_id: int, branch_id: int, categories: Sequence[str] = PARTY_MEMBERS
) -> AddResult:
    """Everyone of a branch (by default its full and probationary members) on the list at once."""
    with _db().atomic():
        _parent(m.Training, training_id)
        _parent(m.Branch, branch_id)
        ids = _members_of(categories, branch_id=branch_id)
        return _add_links(m.Attendance, m.Attendance.training, training_id, ids, _ATTENDANCE_RESET)


def add_members_of_enterprise(
    training_id: int, enterprise_id: int, categories: Sequence[str] = PARTY_MEMBERS
) -> AddResult:
    """Everyone of an enterprise (by default its full and probationary members) at once."""
    with _db().atomic():
        _parent(m.Training, training_id)
        _parent(m.Enterprise, enterprise_id)
        ids = _members_of(categories, enterprise_id=enterprise_id)
        return _add_links(m.Attendance, m.Attendance.training, training_id, ids, _ATTENDANCE_RESET)


def add_guest(training_id: int, name: str, unit: str | None = None) -> int:
    """A non-member attendee by name and unit; returns the new row's id.

    The same name and unit twice on one list is refused: it is almost always a double entry.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"person_name": "请填写非党员的姓名"}, {"person_name": "姓名"})
    with _db().atomic():
        _parent(m.Training, training_id)
        values = records.validate(
            spec.ATTENDANCE,
            {"training": training_id, "person_name": name, "person_unit": unit or None},
        )
        A = m.Attendance
        unit_match = (
            A.person_unit.is_null()
            if values["person_unit"] is None
            else A.person_unit == values["person_unit"]
        )
        clash = (
            A.select()
            .where(
                A.training == training_id,
                m.live(A),
                A.member.is_null(),
                A.person_name == values["person_name"],
                unit_match,
            )
            .exists()
        )
        if clash:
            where = f"（{values['person_unit']}）" if values["person_unit"] else ""
            raise ValidationError(
                {"person_name": f"“{values['person_name']}{where}”已在签到名单中"},
                {"person_name": "姓名"},
            )
        now = m.now()
        return int(
            A.insert(
                training=training_id,
                member=None,
                person_name=values["person_name"],
                person_unit=values["person_unit"],
                status="expected",
                created_at=now,
                updated_at=now,
                updated_by=audit.operator(),
            ).execute()
        )


def sign_in_time(training: m.Training, now: dt.datetime) -> dt.datetime:
    """The 签到时间 recorded when 已签到 is marked without a time of its own.

    During the training (its start date to its end date, both included) it is the moment of the
    click — people are signing in. Before or after it the marks are being entered from the paper
    sheet, so the time is the training's start: its start date at 00:00, the ledger keeping no
    start time (the sign-in list shows such a time as the date alone).
    """
    first = training.start_date
    last = training.end_date or first
    if first <= now.date() <= last:
        return now.replace(microsecond=0)
    return dt.datetime.combine(first, dt.time())


def set_status(attendance_ids: Iterable[Any], status: str, at: dt.datetime | None = None) -> int:
    """Mark many rows at once; returns how many changed.

    已签到 keeps a time already recorded and fills ``at`` where there is none — without ``at``,
    :func:`sign_in_time` of each row's training; every other state clears the sign-in time,
    since the person did not sign.
    """
    code = _code(vocab.ATTENDANCE_STATUS, status, "签到状态")
    ids = _ids(attendance_ids)
    if not ids:
        return 0
    A, T = m.Attendance, m.Training
    now = m.now()
    with _db().atomic():
        if code == "signed":
            unchanged = (A.status == code) & A.signed_at.is_null(False)
            if at is not None:
                when = at.replace(microsecond=0)
                values = _bump(A, now, status=code, signed_at=pw.fn.COALESCE(A.signed_at, when))
                return int(A.update(values).where(A.id.in_(ids), m.live(A), ~unchanged).execute())
            trainings = T.select().where(T.id.in_(A.select(A.training).where(A.id.in_(ids))))
            changed = 0
            for training in trainings:
                when = sign_in_time(training, now)
                values = _bump(A, now, status=code, signed_at=pw.fn.COALESCE(A.signed_at, when))
                changed += (
                    A.update(values)
                    .where(A.id.in_(ids), A.training == training.id, m.live(A), ~unchanged)
                    .execute()
                )
            return int(changed)
        else:
            values = _bump(A, now, status=code, signed_at=None)
            unchanged = (A.status == code) & A.signed_at.is_null()
        return int(A.update(values).where(A.id.in_(ids), m.live(A), ~unchanged).execute())


def remove(attendance_ids: Iterable[Any]) -> int:
    """Take rows off the sign-in list (into the recycle bin); returns how many."""
    return _soft_delete(m.Attendance, attendance_ids)


# --------------------------------------------------------------------------- activity attendees


@dataclass(frozen=True)
class PersonRow:
    """A member on a relation list: attendees, team members, service participants."""

    id: int
    member_id: int
    name: str
    branch: str | None
    enterprise: str | None
    category: str
    status: str | None = None
    note: str | None = None
    extra: bool = False  # attendees: not of the activity's branch; participants: not in the team

    @property
    def category_label(self) -> str:
        return vocab.MEMBER_CATEGORY.label(self.category)

    @property
    def status_label(self) -> str:
        return vocab.ATTENDEE_STATUS.label(self.status)


def _person_rows(
    model: type[m.BaseModel],
    parent_field: pw.ForeignKeyField,
    parent_id: int,
    extra_columns: Sequence[pw.Field] = (),
) -> list[tuple[Any, ...]]:
    M, B, E = m.Member, m.Branch, m.Enterprise
    query = (
        model.select(model.id, M.id, M.name, B.name, E.name, M.category, M.branch, *extra_columns)
        .join(M, on=(model.member == M.id))
        .join(B, pw.JOIN.LEFT_OUTER, on=(M.branch == B.id))
        .switch(M)
        .join(E, pw.JOIN.LEFT_OUTER, on=(M.enterprise == E.id))
        .where(parent_field == parent_id, m.live(model), m.live(M))
    )
    rows = list(query.tuples())
    rows.sort(key=lambda r: _sort_key(r[3], r[2], r[0]))
    return rows


def activity_attendees(activity_id: int) -> list[PersonRow]:
    """Who was (or was expected) at a meeting, ordered by branch then name."""
    activity = _parent(m.Activity, activity_id)
    AA = m.ActivityAttendee
    return [
        PersonRow(
            row_id,
            member_id,
            name,
            branch,
            enterprise,
            category,
            status,
            note,
            extra=member_branch != activity.branch_id,
        )
        for (
            row_id,
            member_id,
            name,
            branch,
            enterprise,
            category,
            member_branch,
            status,
            note,
        ) in _person_rows(AA, AA.activity, activity_id, (AA.status, AA.note))
    ]


def add_activity_members(activity_id: int, member_ids: Iterable[Any]) -> AddResult:
    """Add attendees (出席 by default); members of other branches may attend (列席)."""
    with _db().atomic():
        _parent(m.Activity, activity_id)
        return _add_links(
            m.ActivityAttendee,
            m.ActivityAttendee.activity,
            activity_id,
            member_ids,
            {"status": "present"},
        )


def add_branch_members_to_activity(activity_id: int) -> AddResult:
    """All live full and probationary members of the activity's branch, in one go."""
    with _db().atomic():
        activity = _parent(m.Activity, activity_id)
        ids = _members_of(PARTY_MEMBERS, branch_id=activity.branch_id)
        return _add_links(
            m.ActivityAttendee, m.ActivityAttendee.activity, activity_id, ids, {"status": "present"}
        )


def set_attendee_status(attendee_ids: Iterable[Any], status: str) -> int:
    """Mark many attendees 出席 / 请假 / 缺席 at once; returns how many changed."""
    code = _code(vocab.ATTENDEE_STATUS, status, "出席情况")
    ids = _ids(attendee_ids)
    if not ids:
        return 0
    AA = m.ActivityAttendee
    with _db().atomic():
        return int(
            AA.update(_bump(AA, m.now(), status=code))
            .where(AA.id.in_(ids), m.live(AA), AA.status != code)
            .execute()
        )


def remove_attendees(attendee_ids: Iterable[Any]) -> int:
    return _soft_delete(m.ActivityAttendee, attendee_ids)


class Quorum(NamedTuple):
    """到会 and 应到 of the members with a vote, and whether the meeting could decide."""

    present: int
    entitled: int
    quorate: bool

    def text(self) -> str:
        verdict = "是" if self.quorate else "否"
        return (
            f"是否达到法定人数：{verdict}（有表决权的正式党员 {self.entitled} 人，"
            f"到会 {self.present} 人，须超过半数）"
        )


def quorum(activity_id: int) -> Quorum:
    """Whether a 支部党员大会 had its quorum.

    《中国共产党支部工作条例（试行）》 and party practice: a 党员大会 may decide only when more
    than half of the members entitled to vote are present. Only full members (正式党员) vote;
    probationary members (预备党员) have no vote and do not count on either side. Entitled are the
    live full members still active in the branch (not transferred out or deceased); present are
    those of them marked 出席. Exactly half is not a quorum.
    """
    activity = _parent(m.Activity, activity_id)
    return quorums([(activity_id, activity.branch_id)])[activity_id]


def quorums(
    meetings: Sequence[tuple[int, int | None]], entitled: Mapping[int, int] | None = None
) -> dict[int, Quorum]:
    """:func:`quorum` of many meetings ((activity id, branch id) each) in two grouped queries,
    not two per meeting: the annual check asks for every 党员大会 of the year. ``entitled``:
    the live, active full members per branch when the caller has counted them already."""
    M, AA = m.Member, m.ActivityAttendee
    branches = {b for _a, b in meetings if b is not None}
    entitled_of: Mapping[int, int] = {}
    present_of: dict[int, int] = {}
    if branches:
        voting = (m.live(M), M.category == "full", M.status.in_(ACTIVE_STATUSES))
        entitled_of = (
            entitled
            if entitled is not None
            else dict(
                M.select(M.branch, pw.fn.COUNT(M.id))
                .where(*voting, M.branch.in_(sorted(branches)))
                .group_by(M.branch)
                .tuples()
            )
        )
        ids = [a for a, _b in meetings]
        A = m.Activity
        present_of = dict(
            AA.select(AA.activity, pw.fn.COUNT(AA.id))
            .join(M, on=(AA.member == M.id))
            .join_from(AA, A, on=(AA.activity == A.id))
            .where(
                AA.activity.in_(ids),
                m.live(AA),
                AA.status == "present",
                *voting,
                M.branch == A.branch,
            )
            .group_by(AA.activity)
            .tuples()
        )
    result = {}
    for activity_id, branch_id in meetings:
        entitled = int(entitled_of.get(branch_id, 0)) if branch_id is not None else 0
        present = int(present_of.get(activity_id, 0)) if branch_id is not None else 0
        result[activity_id] = Quorum(present, entitled, more_than_half(present, entitled))
    return result


# --------------------------------------------------------------------------- teams and services


def team_members(team_id: int) -> list[PersonRow]:
    """队员 of a team; ``note`` holds the member's role (职责) in the team."""
    team = _parent(m.Team, team_id)
    TM = m.TeamMember
    return [
        PersonRow(
            row_id,
            member_id,
            name,
            branch,
            enterprise,
            category,
            None,
            role,
            extra=team.branch_id is not None and member_branch != team.branch_id,
        )
        for (
            row_id,
            member_id,
            name,
            branch,
            enterprise,
            category,
            member_branch,
            role,
        ) in _person_rows(TM, TM.team, team_id, (TM.role,))
    ]


def add_team_members(team_id: int, member_ids: Iterable[Any]) -> AddResult:
    with _db().atomic():
        _parent(m.Team, team_id)
        return _add_links(m.TeamMember, m.TeamMember.team, team_id, member_ids, {})


def remove_team_members(team_member_ids: Iterable[Any]) -> int:
    return _soft_delete(m.TeamMember, team_member_ids)


def _team_member_ids(team_id: int) -> pw.ModelSelect:
    TM = m.TeamMember
    return TM.select(TM.member).where(TM.team == team_id, m.live(TM))


def service_participants(service_id: int) -> list[PersonRow]:
    """参加队员 of a service; ``extra`` marks those who are not members of its team."""
    service = _parent(m.Service, service_id)
    SP = m.ServiceParticipant
    in_team = {row_id for (row_id,) in _team_member_ids(service.team_id).tuples()}
    return [
        PersonRow(
            row_id, member_id, name, branch, enterprise, category, extra=member_id not in in_team
        )
        for (row_id, member_id, name, branch, enterprise, category, _member_branch) in _person_rows(
            SP, SP.service, service_id
        )
    ]


def add_service_participants(service_id: int, member_ids: Iterable[Any]) -> AddResult:
    """Add participants; members of the service's own team are expected, others are allowed
    (a helper from another team) with a note in ``warnings``."""
    with _db().atomic():
        service = _parent(m.Service, service_id)
        wanted = _ids(member_ids, "党员")
        in_team = {row_id for (row_id,) in _team_member_ids(service.team_id).tuples()}
        outsiders = len([i for i in _usable_members(wanted) if i not in in_team])
        warnings = [f"其中 {outsiders} 人不是本服务队队员"] if outsiders else []
        return _add_links(
            m.ServiceParticipant, m.ServiceParticipant.service, service_id, wanted, {}, warnings
        )


def remove_service_participants(participant_ids: Iterable[Any]) -> int:
    return _soft_delete(m.ServiceParticipant, participant_ids)


# --------------------------------------------------------------------------- branch's enterprises


@dataclass(frozen=True)
class EnterpriseRow:
    id: int
    name: str
    credit_code: str | None
    industry: str | None
    members: int  # live party members (full and probationary) working there
    version: int = 1

    @property
    def industry_label(self) -> str:
        return vocab.INDUSTRY.label(self.industry)


def branch_enterprises(branch_id: int) -> list[EnterpriseRow]:
    """The live enterprises a branch covers, by name."""
    _parent(m.Branch, branch_id)
    E, M = m.Enterprise, m.Member
    members = M.select(pw.fn.COUNT(M.id)).where(
        M.enterprise == E.id,
        m.live(M),
        M.category.in_(PARTY_MEMBERS),
        M.status.in_(ACTIVE_STATUSES),
    )
    query = (
        E.select(E.id, E.name, E.credit_code, E.industry, members.alias("n"), E.version)
        .where(E.branch == branch_id, m.live(E))
        .order_by(E.name, E.id)
    )
    return [EnterpriseRow(*row[:4], int(row[4] or 0), row[5]) for row in query.tuples()]


def branch_warnings(branch_id: int) -> list[str]:
    """Warnings about a branch's coverage; they inform, they never stop a change.

    《中国共产党支部工作条例（试行）》: a joint branch (联合党支部) generally covers no more than
    5 units.
    """
    branch = _parent(m.Branch, branch_id)
    if branch.kind != "joint":
        return []
    covered = int(
        m.Enterprise.select().where(m.Enterprise.branch == branch_id, m.live(m.Enterprise)).count()
    )
    if covered > JOINT_BRANCH_MAX_UNITS:
        return [
            f"联合党支部“{branch.name}”覆盖 {covered} 家企业，超过一般不超过 "
            f"{JOINT_BRANCH_MAX_UNITS} 个单位的要求（《中国共产党支部工作条例（试行）》）"
        ]
    return []


def attach_enterprises(branch_id: int, enterprise_ids: Iterable[Any]) -> AddResult:
    """Set these enterprises' 所属党组织 to the branch.

    An enterprise moved from another branch is moved, with a warning naming the old one; going
    past the joint-branch limit warns too (see :func:`branch_warnings`) but is never refused.
    """
    wanted = _ids(enterprise_ids, "企业")
    E = m.Enterprise
    with _db().atomic():
        _parent(m.Branch, branch_id)
        found = {
            row.id: row
            for start in range(0, len(wanted), 500)
            for row in E.select(E.id, E.name, E.branch, E.deleted).where(
                E.id.in_(wanted[start : start + 500])
            )
        }
        usable = [i for i in wanted if i in found and not found[i].deleted]
        unavailable = len(wanted) - len(usable)
        move = [i for i in usable if found[i].branch_id != branch_id]
        warnings: list[str] = []
        old_ids = {found[i].branch_id for i in move if found[i].branch_id is not None}
        if old_ids:
            old_names = dict(
                m.Branch.select(m.Branch.id, m.Branch.name)
                .where(m.Branch.id.in_(list(old_ids)))
                .tuples()
            )
            for i in move:
                if found[i].branch_id is not None:
                    old = old_names.get(found[i].branch_id, "")
                    warnings.append(f"“{found[i].name}”原属“{old}”，已改为本党组织")
        if move:
            E.update(_bump(E, m.now(), branch=branch_id)).where(E.id.in_(move)).execute()
        warnings.extend(branch_warnings(branch_id))
        return AddResult(
            added=len(move),
            skipped=len(usable) - len(move) + unavailable,
            unavailable=unavailable,
            warnings=tuple(warnings),
        )


def detach_enterprises(branch_id: int, enterprise_ids: Iterable[Any]) -> int:
    """Clear 所属党组织 of these enterprises if it is this branch; returns how many changed."""
    ids = _ids(enterprise_ids, "企业")
    if not ids:
        return 0
    E = m.Enterprise
    with _db().atomic():
        _parent(m.Branch, branch_id)
        return int(
            E.update(_bump(E, m.now(), branch=None))
            .where(E.id.in_(ids), E.branch == branch_id, m.live(E))
            .execute()
        )


# --------------------------------------------------------------------------- enterprise issues


def issue_progress(
    issue_id: int,
    state: str,
    resolved_on: dt.date | None = None,
    measures: str | None = None,
    evaluation: str | None = None,
    *,
    expected_version: int,
) -> m.EnterpriseIssue:
    """Save the progress fields as a form shows them (``None`` empties a field).

    Goes through :func:`records.update`, so the date rules (已解决 needs 办结日期, not before
    受理日期…) and the version check apply exactly as on the full form.
    """
    data = {
        "state": state,
        "resolved_on": resolved_on,
        "measures": measures,
        "evaluation": evaluation,
    }
    return records.update(spec.ISSUES, issue_id, data, expected_version)


def deadline_text(issue: m.EnterpriseIssue, today: dt.date | None = None) -> str:
    """距办结时限 n 天 / 今日到期 / 已超期 n 天, or how long a closed issue took."""
    today = today or dt.date.today()
    if issue.closed:
        days = issue.days_to_resolve()
        return f"已办结，用时 {days} 天" if days is not None else "已办结"
    if issue.deadline is None:
        return "未设办结时限"
    late = overdue.days_overdue(issue.deadline, issue.closed, today)
    if late is not None:
        return f"已超期 {late} 天"
    left = (issue.deadline - today).days
    return f"距办结时限 {left} 天" if left > 0 else "今日到期"


# --------------------------------------------------------------------------- pickers


def member_candidates(
    text: str,
    branch_id: int | None = None,
    enterprise_id: int | None = None,
    limit: int = 50,
    *,
    team_id: int | None = None,
) -> list[tuple[int, str]]:
    """Live members whose name or ID number contains ``text``, labelled "姓名（所在企业）".

    Searched in SQL with LIKE and LIMIT: the registry may hold 50,000 members and a picker must
    never load them all. With ``team_id`` that team's members come first.
    """
    M, E = m.Member, m.Enterprise
    text = (text or "").strip()
    limit = max(1, min(int(limit), 500))
    query = (
        M.select(M.id, M.name, E.name)
        .join(E, pw.JOIN.LEFT_OUTER, on=(M.enterprise == E.id))
        .where(m.live(M))
    )
    if text:
        # The ID number as the search box reads it: its shown parts or all of it (services.query).
        id_column = spec.ledger("members").column("id_number")
        query = query.where(M.name.contains(text) | query_rules.number_match(id_column, text))
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    if enterprise_id is not None:
        query = query.where(M.enterprise == enterprise_id)
    order: list[Any] = []
    if team_id is not None:
        order.append(pw.Case(None, ((M.id.in_(_team_member_ids(team_id)), 0),), 1))
    if text:
        order.append(pw.Case(None, ((M.name == text, 0),), 1))  # an exact name first
    query = query.order_by(*order, M.name, M.id).limit(limit)
    return [
        (member_id, f"{name}（{enterprise}）" if enterprise else name)
        for member_id, name, enterprise in query.tuples()
    ]


def branch_choices() -> list[tuple[int, str]]:
    """Live branches by name, for pickers (a park has tens, not thousands)."""
    B = m.Branch
    return list(B.select(B.id, B.name).where(m.live(B)).order_by(B.name).tuples())


def enterprise_choices(text: str = "", limit: int = 1000) -> list[tuple[int, str]]:
    """Live enterprises by name, optionally filtered, for pickers."""
    E = m.Enterprise
    query = E.select(E.id, E.name).where(m.live(E))
    if text and text.strip():
        query = query.where(E.name.contains(text.strip()) | E.credit_code.contains(text.strip()))
    return list(query.order_by(E.name).limit(limit).tuples())


# --------------------------------------------------------------------------- audit trail
# Every write above is recorded in the 操作日志 against the record the list belongs to (the
# training, activity, team, service or branch), inside the same transaction as the change.


def _by_parent(index: int = 0) -> Callable[..., int | None]:
    return lambda *args, **kwargs: args[index] if len(args) > index else None


def _by_rows(fk: pw.ForeignKeyField) -> Callable[..., int | None]:
    def parent(*args: Any, **kwargs: Any) -> int | None:
        ids = _ids(args[0]) if args else []
        if not ids:
            return None
        row = fk.model.select(fk).where(fk.model.id == ids[0]).tuples().first()
        return row[0] if row else None

    return parent


def _describe(result: Any, what: str, args: tuple[Any, ...]) -> str | None:
    if isinstance(result, AddResult):
        return f"{what} {result.added} 人" if result.added else None
    if what == "添加非党员":
        return f"{what}：{args[1]}"
    if isinstance(result, int) and result:
        unit = "家" if "企业" in what else "人"
        states = {"标记签到状态": vocab.ATTENDANCE_STATUS, "标记出席情况": vocab.ATTENDEE_STATUS}
        if what in states:
            state = states[what].label(states[what].code(str(args[1])))
            return f"标记为“{state}” {result} {unit}"
        return f"{what} {result} {unit}"
    return None


def _audited(
    ledger: str, what: str, parent: Callable[..., int | None]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    target = spec.ledger(ledger)

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        @busy_as_storage_busy
        def inner(*args: Any, **kwargs: Any) -> Any:
            with _db().atomic():
                result = function(*args, **kwargs)
                note = _describe(result, what, args)
                parent_id = parent(*args, **kwargs)
                if note and parent_id is not None:
                    row = target.model.get_or_none(target.model.id == parent_id)
                    title = target.title(row) if row is not None else None
                    audit.log("update", target, parent_id, title, note=note)
            return result

        return inner

    return wrap


add_members = _audited("trainings", "签到名单添加", _by_parent())(add_members)
add_members_of_branch = _audited("trainings", "按党组织添加签到名单", _by_parent())(
    add_members_of_branch
)
add_members_of_enterprise = _audited("trainings", "按企业添加签到名单", _by_parent())(
    add_members_of_enterprise
)
add_guest = _audited("trainings", "添加非党员", _by_parent())(add_guest)
set_status = _audited("trainings", "标记签到状态", _by_rows(m.Attendance.training))(set_status)
remove = _audited("trainings", "移出签到名单", _by_rows(m.Attendance.training))(remove)
add_activity_members = _audited("activities", "添加参会人员", _by_parent())(add_activity_members)
add_branch_members_to_activity = _audited("activities", "添加本支部党员", _by_parent())(
    add_branch_members_to_activity
)
set_attendee_status = _audited("activities", "标记出席情况", _by_rows(m.ActivityAttendee.activity))(
    set_attendee_status
)
remove_attendees = _audited("activities", "移出参会人员", _by_rows(m.ActivityAttendee.activity))(
    remove_attendees
)
add_team_members = _audited("teams", "添加队员", _by_parent())(add_team_members)
remove_team_members = _audited("teams", "移出队员", _by_rows(m.TeamMember.team))(
    remove_team_members
)
add_service_participants = _audited("services", "添加参加队员", _by_parent())(
    add_service_participants
)
remove_service_participants = _audited(
    "services", "移出参加队员", _by_rows(m.ServiceParticipant.service)
)(remove_service_participants)
attach_enterprises = _audited("branches", "纳入企业", _by_parent())(attach_enterprises)
detach_enterprises = _audited("branches", "移出企业", _by_parent())(detach_enterprises)
