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


def _count(query: pw.ModelSelect) -> int:
    return int(query.count())


def compute(period: Period, branch: m.Branch | None = None) -> dict[str, Any]:
    """All figures for a period, optionally for one branch only."""
    B, E, M = m.Branch, m.Enterprise, m.Member

    branches = B.select().where(m.live(B), _existing(B.founded_on, period))
    if branch is not None:
        branches = branches.where(B.id == branch.id)
    branch_counts = {code: 0 for code in vocab.BRANCH_KIND.codes}
    for kind, n in branches.select(B.kind, pw.fn.COUNT(B.id)).group_by(B.kind).tuples():
        branch_counts[kind] = n

    enterprises = E.select().where(m.live(E))
    covered = {code: 0 for code in vocab.BRANCH_KIND.codes}
    covered_q = (
        E.select(B.kind, pw.fn.COUNT(E.id))
        .join(B, on=(E.branch == B.id))
        .where(m.live(E), m.live(B), _existing(B.founded_on, period))
    )
    if branch is not None:
        covered_q = covered_q.where(B.id == branch.id)
        enterprises = enterprises.where(E.branch == branch.id)
    for kind, n in covered_q.group_by(B.kind).tuples():
        covered[kind] = n

    members = members_at_end(period)
    if branch is not None:
        members = members.where(M.branch == branch.id)
    member_counts = {code: 0 for code in vocab.MEMBER_CATEGORY.codes}
    for cat, n in members.select(M.category, pw.fn.COUNT(M.id)).group_by(M.category).tuples():
        member_counts[cat] = n
    # A full member confirmed (转正) after the period's end was still probationary then.
    late = _count(members.where(M.category == "full", ~_existing(M.confirmed_on, period)))
    member_counts["full"] -= late
    member_counts["probationary"] += late

    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "branch": branch.name if branch is not None else None,
        "branches": {**branch_counts, "total": sum(branch_counts.values())},
        "enterprises": {
            "total": _count(enterprises),
            "covered": sum(covered.values()),
            "in_service": _count(enterprises.where(E.in_service == True)),  # noqa: E712
        },
        "enterprises_covered": covered,
        "members": {
            **member_counts,
            "total": sum(member_counts.values()),
            "joined": member_years.joined_in(period, branch),
        },
        "activities": _activities(period, branch),
        "trainings": _trainings(period, branch),
        "teams": _teams(period, branch),
        "services": _services(period, branch),
        "issues": _issues(period, branch),
        "recruitment": recruitment.period_figures(
            period.start, period.end, branch.id if branch is not None else None
        ),
        "dues": dues.period_figures(period.start, period.end, branch.id if branch else None),
    }


def _activities(period: Period, branch: m.Branch | None) -> dict[str, int]:
    A, B = m.Activity, m.Branch
    q = (
        A.select(A.kind, pw.fn.COUNT(A.id))
        .join(B)
        .where(m.live(A), m.live(B), A.date.between(period.start, period.end))
    )
    if branch is not None:
        q = q.where(A.branch == branch.id)
    counts = {code: 0 for code in vocab.ACTIVITY_KIND.codes}
    for kind, n in q.group_by(A.kind).tuples():
        counts[kind] = n
    return {**counts, "total": sum(counts.values())}


def _trainings(period: Period, branch: m.Branch | None) -> dict[str, Any]:
    T, A, M = m.Training, m.Attendance, m.Member
    in_period = m.live(T) & T.start_date.between(period.start, period.end)
    # Attendance of a deleted member does not count; a non-member row has no member to check.
    member_ok = A.member.is_null() | (m.live(M))
    rows = (
        A.select()
        .join(T)
        .switch(A)
        .join(M, pw.JOIN.LEFT_OUTER)
        .where(in_period, m.live(A), member_ok)
    )
    sessions = T.select().where(in_period)
    if branch is not None:
        rows = rows.where(M.branch == branch.id)
        sessions = sessions.where(T.id.in_(rows.select(A.training)))
    result: dict[str, Any] = {}
    for code in vocab.TRAINING_KIND.codes:
        kind_rows = rows.where(T.kind == code)
        expected = _count(kind_rows)
        signed = _count(kind_rows.where(A.status == "signed"))
        result[code] = {
            "sessions": _count(sessions.where(T.kind == code)),
            "attendances": signed,
            "expected": expected,
            "leave": _count(kind_rows.where(A.status == "leave")),
            "absent": _count(kind_rows.where(A.status == "absent")),
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


def _teams(period: Period, branch: m.Branch | None) -> dict[str, int]:
    T = m.Team
    q = T.select(T.kind, pw.fn.COUNT(T.id)).where(m.live(T), _existing(T.founded_on, period))
    if branch is not None:
        q = q.where(T.branch == branch.id)
    counts = {code: 0 for code in vocab.TEAM_KIND.codes}
    for kind, n in q.group_by(T.kind).tuples():
        counts[kind] = n
    return {**counts, "total": sum(counts.values())}


def _services(period: Period, branch: m.Branch | None) -> dict[str, Any]:
    S, T, P, M = m.Service, m.Team, m.ServiceParticipant, m.Member
    q = S.select().join(T).where(m.live(S), m.live(T), S.date.between(period.start, period.end))
    if branch is not None:
        q = q.where(T.branch == branch.id)
    participants = (
        P.select().join(M).switch(P).where(m.live(P), m.live(M), P.service.in_(q.select(S.id)))
    )
    hours = q.select(pw.fn.SUM(S.hours)).scalar() or 0
    return {
        "count": _count(q),
        "participants": _count(participants),
        "hours": round(float(hours), 1),
    }


def _issues(period: Period, branch: m.Branch | None) -> dict[str, Any]:
    Iss, E = m.EnterpriseIssue, m.Enterprise
    base = Iss.select().join(E).where(m.live(Iss), m.live(E))
    if branch is not None:
        base = base.where(E.branch == branch.id)
    received = base.where(Iss.received_on.between(period.start, period.end))
    resolved = base.where(
        Iss.state == "resolved", Iss.resolved_on.between(period.start, period.end)
    )
    by_category = {code: 0 for code in vocab.ISSUE_CATEGORY.codes}
    for cat, n in (
        resolved.select(Iss.category, pw.fn.COUNT(Iss.id)).group_by(Iss.category).tuples()
    ):
        by_category[cat] = n
    pending = base.where(Iss.received_on <= period.end, Iss.open_on(period.end))  # as it stood then
    cutoff = overdue.as_of(period.end)
    days = [
        (r - s).days
        for s, r in resolved.select(Iss.received_on, Iss.resolved_on).tuples()
        if r is not None and s is not None
    ]
    return {
        "received": _count(received),
        "resolved": len(days),
        "unresolvable": _count(
            base.where(
                Iss.state == "unresolvable", Iss.resolved_on.between(period.start, period.end)
            )
        ),
        "pending": _count(pending),
        "overdue": _count(pending.where(Iss.overdue_on(cutoff))),
        "resolved_by_category": by_category,
        "average_days_to_resolve": round(sum(days) / len(days), 1) if days else None,
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
