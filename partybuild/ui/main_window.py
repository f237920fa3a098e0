"""The main window: navigation by ledger, one page each, actions in menu and toolbar, and the
database in use and the page's record count in the status bar.

The window appears before the overview's figures: its first page is built with its layout only
(``OverviewPage(defer=True)``) and, once the window has been shown, the figures are computed in a
worker thread on its own connection (``ui/background.py``) and put on the page when they arrive
(``figures_shown``); F5 and coming back to the overview do the same. Closing the window abandons
what is still being computed, so a quit never waits for it.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import peewee as pw
from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from partybuild import APP_NAME, __version__
from partybuild.ui.lazy_pages import LazyPages

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from partybuild.ui.ledger_page import LedgerPage

# Page names are a contract (``partybuild screenshot --page NAME``) — keep them.
PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "概览"),
    ("branches", "党组织"),
    ("enterprises", "企业"),
    ("members", "党员"),
    ("activities", "组织生活"),
    ("trainings", "培训"),
    ("teams", "志愿服务队"),
    ("services", "志愿服务活动"),
    ("issues", "企业诉求"),
    ("recruitment", "发展党员"),
    ("dues", "党费"),
    ("recycle-bin", "回收站"),
    ("audit", "操作日志"),
)
# The keys that switch to each page: Ctrl+1…Ctrl+9 in sidebar order, then Ctrl+0 and Ctrl+L (日志).
PAGE_KEYS: dict[str, str] = {
    **{name: f"Ctrl+{i}" for i, (name, _label) in enumerate(PAGES[:9], start=1)},
    "recruitment": "Ctrl+J",
    "dues": "Ctrl+D",  # 党费 (D for dues)
    "recycle-bin": "Ctrl+0",
    "audit": "Ctrl+L",
}


def is_ledger_page(page: object) -> bool:
    """``is_ledger_page(page)`` without importing ledger_page (records, queries, the
    table model) before a ledger page is first built: until then no page can be one."""
    module = sys.modules.get("partybuild.ui.ledger_page")
    return module is not None and isinstance(page, module.LedgerPage)


def _page_class(name: str) -> type[LedgerPage]:
    """发展党员 is a ledger page with its pipeline above; every other ledger a plain one."""
    if name == "recruitment":
        from partybuild.ui.recruitment_page import RecruitmentPage

        return RecruitmentPage
    if name == "dues":  # its own filters (月份, 状态) and actions (生成月度记录, 标记已交)
        from partybuild.ui.dues_page import DuesPage

        return DuesPage
    from partybuild.ui.ledger_page import LedgerPage

    return LedgerPage


def shiboken_ok(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def _plain(text: str) -> str:
    """A menu text as read: without its mnemonic (&F, (&F)) and trailing ellipsis."""
    text = re.sub(r"\(&\w\)", "", text).replace("&", "")
    return text.rstrip("…")


class ShortcutsDialog(QDialog):
    """帮助 → 快捷键: the whole keyboard map, one row per key."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import (
            QAbstractItemView,
            QDialogButtonBox,
            QTableWidget,
            QTableWidgetItem,
        )

        super().__init__(parent)
        self.setWindowTitle(self.tr("快捷键"))
        table = QTableWidget(len(rows), 3)
        table.setHorizontalHeaderLabels([self.tr("按键"), self.tr("功能"), self.tr("位置")])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        width = sum(table.columnWidth(c) for c in range(3)) + 60
        self.resize(max(480, width), min(760, table.verticalHeader().length() + 120))


class MainWindow(QMainWindow):
    def __init__(self, database: pw.Database) -> None:
        super().__init__()
        self.database = database
        self.setWindowTitle(APP_NAME)
        self.resize(1360, 840)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(150)
        self.nav.setIconSize(QSize(16, 16))
        self.nav.setStyleSheet(
            "QListWidget#nav { border: none; background: #f4f1ee; font-size: 11pt; outline: 0; }"
            "QListWidget#nav::item { padding: 9px 14px; }"
            "QListWidget#nav::item:selected { background: #c0392b; color: white; }"
            # Keyboard focus in the sidebar is seen: a frame round it, the chosen item outlined.
            "QListWidget#nav:focus { border: 2px solid #1f6fb2; }"
            "QListWidget#nav::item:focus { border-left: 5px solid #f5c542; padding-left: 9px; }"
        )
        self.stack = QStackedWidget()
        # Built on first visit (ui/lazy_pages.py): start-up makes only the page shown.
        self.pages = LazyPages(self.stack, self._make_page)
        for name, label in PAGES:
            self.pages.register(name)
            item = QListWidgetItem(self.tr(label))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.nav.addItem(item)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        location = getattr(database, "partybuild_location", None)
        where = location.display() if location is not None else ""
        self.db_label = QLabel(self.tr("数据库：%s") % where)
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.db_label)

        self._make_actions()
        self._fit_to_account()
        # Every page has just read its data: show the first without reading it all again.
        self.nav.setCurrentRow(0)
        self._page_changed(0, refresh=False)
        self.nav.currentRowChanged.connect(self._page_changed)
        # The window's first paint (the sidebar is always in it) starts what waits for it: the
        # damage check (ui/app.py, when_painted) and the overview's figures.
        self._after_paint: list[Callable[[], None]] | None = []
        self.nav.viewport().installEventFilter(self)
        self.restore_settings()

    def _fit_to_account(self) -> None:
        """The shared database's account: status bar, role, 用户管理 (ui/accounts_ui.py). On
        SQLite there is none, and nothing of it is imported: only the masking of a viewer's
        screen is turned off, should an earlier session in this process have turned it on."""
        if getattr(self.database, "partybuild_account", None) is not None:
            from partybuild.ui.accounts_ui import apply_account

            apply_account(self)
            return
        display = sys.modules.get("partybuild.ledgers.display")
        if display is not None:
            display.set_screen_unlinkable(False)

    # -- pages --------------------------------------------------------------------------
    def _make_page(self, name: str) -> QWidget:
        if name == "overview":
            from partybuild.ui.overview import OverviewPage  # QtCharts: only when it is shown

            page = OverviewPage(defer=True)  # its figures come in the background, once painted
            page.open_page.connect(self.open_filtered)
            return page
        if name == "recycle-bin":
            try:
                from partybuild.ui.recycle_bin import RecycleBinPage
            except ImportError:
                return QLabel(self.tr("回收站"))
            bin_page = RecycleBinPage()
            bin_page.changed.connect(self.refresh_all)
            return bin_page
        if name == "audit":
            from partybuild.ui.audit_page import AuditPage

            return AuditPage()
        from partybuild.ledgers import spec  # with the first ledger page, not at start-up

        ledger_page = _page_class(name)(spec.ledger(name))
        ledger_page.count_changed.connect(self._update_count)
        ledger_page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ledger_page.data_changed.connect(self._data_changed)
        return ledger_page

    def page_name(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else "overview"

    def current_page(self) -> QWidget:
        return self.pages[self.page_name()]

    def go_to(self, name: str) -> QWidget:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.nav.setCurrentRow(row)
                return self.pages[name]
        raise KeyError(name)

    def _go_to_by_key(self, name: str) -> None:
        page = self.go_to(name)
        if is_ledger_page(page):
            page.focus_table()  # the keys go on where the eyes are: the rows

    def open_filtered(self, name: str, filters: dict) -> None:
        page = self.go_to(name)
        if is_ledger_page(page):
            ids = filters.pop("record_ids", None)
            page.show_only(ids, **filters)

    def _page_changed(self, row: int, refresh: bool = True) -> None:
        fresh = self.pages.built(self.page_name()) is None
        page = self.current_page()  # built now if this is its first visit: it has just read
        self.stack.setCurrentIndex(row)
        refresh = refresh and not fresh
        if is_ledger_page(page):
            page.clear_drill()  # coming back by the navigation shows the whole ledger again
        if refresh and hasattr(page, "refresh_in_background"):
            page.refresh_in_background()  # the overview: the page stays usable meanwhile
        elif refresh and hasattr(page, "refresh") and not is_ledger_page(page):
            page.refresh()
        is_ledger = is_ledger_page(page)
        for action in (self.new_action, self.edit_action, self.delete_action, self.find_action):
            action.setEnabled(is_ledger)
        if is_ledger:
            from partybuild.ui.accounts_ui import fit_actions

            fit_actions(self)  # what the signed-in account may do on this page
        self._update_count()

    def _update_count(self) -> None:
        page = self.current_page()
        if is_ledger_page(page):
            model = page.model
            filtered = self.tr("（已筛选）") if model.filters.active() else ""
            if model.counting:  # a search's first rows, its count a moment later
                text = self.tr("已显示前 %d 条，正在计数…") % model.rowCount()
                self.count_label.setText(text)
            else:
                self.count_label.setText(self.tr("共 %d 条%s") % (model.total, filtered))
        else:
            self.count_label.setText("")

    def _data_changed(self) -> None:
        bin_page = self.pages.built("recycle-bin")  # not built yet: it reads when first shown
        if bin_page is not None and hasattr(bin_page, "refresh"):
            bin_page.refresh()

    def refresh_all(self) -> None:
        for page in self.pages.values():
            if hasattr(page, "refresh_in_background"):
                page.refresh_in_background()
            elif hasattr(page, "refresh"):
                page.refresh()
        self._update_count()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """The window's first paint (the overview's layout, empty) starts the figures: after the
        window is on the screen, never before — not even their modules' import."""
        if event.type() == QEvent.Type.Paint and watched is self.nav.viewport():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._painted)
        return super().eventFilter(watched, event)

    def when_painted(self, work: Callable[[], None]) -> None:
        """Call ``work`` once the window has been painted (at once if it has been already)."""
        if self._after_paint is None:
            work()
        else:
            self._after_paint.append(work)

    def _painted(self) -> None:
        waiting, self._after_paint = self._after_paint or [], None
        for work in waiting:
            work()
        self._start_background_figures()

    def _start_background_figures(self) -> None:
        page = self.pages.built("overview")
        if (
            page is not None
            and shiboken_ok(page)
            and getattr(page, "figures_pending", False)
            and not page.computing
        ):
            page.refresh_in_background()

    # -- actions ------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None) -> QAction:  # noqa: ANN001
        action = QAction(self.tr(text), self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.new_action = self._action("新建", self._new, QKeySequence.StandardKey.New)
        self.edit_action = self._action("编辑", self._edit)
        self.edit_action.setShortcuts([QKeySequence(Qt.Key.Key_F2)])
        self.delete_action = self._action("删除", self._delete, QKeySequence(Qt.Key.Key_Delete))
        self.delete_action.setToolTip(self.tr("移入回收站（Del）"))
        self.find_action = self._action("查找", self._find, QKeySequence.StandardKey.Find)
        self.refresh_action = self._action(
            "刷新", self.refresh_all, QKeySequence.StandardKey.Refresh
        )
        self.import_action = self._action(
            "导入", lambda: self._feature("excel_dialogs", "open_import_wizard", "导入 Excel 台账")
        )
        self.export_action = self._action(
            "导出", lambda: self._feature("excel_dialogs", "open_export_dialog", "导出 Excel 台账")
        )
        self.template_action = self._action(
            "导入模板", lambda: self._feature("excel_dialogs", "save_template", "导入模板")
        )
        self.print_action = self._action(
            "打印",
            lambda: self._feature("print_dialogs", "open_print", "打印"),
            QKeySequence.StandardKey.Print,
        )
        self.pack_action = self._action(
            "导出台账资料…",
            lambda: self._feature("pack_dialog", "open_pack_dialog", "导出台账资料"),
        )
        self.quit_action = self._action("退出", self.close, QKeySequence.StandardKey.Quit)
        self.backup_action = self._action("备份数据库…", self.backup_database)
        self.restore_action = self._action("从备份恢复…", self.restore_database)
        self.operator_action = self._action("设置操作人…", self.set_operator)
        about = self._action("关于(&A)", self._about)

        file_menu = self.menuBar().addMenu(self.tr("文件(&F)"))
        for action in (
            self.import_action,
            self.export_action,
            self.template_action,
            self.print_action,
            self.pack_action,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.backup_action, self.restore_action, self.operator_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu(self.tr("编辑(&E)"))
        for action in (self.new_action, self.edit_action, self.delete_action, self.find_action):
            edit_menu.addAction(action)
        view_menu = self.menuBar().addMenu(self.tr("查看(&V)"))
        view_menu.addAction(self.refresh_action)
        pages_menu = view_menu.addMenu(self.tr("页面(&P)"))
        self.page_actions: dict[str, QAction] = {}
        for name, label in PAGES:
            action = self._action(
                label, lambda _c=False, n=name: self._go_to_by_key(n), PAGE_KEYS[name]
            )
            pages_menu.addAction(action)
            self.page_actions[name] = action
        view_menu.addSeparator()
        self.rules_action = self._action(
            "三会一课规则…",
            lambda: self._feature(
                "compliance_settings", "open_compliance_settings", "三会一课规则设置"
            ),
        )
        view_menu.addAction(self.rules_action)
        self.dues_rules_action = self._action(
            "党费规则…", lambda: self._feature("dues_settings", "open_dues_settings", "党费规则")
        )
        view_menu.addAction(self.dues_rules_action)
        self.vocabulary_action = self._action(
            "选项词表…",
            lambda: self._feature("vocabulary_settings", "open_vocabulary_settings", "选项词表"),
        )
        view_menu.addAction(self.vocabulary_action)
        view_menu.addAction(
            self._action(
                "附件设置…", lambda: self._feature("attachments", "open_settings", "附件设置")
            )
        )
        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        self.shortcuts_action = self._action(
            "快捷键(&K)", self.show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(about)

        toolbar = QToolBar(self.tr("工具栏"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.edit_action, self.delete_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.import_action, self.export_action, self.print_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        self.addToolBar(toolbar)

    def _ledger_page(self) -> LedgerPage | None:
        page = self.current_page()
        return page if is_ledger_page(page) else None

    def _new(self) -> None:
        if (page := self._ledger_page()) is not None:
            page.new_record()

    def _edit(self) -> None:
        if (page := self._ledger_page()) is not None:
            page.edit_current()

    def _delete(self) -> None:
        if (page := self._ledger_page()) is not None:
            page.delete_selected()

    def _find(self) -> None:
        if (page := self._ledger_page()) is not None:
            page.search.setFocus()
            page.search.selectAll()

    def current_ledger_name(self) -> str | None:
        """The ledger of the page in front (None on the overview or the recycle bin)."""
        page = self._ledger_page()
        return page.ledger.name if page is not None else None

    def current_record_id(self) -> int | None:
        page = self._ledger_page()
        return page.current_id() if page is not None else None

    def _feature(self, module: str, function: str, what: str) -> None:
        """Import, export and print live in their own ui modules, called with this window."""
        import importlib

        try:
            target = importlib.import_module(f"partybuild.ui.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"partybuild.ui.{module}":
                raise
            self.statusBar().showMessage(self.tr("%s功能尚未开放，敬请期待") % what, 8000)
            return
        getattr(target, function)(self)

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self._shortcut_rows(), self)
        self.shortcuts_dialog = dialog
        dialog.open()
        return dialog

    def _shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(key, what, where) for every action with a key — read from the menus themselves, so
        the list cannot go stale — then the keys the table and the search box handle."""
        rows: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str]] = set()

        def walk(menu: QMenu, where: str) -> None:
            for action in menu.actions():
                if action.menu() is not None:
                    walk(action.menu(), f"{where} → {_plain(action.text())}")
                    continue
                for key in action.shortcuts():
                    text = key.toString(QKeySequence.SequenceFormat.NativeText)
                    if (text, action.text()) not in seen:
                        seen.add((text, action.text()))
                        rows.append((text, _plain(action.text()), where))

        for top in self.menuBar().actions():
            if top.menu() is not None:
                walk(top.menu(), _plain(top.text()))
        table, search = self.tr("台账表格"), self.tr("搜索框")
        rows += [
            ("Enter / F2", self.tr("编辑当前记录"), table),
            ("Del", self.tr("删除选中记录（移入回收站；多条时确认一次）"), table),
            ("Shift+↑/↓, Ctrl+空格", self.tr("多选记录"), table),
            ("↓", self.tr("进入第一条结果"), search),
            ("Enter", self.tr("进入第一条结果"), search),
            ("Esc", self.tr("清空搜索"), search),
            ("Ctrl+S", self.tr("保存"), self.tr("记录表单")),
            ("Ctrl+Tab", self.tr("切换页签（基本信息、办理进度、签到名单…）"), self.tr("记录表单")),
            ("Esc", self.tr("关闭（有改动时先询问）"), self.tr("记录表单")),
        ]
        return rows

    def _about(self) -> None:
        QMessageBox.about(
            self,
            APP_NAME,
            self.tr(
                "%s %s\n园区非公企业党建台账：党组织、企业、党员、组织生活、培训、志愿服务与企业诉求。"
            )
            % (APP_NAME, __version__),
        )

    # -- data safety --------------------------------------------------------------------
    def backup_database(self) -> None:
        from partybuild.services import backup

        settings = QSettings()
        folder = str(settings.value("folders/backup", ""))
        stamp = dt.date.today().strftime("%Y%m%d")
        suggested = f"党建台账备份-{stamp}.sqlite3"
        from partybuild.ui import file_dialogs

        path, _ = file_dialogs.save_file(
            self,
            self.tr("备份数据库"),
            f"{folder}/{suggested}" if folder else suggested,
            self.tr("SQLite 数据库 (*.sqlite3 *.db)"),
        )
        if not path:
            return
        try:
            target = backup.backup_to(Path(path))
        except backup.BackupError as exc:
            QMessageBox.warning(self, self.tr("备份数据库"), str(exc))
            return
        settings.setValue("folders/backup", str(Path(path).parent))
        self.statusBar().showMessage(self.tr("已备份到 %s") % target, 10000)

    def restore_database(self) -> None:
        from partybuild.services import backup

        settings = QSettings()
        folder = str(settings.value("folders/backup", ""))
        from partybuild.ui import file_dialogs

        path = file_dialogs.open_file(
            self,
            self.tr("从备份恢复"),
            folder,
            self.tr("SQLite 数据库 (*.sqlite3 *.db);;所有文件 (*)"),
        )
        if not path:
            return
        try:
            backup.check_backup_file(Path(path))
        except backup.BackupError as exc:
            QMessageBox.warning(self, self.tr("从备份恢复"), str(exc))
            return
        answer = QMessageBox.question(
            self,
            self.tr("从备份恢复"),
            self.tr(
                "将用“%s”替换当前数据库中的全部台账。\n当前数据库会先自动备份，可以再恢复回来。\n\n确定恢复吗？"
            )
            % path,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            before = backup.restore_from(Path(path))
        except backup.BackupError as exc:
            QMessageBox.warning(self, self.tr("从备份恢复"), str(exc))
            return
        self.refresh_all()
        self.statusBar().showMessage(
            self.tr("已恢复；恢复前的数据库已备份为 %s") % before.name, 15000
        )

    def set_operator(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        from partybuild.services import audit

        name, ok = QInputDialog.getText(
            self,
            self.tr("设置操作人"),
            self.tr("操作日志中记录的姓名（留空则使用系统用户名 %s）：") % audit.default_operator(),
            text=str(QSettings().value("operator", "")),
        )
        if not ok:
            return
        QSettings().setValue("operator", name.strip())
        audit.set_operator(name.strip() or None)
        self.statusBar().showMessage(self.tr("操作人：%s") % audit.operator(), 8000)

    # -- settings -----------------------------------------------------------------------
    def restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        for page in self.pages.values():
            if is_ledger_page(page):
                page.save_state()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        # A record form with typing in it asks 保存 / 放弃 / 继续编辑 first; 继续编辑 keeps us open.
        for page in self.pages.values():
            dialog = getattr(page, "dialog", None)
            if dialog is not None and dialog.isVisible() and not dialog.leave():
                event.ignore()
                return
        self.save_settings()
        overview = self.pages.built("overview")
        if overview is not None and hasattr(overview, "cancel_background"):
            overview.cancel_background()  # a quit does not wait for figures nobody will see
        super().closeEvent(event)
