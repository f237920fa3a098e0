"""The relations tabs as a user drives them: add by branch, mark many rows at once, guests,
quorum, a joint branch's enterprises, issue progress — and every table model is a sound model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from partybuild.services import records, relations
from partybuild.store import models as m
from partybuild.ui.relations import (
    AttendanceEditor,
    AttendeeEditor,
    BranchEnterprisesEditor,
    ParticipantsEditor,
    TeamMembersEditor,
    relation_editor_for,
)
from tests.services.test_relations import (
    make_branch,
    make_enterprise,
    make_member,
    make_training,
)


def select_rows(editor: AttendanceEditor | AttendeeEditor, rows: range) -> None:
    """Select rows as a Shift-click would."""
    assert editor.table is not None and editor.model is not None
    last = editor.model.columnCount() - 1
    selection = QItemSelection(
        editor.model.index(rows.start, 0), editor.model.index(rows.stop - 1, last)
    )
    editor.table.selectionModel().select(
        selection,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def cell(editor: AttendanceEditor | AttendeeEditor, row: int, column: int) -> str:
    assert editor.model is not None
    return editor.model.index(row, column).data()


@pytest.fixture
def branch_of_five(sqlite_db: pw.Database) -> m.Branch:
    """A branch with 3 full and 2 probationary members, plus people who must not be added."""
    branch = make_branch("第一联合党支部")
    firm = make_enterprise("恒远化工有限公司", branch)
    for name in ("张一", "王二", "李三"):
        make_member(name, branch, firm)
    for name in ("赵四", "钱五"):
        make_member(name, branch, firm, "probationary")
    make_member("孙六", branch, firm, "activist")
    binned = make_member("吴八", branch, firm)
    records.soft_delete("members", binned.id)
    return branch


# --------------------------------------------------------------------------- the entry point


def test_relation_editor_for_each_ledger(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    firm = make_enterprise("新锐新材料股份有限公司")
    team = records.create("teams", {"name": "党员突击队", "kind": "commando"})
    made = {
        "trainings": make_training().id,
        "activities": records.create(
            "activities",
            {
                "branch": branch_of_five,
                "kind": "theme_day",
                "date": dt.date(2023, 7, 1),
                "topic": "七一主题党日",
            },
        ).id,
        "teams": team.id,
        "services": records.create(
            "services", {"team": team, "date": dt.date(2023, 8, 1), "topic": "防汛"}
        ).id,
        "branches": branch_of_five.id,
        "issues": records.create(
            "issues",
            {
                "enterprise": firm,
                "received_on": dt.date(2023, 5, 2),
                "category": "staffing",
                "description": "招工难",
            },
        ).id,
    }
    expected = {
        "trainings": (AttendanceEditor, "签到名单"),
        "activities": (AttendeeEditor, "参会人员"),
        "teams": (TeamMembersEditor, "队员"),
        "services": (ParticipantsEditor, "参加队员"),
        "branches": (BranchEnterprisesEditor, "所属企业"),
    }
    for ledger, (kind, title) in expected.items():
        editor = relation_editor_for(ledger, made[ledger])
        assert isinstance(editor, kind), ledger
        qtbot.addWidget(editor)
        assert editor.windowTitle() == title
    assert relation_editor_for("members", 1) is None
    assert relation_editor_for("enterprises", firm.id) is None
    # 办理进度 is a tab of the issue form itself (its fields, its one 保存), not a second editor.
    assert relation_editor_for("issues", made["issues"]) is None


# --------------------------------------------------------------------------- sign-in list


def test_bulk_add_by_branch_then_again_adds_none(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    training = make_training()
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor.by_branch_button, Qt.MouseButton.LeftButton)
    assert editor.branch_panel.isVisibleTo(editor)

    # Typing part of the name finds the live branch in SQL.
    editor.branch_picker.lineEdit().setText("第一")
    editor.branch_picker.search_now()
    assert editor.branch_picker.titles() == ["第一联合党支部"]
    editor.branch_picker.setCurrentIndex(0)
    qtbot.mouseClick(editor.branch_add, Qt.MouseButton.LeftButton)
    assert editor.model is not None and editor.model.rowCount() == 5
    assert {cell(editor, r, 1) for r in range(5)} == {"张一", "王二", "李三", "赵四", "钱五"}
    assert editor.message.text() == "已添加 5 个，跳过 0 个"
    assert editor.summary.text() == "应到 5，已签到 0，请假 0，缺席 0，签到率 0%"

    qtbot.mouseClick(editor.branch_add, Qt.MouseButton.LeftButton)
    assert editor.model.rowCount() == 5
    assert editor.message.text() == "已添加 0 个，跳过 5 个（5 个已在名单中）"


def test_enter_in_the_branch_picker_picks_and_adds(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    """Keyboard only: open 按党组织添加, type part of the name, Down, Enter adds its members."""
    training = make_training()
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClick(editor.by_branch_button, Qt.Key.Key_Space)
    qtbot.waitUntil(editor.branch_picker.hasFocus)
    typed = QInputMethodEvent()  # as an input method commits Chinese
    typed.setCommitString("第一")
    QApplication.sendEvent(editor.branch_picker.lineEdit(), typed)
    popup = editor.branch_picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.model is not None and editor.model.rowCount() == 5)
    assert editor.branch_picker.currentText() == "第一联合党支部"
    assert editor.message.text() == "已添加 5 个，跳过 0 个"
    # Enter again on the chosen branch adds it again (nobody new), as 添加 would.
    qtbot.keyClick(editor.branch_picker.lineEdit(), Qt.Key.Key_Return)
    assert editor.message.text() == "已添加 0 个，跳过 5 个（5 个已在名单中）"


def test_marking_twenty_selected_rows_signed_at_once(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    branch = make_branch("第三联合党支部")
    people = [make_member(f"党员{i:02d}", branch) for i in range(25)]
    training = make_training()
    relations.add_members(training.id, [p.id for p in people])
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    signals: list[None] = []
    editor.changed.connect(lambda: signals.append(None))

    select_rows(editor, range(0, 20))
    assert len(editor.selected_ids()) == 20
    qtbot.mouseClick(editor.status_buttons["signed"], Qt.MouseButton.LeftButton)

    signed = m.Attendance.select().where(
        m.Attendance.status == "signed", m.Attendance.signed_at.is_null(False)
    )
    assert signed.count() == 20
    assert editor.summary.text() == "应到 25，已签到 20，请假 0，缺席 0，签到率 80%"
    assert [cell(editor, r, 4) for r in range(25)] == ["已签到"] * 20 + ["未签到"] * 5
    assert all(cell(editor, r, 5) for r in range(20)) and not cell(editor, 20, 5)
    assert editor.message.text() == "已将所选 20 人标记为“已签到”"
    assert len(editor.selected_ids()) == 20 and signals  # selection kept for the next step

    select_rows(editor, range(18, 22))
    qtbot.mouseClick(editor.status_buttons["leave"], Qt.MouseButton.LeftButton)
    assert editor.summary.text() == "应到 25，已签到 18，请假 4，缺席 0，签到率 72%"
    assert not cell(editor, 18, 5)  # leave clears the sign-in time


def test_nothing_selected_is_said_not_crashed(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    training = make_training()
    relations.add_members_of_branch(training.id, branch_of_five.id)
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor.status_buttons["absent"], Qt.MouseButton.LeftButton)
    assert "请先在名单中选择" in editor.message.text()
    qtbot.mouseClick(editor.branch_add, Qt.MouseButton.LeftButton)
    assert editor.message.text() == "请先选择党组织"
    assert m.Attendance.select().where(m.Attendance.status == "absent").count() == 0


def test_remove_selected_rows(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    training = make_training()
    relations.add_members_of_branch(training.id, branch_of_five.id)
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    select_rows(editor, range(0, 2))
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.model is not None and editor.model.rowCount() == 3
    assert m.Attendance.select().where(m.Attendance.deleted == True).count() == 2  # noqa: E712
    assert "回收站" in editor.message.text()


def test_non_member_guest_is_added(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    training = make_training()
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor.guest_button, Qt.MouseButton.LeftButton)
    assert editor.guest_panel.isVisibleTo(editor) and not editor.branch_panel.isVisibleTo(editor)
    # QTest cannot type Chinese (it aborts on non-Latin-1 keys): set the text, press Enter.
    editor.guest_name.setText("欧阳明")
    editor.guest_unit.setText("园区管委会经济发展局")
    qtbot.keyClick(editor.guest_unit, Qt.Key.Key_Return)
    assert editor.model is not None and editor.model.rowCount() == 1
    assert [cell(editor, 0, c) for c in range(1, 5)] == [
        "欧阳明",
        "非党员",
        "园区管委会经济发展局",
        "未签到",
    ]
    assert editor.guest_name.text() == ""

    editor.guest_name.setText("欧阳明")
    editor.guest_unit.setText("园区管委会经济发展局")
    qtbot.mouseClick(editor.guest_add, Qt.MouseButton.LeftButton)
    assert "已在签到名单中" in editor.message.text()
    editor.guest_name.setText("  ")
    qtbot.mouseClick(editor.guest_add, Qt.MouseButton.LeftButton)
    assert "姓名" in editor.message.text()
    assert editor.model.rowCount() == 1


def test_member_search_never_offers_binned_members(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    training = make_training()
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor.member_button, Qt.MouseButton.LeftButton)
    picker = editor.member_picker
    offered = [picker.results.item(i).text() for i in range(picker.results.count())]
    assert "吴八（恒远化工有限公司）" not in offered and len(offered) == 6

    picker.search_edit.setText("王")
    picker.search_now()
    assert picker.results.count() == 1
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)  # a single match needs no click
    assert editor.model is not None and cell(editor, 0, 1) == "王二"

    binned = m.Member.get(m.Member.name == "吴八")
    editor.add_members([binned.id])
    assert "回收站" in editor.message.text() and editor.model.rowCount() == 1


def test_attendance_grab_renders(qtbot: QtBot, tmp_path: Path, branch_of_five: m.Branch) -> None:
    training = make_training()
    relations.add_members_of_branch(training.id, branch_of_five.id)
    relations.add_guest(training.id, "欧阳明", "园区管委会")
    editor = AttendanceEditor(training.id)
    qtbot.addWidget(editor)
    editor.resize(1000, 600)
    editor.show()
    target = tmp_path / "attendance.png"
    assert editor.grab().save(str(target))
    assert target.stat().st_size > 5000
    assert editor.table is not None and editor.table.columnWidth(1) > 30


# --------------------------------------------------------------------------- meetings


def test_attendee_editor_quorum_at_the_boundary(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    branch = make_branch("第四联合党支部")
    for i in range(4):
        make_member(f"正式{i}", branch)
    make_member("预备0", branch, category="probationary")
    meeting = records.create(
        "activities",
        {
            "branch": branch,
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 28),
            "topic": "第一季度党员大会",
        },
    )
    editor = AttendeeEditor(meeting.id)
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor.branch_button, Qt.MouseButton.LeftButton)
    assert editor.model is not None and editor.model.rowCount() == 5
    assert editor.summary.text() == "应到 5，出席 5，请假 0，缺席 0"
    assert editor.quorum_label.isVisibleTo(editor)
    assert editor.quorum_label.text().startswith("是否达到法定人数：是")

    names = [cell(editor, r, 1) for r in range(5)]
    select_rows(editor, range(names.index("正式0"), names.index("正式0") + 2))  # 正式0, 正式1
    qtbot.mouseClick(editor.status_buttons["absent"], Qt.MouseButton.LeftButton)
    # 2 of 4 full members present: exactly half is not a quorum (the probationary one has no vote).
    assert editor.quorum_label.text() == (
        "是否达到法定人数：否（有表决权的正式党员 4 人，到会 2 人，须超过半数）"
    )
    select_rows(editor, range(names.index("正式0"), names.index("正式0") + 1))
    qtbot.mouseClick(editor.status_buttons["present"], Qt.MouseButton.LeftButton)
    assert "是否达到法定人数：是" in editor.quorum_label.text()
    assert "到会 3 人" in editor.quorum_label.text()


def test_quorum_line_only_for_general_meetings(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    day = records.create(
        "activities",
        {
            "branch": branch_of_five,
            "kind": "theme_day",
            "date": dt.date(2023, 7, 1),
            "topic": "七一主题党日",
        },
    )
    editor = AttendeeEditor(day.id)
    qtbot.addWidget(editor)
    editor.add_branch_members()
    assert editor.model is not None and editor.model.rowCount() == 5
    assert not editor.quorum_label.isVisibleTo(editor)


# --------------------------------------------------------------------------- teams and services


def test_team_and_service_editors(qtbot: QtBot, branch_of_five: m.Branch) -> None:
    team = records.create(
        "teams", {"name": "恒远党员志愿服务队", "kind": "volunteer", "branch": branch_of_five}
    )
    outsider = make_member("冯十", make_branch("第二联合党支部"))
    members = TeamMembersEditor(team.id)
    qtbot.addWidget(members)
    qtbot.mouseClick(members.member_button, Qt.MouseButton.LeftButton)
    picker = members.member_picker
    picker.search_edit.setText("恒远")  # no name matches; enterprise names are not searched
    picker.search_now()
    assert picker.results.count() == 0 and "没有找到" in picker.hint.text()
    picker.search_edit.setText("")
    picker.search_now()
    for i in range(picker.results.count()):
        item = picker.results.item(i)
        item.setSelected(item.text().split("（")[0] in ("张一", "王二"))
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)
    assert members.model is not None and members.model.rowCount() == 2
    assert members.summary.text() == "共 2 名队员"

    service = records.create(
        "services", {"team": team, "date": dt.date(2023, 8, 1), "topic": "安全生产宣传"}
    )
    parts = ParticipantsEditor(service.id)
    qtbot.addWidget(parts)
    qtbot.mouseClick(parts.member_button, Qt.MouseButton.LeftButton)
    first_two = {parts.member_picker.results.item(i).text() for i in range(2)}
    assert first_two == {"张一（恒远化工有限公司）", "王二（恒远化工有限公司）"}  # team first
    qtbot.mouseClick(parts.team_button, Qt.MouseButton.LeftButton)
    parts.add_members([outsider.id])
    assert "不是本服务队队员" in parts.message.text()
    assert parts.summary.text() == "共 3 人参加，其中 1 人不是本队队员"
    assert parts.model is not None
    row = [parts.model.index(r, 1).data() for r in range(3)].index("冯十")
    assert parts.model.index(row, 4).data() == "否"
    parts.table.selectRow(row)
    qtbot.mouseClick(parts.remove_button, Qt.MouseButton.LeftButton)
    assert parts.summary.text() == "共 2 人参加"


# --------------------------------------------------------------------------- branch's enterprises


def test_joint_branch_over_five_enterprises_warns_but_works(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    joint = make_branch("化工园联合党支部")
    for i in range(5):
        make_enterprise(f"企业{i}", joint)
    sixth = make_enterprise("企业5")
    editor = BranchEnterprisesEditor(joint.id)
    qtbot.addWidget(editor)
    assert not editor.warning.isVisibleTo(editor)
    assert editor.summary.text() == "共覆盖 5 家企业，党员 0 名"

    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    editor.enterprise_picker.set_record_id(sixth.id)
    qtbot.mouseClick(editor.enterprise_add, Qt.MouseButton.LeftButton)
    assert editor.model is not None and editor.model.rowCount() == 6
    assert m.Enterprise.get_by_id(sixth.id).branch_id == joint.id
    assert editor.warning.isVisibleTo(editor)
    assert "6 家企业" in editor.warning.text() and "不超过 5 个单位" in editor.warning.text()
    assert "不超过 5 个单位" in editor.message.text()

    editor.table.selectRow(0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert editor.model.rowCount() == 5 and not editor.warning.isVisibleTo(editor)


# --------------------------------------------------------------------------- models


def test_every_model_passes_the_model_tester(
    qtmodeltester, qtbot: QtBot, branch_of_five: m.Branch
) -> None:
    training = make_training()
    relations.add_members_of_branch(training.id, branch_of_five.id)
    relations.add_guest(training.id, "欧阳明", "园区管委会")
    meeting = records.create(
        "activities",
        {
            "branch": branch_of_five,
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 28),
            "topic": "党员大会",
        },
    )
    relations.add_branch_members_to_activity(meeting.id)
    team = records.create("teams", {"name": "突击队", "kind": "commando", "branch": branch_of_five})
    ids = [r.member_id for r in relations.activity_attendees(meeting.id)]
    relations.add_team_members(team.id, ids)
    service = records.create(
        "services", {"team": team, "date": dt.date(2023, 8, 1), "topic": "防汛"}
    )
    relations.add_service_participants(service.id, ids[:3])
    editors = [
        AttendanceEditor(training.id),
        AttendeeEditor(meeting.id),
        TeamMembersEditor(team.id),
        ParticipantsEditor(service.id),
        BranchEnterprisesEditor(branch_of_five.id),
        AttendanceEditor(make_training("空名单").id),
    ]
    for editor in editors:
        qtbot.addWidget(editor)
        assert editor.model is not None
        qtmodeltester.check(editor.model)
    assert [e.model.rowCount() for e in editors if e.model] == [6, 5, 5, 3, 1, 0]


# --------------------------------------------------------------------------- leaving a form


def test_a_guest_typed_but_not_added_is_asked_about(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    from partybuild.ledgers import spec
    from partybuild.ui.form import RecordDialog
    from tests.ui.test_form import answer_unsaved

    training = make_training()
    dialog = RecordDialog(spec.ledger("trainings"), training.id)
    qtbot.addWidget(dialog)
    dialog.open()
    signin = dialog.relation_tab
    assert isinstance(signin, AttendanceEditor)
    signin.guest_name.setText("欧阳明")
    asked = answer_unsaved(qtbot, "继续编辑")
    dialog.close()
    assert asked and dialog.isVisible() and signin.guest_name.text() == "欧阳明"
    asked = answer_unsaved(qtbot, "保存")
    dialog.close()
    assert asked and not dialog.isVisible()
    assert [row.name for row in relations.attendance_rows(training.id)] == ["欧阳明"]


def test_a_new_training_offers_its_sign_in_list_right_after_the_first_save(
    qtbot: QtBot, branch_of_five: m.Branch
) -> None:
    """新建培训 → 保存: the dialog stays open on 签到名单, ready to add the branch's members."""
    from tests.ui.test_form import fill, open_dialog

    dialog = open_dialog(qtbot, "trainings")
    assert dialog.tabs.count() == 1  # nothing to sign in to before the training exists
    fill(qtbot, dialog.form, "name", "2023年党员轮训（第二期）")
    fill(qtbot, dialog.form, "kind", "rotation")
    fill(qtbot, dialog.form, "start_date", dt.date(2023, 7, 5))
    saved: list[int] = []
    dialog.saved.connect(saved.append)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    training = m.Training.get(m.Training.name == "2023年党员轮训（第二期）")
    assert saved == [training.id] and dialog.isVisible()
    signin = dialog.relation_tab
    assert isinstance(signin, AttendanceEditor)
    assert dialog.tabs.currentWidget() is signin and dialog.tabs.tabText(1) == "签到名单"
    assert dialog.windowTitle().startswith("编辑培训")
    signin.branch_picker.set_record_id(branch_of_five.id)
    qtbot.mouseClick(signin.branch_add, Qt.MouseButton.LeftButton)
    assert len(relations.attendance_rows(training.id)) == 5
    # Saving again (nothing changed) closes the dialog as for any record being edited.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_signing_in_a_past_training_records_its_day_not_the_click(
    qtbot: QtBot, branch_of_five: m.Branch
) -> None:
    """Entering a 2023 sheet today: 签到时间 is the training's day (2023-06-20), not today's
    click; a training running today takes the moment of the click."""
    past = make_training()  # 2023-06-20
    relations.add_members_of_branch(past.id, branch_of_five.id)
    editor = AttendanceEditor(past.id)
    qtbot.addWidget(editor)
    select_rows(editor, range(0, 5))
    qtbot.mouseClick(editor.status_buttons["signed"], Qt.MouseButton.LeftButton)
    times = {a.signed_at for a in m.Attendance.select().where(m.Attendance.training == past.id)}
    assert times == {dt.datetime(2023, 6, 20, 0, 0)}
    assert [cell(editor, r, 5) for r in range(5)] == ["2023-06-20"] * 5

    today = dt.date.today()
    running = records.create(
        "trainings",
        {
            "name": "今天的专题党课",
            "kind": "party_lesson",
            "start_date": today - dt.timedelta(1),
            "end_date": today + dt.timedelta(1),
        },
    )
    relations.add_members_of_branch(running.id, branch_of_five.id)
    live = AttendanceEditor(running.id)
    qtbot.addWidget(live)
    before = dt.datetime.now().replace(microsecond=0)
    select_rows(live, range(0, 1))
    qtbot.mouseClick(live.status_buttons["signed"], Qt.MouseButton.LeftButton)
    (row,) = [r for r in relations.attendance_rows(running.id) if r.status == "signed"]
    assert row.signed_at is not None and before <= row.signed_at <= dt.datetime.now()
    assert cell(live, 0, 5) == f"{row.signed_at:%Y-%m-%d %H:%M}"
