"""The audit page (read-only, filterable, exportable) and backup/restore from the File menu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.domain.validators import make_id_number
from partybuild.services import audit, records
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from partybuild.ui import file_dialogs
from partybuild.ui.audit_page import AuditPage
from partybuild.ui.main_window import MainWindow

ID = make_id_number("999999", __import__("datetime").date(1990, 1, 2), 7)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[pw.Database]:
    database = open_database(tmp_path / "ledger.sqlite3")
    audit.set_operator("王示")
    branch = records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    member = records.create("members", {"name": "张示安", "id_number": ID, "branch": branch})
    records.update("members", member.id, {"phone": "13912345678"}, 1)
    audit.set_operator("李示")
    records.soft_delete("branches", branch.id)
    yield database
    audit.set_operator(None)
    close_database()


def test_audit_page_filters_and_masks(db: pw.Database, qtbot: QtBot, qtmodeltester) -> None:
    page = AuditPage()
    qtbot.addWidget(page)
    assert page.model.total == 4
    qtmodeltester.check(page.model)
    assert page.model.index(0, 2).data() == "删除（移入回收站）"
    page.operator_filter.setCurrentIndex(page.operator_filter.findData("王示"))
    assert page.model.total == 3
    page.ledger_filter.setCurrentIndex(page.ledger_filter.findData("members"))
    assert page.model.total == 2
    change = page.model.index(0, 5).data()
    assert change == "联系电话：（空） → 139****5678"  # masked on screen
    page.search.setText("没有这条")
    assert page.model.total == 0
    assert page.table.editTriggers() == page.table.EditTrigger.NoEditTriggers


def test_audit_export(db: pw.Database, qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:
    page = AuditPage()
    qtbot.addWidget(page)
    out = tmp_path / "log.xlsx"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(out), ""))
    page.export_button.click()
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "台账", "记录编号", "记录", "修改内容")
    assert len(rows) == 5
    assert "13912345678" not in str(rows)


def test_backup_restore_and_operator_from_the_window(
    db: pw.Database, qtbot: QtBot, tmp_path: Path, monkeypatch
) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    copy = tmp_path / "copy.sqlite3"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(copy), ""))
    window.backup_action.trigger()
    assert copy.exists()
    records.create("teams", {"name": "后来建的队", "kind": "volunteer"})
    monkeypatch.setattr(file_dialogs, "open_file", lambda *a, **k: str(copy))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.restore_action.trigger()
    assert m.Team.select().count() == 0
    assert audit.entries()[0].action == "db_restore"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("赵示书记", True))
    window.operator_action.trigger()
    assert audit.operator() == "赵示书记"
