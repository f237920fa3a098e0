"""操作日志: every change recorded with who, when, which record and each field old → new."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import peewee as pw
import pytest

from partybuild.domain.validators import make_id_number
from partybuild.services import audit, records, relations
from partybuild.services.errors import StaleRecordError, ValidationError
from partybuild.store import models as m

ID = make_id_number("999999", dt.date(1988, 3, 3), 11)


@pytest.fixture(autouse=True)
def operator() -> Iterator[None]:
    audit.set_operator("王示书记")
    yield
    audit.set_operator(None)


def test_create_update_delete_restore_purge_are_logged(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    member = records.create("members", {"name": "张示安", "id_number": ID, "branch": branch})
    records.update("members", member.id, {"phone": "13800000001", "category": "probationary"}, 1)
    records.soft_delete("members", member.id)
    records.restore("members", member.id)
    records.soft_delete("members", member.id)
    records.purge("members", member.id)

    log = audit.entries(audit.AuditFilter(ledger="members", record_id=member.id))
    assert [e.action for e in reversed(log)] == [
        "create",
        "update",
        "delete",
        "restore",
        "delete",
        "purge",
    ]
    assert {e.operator for e in log} == {"王示书记"}
    created = log[-1]
    assert created.title == "张示安"
    assert {
        "label": "所属党组织",
        "old": "",
        "new": "第一联合党支部",
        "field": "branch",
    } in created.changes
    updated = log[-2]
    assert updated.summary() == "联系电话：（空） → 138****0001；类别：正式党员 → 预备党员"
    assert "13800000001" in updated.summary(masked=False)
    assert all(e.at.date() == dt.date.today() for e in log)


def test_refused_and_stale_writes_log_nothing(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "甲支部", "kind": "joint"})
    before = audit.count()
    with pytest.raises(ValidationError):
        records.create("members", {"name": "", "id_number": ID})
    records.update("branches", branch.id, {"secretary": "李示"}, 1)
    with pytest.raises(StaleRecordError) as err:
        records.update("branches", branch.id, {"secretary": "赵示"}, 1)
    assert "王示书记" in str(err.value)  # who changed it, for the reload message
    assert audit.count() == before + 1


def test_unchanged_update_is_not_an_entry(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "甲支部", "kind": "joint"})
    records.update("branches", branch.id, {"name": "甲支部"}, 1)
    assert [e.action for e in audit.entries()] == ["create"]


def test_relation_changes_are_logged_against_their_record(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "甲支部", "kind": "standalone"})
    records.create("members", {"name": "张示安", "id_number": ID, "branch": branch})
    training = records.create(
        "trainings", {"name": "轮训第一期", "kind": "rotation", "start_date": dt.date(2023, 3, 1)}
    )
    relations.add_members_of_branch(training.id, branch.id)
    rows = relations.attendance_rows(training.id)
    relations.set_status([r.id for r in rows], "signed")
    relations.add_guest(training.id, "访客甲", "某公司")
    notes = [e.summary() for e in audit.entries(audit.AuditFilter(ledger="trainings"))]
    assert notes[:3] == [
        "说明：添加非党员：访客甲",
        "说明：标记为“已签到” 1 人",
        "说明：按党组织添加签到名单 1 人",
    ]
    assert m.Attendance.get_by_id(rows[0].id).updated_by == "王示书记"


def test_filters_by_person_record_and_date(db: pw.Database) -> None:
    records.create("branches", {"name": "甲支部", "kind": "joint"})
    audit.set_operator("李示")
    b = records.create("branches", {"name": "乙支部", "kind": "joint"})
    assert audit.operators() == ["李示", "王示书记"]
    assert [e.title for e in audit.entries(audit.AuditFilter(operator="李示"))] == ["乙支部"]
    assert audit.count(audit.AuditFilter(record_id=b.id, ledger="branches")) == 1
    today = dt.date.today()
    assert audit.count(audit.AuditFilter(date_from=today, date_to=today)) == 2
    assert audit.count(audit.AuditFilter(date_to=today - dt.timedelta(days=1))) == 0
    assert audit.count(audit.AuditFilter(text="乙")) == 1
