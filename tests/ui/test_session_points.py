"""Issue 13's remaining desktop points, driven with the keyboard on the demo ledger: 企业诉求's 超期
column, the issue form's one save, the overview's year, multi-row Del and the 帮助 menu."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from partybuild.ledgers import spec
from partybuild.services import compliance, report, stats
from partybuild.store import models as m
from partybuild.ui.form import RecordDialog
from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.main_window import MainWindow
from partybuild.ui.overview import OverviewPage
from tests.ui.test_form import type_text

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(active_demo_window: MainWindow) -> MainWindow:
    return active_demo_window


def issues_page(window: MainWindow, qtbot: QtBot) -> LedgerPage:
    qtbot.keyClick(window, Qt.Key.Key_9, CTRL)
    page = window.current_page()
    assert isinstance(page, LedgerPage) and page.ledger.name == "issues"
    while page.model.canFetchMore():
        page.model.fetchMore()
    return page


# --------------------------------------------------------------------------- 超期 column


def test_the_issues_table_has_an_overdue_column_by_the_one_rule(
    window: MainWindow, qtbot: QtBot
) -> None:
    page = issues_page(window, qtbot)
    labels = [c.label for c in page.model.columns]
    column = labels.index("超期")
    assert labels[column - 1] == "企业"
    assert page.model.headerData(column, Qt.Orientation.Horizontal) == "超期"
    late = {i.id: i.days_overdue for i in compliance.overdue_issues(dt.date.today())}
    assert late and page.model.rowCount() > len(late)
    for row in range(page.model.rowCount()):
        record_id = page.model.record_id(row)
        shown = page.model.index(row, column).data()
        assert shown == (f"{late[record_id]} 天" if record_id in late else ""), record_id
    # The stored columns keep their values beside it.
    deadline = labels.index("办结时限")
    first = m.EnterpriseIssue.get_by_id(page.model.record_id(0))
    assert page.model.index(0, deadline).data() == (
        f"{first.deadline:%Y-%m-%d}" if first.deadline else ""
    )
    # Sorting by 超期 sorts by 办结时限: the longest overdue on top.
    page.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    top = page.model.record_id(0)
    assert top in late and late[top] == max(late.values())


# --------------------------------------------------------------------------- issue form


def open_issue(window: MainWindow, qtbot: QtBot, record_id: int) -> RecordDialog:
    page = issues_page(window, qtbot)
    assert page.select_record(record_id)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.dialog
    assert isinstance(dialog, RecordDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_the_issue_form_has_one_save_and_every_field_once(window: MainWindow, qtbot: QtBot) -> None:
    late = compliance.overdue_issues(dt.date.today())[0]
    dialog = open_issue(window, qtbot, late.id)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["基本信息", "办理进度", "附件"]  # 附件 holds files, no field of the record
    basic, progress = dialog.tabs.widget(0), dialog.tabs.widget(1)
    for column in spec.ISSUES.columns:
        editor = dialog.form.editor(column.name)
        where = [basic.isAncestorOf(editor), progress.isAncestorOf(editor)]
        expected = column.name in ("state", "resolved_on", "measures", "evaluation")
        assert where == [not expected, expected], column.name
    saves = [b.text() for b in dialog.findChildren(QPushButton) if "保存" in b.text()]
    assert saves == ["保存"]
    # Ctrl+Tab goes to 办理进度, which says where the problem stands.
    dialog.form.editor("enterprise").setFocus()
    qtbot.keyClick(dialog.tabs.currentWidget(), Qt.Key.Key_Tab, CTRL)
    assert dialog.tabs.currentIndex() == 1
    note = dialog.form.section_note
    assert note.isVisible() and f"已超期 {late.days_overdue} 天" in note.text()
    measures = dialog.form.editor("measures")
    measures.setFocus()
    type_text(qtbot, measures, "协调人社局专场招聘")
    before = m.EnterpriseIssue.get_by_id(late.id).version
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(measures, Qt.Key.Key_S, CTRL)
    saved = m.EnterpriseIssue.get_by_id(late.id)
    assert saved.measures.endswith("协调人社局专场招聘") and saved.version == before + 1
    assert not dialog.isVisible()


def test_a_refused_progress_field_shows_its_tab(window: MainWindow, qtbot: QtBot) -> None:
    late = compliance.overdue_issues(dt.date.today())[0]
    dialog = open_issue(window, qtbot, late.id)
    state = dialog.form.editor("state")
    dialog.form.set_value("state", "resolved")  # 已解决 without 办结日期
    dialog.form.set_value("resolved_on", None)
    qtbot.keyClick(dialog.form.editor("enterprise"), Qt.Key.Key_S, CTRL)
    assert dialog.isVisible() and dialog.tabs.currentIndex() == 1
    error = dialog.form.error_label("resolved_on")
    assert error.isVisible() and "办结日期" in error.text()
    assert m.EnterpriseIssue.get_by_id(late.id).state != "resolved"
    assert state.isVisible()


# --------------------------------------------------------------------------- overview by year


def test_the_member_card_answers_for_the_chosen_year(demo: pw.Database, qtbot: QtBot) -> None:
    page = OverviewPage()
    qtbot.addWidget(page)
    page.set_year(2023)
    page.resize(1300, 800)
    page.show()
    card = page.cards["members"]
    seen = {}
    page.year_combo.setFocus()
    for _ in range(4):
        year = page.year_combo.currentData()
        figures = stats.year_stats(year)
        assert card.value == figures["members"]["full"] + figures["members"]["probationary"]
        assert f"当年入党 {figures['members']['joined']}" in card.note_label.text()
        pending = page.cards["pending"]
        assert pending.record_ids == report.pending_issue_ids(stats.Period.year(year))
        assert pending.value == figures["issues"]["pending"]
        seen[year] = figures["members"]["joined"]
        qtbot.keyClick(page.year_combo, Qt.Key.Key_Down)
    assert len(set(seen.values())) > 1, seen  # the years differ: the figure follows the year


# --------------------------------------------------------------------------- Del on many rows


def answer_question(qtbot: QtBot, key: Qt.Key, seen: list[str]) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        qtbot.keyClick(box, key)

    QTimer.singleShot(0, answer)


def test_del_on_three_selected_activities_asks_once_and_deletes_all(
    window: MainWindow, qtbot: QtBot
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_5, CTRL)
    page = window.current_page()
    assert isinstance(page, LedgerPage) and page.ledger.name == "activities"
    page.focus_table()
    qtbot.keyClick(page.table, Qt.Key.Key_Down, SHIFT)
    qtbot.keyClick(page.table, Qt.Key.Key_Down, SHIFT)
    chosen = page.selected_ids()
    assert len(chosen) == 3
    total = page.model.total

    asked: list[str] = []
    answer_question(qtbot, Qt.Key.Key_Escape, asked)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert asked == ["将选中的 3 条组织生活记录移入回收站？"]
    assert page.model.total == total  # Esc keeps them
    assert all(not m.Activity.get_by_id(i).deleted for i in chosen)

    answer_question(qtbot, Qt.Key.Key_Return, asked)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert len(asked) == 2
    assert all(m.Activity.get_by_id(i).deleted for i in chosen)
    assert page.model.total == total - 3
    assert "已将 3 条记录移入回收站" in window.statusBar().currentMessage()


@pytest.mark.parametrize(
    "name", ["branches", "enterprises", "members", "trainings", "teams", "services", "issues"]
)
def test_del_on_two_selected_rows_deletes_both_on_every_ledger_page(
    window: MainWindow, qtbot: QtBot, name: str
) -> None:
    page = window.go_to(name)
    assert isinstance(page, LedgerPage)
    page.focus_table()
    qtbot.keyClick(page.table, Qt.Key.Key_Down, SHIFT)
    chosen = page.selected_ids()
    assert len(chosen) == 2
    asked: list[str] = []
    answer_question(qtbot, Qt.Key.Key_Return, asked)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert asked and "2 条" in asked[0]
    model = page.ledger.model
    assert [model.get_by_id(i).deleted for i in chosen] == [True, True]


def test_one_row_goes_to_the_bin_without_a_question(window: MainWindow, qtbot: QtBot) -> None:
    page = window.go_to("activities")
    assert isinstance(page, LedgerPage)
    page.focus_table()
    record_id = page.current_id()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert QApplication.activeModalWidget() is None
    assert m.Activity.get_by_id(record_id).deleted


# --------------------------------------------------------------------------- 帮助


def test_the_help_menu_has_mnemonics_and_k_opens_the_key_map(
    window: MainWindow, qtbot: QtBot
) -> None:
    help_action = next(a for a in window.menuBar().actions() if a.text() == "帮助(&H)")
    menu = help_action.menu()
    assert [a.text() for a in menu.actions()] == ["快捷键(&K)", "关于(&A)"]
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitExposed(menu)
    qtbot.keyClick(menu, Qt.Key.Key_K)
    dialog = getattr(window, "shortcuts_dialog", None)
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget)
    rows = {(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())}
    assert ("F1", "快捷键") in rows
    assert ("Del", "删除选中记录（移入回收站；多条时确认一次）") in rows
    assert any(key.startswith("Ctrl+Tab") for key, _what in rows)
    dialog.close()
