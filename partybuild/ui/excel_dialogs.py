"""导入 / 导出 / 导入模板 in the app: the import wizard, the export dialog and template saving.

The wizard goes file → preview (every row coloured by what will happen to it, filterable) →
confirm → progress (with cancel) → result, with the error workbook one click away. Reading,
planning, writing and exporting run in a worker thread (:class:`Job`) that reports progress, so
the window never freezes on a 50,000-row roster; a cancel before the commit leaves the database
as it was (one transaction). All the work is done by :mod:`partybuild.exchange` — the same
functions the CLI calls; this module only shows it.

Dialogs are opened with ``open()`` and kept on the window (``window.import_wizard``,
``window.export_dialog``) so the window stays usable and tests can reach them. The last folder
used is remembered in QSettings under ``folders/excel``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee as pw
from PySide6.QtCore import (
    QAbstractTableModel,
    QDir,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    QSortFilterProxyModel,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import collation, dates
from partybuild.exchange import importer as imp
from partybuild.exchange import sheets as lay
from partybuild.exchange.mapping import Mapping, SheetMapping
from partybuild.ledgers import spec
from partybuild.services import name_order
from partybuild.store import models as m
from partybuild.store.accounts import masked_only
from partybuild.ui import file_dialogs

FOLDER_KEY = "folders/excel"
XLSX_FILTER = "Excel 工作簿 (*.xlsx *.xlsm)"
# What the importer reads (partybuild.exchange.read): Excel old and new, WPS, LibreOffice.
WORKBOOK_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods *.xlsb)"
STATE_ROLE = Qt.ItemDataRole.UserRole + 1

# Row colours by state: background, text.
COLOURS: dict[str, tuple[str, str]] = {
    imp.NEW: ("#e3f4e6", "#1e5e2b"),
    imp.UPDATE: ("#fff1cc", "#7a5200"),
    imp.UNCHANGED: ("#f3f3f3", "#777777"),
    imp.INVALID: ("#fbdcdc", "#a11212"),
}


# --------------------------------------------------------------------------- helpers


def last_folder() -> str:
    folder = QSettings().value(FOLDER_KEY)
    return str(folder) if folder and Path(str(folder)).is_dir() else QDir.homePath()


def remember_folder(path: str | Path) -> None:
    QSettings().setValue(FOLDER_KEY, str(Path(path).parent))


def _with_suffix(path: str) -> str:
    return path if path.lower().endswith((".xlsx", ".xlsm")) else path + ".xlsx"


def _show(value: Any) -> str:
    """A raw cell as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return dates.shown(value)
    if isinstance(value, float) and value.is_integer():
        # Excel keeps 15 significant digits: show a long number as it shows it, lost digits as 0.
        return str(int(Decimal(f"{value:.15g}")))
    return str(value)


def _counts_text(counts: dict[str, int], label: str) -> str:
    return (
        f"<b>{label}</b>：新增 <span style='color:{COLOURS[imp.NEW][1]}'>{counts['new']}</span>，"
        f"更新 <span style='color:{COLOURS[imp.UPDATE][1]}'>{counts['updated']}</span>，"
        f"未变 {counts['unchanged']}，"
        f"错误 <span style='color:{COLOURS[imp.INVALID][1]}'>{counts['invalid']}</span>"
    )


def _label_of(name: str) -> str:
    return lay.sheet(name).label


class Job(QThread):
    """Runs ``function(progress, cancel)`` off the UI thread and reports back by signals."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self, function: Callable[[imp.Progress, imp.Cancel], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._function = function
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def run(self) -> None:  # the worker thread
        try:
            result = self._function(self.progressed.emit, self._cancelled.is_set)
        except BaseException as exc:  # every failure goes back to the UI thread, as a message
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            database = m.db_proxy.obj
            if database is not None and not database.is_closed():
                database.close()  # this thread's own connection only (peewee keeps one per thread)


class Progress(QWidget):
    """A progress bar with its status line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setObjectName("excel_progress")
        self.label = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first figure arrives
        self.show()

    def report(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.label.setText(f"{text}：{done:,} / {total:,}")
        else:
            self.label.setText(text)


# --------------------------------------------------------------------------- preview table


class PreviewModel(QAbstractTableModel):
    """The rows of one sheet: 行号, 状态, 说明, then the sheet's own columns as read."""

    FIXED = ("行号", "状态", "说明")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet: imp.SheetPlan | None = None
        self.headers: list[str] = []

    def set_sheet(self, sheet: imp.SheetPlan | None) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.headers = (
            [h or f"（第 {i + 1} 列）" for i, h in enumerate(sheet.headers)] if sheet else []
        )
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.sheet is None else len(self.sheet.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.FIXED) + len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        fixed = len(self.FIXED)
        return self.FIXED[section] if section < fixed else self.headers[section - fixed]

    def row(self, number: int) -> imp.PlannedRow:
        assert self.sheet is not None
        return self.sheet.rows[number]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or self.sheet is None:
            return None
        row = self.sheet.rows[index.row()]
        column = index.column()
        if role == STATE_ROLE:
            return row.state
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(COLOURS.get(row.state, ("#ffffff", ""))[0]))
        if role == Qt.ItemDataRole.ForegroundRole and column < len(self.FIXED):
            return QBrush(QColor(COLOURS.get(row.state, ("", "#000000"))[1]))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return row.row
            if column == 1:
                return imp.STATE_LABELS.get(row.state, "")
            if column == 2:
                return row.summary()
            value = (
                row.raw[column - len(self.FIXED)]
                if column - len(self.FIXED) < len(row.raw)
                else None
            )
            return _show(value)
        return None


class StateFilter(QSortFilterProxyModel):
    """Shows the rows of one state (or all)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: str | None = None

    def set_state(self, state: str | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+: invalidateFilter() is deprecated
            self.beginFilterChange()
            self.state = state
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.state = state
            self.invalidateFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:  # noqa: N802
        if self.state is None:
            return True
        model = self.sourceModel()
        return model.data(model.index(source_row, 0, source_parent), STATE_ROLE) == self.state


# --------------------------------------------------------------------------- the wizard


_MAP_HINT = re.compile(
    r'请用 --map (?:"[^"]*" )?指定(?:（如 --map "[^"]*"）)?(?:，或在导入向导的“列对应”一步中选择)?'
)


def _in_wizard(text: str) -> str:
    """A note written for the command line (“请用 --map … 指定”), said as the wizard does it."""
    return _MAP_HINT.sub("请在右边的“导入为”中选择", text)


class MappingPage(QWidget):
    """列对应: every column of each recognised sheet → a field of its ledger or 不导入, with a
    few of its values; ambiguous columns highlighted; required fields missing and the defaults
    that would be applied shown, those of record (类别) asked as a question to confirm."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: imp.ImportPlan | None = None
        self.choices: dict[str, SheetMapping] = {}
        self.recalled: set[str] = set()
        intro = QLabel(
            self.tr(
                "核对每一列导入为哪个字段：识别不准的列请改选，不需要的列选“不导入”。"
                "黄色的列有疑问（可能是别的意思），请确认。"
            )
        )
        intro.setWordWrap(True)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("import_map_sheet")
        self.sheet_combo.currentIndexChanged.connect(self._show_sheet)
        self.recalled_label = QLabel()
        self.recalled_label.setObjectName("import_map_recalled")
        self.recalled_label.setStyleSheet("color: #1e5e2b;")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("工作表：")))
        bar.addWidget(self.sheet_combo, 1)
        bar.addWidget(self.recalled_label, 1)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("import_map_table")
        self.table.setHorizontalHeaderLabels(
            [self.tr("文件中的列"), self.tr("示例（前 3 个值）"), self.tr("导入为")]
        )
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 200)
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("import_map_warnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color: #7a5200;")
        self.missing_label = QLabel()
        self.missing_label.setObjectName("import_map_missing")
        self.missing_label.setWordWrap(True)
        self.missing_label.setStyleSheet(f"color: {COLOURS[imp.INVALID][1]};")
        self.questions = QVBoxLayout()
        self.question_boxes: dict[str, QCheckBox] = {}
        self.question_values: dict[str, QComboBox] = {}
        self.defaults_label = QLabel()
        self.defaults_label.setObjectName("import_map_defaults")
        self.defaults_label.setWordWrap(True)
        self.defaults_label.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.missing_label)
        layout.addLayout(self.questions)
        layout.addWidget(self.defaults_label)
        self.progress = Progress()
        self.progress.hide()
        layout.addWidget(self.progress)

    # -- filling ---------------------------------------------------------------------------
    def set_plan(self, plan: imp.ImportPlan) -> None:
        """The first reading of the file: its sheets as recognised, choices pre-filled from the
        headers and values (or from the choice remembered for the same header set)."""
        from partybuild.exchange import mapping as mp

        self.plan = plan
        self.choices = {}
        self.recalled = set()
        for sheet in plan.sheets:
            header = sheet.header
            choice = mp.SheetMapping(
                sheet.spec.name,
                {
                    i: (header.mapping[i].key if i in header.mapping else None)
                    for i in header.headers
                },
                dict(header.constant_text),
                header.rows,
                dict(header.headers),
            )
            try:
                saved = mp.remembered(sheet.spec.name, sheet.headers)
            except pw.PeeweeException:
                saved = None
            if saved is not None:
                choice.columns.update(
                    {i: k for i, k in saved.columns.items() if i in header.headers}
                )
                choice.constants = dict(saved.constants)
                self.recalled.add(sheet.title)
            self.choices[sheet.title] = choice
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for sheet in plan.sheets:
            self.sheet_combo.addItem(f"{sheet.title}（{sheet.spec.label}）", sheet.title)
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setCurrentIndex(0)
        self._show_sheet()

    def sheet(self) -> imp.SheetPlan | None:
        if self.plan is None:
            return None
        title = self.sheet_combo.currentData()
        return next((s for s in self.plan.sheets if s.title == title), None)

    def _show_sheet(self) -> None:
        sheet = self.sheet()
        self.table.setRowCount(0)
        if sheet is None:
            return
        choice = self.choices[sheet.title]
        header = sheet.header
        self.recalled_label.setText(
            self.tr("已按上次对同样表头的选择填好") if sheet.title in self.recalled else ""
        )
        indexes = sorted(header.headers)
        self.table.setRowCount(len(indexes))
        warn = QBrush(QColor(COLOURS[imp.UPDATE][0]))
        for row, index in enumerate(indexes):
            name = QTableWidgetItem(header.headers[index])
            distinct = list(dict.fromkeys(header.samples.get(index, [])))
            samples = "、".join(distinct[: imp.SHOWN_SAMPLES])
            example = QTableWidgetItem(samples or self.tr("（空）"))
            combo = QComboBox()
            combo.setObjectName(f"import_map_{index}")
            combo.addItem(self.tr("不导入"), None)
            for col in sheet.spec.columns:
                combo.addItem(col.label, col.key)
            combo.setCurrentIndex(max(0, combo.findData(choice.columns.get(index))))
            combo.currentIndexChanged.connect(
                lambda _n, i=index, c=combo: self._choose(i, c.currentData())
            )
            if index not in header.claims:
                name.setForeground(QBrush(QColor("#777777")))
                name.setToolTip(self.tr("未识别的列：默认不导入，可选择对应的字段"))
            if index in header.ambiguous:
                for item in (name, example):
                    item.setBackground(warn)
                    item.setToolTip(header.ambiguous[index])
                combo.setToolTip(header.ambiguous[index])
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, example)
            self.table.setCellWidget(row, 2, combo)
        self.warnings_label.setText("\n".join(_in_wizard(w) for w in header.warnings))
        self.warnings_label.setVisible(bool(header.warnings))
        self._update_gaps()

    def _choose(self, index: int, key: str | None) -> None:
        sheet = self.sheet()
        if sheet is None:
            return
        self.choices[sheet.title].columns[index] = key
        self._update_gaps()

    def _answer(self, key: str) -> None:
        sheet = self.sheet()
        box, values = self.question_boxes.get(key), self.question_values.get(key)
        if sheet is None or box is None:
            return
        constants = self.choices[sheet.title].constants
        value = values.currentText() if values is not None else ""
        if box.isChecked() and value:
            constants[key] = value
        else:
            constants.pop(key, None)
        self._refresh_labels()

    def _update_gaps(self) -> None:
        """Rebuild the questions: a default of record (类别) to confirm, a required choice the
        file lacks (类型) to give one value for every row."""
        sheet = self.sheet()
        while self.questions.count():
            widget = self.questions.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.question_boxes = {}
        self.question_values = {}
        if sheet is None:
            return
        choice = self.choices[sheet.title]
        spec_ = sheet.spec
        chosen = {k for k in choice.columns.values() if k is not None}
        present = {spec_.by_key[k].header for k in chosen}
        missing, asked, _defaults = imp.column_gaps(spec_, present)
        fillable = [
            c for c in spec_.columns if c.header in missing and c.vocabulary is not None and c.field
        ]
        for key in list(choice.constants):
            if key in chosen:
                choice.constants.pop(key)  # a column now gives it
        for col in [*asked, *fillable]:
            value = choice.constants.get(col.key) or (imp.default_text(col) if col in asked else "")
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            box = QCheckBox(self.tr("文件没有%s列，全部记为") % col.label)
            box.setObjectName(f"import_default_{col.key}")
            box.setStyleSheet("font-weight: bold;")
            values = QComboBox()
            values.setObjectName(f"import_value_{col.key}")
            assert col.vocabulary is not None
            if not value:
                values.addItem(self.tr("（请选择）"))
            values.addItems(list(col.vocabulary.labels))
            if value:
                values.setCurrentIndex(max(0, values.findText(value)))
            box.setChecked(col.key in choice.constants)
            line.addWidget(box)
            line.addWidget(values)
            line.addWidget(QLabel(self.tr("？")))
            line.addStretch(1)
            box.toggled.connect(lambda _yes, k=col.key: self._answer(k))
            values.currentIndexChanged.connect(lambda _n, k=col.key: self._answer(k))
            self.questions.addWidget(row)
            self.question_boxes[col.key] = box
            self.question_values[col.key] = values
        self._refresh_labels()

    def question(self, key: str) -> str:
        """A question as the user reads it: 文件没有类别列，全部记为正式党员？"""
        box, values = self.question_boxes[key], self.question_values[key]
        return f"{box.text()}{values.currentText()}？"

    def _refresh_labels(self) -> None:
        sheet = self.sheet()
        if sheet is None:
            return
        choice = self.choices[sheet.title]
        spec_ = sheet.spec
        chosen = [k for k in choice.columns.values() if k is not None]
        present = {spec_.by_key[k].header for k in chosen}
        present |= {spec_.by_key[k].header for k in choice.constants}
        missing, _asked, defaults = imp.column_gaps(spec_, present)
        lines = [_in_wizard(p) for p in sheet.header.problems] if self._as_read(sheet) else []
        for key in sorted({k for k in chosen if chosen.count(k) > 1}):
            lines.append(self.tr("多列都对应到了“%s”，只能选一列") % spec_.by_key[key].label)
        if missing:
            lines.append(
                self.tr("缺少必填的列：%s（请在上面为某一列选择它，否则新增的行无法导入）")
                % "、".join(missing)
            )
        self.missing_label.setText("\n".join(lines))
        self.missing_label.setVisible(bool(lines))
        self.defaults_label.setText(
            self.tr("新增的行将取默认值：%s")
            % "；".join(f"{c.label}记为“{imp.default_text(c)}”" for c in defaults)
            if defaults
            else ""
        )
        self.defaults_label.setVisible(bool(defaults))
        self.changed.emit()

    def _as_read(self, sheet: imp.SheetPlan) -> bool:
        """Whether the user has left the sheet's columns as they were read."""
        header = sheet.header
        first = {
            i: (header.mapping[i].key if i in header.mapping else None) for i in header.headers
        }
        return self.choices[sheet.title].columns == first

    # -- result ----------------------------------------------------------------------------
    def valid(self) -> bool:
        """No field chosen for two columns (the rest is the preview's business)."""
        for choice in self.choices.values():
            chosen = [k for k in choice.columns.values() if k is not None]
            if len(chosen) != len(set(chosen)):
                return False
        return True

    def mapping(self) -> Mapping:
        return Mapping(sheets={t: c for t, c in self.choices.items()})

    def remember(self) -> None:
        """Keep the choices for the next file with the same headers (a read-only or busy
        database only loses the convenience)."""
        from partybuild.exchange import mapping as mp

        if self.plan is None:
            return
        for sheet in self.plan.sheets:
            try:
                mp.remember(sheet.headers, self.choices[sheet.title])
            except pw.PeeweeException:
                return


class ImportWizard(QDialog):
    """选择文件 → 列对应 → 预览 → 确认 → 导入 → 结果."""

    FILE, MAPPING, PREVIEW, CONFIRM, RUNNING, RESULT = range(6)
    imported = Signal()

    def __init__(self, parent: QWidget | None = None, ledger: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_wizard")
        self.setWindowTitle(self.tr("导入 Excel 台账"))
        self.resize(1080, 680)
        self.plan: imp.ImportPlan | None = None
        self.job: Job | None = None
        self.error_workbook: Path | None = None
        self.result_text = ""

        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page(ledger))
        self.mapping_page = MappingPage()
        self.mapping_page.changed.connect(self._update_buttons)
        self.map_progress = self.mapping_page.progress
        self.pages.addWidget(self.mapping_page)
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._confirm_page())
        self.pages.addWidget(self._running_page())
        self.pages.addWidget(self._result_page())

        self.steps = QLabel()
        self.steps.setObjectName("import_steps")
        self.back_button = QPushButton(self.tr("上一步"))
        self.next_button = QPushButton(self.tr("下一步"))
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.forward)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.steps, 1)
        for button in (self.back_button, self.next_button, self.cancel_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        layout.addLayout(buttons)
        self.go(self.FILE)

    # -- pages ---------------------------------------------------------------------------
    def _file_page(self, ledger: str | None) -> QWidget:
        page = QWidget()
        intro = QLabel(
            self.tr(
                "选择要导入的 Excel 台账（.xlsx）。表头可以在前几行、列的顺序不限，常见的别名（如“公民身份号码”"
                "“所在单位”“联系方式”）都能识别。\n导入前会逐行预检：每一行显示为新增、更新、未变或错误，"
                "确认后才写入；写入在一个事务中完成，全部成功或全部不写。"
            )
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("import_path")
        self.path_edit.setPlaceholderText(self.tr("尚未选择文件"))
        self.path_edit.textChanged.connect(self._update_buttons)
        self.browse_button = QPushButton(self.tr("选择文件…"))
        self.browse_button.setObjectName("import_browse")
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self.ledger_combo = QComboBox()
        self.ledger_combo.setObjectName("import_ledger")
        self.ledger_combo.addItem(self.tr("按工作表自动识别（可一次导入全部台账）"), None)
        for item in spec.LEDGERS.values():
            self.ledger_combo.addItem(self.tr("只导入：%s") % item.label, item.name)
        if ledger is not None:
            self.ledger_combo.setCurrentIndex(max(0, self.ledger_combo.findData(ledger)))
        self.read_progress = Progress()
        self.read_progress.hide()
        self.file_message = QLabel()
        self.file_message.setObjectName("import_file_message")
        self.file_message.setWordWrap(True)
        self.file_message.setStyleSheet(f"color: {COLOURS[imp.INVALID][1]};")
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addWidget(QLabel(self.tr("文件：")))
        layout.addLayout(row)
        layout.addWidget(QLabel(self.tr("台账：")))
        layout.addWidget(self.ledger_combo)
        layout.addSpacing(8)
        layout.addWidget(self.read_progress)
        layout.addWidget(self.file_message)
        layout.addStretch(1)
        return page

    def _preview_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.notes = QLabel()
        self.notes.setObjectName("import_notes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #7a5200;")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("import_sheet")
        self.sheet_combo.currentIndexChanged.connect(self._show_sheet)
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("import_state")
        self.state_combo.addItem(self.tr("全部行"), None)
        for state in imp.STATES:
            self.state_combo.addItem(self.tr(imp.STATE_LABELS[state]), state)
        self.state_combo.currentIndexChanged.connect(self._filter_state)
        self.export_errors_button = QPushButton(self.tr("导出错误行…"))
        self.export_errors_button.setObjectName("import_export_errors")
        self.export_errors_button.clicked.connect(self.save_errors_as)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("工作表：")))
        bar.addWidget(self.sheet_combo, 2)
        bar.addSpacing(12)
        bar.addWidget(QLabel(self.tr("显示：")))
        bar.addWidget(self.state_combo, 1)
        bar.addStretch(1)
        bar.addWidget(self.export_errors_button)
        self.model = PreviewModel(self)
        self.proxy = StateFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("import_preview")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.skip_box = QCheckBox(self.tr("跳过错误行，只导入正确的行"))
        self.skip_box.setObjectName("import_skip_invalid")
        self.skip_box.toggled.connect(self._update_buttons)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.skip_box)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget()
        self.confirm_text = QLabel()
        self.confirm_text.setObjectName("import_confirm")
        self.confirm_text.setWordWrap(True)
        self.confirm_text.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(page)
        layout.addWidget(self.confirm_text)
        layout.addStretch(1)
        return page

    def _running_page(self) -> QWidget:
        page = QWidget()
        self.write_progress = Progress()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.write_progress)
        note = QLabel(self.tr("正在一个事务中写入；取消或出错时数据库保持导入前的样子。"))
        note.setStyleSheet("color: #666666;")
        layout.addWidget(note)
        layout.addStretch(2)
        return page

    def _result_page(self) -> QWidget:
        page = QWidget()
        self.result_label = QLabel()
        self.result_label.setObjectName("import_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.open_errors_button = QPushButton(self.tr("打开错误行工作簿"))
        self.open_errors_button.setObjectName("import_open_errors")
        self.open_errors_button.clicked.connect(self.open_error_workbook)
        self.open_folder_button = QPushButton(self.tr("打开所在文件夹"))
        self.open_folder_button.clicked.connect(self.open_error_folder)
        row = QHBoxLayout()
        row.addWidget(self.open_errors_button)
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    # -- navigation ----------------------------------------------------------------------
    def go(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        names = ["选择文件", "列对应", "预览", "确认", "导入", "结果"]
        self.steps.setText(
            "  ›  ".join(f"<b>{n}</b>" if i == page else n for i, n in enumerate(names))
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.pages.currentIndex()
        busy = self.job is not None and self.job.isRunning()
        plan = self.plan
        self.back_button.setVisible(page in (self.MAPPING, self.PREVIEW, self.CONFIRM))
        self.back_button.setEnabled(not busy)
        self.next_button.setVisible(page != self.RUNNING)
        self.cancel_button.setText(self.tr("关闭") if page == self.RESULT else self.tr("取消"))
        if page == self.FILE:
            self.next_button.setText(self.tr("下一步"))
            self.next_button.setEnabled(bool(self.path_edit.text().strip()) and not busy)
        elif page == self.MAPPING:
            self.next_button.setText(self.tr("预检"))
            self.next_button.setEnabled(self.mapping_page.valid() and not busy)
        elif page == self.PREVIEW:
            self.next_button.setText(self.tr("下一步"))
            self.next_button.setEnabled(plan is not None and self._writable())
        elif page == self.CONFIRM:
            self.next_button.setText(self.tr("开始导入"))
            self.next_button.setEnabled(plan is not None and self._writable())
        elif page == self.RESULT:
            self.next_button.setText(self.tr("完成"))
            self.next_button.setEnabled(True)

    def _writable(self) -> bool:
        plan = self.plan
        if plan is None or plan.to_write == 0:
            return False
        return not plan.invalid or self.skip_box.isChecked()

    def back(self) -> None:
        self.go(max(self.FILE, self.pages.currentIndex() - 1))

    def forward(self) -> None:
        page = self.pages.currentIndex()
        if page == self.FILE:
            self.start_reading()
        elif page == self.MAPPING:
            self.start_planning()
        elif page == self.PREVIEW:
            self._fill_confirm()
            self.go(self.CONFIRM)
        elif page == self.CONFIRM:
            self.start_import()
        elif page == self.RESULT:
            self.accept()

    def cancel(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.write_progress.label.setText(self.tr("正在取消…"))
            self.read_progress.label.setText(self.tr("正在取消…"))
            return
        if self.pages.currentIndex() == self.RESULT:
            self.accept()
        else:
            self.reject()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self.job.wait()
        super().closeEvent(event)

    # -- file ----------------------------------------------------------------------------
    def browse(self) -> None:
        path = file_dialogs.open_file(
            self, self.tr("选择 Excel 台账"), last_folder(), self.tr(WORKBOOK_FILTER)
        )
        if path:
            self.path_edit.setText(path)
            remember_folder(path)

    def start_reading(self) -> None:
        """Read the file (no database) for the 列对应 step."""
        path = Path(self.path_edit.text().strip())
        ledger = self.ledger_combo.currentData()
        self.file_message.clear()
        self.read_progress.start(self.tr("正在读取“%s”…") % path.name)

        def work(progress: imp.Progress, cancel: imp.Cancel) -> imp.ImportPlan:
            return imp.read_file(path, ledger, guess_header=True, progress=progress, cancel=cancel)

        self._run(work, self.read_progress, self._read, self._planning_failed)

    def _read(self, plan: imp.ImportPlan) -> None:
        self.read_progress.hide()
        self.mapping_page.set_plan(plan)
        self.go(self.MAPPING)

    def start_planning(self) -> None:
        """Read the file again with the columns as the user mapped them, and plan it."""
        path = Path(self.path_edit.text().strip())
        ledger = self.ledger_combo.currentData()
        mapping = self.mapping_page.mapping()
        self.mapping_page.remember()
        self.map_progress.start(self.tr("正在预检“%s”…") % path.name)

        def work(progress: imp.Progress, cancel: imp.Cancel) -> imp.ImportPlan:
            return imp.plan_file(path, ledger, mapping=mapping, progress=progress, cancel=cancel)

        self._run(work, self.map_progress, self._planned, self._mapping_failed)

    def _mapping_failed(self, exc: BaseException) -> None:
        self.map_progress.hide()
        text = self.tr("已取消预检") if isinstance(exc, imp.ImportCancelled) else _message(exc)
        QMessageBox.warning(self, self.windowTitle(), text)
        self._update_buttons()

    def _planned(self, plan: imp.ImportPlan) -> None:
        self.read_progress.hide()
        self.map_progress.hide()
        self.plan = plan
        self.error_workbook = None
        self._fill_preview()
        self.go(self.PREVIEW)

    def _planning_failed(self, exc: BaseException) -> None:
        self.read_progress.hide()
        if isinstance(exc, imp.ImportCancelled):
            self.file_message.setText(self.tr("已取消预检"))
        else:
            self.file_message.setText(_message(exc))
        self._update_buttons()

    # -- preview -------------------------------------------------------------------------
    def _fill_preview(self) -> None:
        plan = self.plan
        assert plan is not None
        lines = [_counts_text(c, _label_of(name)) for name, c in plan.counts().items()]
        self.summary.setText("<br>".join(lines))
        notes = [*plan.ignored, *(w.text() for w in plan.warnings)]
        unknown = plan.unknown_columns()
        if unknown:
            notes.append(
                "未识别的列（已忽略）："
                + "；".join(f"{u['sheet']}：{u['column']}" for u in unknown)
            )
        for sheet in plan.sheets:
            if sheet.problem:
                notes.append(f"{sheet.title}：{sheet.problem}")
            skipped = []
            if sheet.skipped_footer:
                skipped.append(f"表尾 {sheet.skipped_footer} 行（填报人、审核人等）")
            if sheet.skipped_example:
                skipped.append(f"模板示例 {sheet.skipped_example} 行")
            if skipped:
                notes.append(f"{sheet.title}：已跳过{'、'.join(skipped)}")
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for index, sheet in enumerate(plan.sheets):
            text = (
                sheet.title
                if sheet.title == sheet.spec.label
                else f"{sheet.title}（{sheet.spec.label}）"
            )
            self.sheet_combo.addItem(f"{text} · {len(sheet.rows)} 行", index)
        self.sheet_combo.blockSignals(False)
        first_bad = next((i for i, s in enumerate(plan.sheets) if s.count(imp.INVALID)), 0)
        self.sheet_combo.setCurrentIndex(first_bad)
        self._show_sheet()
        invalid = len(plan.invalid)
        self.skip_box.setVisible(bool(invalid))
        self.skip_box.setChecked(False)
        self.skip_box.setText(self.tr("跳过 %d 行错误，只导入正确的行") % invalid)
        self.export_errors_button.setEnabled(bool(invalid))

    def _show_sheet(self) -> None:
        plan = self.plan
        index = self.sheet_combo.currentData()
        sheet = plan.sheets[index] if plan is not None and index is not None else None
        self.model.set_sheet(sheet)
        header = self.table.horizontalHeader()
        widths = [56, 56, 420]
        for column in range(self.model.columnCount()):
            if column < len(widths):
                header.resizeSection(column, widths[column])
            else:
                mapped = sheet.header.mapping.get(column - 3) if sheet else None
                header.resizeSection(column, max(70, (mapped.width if mapped else 10) * 9))

    def _filter_state(self) -> None:
        self.proxy.set_state(self.state_combo.currentData())

    def save_errors_as(self) -> None:
        plan = self.plan
        if plan is None or not plan.invalid:
            return
        # Beside the file being imported: the errors are fixed there and imported again.
        default = str(plan.path.parent / f"{plan.path.stem}-错误行.xlsx")
        path, _filter = file_dialogs.save_file(
            self, self.tr("导出错误行"), default, self.tr(XLSX_FILTER)
        )
        if not path:
            return
        path = _with_suffix(path)
        try:
            imp.write_error_workbook(plan, path)
        except OSError as exc:  # OutputError: one line saying what, where and why
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        remember_folder(path)
        self.error_workbook = Path(path)
        file_dialogs.open_on_desktop(self, Path(path), self.tr("导出错误行"))

    # -- confirm and import ----------------------------------------------------------------
    def _fill_confirm(self) -> None:
        plan = self.plan
        assert plan is not None
        totals = {"new": 0, "updated": 0, "unchanged": 0, "invalid": 0}
        for counts in plan.counts().values():
            for key in totals:
                totals[key] += counts[key]
        from partybuild.store.database import current_location

        location = current_location()
        if location is not None and location.path is not None:
            backup = self.tr("导入前会先把数据库备份到 %s") % (location.path.parent / "backups")
        else:
            backup = self.tr("共享数据库（PostgreSQL）请确认服务器已有备份")
        skipped = (
            self.tr("，<span style='color:%s'>%d 行错误将被跳过</span>")
            % (COLOURS[imp.INVALID][1], totals["invalid"])
            if totals["invalid"]
            else ""
        )
        self.confirm_text.setText(
            self.tr(
                "<p style='font-size:12pt'>即将导入“%s”：</p>"
                "<p style='font-size:12pt'>新增 <b>%d</b> 条，更新 <b>%d</b> 条；%d 条未变，不写入%s。</p>"
                "<p>%s。</p><p>所有改动在一个事务中写入：中途取消或出错时，数据库保持导入前的样子。</p>"
            )
            % (
                plan.path.name,
                totals["new"],
                totals["updated"],
                totals["unchanged"],
                skipped,
                backup,
            )
        )

    def start_import(self) -> None:
        plan = self.plan
        assert plan is not None
        skip = self.skip_box.isChecked()
        self.go(self.RUNNING)
        self.write_progress.start(self.tr("正在写入…"))
        database = m.db_proxy.obj

        def work(progress: imp.Progress, cancel: imp.Cancel) -> imp.ApplyResult:
            return imp.apply(plan, database, skip_invalid=skip, progress=progress, cancel=cancel)

        self._run(work, self.write_progress, self._imported, self._import_failed)

    def _imported(self, result: imp.ApplyResult) -> None:
        plan = self.plan
        assert plan is not None
        text = (
            self.tr("<p style='font-size:12pt'>导入完成：已写入 <b>%d</b> 条记录。</p>")
            % result.written
        )
        if result.backup is not None:
            text += self.tr("<p>导入前的数据库已备份到：%s</p>") % result.backup
        if plan.invalid:
            text += self.tr(
                "<p style='color:%s'>有 %d 行错误未导入，已写入错误行工作簿（含“错误原因”列），改正后可再次导入。</p>"
            ) % (COLOURS[imp.INVALID][1], len(plan.invalid))
            self._write_error_workbook()
        self._finish(text)
        self.imported.emit()

    def _import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, imp.ImportCancelled):
            text = self.tr("<p style='font-size:12pt'>已取消导入，数据库未做任何改动。</p>")
        else:
            text = self.tr(
                "<p style='font-size:12pt;color:%s'>导入失败，数据库未做任何改动：</p><p>%s</p>"
            ) % (
                COLOURS[imp.INVALID][1],
                _message(exc),
            )
        if self.plan is not None and self.plan.invalid:
            self._write_error_workbook()
        self._finish(text)

    def _finish(self, text: str) -> None:
        self.result_text = text
        self.result_label.setText(text)
        has_errors = self.error_workbook is not None
        self.open_errors_button.setVisible(has_errors)
        self.open_folder_button.setVisible(has_errors)
        if has_errors:
            self.open_errors_button.setToolTip(str(self.error_workbook))
            self.result_label.setText(
                text + self.tr("<p>错误行工作簿：%s</p>") % self.error_workbook
            )
        self.cancel_button.setEnabled(True)
        self.go(self.RESULT)

    def _write_error_workbook(self) -> None:
        """Beside the imported file (“名册-错误行.xlsx”), else in the last folder used, else home.

        Never the shared temporary folder: the rows hold full ID numbers and phones (the file is
        0600 wherever it goes). When no folder takes it, 导出错误行 on the preview page asks.
        """
        plan = self.plan
        assert plan is not None
        folders: list[Path] = []
        for folder in (plan.path.parent, Path(last_folder()), Path(QDir.homePath())):
            if folder not in folders:
                folders.append(folder)
        for folder in folders:
            target = folder / f"{plan.path.stem}-错误行.xlsx"
            counter = 1
            while target.exists():
                counter += 1
                target = folder / f"{plan.path.stem}-错误行（{counter}）.xlsx"
            try:
                imp.write_error_workbook(plan, target)
            except OSError:
                continue
            self.error_workbook = target
            return

    def open_error_workbook(self) -> None:
        if self.error_workbook is not None:
            file_dialogs.open_on_desktop(self, self.error_workbook, self.tr("打开错误行工作簿"))

    def open_error_folder(self) -> None:
        if self.error_workbook is not None:
            file_dialogs.open_on_desktop(
                self, self.error_workbook.parent, self.tr("打开所在文件夹")
            )

    # -- jobs ----------------------------------------------------------------------------
    def _run(
        self,
        function: Callable[[imp.Progress, imp.Cancel], Any],
        progress: Progress,
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        job = Job(function, self)
        job.progressed.connect(progress.report)
        job.succeeded.connect(done)
        job.failed.connect(failed)
        job.finished.connect(self._job_finished)
        self.job = job
        self.cancel_button.setEnabled(True)
        job.start()
        self._update_buttons()

    def _job_finished(self) -> None:
        self.cancel_button.setEnabled(True)
        self._update_buttons()


def _message(exc: BaseException) -> str:
    from partybuild.exchange.read import WorkbookRefused

    if isinstance(exc, (WorkbookRefused, imp.ImportRefused)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- export


class ExportDialog(QDialog):
    """One ledger or all, masked by default; the file is written off the UI thread."""

    exported = Signal(str)

    def __init__(self, parent: QWidget | None = None, ledger: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle(self.tr("导出 Excel 台账"))
        self.resize(560, 0)
        self.ledger = ledger
        self.job: Job | None = None
        self.output: Path | None = None

        self.one_button = QRadioButton(
            self.tr("当前台账：%s") % spec.ledger(ledger).label if ledger else self.tr("当前台账")
        )
        self.one_button.setObjectName("export_one")
        self.all_button = QRadioButton(
            self.tr("全部台账（每个台账一个工作表，另含参会人员、服务队队员、参加队员）")
        )
        self.all_button.setObjectName("export_all")
        group = QButtonGroup(self)
        group.addButton(self.one_button)
        group.addButton(self.all_button)
        self.one_button.setEnabled(ledger is not None)
        (self.one_button if ledger else self.all_button).setChecked(True)
        self.mask_box = QCheckBox(
            self.tr("脱敏导出（身份证号、电话只留首尾几位，出生日期只留年份）")
        )
        self.mask_box.setObjectName("export_mask")
        self.mask_box.setChecked(True)
        self.mask_box.setEnabled(not masked_only())  # a viewer exports masked only
        self.mask_note = QLabel()
        self.mask_note.setObjectName("export_mask_note")
        self.mask_note.setWordWrap(True)
        # Room for the longer (unmasked) explanation, so toggling never squeezes the buttons.
        self.mask_note.setMinimumHeight(self.mask_note.fontMetrics().lineSpacing() * 3 + 4)
        self.mask_box.toggled.connect(self._explain)
        # The order of names on the member sheet: the database's default, changeable per export.
        self.order_combo = QComboBox()
        self.order_combo.setObjectName("export_order")
        for code, label in collation.NAME_ORDERS:
            self.order_combo.addItem(self.tr(label), code)
        self.order_combo.setCurrentIndex(self.order_combo.findData(name_order.default_order()))
        order_row = QHBoxLayout()
        order_label = QLabel(self.tr("党员排序(&O)："))
        order_label.setBuddy(self.order_combo)
        order_row.addWidget(order_label)
        order_row.addWidget(self.order_combo)
        order_row.addStretch(1)
        self.progress = Progress()
        self.progress.hide()
        self.export_button = QPushButton(self.tr("导出…"))
        self.export_button.setObjectName("export_start")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_and_export)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("导出范围：")))
        layout.addWidget(self.one_button)
        layout.addWidget(self.all_button)
        layout.addSpacing(8)
        layout.addWidget(self.mask_box)
        layout.addWidget(self.mask_note)
        layout.addLayout(order_row)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self._explain()

    def _explain(self) -> None:
        if self.mask_box.isChecked():
            self.mask_note.setStyleSheet("color: #555555;")
            self.mask_note.setText(
                self.tr("脱敏文件适合报送和传阅；因为身份证号不完整，它不能再导入本程序。")
            )
        else:
            self.mask_note.setStyleSheet(f"color: {COLOURS[imp.INVALID][1]};")
            self.mask_note.setText(
                self.tr(
                    "将导出完整数据：党员的完整身份证号（含出生日期）、手机号码等个人信息。"
                    "请只在需要再次导入或存档时使用，妥善保管，不要通过群聊或邮件随意传送。"
                )
            )

    def selected(self) -> list[str] | None:
        return [self.ledger] if self.one_button.isChecked() and self.ledger else None

    def default_name(self) -> str:
        ledgers = self.selected()
        what = spec.ledger(ledgers[0]).label if ledgers else "全部"
        masked = "（脱敏）" if self.mask_box.isChecked() else ""
        return f"{what}台账{masked}-{dt.date.today():%Y%m%d}.xlsx"

    def choose_and_export(self) -> None:
        path, _filter = file_dialogs.save_file(
            self,
            self.tr("导出到"),
            str(Path(last_folder()) / self.default_name()),
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if not path:
            return
        self.start(Path(_with_suffix(path)))

    def start(self, path: Path) -> None:
        from partybuild.exchange import export as excel_export

        remember_folder(path)
        ledgers, mask = self.selected(), self.mask_box.isChecked()
        order = str(self.order_combo.currentData())
        self.output = path

        def work(progress: imp.Progress, cancel: imp.Cancel) -> dict[str, int]:
            return excel_export.export(
                path, ledgers, mask=mask, progress=progress, cancel=cancel, order=order
            )

        self.export_button.setEnabled(False)
        self.progress.start(self.tr("正在导出…"))
        job = Job(work, self)
        job.progressed.connect(self.progress.report)
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        self.job = job
        job.start()

    def _done(self, counts: dict[str, int]) -> None:
        total = sum(counts.values())
        message = self.tr("已导出 %d 条记录到 %s") % (total, self.output)
        self.exported.emit(message)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from partybuild.exchange.export import ExportCancelled

        self.progress.hide()
        self.export_button.setEnabled(True)
        if isinstance(exc, ExportCancelled):
            return
        from partybuild.outputs import OutputError

        if isinstance(exc, OutputError):  # already one line: what, where and why
            text = str(exc)
        else:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            text = self.tr("导出失败：%s") % detail
        QMessageBox.warning(self, self.windowTitle(), text)

    def cancel(self) -> None:
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            return
        self.reject()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.job is not None and self.job.isRunning():
            self.job.cancel()
            self.job.wait()
        super().closeEvent(event)


# --------------------------------------------------------------------------- entry points


def open_import_wizard(window: Any) -> ImportWizard:
    """The window's 导入 action. Sheets are recognised by name and headers, so an all-ledgers
    file imports whole from any page; the wizard's 台账 choice narrows it when wanted."""
    wizard = ImportWizard(window, None)
    wizard.imported.connect(window.refresh_all)
    window.import_wizard = wizard
    wizard.open()
    return wizard


def open_export_dialog(window: Any) -> ExportDialog:
    dialog = ExportDialog(window, window.current_ledger_name())
    dialog.exported.connect(lambda text: window.statusBar().showMessage(text, 10000))
    window.export_dialog = dialog
    dialog.open()
    return dialog


def save_template(window: Any) -> Path | None:
    """An empty template of the page's ledger (or one the user picks), where the user says."""
    from partybuild.exchange import templates

    name = window.current_ledger_name()
    if name is None:
        labels = [item.label for item in spec.LEDGERS.values()]
        label, ok = QInputDialog.getItem(
            window, window.tr("导入模板"), window.tr("选择台账："), labels, 0, False
        )
        if not ok:
            return None
        name = next(item.name for item in spec.LEDGERS.values() if item.label == label)
    label = spec.ledger(name).label
    path, _filter = file_dialogs.save_file(
        window,
        window.tr("保存导入模板"),
        str(Path(last_folder()) / f"{label}导入模板.xlsx"),
        window.tr("Excel 工作簿 (*.xlsx)"),
    )
    if not path:
        return None
    target = Path(_with_suffix(path))
    try:
        templates.write_template(name, target)
    except OSError as exc:  # OutputError: one line saying what, where and why
        QMessageBox.warning(window, window.tr("导入模板"), str(exc))
        return None
    remember_folder(target)
    window.statusBar().showMessage(window.tr("已保存%s导入模板：%s") % (label, target), 10000)
    return target
