"""The year's figures: what the park's work summary counts by hand today.

Every count leaves out records in the recycle bin, and records hanging off one that is (the
attendance of a deleted training, the services of a deleted team). Definitions:

- a branch or team counts when it exists at the end of the period (founded then or earlier);
- ``members``: on the roll at the period's end (:func:`members_at_end`): a full or probationary
  member once 入党 is certainly by the end; ``full`` once 转正 is too (else ``probationary``);
  ``members.joined``: 入党 certainly within the period (:mod:`partybuild.services.member_years`);
- ``enterprises_covered.<kind>``: live enterprises whose branch is of that kind;
- trainings count by start date; ``attendances`` are signed-in attendance rows (已签到);
- ``issues.resolved``: problems resolved (已解决) with 办结日期 in the period;
- ``issues.pending``: received by the period's end and not closed then (a problem solved after
  the period counts as pending in it); ``issues.overdue``: of those, past 办结时限 at the end of
  the period (or today, if sooner).

Each section is one or two grouped queries (counts by kind, status or category in one pass, a
condition counted with ``SUM(CASE …)``), for the park, one branch, or every branch at once
(:func:`compute_branches`, grouped by the branch column): the annual summary's branch table costs
the same few queries as the park's figures, not a set per branch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee as pw

from partybuild.domain import overdue, vocab
from partybuild.services import dues, member_years, recruitment
from partybuild.store import models as m


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return f"{self.start.year}年"
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"


def _existing(field: pw.Field, period: Period) -> pw.Expression:
    """Founded by the end of the period (or of no known founding). A founding known only to the
    month or year counts when it is certainly by the end: “2023” for the whole of 2023, not for
    its first half (models.certainly_by)."""
    if isinstance(field, m.PartialDateField):
        return field.is_null() | m.certainly_by(field, period.end)
    return field.is_null() | (field <= period.end)


def members_at_end(period: Period) -> pw.ModelSelect:
    """Members on the roll at the period's end, as far as the data tells: live, not now
    transferred out, lost, suspended or deceased (the ledger keeps no date for those, so they
    count for no year), and — for full and probationary members — 入党 certainly by the
    period's end (or of no known date). Those on the way to membership keep no start date and
    count as they stand today."""
    M = m.Member
    return M.select().where(
        m.live(M),
        M.status.in_(("normal", "mobile")),
        M.category.not_in(("full", "probationary")) | _existing(M.joined_on, period),
    )


@dataclass(frozen=True)
class _Scope:
    """Whose figures a query computes: the park, one branch (``branch_id``), or every branch at
    once (``grouped``: the query groups by the branch column and answers for all of them)."""

    branch_id: int | None = None
    grouped: bool = False

    def key(self, field: pw.Field) -> list[pw.Field]:
        """The group column to select and group by first (none unless grouped)."""
        return [field] if self.grouped else []

    def narrow(self, query: pw.ModelSelect, field: pw.Field) -> pw.ModelSelect:
        return query.where(field == self.branch_id) if self.branch_id is not None else query

    def split(self, row: tuple[Any, ...]) -> tuple[int | None, tuple[Any, ...]]:
        """(the branch a grouped row is for, or None; the rest of the row)."""
        return (row[0], row[1:]) if self.grouped else (None, row)


def _when(condition: pw.Expression) -> pw.Function:
    """SQL: how many rows of the group meet ``condition`` (a NULL condition counts as not met,
    as in a WHERE clause)."""
    return pw.fn.COUNT(pw.Case(None, [(condition, 1)]))


def _int(value: object) -> int:
    return int(value or 0)


def compute(period: Period, branch: m.Branch | None = None) -> dict[str, Any]:
    """All figures for a period, optionally for one branch only."""
    scope = _Scope(branch.id if branch is not None else None)
    figures = _figures(period, scope)[None]
    return _result(period, branch.name if branch is not None else None, figures)


def compute_branches(period: Period, branches: list[m.Branch]) -> dict[int, dict[str, Any]]:
    """The figures of :func:`compute` for each of ``branches`` (by id), from one grouped query per
    kind of figure instead of one set of queries per branch (the annual summary's 附表1)."""
    per = _figures(period, _Scope(grouped=True))
    empty = _figures_of({})
    return {b.id: _result(period, b.name, per.get(b.id, empty)) for b in branches}


def _result(period: Period, name: str | None, figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "branch": name,
        **figures,
    }


_SECTIONS = (
    "branches",
    "enterprises",
    "enterprises_covered",
    "members",
    "activities",
    "trainings",
    "teams",
    "services",
    "issues",
    "recruitment",
    "dues",
)


def _figures(period: Period, scope: _Scope) -> dict[int | None, dict[str, Any]]:
    """Every section's figures per key (the branch, when grouped; else None), one or two grouped
    queries per section."""
    parts: dict[int | None, dict[str, Any]] = {}

    def put(section: str, values: dict[int | None, Any]) -> None:
        for key, value in values.items():
            parts.setdefault(key, {})[section] = value

    put("branches", _branches(period, scope))
    enterprises, covered = _enterprises(period, scope)
    put("enterprises", enterprises)
    put("enterprises_covered", covered)
    put("members", _members(period, scope))
    put("activities", _activities(period, scope))
    put("trainings", _trainings(period, scope))
    put("teams", _teams(period, scope))
    put("services", _services(period, scope))
    put("issues", _issues(period, scope))
    put("recruitment", _recruitment(period, scope))
    put("dues", _dues(period, scope))
    if not scope.grouped:
        parts.setdefault(None, {})
    return {key: _figures_of(values) for key, values in parts.items()}


def _figures_of(found: dict[str, Any]) -> dict[str, Any]:
    """A complete set of figures: the sections a key has rows in, zeros for the others."""
    return {section: found.get(section) or _EMPTY[section]() for section in _SECTIONS}


def _zeros(codes: tuple[str, ...] | list[str]) -> dict[str, int]:
    return {code: 0 for code in codes}


def _totalled(counts: dict[str, int]) -> dict[str, int]:
    return {**counts, "total": sum(counts.values())}


def _branches(period: Period, scope: _Scope) -> dict[int | None, dict[str, int]]:
    B = m.Branch
    key = scope.key(B.id)
    query = B.select(*key, B.kind, pw.fn.COUNT(B.id)).where(
        m.live(B), _existing(B.founded_on, period)
    )
    counts: dict[int | None, dict[str, int]] = {}
    for row in scope.narrow(query, B.id).group_by(*key, B.kind).tuples():
        k, (kind, n) = scope.split(row)
        counts.setdefault(k, _zeros(vocab.BRANCH_KIND.codes))[kind] = n
    return {k: _totalled(v) for k, v in counts.items()}


def _enterprises(
    period: Period, scope: _Scope
) -> tuple[dict[int | None, dict[str, int]], dict[int | None, dict[str, int]]]:
    """Live enterprises (of the branch), those 纳入联系服务, and those whose branch is live and
    exists at the period's end, by its kind — one pass, the branch joined where it counts."""
    E, B = m.Enterprise, m.Branch
    key = scope.key(E.branch)
    counting = (m.live(B) & _existing(B.founded_on, period)) & (E.branch == B.id)
    query = (
        E.select(*key, B.kind, pw.fn.COUNT(E.id), _when(E.in_service == True))  # noqa: E712
        .join(B, pw.JOIN.LEFT_OUTER, on=counting)
        .where(m.live(E))
    )
    totals: dict[int | None, dict[str, int]] = {}
    covered: dict[int | None, dict[str, int]] = {}
    for row in scope.narrow(query, E.branch).group_by(*key, B.kind).tuples():
        k, (kind, n, in_service) = scope.split(row)
        total = totals.setdefault(k, {"total": 0, "covered": 0, "in_service": 0})
        total["total"] += n
        total["in_service"] += _int(in_service)
        by_kind = covered.setdefault(k, _zeros(vocab.BRANCH_KIND.codes))
        if kind is not None:
            by_kind[kind] = n
    for k, total in totals.items():
        total["covered"] = sum(covered[k].values())
    return totals, covered


def _members(period: Period, scope: _Scope) -> dict[int | None, dict[str, int]]:
    """On the roll at the period's end by category, and who joined in it (two queries).

    The roll is counted as two index reads instead of one rule applied to every member: the
    live members by category and status (``member_figures`` alone, as a bare count reads it),
    less the exceptions — full or probationary members whose 入党 is not certainly by the end
    (off the roll), and full members on the roll whose 转正 is not (still probationary then).
    An exception's date is on or after 1 January of the year after the period's end whatever its
    precision (NULL, "month" or "year", models.certainly_by), so the exceptions come from range
    reads of the 入党 and 转正 date indexes, and the full rule runs on those rows only. The 入党
    range starts at the period's start if that is sooner, so the same rows also count who joined
    in the period (:func:`member_years.joined_query`'s rule, as a condition).
    """
    M = m.Member
    key = scope.key(M.branch)
    counts: dict[int | None, dict[str, int]] = {}
    on_roll = M.select(*key, M.category, pw.fn.COUNT(M.id)).where(
        m.live(M), M.status.in_(("normal", "mobile"))
    )
    # Grouped as the figures' index (migration 0011) is ordered: category, status, branch.
    for row in scope.narrow(on_roll, M.branch).group_by(M.category, M.status, *key).tuples():
        k, (category, n) = scope.split(row)
        c = counts.setdefault(k, _zeros(vocab.MEMBER_CATEGORY.codes))
        c[category] = c.get(category, 0) + n
    after = period.end + dt.timedelta(days=1)
    floor = dt.date(after.year, 1, 1)
    # The roll's conditions (status, category) are grouped by, not filtered, and the counts
    # each applies to are picked from the groups below: in the WHERE clause they would lead the
    # planner to walk the figures' index instead of the two date ranges.
    joined_by_end = _existing(M.joined_on, period)
    # A full member confirmed (转正) after the period's end was still probationary then.
    late = joined_by_end & ~_existing(M.confirmed_on, period)
    joined_in = (M.joined_on >= period.start) & m.certainly_by(M.joined_on, period.end)
    exceptions = M.select(
        *key,
        M.category,
        M.status,
        _when(~joined_by_end),
        _when(late),
        _when(joined_in),
    ).where(
        m.live(M),
        # Bounded on both sides (every date is by date.max) so the planner reads the ranges.
        M.joined_on.between(min(period.start, floor), dt.date.max)
        | M.confirmed_on.between(floor, dt.date.max),
    )
    joined: dict[int | None, int] = {}
    for row in scope.narrow(exceptions, M.branch).group_by(M.category, M.status, *key).tuples():
        k, (category, status, off_n, late_n, joined_n) = scope.split(row)
        party = category in member_years.PARTY
        counted = party and status in ("normal", "mobile")
        off_n = off_n if counted else 0
        late_n = late_n if counted and category == "full" else 0
        joined_n = joined_n if party else 0
        if _int(off_n) or _int(late_n):
            c = counts.setdefault(k, _zeros(vocab.MEMBER_CATEGORY.codes))
            c[category] -= _int(off_n)
            c["full"] -= _int(late_n)
            c["probationary"] += _int(late_n)
        if _int(joined_n):
            joined[k] = joined.get(k, 0) + _int(joined_n)
    return {
        k: {
            **_totalled(counts.get(k, _zeros(vocab.MEMBER_CATEGORY.codes))),
            "joined": joined.get(k, 0),
        }
        for k in counts.keys() | joined.keys()
    }


def _activities(period: Period, scope: _Scope) -> dict[int | None, dict[str, int]]:
    A, B = m.Activity, m.Branch
    key = scope.key(A.branch)
    query = (
        A.select(*key, A.kind, pw.fn.COUNT(A.id))
        .join(B)
        .where(m.live(A), m.live(B), A.date.between(period.start, period.end))
    )
    counts: dict[int | None, dict[str, int]] = {}
    for row in scope.narrow(query, A.branch).group_by(*key, A.kind).tuples():
        k, (kind, n) = scope.split(row)
        counts.setdefault(k, _zeros(vocab.ACTIVITY_KIND.codes))[kind] = n
    return {k: _totalled(v) for k, v in counts.items()}


def _trainings(period: Period, scope: _Scope) -> dict[int | None, dict[str, Any]]:
    """Per kind: sessions, and the attendance rows by status. A branch's sessions are the
    trainings its members have attendance rows at; the park's are all trainings of the period."""
    T, A, M = m.Training, m.Attendance, m.Member
    in_period = m.live(T) & T.start_date.between(period.start, period.end)
    # Attendance of a deleted member does not count; a non-member row has no member to check.
    member_ok = A.member.is_null() | (m.live(M))
    key = scope.key(M.branch)
    whole_park = not scope.grouped and scope.branch_id is None
    # Live attendance as NOT deleted (the column is never NULL): the same rows, but no equality
    # for SQLite's planner to walk every live attendance row of every year by; it starts from
    # the trainings of the period and reads their rows by the training's index.
    attendance = (
        A.select()
        .join(T)
        .switch(A)
        .join(M, pw.JOIN.LEFT_OUTER)
        .where(in_period, ~A.deleted, member_ok)
    )
    found: dict[int | None, dict[str, list[int]]] = {}
    if whole_park:
        # The park's rows by kind and status, counted by the grouping (no condition per row),
        # and its sessions: every training of the period.
        places = {"signed": 1, "leave": 3, "absent": 4}
        for kind, status, n in (
            attendance.select(T.kind, A.status, pw.fn.COUNT(A.id))
            .group_by(T.kind, A.status)
            .tuples()
        ):
            counts = found.setdefault(None, {}).setdefault(kind, [0, 0, 0, 0, 0])
            counts[2] += n
            if status in places:
                counts[places[status]] += n
        for kind, n in (
            T.select(T.kind, pw.fn.COUNT(T.id)).where(in_period).group_by(T.kind).tuples()
        ):
            found.setdefault(None, {}).setdefault(kind, [0, 0, 0, 0, 0])[0] = n
    else:
        # A branch's sessions are its trainings with rows.
        rows = attendance.select(
            *key,
            T.kind,
            pw.fn.COUNT(A.id),
            _when(A.status == "signed"),
            _when(A.status == "leave"),
            _when(A.status == "absent"),
            pw.fn.COUNT(A.training.distinct()),
        )
        for row in scope.narrow(rows, M.branch).group_by(*key, T.kind).tuples():
            k, (kind, expected, signed, leave, absent, held) = scope.split(row)
            if scope.grouped and k is None:
                continue  # attendance of no member, or of a member of no branch
            found.setdefault(k, {})[kind] = [
                held,
                _int(signed),
                expected,
                _int(leave),
                _int(absent),
            ]
    return {k: _training_figures(v) for k, v in found.items()}


def _training_figures(found: dict[str, list[int]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for code in vocab.TRAINING_KIND.codes:
        sessions, signed, expected, leave, absent = found.get(code, [0, 0, 0, 0, 0])
        result[code] = {
            "sessions": sessions,
            "attendances": signed,
            "expected": expected,
            "leave": leave,
            "absent": absent,
            "rate": round(signed / expected, 4) if expected else None,
        }
    total_expected = sum(r["expected"] for r in result.values())
    total_signed = sum(r["attendances"] for r in result.values())
    result["total"] = {
        "sessions": sum(r["sessions"] for r in result.values()),
        "attendances": total_signed,
        "expected": total_expected,
        "rate": round(total_signed / total_expected, 4) if total_expected else None,
    }
    return result


def _teams(period: Period, scope: _Scope) -> dict[int | None, dict[str, int]]:
    T = m.Team
    key = scope.key(T.branch)
    query = T.select(*key, T.kind, pw.fn.COUNT(T.id)).where(
        m.live(T), _existing(T.founded_on, period)
    )
    counts: dict[int | None, dict[str, int]] = {}
    for row in scope.narrow(query, T.branch).group_by(*key, T.kind).tuples():
        k, (kind, n) = scope.split(row)
        counts.setdefault(k, _zeros(vocab.TEAM_KIND.codes))[kind] = n
    return {k: _totalled(v) for k, v in counts.items()}


def _services(period: Period, scope: _Scope) -> dict[int | None, dict[str, Any]]:
    S, T, P, M = m.Service, m.Team, m.ServiceParticipant, m.Member
    key = scope.key(T.branch)
    in_period = m.live(S) & m.live(T) & S.date.between(period.start, period.end)
    query = S.select(*key, pw.fn.COUNT(S.id), pw.fn.SUM(S.hours)).join(T).where(in_period)
    found: dict[int | None, dict[str, Any]] = {}
    for row in scope.narrow(query, T.branch).group_by(*key).tuples():
        k, (n, hours) = scope.split(row)
        if n:
            found[k] = {"count": n, "participants": 0, "hours": round(float(hours or 0), 1)}
    participants = (
        P.select(*key, pw.fn.COUNT(P.id))
        .join(M)
        .switch(P)
        .join(S)
        .join(T)
        .where(m.live(P), m.live(M), in_period)
    )
    for row in scope.narrow(participants, T.branch).group_by(*key).tuples():
        k, (n,) = scope.split(row)
        if n:
            found.setdefault(k, {"count": 0, "participants": 0, "hours": 0.0})["participants"] = n
    return found


def _issues(period: Period, scope: _Scope) -> dict[int | None, dict[str, Any]]:
    Iss, E = m.EnterpriseIssue, m.Enterprise
    key = scope.key(E.branch)
    base = Iss.select().join(E).where(m.live(Iss), m.live(E))
    base = scope.narrow(base, E.branch)
    in_period = Iss.resolved_on.between(period.start, period.end)
    pending = (Iss.received_on <= period.end) & Iss.open_on(period.end)  # as it stood then
    cutoff = overdue.as_of(period.end)
    # Overdue: pending and Iss.overdue_on(cutoff), whose open_on(cutoff) is pending's own when
    # the cutoff is the period's end (a period that has ended): not built and evaluated twice.
    late = Iss.past_deadline(cutoff) if cutoff == period.end else Iss.overdue_on(cutoff)
    found: dict[int | None, dict[str, Any]] = {}
    for row in (
        base.select(
            *key,
            _when(Iss.received_on.between(period.start, period.end)),
            _when((Iss.state == "unresolvable") & in_period),
            _when(pending),
            _when(pending & late),
        )
        .group_by(*key)
        .tuples()
    ):
        k, (received, unresolvable, pending_n, overdue_n) = scope.split(row)
        found[k] = {
            "received": _int(received),
            "resolved": 0,
            "unresolvable": _int(unresolvable),
            "pending": _int(pending_n),
            "overdue": _int(overdue_n),
            "resolved_by_category": _zeros(vocab.ISSUE_CATEGORY.codes),
            "average_days_to_resolve": None,
        }
    days: dict[int | None, list[int]] = {}
    for row in (
        base.select(*key, Iss.category, Iss.received_on, Iss.resolved_on)
        .where(Iss.state == "resolved", in_period)
        .tuples()
    ):
        k, (category, received_on, resolved_on) = scope.split(row)
        by_category = found[k]["resolved_by_category"]
        by_category[category] = by_category.get(category, 0) + 1
        if resolved_on is not None and received_on is not None:
            days.setdefault(k, []).append((resolved_on - received_on).days)
    for k, values in days.items():
        found[k]["resolved"] = len(values)
        found[k]["average_days_to_resolve"] = round(sum(values) / len(values), 1)
    return found


def _recruitment(period: Period, scope: _Scope) -> dict[int | None, dict[str, int]]:
    return recruitment.period_counts(period.start, period.end, scope.branch_id, scope.grouped)


def _dues(period: Period, scope: _Scope) -> dict[int | None, dict[str, Any]]:
    if scope.grouped:
        return dues.period_figures_by_branch(period.start, period.end)
    return {None: dues.period_figures(period.start, period.end, scope.branch_id)}


_EMPTY = {
    "branches": lambda: _totalled(_zeros(vocab.BRANCH_KIND.codes)),
    "enterprises": lambda: {"total": 0, "covered": 0, "in_service": 0},
    "enterprises_covered": lambda: _zeros(vocab.BRANCH_KIND.codes),
    "members": lambda: {**_totalled(_zeros(vocab.MEMBER_CATEGORY.codes)), "joined": 0},
    "activities": lambda: _totalled(_zeros(vocab.ACTIVITY_KIND.codes)),
    "trainings": lambda: _training_figures({}),
    "teams": lambda: _totalled(_zeros(vocab.TEAM_KIND.codes)),
    "services": lambda: {"count": 0, "participants": 0, "hours": 0.0},
    "issues": lambda: {
        "received": 0,
        "resolved": 0,
        "unresolvable": 0,
        "pending": 0,
        "overdue": 0,
        "resolved_by_category": _zeros(vocab.ISSUE_CATEGORY.codes),
        "average_days_to_resolve": None,
    },
    "recruitment": lambda: recruitment.empty_figures(),
    "dues": lambda: dues.empty_figures(),
}


def year_stats(year: int, branch: m.Branch | None = None) -> dict[str, Any]:
    result = compute(Period.year(year), branch)
    return {"year": year, **result}


def format_text(figures: dict[str, Any]) -> str:
    """The figures as a few readable Chinese lines, for the terminal."""
    from partybuild.domain.vocab import BRANCH_KIND, TEAM_KIND, TRAINING_KIND

    b, cov, t, tm = (
        figures["branches"],
        figures["enterprises_covered"],
        figures["trainings"],
        figures["teams"],
    )
    lines = [
        f"统计期间：{figures['period']['from']} 至 {figures['period']['to']}"
        + (f"（{figures['branch']}）" if figures.get("branch") else ""),
        "党组织："
        + "，".join(
            f"{BRANCH_KIND.label(k)} {b[k]} 个（覆盖企业 {cov[k]} 家）" for k in BRANCH_KIND.codes
        ),
        f"党员：正式 {figures['members']['full']} 人，预备 {figures['members']['probationary']} 人，"
        f"共 {figures['members']['total']} 人（含发展对象、积极分子、申请人），"
        f"当年入党 {figures['members']['joined']} 人",
        "培训："
        + "，".join(
            f"{TRAINING_KIND.label(k)} {t[k]['sessions']} 期/次、签到 {t[k]['attendances']} 人次"
            for k in TRAINING_KIND.codes
        ),
        "队伍：" + "，".join(f"{TEAM_KIND.label(k)} {tm[k]} 支" for k in TEAM_KIND.codes),
        f"志愿服务：{figures['services']['count']} 次，参加 {figures['services']['participants']} 人次",
        f"企业诉求：受理 {figures['issues']['received']} 件，解决 {figures['issues']['resolved']} 件"
        f"（其中项目建设 {figures['issues']['resolved_by_category']['project']} 件），"
        f"未办结 {figures['issues']['pending']} 件，超期 {figures['issues']['overdue']} 件",
        f"党费：应交 {figures['dues']['due']} 元，实交 {figures['dues']['paid']} 元，收缴率 "
        f"{format(figures['dues']['rate'] * 100, '.1f') + '%' if figures['dues']['rate'] is not None else '—'}，"
        f"欠交党员 {figures['dues']['members_in_arrears']} 人",
    ]
    return "\n".join(lines)
