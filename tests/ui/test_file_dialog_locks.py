"""The live database keeps its locks while every file dialog of the app lists its folder.

On Linux, closing any descriptor of a file drops every POSIX lock the process holds on it. Qt's
file dialog used to open each file it listed to sniff its type; listing the database's own folder
dropped SQLite's locks, a second process then deleted the WAL, and later saves in the window were
written into a deleted file. This drives every file dialog the window can open on that folder,
reads ``/proc/locks`` after each, lets ``partybuild stats`` read the database from another process
and checks that the window's next save is on disk for everyone.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QFileInfo, QSettings, Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from partybuild.store.database import close_database, open_database
from partybuild.ui.main_window import MainWindow
from tests.ui.test_form import fill

pytestmark = pytest.mark.skipif(
    not Path("/proc/locks").exists(), reason="/proc/locks is Linux-only"
)

MARKERS = ("标记.pdf", "标记.xlsx", "标记.sqlite3")
PRINT_TO_FILE = "(打印对话框提供打印到文件)"
NONE_SHOWN = "(没有出现列出该文件夹的文件对话框)"


def held_locks(path: Path) -> set[tuple[str, str, str, str]]:
    """This process's POSIX locks on ``path``: (kind, READ/WRITE, start, end), by inode."""
    st = os.stat(path)
    found = set()
    with open("/proc/locks") as fh:
        for line in fh:
            if "->" in line:  # a lock request waiting, not held
                continue
            parts = line.split()
            # "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128"
            if parts[1] != "POSIX" or int(parts[4]) != os.getpid():
                continue
            major, minor, inode = parts[5].split(":")
            if int(inode) == st.st_ino and os.makedev(int(major, 16), int(minor, 16)) == st.st_dev:
                found.add((parts[1], parts[3], parts[6], parts[7]))
    return found


def sqlite_locks(db: Path) -> dict[str, set[tuple[str, str, str, str]]]:
    return {name: held_locks(Path(f"{db}{name}")) for name in ("", "-shm")}


@pytest.fixture
def ledger_folder(demo_file: Path, tmp_path: Path) -> Iterator[Path]:
    """The demo ledger as ``d.db`` in a folder of its own, opened the app's way, as cwd."""
    folder = tmp_path / "台账"
    folder.mkdir()
    shutil.copy(demo_file, folder / "d.db")
    for name in MARKERS:
        (folder / name).write_bytes(b"")
    open_database(folder / "d.db")
    cwd = os.getcwd()
    os.chdir(folder)  # partybuild --db ./d.db, run from the ledger's folder
    for key in ("folders/excel", "folders/backup", "folders/audit"):
        QSettings().setValue(key, str(folder))
    try:
        yield folder
    finally:
        os.chdir(cwd)
        close_database()


@pytest.fixture
def window(ledger_folder: Path, qtbot: QtBot) -> MainWindow:
    from partybuild.store import models as m

    win = MainWindow(m.db_proxy.obj)
    qtbot.addWidget(win)
    win.show()
    return win


def listed(dialog: QFileDialog) -> list[str]:
    """The names the dialog's file list shows in the folder it shows."""
    for view in dialog.findChildren(QAbstractItemView):
        if view.objectName() not in ("listView", "treeView"):
            continue
        model, root = view.model(), view.rootIndex()
        names = [model.index(r, 0, root).data() for r in range(model.rowCount(root))]
        if names:
            return names
    return []


def cancel_next_file_dialog(qtbot: QtBot, folder: Path) -> tuple[list[str], list[bool]]:
    """When a file dialog shows ``folder`` listed, remember its names and cancel it (a print
    dialog is cancelled too, noting whether it offers 打印到文件). The second list fills when
    the watching has ended."""
    seen: list[str] = []
    ended: list[bool] = []

    def poll(tries: int = 300) -> None:
        widget = QApplication.activeModalWidget()
        if not tries:  # never hang the suite: give up, and say so
            seen.append(NONE_SHOWN)
            ended.append(True)
            if widget is not None:
                widget.close()
            return
        if isinstance(widget, QFileDialog):
            if Path(widget.directory().absolutePath()) != folder:
                widget.setDirectory(str(folder))  # as a user would go there
            names = listed(widget)
            if any(n in MARKERS for n in names):
                seen.extend(names)
                # Let every pending listing update reach the dialog before it goes.
                QTimer.singleShot(300, widget.reject)
                QTimer.singleShot(400, poll)  # a print dialog behind it goes too
                return
        elif isinstance(widget, QPrintDialog):
            # Only with a printer installed; its 打印到文件 "…" would open Qt's own file dialog.
            browse = widget.findChild(QAbstractButton, "fileBrowser")
            offers_file = browse is not None and browse.isVisible() and browse.isEnabled()
            seen.append(PRINT_TO_FILE if offers_file else "(打印对话框)")
            widget.reject()
            ended.append(True)
            return
        elif seen:
            ended.append(True)
            return
        QTimer.singleShot(30, lambda: poll(tries - 1))

    QTimer.singleShot(30, poll)
    return seen, ended


def through_dialog(qtbot: QtBot, folder: Path, open_it: Callable[[], object]) -> list[str]:
    seen, ended = cancel_next_file_dialog(qtbot, folder)
    open_it()  # blocks in the modal dialog until the poll cancels it
    qtbot.waitUntil(lambda: bool(ended), timeout=10000)
    return seen


def test_every_file_dialog_leaves_sqlite_its_locks_and_saves_reach_the_disk(
    window: MainWindow, ledger_folder: Path, qtbot: QtBot
) -> None:
    db = ledger_folder / "d.db"
    from partybuild.services import records
    from partybuild.store import models as m

    def idle() -> None:
        """The overview's figures come from a worker thread with its own connection, whose read
        locks come and go with it: compare the window's own locks with it idle."""
        overview_page = window.pages.built("overview")
        qtbot.waitUntil(lambda: overview_page is None or not overview_page.computing)

    records.create("branches", {"name": "开窗前支部", "kind": "joint"})  # a save, then steady
    idle()
    steady = sqlite_locks(db)
    # WAL mode: a shared lock on the database file and the -shm "dead man switch" read lock,
    # held while the connection is open; they tell other processes that the WAL is in use.
    assert steady[""] and steady["-shm"], steady

    def trainings_print() -> object:
        window.go_to("trainings")
        page = window.current_page()
        page.table.selectRow(0)
        window.print_action.trigger()
        return window.print_preview

    def overview():  # noqa: ANN202
        window.go_to("overview")
        return window.current_page()

    dialogs: dict[str, Callable[[], object]] = {
        "备份数据库": window.backup_action.trigger,
        "从备份恢复": window.restore_action.trigger,
        "导入 → 选择文件": lambda: (
            window.import_action.trigger(),
            window.import_wizard.browse_button.click(),
        ),
        "导出": lambda: (
            window.go_to("members"),
            window.export_action.trigger(),
            window.export_dialog.export_button.click(),
        ),
        "导入模板": lambda: (window.go_to("members"), window.template_action.trigger()),
        "打印 → 保存为 PDF": lambda: trainings_print().pdf_action.trigger(),
        "打印 → 打印（无打印机时存 PDF）": lambda: print_button(trainings_print()).trigger(),
        "操作日志 → 导出": lambda: (
            window.go_to("audit"),
            window.current_page().export_button.click(),
        ),
        "概览 → 生成年度总结": lambda: overview().summary_button.click(),
        "概览 → 提醒清单 PDF": lambda: overview().pdf_button.click(),
        "概览 → 提醒清单 Excel": lambda: overview().excel_button.click(),
    }

    def reminders_print() -> None:
        overview().print_button.click()
        print_button(overview().preview_dialog).trigger()

    dialogs["概览 → 打印提醒清单 → 打印"] = reminders_print

    lost, shown = [], {}
    for what, open_it in dialogs.items():
        names = through_dialog(qtbot, ledger_folder, open_it)
        shown[what] = {"d.db-wal", "d.db-shm", PRINT_TO_FILE, NONE_SHOWN} & set(names)
        idle()
        if sqlite_locks(db) != steady:
            lost.append(what)
            database = m.db_proxy.obj  # take the locks again, to try the next dialog fairly
            database.close()
            database.connect()
            database.execute_sql("SELECT count(*) FROM branch")
        for owner, name in (
            (window, "print_preview"),
            (window, "import_wizard"),
            (window, "export_dialog"),
            (window.pages["overview"], "preview_dialog"),
        ):
            if (left := getattr(owner, name, None)) is not None:
                left.close()

    assert lost == [], f"these dialogs dropped the process's SQLite locks: {lost}"
    assert not any(shown.values()), shown

    # Another process reads the database: it must see this one and leave the WAL alone.
    done = subprocess.run(
        [sys.executable, "-m", "partybuild", "stats", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.returncode == 0, done.stderr
    assert (ledger_folder / "d.db-wal").exists()

    # A save in the window, by keyboard, is on disk for another connection.
    branches = window.go_to("branches")
    window.new_action.trigger()
    dialog = branches.dialog
    fill(qtbot, dialog.form, "name", "开窗后支部")
    fill(qtbot, dialog.form, "kind", "joint")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; con = sqlite3.connect(sys.argv[1]);"
            " print(con.execute('select count(*) from branch where name = ?',"
            " ('开窗后支部',)).fetchone()[0])",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.stdout.strip() == "1", other.stderr
    assert sqlite_locks(db) == steady


def print_button(preview: object):  # noqa: ANN201 - QAction
    """The 打印 button of a print preview's toolbar."""
    from PySide6.QtWidgets import QToolBar

    toolbar = preview.findChild(QToolBar)  # type: ignore[attr-defined]
    return next(a for a in toolbar.actions() if a.text() == "打印")


def test_a_live_database_file_cannot_be_picked_or_read_in_process(
    window: MainWindow, ledger_folder: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from partybuild.exchange.read import WorkbookRefused, check_file
    from partybuild.services.backup import BackupError, check_backup_file
    from partybuild.ui import file_dialogs

    db = ledger_folder / "d.db"
    steady = sqlite_locks(db)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    dialog = file_dialogs.make_dialog(window, "选择", str(ledger_folder), "所有文件 (*)")
    dialog.selectFile(str(ledger_folder / "d.db-shm"))
    dialog.accept()
    assert dialog.result() != QFileDialog.DialogCode.Accepted and "d.db-shm" in warnings[0]
    with pytest.raises(WorkbookRefused, match="正在使用的党建台账数据库文件"):
        check_file(db)
    with pytest.raises(BackupError, match="日志文件"):
        check_backup_file(Path(f"{db}-shm"))
    with pytest.raises(BackupError):
        from partybuild.services.backup import restore_from

        restore_from(db)
    assert sqlite_locks(db) == steady
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from branch").fetchone()[0] > 0
    con.close()


def test_dialog_speaks_chinese_and_types_files_by_name(ledger_folder: Path, qtbot: QtBot) -> None:
    from partybuild.ui import file_dialogs

    dialog = file_dialogs.make_dialog(None, "保存", "x.pdf", "PDF 文件 (*.pdf)", "save")
    qtbot.addWidget(dialog)
    labels = {
        QFileDialog.DialogLabel.LookIn: "查找范围：",
        QFileDialog.DialogLabel.FileName: "文件名：",
        QFileDialog.DialogLabel.FileType: "文件类型：",
        QFileDialog.DialogLabel.Accept: "保存",
        QFileDialog.DialogLabel.Reject: "取消",
    }
    for label, text in labels.items():
        assert dialog.labelText(label) == text
    listing = dialog.proxyModel()
    headers = [listing.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert headers == ["名称", "大小", "类型", "修改日期"]
    kinds = file_dialogs.NameOnlyIconProvider()
    assert kinds.type(QFileInfo(str(ledger_folder / "标记.xlsx"))) == "Excel 工作簿"
    assert kinds.type(QFileInfo(str(ledger_folder / "d.db-shm"))) == "DB-SHM 文件"
    assert kinds.type(QFileInfo(str(ledger_folder))) == "文件夹"
    assert file_dialogs.format_size(0) == "0 字节"
    assert file_dialogs.format_size(1) == "1 KB"
    assert file_dialogs.format_size(5 * 1024 * 1024 + 1) == "5.0 MB"
