"""What inspections ask: was every meeting held, is every branch set up right, which enterprise
problem is past its deadline.

For a year and the rules of :mod:`partybuild.domain.compliance`, every branch owes one activity
of each applicable kind per period. A branch is considered from the period it was founded in,
and the current year only up to today (the running period is listed too, marked as running).
Records in the recycle bin never count, neither as held nor as anything else. Branch-setup
warnings follow DESIGN.md; they inform, they never refuse anything.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import peewee as pw

from partybuild.domain import dates, overdue, vocab
from partybuild.domain.compliance import Rule, load_rules
from partybuild.domain.dates import PartialDate
from partybuild.services import relations
from partybuild.store import models as m

#: 《中国共产党支部工作条例（试行）》: a joint branch generally covers at most 5 units.
JOINT_BRANCH_MAX_UNITS = relations.JOINT_BRANCH_MAX_UNITS
#: … a branch generally has at most 50 members.
BRANCH_MAX_MEMBERS = 50
#: … 7 or more full members call for a branch committee (支委会).
COMMITTEE_FROM_FULL_MEMBERS = 7
#: … 3 or more full members in a unit call for a branch of its own.
OWN_BRANCH_FROM_FULL_MEMBERS = 3

PARTY = ("full", "probationary")
ACTIVE = relations.ACTIVE_STATUSES
QUARTER_NAMES = "一二三四"
#: Meetings are 召开; the rest is 开展.
MEETING_KINDS = frozenset({"general_meeting", "committee_meeting", "group_meeting", "life_meeting"})


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Slot:
    """One period of a year in which a rule falls due."""

    period: str
    index: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.period == "month":
            return f"{self.index}月"
        if self.period == "quarter":
            return f"第{QUARTER_NAMES[self.index - 1]}季度"
        if self.period == "half_year":
            return "上半年" if self.index == 1 else "下半年"
        return "全年"

    @property
    def key(self) -> str:
        """2023-07, 2023-Q3, 2023-H2, 2023: short and sortable, for JSON and exports."""
        year = self.start.year
        if self.period == "month":
            return f"{year}-{self.index:02d}"
        if self.period == "quarter":
            return f"{year}-Q{self.index}"
        if self.period == "half_year":
            return f"{year}-H{self.index}"
        return str(year)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def slots(period: str, year: int) -> list[Slot]:
    months = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}[period]
    return [
        Slot(period, i + 1, dt.date(year, i * months + 1, 1), _month_end(year, (i + 1) * months))
        for i in range(12 // months)
    ]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Due:
    """One branch, one rule, one period: what was owed and which records show it was held."""

    branch_id: int
    branch: str
    kind: str
    label: str
    slot: Slot
    held_ids: tuple[int, ...]
    running: bool  # the period has not ended yet (the current month, quarter…)

    @property
    def held(self) -> bool:
        return bool(self.held_ids)

    @property
    def verb(self) -> str:
        return "召开" if self.kind in MEETING_KINDS else "开展"

    def message(self) -> str:
        if self.running:
            return (
                f"{self.branch}：{self.slot.label}尚未{self.verb}{self.label}"
                f"（本期至{self.slot.end.month}月{self.slot.end.day}日）"
            )
        return f"{self.branch}：{self.slot.label}未{self.verb}{self.label}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "branch_id": self.branch_id,
            "branch": self.branch,
            "kind": self.kind,
            "kind_label": self.label,
            "period": self.slot.key,
            "period_label": self.slot.label,
            "from": self.slot.start.isoformat(),
            "to": self.slot.end.isoformat(),
            "running": self.running,
            "message": self.message(),
        }


@dataclass(frozen=True)
class QuorumFlag:
    """A 支部党员大会 that could not decide: more than half of the full members were not there."""

    activity_id: int
    branch_id: int
    branch: str
    date: dt.date
    topic: str
    present: int
    entitled: int
    recorded: bool  # False: no attendance was entered at all

    def message(self) -> str:
        where = f"{self.branch} {self.date:%Y-%m-%d}支部党员大会“{self.topic}”"
        if not self.recorded:
            return f"{where}未登记到会情况，无法核对是否达到法定人数"
        return (
            f"{where}未达到法定人数：有表决权的正式党员 {self.entitled} 人，"
            f"到会 {self.present} 人，须超过半数"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity_id": self.activity_id,
            "branch_id": self.branch_id,
            "branch": self.branch,
            "date": self.date.isoformat(),
            "topic": self.topic,
            "present": self.present,
            "entitled": self.entitled,
            "recorded": self.recorded,
            "message": self.message(),
        }


@dataclass(frozen=True)
class SetupWarning:
    """A branch set up against the 条例's general rules (DESIGN.md): a warning, not an error."""

    code: str  # joint_too_many_units | too_many_members | no_committee | enterprise_needs_branch
    branch_id: int
    branch: str
    message: str
    value: int
    enterprise_id: int | None = None
    enterprise: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OverdueIssue:
    id: int
    enterprise: str
    description: str
    category: str
    responsible_unit: str | None
    received_on: dt.date
    deadline: dt.date
    state: str
    days_overdue: int
    as_of: dt.date | None = None  # the day counted to, when not today (a past year's end)

    def message(self) -> str:
        unit = f"（{self.responsible_unit}）" if self.responsible_unit else ""
        when = f"截至{self.as_of:%Y-%m-%d}" if self.as_of is not None else ""
        return (
            f"{self.enterprise}：{self.description}{unit}，办结时限 {self.deadline:%Y-%m-%d}，"
            f"{when}已超期 {self.days_overdue} 天"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "enterprise": self.enterprise,
            "description": self.description,
            "category": self.category,
            "category_label": vocab.ISSUE_CATEGORY.label(self.category),
            "responsible_unit": self.responsible_unit,
            "received_on": self.received_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "state": self.state,
            "state_label": vocab.ISSUE_STATE.label(self.state),
            "days_overdue": self.days_overdue,
            "as_of": self.as_of.isoformat() if self.as_of is not None else None,
            "message": self.message(),
        }


@dataclass(frozen=True)
class ResolveTime:
    """How fast problems of one category (or one responsible unit) were resolved."""

    key: str
    label: str
    count: int
    average_days: float
    median_days: float
    issue_ids: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "average_days": self.average_days,
            "median_days": self.median_days,
        }


@dataclass
class ComplianceReport:
    year: int
    as_of: dt.date  # the last day looked at: the year's end, or today in the current year
    rules: list[Rule]
    dues: list[Due] = field(default_factory=list)
    quorum_flags: list[QuorumFlag] = field(default_factory=list)
    setup_warnings: list[SetupWarning] = field(default_factory=list)
    overdue_issues: list[OverdueIssue] = field(default_factory=list)
    resolve_by_category: list[ResolveTime] = field(default_factory=list)
    resolve_by_unit: list[ResolveTime] = field(default_factory=list)

    @property
    def reminders(self) -> list[Due]:
        """What is owed and not held, past periods first, then by branch."""
        return [d for d in self.dues if not d.held]

    @property
    def missed(self) -> list[Due]:
        """Reminders for periods that have ended: what was missed (a running period is not)."""
        return [d for d in self.reminders if not d.running]

    @property
    def pending(self) -> list[Due]:
        """Reminders for the running period: still to be held, not missed yet."""
        return [d for d in self.reminders if d.running]

    def due_for_branch(self, branch_id: int) -> tuple[int, int]:
        """(held, due) of one branch, the running period left out."""
        mine = [d for d in self.dues if d.branch_id == branch_id and not d.running]
        return sum(d.held for d in mine), len(mine)

    def by_kind(self) -> dict[str, dict[str, int]]:
        """Per activity kind: periods due and held (running periods left out)."""
        result: dict[str, dict[str, int]] = {}
        for due in self.dues:
            if due.running:
                continue
            row = result.setdefault(due.kind, {"due": 0, "held": 0})
            row["due"] += 1
            row["held"] += due.held
        return result

    def to_dict(self) -> dict[str, Any]:
        closed = [d for d in self.dues if not d.running]
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "rules": [asdict(r) for r in self.rules],
            "due": {
                "total": len(closed),
                "held": sum(d.held for d in closed),
                "missing": sum(not d.held for d in closed),
                "by_kind": self.by_kind(),
            },
            "reminders": [d.to_dict() for d in self.reminders],
            "quorum": [q.to_dict() for q in self.quorum_flags],
            "setup_warnings": [w.to_dict() for w in self.setup_warnings],
            "overdue_issues": [i.to_dict() for i in self.overdue_issues],
            "resolve_times": {
                "by_category": [r.to_dict() for r in self.resolve_by_category],
                "by_unit": [r.to_dict() for r in self.resolve_by_unit],
            },
        }


# --------------------------------------------------------------------------- the check


def check_year(
    year: int, today: dt.date | None = None, rules: Sequence[Rule] | None = None
) -> ComplianceReport:
    """Everything the overview and ``partybuild check`` show for a year."""
    today = today or dt.date.today()
    rules = list(rules) if rules is not None else load_rules()
    as_of = overdue.as_of(dt.date(year, 12, 31), today)
    report = ComplianceReport(year, as_of, rules)
    tally = member_tally()  # one grouped pass: the quorum check and the setup warnings share it
    if as_of >= dt.date(year, 1, 1):
        report.dues = _dues(year, as_of, [r for r in rules if r.enabled])
        report.quorum_flags = _quorum_flags(year, as_of, tally)
        report.overdue_issues = overdue_issues(as_of, today)
        report.resolve_by_category, report.resolve_by_unit = resolve_times(
            dt.date(year, 1, 1), dt.date(year, 12, 31)
        )
    report.setup_warnings = setup_warnings(tally)
    return report


@dataclass(frozen=True)
class MemberTally:
    """Live, active members (status 正常/流动) counted by branch and by enterprise.

    ``party`` counts 正式 and 预备党员, ``full`` 正式党员 alone. Members without a branch count
    towards their enterprise, members without an enterprise towards their branch.
    """

    party_by_branch: dict[int, int]
    full_by_branch: dict[int, int]
    full_by_enterprise: dict[int, int]


def member_tally() -> MemberTally:
    """The member counts the setup warnings and the quorum check use, in one grouped query that
    reads the (deleted, branch, enterprise, status, category) index alone (migration 0013)."""
    M = m.Member
    party = pw.Case(None, [(M.category.in_(PARTY), 1)], 0)
    full = pw.Case(None, [(M.category == "full", 1)], 0)
    rows = (
        M.select(M.branch, M.enterprise, pw.fn.SUM(party), pw.fn.SUM(full))
        .where(m.live(M), M.status.in_(ACTIVE))
        .group_by(M.branch, M.enterprise)
        .tuples()
    )
    party_by_branch: dict[int, int] = defaultdict(int)
    full_by_branch: dict[int, int] = defaultdict(int)
    full_by_enterprise: dict[int, int] = defaultdict(int)
    for branch_id, enterprise_id, n_party, n_full in rows:
        n_party, n_full = int(n_party or 0), int(n_full or 0)
        if branch_id is not None:
            party_by_branch[branch_id] += n_party
            full_by_branch[branch_id] += n_full
        if enterprise_id is not None:
            full_by_enterprise[enterprise_id] += n_full
    return MemberTally(
        {k: v for k, v in party_by_branch.items() if v},
        {k: v for k, v in full_by_branch.items() if v},
        {k: v for k, v in full_by_enterprise.items() if v},
    )


def _in_scope(B: type[m.Branch]) -> pw.Expression:
    """The branches of the signed-in account (a secretary's own; all elsewhere): the registry is
    readable whole, their meetings and members are not, so others' would look missed."""
    from partybuild.store.accounts import branch_scope

    scope = branch_scope()
    return B.id.in_(sorted(scope)) if scope is not None else pw.SQL("1 = 1")


def _dues(year: int, as_of: dt.date, rules: Sequence[Rule]) -> list[Due]:
    B, A = m.Branch, m.Activity
    year_start = dt.date(year, 1, 1)
    branches = list(
        B.select(B.id, B.name, B.founded_on, B.has_committee, B.has_groups, B.founded_on_precision)
        .where(m.live(B), B.founded_on.is_null() | (B.founded_on <= as_of), _in_scope(B))
        .order_by(B.name, B.id)
        .tuples()
    )
    held: dict[tuple[int, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for branch_id, kind, day, activity_id in (
        A.select(A.branch, A.kind, A.date, A.id)
        .join(B)
        .where(m.live(A), m.live(B), A.date.between(year_start, dt.date(year, 12, 31)))
        .tuples()
    ):
        held[(branch_id, kind)].append((day, activity_id))
    dues: list[Due] = []
    for rule in rules:
        for slot in slots(rule.period, year):
            if slot.start > as_of:
                break
            for branch_id, name, founded, has_committee, has_groups, precision in branches:
                # A branch owes nothing for the periods before the one it was founded in. A
                # founding known only to the month or year (“2023”) may fall late in it: the
                # branch owes a period only when it certainly existed by its end — a reminder
                # never claims a meeting was due before the branch may have been founded.
                if (
                    founded is not None
                    and dates.latest(PartialDate.of(founded, precision)) > slot.end
                ):
                    continue
                if not rule.applies(bool(has_committee), bool(has_groups)):
                    continue
                ids = tuple(
                    sorted(
                        i
                        for day, i in held[(branch_id, rule.kind)]
                        if slot.start <= day <= slot.end
                    )
                )
                dues.append(
                    Due(branch_id, name, rule.kind, rule.title, slot, ids, slot.end > as_of)
                )
    dues.sort(key=lambda d: (d.running, d.slot.start, d.branch, d.slot.end))
    return dues


def activity_ids(due: Due) -> list[int]:
    """What a reminder opens: a missing meeting has no record, so the branch's live records of
    that kind in the same year (where the gap shows)."""
    A = m.Activity
    year = due.slot.start.year
    return [
        i
        for (i,) in A.select(A.id)
        .where(
            m.live(A),
            A.branch == due.branch_id,
            A.kind == due.kind,
            A.date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
        .order_by(A.date, A.id)
        .tuples()
    ]


def activity_ids_by_due(dues: Sequence[Due]) -> dict[tuple[int, str, int], list[int]]:
    """:func:`activity_ids` of many reminders in one query, keyed (branch id, kind, year)."""
    wanted = {(d.branch_id, d.kind, d.slot.start.year) for d in dues}
    found: dict[tuple[int, str, int], list[int]] = {key: [] for key in wanted}
    if not wanted:
        return found
    A = m.Activity
    years = sorted({year for _b, _k, year in wanted})
    branches = sorted({b for b, _k, _y in wanted})
    query = (
        A.select(A.id, A.branch, A.kind, A.date)
        .where(
            m.live(A),
            A.branch.in_(branches),
            A.kind.in_(sorted({k for _b, k, _y in wanted})),
            A.date.between(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)),
        )
        .order_by(A.date, A.id)
        .tuples()
    )
    for activity_id, branch_id, kind, day in query:
        ids = found.get((branch_id, kind, day.year))
        if ids is not None:
            ids.append(activity_id)
    return found


def _quorum_flags(year: int, as_of: dt.date, tally: MemberTally | None = None) -> list[QuorumFlag]:
    """党员大会 is quorate with more than half of the full members present (DESIGN.md)."""
    A, B, AA = m.Activity, m.Branch, m.ActivityAttendee
    recorded = AA.select(AA.activity).where(m.live(AA))
    flags: list[QuorumFlag] = []
    meetings = (
        A.select(A.id, A.branch, B.name, A.date, A.topic, A.id.in_(recorded).alias("recorded"))
        .join(B)
        .where(
            m.live(A),
            m.live(B),
            A.kind == "general_meeting",
            A.date.between(dt.date(year, 1, 1), as_of),
        )
        .order_by(A.date, A.id)
        .tuples()
    )
    meetings = list(meetings)
    found = relations.quorums(  # grouped, not per meeting
        [(row[0], row[1]) for row in meetings],
        entitled=tally.full_by_branch if tally is not None else None,
    )
    for activity_id, branch_id, branch, day, topic, has_rows in meetings:
        q = found[activity_id]
        if not q.quorate:
            flags.append(
                QuorumFlag(
                    activity_id,
                    branch_id,
                    branch,
                    day,
                    topic,
                    q.present,
                    q.entitled,
                    bool(has_rows),
                )
            )
    return flags


def setup_warnings(tally: MemberTally | None = None) -> list[SetupWarning]:
    """The branch setup of DESIGN.md (《中国共产党支部工作条例（试行）》), as it stands today."""
    B, E = m.Branch, m.Enterprise
    tally = tally if tally is not None else member_tally()
    warnings: list[SetupWarning] = []
    covered = dict(
        E.select(E.branch, pw.fn.COUNT(E.id))
        .join(B, on=(E.branch == B.id))
        .where(m.live(E), m.live(B), B.kind == "joint")
        .group_by(E.branch)
        .tuples()
    )
    party, full = tally.party_by_branch, tally.full_by_branch
    branches = (
        B.select(B.id, B.name, B.kind, B.has_committee)
        .where(m.live(B), _in_scope(B))
        .order_by(B.name, B.id)
        .namedtuples()
    )
    for branch in branches:
        units = covered.get(branch.id, 0)
        if branch.kind == "joint" and units > JOINT_BRANCH_MAX_UNITS:
            warnings.append(
                SetupWarning(
                    "joint_too_many_units",
                    branch.id,
                    branch.name,
                    f"联合党支部“{branch.name}”覆盖 {units} 家企业，一般不超过 "
                    f"{JOINT_BRANCH_MAX_UNITS} 个单位",
                    units,
                )
            )
        members = party.get(branch.id, 0)
        if members > BRANCH_MAX_MEMBERS:
            warnings.append(
                SetupWarning(
                    "too_many_members",
                    branch.id,
                    branch.name,
                    f"“{branch.name}”有党员 {members} 名，党支部党员人数一般不超过 "
                    f"{BRANCH_MAX_MEMBERS} 人",
                    members,
                )
            )
        n_full = full.get(branch.id, 0)
        if n_full >= COMMITTEE_FROM_FULL_MEMBERS and not branch.has_committee:
            warnings.append(
                SetupWarning(
                    "no_committee",
                    branch.id,
                    branch.name,
                    f"“{branch.name}”有正式党员 {n_full} 名，应设立支部委员会"
                    f"（正式党员 {COMMITTEE_FROM_FULL_MEMBERS} 人以上）",
                    n_full,
                )
            )
    # An enterprise with 3+ full members should have a branch of its own, not a joint one.
    full_at = tally.full_by_enterprise
    rows = (
        E.select(E.id, E.name, B.id, B.name)
        .join(B, on=(E.branch == B.id))
        .where(m.live(E), m.live(B), B.kind == "joint")
        .order_by(B.name, E.name, E.id)
        .tuples()
    )
    for enterprise_id, enterprise, branch_id, branch in rows:
        n = full_at.get(enterprise_id, 0)
        if n < OWN_BRANCH_FROM_FULL_MEMBERS:
            continue
        warnings.append(
            SetupWarning(
                "enterprise_needs_branch",
                branch_id,
                branch,
                f"“{enterprise}”有正式党员 {n} 名，仍在联合党支部“{branch}”中，"
                f"正式党员 {OWN_BRANCH_FROM_FULL_MEMBERS} 人以上的单位应单独成立党支部",
                int(n),
                enterprise_id,
                enterprise,
            )
        )
    return warnings


def overdue_issues(as_of: dt.date, today: dt.date | None = None) -> list[OverdueIssue]:
    """Not closed and past 办结时限 on ``as_of`` (domain.overdue) — the same rule as ``stats``'
    ``overdue``; a day before ``today`` (a past year's end) is named in the message."""
    today = today or dt.date.today()
    I, E = m.EnterpriseIssue, m.Enterprise
    query = (
        I.select(
            I.id,
            E.name,
            I.description,
            I.category,
            I.responsible_unit,
            I.received_on,
            I.deadline,
            I.state,
        )
        .join(E)
        .where(
            m.live(I),
            m.live(E),
            I.received_on <= as_of,
            I.overdue_on(as_of),
        )
        .tuples()
    )
    rows = [
        OverdueIssue(
            *row,
            days_overdue=overdue.days_overdue(row[6], False, as_of) or 0,
            as_of=None if as_of >= today else as_of,
        )
        for row in query
    ]
    rows.sort(key=lambda r: (-r.days_overdue, r.enterprise, r.id))
    return rows


def resolve_times(start: dt.date, end: dt.date) -> tuple[list[ResolveTime], list[ResolveTime]]:
    """Days from 受理 to 办结 of the problems resolved in a period, by category and by unit."""
    I, E = m.EnterpriseIssue, m.Enterprise
    query = (
        I.select(I.id, I.category, I.responsible_unit, I.received_on, I.resolved_on)
        .join(E)
        .where(m.live(I), m.live(E), I.state == "resolved", I.resolved_on.between(start, end))
        .tuples()
    )
    by_category: dict[str, list[tuple[int, int]]] = defaultdict(list)
    by_unit: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for issue_id, category, unit, received, resolved in query:
        days = (resolved - received).days
        by_category[category].append((issue_id, days))
        by_unit[unit or ""].append((issue_id, days))

    def summarise(groups: dict[str, list[tuple[int, int]]], label: Any) -> list[ResolveTime]:
        result = [
            ResolveTime(
                key,
                label(key),
                len(rows),
                round(statistics.fmean(d for _, d in rows), 1),
                float(statistics.median(d for _, d in rows)),
                tuple(sorted(i for i, _ in rows)),
            )
            for key, rows in groups.items()
        ]
        result.sort(key=lambda r: (-r.count, r.label))
        return result

    order = {code: i for i, code in enumerate(vocab.ISSUE_CATEGORY.codes)}
    categories = summarise(by_category, vocab.ISSUE_CATEGORY.label)
    categories.sort(key=lambda r: order.get(r.key, 99))
    return categories, summarise(by_unit, lambda key: key or "（未填责任单位）")
