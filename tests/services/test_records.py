"""The service layer: every ledger created, validated, updated with a version check, binned, restored."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from partybuild.domain.validators import id_check_char, make_credit_code, make_id_number
from partybuild.services import records
from partybuild.services.errors import RecordNotFound, StaleRecordError, ValidationError
from partybuild.store import models as m

GOOD_ID = make_id_number("999999", dt.date(1985, 6, 15), 123)
CODE = make_credit_code("91360281MA35ABCDE")


def wrong_check(id_number: str) -> str:
    right = id_check_char(id_number[:17])
    other = "0" if right != "0" else "1"
    return id_number[:17] + other


@pytest.fixture
def branch(db: pw.Database) -> m.Branch:
    return records.create("branches", {"name": "第一联合党支部", "kind": "joint"})


@pytest.fixture
def enterprise(branch: m.Branch) -> m.Enterprise:
    return records.create(
        "enterprises",
        {"name": "恒远化工有限公司", "credit_code": CODE, "industry": "精细化工", "branch": branch},
    )


def test_member_with_wrong_check_character_is_refused_and_nothing_written(branch: m.Branch) -> None:
    with pytest.raises(ValidationError) as err:
        records.create(
            "members", {"name": "张示安", "id_number": wrong_check(GOOD_ID), "branch": branch}
        )
    assert set(err.value.errors) == {"id_number"}
    assert "身份证号" in str(err.value) and "校验位" in str(err.value)
    assert m.Member.select().count() == 0


def test_member_reads_birth_date_and_sex_from_the_id_number(branch: m.Branch) -> None:
    member = records.create(
        "members", {"name": "张示安", "id_number": GOOD_ID, "branch": branch.id}
    )
    assert member.birth_date == dt.date(1985, 6, 15)
    assert member.gender == "male"  # the 17th digit (3, from seq 123) is odd
    assert member.age(dt.date(2023, 6, 14)) == 37
    assert member.category == "full" and member.status == "normal" and member.version == 1


def test_birth_date_contradicting_the_id_number_is_refused(branch: m.Branch) -> None:
    with pytest.raises(ValidationError) as err:
        records.create(
            "members", {"name": "张示安", "id_number": GOOD_ID, "birth_date": dt.date(1985, 6, 16)}
        )
    assert "birth_date" in err.value.errors


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"joined_on": dt.date(2010, 1, 1), "confirmed_on": dt.date(2009, 12, 31)}, "confirmed_on"),
        ({"confirmed_on": dt.date(2011, 1, 1)}, "joined_on"),
        ({"joined_on": dt.date(1980, 1, 1)}, "joined_on"),  # before birth
        ({"phone": "1381234567"}, "phone"),
        ({"category": "不存在的类别"}, "category"),
        ({"category": "activist", "joined_on": dt.date(2010, 1, 1)}, "joined_on"),
        ({"name": ""}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"joined_on": "去年春天"}, "joined_on"),  # typed text that is no date
    ],
)
def test_member_rules(branch: m.Branch, data: dict, field: str) -> None:
    base = {"name": "张示安", "id_number": GOOD_ID, "branch": branch}
    with pytest.raises(ValidationError) as err:
        records.create("members", {**base, **data})
    assert field in err.value.errors
    assert m.Member.select().count() == 0


def test_choices_accept_chinese_labels_and_store_codes(db: pw.Database) -> None:
    b = records.create("branches", {"name": "区域党支部", "kind": "区域党支部"})
    assert m.Branch.get_by_id(b.id).kind == "regional"


def test_credit_code_checked(branch: m.Branch) -> None:
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        records.create("enterprises", {"name": "甲公司", "credit_code": bad})
    assert "credit_code" in err.value.errors


def test_date_order_in_trainings_and_issues(enterprise: m.Enterprise) -> None:
    with pytest.raises(ValidationError) as err:
        records.create(
            "trainings",
            {
                "name": "轮训",
                "kind": "rotation",
                "start_date": dt.date(2023, 5, 2),
                "end_date": dt.date(2023, 5, 1),
            },
        )
    assert "end_date" in err.value.errors
    with pytest.raises(ValidationError) as err:
        records.create(
            "issues",
            {
                "enterprise": enterprise,
                "received_on": dt.date(2023, 5, 2),
                "category": "staffing",
                "description": "招工难",
                "state": "resolved",
                "resolved_on": dt.date(2023, 5, 1),
            },
        )
    assert "resolved_on" in err.value.errors
    with pytest.raises(ValidationError) as err:
        records.create(
            "issues",
            {
                "enterprise": enterprise,
                "received_on": dt.date(2023, 5, 2),
                "category": "staffing",
                "description": "招工难",
                "state": "resolved",
            },
        )
    assert "resolved_on" in err.value.errors


def test_issue_days_to_resolve_and_overdue(enterprise: m.Enterprise) -> None:
    issue = records.create(
        "issues",
        {
            "enterprise": enterprise,
            "received_on": dt.date(2023, 5, 2),
            "category": "utilities",
            "description": "10KV供电专线",
            "deadline": dt.date(2023, 6, 1),
        },
    )
    assert issue.overdue(dt.date(2023, 6, 2)) and not issue.overdue(dt.date(2023, 6, 1))
    issue = records.update(
        "issues",
        issue.id,
        {"state": "resolved", "resolved_on": dt.date(2023, 6, 10)},
        issue.version,
    )
    assert issue.days_to_resolve() == 39 and not issue.overdue(dt.date(2024, 1, 1))


def test_duplicate_natural_key_is_a_field_message(branch: m.Branch) -> None:
    with pytest.raises(ValidationError) as err:
        records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    assert "name" in err.value.errors
    training = {"name": "轮训第一期", "kind": "rotation", "start_date": dt.date(2023, 3, 1)}
    records.create("trainings", training)
    with pytest.raises(ValidationError):
        records.create("trainings", training)


def test_stale_update_is_refused_not_applied(branch: m.Branch) -> None:
    member = records.create("members", {"name": "张示安", "id_number": GOOD_ID, "branch": branch})
    records.update("members", member.id, {"phone": "13800000001"}, expected_version=1)
    with pytest.raises(StaleRecordError, match="为避免覆盖"):
        records.update("members", member.id, {"phone": "13800000002"}, expected_version=1)
    fresh = m.Member.get_by_id(member.id)
    assert fresh.phone == "13800000001" and fresh.version == 2


def test_invalid_update_leaves_record_unchanged(branch: m.Branch) -> None:
    member = records.create("members", {"name": "张示安", "id_number": GOOD_ID, "branch": branch})
    with pytest.raises(ValidationError):
        records.update("members", member.id, {"name": "新名字", "phone": "123"}, 1)
    fresh = m.Member.get_by_id(member.id)
    assert (fresh.name, fresh.phone, fresh.version) == ("张示安", None, 1)


def test_recycle_bin_round_trip_keeps_links(enterprise: m.Enterprise, branch: m.Branch) -> None:
    member = records.create(
        "members",
        {"name": "张示安", "id_number": GOOD_ID, "branch": branch, "enterprise": enterprise},
    )
    records.soft_delete("branches", branch.id)
    assert m.Branch.get_by_id(branch.id).deleted
    with pytest.raises(RecordNotFound):
        records.get("branches", branch.id)
    # A binned branch cannot be chosen for new records…
    with pytest.raises(ValidationError, match="回收站"):
        records.create("teams", {"name": "志愿队", "kind": "volunteer", "branch": branch})
    records.restore("branches", branch.id)
    assert m.Member.get_by_id(member.id).branch_id == branch.id
    assert m.Enterprise.get_by_id(enterprise.id).branch_id == branch.id
    with pytest.raises(ValidationError):
        records.purge("branches", branch.id)  # only from the bin
    records.soft_delete("members", member.id)
    records.purge("members", member.id)
    assert m.Member.select().count() == 0


def test_restore_refused_when_a_live_record_took_the_name(db: pw.Database) -> None:
    old = records.create("teams", {"name": "红色志愿队", "kind": "volunteer"})
    records.soft_delete("teams", old.id)
    with pytest.raises(ValidationError, match="回收站"):
        records.create("teams", {"name": "红色志愿队", "kind": "volunteer"})


def test_attendance_needs_a_member_or_a_name(db: pw.Database) -> None:
    training = records.create(
        "trainings", {"name": "宣讲", "kind": "lecture", "start_date": dt.date(2023, 11, 1)}
    )
    with pytest.raises(ValidationError) as err:
        records.create("attendance", {"training": training})
    assert "person_name" in err.value.errors
    row = records.create(
        "attendance", {"training": training, "person_name": "访客", "person_unit": "某公司"}
    )
    assert row.status == "expected"


def test_text_is_kept_as_typed(db: pw.Database) -> None:
    topic = "学习二十大 🇨🇳 ‏RTL‏ '; DROP TABLE branch; --"
    branch = records.create("branches", {"name": "测试支部", "kind": "joint"})
    act = records.create(
        "activities",
        {"branch": branch, "kind": "主题党日", "date": dt.date(2023, 7, 1), "topic": topic},
    )
    assert m.Activity.get_by_id(act.id).topic == topic
    assert m.Branch.select().count() == 1
