"""操作日志 page: the audit trail, filterable by ledger, record, person and date; read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from partybuild.ledgers import spec
from partybuild.services import audit
from partybuild.ui import file_dialogs

_Index = QModelIndex | QPersistentModelIndex
PAGE = 300


class AuditTableModel(QAbstractTableModel):
    """Entries newest first, fetched a page at a time (the log grows for years)."""

    HEADERS = ("时间", "操作人", "操作", "台账", "记录", "修改内容")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._filter = audit.AuditFilter()
        self._rows: list[audit.Entry] = []
        self._total = 0

    def set_filter(self, f: audit.AuditFilter) -> None:
        self.beginResetModel()
        self._filter = f
        self._total = audit.count(f)
        self._rows = audit.entries(f, 0, PAGE)
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802
        if parent.isValid():
            return
        more = audit.entries(self._filter, len(self._rows), PAGE)
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            record = e.title or ""
            if e.record_id is not None:
                record = f"{record}（#{e.record_id}）"
            values = (
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                e.operator,
                e.action_label,
                e.ledger_label,
                record,
                e.summary(masked=True),
            )
            return values[index.column()]
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class AuditPage(QWidget):
    """Read-only: there is no way to change or delete an entry from here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_audit")
        self.ledger_filter = QComboBox()
        self.ledger_filter.addItem(self.tr("全部台账"), None)
        for ledger in spec.binned_ledgers():
            self.ledger_filter.addItem(ledger.label, ledger.name)
        self.operator_filter = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("按记录名称或修改内容搜索"))
        self.search.setClearButtonEnabled(True)
        self.date_from = self._date_edit()
        self.date_to = self._date_edit()
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.count_label = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.ledger_filter)
        bar.addWidget(QLabel(self.tr("操作人")))
        bar.addWidget(self.operator_filter)
        bar.addWidget(QLabel(self.tr("从")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(self.tr("到")))
        bar.addWidget(self.date_to)
        bar.addWidget(self.export_button)

        self.model = AuditTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        for column, width in enumerate((150, 90, 130, 90, 200)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.search.textChanged.connect(self.apply)
        self.ledger_filter.currentIndexChanged.connect(self.apply)
        self.operator_filter.currentIndexChanged.connect(self.apply)
        self.date_from.dateChanged.connect(self.apply)
        self.date_to.dateChanged.connect(self.apply)
        self.export_button.clicked.connect(self.export)
        self.refresh()

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(QDate(1999, 12, 31))
        edit.setSpecialValueText(self.tr("不限"))
        edit.setDate(edit.minimumDate())
        return edit

    @staticmethod
    def _date(edit: QDateEdit) -> dt.date | None:
        return None if edit.date() == edit.minimumDate() else edit.date().toPython()

    def current_filter(self) -> audit.AuditFilter:
        return audit.AuditFilter(
            ledger=self.ledger_filter.currentData(),
            operator=self.operator_filter.currentData(),
            date_from=self._date(self.date_from),
            date_to=self._date(self.date_to),
            text=self.search.text(),
        )

    def apply(self) -> None:
        self.model.set_filter(self.current_filter())
        self.count_label.setText(self.tr("共 %d 条操作记录") % self.model.total)

    def refresh(self) -> None:
        current = self.operator_filter.currentData()
        self.operator_filter.blockSignals(True)
        self.operator_filter.clear()
        self.operator_filter.addItem(self.tr("全部"), None)
        for name in audit.operators():
            self.operator_filter.addItem(name, name)
        index = self.operator_filter.findData(current) if current else 0
        self.operator_filter.setCurrentIndex(max(0, index))
        self.operator_filter.blockSignals(False)
        self.apply()

    def export(self) -> None:
        settings = QSettings()
        folder = str(settings.value("folders/audit", ""))
        path, _ = file_dialogs.save_file(
            self,
            self.tr("导出操作日志"),
            f"{folder}/操作日志.xlsx" if folder else "操作日志.xlsx",
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            n = audit.export_xlsx(path, self.current_filter())
        except OSError as exc:  # OutputError: one line saying what, where and why
            self.count_label.setText(self.tr("导出失败：%s") % exc)
            return
        from pathlib import Path

        settings.setValue("folders/audit", str(Path(path).parent))
        self.count_label.setText(
            self.tr("已导出 %d 条操作记录到 %s（身份证号、电话已脱敏）") % (n, path)
        )
