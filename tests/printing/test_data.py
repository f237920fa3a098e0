"""What each printed document lists, in which order and with which figures (no painting)."""

from __future__ import annotations

import datetime as dt

import pytest

from partybuild.ledgers import spec
from partybuild.printing import data
from partybuild.services import records, relations
from partybuild.services.errors import RecordNotFound
from partybuild.store import models as m
from tests.printing.conftest import Park, add_members, expect, person_names


def rows_of(document) -> list[tuple[str, ...]]:  # noqa: ANN001
    return [row for table in document.tables for row in table.rows]


def test_sign_in_sheet_lists_everyone_expected_by_branch_then_name(park: Park) -> None:
    one, two = park.branches
    a, b, c, d, e = person_names(5)
    ids_two = add_members([d, b], two, park.enterprise)
    ids_one = add_members([e, a], one, park.enterprise)
    gone = add_members([c], one, park.enterprise)
    expect(park.training, ids_one + ids_two + gone)
    relations.set_status(ids_to_rows(park, [ids_one[0]]), "leave")
    relations.set_status(ids_to_rows(park, [ids_two[0]]), "absent")
    records.soft_delete("members", gone[0])
    guest = relations.add_guest(park.training.id, "来宾", "某某研究院")

    doc = data.training_signin(park.training.id)
    assert doc.kind == "signin" and doc.title == "2023年党员轮训（第一期）签到表"
    branch_order = sorted([(one.name, sorted([a, e])), (two.name, sorted([b, d]))])
    expected = [n for _b, names in branch_order for n in names] + ["来宾"]
    assert list(doc.names) == expected
    rows = rows_of(doc)
    assert [r[0] for r in rows] == expected
    # The branch, and the enterprise under it (a joint branch covers several); a guest's unit.
    assert rows[0][1] == f"{one.name}\n恒远化工有限公司"
    assert rows[-1][1] == "某某研究院"
    assert all(r[2] == "" for r in rows)  # 签名 stays blank
    leave_row = next(r for r in rows if r[0] == e)
    assert leave_row[3] == "请假"
    absent_row = next(r for r in rows if r[0] == d)
    assert absent_row[3] == "缺席"  # printed again after the training, for the file
    table = doc.tables[0]
    assert table.numbered and table.fill_page
    assert [c.label for c in table.columns] == [
        "序号",
        "姓名",
        "所属党组织 / 所在企业",
        "签名",
        "备注",
    ]
    info = dict(doc.info)
    assert info["时间"] == "2023年6月20日至21日" and info["地点"] == "园区党群服务中心"
    assert info["主讲人"] == "讲师" and info["主办单位"] == "园区非公企业综合党委"
    assert info["应到人数"] == "5 人"
    assert guest


def ids_to_rows(park: Park, member_ids: list[int]) -> list[int]:
    A = m.Attendance
    query = A.select(A.id).where(A.training == park.training.id, A.member.in_(member_ids))
    return [row_id for (row_id,) in query.tuples()]


def test_activity_sheet_uses_attendees_else_the_branchs_members(park: Park) -> None:
    one, two = park.branches
    names = person_names(6)
    full = add_members(names[:2], one, park.enterprise)
    add_members(names[2:3], one, park.enterprise, category="probationary")
    add_members(names[3:4], one, park.enterprise, category="activist")
    add_members(names[4:5], one, park.enterprise, status="transferred")
    guest = add_members(names[5:6], two, park.enterprise)
    meeting = records.create(
        "activities",
        {
            "branch": one,
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 28),
            "topic": "第一季度党员大会",
            "place": "会议室",
            "host": "书记甲",
        },
    )
    doc = data.activity_signin(meeting.id)
    assert doc.title == "第一季度党员大会签到表"
    assert sorted(doc.names) == sorted(names[:3])
    assert dict(doc.info)["会议类型"] == "支部党员大会"
    assert dict(doc.info)["党组织"] == one.name

    relations.add_activity_members(meeting.id, [full[0], guest[0]])
    doc = data.activity_signin(meeting.id)
    assert set(doc.names) == {names[0], names[5]}
    row = next(r for r in rows_of(doc) if r[0] == names[5])
    assert row[1] == f"{two.name}\n恒远化工有限公司"  # 列席 from another branch says which
    assert doc.tables[0].columns[2].label == "所在企业"


def test_summary_counts_and_names_under_each_state(park: Park) -> None:
    one, _two = park.branches
    names = person_names(7)
    ids = add_members(names, one, park.enterprise)
    expect(park.training, ids)
    rows = ids_to_rows(park, ids)
    relations.set_status(rows[:4], "signed")
    relations.set_status(rows[4:5], "leave")
    relations.set_status(rows[5:6], "absent")
    doc = data.training_summary(park.training.id)
    assert doc.title == "2023年党员轮训（第一期）签到汇总"
    figures = doc.tables[0]
    assert [c.label for c in figures.columns] == [
        "应到",
        "已签到",
        "请假",
        "缺席",
        "未签到",
        "签到率",
    ]
    assert figures.rows[0] == ("7 人", "4 人", "1 人", "1 人", "1 人", "57.1%")
    captions = [t.caption for t in doc.tables[1:]]
    assert captions == ["已签到（4 人）", "请假（1 人）", "缺席（1 人）", "未签到（1 人）"]
    by_state = {
        t.caption: [cell for row in t.rows for cell in row[:1] if cell] for t in doc.tables[2:]
    }
    assert by_state == {
        "请假（1 人）": [names[4]],
        "缺席（1 人）": [names[5]],
        "未签到（1 人）": [names[6]],
    }
    signed = [cell for row in doc.tables[1].rows for cell in row if cell]
    assert sorted(signed) == sorted(names[:4])


def test_roster_masks_by_default_and_takes_its_columns_from_the_ledger(park: Park) -> None:
    one, two = park.branches
    names = person_names(4)
    add_members(names[:2], one, park.enterprise)
    add_members(names[2:3], one, park.enterprise, category="candidate")
    add_members(names[3:4], two, park.enterprise)
    doc = data.branch_roster(one.id, today=dt.date(2024, 1, 5))
    assert doc.landscape and doc.title == f"{one.name}党员花名册"
    labels = [c.label for c in doc.tables[0].columns]
    assert labels == ["序号"] + [spec.MEMBERS.column(f).label for f in data.ROSTER_FIELDS]
    assert labels[1:] == [
        "姓名", "性别", "民族", "出生日期", "身份证号", "学历", "联系电话", "所在企业", "类别",
        "入党日期", "转正日期", "党内职务",
    ]  # fmt: skip
    assert sorted(doc.names) == sorted(names[:2])
    member = m.Member.get(m.Member.name == doc.names[0])
    row = doc.tables[0].rows[0]
    id_cell, phone_cell = row[4], row[6]
    assert (
        member.id_number not in id_cell
        and id_cell.startswith(member.id_number[:4])
        and "*" in id_cell
    )
    assert member.phone not in phone_cell and phone_cell.endswith(member.phone[-4:])
    assert row[7] == "恒远化工有限公司" and row[8] == "正式党员"
    # masked means unlinkable: beside the masked ID number only the year of birth
    assert row[3] == str(member.birth_date.year)
    assert dict(doc.info)["制表日期"] == "2024年1月5日"

    full = data.branch_roster(one.id, unmasked=True).tables[0].rows[0]
    assert full[4] == member.id_number and full[6] == member.phone
    assert full[3] == member.birth_date.isoformat()


def test_finding_a_training_by_id_exact_name_or_part(park: Park) -> None:
    second = records.create(
        "trainings",
        {"name": "2023年党员轮训（第二期）", "kind": "rotation", "start_date": dt.date(2023, 9, 1)},
    )
    assert data.find_trainings(str(second.id)) == [second]
    assert data.find_trainings("2023年党员轮训（第一期）") == [park.training]
    assert data.find_trainings("第二期") == [second]
    assert data.find_trainings("党员轮训") == [park.training, second]
    assert data.find_trainings("没有这个") == []
    assert data.find_trainings("2023") == []  # a number is an id, not a part of a name
    records.soft_delete("trainings", second.id)
    assert data.find_trainings("党员轮训") == [park.training]


def test_missing_records_are_refused(park: Park) -> None:
    for build in (
        data.training_signin,
        data.training_summary,
        data.activity_signin,
        data.branch_roster,
    ):
        with pytest.raises(RecordNotFound):
            build(9999)
