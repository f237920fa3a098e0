"""The recycle bin page (回收站): find binned records of any ledger, restore them or purge them.

The page only calls :mod:`partybuild.services.recycle`; the table model is fed rows and never
queries. Purging is the one irreversible act in the application, so it asks once more (deleting to
the bin was the first time) and says what else goes with the records. Refusals are shown in a
message line inside the page, not in a modal box, so several can be read at once.
"""

from __future__ import annotations

from typing import Any

import peewee as pw
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from partybuild.ledgers import spec
from partybuild.services import recycle
from partybuild.services.errors import RecordNotFound, ValidationError
from partybuild.services.recycle import DeletedRow

AnyIndex = QModelIndex | QPersistentModelIndex

SEARCH_DELAY_MS = 300


class DeletedTableModel(QAbstractTableModel):
    """Rows of the bin: 台账, 名称/标题, 删除时间. Fed by :meth:`set_rows`/:meth:`append_rows`."""

    LEDGER, TITLE, DELETED_AT = range(3)
    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DeletedRow] = []
        self._headers = (self.tr("台账"), self.tr("名称/标题"), self.tr("删除时间"))

    def set_rows(self, rows: list[DeletedRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[DeletedRow]) -> None:
        if not rows:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def row_at(self, row: int) -> DeletedRow:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == self.RowRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.LEDGER:
                return row.ledger_label
            if column == self.TITLE:
                return f"{row.title}（{row.context}）" if row.context else row.title
            if column == self.DELETED_AT:
                return f"{row.deleted_at:%Y-%m-%d %H:%M}" if row.deleted_at else ""
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            return f"{row.title}\n{row.context}" if row.context else row.title
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None


class RecycleBinPage(QWidget):
    """The 回收站 page; ``changed`` tells the main window to refresh the other pages."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, page_size: int = recycle.PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self._total = 0

        self.ledger_filter = QComboBox()
        self.ledger_filter.addItem(self.tr("全部"), None)
        for ledger in spec.binned_ledgers():  # 发展党员's people are binned as 党员
            self.ledger_filter.addItem(ledger.label, ledger.name)
        self.ledger_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索名称、标题…"))
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("台账：")))
        filters.addWidget(self.ledger_filter)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.count_label)

        self.model = DeletedTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Widths from what the columns can hold, not from the rows shown (which after a restore
        # may be none, and squeezed 删除时间 to a sliver).
        header.setSectionResizeMode(DeletedTableModel.TITLE, QHeaderView.ResizeMode.Stretch)
        cells = self.table.fontMetrics()
        widest_ledger = max(cells.horizontalAdvance(x.label) for x in spec.binned_ledgers())
        widest_time = cells.horizontalAdvance("2000-00-00 00:00")
        for column, widest in (
            (DeletedTableModel.LEDGER, widest_ledger),
            (DeletedTableModel.DELETED_AT, widest_time),
        ):
            label = header.fontMetrics().horizontalAdvance(
                self.model.headerData(column, Qt.Orientation.Horizontal)
            )
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(column, max(widest, label) + 24)

        self.more_button = QPushButton(self.tr("加载更多"))
        self.restore_button = QPushButton(self.tr("恢复"))
        self.restore_button.setToolTip(self.tr("把选中的记录放回原台账，原有关联保持不变"))
        self.purge_button = QPushButton(self.tr("彻底删除"))
        self.purge_button.setToolTip(self.tr("永久删除选中的记录，无法恢复"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.more_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.purge_button)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        hint = QLabel(
            self.tr("回收站中的记录不计入统计。恢复后，记录与党组织、企业等的关联保持原样。")
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(hint)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._filters_changed)
        self.search.textChanged.connect(self._search_timer.start)
        self.ledger_filter.currentIndexChanged.connect(self._filters_changed)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.more_button.clicked.connect(self.load_more)
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(self.purge_selected)

        self.refresh()

    # ------------------------------------------------------------------ loading

    def _query(self) -> tuple[str | None, str]:
        return self.ledger_filter.currentData(), self.search.text()

    def refresh(self) -> None:
        """Reload the first page with the current filter and search."""
        ledger_name, search = self._query()
        try:
            self._total = recycle.count_deleted(ledger_name, search)
            rows = recycle.deleted_records(ledger_name, search, 0, self.page_size)
        except pw.DatabaseError as exc:
            self._total, rows = 0, []
            self._show_message(self.tr("读取回收站失败：%s") % exc, error=True)
        self.model.set_rows(rows)
        self._update_counts()
        self._update_buttons()

    def load_more(self) -> None:
        ledger_name, search = self._query()
        offset = self.model.rowCount()
        self.model.append_rows(recycle.deleted_records(ledger_name, search, offset, self.page_size))
        self._update_counts()

    def _filters_changed(self) -> None:
        self._search_timer.stop()
        self._show_message("")
        self.refresh()

    def _update_counts(self) -> None:
        shown = self.model.rowCount()
        if self._total == 0:
            text = (
                self.tr("回收站中没有记录") if not any(self._query()) else self.tr("没有匹配的记录")
            )
        elif shown < self._total:
            text = self.tr("显示 %s 条，共 %s 条") % (shown, self._total)
        else:
            text = self.tr("共 %s 条") % self._total
        self.count_label.setText(text)
        self.more_button.setVisible(shown < self._total)

    def _update_buttons(self, *_: QItemSelection) -> None:
        has_selection = bool(self.table.selectionModel().selectedRows())
        self.restore_button.setEnabled(has_selection)
        self.purge_button.setEnabled(has_selection)

    def selected_rows(self) -> list[DeletedRow]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.row_at(r) for r in rows]

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "color: #1b5e20;")
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------------ actions

    def restore_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        try:
            errors = recycle.restore_many([row.key for row in rows])
        except pw.DatabaseError as exc:
            self._show_message(self.tr("恢复失败：%s") % exc, error=True)
            return
        restored = len(rows) - len(errors)
        self.refresh()
        if errors:
            text = self.tr("已恢复 %s 条；%s 条未能恢复：") % (restored, len(errors))
            self._show_message(text + "\n" + "\n".join(errors), error=True)
        else:
            self._show_message(self.tr("已恢复 %s 条记录") % restored)
        if restored:
            self.changed.emit()

    def purge_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        keys = [row.key for row in rows]
        blockers = recycle.purge_blockers(keys)
        if blockers:
            self._show_message(
                self.tr("不能彻底删除：%s。请先删除或改挂这些记录。") % "；".join(blockers[:5])
                + (self.tr("（另有 %d 条）") % (len(blockers) - 5) if len(blockers) > 5 else ""),
                error=True,
            )
            return
        text = self.tr(
            "确定要彻底删除选中的 %s 条记录吗？\n彻底删除后无法恢复，此操作不能撤销。"
        ) % len(rows)
        impact = recycle.purge_impact(keys)
        if impact:
            others = "、".join(self.tr("%s %s 条") % (label, n) for label, n in impact.items())
            text += "\n\n" + self.tr("以下关联记录也将一并永久删除：%s") % others
        answer = QMessageBox.question(
            self,
            self.tr("彻底删除"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            purged = recycle.purge_many(keys)
        except (ValidationError, RecordNotFound, pw.DatabaseError) as exc:
            self.refresh()
            self._show_message(self.tr("未删除任何记录：%s") % exc, error=True)
            return
        self.refresh()
        self._show_message(self.tr("已彻底删除 %s 条记录") % purged)
        self.changed.emit()
