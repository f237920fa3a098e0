"""打印 driven from the main window: the preview offers what the page in front can print, and
what it previews is the document the CLI writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QComboBox, QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.printing.layout import page_count
from partybuild.services import records, relations
from partybuild.store import models as m
from partybuild.ui import file_dialogs, print_dialogs
from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.main_window import MainWindow
from partybuild.ui.print_dialogs import PrintPreview
from tests.printing.conftest import Park, add_members, person_names, read_pdf, training_with


@pytest.fixture
def park(sqlite_db: pw.Database) -> Park:
    one = records.create("branches", {"name": "测试第一联合党支部", "kind": "joint"})
    two = records.create("branches", {"name": "测试第二联合党支部", "kind": "joint"})
    firm = records.create("enterprises", {"name": "恒远化工有限公司", "branch": one})
    training = records.create(
        "trainings",
        {
            "name": "2023年党员轮训（第一期）",
            "kind": "rotation",
            "start_date": dt.date(2023, 6, 20),
        },
    )
    return Park([one, two], firm, training)


@pytest.fixture
def window(park: Park, sqlite_db: pw.Database, qtbot: QtBot) -> MainWindow:
    training_with(park, 30)
    add_members(person_names(5, offset=100), park.branches[1], park.enterprise)
    records.create(
        "activities",
        {
            "branch": park.branches[0],
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 28),
            "topic": "第一季度党员大会",
        },
    )
    win = MainWindow(sqlite_db)
    qtbot.addWidget(win)
    win.show()
    return win


def show(window: MainWindow, name: str, record: m.BaseModel | None = None) -> LedgerPage:
    page = window.go_to(name)
    assert isinstance(page, LedgerPage)
    if record is not None:
        assert page.select_record(record.id)
    return page


def print_preview(window: MainWindow, qtbot: QtBot) -> PrintPreview:
    window.print_action.trigger()
    dialog = window.print_preview
    assert isinstance(dialog, QPrintPreviewDialog) and isinstance(dialog, PrintPreview)
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.page_count() > 0, timeout=3000)
    return dialog


def choices(dialog: PrintPreview) -> list[str]:
    combo = dialog.document_combo
    return [combo.itemText(i) for i in range(combo.count())]


def test_trainings_page_offers_sign_in_sheet_and_summary(
    window: MainWindow, park: Park, qtbot: QtBot
) -> None:
    show(window, "trainings", park.training)
    dialog = print_preview(window, qtbot)
    # open(), not exec(): modal to the window only, and the test (like the user) is not blocked.
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert choices(dialog) == ["签到表", "签到汇总"]
    assert dialog.document().title == "2023年党员轮训（第一期）签到表"
    assert dialog.page_count() == page_count(dialog.document()) == 2

    dialog.document_combo.setCurrentIndex(1)
    assert dialog.document().title == "2023年党员轮训（第一期）签到汇总"
    qtbot.waitUntil(lambda: dialog.page_count() == page_count(dialog.document()), timeout=3000)
    assert not dialog.unmasked_check.isVisible()
    dialog.close()


def test_save_pdf_from_the_preview(
    window: MainWindow, park: Park, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(window, "trainings", park.training)
    dialog = print_preview(window, qtbot)
    target = tmp_path / "签到表"
    monkeypatch.setattr(
        file_dialogs, "save_file", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)")
    )
    dialog.pdf_action.trigger()
    pdf = read_pdf(tmp_path / "签到表.pdf")
    assert len(pdf.pages) == dialog.page_count() == 2
    for row in relations.attendance_rows(park.training.id):
        assert pdf.text.count(row.name) == 1
    # Said, with a way to the folder: 打开所在文件夹 opens it on the desktop …
    box = dialog.saved_box
    assert box.isVisible() and box.text() == f"已保存：{tmp_path / '签到表.pdf'}"
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True
    )
    box.folder_button.click()
    assert opened == [str(tmp_path)]
    # … and, with no file manager to open it, says so instead of doing nothing.
    warned: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    dialog.pdf_action.trigger()
    dialog.saved_box.folder_button.click()
    assert len(warned) == 1 and "没有可以打开它的程序" in warned[0] and str(tmp_path) in warned[0]
    dialog.close()


def test_the_print_button_without_a_printer_saves_a_whole_private_pdf(
    window: MainWindow, park: Park, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview's own 打印 with no printer installed: a PDF named in our dialog, written like
    every other output (checked, renamed into place, 0600), nothing else left in the folder."""
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QToolBar

    show(window, "trainings", park.training)
    dialog = print_preview(window, qtbot)
    folder = tmp_path / "打印"
    folder.mkdir()
    target = folder / "签到表"
    monkeypatch.setattr(
        file_dialogs, "save_file", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)")
    )
    monkeypatch.setattr(QPrinter, "outputFormat", lambda self: QPrinter.OutputFormat.PdfFormat)
    toolbar = dialog.findChild(QToolBar)
    next(a for a in toolbar.actions() if a.text() == "打印").trigger()
    saved = folder / "签到表.pdf"
    assert [p.name for p in folder.iterdir()] == [saved.name]
    assert saved.stat().st_mode & 0o777 == 0o600
    pdf = read_pdf(saved)
    assert len(pdf.pages) == 2
    for row in relations.attendance_rows(park.training.id):
        assert pdf.text.count(row.name) == 1


def test_activities_page_offers_the_sign_in_sheet(window: MainWindow, qtbot: QtBot) -> None:
    meeting = m.Activity.get()
    show(window, "activities", meeting)
    dialog = print_preview(window, qtbot)
    assert choices(dialog) == ["签到表"]
    assert dialog.document().title == "第一季度党员大会签到表"
    assert len(dialog.document().names) == 15  # the branch's members: none entered yet
    dialog.close()


def test_members_page_prints_the_roster_of_the_filtered_branch(
    window: MainWindow, park: Park, qtbot: QtBot
) -> None:
    members = show(window, "members")
    combo = members.filter_combos["branch"]
    combo.setCurrentIndex(combo.findData(park.branches[1].id))
    dialog = print_preview(window, qtbot)
    assert choices(dialog) == ["党员花名册"]
    document = dialog.document()
    assert document.title == "测试第二联合党支部党员花名册" and document.landscape
    assert len(document.names) == 20
    assert dialog.unmasked_check.isVisible() and not dialog.unmasked_check.isChecked()
    person = m.Member.get(m.Member.name == document.names[0])
    assert person.id_number not in str(document.tables[0].rows)
    dialog.unmasked_check.setChecked(True)
    assert person.id_number in str(dialog.document().tables[0].rows)
    dialog.close()


def test_members_page_without_a_branch_filter_asks_which(
    window: MainWindow, park: Park, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    show(window, "members")
    asked: list[list[str]] = []

    def pick(_window, items):  # noqa: ANN001, ANN202
        asked.append(list(items))
        return "测试第一联合党支部"

    monkeypatch.setattr(print_dialogs, "_pick_branch", pick)
    dialog = print_preview(window, qtbot)
    assert asked == [["测试第一联合党支部", "测试第二联合党支部"]]
    assert dialog.document().title == "测试第一联合党支部党员花名册"
    dialog.close()

    monkeypatch.setattr(print_dialogs, "_pick_branch", lambda *a: None)
    window.print_preview = None
    window.print_action.trigger()
    assert window.print_preview is None


def test_the_roster_branch_choice_shows_whole_names_and_picks_with_keys(
    window: MainWindow, qtbot: QtBot
) -> None:
    names = ["测试第一联合党支部", "园区非公企业第二十三联合党支部委员会"]
    dialog = print_dialogs.branch_dialog(window, names)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    combo = dialog.findChild(QComboBox)
    wanted = combo.fontMetrics().horizontalAdvance(names[1])
    assert combo.width() >= wanted + 30  # the longest name fits beside the arrow
    assert dialog.width() > combo.width()
    dialog.grab().save("/tmp/keys/roster_choice.png")
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert dialog.textValue() == names[1]
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert dialog.textValue() == names[1]


def test_nothing_to_print_says_why(window: MainWindow) -> None:
    window.go_to("overview")
    window.print_action.trigger()
    assert getattr(window, "print_preview", None) is None
    assert "培训、组织生活、党员或党费" in window.statusBar().currentMessage()

    trainings = show(window, "trainings")
    trainings.table.clearSelection()
    trainings.table.setCurrentIndex(trainings.model.index(-1, -1))
    window.print_action.trigger()
    assert getattr(window, "print_preview", None) is None
    assert "选中" in window.statusBar().currentMessage()


def test_a_record_deleted_meanwhile_is_reported_not_printed(window: MainWindow, park: Park) -> None:
    show(window, "trainings", park.training)
    records.soft_delete("trainings", park.training.id)  # by someone else, page not refreshed
    window.print_action.trigger()
    assert getattr(window, "print_preview", None) is None
    assert "无法打印" in window.statusBar().currentMessage()
