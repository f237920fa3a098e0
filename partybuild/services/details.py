"""What a side panel shows about one record: the record itself and the live records linked to it.

Each function answers with a plain dataclass so the GUI, the CLI or a printout can render it
without touching the database. Records in the recycle bin are left out everywhere, and so are
records hanging off one that is (the activities of a binned branch, the attendance of a binned
member) — the same rule the statistics follow. Lists are capped at :data:`LIST_CAP`, most recent
first, with the full count kept in ``totals`` so a view can say that it shows only part.

Personal data that must not appear on a shared screen (ID number, phone) leaves this module
masked only; a detail view never receives the full values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from partybuild.domain import dates, vocab
from partybuild.domain.validators import mask_id_number, mask_phone
from partybuild.services import records, recruitment
from partybuild.store import models as m

LIST_CAP = 200

# Members who count in a branch's figures: transferred-out and deceased members are history.
ACTIVE_STATUSES = ("normal", "mobile")


def _capped(query: pw.ModelSelect, cap: int) -> tuple[list, int]:
    """The first ``cap`` rows and the full count (counted only when the cap was reached)."""
    rows = list(query.limit(cap))
    total = len(rows) if len(rows) < cap else query.order_by().count()
    return rows, total


def _live_name(record: m.BaseModel | None) -> str | None:
    """A linked record's name, or None when there is no link or it points into the bin."""
    if record is None or record.deleted:
        return None
    return str(record)


# --------------------------------------------------------------------------- members


@dataclass(frozen=True)
class MemberTraining:
    training_id: int
    name: str
    kind_label: str
    start_date: dt.date
    status_label: str


@dataclass(frozen=True)
class MemberActivity:
    activity_id: int
    date: dt.date
    branch: str
    kind_label: str
    topic: str
    status_label: str


@dataclass(frozen=True)
class MemberTeam:
    team_id: int
    name: str
    kind_label: str
    role: str | None


@dataclass(frozen=True)
class MemberDetail:
    id: int
    name: str
    gender_label: str
    category_label: str
    status: str
    status_label: str
    id_number_masked: str
    phone_masked: str | None
    branch: str | None
    enterprise: str | None
    party_post: str | None
    job_title: str | None
    joined_on: dt.date | None
    confirmed_on: dt.date | None
    party_years: int | None
    age: int | None
    # True when 转正 is known only to the month or year and 党龄 could be one year more than
    # ``party_years`` (which is the certain number): the detail says “至少”.
    party_years_at_least: bool = False
    trainings: list[MemberTraining] = field(default_factory=list)
    activities: list[MemberActivity] = field(default_factory=list)
    teams: list[MemberTeam] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def _uncertain_years(start: dt.date | None, today: dt.date | None) -> bool:
    """Whether whole years since a partial date differ between its first and last day."""
    if start is None or not dates.is_partial(start):
        return False
    on = today or dt.date.today()
    return dates.whole_years_since(dates.earliest(start), on) != dates.whole_years_since(start, on)


def member_detail(
    member_id: int, *, today: dt.date | None = None, cap: int = LIST_CAP
) -> MemberDetail:
    """A member with the trainings, activities and teams they are on."""
    member: m.Member = records.get("members", member_id)  # type: ignore[assignment]
    T, A = m.Training, m.Attendance
    trainings_q = (
        A.select(A, T)
        .join(T)
        .where(A.member == member.id, m.live(A), m.live(T))
        .order_by(T.start_date.desc(), T.id.desc())
    )
    trainings, n_trainings = _capped(trainings_q, cap)

    Act, At, B = m.Activity, m.ActivityAttendee, m.Branch
    activities_q = (
        At.select(At, Act, B)
        .join(Act)
        .join(B)
        .where(At.member == member.id, m.live(At), m.live(Act), m.live(B))
        .order_by(Act.date.desc(), Act.id.desc())
    )
    activities, n_activities = _capped(activities_q, cap)

    Tm, TM = m.Team, m.TeamMember
    teams_q = (
        TM.select(TM, Tm)
        .join(Tm)
        .where(TM.member == member.id, m.live(TM), m.live(Tm))
        .order_by(Tm.id)
    )
    teams, n_teams = _capped(teams_q, cap)

    return MemberDetail(
        id=member.id,
        name=member.name,
        gender_label=vocab.GENDER.label(member.gender),
        category_label=vocab.MEMBER_CATEGORY.label(member.category),
        status=member.status,
        status_label=vocab.MEMBER_STATUS.label(member.status),
        id_number_masked=mask_id_number(member.id_number),
        phone_masked=mask_phone(member.phone) if member.phone else None,
        branch=_live_name(member.branch),
        enterprise=_live_name(member.enterprise),
        party_post=member.party_post,
        job_title=member.job_title,
        joined_on=member.joined_on,
        confirmed_on=member.confirmed_on,
        party_years=member.party_years(today),
        age=member.age(today),
        party_years_at_least=_uncertain_years(member.confirmed_on, today),
        trainings=[
            MemberTraining(
                a.training.id,
                a.training.name,
                vocab.TRAINING_KIND.label(a.training.kind),
                a.training.start_date,
                vocab.ATTENDANCE_STATUS.label(a.status),
            )
            for a in trainings
        ],
        activities=[
            MemberActivity(
                at.activity.id,
                at.activity.date,
                at.activity.branch.name,
                vocab.ACTIVITY_KIND.label(at.activity.kind),
                at.activity.topic,
                vocab.ATTENDEE_STATUS.label(at.status),
            )
            for at in activities
        ],
        teams=[
            MemberTeam(tm.team.id, tm.team.name, vocab.TEAM_KIND.label(tm.team.kind), tm.role)
            for tm in teams
        ],
        totals={"trainings": n_trainings, "activities": n_activities, "teams": n_teams},
    )


# --------------------------------------------------------------------------- enterprises


@dataclass(frozen=True)
class EnterpriseMember:
    member_id: int
    name: str
    category_label: str
    party_post: str | None


@dataclass(frozen=True)
class EnterpriseIssueLine:
    issue_id: int
    received_on: dt.date
    category_label: str
    description: str
    state_label: str
    deadline: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class EnterpriseDetail:
    id: int
    name: str
    credit_code: str | None
    industry_label: str
    kind_label: str
    employees: int | None
    project_state_label: str
    liaison: str | None
    branch: str | None
    branch_kind_label: str | None
    members: list[EnterpriseMember] = field(default_factory=list)
    issues: list[EnterpriseIssueLine] = field(default_factory=list)
    open_issues: int = 0
    overdue_issues: int = 0
    totals: dict[str, int] = field(default_factory=dict)


def enterprise_detail(
    enterprise_id: int, *, today: dt.date | None = None, cap: int = LIST_CAP
) -> EnterpriseDetail:
    """An enterprise with its branch, its members and the problems it raised."""
    today = today or dt.date.today()
    ent: m.Enterprise = records.get("enterprises", enterprise_id)  # type: ignore[assignment]
    M = m.Member
    members_q = (
        M.select()
        .where(M.enterprise == ent.id, m.live(M))
        # Office holders first: they are who the secretary calls about the enterprise.
        .order_by(M.party_post.is_null(), M.id)
    )
    members, n_members = _capped(members_q, cap)

    I = m.EnterpriseIssue  # noqa: E741
    issues_q = (
        I.select()
        .where(I.enterprise == ent.id, m.live(I))
        .order_by(I.received_on.desc(), I.id.desc())
    )
    issues, n_issues = _capped(issues_q, cap)
    pending = I.select().where(
        I.enterprise == ent.id, m.live(I), I.state.in_(("open", "in_progress"))
    )
    overdue = pending.where(I.overdue_on(today))

    branch = ent.branch if ent.branch is not None and not ent.branch.deleted else None
    return EnterpriseDetail(
        id=ent.id,
        name=ent.name,
        credit_code=ent.credit_code,
        industry_label=vocab.INDUSTRY.label(ent.industry),
        kind_label=vocab.ENTERPRISE_KIND.label(ent.kind),
        employees=ent.employees,
        project_state_label=vocab.PROJECT_STATE.label(ent.project_state),
        liaison=ent.liaison,
        branch=branch.name if branch else None,
        branch_kind_label=vocab.BRANCH_KIND.label(branch.kind) if branch else None,
        members=[
            EnterpriseMember(
                mem.id, mem.name, vocab.MEMBER_CATEGORY.label(mem.category), mem.party_post
            )
            for mem in members
        ],
        issues=[
            EnterpriseIssueLine(
                i.id,
                i.received_on,
                vocab.ISSUE_CATEGORY.label(i.category),
                i.description,
                vocab.ISSUE_STATE.label(i.state),
                i.deadline,
                i.overdue(today),
            )
            for i in issues
        ],
        open_issues=pending.count(),
        overdue_issues=overdue.count(),
        totals={"members": n_members, "issues": n_issues},
    )


# --------------------------------------------------------------------------- branches


@dataclass(frozen=True)
class BranchEnterprise:
    enterprise_id: int
    name: str
    industry_label: str
    members: int


@dataclass(frozen=True)
class BranchTeam:
    team_id: int
    name: str
    kind_label: str
    leader: str | None


@dataclass(frozen=True)
class LastActivity:
    kind: str
    kind_label: str
    date: dt.date | None
    topic: str | None


@dataclass(frozen=True)
class BranchDetail:
    id: int
    name: str
    kind_label: str
    parent: str | None
    secretary: str | None
    founded_on: dt.date | None
    renewed_on: dt.date | None
    has_committee: bool
    enterprises: list[BranchEnterprise] = field(default_factory=list)
    #: (category label, count) for every category, in vocabulary order; active members only.
    member_counts: list[tuple[str, int]] = field(default_factory=list)
    member_total: int = 0
    teams: list[BranchTeam] = field(default_factory=list)
    last_activities: list[LastActivity] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    #: 应换届日期 and how it was reckoned (services.recruitment), e.g. “2026-05-01（任期3年）”.
    renewal_due: str | None = None


def branch_detail(branch_id: int, *, cap: int = LIST_CAP) -> BranchDetail:
    """A branch with the enterprises it covers, its members by category, teams and last meetings."""
    branch: m.Branch = records.get("branches", branch_id)  # type: ignore[assignment]
    E, M = m.Enterprise, m.Member
    enterprises, n_enterprises = _capped(
        E.select().where(E.branch == branch.id, m.live(E)).order_by(E.id), cap
    )
    per_enterprise: dict[int, int] = {}
    if enterprises:
        per_enterprise = dict(
            M.select(M.enterprise, pw.fn.COUNT(M.id))
            .where(
                M.enterprise.in_([e.id for e in enterprises]),
                m.live(M),
                M.status.in_(ACTIVE_STATUSES),
            )
            .group_by(M.enterprise)
            .tuples()
        )

    by_category = dict(
        M.select(M.category, pw.fn.COUNT(M.id))
        .where(M.branch == branch.id, m.live(M), M.status.in_(ACTIVE_STATUSES))
        .group_by(M.category)
        .tuples()
    )

    T = m.Team
    teams, n_teams = _capped(T.select().where(T.branch == branch.id, m.live(T)).order_by(T.id), cap)

    # One indexed LIMIT 1 query per kind: cheap, and it also names the topic of that meeting.
    A = m.Activity
    last: list[LastActivity] = []
    for code, label in vocab.ACTIVITY_KIND:
        act = (
            A.select(A.date, A.topic)
            .where(A.branch == branch.id, A.kind == code, m.live(A))
            .order_by(A.date.desc(), A.id.desc())
            .first()
        )
        last.append(
            LastActivity(code, label, act.date if act else None, act.topic if act else None)
        )

    return BranchDetail(
        id=branch.id,
        name=branch.name,
        kind_label=vocab.BRANCH_KIND.label(branch.kind),
        parent=_live_name(branch.parent),
        secretary=branch.secretary,
        founded_on=branch.founded_on,
        renewed_on=branch.renewed_on,
        renewal_due=recruitment.due_text(branch),
        has_committee=branch.has_committee,
        enterprises=[
            BranchEnterprise(
                e.id, e.name, vocab.INDUSTRY.label(e.industry), per_enterprise.get(e.id, 0)
            )
            for e in enterprises
        ],
        member_counts=[(label, by_category.get(code, 0)) for code, label in vocab.MEMBER_CATEGORY],
        member_total=sum(by_category.values()),
        teams=[BranchTeam(t.id, t.name, vocab.TEAM_KIND.label(t.kind), t.leader) for t in teams],
        last_activities=last,
        totals={"enterprises": n_enterprises, "teams": n_teams},
    )


# --------------------------------------------------------------------------- trainings


@dataclass(frozen=True)
class TrainingAttendee:
    attendance_id: int
    name: str
    unit: str | None
    status_label: str


@dataclass(frozen=True)
class TrainingDetail:
    id: int
    name: str
    kind_label: str
    start_date: dt.date
    end_date: dt.date | None
    place: str | None
    lecturer: str | None
    organiser: str | None
    hours: float | None
    expected: int
    signed: int
    leave: int
    absent: int
    not_signed: int
    #: signed ÷ expected, as the statistics compute it; None when nobody was expected.
    rate: float | None
    attendees: list[TrainingAttendee] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def training_detail(training_id: int, *, cap: int = LIST_CAP) -> TrainingDetail:
    """A training with its attendance figures (应到/已签到/请假/缺席/未签到) and who they are."""
    training: m.Training = records.get("trainings", training_id)  # type: ignore[assignment]
    A, M, E = m.Attendance, m.Member, m.Enterprise
    # A non-member row has no member to check; a binned member's row does not count.
    rows = (
        A.select(A, M, E)
        .join(M, pw.JOIN.LEFT_OUTER)
        .join(E, pw.JOIN.LEFT_OUTER)
        .where(A.training == training.id, m.live(A), A.member.is_null() | m.live(M))
    )
    counts = dict(rows.select(A.status, pw.fn.COUNT(A.id)).group_by(A.status).order_by().tuples())
    expected = sum(counts.values())
    signed = counts.get("signed", 0)
    attendees, n_attendees = _capped(rows.order_by(A.id), cap)

    def who(a: m.Attendance) -> tuple[str, str | None]:
        if a.member_id is not None:
            ent = a.member.enterprise
            return a.member.name, (ent.name if ent is not None and not ent.deleted else None)
        return a.person_name or "", a.person_unit

    return TrainingDetail(
        id=training.id,
        name=training.name,
        kind_label=vocab.TRAINING_KIND.label(training.kind),
        start_date=training.start_date,
        end_date=training.end_date,
        place=training.place,
        lecturer=training.lecturer,
        organiser=training.organiser,
        hours=training.hours,
        expected=expected,
        signed=signed,
        leave=counts.get("leave", 0),
        absent=counts.get("absent", 0),
        not_signed=counts.get("expected", 0),
        rate=round(signed / expected, 4) if expected else None,
        attendees=[
            TrainingAttendee(a.id, *who(a), vocab.ATTENDANCE_STATUS.label(a.status))
            for a in attendees
        ],
        totals={"attendees": n_attendees},
    )


# --------------------------------------------------------------------------- activities


@dataclass(frozen=True)
class ActivityAttendee:
    attendee_id: int
    name: str
    status_label: str


@dataclass(frozen=True)
class ActivityDetail:
    id: int
    topic: str
    kind_label: str
    date: dt.date
    branch: str | None
    place: str | None
    host: str | None
    recorder: str | None
    present: int
    leave: int
    absent: int
    #: 是否达到法定人数 — only a 支部党员大会 decides, so only it has one (else None).
    quorum: str | None
    attendees: list[ActivityAttendee] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def activity_detail(activity_id: int, *, cap: int = LIST_CAP) -> ActivityDetail:
    """A 组织生活 record with its attendance (出席/请假/缺席) and, for a 党员大会, the quorum."""
    from partybuild.services import relations

    activity: m.Activity = records.get("activities", activity_id)  # type: ignore[assignment]
    AA, M = m.ActivityAttendee, m.Member
    rows = AA.select(AA, M).join(M).where(AA.activity == activity.id, m.live(AA), m.live(M))
    counts = dict(
        rows.select(AA.status, pw.fn.COUNT(AA.id)).group_by(AA.status).order_by().tuples()
    )
    attendees, n_attendees = _capped(rows.order_by(AA.id), cap)
    quorum = relations.quorum(activity.id).text() if activity.kind == "general_meeting" else None
    return ActivityDetail(
        id=activity.id,
        topic=activity.topic,
        kind_label=vocab.ACTIVITY_KIND.label(activity.kind),
        date=activity.date,
        branch=_live_name(activity.branch),
        place=activity.place,
        host=activity.host,
        recorder=activity.recorder,
        present=counts.get("present", 0),
        leave=counts.get("leave", 0),
        absent=counts.get("absent", 0),
        quorum=quorum,
        attendees=[
            ActivityAttendee(a.id, a.member.name, vocab.ATTENDEE_STATUS.label(a.status))
            for a in attendees
        ],
        totals={"attendees": n_attendees},
    )
