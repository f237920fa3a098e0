"""The detail side panel and the recycle bin page, driven as a user would."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import records, recycle
from partybuild.store import models as m
from partybuild.ui.detail import DetailPanel, detail_panel_for
from partybuild.ui.recycle_bin import DeletedTableModel, RecycleBinPage

_seq = itertools.count(1)
GRAB_DIR = Path("/tmp")


def make_member(name: str, **data: object) -> m.Member:
    n = next(_seq)
    born = dt.date(1984, 1, 1) + dt.timedelta(days=n * 61)
    return records.create(
        "members", {"name": name, "id_number": make_id_number("999999", born, n), **data}
    )


@pytest.fixture
def park(sqlite_db: pw.Database) -> dict[str, m.BaseModel]:
    """A branch, its enterprise and members, their trainings, meetings and team; nothing binned."""
    branch = records.create(
        "branches", {"name": "第一联合党支部", "kind": "joint", "secretary": "李书记"}
    )
    ent = records.create(
        "enterprises", {"name": "恒远化工有限公司", "industry": "精细化工", "branch": branch}
    )
    zhang = make_member(
        "张示安",
        branch=branch,
        enterprise=ent,
        phone="13812345678",
        party_post="支部书记",
        joined_on=dt.date(2009, 7, 1),
        confirmed_on=dt.date(2010, 7, 1),
    )
    make_member(
        "李预备",
        branch=branch,
        enterprise=ent,
        category="probationary",
        joined_on=dt.date(2023, 5, 1),
    )
    t1 = records.create(
        "trainings",
        {"name": "2023年党员轮训（第一期）", "kind": "rotation", "start_date": dt.date(2023, 3, 1)},
    )
    t2 = records.create(
        "trainings",
        {
            "name": "学习贯彻党的二十大精神集中宣讲",
            "kind": "lecture",
            "start_date": dt.date(2023, 6, 1),
        },
    )
    for t, status in ((t1, "signed"), (t2, "leave")):
        records.create("attendance", {"training": t, "member": zhang, "status": status})
    records.create(
        "attendance", {"training": t1, "person_name": "访客甲", "person_unit": "园区管委会"}
    )
    for date, kind, topic in (
        (dt.date(2023, 7, 1), "theme_day", "“七一”主题党日：重温入党誓词"),
        (dt.date(2023, 3, 20), "general_meeting", "第一季度支部党员大会"),
    ):
        act = records.create(
            "activities", {"branch": branch, "kind": kind, "date": date, "topic": topic}
        )
        m.ActivityAttendee.create(activity=act, member=zhang)
    team = records.create(
        "teams", {"name": "红色先锋志愿服务队", "kind": "volunteer", "branch": branch}
    )
    m.TeamMember.create(team=team, member=zhang, role="队长")
    records.create(
        "issues",
        {
            "enterprise": ent,
            "received_on": dt.date(2023, 10, 9),
            "category": "utilities",
            "description": "蒸汽供应不稳定，影响连续生产",
            "deadline": dt.date(2023, 11, 30),
        },
    )
    return {"branch": branch, "ent": ent, "zhang": zhang, "t1": t1, "team": team}


@pytest.fixture
def world(park: dict[str, m.BaseModel]) -> dict[str, m.BaseModel]:
    """The park plus a training and a party lesson of 张示安's that are in the recycle bin."""
    zhang = park["zhang"]
    binned_t = records.create(
        "trainings", {"name": "已删除的培训", "kind": "other", "start_date": dt.date(2023, 8, 1)}
    )
    records.create("attendance", {"training": binned_t, "member": zhang, "status": "signed"})
    act = records.create(
        "activities",
        {
            "branch": park["branch"],
            "kind": "party_lesson",
            "date": dt.date(2023, 9, 1),
            "topic": "已删除的党课",
        },
    )
    m.ActivityAttendee.create(activity=act, member=zhang)
    records.soft_delete("trainings", binned_t.id)
    records.soft_delete("activities", act.id)
    return park


def panel(ledger: str, qtbot: QtBot) -> DetailPanel:
    widget = detail_panel_for(ledger)
    assert widget is not None
    qtbot.addWidget(widget)
    widget.resize(420, 640)
    return widget


# --------------------------------------------------------------------------- detail panel


def test_panels_exist_for_the_five_ledgers_only(sqlite_db: pw.Database, qtbot: QtBot) -> None:
    for name in spec.LEDGERS:
        widget = detail_panel_for(name)
        if name in ("members", "enterprises", "branches", "trainings", "activities"):
            assert isinstance(widget, DetailPanel)
            qtbot.addWidget(widget)
            assert "选择一条记录查看详情" in widget.plain_text()
        else:
            assert widget is None


def test_member_panel_lists_related_records_and_masks_personal_data(
    world: dict, qtbot: QtBot
) -> None:
    zhang = world["zhang"]
    widget = panel("members", qtbot)
    widget.show_record(zhang.id)
    text = widget.plain_text()
    for expected in (
        "张示安",
        "正式党员",
        "党龄",
        "第一联合党支部",
        "恒远化工有限公司",
        "2023年党员轮训（第一期）",
        "已签到",
        "请假",
        "第一季度支部党员大会",
        "主题党日",
        "红色先锋志愿服务队",
        "138****5678",
    ):
        assert expected in text
    assert "已删除的培训" not in text and "已删除的党课" not in text
    assert zhang.id_number not in text and "13812345678" not in text
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.grab().save(str(GRAB_DIR / "detail.png"))

    widget.show_record(None)
    assert "选择一条记录查看详情" in widget.plain_text()
    records.soft_delete("members", zhang.id)
    widget.show_record(zhang.id)
    assert "回收站" in widget.plain_text()


def test_enterprise_branch_and_training_panels(world: dict, qtbot: QtBot) -> None:
    widget = panel("enterprises", qtbot)
    widget.show_record(world["ent"].id)
    text = widget.plain_text()
    assert "第一联合党支部（联合党支部）" in text and "李预备" in text and "支部书记" in text
    assert "蒸汽供应不稳定" in text and "超期" in text  # past its deadline and still open

    widget = panel("branches", qtbot)
    widget.show_record(world["branch"].id)
    text = widget.plain_text()
    assert "恒远化工有限公司" in text and "党员等 2 人" in text and "红色先锋志愿服务队" in text
    assert "2023-07-01" in text and "第一季度支部党员大会" in text

    widget = panel("trainings", qtbot)
    widget.show_record(world["t1"].id)
    text = widget.plain_text()
    assert "应到 2" in text and "已签到 1" in text and "50.0%" in text and "访客甲" in text


# --------------------------------------------------------------------------- recycle bin


def bin_page(qtbot: QtBot) -> RecycleBinPage:
    page = RecycleBinPage()
    qtbot.addWidget(page)
    page.resize(820, 480)
    return page


def select_rows(page: RecycleBinPage, rows: list[int]) -> None:
    selection = page.table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(page.model.index(row, 0), flags)


def row_of(page: RecycleBinPage, ledger: str, record_id: int) -> int:
    for row in range(page.model.rowCount()):
        if page.model.row_at(row).key == (ledger, record_id):
            return row
    raise AssertionError(f"{ledger}#{record_id} not listed")


def test_deleted_table_model_passes_the_model_tester(park: dict, qtmodeltester) -> None:
    records.soft_delete("branches", park["branch"].id)
    records.soft_delete("teams", park["team"].id)
    model = DeletedTableModel()
    model.set_rows(recycle.deleted_records())
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    model.append_rows(recycle.deleted_records())
    qtmodeltester.check(model)


def test_restoring_a_branch_from_the_page_keeps_its_links(park: dict, qtbot: QtBot) -> None:
    branch, ent, zhang = park["branch"], park["ent"], park["zhang"]
    records.soft_delete("branches", branch.id)
    page = bin_page(qtbot)
    assert page.model.rowCount() == 1
    assert page.model.row_at(0).title == "第一联合党支部"
    assert not page.restore_button.isEnabled()

    select_rows(page, [0])
    assert page.restore_button.isEnabled() and page.purge_button.isEnabled()
    with qtbot.waitSignal(page.changed, timeout=1000):
        page.restore_button.click()
    assert page.model.rowCount() == 0
    assert "已恢复 1 条" in page.message.text()
    assert m.Branch.get_by_id(branch.id).deleted is False
    assert m.Enterprise.get_by_id(ent.id).branch_id == branch.id
    assert m.Member.get_by_id(zhang.id).branch_id == branch.id
    assert m.Member.get_by_id(zhang.id).enterprise_id == ent.id


def test_purge_asks_again_and_only_yes_deletes(
    park: dict, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch, team = park["branch"], park["team"]
    team_two = records.create("teams", {"name": "第二突击队", "kind": "commando", "branch": branch})
    records.soft_delete("teams", team.id)
    records.soft_delete("teams", team_two.id)
    page = bin_page(qtbot)
    select_rows(page, [0, 1])
    asked: list[str] = []

    def answer(reply: QMessageBox.StandardButton):
        def question(parent, title, text, *args, **kwargs):
            asked.append(text)
            return reply

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    page.purge_button.click()
    assert len(asked) == 1
    assert "2 条" in asked[0] and "无法恢复" in asked[0] and "撤销" in asked[0]
    assert recycle.count_deleted() == 2 and page.model.rowCount() == 2

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    select_rows(page, [0, 1])
    with qtbot.waitSignal(page.changed, timeout=1000):
        page.purge_button.click()
    assert len(asked) == 2
    assert recycle.count_deleted() == 0 and page.model.rowCount() == 0
    assert m.Team.get_or_none(m.Team.id == team.id) is None
    assert "已彻底删除 2 条" in page.message.text()


def test_purge_refused_while_live_records_use_it_is_shown(
    park: dict, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch = park["branch"]
    records.soft_delete("branches", branch.id)
    page = bin_page(qtbot)
    select_rows(page, [0])
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]))
    page.purge_button.click()
    assert asked == []  # refused up front: no confirmation for a deletion that cannot happen
    assert not page.message.isHidden() and "不能彻底删除" in page.message.text()
    assert m.Branch.get_by_id(branch.id).deleted is True and page.model.rowCount() == 1


def test_refused_restore_is_shown_in_the_page(park: dict, qtbot: QtBot) -> None:
    team = park["team"]
    records.soft_delete("teams", team.id)
    # A database where names are unique among live records only: a live team took the name.
    for index in m.db_proxy.obj.get_indexes("team"):
        if index.unique and index.columns == ["name"]:
            m.db_proxy.obj.execute_sql(f'DROP INDEX "{index.name}"')
    m.Team.create(name="红色先锋志愿服务队", kind="commando")
    page = bin_page(qtbot)
    select_rows(page, [0])
    page.restore_button.click()
    assert not page.message.isHidden()
    assert "未能恢复" in page.message.text() and "红色先锋志愿服务队" in page.message.text()
    assert page.model.rowCount() == 1 and m.Team.get_by_id(team.id).deleted is True


def test_filter_and_search(park: dict, qtbot: QtBot) -> None:
    records.soft_delete("teams", park["team"].id)
    records.soft_delete("branches", park["branch"].id)
    records.soft_delete("trainings", park["t1"].id)
    page = bin_page(qtbot)
    assert page.model.rowCount() == 3 and "共 3 条" in page.count_label.text()
    assert page.ledger_filter.itemText(0) == "全部"
    assert [page.ledger_filter.itemText(i) for i in range(1, page.ledger_filter.count())] == [
        *(ledger.label for ledger in spec.LEDGERS.values() if ledger.scope is None),
        "附件",
    ]
    page.ledger_filter.setCurrentIndex(page.ledger_filter.findData("teams"))
    assert [page.model.row_at(r).title for r in range(page.model.rowCount())] == [
        "红色先锋志愿服务队"
    ]
    page.ledger_filter.setCurrentIndex(0)
    page.search.setText("轮训")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert page.model.row_at(0).ledger == "trainings"


def test_paging_loads_more(park: dict, qtbot: QtBot) -> None:
    for i in range(5):
        team = records.create("teams", {"name": f"突击队{i}", "kind": "commando"})
        records.soft_delete("teams", team.id)
    page = RecycleBinPage(page_size=2)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 2 and not page.more_button.isHidden()
    page.more_button.click()
    page.more_button.click()
    assert page.model.rowCount() == 5 and page.more_button.isHidden()
    assert len({page.model.row_at(r).key for r in range(5)}) == 5


def test_recycle_bin_grab(park: dict, qtbot: QtBot) -> None:
    records.soft_delete("teams", park["team"].id)
    records.soft_delete("members", park["zhang"].id)
    act = m.Activity.get(m.Activity.topic == "第一季度支部党员大会")
    records.soft_delete("activities", act.id)
    records.soft_delete("issues", m.EnterpriseIssue.get().id)
    records.soft_delete("branches", park["branch"].id)
    page = bin_page(qtbot)
    select_rows(page, [row_of(page, "members", park["zhang"].id)])
    page.restore_button.click()  # leaves a success message on the page
    select_rows(page, [0])
    page.show()
    qtbot.waitExposed(page)
    assert page.grab().save(str(GRAB_DIR / "recycle.png"))
