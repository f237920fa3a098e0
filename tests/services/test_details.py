"""Detail at a glance: what a side panel lists for a member, enterprise, branch or training — live
records only, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import peewee as pw
import pytest

from partybuild.domain.validators import make_credit_code, make_id_number
from partybuild.services import details, records
from partybuild.services.errors import RecordNotFound
from partybuild.store import models as m

TODAY = dt.date(2023, 12, 31)
_seq = itertools.count(1)


def make_member(name: str, **data: object) -> m.Member:
    n = next(_seq)
    born = dt.date(1980, 1, 1) + dt.timedelta(days=n * 41)
    return records.create(
        "members", {"name": name, "id_number": make_id_number("999999", born, n), **data}
    )


def attend(activity: m.Activity, member: m.Member, status: str = "present") -> m.ActivityAttendee:
    return m.ActivityAttendee.create(activity=activity, member=member, status=status)


@pytest.fixture
def world(db: pw.Database) -> dict[str, m.BaseModel]:
    """One member with live and binned trainings, activities and teams around them."""
    b1 = records.create(
        "branches", {"name": "第一联合党支部", "kind": "joint", "secretary": "李书记"}
    )
    b2 = records.create("branches", {"name": "第二党支部", "kind": "standalone"})
    ent = records.create(
        "enterprises",
        {
            "name": "恒远化工有限公司",
            "credit_code": make_credit_code("91360281MA35ABCDE"),
            "industry": "精细化工",
            "branch": b1,
        },
    )
    zhang = make_member(
        "张示安",
        branch=b1,
        enterprise=ent,
        phone="13812345678",
        joined_on=dt.date(2009, 7, 1),
        confirmed_on=dt.date(2010, 7, 1),
    )
    li = make_member(
        "李预备",
        branch=b1,
        enterprise=ent,
        category="probationary",
        joined_on=dt.date(2023, 5, 1),
        party_post="组织委员",
    )
    make_member("王申请", branch=b1, enterprise=ent, category="applicant")
    gone = make_member("赵已删", branch=b1, enterprise=ent)

    t1 = records.create(
        "trainings",
        {"name": "党员轮训第一期", "kind": "rotation", "start_date": dt.date(2023, 3, 1)},
    )
    t2 = records.create(
        "trainings",
        {"name": "二十大精神宣讲", "kind": "lecture", "start_date": dt.date(2023, 6, 1)},
    )
    t_binned = records.create(
        "trainings", {"name": "已删除的培训", "kind": "other", "start_date": dt.date(2023, 8, 1)}
    )
    t_row_binned = records.create(
        "trainings", {"name": "签到被删的培训", "kind": "other", "start_date": dt.date(2023, 9, 1)}
    )
    records.create("attendance", {"training": t1, "member": zhang, "status": "signed"})
    records.create("attendance", {"training": t2, "member": zhang, "status": "leave"})
    records.create("attendance", {"training": t2, "member": li, "status": "signed"})
    records.create(
        "attendance", {"training": t2, "person_name": "访客甲", "person_unit": "园区管委会"}
    )
    records.create("attendance", {"training": t2, "member": gone, "status": "signed"})
    records.create("attendance", {"training": t_binned, "member": zhang, "status": "signed"})
    row = records.create(
        "attendance", {"training": t_row_binned, "member": zhang, "status": "signed"}
    )
    records.soft_delete("trainings", t_binned.id)
    records.soft_delete("attendance", row.id)
    records.soft_delete("members", gone.id)

    day = records.create(
        "activities",
        {"branch": b1, "kind": "theme_day", "date": dt.date(2023, 7, 1), "topic": "七一主题党日"},
    )
    meeting = records.create(
        "activities",
        {
            "branch": b1,
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 20),
            "topic": "一季度党员大会",
        },
    )
    older = records.create(
        "activities",
        {
            "branch": b1,
            "kind": "general_meeting",
            "date": dt.date(2023, 1, 5),
            "topic": "年初党员大会",
        },
    )
    binned_act = records.create(
        "activities",
        {
            "branch": b1,
            "kind": "party_lesson",
            "date": dt.date(2023, 9, 1),
            "topic": "已删除的党课",
        },
    )
    other_branch = records.create(
        "activities",
        {"branch": b2, "kind": "theme_day", "date": dt.date(2023, 8, 1), "topic": "二支部主题党日"},
    )
    attend(day, zhang)
    attend(meeting, zhang, "leave")
    attend(older, zhang)
    attend(binned_act, zhang)
    attend(other_branch, zhang)
    records.soft_delete("activities", binned_act.id)
    records.soft_delete("branches", b2.id)

    team = records.create(
        "teams",
        {"name": "红色先锋志愿服务队", "kind": "volunteer", "branch": b1, "leader": "张示安"},
    )
    binned_team = records.create(
        "teams", {"name": "已解散突击队", "kind": "commando", "branch": b1}
    )
    m.TeamMember.create(team=team, member=zhang, role="队员")
    m.TeamMember.create(team=binned_team, member=zhang)
    records.soft_delete("teams", binned_team.id)

    records.create(
        "issues",
        {
            "enterprise": ent,
            "received_on": dt.date(2023, 10, 9),
            "category": "utilities",
            "description": "蒸汽供应不稳定",
            "deadline": dt.date(2023, 11, 30),
        },
    )
    records.create(
        "issues",
        {
            "enterprise": ent,
            "received_on": dt.date(2023, 11, 2),
            "category": "staffing",
            "description": "招工难",
            "deadline": dt.date(2024, 2, 1),
            "state": "in_progress",
        },
    )
    records.create(
        "issues",
        {
            "enterprise": ent,
            "received_on": dt.date(2023, 4, 1),
            "category": "approval",
            "description": "环评审批慢",
            "deadline": dt.date(2023, 5, 1),
            "state": "resolved",
            "resolved_on": dt.date(2023, 4, 20),
        },
    )
    binned_issue = records.create(
        "issues",
        {
            "enterprise": ent,
            "received_on": dt.date(2023, 12, 1),
            "category": "other",
            "description": "重复登记",
        },
    )
    records.soft_delete("issues", binned_issue.id)
    return {"b1": b1, "ent": ent, "zhang": zhang, "li": li, "t1": t1, "t2": t2, "team": team}


def test_member_detail_lists_live_trainings_activities_and_teams(world: dict) -> None:
    d = details.member_detail(world["zhang"].id, today=TODAY)
    assert (d.name, d.branch, d.enterprise, d.category_label) == (
        "张示安",
        "第一联合党支部",
        "恒远化工有限公司",
        "正式党员",
    )
    assert d.party_years == 13 and d.age is not None
    assert [(t.name, t.start_date, t.status_label) for t in d.trainings] == [
        ("二十大精神宣讲", dt.date(2023, 6, 1), "请假"),
        ("党员轮训第一期", dt.date(2023, 3, 1), "已签到"),
    ]
    # The binned activity, and the one of the binned branch, are left out; newest first.
    assert [(a.date, a.branch, a.kind_label, a.topic, a.status_label) for a in d.activities] == [
        (dt.date(2023, 7, 1), "第一联合党支部", "主题党日", "七一主题党日", "出席"),
        (dt.date(2023, 3, 20), "第一联合党支部", "支部党员大会", "一季度党员大会", "请假"),
        (dt.date(2023, 1, 5), "第一联合党支部", "支部党员大会", "年初党员大会", "出席"),
    ]
    assert [(t.name, t.kind_label, t.role) for t in d.teams] == [
        ("红色先锋志愿服务队", "党员志愿服务队", "队员")
    ]
    assert d.totals == {"trainings": 2, "activities": 3, "teams": 1}


def test_member_detail_carries_no_full_id_number_or_phone(world: dict) -> None:
    zhang = world["zhang"]
    d = details.member_detail(zhang.id)
    assert d.id_number_masked.startswith("9999") and "*" in d.id_number_masked
    assert d.phone_masked == "138****5678"
    flat = repr(dataclasses.asdict(d))
    assert zhang.id_number not in flat and "13812345678" not in flat


def test_member_detail_of_a_binned_member_is_not_found(world: dict) -> None:
    records.soft_delete("members", world["zhang"].id)
    with pytest.raises(RecordNotFound):
        details.member_detail(world["zhang"].id)


def test_member_lists_are_capped_but_the_total_is_kept(world: dict) -> None:
    d = details.member_detail(world["zhang"].id, cap=2)
    assert len(d.activities) == 2 and d.totals["activities"] == 3
    assert d.activities[0].topic == "七一主题党日"  # the most recent ones are kept


def test_a_binned_branch_does_not_show_on_its_member(world: dict) -> None:
    records.soft_delete("branches", world["b1"].id)
    d = details.member_detail(world["zhang"].id)
    assert d.branch is None
    # The activities of a binned branch are left out, as in the statistics.
    assert d.activities == []


def test_enterprise_detail_lists_branch_members_and_issues_with_overdue_flag(world: dict) -> None:
    d = details.enterprise_detail(world["ent"].id, today=TODAY)
    assert (d.branch, d.branch_kind_label, d.industry_label) == (
        "第一联合党支部",
        "联合党支部",
        "精细化工",
    )
    # Office holders first; the binned member is not listed.
    assert [(p.name, p.category_label, p.party_post) for p in d.members] == [
        ("李预备", "预备党员", "组织委员"),
        ("张示安", "正式党员", None),
        ("王申请", "入党申请人", None),
    ]
    assert [
        (i.received_on, i.category_label, i.description, i.state_label, i.overdue) for i in d.issues
    ] == [
        (dt.date(2023, 11, 2), "用工", "招工难", "办理中", False),
        (dt.date(2023, 10, 9), "水电气等要素保障", "蒸汽供应不稳定", "待办", True),
        (dt.date(2023, 4, 1), "审批手续", "环评审批慢", "已解决", False),  # closed: never overdue
    ]
    assert (d.open_issues, d.overdue_issues) == (2, 1)


def test_branch_detail_counts_members_and_finds_the_last_activity_of_each_kind(world: dict) -> None:
    d = details.branch_detail(world["b1"].id)
    assert (d.name, d.kind_label, d.secretary) == ("第一联合党支部", "联合党支部", "李书记")
    assert [(e.name, e.members) for e in d.enterprises] == [("恒远化工有限公司", 3)]
    counts = dict(d.member_counts)
    assert counts["正式党员"] == 1 and counts["预备党员"] == 1 and counts["入党申请人"] == 1
    assert d.member_total == 3  # the binned member is not counted
    assert [t.name for t in d.teams] == ["红色先锋志愿服务队"]
    last = {a.kind: (a.date, a.topic) for a in d.last_activities}
    assert last["general_meeting"] == (dt.date(2023, 3, 20), "一季度党员大会")
    assert last["theme_day"] == (dt.date(2023, 7, 1), "七一主题党日")
    assert last["party_lesson"] == (None, None)  # the only one is in the recycle bin


def test_training_detail_counts_attendance_like_the_statistics(world: dict) -> None:
    d = details.training_detail(world["t2"].id)
    # 张示安 on leave, 李预备 signed, a guest not yet signed; the binned member's row does not count.
    assert (d.expected, d.signed, d.leave, d.absent, d.not_signed) == (3, 1, 1, 0, 1)
    assert d.rate == pytest.approx(1 / 3, abs=1e-4)
    assert sorted((a.name, a.unit, a.status_label) for a in d.attendees) == sorted(
        [
            ("张示安", "恒远化工有限公司", "请假"),
            ("李预备", "恒远化工有限公司", "已签到"),
            ("访客甲", "园区管委会", "未签到"),
        ]
    )


def test_training_with_nobody_expected_has_no_rate(db: pw.Database) -> None:
    t = records.create(
        "trainings", {"name": "空培训", "kind": "other", "start_date": dt.date(2023, 1, 1)}
    )
    d = details.training_detail(t.id)
    assert (d.expected, d.rate, d.attendees) == (0, None, [])
