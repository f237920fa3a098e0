"""Relationships edited where they live: sign-in lists, attendees, teams, services, a branch's
enterprises, issue progress — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import peewee as pw
import pytest

from partybuild.domain.validators import make_id_number
from partybuild.services import records, relations
from partybuild.services.errors import StaleRecordError, ValidationError
from partybuild.store import models as m

_seq = itertools.count(1)


def make_member(
    name: str,
    branch: m.Branch | None = None,
    enterprise: m.Enterprise | None = None,
    category: str = "full",
    status: str = "normal",
) -> m.Member:
    """A valid member; every call gets a fresh ID number."""
    n = next(_seq)
    born = dt.date(1970, 1, 1) + dt.timedelta(days=(n * 37) % 9000)
    data = {
        "name": name,
        "id_number": make_id_number("999999", born, n % 1000),
        "branch": branch,
        "enterprise": enterprise,
        "category": category,
        "status": status,
    }
    if category in ("full", "probationary"):
        data["joined_on"] = born.replace(year=born.year + 25)
    return records.create("members", data)


def make_training(name: str = "2023年党员轮训（第一期）") -> m.Training:
    return records.create(
        "trainings", {"name": name, "kind": "rotation", "start_date": dt.date(2023, 6, 20)}
    )


def make_branch(name: str, kind: str = "joint") -> m.Branch:
    return records.create("branches", {"name": name, "kind": kind})


def make_enterprise(name: str, branch: m.Branch | None = None) -> m.Enterprise:
    return records.create("enterprises", {"name": name, "branch": branch})


@pytest.fixture
def park(db: pw.Database) -> Iterator[dict[str, object]]:
    """Two branches; branch one has 3 full, 2 probationary, others who must not be swept in."""
    one = make_branch("第一联合党支部")
    two = make_branch("第二联合党支部")
    firm = make_enterprise("恒远化工有限公司", one)
    people = {
        "full": [make_member(n, one, firm) for n in ("张一", "王二", "李三")],
        "probationary": [make_member(n, one, firm, "probationary") for n in ("赵四", "钱五")],
        "candidate": make_member("孙六", one, firm, "candidate"),
        "activist": make_member("周七", one, firm, "activist"),
        "binned": make_member("吴八", one, firm),
        "transferred": make_member("郑九", one, firm, status="transferred"),
        "other_branch": make_member("冯十", two),
    }
    records.soft_delete("members", people["binned"].id)
    yield {"one": one, "two": two, "firm": firm, **people}


def member_ids(rows: list) -> set[int]:
    return {r.member_id for r in rows}


# --------------------------------------------------------------------------- training attendance


def test_bulk_add_by_branch_takes_exactly_live_full_and_probationary_members(park: dict) -> None:
    training = make_training()
    expected = {p.id for p in park["full"] + park["probationary"]}

    first = relations.add_members_of_branch(training.id, park["one"].id)
    assert (first.added, first.skipped) == (5, 0)
    rows = relations.attendance_rows(training.id)
    assert member_ids(rows) == expected
    assert {r.status for r in rows} == {"expected"}
    assert all(r.signed_at is None and r.branch == "第一联合党支部" for r in rows)
    assert {r.unit for r in rows} == {"恒远化工有限公司"}

    second = relations.add_members_of_branch(training.id, park["one"].id)
    assert (second.added, second.skipped) == (0, 5)
    assert "已在名单中" in second.message()
    assert m.Attendance.select().where(m.Attendance.training == training.id).count() == 5


def test_bulk_add_by_enterprise_and_other_categories(park: dict) -> None:
    training = make_training()
    result = relations.add_members_of_enterprise(training.id, park["firm"].id)
    assert result.added == 5
    more = relations.add_members_of_enterprise(
        training.id, park["firm"].id, categories=("full", "probationary", "发展对象")
    )
    assert (more.added, more.skipped) == (1, 5)
    assert park["candidate"].id in member_ids(relations.attendance_rows(training.id))


def test_deleted_members_are_never_added(park: dict) -> None:
    training = make_training()
    binned = park["binned"].id
    result = relations.add_members(training.id, [binned, park["full"][0].id, park["full"][0].id])
    assert (result.added, result.skipped, result.unavailable) == (1, 1, 1)
    assert "回收站" in result.message()
    assert binned not in member_ids(relations.attendance_rows(training.id))
    assert not m.Attendance.select().where(m.Attendance.member == binned).exists()
    # A member binned after being put on the list drops out of the list and its counts.
    relations.add_members_of_branch(training.id, park["one"].id)
    records.soft_delete("members", park["full"][1].id)
    assert park["full"][1].id not in member_ids(relations.attendance_rows(training.id))


def test_rows_are_ordered_by_branch_then_name_with_guests_last(park: dict) -> None:
    training = make_training()
    relations.add_guest(training.id, "甲乙", "区人社局")
    relations.add_members(training.id, [park["other_branch"].id, *[p.id for p in park["full"]]])
    rows = relations.attendance_rows(training.id)
    keys = [(r.branch, r.name) for r in rows]
    assert keys[-1] == (None, "甲乙")
    assert keys[:-1] == sorted(keys[:-1])
    assert rows[-1].is_guest and rows[-1].unit == "区人社局"


def test_marking_twenty_rows_signed_at_once(db: pw.Database) -> None:
    branch = make_branch("第三联合党支部")
    people = [make_member(f"党员{i:02d}", branch) for i in range(25)]
    training = make_training()
    relations.add_members(training.id, [p.id for p in people])
    rows = relations.attendance_rows(training.id)
    chosen = [r.id for r in rows[:20]]
    at = dt.datetime(2023, 6, 20, 8, 55, 12, 345)

    assert relations.set_status(chosen, "已签到", at=at) == 20
    rows = {r.id: r for r in relations.attendance_rows(training.id)}
    assert all(
        rows[i].status == "signed" and rows[i].signed_at == at.replace(microsecond=0)
        for i in chosen
    )
    assert all(rows[i].version == 2 for i in chosen)
    summary = relations.attendance_summary(list(rows.values()))
    assert (summary.expected, summary.signed, summary.pending) == (25, 20, 5)
    assert summary.text() == "应到 25，已签到 20，请假 0，缺席 0，签到率 80%"

    # Signing again keeps the first time and changes nothing; leave clears the time.
    assert relations.set_status(chosen, "signed", at=at + dt.timedelta(hours=1)) == 0
    assert relations.set_status(chosen[:2], "leave") == 2
    assert relations.set_status(chosen[2:3], "缺席") == 1
    rows = {r.id: r for r in relations.attendance_rows(training.id)}
    assert rows[chosen[0]].signed_at is None and rows[chosen[0]].status_label == "请假"
    assert rows[chosen[5]].signed_at == at.replace(microsecond=0)
    summary = relations.attendance_summary(list(rows.values()))
    assert summary.text() == "应到 25，已签到 17，请假 2，缺席 1，签到率 68%"


def test_set_status_refuses_unknown_status(park: dict) -> None:
    training = make_training()
    relations.add_members(training.id, [park["full"][0].id])
    ids = [r.id for r in relations.attendance_rows(training.id)]
    with pytest.raises(ValidationError) as err:
        relations.set_status(ids, "迟到")
    assert "签到状态" in str(err.value)
    with pytest.raises(ValidationError):
        relations.set_status(["1"], "signed")
    assert relations.set_status([], "signed") == 0


def test_non_member_guest(db: pw.Database) -> None:
    training = make_training()
    row_id = relations.add_guest(training.id, " 陈 某 ", "园区管委会")
    rows = relations.attendance_rows(training.id)
    assert [(r.id, r.name, r.unit, r.member_id, r.status) for r in rows] == [
        (row_id, "陈 某", "园区管委会", None, "expected")
    ]
    with pytest.raises(ValidationError) as err:
        relations.add_guest(training.id, "陈 某", "园区管委会")
    assert "已在签到名单中" in str(err.value)
    relations.add_guest(training.id, "陈 某", "区应急局")  # same name, other unit: another person
    relations.add_guest(training.id, "刘某", None)
    with pytest.raises(ValidationError):
        relations.add_guest(training.id, "刘某", "")
    with pytest.raises(ValidationError) as err:
        relations.add_guest(training.id, "  ", "园区管委会")
    assert "姓名" in str(err.value)
    assert len(relations.attendance_rows(training.id)) == 3


def test_remove_soft_deletes_and_re_adding_revives_the_same_row(park: dict) -> None:
    training = make_training()
    relations.add_members(training.id, [park["full"][0].id])
    (row,) = relations.attendance_rows(training.id)
    relations.set_status([row.id], "signed")
    assert relations.remove([row.id]) == 1
    assert relations.attendance_rows(training.id) == []
    binned = m.Attendance.get_by_id(row.id)
    assert binned.deleted and binned.deleted_at is not None and binned.version == 3

    again = relations.add_members(training.id, [park["full"][0].id])
    assert again.added == 1
    (revived,) = relations.attendance_rows(training.id)
    assert revived.id == row.id and revived.status == "expected" and revived.signed_at is None
    assert m.Attendance.select().count() == 1


def test_nothing_is_added_to_a_binned_training(park: dict) -> None:
    training = make_training()
    records.soft_delete("trainings", training.id)
    with pytest.raises(ValidationError) as err:
        relations.add_members_of_branch(training.id, park["one"].id)
    assert "回收站" in str(err.value)
    with pytest.raises(ValidationError):
        relations.add_members(999_999, [park["full"][0].id])
    assert m.Attendance.select().count() == 0


# --------------------------------------------------------------------------- activities


def make_meeting(branch: m.Branch, kind: str = "general_meeting") -> m.Activity:
    return records.create(
        "activities",
        {"branch": branch, "kind": kind, "date": dt.date(2023, 3, 28), "topic": "第一季度党员大会"},
    )


def test_add_branch_members_to_activity(park: dict) -> None:
    meeting = make_meeting(park["one"])
    result = relations.add_branch_members_to_activity(meeting.id)
    assert result.added == 5
    assert relations.add_branch_members_to_activity(meeting.id).added == 0
    rows = relations.activity_attendees(meeting.id)
    assert member_ids(rows) == {p.id for p in park["full"] + park["probationary"]}
    assert {r.status for r in rows} == {"present"} and not any(r.extra for r in rows)
    guest = relations.add_activity_members(meeting.id, [park["other_branch"].id, park["binned"].id])
    assert (guest.added, guest.unavailable) == (1, 1)
    assert [r.extra for r in relations.activity_attendees(meeting.id)].count(True) == 1


def test_quorum_needs_more_than_half_of_full_members(db: pw.Database) -> None:
    branch = make_branch("第四联合党支部")
    full = [make_member(f"正式{i}", branch) for i in range(4)]
    probationary = [make_member(f"预备{i}", branch, category="probationary") for i in range(3)]
    meeting = make_meeting(branch)
    relations.add_branch_members_to_activity(meeting.id)
    by_member = {r.member_id: r.id for r in relations.activity_attendees(meeting.id)}

    # Everyone present except two full members: 2 of 4 entitled — exactly half, no quorum,
    # however many probationary members (no vote) are there.
    relations.set_attendee_status([by_member[full[0].id]], "leave")
    relations.set_attendee_status([by_member[full[1].id]], "缺席")
    present, entitled, quorate = relations.quorum(meeting.id)
    assert (present, entitled, quorate) == (2, 4, False)
    assert "否" in relations.quorum(meeting.id).text()

    relations.set_attendee_status([by_member[full[1].id]], "present")
    assert tuple(relations.quorum(meeting.id)) == (3, 4, True)
    assert "是否达到法定人数：是" in relations.quorum(meeting.id).text()

    relations.set_attendee_status([by_member[p.id] for p in probationary], "absent")
    assert relations.quorum(meeting.id).quorate is True


def test_quorum_without_entitled_members_is_false(db: pw.Database) -> None:
    meeting = make_meeting(make_branch("空支部"))
    assert tuple(relations.quorum(meeting.id)) == (0, 0, False)


def test_attendee_status_and_remove(park: dict) -> None:
    meeting = make_meeting(park["one"], "theme_day")
    relations.add_branch_members_to_activity(meeting.id)
    ids = [r.id for r in relations.activity_attendees(meeting.id)]
    assert relations.set_attendee_status(ids[:2], "请假") == 2
    assert relations.set_attendee_status(ids[:2], "leave") == 0
    with pytest.raises(ValidationError):
        relations.set_attendee_status(ids, "signed")
    assert relations.remove_attendees(ids[:1]) == 1
    assert len(relations.activity_attendees(meeting.id)) == 4
    # The link table is unique on (activity, member): re-adding must revive, not insert.
    assert relations.add_branch_members_to_activity(meeting.id).added == 1
    assert m.ActivityAttendee.select().count() == 5


# --------------------------------------------------------------------------- teams and services


def test_team_members_and_service_participants(park: dict) -> None:
    team = records.create(
        "teams", {"name": "恒远党员志愿服务队", "kind": "volunteer", "branch": park["one"]}
    )
    result = relations.add_team_members(team.id, [p.id for p in park["full"]] + [park["binned"].id])
    assert (result.added, result.skipped) == (3, 1)
    assert relations.add_team_members(team.id, [park["full"][0].id]).skipped == 1
    rows = relations.team_members(team.id)
    assert [r.name for r in rows] == sorted(r.name for r in rows)
    assert relations.remove_team_members([rows[0].id]) == 1
    assert len(relations.team_members(team.id)) == 2
    assert relations.add_team_members(team.id, [rows[0].member_id]).added == 1  # revived

    service = records.create(
        "services", {"team": team, "date": dt.date(2023, 7, 1), "topic": "安全生产宣传"}
    )
    joined = relations.add_service_participants(
        service.id, [park["full"][0].id, park["other_branch"].id]
    )
    assert joined.added == 2 and joined.warnings == ("其中 1 人不是本服务队队员",)
    parts = {r.member_id: r for r in relations.service_participants(service.id)}
    assert not parts[park["full"][0].id].extra and parts[park["other_branch"].id].extra
    assert relations.remove_service_participants([parts[park["other_branch"].id].id]) == 1
    assert list(parts)[:1] == [r.member_id for r in relations.service_participants(service.id)]

    # The service's own team comes first among candidates, others are still offered.
    candidates = relations.member_candidates("", team_id=team.id, limit=100)
    first_three = {cid for cid, _ in candidates[:3]}
    assert first_three == {p.id for p in park["full"]}
    assert park["other_branch"].id in {cid for cid, _ in candidates}


# --------------------------------------------------------------------------- branch's enterprises


def test_joint_branch_over_five_enterprises_warns_but_attaches(db: pw.Database) -> None:
    joint = make_branch("化工园联合党支部")
    other = make_branch("生物医药联合党支部")
    firms = [make_enterprise(f"企业{i}", other if i == 0 else None) for i in range(6)]

    five = relations.attach_enterprises(joint.id, [f.id for f in firms[:5]])
    assert five.added == 5
    assert five.warnings == ("“企业0”原属“生物医药联合党支部”，已改为本党组织",)
    assert relations.branch_warnings(joint.id) == []

    six = relations.attach_enterprises(joint.id, [f.id for f in firms])
    assert (six.added, six.skipped) == (1, 5)
    assert len(six.warnings) == 1 and "6 家" in six.warnings[0] and "5 个单位" in six.warnings[0]
    assert [r.name for r in relations.branch_enterprises(joint.id)] == [f.name for f in firms]
    assert m.Enterprise.get_by_id(firms[5].id).version == 2

    # A standalone branch is not held to the joint-branch limit.
    solo = make_branch("独立党支部甲", "standalone")
    extra = [make_enterprise(f"独立企业{i}") for i in range(6)]
    assert relations.attach_enterprises(solo.id, [e.id for e in extra]).warnings == ()

    assert relations.detach_enterprises(joint.id, [firms[0].id, extra[0].id]) == 1
    assert m.Enterprise.get_by_id(firms[0].id).branch_id is None
    assert m.Enterprise.get_by_id(extra[0].id).branch_id == solo.id
    assert relations.branch_warnings(joint.id) == []


def test_binned_enterprise_is_not_attached(db: pw.Database) -> None:
    branch = make_branch("第五联合党支部")
    firm = make_enterprise("停业公司")
    records.soft_delete("enterprises", firm.id)
    result = relations.attach_enterprises(branch.id, [firm.id])
    assert (result.added, result.unavailable) == (0, 1)
    assert relations.branch_enterprises(branch.id) == []


def test_branch_enterprises_counts_party_members(park: dict) -> None:
    (row,) = relations.branch_enterprises(park["one"].id)
    assert (row.name, row.members) == ("恒远化工有限公司", 5)


# --------------------------------------------------------------------------- issue progress


def test_issue_progress_goes_through_the_form_rules(park: dict) -> None:
    issue = records.create(
        "issues",
        {
            "enterprise": park["firm"],
            "received_on": dt.date(2023, 5, 2),
            "category": "utilities",
            "description": "蒸汽管网压力不足",
            "deadline": dt.date(2023, 5, 30),
        },
    )
    with pytest.raises(ValidationError) as err:
        relations.issue_progress(issue.id, "resolved", expected_version=issue.version)
    assert err.value.errors == {"resolved_on": "状态为已解决时必须填写办结日期"}
    assert "办结日期" in str(err.value)
    assert m.EnterpriseIssue.get_by_id(issue.id).state == "open"

    assert relations.deadline_text(issue, dt.date(2023, 5, 20)) == "距办结时限 10 天"
    assert relations.deadline_text(issue, dt.date(2023, 6, 2)) == "已超期 3 天"

    going = relations.issue_progress(
        issue.id, "办理中", measures="协调燃气公司", expected_version=issue.version
    )
    assert going.state == "in_progress" and going.version == issue.version + 1
    done = relations.issue_progress(
        issue.id,
        "resolved",
        dt.date(2023, 5, 25),
        "协调燃气公司增压",
        "满意",
        expected_version=going.version,
    )
    assert (done.state, done.evaluation, done.days_to_resolve()) == ("resolved", "satisfied", 23)
    assert relations.deadline_text(done) == "已办结，用时 23 天"
    with pytest.raises(StaleRecordError):
        relations.issue_progress(issue.id, "in_progress", expected_version=going.version)


# --------------------------------------------------------------------------- member search


def test_member_candidates_search_in_sql(park: dict) -> None:
    assert relations.member_candidates("张") == [(park["full"][0].id, "张一（恒远化工有限公司）")]
    # By the whole ID number; never by the masked middle (the birth date) a table hides.
    by_id = relations.member_candidates(park["full"][1].id_number)
    assert [cid for cid, _ in by_id] == [park["full"][1].id]
    assert relations.member_candidates(park["full"][1].id_number[:14]) == []
    assert relations.member_candidates("吴八") == []  # in the recycle bin
    assert relations.member_candidates("%") == []  # LIKE wildcards are matched literally
    assert relations.member_candidates("冯十") == [(park["other_branch"].id, "冯十")]
    assert len(relations.member_candidates("", limit=3)) == 3
    in_branch = relations.member_candidates("", branch_id=park["two"].id)
    assert [cid for cid, _ in in_branch] == [park["other_branch"].id]
    assert len(relations.member_candidates("", enterprise_id=park["firm"].id)) == 8


def test_branch_and_enterprise_choices_are_live_only(park: dict) -> None:
    gone = make_branch("已撤销支部")
    records.soft_delete("branches", gone.id)
    assert [name for _, name in relations.branch_choices()] == ["第一联合党支部", "第二联合党支部"]
    assert relations.enterprise_choices("恒远") == [(park["firm"].id, "恒远化工有限公司")]
