"""The recycle bin across every ledger: listing, paging, search, restore with links, purge — on
SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools

import peewee as pw
import pytest

from partybuild.domain.validators import make_id_number
from partybuild.services import details, records, recycle
from partybuild.services.errors import ValidationError
from partybuild.store import models as m

_seq = itertools.count(1)
T0 = dt.datetime(2024, 3, 1, 9, 0, 0)


def make_member(name: str, **data: object) -> m.Member:
    n = next(_seq)
    born = dt.date(1982, 1, 1) + dt.timedelta(days=n * 53)
    return records.create(
        "members", {"name": name, "id_number": make_id_number("999999", born, n), **data}
    )


def bin_at(ledger: str, record: m.BaseModel, minutes: int) -> None:
    """Soft-delete, then pin the deletion time so the order of the bin is known."""
    records.soft_delete(ledger, record.id)
    model = type(record)
    model.update(deleted_at=T0 + dt.timedelta(minutes=minutes)).where(
        model.id == record.id
    ).execute()


def drop_unique_index(db: pw.Database, table: str, column: str) -> None:
    """Simulate a database where a name is unique among live records only (an older import, a
    later migration): the one way a live record can hold the name of a binned one."""
    for index in db.get_indexes(table):
        if index.unique and index.columns == [column]:
            db.execute_sql(f'DROP INDEX "{index.name}"')
            return
    raise AssertionError(f"no unique index on {table}.{column}")


@pytest.fixture
def branch_world(db: pw.Database) -> dict[str, m.BaseModel]:
    branch = records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    ent = records.create("enterprises", {"name": "恒远化工有限公司", "branch": branch})
    member = make_member("张示安", branch=branch, enterprise=ent)
    return {"branch": branch, "ent": ent, "member": member}


def test_bin_lists_every_ledger_newest_first_with_titles(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "第二党支部", "kind": "standalone"})
    member = make_member("李示例")
    act = records.create(
        "activities",
        {
            "branch": branch,
            "kind": "theme_day",
            "date": dt.date(2023, 7, 1),
            "topic": "七一主题党日",
        },
    )
    training = records.create(
        "trainings", {"name": "党员轮训", "kind": "rotation", "start_date": dt.date(2023, 5, 1)}
    )
    row = records.create("attendance", {"training": training, "member": member})
    records.create("branches", {"name": "仍在用的支部", "kind": "joint"})  # live: never listed
    bin_at("attendance", row, 1)
    bin_at("activities", act, 5)
    bin_at("members", member, 3)
    bin_at("branches", branch, 2)

    rows = recycle.deleted_records()
    assert [(r.ledger, r.ledger_label, r.record_id) for r in rows] == [
        ("activities", "组织生活", act.id),
        ("members", "党员", member.id),
        ("branches", "党组织", branch.id),
        ("attendance", "培训签到", row.id),
    ]
    assert rows[0].title == "七一主题党日" and rows[0].context == "第二党支部，主题党日，2023-07-01"
    assert rows[0].deleted_at == T0 + dt.timedelta(minutes=5)
    # An attendance row of a member is named after the member, in the context of its training.
    assert (rows[3].title, rows[3].context) == ("李示例", "党员轮训")
    # A member's natural key is the ID number: it must not appear in the bin.
    assert (rows[1].title, rows[1].context) == ("李示例", "")
    assert recycle.count_deleted() == 4
    assert recycle.count_deleted("branches") == 1


def test_filter_search_and_paging(db: pw.Database) -> None:
    branch = records.create("branches", {"name": "新材料联合党支部", "kind": "joint"})
    for i in range(7):
        team = records.create("teams", {"name": f"志愿服务队{i}", "kind": "volunteer"})
        bin_at("teams", team, i)
    act = records.create(
        "activities",
        {
            "branch": branch,
            "kind": "party_lesson",
            "date": dt.date(2023, 4, 1),
            "topic": "专题党课",
        },
    )
    odd = records.create("teams", {"name": "100%_突击队", "kind": "commando"})
    bin_at("activities", act, 10)
    bin_at("teams", odd, 11)

    assert [r.title for r in recycle.deleted_records("teams", limit=3)] == [
        "100%_突击队",
        "志愿服务队6",
        "志愿服务队5",
    ]
    # Pages put together are the whole bin, once each, in order.
    pages = [recycle.deleted_records(offset=o, limit=4) for o in range(0, 12, 4)]
    assert [r.key for p in pages for r in p] == [r.key for r in recycle.deleted_records()]
    assert len({r.key for p in pages for r in p}) == recycle.count_deleted() == 9

    # Search matches titles, and an activity by the name of its branch.
    assert [r.title for r in recycle.deleted_records(search="新材料")] == ["专题党课"]
    assert [r.record_id for r in recycle.deleted_records(search="队3")] == [
        m.Team.get(m.Team.name == "志愿服务队3").id
    ]
    # LIKE wildcards typed by the user are plain characters.
    assert [r.title for r in recycle.deleted_records(search="%_")] == ["100%_突击队"]
    assert recycle.count_deleted("teams", search="志愿") == 7
    assert recycle.deleted_records(search="不存在的名字") == []


def test_restoring_a_branch_keeps_its_enterprises_and_members(branch_world: dict) -> None:
    branch, ent, member = branch_world["branch"], branch_world["ent"], branch_world["member"]
    records.soft_delete("branches", branch.id)
    assert details.enterprise_detail(ent.id).branch is None  # binned: not shown meanwhile

    assert recycle.restore_many([("branches", branch.id)]) == []
    assert recycle.count_deleted() == 0
    assert m.Enterprise.get_by_id(ent.id).branch_id == branch.id
    assert m.Member.get_by_id(member.id).branch_id == branch.id
    d = details.branch_detail(branch.id)
    assert [e.name for e in d.enterprises] == ["恒远化工有限公司"] and d.member_total == 1


def test_restoring_a_member_brings_back_their_trainings_and_teams(branch_world: dict) -> None:
    member = branch_world["member"]
    training = records.create(
        "trainings", {"name": "党员轮训", "kind": "rotation", "start_date": dt.date(2023, 5, 1)}
    )
    records.create("attendance", {"training": training, "member": member, "status": "signed"})
    team = records.create("teams", {"name": "红色先锋队", "kind": "commando"})
    m.TeamMember.create(team=team, member=member)
    records.soft_delete("members", member.id)
    assert details.training_detail(training.id).expected == 0

    assert recycle.restore_many([("members", member.id)]) == []
    d = details.member_detail(member.id)
    assert [t.name for t in d.trainings] == ["党员轮训"] and [t.name for t in d.teams] == [
        "红色先锋队"
    ]
    assert details.training_detail(training.id).signed == 1


def test_restore_collects_refusals_and_restores_the_rest(db: pw.Database) -> None:
    drop_unique_index(db, "team", "name")
    old = records.create("teams", {"name": "红色志愿队", "kind": "volunteer"})
    other = records.create("teams", {"name": "蓝色志愿队", "kind": "volunteer"})
    records.soft_delete("teams", old.id)
    records.soft_delete("teams", other.id)
    m.Team.create(name="红色志愿队", kind="commando")  # a live record took the name meanwhile
    gone = records.create("branches", {"name": "临时支部", "kind": "temporary"})
    records.soft_delete("branches", gone.id)
    records.purge("branches", gone.id)  # purged by someone else meanwhile

    errors = recycle.restore_many([("teams", old.id), ("teams", other.id), ("branches", gone.id)])
    assert len(errors) == 2
    assert "志愿服务队“红色志愿队”未能恢复" in errors[0] and "重复" in errors[0]
    assert "已不存在" in errors[1]
    assert m.Team.get_by_id(other.id).deleted is False
    assert m.Team.get_by_id(old.id).deleted is True


def test_purge_is_refused_while_live_records_depend_on_it(branch_world: dict) -> None:
    branch, ent, member = branch_world["branch"], branch_world["ent"], branch_world["member"]
    act = records.create(
        "activities",
        {"branch": branch, "kind": "theme_day", "date": dt.date(2023, 7, 1), "topic": "主题党日"},
    )
    training = records.create(
        "trainings", {"name": "党员轮训", "kind": "rotation", "start_date": dt.date(2023, 5, 1)}
    )
    row = records.create("attendance", {"training": training, "member": member})
    records.soft_delete("branches", branch.id)
    records.soft_delete("members", member.id)

    # The branch still has a live activity and a live enterprise: history, not to be lost.
    with pytest.raises(ValidationError, match="组织生活 1 条"):
        recycle.purge_many([("branches", branch.id)])
    # The member still has a sign-in row in a live training.
    with pytest.raises(ValidationError, match="培训签到 1 条"):
        recycle.purge_many([("members", member.id)])
    assert recycle.count_deleted() == 2

    # Once the dependants are in the bin too, the purge goes through, all at once.
    records.soft_delete("attendance", row.id)
    records.soft_delete("activities", act.id)
    records.soft_delete("enterprises", ent.id)
    chosen = [
        ("attendance", row.id),
        ("members", member.id),
        ("activities", act.id),
        ("enterprises", ent.id),
        ("branches", branch.id),
    ]
    assert recycle.purge_many(chosen) == 5
    assert m.Member.get_or_none(m.Member.id == member.id) is None
    assert m.Activity.get_or_none(m.Activity.id == act.id) is None
    assert m.Branch.get_or_none(m.Branch.id == branch.id) is None


def test_purge_is_all_or_nothing(branch_world: dict) -> None:
    branch, member = branch_world["branch"], branch_world["member"]
    records.soft_delete("members", member.id)
    records.soft_delete("branches", branch.id)
    records.restore("branches", branch.id)  # someone restored it meanwhile
    with pytest.raises(ValidationError, match="不在回收站"):
        recycle.purge_many([("members", member.id), ("branches", branch.id)])
    assert m.Member.get_by_id(member.id).deleted is True
    assert m.Branch.get_by_id(branch.id).deleted is False
