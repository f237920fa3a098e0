"""The figures as they were computed before grouping: one query per figure, per branch (oracle).

Copied from ``services/stats.py``, ``services/report.py``, ``services/dues.py`` and
``services/recruitment.py`` as they stood before issue 12, word for word except for the module
prefixes, so the tests can check that the grouped queries give exactly these figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import peewee as pw

from partybuild.domain import dues as rules_mod
from partybuild.domain import overdue, vocab
from partybuild.services import compliance, member_years
from partybuild.services.dues import (
    Arrears,
    Collection,
    _rows,
    covered,
    month_from_index,
    month_index,
    state_of,
)
from partybuild.services.report import BranchRow
from partybuild.services.stats import Period, _existing, members_at_end
from partybuild.store import models as m

ACTIVE = ("normal", "mobile")
PARTY = ("full", "probationary")


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
        "recruitment": recruitment_period_figures(
            period.start, period.end, branch.id if branch is not None else None
        ),
        "dues": dues_period_figures(period.start, period.end, branch.id if branch else None),
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


# --- services/recruitment.py


def recruitment_period_figures(
    start: dt.date, end: dt.date, branch_id: int | None = None
) -> dict[str, int]:
    """发展党员 in a period: how many of the people with recorded stages reached each stage."""
    M = m.Member
    figures = {}
    for key, name in (
        ("applied", "applied_on"),
        ("activists", "activist_on"),
        ("candidates", "candidate_on"),
        ("admitted", "joined_on"),
        ("confirmed", "confirmed_on"),
    ):
        f = M._meta.fields[name]
        query = M.select().where(m.live(M), f.between(start, end), M.applied_on.is_null(False))
        if branch_id is not None:
            query = query.where(M.branch == branch_id)
        figures[key] = int(query.count())
    return figures


# --- services/dues.py


def arrears(as_of: dt.date, branch_id: int | None = None, since_months: int = 24) -> list[Arrears]:
    """Members with unpaid ended months in the ``since_months`` before ``as_of``."""
    last = month_index(as_of) - 1  # the current month is still open
    first = last - since_months + 1
    start, end = month_from_index(first).earliest(), month_from_index(last).earliest()
    per: dict[int, dict[str, Any]] = {}
    for row in _rows(start, end, branch_id).dicts():
        state = state_of(row["due"], row["paid"], row["paid_on"], row["month"], row["until"])
        if state not in ("unpaid", "short"):
            continue
        spanned = [x for x in covered(row["month"], row["until"]) if month_index(x) <= last]
        if not spanned:
            continue
        item = per.setdefault(
            row["member"],
            {"name": row["name"], "branch": row["bn"], "months": [], "owed": [], "ids": []},
        )
        item["ids"].append(row["id"])
        item["months"].extend(spanned)
        share = Decimal(len(spanned)) / len(covered(row["month"], row["until"]))
        item["owed"].append(((row["due"] - (row["paid"] or 0)) * share).quantize(rules_mod.CENT))
    result = []
    for member_id, item in per.items():
        months = sorted(item["months"])
        indexes = [month_index(x) for x in months]
        run = best = 0
        for i, index in enumerate(indexes):
            run = run + 1 if i and index == indexes[i - 1] + 1 else 1
            best = max(best, run)
        late = tuple(x for x in months if last - month_index(x) >= rules_mod.BACKPAY_MONTHS)
        result.append(
            Arrears(
                member_id,
                item["name"],
                item["branch"],
                tuple(months),
                sum(item["owed"], Decimal("0.00")),
                best,
                late,
                tuple(item["ids"]),
            )
        )
    result.sort(key=lambda a: (-a.longest_run, a.branch or "", a.name))
    return result


def collection(
    start: dt.date, end: dt.date, branch_id: int | None = None
) -> dict[int | None, Collection]:
    """Per branch (None: members without a branch) the period's dues and what was paid for it."""
    sums: dict[int | None, list[Any]] = {}
    for row in _rows(start, end, branch_id).dicts():
        item = sums.setdefault(row["branch"], [Decimal("0.00"), Decimal("0.00"), set()])
        item[0] += row["due"]
        item[1] += row["paid"] or 0
        item[2].add(row["member"])
    return {k: Collection(v[0], v[1], len(v[2])) for k, v in sums.items()}


def dues_period_figures(
    start: dt.date, end: dt.date, branch_id: int | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Months from ``start`` to ``end``: 应交, 实交 (what was paid for those months), 收缴率 and
    the members with an ended month of the period 未交 or 少交 (as of the period's end or today)."""
    parts = collection(start, end, branch_id).values()
    due = sum((c.due for c in parts), Decimal("0.00"))
    paid = sum((c.paid for c in parts), Decimal("0.00"))
    as_of = min(today or dt.date.today(), end + dt.timedelta(days=1))
    span = month_index(end) - month_index(start) + 1
    owing = [
        a
        for a in arrears(as_of, branch_id, span + 1)
        if any(start <= x.earliest() <= end for x in a.months)
    ]
    total = Collection(due, paid, 0)
    return {
        "due": rules_mod.money_text(due),
        "paid": rules_mod.money_text(paid),
        # A share, as the other rates of ``stats`` (trainings.rate): 0.9674 is 96.7 %.
        "rate": None if total.due == 0 else float((paid / due).quantize(Decimal("0.0001"))),
        "members_in_arrears": len(owing),
    }


# --- services/report.py


def _exists_at(field: pw.Field, end: dt.date) -> pw.Expression:
    """As stats counts it (stats._existing): a partial founding counts when certainly by ``end``."""
    if isinstance(field, m.PartialDateField):
        return field.is_null() | m.certainly_by(field, end)
    return field.is_null() | (field <= end)


def _ids(query: pw.ModelSelect, model: type[m.BaseModel]) -> list[int]:
    return [row[0] for row in query.select(model.id).order_by(model.id).tuples()]


def branch_ids(period: Period, kind: str) -> list[int]:
    """Live branches of a kind existing at the end of the period (``branches.<kind>``)."""
    B = m.Branch
    return _ids(
        B.select().where(m.live(B), _exists_at(B.founded_on, period.end), B.kind == kind), B
    )


def party_member_ids(period: Period | None = None) -> list[int]:
    """Full and probationary members on the roll at the period's end (today without one) —
    ``members.full + members.probationary`` (stats.members_at_end)."""
    M = m.Member
    if period is None:
        query = M.select().where(m.live(M), M.status.in_(ACTIVE))
    else:
        query = members_at_end(period)
    return _ids(query.where(M.category.in_(PARTY)), M)


def training_ids(period: Period, kind: str | None = None) -> list[int]:
    """Live trainings starting in the period (``trainings.<kind>.sessions``)."""
    T = m.Training
    query = T.select().where(m.live(T), T.start_date.between(period.start, period.end))
    if kind is not None:
        query = query.where(T.kind == kind)
    return _ids(query, T)


def team_ids(period: Period, kind: str) -> list[int]:
    """Live teams of a kind existing at the end of the period (``teams.<kind>``)."""
    T = m.Team
    return _ids(
        T.select().where(m.live(T), _exists_at(T.founded_on, period.end), T.kind == kind), T
    )


def service_ids(period: Period, team_id: int | None = None) -> list[int]:
    """Live services of live teams in the period (``services.count``)."""
    S, T = m.Service, m.Team
    query = S.select().join(T).where(m.live(S), m.live(T), S.date.between(period.start, period.end))
    if team_id is not None:
        query = query.where(S.team == team_id)
    return _ids(query, S)


def _report_issues() -> pw.ModelSelect:
    I, E = m.EnterpriseIssue, m.Enterprise
    return I.select().join(E).where(m.live(I), m.live(E))


def resolved_issue_ids(period: Period, category: str | None = None) -> list[int]:
    """Resolved (已解决) with 办结日期 in the period (``issues.resolved``)."""
    I = m.EnterpriseIssue
    query = _report_issues().where(
        I.state == "resolved", I.resolved_on.between(period.start, period.end)
    )
    if category is not None:
        query = query.where(I.category == category)
    return _ids(query, I)


def pending_issue_ids(period: Period, overdue_only: bool = False) -> list[int]:
    """Received by the period's end and not closed then; ``overdue_only``: past 办结时限 too."""
    I = m.EnterpriseIssue
    query = _report_issues().where(I.received_on <= period.end, I.open_on(period.end))
    if overdue_only:
        query = query.where(I.overdue_on(overdue.as_of(period.end)))
    return _ids(query, I)


def _branch_rows(period: Period, check: compliance.ComplianceReport) -> list[BranchRow]:
    """Per branch, the figures of ``stats --branch`` (the same function, so they agree)."""
    B = m.Branch
    rows = []
    order = {code: i for i, code in enumerate(vocab.BRANCH_KIND.codes)}
    branches = list(B.select().where(m.live(B), _exists_at(B.founded_on, period.end)))
    branches.sort(key=lambda b: (order.get(b.kind, 9), b.id))
    for branch in branches:
        f = compute(period, branch)
        held, due = check.due_for_branch(branch.id)
        rows.append(
            BranchRow(
                branch.id,
                branch.name,
                branch.kind,
                f["members"]["full"] + f["members"]["probationary"],
                f["members"]["full"],
                f["enterprises"]["total"],
                held,
                due,
                f["trainings"]["total"]["attendances"],
                f["services"]["count"],
                f["issues"]["resolved"],
            )
        )
    return rows
