"""The order of names in the print preview and the export dialog: the default, a per-print choice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from partybuild.domain.validators import make_id_number
from partybuild.services import name_order, records
from partybuild.ui.excel_dialogs import ExportDialog
from partybuild.ui.main_window import MainWindow
from partybuild.ui.print_dialogs import PrintPreview
from tests.printing.conftest import read_pdf

ENTERED = ["张伟", "王芳", "田亮", "丁一", "艾青"]
STROKE = ["丁一", "王芳", "艾青", "田亮", "张伟"]
PINYIN = ["艾青", "丁一", "田亮", "王芳", "张伟"]


@pytest.fixture
def window(sqlite_db: pw.Database, qtbot: QtBot) -> MainWindow:
    branch = records.create("branches", {"name": "测试联合党支部", "kind": "joint"})
    for i, name in enumerate(ENTERED):
        records.create(
            "members",
            {
                "name": name,
                "id_number": make_id_number("999999", dt.date(1980, 2, 1 + i), i),
                "branch": branch,
                "category": "full",
                "status": "normal",
            },
        )
    win = MainWindow(sqlite_db)
    qtbot.addWidget(win)
    win.show()
    page = win.go_to("members")
    combo = page.filter_combos["branch"]
    combo.setCurrentIndex(combo.findData(branch.id))
    return win


def roster_preview(window: MainWindow, qtbot: QtBot) -> PrintPreview:
    window.print_action.trigger()
    dialog = window.print_preview
    assert isinstance(dialog, PrintPreview)
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.page_count() > 0, timeout=3000)
    return dialog


def test_the_preview_starts_in_stroke_order_and_the_keyboard_changes_it(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = roster_preview(window, qtbot)
    combo = dialog.order_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["姓氏笔画", "拼音", "录入顺序"]
    assert combo.currentText() == "姓氏笔画"
    assert list(dialog.document().names) == STROKE
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "拼音"
    assert list(dialog.document().names) == PINYIN
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert list(dialog.document().names) == ENTERED
    # A per-print choice: the default is unchanged.
    assert name_order.default_order() == "stroke"
    dialog.close()


def test_the_saved_pdf_is_in_the_chosen_order(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partybuild.ui import file_dialogs

    dialog = roster_preview(window, qtbot)
    dialog.order_combo.setCurrentIndex(1)
    target = tmp_path / "roster.pdf"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(file_dialogs, "saved_notice", lambda *a, **k: None)
    dialog.save_pdf()
    text = read_pdf(target).text
    assert sorted(ENTERED, key=text.index) == PINYIN and "排序：按拼音" in text
    dialog.close()


def test_set_as_default_carries_to_the_next_print_and_the_export(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = roster_preview(window, qtbot)
    dialog.order_combo.setCurrentIndex(2)  # 录入顺序
    dialog.order_default_action.trigger()
    assert name_order.default_order() == "entry"
    assert "已设为默认" in dialog.order_default_action.text()
    dialog.close()
    again = roster_preview(window, qtbot)
    assert again.order_combo.currentText() == "录入顺序"
    assert list(again.document().names) == ENTERED
    again.close()

    export = ExportDialog(window, "members")
    qtbot.addWidget(export)
    assert export.order_combo.currentText() == "录入顺序"
    export.order_combo.setCurrentIndex(0)  # this export in 姓氏笔画, the default stays
    target = tmp_path / "members.xlsx"
    with qtbot.waitSignal(export.exported, timeout=10000):
        export.start(target)
    workbook = load_workbook(target, read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = next(i for i, row in enumerate(rows) if "姓名" in row)
    at = rows[header].index("姓名")
    assert [r[at] for r in rows[header + 1 :] if r[at]] == STROKE
    assert name_order.default_order() == "entry"
