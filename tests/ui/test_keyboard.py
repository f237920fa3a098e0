"""The keyboard map of issue 13, driven with keys as a secretary without a mouse would."""

from __future__ import annotations

import peewee as pw
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.main_window import PAGES, MainWindow, _plain
from tests.ui.test_form import type_text


@pytest.fixture
def window(active_demo_window: MainWindow) -> MainWindow:
    return active_demo_window


def test_tab_into_the_table_highlights_the_row_the_keys_act_on(
    window: MainWindow, qtbot: QtBot
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    enterprises = window.current_page()
    assert isinstance(enterprises, LedgerPage)
    enterprises.search.setFocus()
    while QApplication.focusWidget() is not enterprises.table:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    rows = enterprises.table.selectionModel().selectedRows()
    assert [i.row() for i in rows] == [0]
    qtbot.keyClick(enterprises.table, Qt.Key.Key_Down)
    assert enterprises.current_id() == enterprises.model.record_id(1)


def test_ctrl_digits_switch_pages_in_sidebar_order(window: MainWindow, qtbot: QtBot) -> None:
    for digit, (name, _label) in zip("123456789", PAGES, strict=False):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{digit}"), Qt.KeyboardModifier.ControlModifier)
        assert window.page_name() == name
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.page_name() == "dues"
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.page_name() == "recycle-bin"
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.page_name() == "audit"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.page_name() == "overview"


def test_down_from_the_search_box_lands_on_the_first_result(
    window: MainWindow, qtbot: QtBot
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    members = window.current_page()
    assert isinstance(members, LedgerPage)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is members.search
    first = members.model.record_id(0)
    qtbot.keyClick(members.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is members.table
    assert members.current_id() == first
    assert members.selected_ids() == [first]
    qtbot.keyClick(members.table, Qt.Key.Key_Return)
    assert members.dialog is not None and members.dialog.record_id == first


def test_the_saved_record_stays_selected_and_visible(window: MainWindow, qtbot: QtBot) -> None:

    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    branches = window.current_page()  # the enterprises: more rows than the window shows
    assert isinstance(branches, LedgerPage)
    while branches.model.canFetchMore():
        branches.model.fetchMore()
    branches.select_record(branches.model.record_id(1))
    record_id = branches.current_id()
    qtbot.keyClick(branches.table, Qt.Key.Key_Return)
    dialog = branches.dialog
    name = dialog.form.editor("name")  # renamed, it moves to the end of the name order
    name.clear()
    type_text(qtbot, name, "龥示范企业")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    rows = branches.table.selectionModel().selectedRows()
    assert [branches.model.record_id(i.row()) for i in rows] == [record_id]
    assert branches.selected_ids() == [record_id]
    assert branches.current_id() == record_id
    row = branches.model.row_of(record_id)
    assert row is not None and row > 40
    assert branches.table.rowViewportPosition(row) >= 0
    assert branches.table.rowViewportPosition(row) < branches.table.viewport().height()


def test_the_edit_menu_shows_del_and_del_deletes(window: MainWindow, qtbot: QtBot) -> None:
    assert window.delete_action.shortcut() == QKeySequence(Qt.Key.Key_Delete)
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("编辑"))
    assert window.delete_action in edit_menu.actions()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    enterprises = window.current_page()
    assert isinstance(enterprises, LedgerPage)
    total = enterprises.model.total
    qtbot.keyClick(enterprises.table, Qt.Key.Key_Delete)
    assert enterprises.model.total == total - 1
    # Del in the search box still deletes a character, never a record.
    enterprises.search.setFocus()
    qtbot.keyClicks(enterprises.search, "ab")
    qtbot.keyClick(enterprises.search, Qt.Key.Key_Home)
    qtbot.keyClick(enterprises.search, Qt.Key.Key_Delete)
    assert enterprises.search.text() == "b"
    qtbot.waitUntil(lambda: not enterprises.search_pending())  # the pause after typing
    assert enterprises.model.total <= total - 1


def test_help_lists_every_shortcut_of_every_action(window: MainWindow, qtbot: QtBot) -> None:
    from partybuild.ui.main_window import ShortcutsDialog

    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, ShortcutsDialog)
    table = dialog.findChild(QTableWidget)
    rows = {(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())}
    for action in window.findChildren(type(window.delete_action)):
        for key in action.shortcuts():
            text = key.toString(QKeySequence.SequenceFormat.NativeText)
            assert (text, _plain(action.text())) in rows, text
    assert ("Ctrl+4", "切换到 党员") not in rows  # pages are listed under their own name
    assert ("Ctrl+4", "党员") in rows
    assert ("Del", "删除") in rows
    assert any(key == "↓" for key, _what in rows)  # the keys the widgets handle themselves
    dialog.grab().save("/tmp/keys/shortcuts.png")


def test_the_sidebar_shows_where_the_focus_is(window: MainWindow, qtbot: QtBot) -> None:
    window.nav.setFocus()
    qtbot.waitUntil(lambda: window.nav.hasFocus())
    focused = window.nav.grab().toImage()
    focused.save("/tmp/keys/nav.png")
    window.current_page().setFocus()
    window.menuBar().setFocus()
    qtbot.waitUntil(lambda: not window.nav.hasFocus())
    unfocused = window.nav.grab().toImage()
    assert focused != unfocused


def test_after_del_the_detail_pane_shows_the_next_record_not_the_deleted(
    window: MainWindow, qtbot: QtBot
) -> None:
    from partybuild.store import models as m

    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    members = window.current_page()
    assert isinstance(members, LedgerPage) and members.detail is not None
    members.select_record(members.model.record_id(2))
    gone = m.Member.get_by_id(members.current_id())
    following = m.Member.get_by_id(members.model.record_id(3))
    assert gone.name in members.detail.plain_text()
    qtbot.keyClick(members.table, Qt.Key.Key_Delete)
    assert m.Member.get_by_id(gone.id).deleted
    assert members.current_id() == following.id
    assert following.name in members.detail.plain_text()
    assert gone.name != following.name and gone.name not in members.detail.plain_text()
    members.grab().save("/tmp/keys/after_delete.png")


def test_the_bin_keeps_its_deleted_at_column_readable_after_a_restore(
    window: MainWindow, qtbot: QtBot
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    members = window.current_page()
    assert isinstance(members, LedgerPage)
    qtbot.keyClick(members.table, Qt.Key.Key_Delete)
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    bin_page = window.current_page()
    bin_page.table.setFocus()
    bin_page.table.selectRow(0)
    qtbot.keyClick(bin_page.restore_button, Qt.Key.Key_Space)
    assert bin_page.model.rowCount() == 0
    header = bin_page.table.horizontalHeader()
    column = bin_page.model.DELETED_AT
    wanted = header.fontMetrics().horizontalAdvance("删除时间") + 16
    wanted = max(wanted, bin_page.table.fontMetrics().horizontalAdvance("2026-12-01 21:44:03"))
    bin_page.grab().save("/tmp/keys/bin_after_restore.png")
    assert header.sectionSize(column) >= wanted
    assert header.sectionSize(bin_page.model.LEDGER) >= header.fontMetrics().horizontalAdvance(
        "台账"
    )


def test_an_empty_page_says_what_to_do_first(sqlite_db: pw.Database, qtbot: QtBot) -> None:
    win = MainWindow(sqlite_db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    members = win.current_page()
    assert isinstance(members, LedgerPage)
    hint = members.empty_label
    assert hint.isVisible()
    assert hint.text() == "还没有记录。按 Ctrl+N 新建，或 文件 → 导入 从 Excel 导入"
    assert hint.width() >= hint.fontMetrics().horizontalAdvance("还没有记录。")
    members.grab().save("/tmp/keys/empty_members.png")
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, members.search, "张")
    qtbot.waitUntil(lambda: not members.search_pending())  # the pause after typing
    assert hint.isVisible() and hint.text() == "没有符合条件的记录"
    qtbot.keyClick(members.search, Qt.Key.Key_Escape)
    assert hint.text().startswith("还没有记录")


def test_a_page_with_rows_shows_no_hint(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    members = window.current_page()
    assert isinstance(members, LedgerPage)
    assert not members.empty_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, members.search, "不存在的名字")
    qtbot.waitUntil(lambda: not members.search_pending())  # the pause after typing
    assert members.empty_label.isVisible()
    assert members.empty_label.text() == "没有符合条件的记录"


def test_overdue_issues_are_coloured_and_say_by_how_much(window: MainWindow, qtbot: QtBot) -> None:
    import datetime as dt

    from partybuild.services import compliance
    from partybuild.store import models as m

    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    issues = window.current_page()
    assert isinstance(issues, LedgerPage) and issues.ledger.name == "issues"
    while issues.model.canFetchMore():
        issues.model.fetchMore()
    overdue = {i.id: i.days_overdue for i in compliance.overdue_issues(dt.date.today())}
    assert overdue
    closed = m.EnterpriseIssue.get(m.EnterpriseIssue.state == "resolved")
    late = next(iter(overdue))
    late_index = issues.model.index(issues.model.row_of(late), 0)
    closed_index = issues.model.index(issues.model.row_of(closed.id), 0)
    assert issues.model.data(late_index, Qt.ItemDataRole.BackgroundRole) is not None
    assert f"已超期 {overdue[late]} 天" in issues.model.data(
        late_index, Qt.ItemDataRole.ToolTipRole
    )
    assert issues.model.data(closed_index, Qt.ItemDataRole.BackgroundRole) is None
    issues.select_record(closed.id)
    issues.table.scrollTo(late_index)
    issues.grab().save("/tmp/keys/issues_overdue.png")


def test_the_overdue_filter_shows_exactly_the_overdue_issues(
    window: MainWindow, qtbot: QtBot
) -> None:
    import datetime as dt

    from partybuild.services import compliance

    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    issues = window.current_page()
    assert isinstance(issues, LedgerPage)
    total = issues.model.total
    late = {i.id for i in compliance.overdue_issues(dt.date.today())}
    combo = issues.filter_combos["overdue"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "超期"
    assert issues.model.total == len(late)
    assert {issues.model.record_id(r) for r in range(issues.model.rowCount())} == late
    assert "已筛选" in window.count_label.text()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "未超期"
    assert issues.model.total == total - len(late)
    issues.grab().save("/tmp/keys/issues_filter.png")


def test_an_activity_shows_its_attendance_and_quorum_beside_the_table(
    window: MainWindow, qtbot: QtBot
) -> None:
    from partybuild.services import relations
    from partybuild.store import models as m

    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    activities = window.current_page()
    assert isinstance(activities, LedgerPage) and activities.detail is not None
    meeting = (
        m.Activity.select()
        .where(m.Activity.kind == "general_meeting", m.Activity.deleted == False)  # noqa: E712
        .order_by(m.Activity.date.desc())
        .first()
    )
    assert activities.select_record(meeting.id)
    text = activities.detail.plain_text()
    assert meeting.topic in text
    assert relations.quorum(meeting.id).text() in text
    present = (
        m.ActivityAttendee.select()
        .where(m.ActivityAttendee.activity == meeting.id, m.ActivityAttendee.status == "present")
        .count()
    )
    assert f"出席 {present}" in text
    activities.grab().save("/tmp/keys/activity_detail.png")
    # Another kind has no quorum line.
    other = m.Activity.get(m.Activity.kind == "party_lesson")
    activities.select_record(other.id)
    assert "法定人数" not in activities.detail.plain_text()
