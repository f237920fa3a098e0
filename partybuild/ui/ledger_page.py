"""One page per ledger: search box and filters above a lazily paged table, details beside it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from partybuild.ledgers.spec import Ledger
from partybuild.services import records
from partybuild.services.errors import PermissionDenied, RecordNotFound, ValidationError
from partybuild.services.query import Filters
from partybuild.store import models as m
from partybuild.ui.table_model import LedgerTableModel

FIRST_YEAR = 2000


def _years() -> list[tuple[object, str]]:
    return [(y, f"{y}年") for y in range(dt.date.today().year, FIRST_YEAR - 1, -1)]


class LedgerTable(QTableView):
    """The table: Enter and F2 edit, Del deletes (as in a spreadsheet-minded secretary's hands)."""

    edit_requested = Signal()
    delete_requested = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.edit_requested.emit()
            return
        if key == Qt.Key.Key_Delete:
            self.delete_requested.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: ANN001, N802
        """Coming in by Tab, the row the keys will act on is highlighted (not an invisible
        current row under which the first ↓ lands on row 2)."""
        super().focusInEvent(event)
        model = self.model()
        if model is None or model.rowCount() == 0 or self.selectionModel().hasSelection():
            return
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        self.selectRow(row)
        self.setCurrentIndex(model.index(row, 0))


class LedgerPage(QWidget):
    """Browse, search, filter, sort and edit one ledger."""

    SEARCH_DELAY_MS = 150

    count_changed = Signal()
    message = Signal(str)
    data_changed = Signal()

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.setObjectName(f"page_{ledger.name}")
        self.dialog = None  # the open form, kept so tests and shortcuts can reach it

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索%s（输入即筛选）") % ledger.label)
        self.search.setClearButtonEnabled(True)
        self.filter_combos: dict[str, QComboBox] = {}
        # What each combo lists, re-read on refresh: branches come and go, and a park edits its
        # own vocabularies (查看 → 选项词表) while the window is open.
        self._filter_sources: dict[str, tuple[str, Callable[[], list[tuple[object, str]]]]] = {}

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        fmap = ledger.filter_map
        if "branch" in fmap:
            self._add_filter("branch", self.tr("全部党组织"), self._branch_items)
        if "kind" in fmap:
            column = ledger.column(fmap["kind"].split(".")[-1]) if "." not in fmap["kind"] else None
            vocabulary = column.vocabulary if column else None
            if vocabulary is not None:
                self._add_filter(
                    "kind", self.tr("全部%s") % column.label, lambda v=vocabulary: list(v.items)
                )
        if "year" in fmap:
            self._add_filter("year", self.tr("全部年度"), _years)
        if "status" in fmap:
            column = ledger.column(fmap["status"])
            if column.vocabulary is not None:
                self._add_filter(
                    "status",
                    self.tr("全部%s") % column.label,
                    lambda v=column.vocabulary: list(v.items),
                )
        if ledger.name == "issues":
            self._add_filter(
                "overdue", self.tr("是否超期"), lambda: [(True, "超期"), (False, "未超期")]
            )
        for combo in self.filter_combos.values():
            bar.addWidget(combo, 1)

        self.model = LedgerTableModel(ledger, self)
        self.table = LedgerTable()
        self.table.setObjectName(f"table_{ledger.name}")
        self.table.setModel(self.model)
        # No indicator first: enabling sorting sorts by the indicator, and the ledger's own
        # order (newest activities first, members by name) should hold until a header is clicked.
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        for i, column in enumerate(self.model.columns):
            header_text = header.fontMetrics().horizontalAdvance(column.label) + 30
            self.table.setColumnWidth(i, max(56, column.width * 9, header_text))
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.table.edit_requested.connect(self.edit_current)
        self.table.delete_requested.connect(self.delete_selected)

        # A drill-down from 概览 shows exactly the counted records; say so, and offer the way back.
        self.drill_bar = QWidget()
        self.drill_label = QLabel()
        self.drill_clear = QPushButton(self.tr("显示全部"))
        self.drill_clear.clicked.connect(self.clear_drill)
        drill_row = QHBoxLayout(self.drill_bar)
        drill_row.setContentsMargins(8, 2, 8, 2)
        drill_row.addWidget(self.drill_label, 1)
        drill_row.addWidget(self.drill_clear)
        self.drill_bar.setStyleSheet("background: #fff3cd; color: #664d03; border-radius: 4px;")
        self.drill_bar.hide()
        self.detail = _detail_panel(ledger.name, self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        if self.detail is not None:
            splitter.addWidget(self.detail)
            splitter.setStretchFactor(0, 3)
            splitter.setStretchFactor(1, 1)
            splitter.setSizes([1000, 280])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(bar)
        layout.addWidget(self.drill_bar)
        layout.addWidget(splitter, 1)

        # An empty table says what to do first; a filter that finds nothing says so.
        self.empty_label = QLabel(self.table.viewport())
        self.empty_label.setObjectName("empty_hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #666; font-size: 11pt; background: transparent;")
        self.empty_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        empty_layout = QVBoxLayout(self.table.viewport())
        empty_layout.addWidget(self.empty_label)
        self.count_changed.connect(self._update_empty_hint)
        # A search's count that follows its first rows: the label says the figure once known.
        self.model.total_settled.connect(self.count_changed)
        self._update_empty_hint()

        # Typing is debounced: the query runs once the keys pause (SEARCH_DELAY_MS), not per
        # key. Text set by code (a drill-down, a test, Esc) applies at once.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self._typing = False
        self.search.textEdited.connect(self._search_edited)
        self.search.textChanged.connect(self._search_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search, self.search.clear)
        self.search.installEventFilter(self)
        self.restore_state()

    def _search_edited(self, _text: str) -> None:
        self._typing = True  # Qt says textEdited just before textChanged
        self._search_timer.start()

    def _search_changed(self, _text: str) -> None:
        if self._typing:
            self._typing = False
            return
        self._search_timer.stop()
        self.apply_filters()

    def _flush_search(self) -> bool:
        """Apply typed text now (↓ or Enter before the pause); False, to read on."""
        if self._search_timer.isActive():
            self._search_timer.stop()
            self.apply_filters()
        return False

    def search_pending(self) -> bool:
        """Typed text whose results are not shown yet (the debounce has not fired)."""
        return self._search_timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """↓ or Enter in the search box goes into the results, onto the first row."""
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and (self._flush_search() or self.model.rowCount() > 0)
        ):
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            self.table.selectRow(0)
            self.table.setCurrentIndex(self.model.index(0, 0))
            return True
        return super().eventFilter(watched, event)

    def _update_empty_hint(self) -> None:
        if self.model.rowCount() > 0:  # not total: a search's count may still be coming
            self.empty_label.hide()
            return
        if self.model.filters.active():
            self.empty_label.setText(self.tr("没有符合条件的记录"))
        else:
            self.empty_label.setText(
                self.tr("还没有记录。按 Ctrl+N 新建，或 文件 → 导入 从 Excel 导入")
            )
        self.empty_label.show()

    # -- filters ------------------------------------------------------------------------
    def _branch_items(self) -> list[tuple[int, str]]:
        query = (
            m.Branch.select(m.Branch.id, m.Branch.name)
            .where(m.Branch.deleted == False)  # noqa: E712
            .order_by(m.Branch.name)
            .tuples()
        )
        return list(query)

    def _add_filter(
        self, key: str, everything: str, items: Callable[[], list[tuple[object, str]]]
    ) -> None:
        combo = QComboBox()
        combo.setObjectName(f"filter_{key}")
        self.filter_combos[key] = combo
        self._filter_sources[key] = (everything, items)
        self._fill_filter(key)
        combo.setMinimumContentsLength(8)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(self.apply_filters)

    def _fill_filter(self, key: str) -> None:
        """(Re)list a filter's choices, keeping the one chosen if it is still there."""
        combo = self.filter_combos[key]
        everything, items = self._filter_sources[key]
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for data, label in items():
            combo.addItem(label, data)
        combo.setCurrentIndex(max(0, combo.findData(current)) if current is not None else 0)
        combo.blockSignals(False)

    def current_filters(self) -> Filters:
        def value(key: str) -> object:
            combo = self.filter_combos.get(key)
            return combo.currentData() if combo is not None else None

        return Filters(
            search=self.search.text(),
            branch_id=value("branch"),  # type: ignore[arg-type]
            kind=value("kind"),  # type: ignore[arg-type]
            year=value("year"),  # type: ignore[arg-type]
            status=value("status"),  # type: ignore[arg-type]
            overdue=value("overdue"),  # type: ignore[arg-type]
        )

    def apply_filters(self) -> None:
        """The user changed a filter or the search: that replaces any drill-down from 概览."""
        self.drill_bar.hide()
        self.model.set_filters(self.current_filters())
        self.count_changed.emit()
        self._current_changed()
        if self.model.counting and self.table.isVisible():
            # The rows on screen now, before the count the model runs when the loop is free.
            self.table.viewport().repaint()

    def show_only(self, record_ids: list[int] | None, **filters: object) -> None:
        """Drill down: show exactly these records (None: lift the restriction)."""
        for key, combo in self.filter_combos.items():
            wanted = filters.get(key)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(wanted)) if wanted is not None else 0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        base = self.current_filters()
        self.model.set_filters(
            Filters(
                base.search,
                base.branch_id,
                base.kind,
                base.year,
                base.status,
                tuple(record_ids) if record_ids is not None else None,
                base.overdue,
            )
        )
        if record_ids is not None:
            self.drill_label.setText(self.tr("仅显示概览中统计的 %d 条记录") % len(set(record_ids)))
            self.drill_bar.show()
        else:
            self.drill_bar.hide()
        self.count_changed.emit()

    def clear_drill(self) -> None:
        """Back to the whole ledger (under the filters the user set)."""
        if self.model.filters.record_ids is None:
            return
        self.drill_bar.hide()
        self.model.set_filters(self.current_filters())
        self.count_changed.emit()

    def refresh(self) -> None:
        """Re-read rows and filter choices (after edits here or elsewhere)."""
        for key in self.filter_combos:
            if key != "year":
                self._fill_filter(key)
        selected = self.current_id()
        self.model.reload()
        if selected is not None:
            self.select_record(selected)
        # A reset says nothing to the selection: the pane follows what is chosen now (nothing,
        # if the record has gone), never a record no longer in the table.
        self._current_changed()
        self.count_changed.emit()

    # -- selection ----------------------------------------------------------------------
    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.record_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        ids = [self.model.record_id(r) for r in rows]
        if not ids and self.current_id() is not None:
            ids = [self.current_id()]
        return [i for i in ids if i is not None]

    def select_record(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        while row is None and self.model.canFetchMore():
            self.model.fetchMore()
            row = self.model.row_of(record_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        return True

    def focus_table(self) -> None:
        """Put the keyboard in the table with a row visibly chosen: the current one, else the first."""
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if self.table.selectionModel().hasSelection() or self.model.rowCount() == 0:
            return
        row = self.table.currentIndex().row() if self.table.currentIndex().isValid() else 0
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _current_changed(self, *_args: object) -> None:
        if self.detail is not None:
            self.detail.show_record(self.current_id())

    # -- editing ------------------------------------------------------------------------
    #: What the signed-in account may do here (ui.accounts_ui sets it; all on SQLite), and the
    #: line shown when it may not.
    may_create = may_edit = may_delete = True
    refusal = ""

    def new_record(self) -> None:
        if not self.may_create:
            self.message.emit(self.refusal)
            return
        self._open_form(None)

    def edit_current(self) -> None:
        if not self.may_edit:
            self.message.emit(self.refusal)
            return
        record_id = self.current_id()
        if record_id is None:
            self.message.emit(self.tr("请先选择一条记录"))
            return
        self._open_form(record_id)

    def _open_form(self, record_id: int | None) -> None:
        from partybuild.ui.form import RecordDialog

        try:
            dialog = RecordDialog(self.ledger, record_id, self)
        except RecordNotFound:
            self.message.emit(self.tr("该记录已不存在（可能已被他人删除），已刷新"))
            self.refresh()
            return
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()

    def _saved(self, record_id: int) -> None:
        ids = self.model.filters.record_ids
        if ids is not None and record_id not in ids:
            self.clear_drill()  # a record just saved must not vanish behind a drill-down
        self.refresh()
        self.select_record(record_id)
        self.data_changed.emit()
        self.message.emit(self.tr("已保存"))

    def delete_selected(self) -> None:
        if not self.may_delete:
            self.message.emit(self.refusal)
            return
        ids = self.selected_ids()
        if not ids:
            self.message.emit(self.tr("请先选择要删除的记录"))
            return
        # One row goes to the bin at once (回收站 restores it); several are asked about once,
        # naming how many, so a stray Shift+↓ never empties a page unnoticed.
        if len(ids) > 1 and not confirm_delete(self, len(ids), self.ledger.label):
            return
        rows = [r for r in (self.model.row_of(i) for i in ids) if r is not None]
        failed: list[str] = []
        for record_id in ids:
            try:
                records.soft_delete(self.ledger, record_id)
            except (RecordNotFound, ValidationError, PermissionDenied) as exc:
                failed.append(str(exc))
        self.refresh()
        if self.current_id() is None and rows and self.model.rowCount() > 0:
            # The next record moves up into the deleted one's place: show it.
            row = min(min(rows), self.model.rowCount() - 1)
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, 0))
        self.data_changed.emit()
        done = len(ids) - len(failed)
        text = self.tr("已将 %d 条记录移入回收站，可在“回收站”恢复") % done
        if failed:
            text += "；" + "；".join(failed)
        self.message.emit(text)

    # -- settings -----------------------------------------------------------------------
    def _settings_key(self) -> str:
        """Per ledger and per set of columns: a header saved before a column was added (企业诉求's
        超期) would put every width one column off, so it is not restored onto the new set."""
        names = ",".join(c.name for c in self.model.columns)
        digest = hashlib.sha1(names.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        return f"pages/{self.ledger.name}/header-{digest}"

    def save_state(self) -> None:
        QSettings().setValue(self._settings_key(), self.table.horizontalHeader().saveState())

    def restore_state(self) -> None:
        state = QSettings().value(self._settings_key())
        if state is not None:
            self.table.horizontalHeader().restoreState(state)
            self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)


def confirm_delete(parent: QWidget, count: int, label: str) -> bool:
    """“将选中的 N 条记录移入回收站？”: Enter moves them (the bin can restore), Esc keeps them."""
    box = QMessageBox(parent)
    box.setObjectName("confirm_delete")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.tr("删除%s") % label)
    box.setText(parent.tr("将选中的 %d 条%s记录移入回收站？") % (count, label))
    box.setInformativeText(parent.tr("移入回收站后可在“回收站”恢复。"))
    move = box.addButton(parent.tr("移入回收站(&D)"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(parent.tr("取消"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(move)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is move


def _detail_panel(ledger_name: str, parent: QWidget):  # noqa: ANN202 - DetailPanel | None
    try:
        from partybuild.ui.detail import detail_panel_for
    except ImportError:
        return None
    return detail_panel_for(ledger_name, parent)
