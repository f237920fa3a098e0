"""Compliance on hand-built data, on SQLite and PostgreSQL: what is due, what was held, what is
missing; quorum; branch setup; overdue problems; deleted records never count."""

from __future__ import annotations

import datetime as dt
import itertools

import peewee as pw
import pytest

from partybuild.domain.compliance import Rule, default_rules
from partybuild.domain.validators import make_id_number
from partybuild.services import compliance, records, relations, stats
from partybuild.store import models as m

AFTER_2023 = dt.date(2024, 3, 1)
GENERAL_ONLY = [Rule("general_meeting", "quarter", "all", "支部党员大会")]
_seq = itertools.count(1)


def branch(name: str, kind: str = "standalone", **extra: object) -> m.Branch:
    return records.create(
        "branches", {"name": name, "kind": kind, "founded_on": dt.date(2020, 5, 4), **extra}
    )


def meeting(b: m.Branch, kind: str, day: dt.date, topic: str | None = None) -> m.Activity:
    return records.create(
        "activities", {"branch": b, "kind": kind, "date": day, "topic": topic or f"{kind}{day}"}
    )


def member(b: m.Branch | None, enterprise: m.Enterprise | None = None, category: str = "full"):  # noqa: ANN201
    n = next(_seq)
    born = dt.date(1970, 1, 1) + dt.timedelta(days=n * 13)
    data = {
        "name": f"张示{n}",
        "id_number": make_id_number("999999", born, n % 1000),
        "branch": b,
        "enterprise": enterprise,
        "category": category,
    }
    if category in ("full", "probationary"):
        data["joined_on"] = dt.date(2015, 7, 1)
    return records.create("members", data)


def enterprise(name: str, b: m.Branch | None = None) -> m.Enterprise:
    return records.create("enterprises", {"name": name, "branch": b})


def quarter_days(*quarters: int) -> list[dt.date]:
    return [dt.date(2023, q * 3 - 1, 10) for q in quarters]


def test_a_missed_quarter_is_reported_for_exactly_that_quarter(db: pw.Database) -> None:
    missed, kept = branch("恒远化工有限公司党支部"), branch("瑞丰医药有限公司党支部")
    for day in quarter_days(1, 2, 4):
        meeting(missed, "general_meeting", day)
    for day in quarter_days(1, 2, 3, 4):
        meeting(kept, "general_meeting", day)
    report = compliance.check_year(2023, AFTER_2023, GENERAL_ONLY)
    assert [(d.branch, d.slot.key) for d in report.reminders] == [
        ("恒远化工有限公司党支部", "2023-Q3")
    ]
    assert report.reminders[0].message() == "恒远化工有限公司党支部：第三季度未召开支部党员大会"
    assert report.due_for_branch(missed.id) == (3, 4)
    assert report.due_for_branch(kept.id) == (4, 4)
    data = report.to_dict()
    assert data["due"] == {
        "total": 8,
        "held": 7,
        "missing": 1,
        "by_kind": {"general_meeting": {"due": 8, "held": 7}},
    }


def test_a_branch_that_held_everything_is_not_reminded(db: pw.Database) -> None:
    b = branch("金诚新材料有限公司党支部", has_committee=True, has_groups=True)
    for q in range(1, 5):
        meeting(b, "general_meeting", dt.date(2023, q * 3, 5))
        meeting(b, "party_lesson", dt.date(2023, q * 3, 6))
    for month in range(1, 13):
        for kind in ("committee_meeting", "group_meeting", "theme_day"):
            meeting(b, kind, dt.date(2023, month, 20))
    meeting(b, "life_meeting", dt.date(2023, 12, 12))
    meeting(b, "review", dt.date(2023, 12, 26))
    report = compliance.check_year(2023, AFTER_2023, default_rules())
    assert report.reminders == []
    assert report.due_for_branch(b.id) == (46, 46)  # 4 + 4 + 12 × 3 + 1 + 1


def test_committee_and_group_rules_apply_only_where_they_exist(db: pw.Database) -> None:
    branch("宏运科技有限公司党支部", has_committee=True)  # nothing held at all
    kinds = {d.kind for d in compliance.check_year(2023, AFTER_2023, default_rules()).reminders}
    assert "committee_meeting" in kinds and "group_meeting" not in kinds


def test_a_branch_is_considered_from_its_founding_period_and_up_to_today(db: pw.Database) -> None:
    b = branch("园区第一联合党支部", "joint", founded_on=dt.date(2023, 8, 15))
    meeting(b, "general_meeting", dt.date(2023, 8, 15), "支部成立大会")
    meeting(b, "theme_day", dt.date(2023, 8, 28))
    today = dt.date(2023, 11, 10)
    report = compliance.check_year(2023, today, default_rules())
    assert report.as_of == today
    due = {(d.kind, d.slot.key): d for d in report.dues}
    assert ("general_meeting", "2023-Q2") not in due  # before the founding quarter
    assert due[("general_meeting", "2023-Q3")].held
    assert ("theme_day", "2023-07") not in due and due[("theme_day", "2023-08")].held
    assert ("theme_day", "2023-12") not in due  # after today
    missing = {(d.kind, d.slot.key): d.running for d in report.reminders}
    assert missing[("theme_day", "2023-09")] is False  # past and missed
    assert missing[("theme_day", "2023-11")] is True  # the running month
    assert missing[("general_meeting", "2023-Q4")] is True
    assert missing[("party_lesson", "2023-Q3")] is False
    running = next(d for d in report.reminders if d.slot.key == "2023-11")
    assert "尚未开展主题党日" in running.message()
    # A year that has not begun owes nothing yet.
    assert compliance.check_year(2024, today, default_rules()).dues == []


def test_deleted_records_never_count(db: pw.Database) -> None:
    b = branch("恒远化工有限公司党支部")
    held = [meeting(b, "general_meeting", day) for day in quarter_days(1, 2, 3, 4)]
    assert compliance.check_year(2023, AFTER_2023, GENERAL_ONLY).reminders == []
    records.soft_delete("activities", held[1].id)
    report = compliance.check_year(2023, AFTER_2023, GENERAL_ONLY)
    assert [d.slot.key for d in report.reminders] == ["2023-Q2"]
    gone = branch("已撤销党支部")
    records.soft_delete("branches", gone.id)
    assert all(d.branch_id != gone.id for d in compliance.check_year(2023, AFTER_2023).dues)
    # A deleted enterprise's problem is not overdue; a deleted member is not counted.
    e = enterprise("金诚化工有限公司")
    problem = records.create(
        "issues",
        {
            "enterprise": e,
            "received_on": dt.date(2023, 3, 1),
            "category": "utilities",
            "description": "供电",
            "deadline": dt.date(2023, 4, 1),
        },
    )
    assert [i.id for i in compliance.overdue_issues(dt.date(2023, 12, 31))] == [problem.id]
    records.soft_delete("enterprises", e.id)
    assert compliance.overdue_issues(dt.date(2023, 12, 31)) == []
    small = branch("小支部", "joint")
    people = [member(small) for _ in range(7)]
    assert [w.code for w in compliance.setup_warnings()] == ["no_committee"]
    records.soft_delete("members", people[0].id)
    assert compliance.setup_warnings() == []


def _attend(activity: m.Activity, present: list[m.Member], absent: list[m.Member]) -> None:
    relations.add_activity_members(activity.id, [p.id for p in present + absent])
    rows = {r.member_id: r.id for r in relations.activity_attendees(activity.id)}
    relations.set_attendee_status([rows[p.id] for p in absent], "absent")


def test_a_general_meeting_below_quorum_is_flagged(db: pw.Database) -> None:
    b = branch("瑞丰医药有限公司党支部")
    full = [member(b) for _ in range(4)]
    probationary = member(b, category="probationary")
    half = meeting(b, "general_meeting", dt.date(2023, 3, 10), "学习党章")
    _attend(half, full[:2] + [probationary], full[2:])  # 2 of 4: exactly half is not enough
    enough = meeting(b, "general_meeting", dt.date(2023, 6, 10), "讨论发展党员")
    _attend(enough, full[:3], full[3:])
    unrecorded = meeting(b, "general_meeting", dt.date(2023, 9, 10), "学习讲话精神")
    meeting(b, "theme_day", dt.date(2023, 9, 11))  # not a 党员大会: never checked
    flags = compliance.check_year(2023, AFTER_2023, GENERAL_ONLY).quorum_flags
    assert [(f.activity_id, f.present, f.entitled, f.recorded) for f in flags] == [
        (half.id, 2, 4, True),
        (unrecorded.id, 0, 4, False),
    ]
    assert "未达到法定人数" in flags[0].message() and "未登记到会情况" in flags[1].message()


def test_branch_setup_warnings_follow_the_rules(db: pw.Database) -> None:
    big_joint = branch("园区第一联合党支部", "joint")
    for i in range(6):
        enterprise(f"示例{i}化工有限公司", big_joint)
    ok_joint = branch("园区第二联合党支部", "joint")
    grown = enterprise("恒远化工有限公司", ok_joint)
    for _ in range(3):
        member(ok_joint, grown)
    member(ok_joint, enterprise("瑞丰化工有限公司", ok_joint))
    crowded = branch("鑫达化工有限公司党支部", has_committee=True)
    for _ in range(51):
        member(crowded, category="probationary")
    committee_less = branch("云峰医药有限公司党支部")
    for _ in range(7):
        member(committee_less)
    with_committee = branch("天成医药有限公司党支部", has_committee=True)
    for _ in range(7):
        member(with_committee)
    warnings = {(w.code, w.branch) for w in compliance.setup_warnings()}
    assert warnings == {
        ("joint_too_many_units", "园区第一联合党支部"),
        ("too_many_members", "鑫达化工有限公司党支部"),
        ("no_committee", "云峰医药有限公司党支部"),
        ("enterprise_needs_branch", "园区第二联合党支部"),
    }
    own = next(w for w in compliance.setup_warnings() if w.code == "enterprise_needs_branch")
    assert own.enterprise == "恒远化工有限公司" and own.value == 3
    assert "6 家企业" in next(
        w.message for w in compliance.setup_warnings() if w.code == "joint_too_many_units"
    )


def test_overdue_problems_and_days_to_resolve(db: pw.Database) -> None:
    e = enterprise("恒远化工有限公司")

    def issue(description: str, **values: object) -> m.EnterpriseIssue:
        data = {
            "enterprise": e,
            "received_on": dt.date(2023, 5, 1),
            "category": "utilities",
            "description": description,
            "responsible_unit": "市供电公司",
            "deadline": dt.date(2023, 6, 1),
        }
        return records.create("issues", {**data, **values})

    late = issue("供电专线")
    issue("燃气管网", deadline=dt.date(2024, 6, 1))  # not due yet
    issue("用工", category="staffing", state="resolved", resolved_on=dt.date(2023, 5, 11))
    for days, unit in ((4, "市人社局"), (30, "市人社局"), (5, "市人社局")):
        issue(
            f"招工{days}",
            category="staffing",
            responsible_unit=unit,
            state="resolved",
            resolved_on=dt.date(2023, 5, 1) + dt.timedelta(days=days),
        )
    report = compliance.check_year(2023, AFTER_2023, GENERAL_ONLY)
    assert [(i.id, i.days_overdue) for i in report.overdue_issues] == [(late.id, 213)]
    assert "已超期 213 天" in report.overdue_issues[0].message()
    assert len(report.overdue_issues) == stats.year_stats(2023)["issues"]["overdue"]
    staffing = next(r for r in report.resolve_by_category if r.key == "staffing")
    assert (staffing.count, staffing.average_days, staffing.median_days) == (4, 12.2, 7.5)
    units = {r.key: r for r in report.resolve_by_unit}
    assert (units["市人社局"].count, units["市人社局"].median_days) == (3, 5.0)
    assert units["市供电公司"].average_days == 10.0


@pytest.mark.parametrize(
    ("period", "labels"),
    [
        ("month", ["1月", "12月"]),
        ("quarter", ["第一季度", "第四季度"]),
        ("half_year", ["上半年", "下半年"]),
        ("year", ["全年", "全年"]),
    ],
)
def test_periods_cover_the_year(period: str, labels: list[str]) -> None:
    slots = compliance.slots(period, 2024)
    assert slots[0].start == dt.date(2024, 1, 1) and slots[-1].end == dt.date(2024, 12, 31)
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(slots))
    assert [slots[0].label, slots[-1].label] == labels


def test_one_definition_of_overdue_in_progress_overview_stats_and_details(
    db: pw.Database,
) -> None:
    """Overdue is judged on min(today, the period's end) everywhere: 办理进度 and this year's
    overview count the same days; a past year counts to its end and says so."""
    from partybuild.services import details, relations, report, stats

    firm = records.create("enterprises", {"name": "恒远化工有限公司"})
    issue = records.create(
        "issues",
        {
            "enterprise": firm,
            "received_on": dt.date(2023, 5, 1),
            "category": "utilities",
            "description": "供电专线",
            "deadline": dt.date(2023, 6, 1),
        },
    )
    today = dt.date.today()
    to_today = (today - dt.date(2023, 6, 1)).days
    assert relations.deadline_text(issue) == f"已超期 {to_today} 天"  # 办理进度
    this_year = compliance.check_year(today.year).overdue_issues
    assert [i.days_overdue for i in this_year] == [to_today]
    assert "截至" not in this_year[0].message()
    assert f"已超期 {to_today} 天" in this_year[0].message()
    past = compliance.check_year(2023).overdue_issues
    assert [i.days_overdue for i in past] == [213]  # 2023-06-01 → 2023-12-31
    assert past[0].message().endswith("截至2023-12-31已超期 213 天")
    assert past[0].to_dict()["as_of"] == "2023-12-31"
    assert stats.year_stats(2023)["issues"]["overdue"] == 1
    assert report.pending_issue_ids(stats.Period.year(2023), overdue_only=True) == [issue.id]
    assert details.enterprise_detail(firm.id).overdue_issues == 1
    # On the deadline itself it is 今日到期 everywhere, not overdue.
    on_deadline = dt.date(2023, 6, 1)
    assert relations.deadline_text(issue, on_deadline) == "今日到期"
    assert compliance.check_year(2023, today=on_deadline).overdue_issues == []
    assert details.enterprise_detail(firm.id, today=on_deadline).overdue_issues == 0
    assert not issue.overdue(on_deadline) and issue.overdue(dt.date(2023, 6, 2))
