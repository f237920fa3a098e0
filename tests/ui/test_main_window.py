"""The desktop application driven as a secretary would: every ledger page, keyboard first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.ledgers import spec
from partybuild.services import audit, records
from partybuild.store import models as m
from partybuild.store.database import open_database
from partybuild.ui.app import database_is_empty, offer_demo_if_empty
from partybuild.ui.form import RecordDialog
from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.main_window import PAGES, MainWindow
from partybuild.ui.relations import AttendanceEditor
from tests.ui.test_form import fill, type_text

LEDGER_PAGES = [name for name, _ in PAGES if name in spec.LEDGERS]


@pytest.fixture
def window(demo: pw.Database, qtbot: QtBot) -> MainWindow:
    win = MainWindow(demo)
    qtbot.addWidget(win)
    win.show()
    return win


def page(window: MainWindow, name: str) -> LedgerPage:
    shown = window.go_to(name)
    assert isinstance(shown, LedgerPage)
    return shown


def test_navigation_titles_and_status_bar(window: MainWindow) -> None:
    assert window.windowTitle() == "党建台账管理"
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == [
        "概览",
        "党组织",
        "企业",
        "党员",
        "组织生活",
        "培训",
        "志愿服务队",
        "志愿服务活动",
        "企业诉求",
        "发展党员",
        "党费",
        "回收站",
        "操作日志",
    ]
    assert "demo.sqlite3" in window.db_label.text()
    page(window, "members")
    assert window.count_label.text() == f"共 {m.Member.select().count()} 条"


@pytest.mark.parametrize("name", LEDGER_PAGES)
def test_every_page_model_is_sound_and_pages_lazily(
    window: MainWindow, name: str, qtmodeltester
) -> None:
    shown = page(window, name)
    query = shown.ledger.model.select().where(shown.ledger.model.deleted == False)  # noqa: E712
    if shown.ledger.scope is not None:  # 发展党员: the people on the way in
        query = query.where(shown.ledger.scope())
    total = query.count()
    assert shown.model.total == total
    # Every row is there to scroll to; only the page shown has been read, never the whole ledger.
    assert shown.model.rowCount() == total
    assert shown.model.rows_read() <= min(total, 400)
    qtmodeltester.check(shown.model)


def test_members_masked_in_the_table_full_in_the_form(window: MainWindow, qtbot: QtBot) -> None:
    members = page(window, "members")
    first = m.Member.get_by_id(members.model.record_id(0))
    col = [c.name for c in members.model.columns].index("id_number")
    shown = members.model.index(0, col).data()
    assert "*" in shown and shown != first.id_number and shown[-4:] == first.id_number[-4:]
    members.table.setCurrentIndex(members.model.index(0, 0))
    qtbot.keyClick(members.table, Qt.Key.Key_F2)
    dialog = members.dialog
    assert isinstance(dialog, RecordDialog)
    assert dialog.form.editor("id_number").text() == first.id_number
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_search_filters_and_sort(window: MainWindow, qtbot: QtBot) -> None:
    members = page(window, "members")
    target = m.Member.select().order_by(m.Member.id.desc()).first()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert members.search.hasFocus()
    type_text(qtbot, members.search, target.name)
    qtbot.waitUntil(lambda: not members.search_pending())  # the pause after typing
    names = {members.model.index(r, 0).data() for r in range(members.model.rowCount())}
    assert names == {target.name}
    assert "已筛选" in window.count_label.text()
    members.search.clear()

    joint = m.Branch.get(m.Branch.kind == "joint")
    combo = members.filter_combos["branch"]
    combo.setCurrentIndex(combo.findData(joint.id))
    expected = m.Member.select().where(m.Member.branch == joint, m.Member.deleted == False).count()  # noqa: E712
    assert members.model.total == expected > 0
    combo.setCurrentIndex(0)
    kind = members.filter_combos["kind"]
    kind.setCurrentIndex(kind.findData("probationary"))
    categories = {members.model.index(r, 9).data() for r in range(members.model.rowCount())}
    assert categories == {"预备党员"}
    kind.setCurrentIndex(0)

    # Sorting by a column happens in SQL over every row, not just the fetched page.
    header = members.table.horizontalHeader()
    birth = [c.name for c in members.model.columns].index("birth_date")
    members.table.sortByColumn(birth, Qt.SortOrder.DescendingOrder)
    youngest = m.Member.select(pw.fn.MAX(m.Member.birth_date)).scalar()
    assert members.model.index(0, birth).data() == str(youngest)
    assert header.sortIndicatorSection() == birth


def test_year_filter_on_activities(window: MainWindow) -> None:
    acts = page(window, "activities")
    year = acts.filter_combos["year"]
    year.setCurrentIndex(year.findData(2022))
    assert acts.model.total == 0
    year.setCurrentIndex(year.findData(2023))
    assert acts.model.total == m.Activity.select().count()


def test_create_with_keyboard_then_error_beside_field(window: MainWindow, qtbot: QtBot) -> None:
    teams = page(window, "teams")
    before = teams.model.total
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = teams.dialog
    assert isinstance(dialog, RecordDialog) and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    # Save with the required 名称 missing: the message stands beside the field.
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert dialog.form.error_label("name").isVisible()
    assert "必填" in dialog.form.error_label("name").text()
    assert m.Team.select().count() == before
    type_text(qtbot, dialog.form.editor("name"), "新城党员志愿服务队")
    fill(qtbot, dialog.form, "kind", "volunteer")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert teams.model.total == before + 1
    assert (
        teams.model.record_id(teams.table.currentIndex().row())
        == m.Team.get(m.Team.name == "新城党员志愿服务队").id
    )


def test_edit_with_enter_bumps_version(window: MainWindow, qtbot: QtBot) -> None:
    branches = page(window, "branches")
    branches.table.setCurrentIndex(branches.model.index(0, 0))
    record_id = branches.current_id()
    qtbot.keyClick(branches.table, Qt.Key.Key_Return)
    dialog = branches.dialog
    secretary = dialog.form.editor("secretary")
    secretary.clear()
    type_text(qtbot, secretary, "王示新")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    fresh = m.Branch.get_by_id(record_id)
    assert fresh.secretary == "王示新" and fresh.version == 2


def test_delete_goes_to_recycle_bin_and_restores_with_links(
    window: MainWindow, qtbot: QtBot
) -> None:
    enterprises = page(window, "enterprises")
    target = m.Enterprise.select().where(m.Enterprise.branch.is_null(False)).first()
    members_before = target.members.count()
    enterprises.search.setText(target.name)
    enterprises.table.setCurrentIndex(enterprises.model.index(0, 0))
    qtbot.keyClick(enterprises.table, Qt.Key.Key_Delete)
    assert m.Enterprise.get_by_id(target.id).deleted
    assert enterprises.model.total == 0
    assert "回收站" in window.statusBar().currentMessage()

    bin_page = window.go_to("recycle-bin")
    bin_page.refresh()
    assert bin_page.model.rowCount() == 1
    bin_page.table.selectRow(0)
    bin_page.restore_button.click()
    restored = m.Enterprise.get_by_id(target.id)
    assert not restored.deleted and restored.branch_id == target.branch_id
    assert restored.members.count() == members_before
    enterprises = page(window, "enterprises")
    enterprises.search.setText(target.name)
    assert enterprises.model.total == 1


def test_training_attendance_marked_in_bulk_from_the_page(window: MainWindow, qtbot: QtBot) -> None:
    trainings = page(window, "trainings")
    training = records.create(
        "trainings",
        {"name": "安全生产业务培训", "kind": "business", "start_date": dt.date(2023, 9, 5)},
    )
    trainings.refresh()
    assert trainings.select_record(training.id)
    qtbot.keyClick(trainings.table, Qt.Key.Key_F2)
    dialog = trainings.dialog
    editor = next(
        dialog.tabs.widget(i)
        for i in range(dialog.tabs.count())
        if isinstance(dialog.tabs.widget(i), AttendanceEditor)
    )
    branch = m.Branch.get(m.Branch.kind == "standalone")
    editor.by_branch_button.click()
    editor.branch_picker.set_record_id(branch.id)
    editor.branch_add.click()
    expected = (
        m.Member.select()
        .where(m.Member.branch == branch, m.Member.category.in_(("full", "probationary")))
        .count()
    )
    assert editor.model.rowCount() == expected > 20
    editor.table.selectAll()
    editor.status_buttons["signed"].click()
    signed = m.Attendance.select().where(
        m.Attendance.training == training, m.Attendance.status == "signed"
    )
    assert signed.count() == expected
    assert all(row.signed_at is not None for row in signed)
    assert f"已签到 {expected}" in editor.summary.text()


def test_stale_edit_is_refused_and_explained(window: MainWindow, qtbot: QtBot) -> None:
    issues = page(window, "issues")
    issues.table.setCurrentIndex(issues.model.index(0, 0))
    record_id = issues.current_id()
    qtbot.keyClick(issues.table, Qt.Key.Key_F2)
    dialog = issues.dialog
    record = m.EnterpriseIssue.get_by_id(record_id)
    # Someone else saves first.
    audit.set_operator("李书记")
    try:
        records.update("issues", record_id, {"responsible_person": "他人"}, record.version)
    finally:
        audit.set_operator(None)
    unit = dialog.form.editor("responsible_unit")
    unit.clear()
    type_text(qtbot, unit, "园区企业服务中心")
    dialog.save_button.click()
    assert dialog.stale_bar.isVisible() and "已被李书记" in dialog.stale_label.text()
    assert m.EnterpriseIssue.get_by_id(record_id).responsible_unit == record.responsible_unit


def test_detail_panel_follows_selection(window: MainWindow) -> None:
    members = page(window, "members")
    members.table.setCurrentIndex(members.model.index(3, 0))
    member = m.Member.get_by_id(members.current_id())
    assert members.detail is not None and member.name in members.detail.plain_text()


def test_overview_card_opens_filtered_page(window: MainWindow, qtbot: QtBot) -> None:
    window.go_to("overview")
    overview = window.pages["overview"]
    card = getattr(overview, "cards", {}).get("rotation")
    if card is None:
        pytest.skip("overview without cards")
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert window.page_name() == "trainings"
    trainings = window.pages["trainings"]
    assert trainings.model.total == 6
    assert trainings.drill_bar.isVisible() and "6 条" in trainings.drill_label.text()
    trainings.drill_clear.click()
    assert not trainings.drill_bar.isVisible()
    assert trainings.model.total == m.Training.select().count()
    # A drill-down never outlives leaving the page.
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    window.go_to("members")
    window.go_to("trainings")
    assert trainings.model.total == m.Training.select().count()


def test_settings_remember_geometry_and_columns(demo: pw.Database, qtbot: QtBot) -> None:
    win = MainWindow(demo)
    qtbot.addWidget(win)
    win.show()
    win.resize(790, 560)
    members = win.pages["members"]
    members.table.setColumnWidth(0, 222)
    win.close()
    again = MainWindow(demo)
    qtbot.addWidget(again)
    again.show()
    assert again.pages["members"].table.columnWidth(0) == 222
    assert again.size().width() == 790


def test_first_start_offers_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_database(tmp_path / "empty.sqlite3")
    assert database_is_empty()
    asked: list[str] = []

    def answer(reply):
        return lambda *a, **k: asked.append(a[2]) or reply

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    assert offer_demo_if_empty(None) is False and database_is_empty()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    assert offer_demo_if_empty(None) is True
    assert m.Branch.select().where(m.Branch.kind == "joint").count() == 6
    assert "演示台账" in asked[0]
    assert offer_demo_if_empty(None) is False  # not empty any more: not asked again
    assert len(asked) == 2


@pytest.mark.parametrize("name", [n for n, _ in PAGES])
def test_screenshot_of_every_page(demo_file: Path, tmp_path: Path, name: str) -> None:
    from partybuild.cli import main

    out = tmp_path / f"{name}.png"
    assert main(["screenshot", "--db", str(demo_file), "--page", name, "-o", str(out)]) == 0
    image = QImage(str(out))
    assert image.width() >= 1200 and image.height() >= 800
    QApplication.processEvents()


def test_the_overview_screenshot_shows_its_figures_not_the_placeholders(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview computes its figures after the window appears; the picture waits for them."""
    from partybuild.cli import main

    seen: dict[str, object] = {}
    grab = MainWindow.grab

    def grab_and_look(self: MainWindow, *args: object) -> object:
        overview = self.pages["overview"]
        seen["pending"] = overview.figures_pending
        seen["members"] = overview.cards["members"].value_label.text()
        return grab(self, *args)

    monkeypatch.setattr(MainWindow, "grab", grab_and_look)
    out = tmp_path / "overview.png"
    assert main(["screenshot", "--db", str(demo_file), "--page", "overview", "-o", str(out)]) == 0
    assert seen["pending"] is False
    assert seen["members"] == "688"  # the demo ledger's party members at the end of 2023
    QApplication.processEvents()


@pytest.mark.parametrize("name", LEDGER_PAGES)
def test_every_page_new_filter_sort_delete_restore(
    window: MainWindow, qtbot: QtBot, name: str
) -> None:
    """The round every ledger page must survive, driven through the page itself."""
    shown = page(window, name)
    ledger = shown.ledger

    # 新建 opens this ledger's form; Esc leaves without writing.
    before = ledger.model.select().count()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(shown.dialog, RecordDialog) and shown.dialog.ledger is ledger
    shown.dialog.reject()
    assert ledger.model.select().count() == before

    # A filter narrows to rows that match it (checked on what the table shows).
    for key in ("kind", "status"):
        combo = shown.filter_combos.get(key)
        if combo is None or combo.count() < 3:
            continue
        combo.setCurrentIndex(2)
        label = combo.currentText()
        field = ledger.filter_map[key]
        col = [c.name for c in shown.model.columns].index(field)
        shown_values = {shown.model.index(r, col).data() for r in range(shown.model.rowCount())}
        assert shown_values <= {label}
        combo.setCurrentIndex(0)

    # Sorting by the first column, both ways, in SQL.
    first = shown.model.columns[0]
    shown.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    top_asc = shown.model.index(0, 0).data()
    shown.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    top_desc = shown.model.index(0, 0).data()
    if shown.model.total > 1 and first.kind not in ("link",):
        assert top_asc <= top_desc

    # Delete to the recycle bin and restore from there, links intact.
    shown.table.setCurrentIndex(shown.model.index(0, 0))
    record_id = shown.current_id()
    links = {
        c.field.column_name: getattr(ledger.model.get_by_id(record_id), c.field.column_name)
        for c in ledger.columns
        if c.kind == "link"
    }
    total = shown.model.total
    qtbot.keyClick(shown.table, Qt.Key.Key_Delete)
    assert ledger.model.get_by_id(record_id).deleted and shown.model.total == total - 1
    bin_page = window.go_to("recycle-bin")
    bin_page.refresh()
    binned_as = "members" if ledger.scope is not None else name  # 发展党员's people are members
    row = next(
        r
        for r in range(bin_page.model.rowCount())
        if bin_page.model.row_at(r).key == (binned_as, record_id)
    )
    bin_page.table.selectRow(row)
    bin_page.restore_button.click()
    restored = ledger.model.get_by_id(record_id)
    assert not restored.deleted
    assert {k: getattr(restored, k) for k in links} == links
    assert page(window, name).model.total == total


def test_closing_the_window_over_a_filled_form_asks_first(window: MainWindow, qtbot: QtBot) -> None:
    from tests.ui.test_form import answer_unsaved

    members = page(window, "members")
    window.new_action.trigger()  # Ctrl+N
    dialog = members.dialog
    assert isinstance(dialog, RecordDialog)
    type_text(qtbot, dialog.form.editor("name"), "王示明")
    asked = answer_unsaved(qtbot, "继续编辑")
    assert not window.close()
    assert asked == ["“新建党员”中有尚未保存的内容。"]
    assert window.isVisible() and dialog.isVisible()
    assert dialog.form.editor("name").text() == "王示明"
    asked = answer_unsaved(qtbot, "放弃")
    assert window.close()
    assert asked and not window.isVisible() and not dialog.isVisible()
    assert not m.Member.select().where(m.Member.name == "王示明").exists()


def test_closing_the_window_with_an_unchanged_form_asks_nothing(
    window: MainWindow, qtbot: QtBot
) -> None:
    from tests.ui.test_form import answer_unsaved

    page(window, "branches")
    window.new_action.trigger()
    asked = answer_unsaved(qtbot, "继续编辑")
    assert window.close()
    assert asked == [] and not window.isVisible()
