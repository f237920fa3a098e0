"""The relations tab of a record: who attended, who is in the team, which enterprises a branch
covers, how an issue progresses — edited where the record lives, not in a ledger of their own.

Every editor is a plain widget with its inputs inline (no modal dialogs): a row of "…" buttons
opens small panels (a picker and an 添加 button) above the list, messages appear in the widget.
All reading and writing goes through :mod:`partybuild.services.relations`; the table models are
fed rows, they never query. Each editor emits ``changed`` after a write so a host can refresh.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import peewee as pw
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import vocab
from partybuild.services import records, relations
from partybuild.services.errors import RecordNotFound, StaleRecordError, ValidationError
from partybuild.services.relations import AddResult, AttendanceRow, EnterpriseRow, PersonRow
from partybuild.store import models as m
from partybuild.ui.form import LinkPicker

_Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_DELAY_MS = 200
COLUMN_PADDING = 16  # px added to a fitted column: CJK text needs air between columns
CANDIDATE_LIMIT = 50  # members a search offers; more means: type more
ERROR_COLOR = "#c62828"
WARN_COLOR = "#8a5a00"
OK_COLOR = "#2e7d32"
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

STATUS_COLORS = {
    "signed": "#2e7d32",
    "present": "#2e7d32",
    "leave": "#b26a00",
    "absent": "#c62828",
    "expected": "#757575",
}
MUTED = "#757575"


def _brush(color: str) -> QBrush:
    return QBrush(QColor(color))


# --------------------------------------------------------------------------- table models


class _RowsModel(QAbstractTableModel):
    """A read-only table of rows pushed in with :meth:`set_rows`; ``ID_ROLE`` gives a row's id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._headers = self.headers()

    #: The column that takes the spare width (default: the last); a short number never does.
    stretch_column = -1

    # -- what subclasses say
    def headers(self) -> list[str]:
        raise NotImplementedError

    def display(self, row: Any, number: int, column: int) -> str:
        raise NotImplementedError

    def foreground(self, row: Any, column: int) -> str | None:
        return None

    def alignment(self, column: int) -> int | None:
        return _RIGHT if column == 0 else None

    # -- feeding
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    # -- Qt
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.display(row, index.row() + 1, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.foreground(row, column)
            return _brush(color) if color else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(column)
        if role == ID_ROLE:
            return row.id
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            return self._headers[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None


def _time(value: dt.datetime | None) -> str:
    """签到时间; 00:00 is a sign-in entered afterwards for the training's day
    (relations.sign_in_time), shown as the day alone."""
    if not value:
        return ""
    return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"


class AttendanceModel(_RowsModel):
    """签到名单: 序号, 姓名, 所属党组织, 所在企业/单位, 状态, 签到时间, 备注."""

    NAME, BRANCH, UNIT, STATUS, SIGNED_AT, NOTE = range(1, 7)

    def headers(self) -> list[str]:
        return [
            self.tr("序号"),
            self.tr("姓名"),
            self.tr("所属党组织"),
            self.tr("所在企业/单位"),
            self.tr("状态"),
            self.tr("签到时间"),
            self.tr("备注"),
        ]

    def display(self, row: AttendanceRow, number: int, column: int) -> str:
        if column == 0:
            return str(number)
        if column == self.NAME:
            return row.name
        if column == self.BRANCH:
            return self.tr("非党员") if row.is_guest else (row.branch or "")
        if column == self.UNIT:
            return row.unit or ""
        if column == self.STATUS:
            return row.status_label
        if column == self.SIGNED_AT:
            return _time(row.signed_at)
        return row.note or ""

    def foreground(self, row: AttendanceRow, column: int) -> str | None:
        if column == self.STATUS:
            return STATUS_COLORS.get(row.status)
        if column == self.BRANCH and row.is_guest:
            return MUTED
        return None

    def alignment(self, column: int) -> int | None:
        if column in (self.STATUS, self.SIGNED_AT):
            return _CENTER
        return super().alignment(column)


class AttendeeModel(_RowsModel):
    """参会人员: 序号, 姓名, 类别, 所属党组织, 所在企业, 出席情况, 备注."""

    NAME, CATEGORY, BRANCH, ENTERPRISE, STATUS, NOTE = range(1, 7)

    def headers(self) -> list[str]:
        return [
            self.tr("序号"),
            self.tr("姓名"),
            self.tr("类别"),
            self.tr("所属党组织"),
            self.tr("所在企业"),
            self.tr("出席情况"),
            self.tr("备注"),
        ]

    def display(self, row: PersonRow, number: int, column: int) -> str:
        if column == 0:
            return str(number)
        if column == self.NAME:
            return row.name
        if column == self.CATEGORY:
            return row.category_label
        if column == self.BRANCH:
            return (row.branch or "") + (self.tr("（列席）") if row.extra else "")
        if column == self.ENTERPRISE:
            return row.enterprise or ""
        if column == self.STATUS:
            return row.status_label
        return row.note or ""

    def foreground(self, row: PersonRow, column: int) -> str | None:
        if column == self.STATUS:
            return STATUS_COLORS.get(row.status or "")
        if column == self.CATEGORY and row.category != "full":
            return MUTED
        return None

    def alignment(self, column: int) -> int | None:
        return _CENTER if column in (self.CATEGORY, self.STATUS) else super().alignment(column)


class TeamMemberModel(_RowsModel):
    """队员: 序号, 姓名, 类别, 所属党组织, 所在企业, 职责."""

    def headers(self) -> list[str]:
        return [
            self.tr("序号"),
            self.tr("姓名"),
            self.tr("类别"),
            self.tr("所属党组织"),
            self.tr("所在企业"),
            self.tr("职责"),
        ]

    def display(self, row: PersonRow, number: int, column: int) -> str:
        values = (
            str(number),
            row.name,
            row.category_label,
            row.branch or "",
            row.enterprise or "",
            row.note or "",
        )
        return values[column]


class ParticipantModel(_RowsModel):
    """参加队员: 序号, 姓名, 所属党组织, 所在企业, 本队队员."""

    IN_TEAM = 4
    stretch_column = 3

    def headers(self) -> list[str]:
        return [
            self.tr("序号"),
            self.tr("姓名"),
            self.tr("所属党组织"),
            self.tr("所在企业"),
            self.tr("本队队员"),
        ]

    def display(self, row: PersonRow, number: int, column: int) -> str:
        in_team = self.tr("否") if row.extra else self.tr("是")
        values = (str(number), row.name, row.branch or "", row.enterprise or "", in_team)
        return values[column]

    def foreground(self, row: PersonRow, column: int) -> str | None:
        return WARN_COLOR if column == self.IN_TEAM and row.extra else None

    def alignment(self, column: int) -> int | None:
        return _CENTER if column == self.IN_TEAM else super().alignment(column)


class EnterpriseModel(_RowsModel):
    """所属企业: 序号, 企业名称, 统一社会信用代码, 产业, 党员数."""

    MEMBERS = 4
    stretch_column = 1

    def headers(self) -> list[str]:
        return [
            self.tr("序号"),
            self.tr("企业名称"),
            self.tr("统一社会信用代码"),
            self.tr("产业"),
            self.tr("党员数"),
        ]

    def display(self, row: EnterpriseRow, number: int, column: int) -> str:
        values = (
            str(number),
            row.name,
            row.credit_code or "",
            row.industry_label,
            str(row.members),
        )
        return values[column]

    def alignment(self, column: int) -> int | None:
        return _RIGHT if column in (0, self.MEMBERS) else None


# --------------------------------------------------------------------------- shared widgets


class MemberPicker(QWidget):
    """Find members by name or ID number (one LIKE query per pause) and pick one or several."""

    picked = Signal(list)

    def __init__(
        self,
        search: Callable[[str], list[tuple[int, str]]],
        button_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("输入姓名或身份证号查找"))
        self.search_edit.setClearButtonEnabled(True)
        self.add_button = QPushButton(button_text)
        self.add_button.setAutoDefault(False)
        self.results = QListWidget()
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.results.setMaximumHeight(120)
        self.hint = QLabel()
        self.hint.setStyleSheet(f"color: {MUTED};")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.results)
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.textEdited.connect(lambda _text: self._timer.start())
        self.search_edit.returnPressed.connect(self.search_now)
        self.add_button.clicked.connect(self._emit)
        self.results.itemDoubleClicked.connect(lambda item: self.picked.emit([item.data(ID_ROLE)]))

    def search_now(self) -> None:
        self._timer.stop()
        found = self._search(self.search_edit.text())
        self.results.clear()
        for member_id, label in found:
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, member_id)
            self.results.addItem(item)
        if not found:
            self.hint.setText(self.tr("没有找到符合条件的党员"))
        elif len(found) >= CANDIDATE_LIMIT:
            self.hint.setText(self.tr("只显示前 %d 人，请输入更多字缩小范围") % len(found))
        else:
            self.hint.setText(
                self.tr("找到 %d 人；可按住 Ctrl 或 Shift 多选，双击直接添加") % len(found)
            )

    def selected_ids(self) -> list[int]:
        items = self.results.selectedItems()
        if not items and self.results.count() == 1:
            items = [self.results.item(0)]
        return [item.data(ID_ROLE) for item in items]

    def _emit(self) -> None:
        self.picked.emit(self.selected_ids())


def _search_members(text: str) -> list[tuple[int, str]]:
    return relations.member_candidates(text, limit=CANDIDATE_LIMIT)


def _panel(*widgets: QWidget, stretch: int | None = None) -> QFrame:
    """An inline input row, hidden until its "…" button opens it."""
    frame = QFrame()
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    row = QHBoxLayout(frame)
    row.setContentsMargins(6, 4, 6, 4)
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if i == stretch else 0)
    if stretch is None:
        row.addStretch(1)
    frame.hide()
    return frame


def _button(text: str, tip: str | None = None) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    if tip:
        button.setToolTip(tip)
    return button


class _RelationEditor(QWidget):
    """What every relation editor shares: message line, a multi-select table, guarded calls."""

    changed = Signal()

    def __init__(self, record_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record_id = record_id
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self._toggles: list[tuple[QPushButton, QWidget]] = []
        self.table: QTableView | None = None
        self.model: _RowsModel | None = None

    # -- leaving
    def has_unsaved_changes(self) -> bool:
        """Typed input not yet added (asked about before the record's form closes)."""
        return False

    def save_unsaved(self) -> None:
        """Add what :meth:`has_unsaved_changes` reports, as its button would."""

    # -- building
    def _make_table(self, model: _RowsModel) -> QTableView:
        self.model = model
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        stretch = model.stretch_column % model.columnCount()
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setHighlightSections(False)
        self.table = table
        return table

    def _toggle(
        self, button: QPushButton, panel: QWidget, on_open: Callable[[], None] | None = None
    ) -> None:
        """A checkable "…" button that opens its inline panel (one panel open at a time)."""
        button.setCheckable(True)
        self._toggles.append((button, panel))

        def toggled(checked: bool) -> None:
            if checked:
                for other, other_panel in self._toggles:
                    if other is not button and other.isChecked():
                        other.setChecked(False)
                        other_panel.hide()
            panel.setVisible(checked)
            if checked and on_open is not None:
                on_open()

        button.toggled.connect(toggled)

    # -- messages
    def show_message(self, text: str, *, error: bool = False, warn: bool = False) -> None:
        color = ERROR_COLOR if error else WARN_COLOR if warn else OK_COLOR
        self.message.setStyleSheet(f"color: {color};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _guard(self, action: Callable[[], T]) -> T | None:
        """Run a service call; a refusal becomes a message in the widget, never a crash."""
        try:
            return action()
        except (ValidationError, StaleRecordError, RecordNotFound) as exc:
            self.show_message(str(exc), error=True)
        except pw.DatabaseError as exc:
            self.show_message(self.tr("数据库操作失败，未写入：%s") % exc, error=True)
        return None

    def _add_message(self, result: AddResult) -> str:
        text = self.tr("已添加 %d 个，跳过 %d 个") % (result.added, result.skipped)
        details = []
        already = result.skipped - result.unavailable
        if already:
            details.append(self.tr("%d 个已在名单中") % already)
        if result.unavailable:
            details.append(self.tr("%d 个不存在或在回收站中") % result.unavailable)
        if details:
            text += self.tr("（%s）") % "，".join(details)
        return "；".join([text, *result.warnings])

    def _after_add(self, result: AddResult | None) -> None:
        if result is None:
            return
        self.show_message(self._add_message(result), warn=bool(result.warnings))
        self.reload()
        if result.added:
            self.changed.emit()

    # -- rows and selection
    def fetch(self) -> list[Any]:
        raise NotImplementedError

    def after_reload(self, rows: list[Any]) -> None:
        """Update summaries; called with the rows just shown."""

    def reload(self) -> None:
        assert self.model is not None and self.table is not None
        rows = self._guard(self.fetch)
        if rows is None:
            return
        keep = set(self.selected_ids())
        self.model.set_rows(rows)
        self._fit_columns()
        self.select_ids(keep)
        self.after_reload(rows)

    def _fit_columns(self) -> None:
        """Columns as wide as their contents plus air; the user may still drag them."""
        assert self.model is not None and self.table is not None
        stretch = self.model.stretch_column % self.model.columnCount()
        for column in range(self.model.columnCount()):
            if column == stretch:
                continue
            self.table.resizeColumnToContents(column)
            self.table.setColumnWidth(column, self.table.columnWidth(column) + COLUMN_PADDING)

    def selected_ids(self) -> list[int]:
        if self.table is None or self.model is None:
            return []
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [rid for rid in (self.model.row_id(r) for r in rows) if rid is not None]

    def select_ids(self, ids: set[int]) -> None:
        assert self.model is not None and self.table is not None
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) in ids:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().select(selection, flags)

    def _need_selection(self) -> list[int] | None:
        ids = self.selected_ids()
        if not ids:
            self.show_message(
                self.tr("请先在名单中选择人员（按住 Ctrl 或 Shift 可多选）"), error=True
            )
            return None
        return ids

    def _remove(self, remover: Callable[[list[int]], int]) -> None:
        ids = self._need_selection()
        if ids is None:
            return
        count = self._guard(lambda: remover(ids))
        if count is None:
            return
        self.show_message(self.tr("已移除 %d 项（可在回收站中恢复）") % count)
        self.reload()
        if count:
            self.changed.emit()

    def _delete_key(self, handler: Callable[[], None]) -> None:
        assert self.table is not None
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(handler)


# --------------------------------------------------------------------------- training attendance


class AttendanceEditor(_RelationEditor):
    """签到名单 of a training: add by branch, enterprise, member or guest; mark many at once."""

    def __init__(self, training_id: int, parent: QWidget | None = None) -> None:
        super().__init__(training_id, parent)
        self.setWindowTitle(self.tr("签到名单"))

        self.by_branch_button = _button(self.tr("按党组织添加…"))
        self.by_enterprise_button = _button(self.tr("按企业添加…"))
        self.member_button = _button(self.tr("添加党员…"))
        self.guest_button = _button(self.tr("添加非党员…"))

        self.branch_picker = LinkPicker(m.Branch)
        self.branch_picker.setMinimumWidth(260)
        self.branch_add = _button(self.tr("添加"), self.tr("添加该党组织的全部正式党员和预备党员"))
        self.branch_panel = _panel(
            QLabel(self.tr("党组织")),
            self.branch_picker,
            self.branch_add,
            _muted(self.tr("添加其全部正式党员和预备党员")),
        )
        self.enterprise_picker = LinkPicker(m.Enterprise)
        self.enterprise_picker.setMinimumWidth(260)
        self.enterprise_add = _button(
            self.tr("添加"), self.tr("添加该企业的全部正式党员和预备党员")
        )
        self.enterprise_panel = _panel(
            QLabel(self.tr("企业")),
            self.enterprise_picker,
            self.enterprise_add,
            _muted(self.tr("添加其全部正式党员和预备党员")),
        )
        self.member_picker = MemberPicker(_search_members, self.tr("添加所选党员"))
        self.member_panel = _panel(self.member_picker, stretch=0)
        self.guest_name = QLineEdit()
        self.guest_name.setPlaceholderText(self.tr("姓名（必填）"))
        self.guest_unit = QLineEdit()
        self.guest_unit.setPlaceholderText(self.tr("工作单位"))
        self.guest_unit.setMinimumWidth(220)
        self.guest_add = _button(self.tr("添加"))
        self.guest_panel = _panel(
            QLabel(self.tr("姓名")),
            self.guest_name,
            QLabel(self.tr("单位")),
            self.guest_unit,
            self.guest_add,
        )
        self._toggle(self.by_branch_button, self.branch_panel, self.branch_picker.setFocus)
        self._toggle(
            self.by_enterprise_button, self.enterprise_panel, self.enterprise_picker.setFocus
        )
        self._toggle(self.member_button, self.member_panel, self._open_member_search)
        self._toggle(self.guest_button, self.guest_panel, self.guest_name.setFocus)

        self._make_table(AttendanceModel(self))
        self.status_buttons: dict[str, QPushButton] = {
            "signed": _button(self.tr("标记已签到")),
            "leave": _button(self.tr("标记请假")),
            "absent": _button(self.tr("标记缺席")),
            "expected": _button(self.tr("标记未签到")),
        }
        self.remove_button = _button(self.tr("移除"), self.tr("从名单中移除所选人员（Delete）"))
        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: bold;")

        adds = QHBoxLayout()
        for button in (
            self.by_branch_button,
            self.by_enterprise_button,
            self.member_button,
            self.guest_button,
        ):
            adds.addWidget(button)
        adds.addStretch(1)
        marks = QHBoxLayout()
        for button in self.status_buttons.values():
            marks.addWidget(button)
        marks.addStretch(1)
        marks.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(adds)
        for panel in (
            self.branch_panel,
            self.enterprise_panel,
            self.member_panel,
            self.guest_panel,
        ):
            layout.addWidget(panel)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(marks)
        layout.addWidget(self.summary)

        self.branch_add.clicked.connect(self.add_branch)
        self.enterprise_add.clicked.connect(self.add_enterprise)
        # Enter picks: on a highlighted match or a chosen name it adds, as 添加 would.
        self._enter_adds(self.branch_picker, self.add_branch)
        self._enter_adds(self.enterprise_picker, self.add_enterprise)
        self.member_picker.picked.connect(self.add_members)
        self.guest_add.clicked.connect(self.add_guest)
        self.guest_name.returnPressed.connect(self.add_guest)
        self.guest_unit.returnPressed.connect(self.add_guest)
        for code, button in self.status_buttons.items():
            button.clicked.connect(lambda _checked=False, code=code: self.mark(code))
        self.remove_button.clicked.connect(self.remove)
        self._delete_key(self.remove)
        self.reload()

    def _enter_adds(self, picker: LinkPicker, add: Callable[[], None]) -> None:
        """Enter on the highlighted match (or a name typed in full) adds, as 添加 would; on
        part of a name it says to choose one first."""
        picker.lineEdit().returnPressed.connect(add)

    def fetch(self) -> list[AttendanceRow]:
        return relations.attendance_rows(self.record_id)

    def after_reload(self, rows: list[AttendanceRow]) -> None:
        s = relations.attendance_summary(rows)
        self.summary.setText(
            self.tr("应到 %d，已签到 %d，请假 %d，缺席 %d，签到率 %s")
            % (s.expected, s.signed, s.leave, s.absent, relations.percent(s.rate))
        )
        self._show_signed_sheet()

    def _show_signed_sheet(self) -> None:
        """Whether the signed sheet (a 签字签到表 attachment) is attached, under the summary."""
        from partybuild.services.attachments import has_signed_sheet

        label = getattr(self, "sheet_label", None)
        if label is None:
            label = self.sheet_label = QLabel()
            label.setObjectName("signed_sheet")
            self.layout().insertWidget(self.layout().indexOf(self.summary) + 1, label)
        if has_signed_sheet(self.record_id):
            label.setText(self.tr("签字签到表：已附"))
            label.setStyleSheet(f"color: {OK_COLOR};")
        else:
            label.setText(self.tr("签字签到表：未附（签到后可在“附件”页签添加扫描件或照片）"))
            label.setStyleSheet(f"color: {WARN_COLOR};")

    def _open_member_search(self) -> None:
        self.member_picker.search_now()
        self.member_picker.search_edit.setFocus()

    # -- actions (public so keyboard users, hosts and tests drive the same paths)
    def add_branch(self) -> None:
        branch_id = self.branch_picker.record_id()
        if branch_id is None:
            self.show_message(self.tr("请先选择党组织"), error=True)
            return
        self._after_add(
            self._guard(lambda: relations.add_members_of_branch(self.record_id, branch_id))
        )

    def add_enterprise(self) -> None:
        enterprise_id = self.enterprise_picker.record_id()
        if enterprise_id is None:
            self.show_message(self.tr("请先选择企业"), error=True)
            return
        self._after_add(
            self._guard(lambda: relations.add_members_of_enterprise(self.record_id, enterprise_id))
        )

    def add_members(self, member_ids: list[int]) -> None:
        if not member_ids:
            self.show_message(self.tr("请先在查找结果中选择党员"), error=True)
            return
        self._after_add(self._guard(lambda: relations.add_members(self.record_id, member_ids)))

    def has_unsaved_changes(self) -> bool:
        return bool(self.guest_name.text().strip() or self.guest_unit.text().strip())

    def save_unsaved(self) -> None:
        self.add_guest()

    def add_guest(self) -> None:
        name, unit = self.guest_name.text(), self.guest_unit.text()
        added = self._guard(lambda: relations.add_guest(self.record_id, name, unit or None))
        if added is None:
            return
        self.show_message(self.tr("已添加非党员“%s”") % name.strip())
        self.guest_name.clear()
        self.guest_unit.clear()
        self.guest_name.setFocus()
        self.reload()
        self.changed.emit()

    def mark(self, status: str) -> None:
        ids = self._need_selection()
        if ids is None:
            return
        count = self._guard(lambda: relations.set_status(ids, status))
        if count is None:
            return
        label = vocab.ATTENDANCE_STATUS.label(status)
        self.show_message(self.tr("已将所选 %d 人标记为“%s”") % (len(ids), label))
        self.reload()
        if count:
            self.changed.emit()

    def remove(self) -> None:
        self._remove(relations.remove)


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {MUTED};")
    return label


# --------------------------------------------------------------------------- activity attendees


class AttendeeEditor(_RelationEditor):
    """参会人员 of a meeting: 出席 / 请假 / 缺席, and for a 党员大会 whether it was quorate."""

    def __init__(self, activity_id: int, parent: QWidget | None = None) -> None:
        super().__init__(activity_id, parent)
        self.setWindowTitle(self.tr("参会人员"))
        self.branch_button = _button(
            self.tr("添加本支部党员"), self.tr("添加本支部全部正式党员和预备党员")
        )
        self.member_button = _button(self.tr("添加党员…"))
        self.member_picker = MemberPicker(_search_members, self.tr("添加所选党员"))
        self.member_panel = _panel(self.member_picker, stretch=0)
        self._toggle(self.member_button, self.member_panel, self._open_member_search)
        self._make_table(AttendeeModel(self))
        self.status_buttons: dict[str, QPushButton] = {
            "present": _button(self.tr("标记出席")),
            "leave": _button(self.tr("标记请假")),
            "absent": _button(self.tr("标记缺席")),
        }
        self.remove_button = _button(self.tr("移除"), self.tr("从名单中移除所选人员（Delete）"))
        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: bold;")
        self.quorum_label = QLabel()
        self.quorum_label.setWordWrap(True)
        self.quorum_label.setToolTip(
            self.tr("党员大会须有半数以上有表决权的党员到会方可进行；预备党员没有表决权")
        )

        adds = QHBoxLayout()
        adds.addWidget(self.branch_button)
        adds.addWidget(self.member_button)
        adds.addStretch(1)
        marks = QHBoxLayout()
        for button in self.status_buttons.values():
            marks.addWidget(button)
        marks.addStretch(1)
        marks.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(adds)
        layout.addWidget(self.member_panel)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(marks)
        layout.addWidget(self.summary)
        layout.addWidget(self.quorum_label)

        self.branch_button.clicked.connect(self.add_branch_members)
        self.member_picker.picked.connect(self.add_members)
        for code, button in self.status_buttons.items():
            button.clicked.connect(lambda _checked=False, code=code: self.mark(code))
        self.remove_button.clicked.connect(self.remove)
        self._delete_key(self.remove)
        self.reload()

    def fetch(self) -> list[PersonRow]:
        return relations.activity_attendees(self.record_id)

    def after_reload(self, rows: list[PersonRow]) -> None:
        counts = {code: 0 for code in vocab.ATTENDEE_STATUS.codes}
        for row in rows:
            counts[row.status or ""] = counts.get(row.status or "", 0) + 1
        self.summary.setText(
            self.tr("应到 %d，出席 %d，请假 %d，缺席 %d")
            % (len(rows), counts["present"], counts["leave"], counts["absent"])
        )
        activity = self._guard(lambda: records.get("activities", self.record_id))
        if activity is None or activity.kind != "general_meeting":
            self.quorum_label.hide()
            return
        q = relations.quorum(self.record_id)
        verdict = self.tr("是") if q.quorate else self.tr("否")
        self.quorum_label.setText(
            self.tr("是否达到法定人数：%s（有表决权的正式党员 %d 人，到会 %d 人，须超过半数）")
            % (verdict, q.entitled, q.present)
        )
        self.quorum_label.setStyleSheet(f"color: {OK_COLOR if q.quorate else ERROR_COLOR};")
        self.quorum_label.show()

    def _open_member_search(self) -> None:
        self.member_picker.search_now()
        self.member_picker.search_edit.setFocus()

    def add_branch_members(self) -> None:
        self._after_add(
            self._guard(lambda: relations.add_branch_members_to_activity(self.record_id))
        )

    def add_members(self, member_ids: list[int]) -> None:
        if not member_ids:
            self.show_message(self.tr("请先在查找结果中选择党员"), error=True)
            return
        self._after_add(
            self._guard(lambda: relations.add_activity_members(self.record_id, member_ids))
        )

    def mark(self, status: str) -> None:
        ids = self._need_selection()
        if ids is None:
            return
        count = self._guard(lambda: relations.set_attendee_status(ids, status))
        if count is None:
            return
        label = vocab.ATTENDEE_STATUS.label(status)
        self.show_message(self.tr("已将所选 %d 人标记为“%s”") % (len(ids), label))
        self.reload()
        if count:
            self.changed.emit()

    def remove(self) -> None:
        self._remove(relations.remove_attendees)


# --------------------------------------------------------------------------- teams and services


class TeamMembersEditor(_RelationEditor):
    """队员 of a volunteer or commando team."""

    def __init__(self, team_id: int, parent: QWidget | None = None) -> None:
        super().__init__(team_id, parent)
        self.setWindowTitle(self.tr("队员"))
        self.member_button = _button(self.tr("添加队员…"))
        self.member_picker = MemberPicker(_search_members, self.tr("添加所选党员"))
        self.member_panel = _panel(self.member_picker, stretch=0)
        self._toggle(self.member_button, self.member_panel, self.member_picker.search_now)
        self._make_table(TeamMemberModel(self))
        self.remove_button = _button(self.tr("移除"), self.tr("移除所选队员（Delete）"))
        self.summary = QLabel()
        _simple_layout(
            self, self.member_button, self.member_panel, self.remove_button, self.summary
        )
        self.member_picker.picked.connect(self.add_members)
        self.remove_button.clicked.connect(self.remove)
        self._delete_key(self.remove)
        self.reload()

    def fetch(self) -> list[PersonRow]:
        return relations.team_members(self.record_id)

    def after_reload(self, rows: list[PersonRow]) -> None:
        self.summary.setText(self.tr("共 %d 名队员") % len(rows))

    def add_members(self, member_ids: list[int]) -> None:
        if not member_ids:
            self.show_message(self.tr("请先在查找结果中选择党员"), error=True)
            return
        self._after_add(self._guard(lambda: relations.add_team_members(self.record_id, member_ids)))

    def remove(self) -> None:
        self._remove(relations.remove_team_members)


class ParticipantsEditor(_RelationEditor):
    """参加队员 of a service; the team's own members are offered first, others are allowed."""

    def __init__(self, service_id: int, parent: QWidget | None = None) -> None:
        super().__init__(service_id, parent)
        self.setWindowTitle(self.tr("参加队员"))
        service = self._guard(lambda: records.get("services", service_id))
        self.team_id: int | None = service.team_id if service is not None else None
        self.team_button = _button(self.tr("添加全体队员"), self.tr("添加本服务队的全部队员"))
        self.member_button = _button(self.tr("添加党员…"))
        self.member_picker = MemberPicker(self._candidates, self.tr("添加所选党员"))
        self.member_panel = _panel(self.member_picker, stretch=0)
        self._toggle(self.member_button, self.member_panel, self.member_picker.search_now)
        self._make_table(ParticipantModel(self))
        self.remove_button = _button(self.tr("移除"), self.tr("移除所选人员（Delete）"))
        self.summary = QLabel()
        _simple_layout(
            self,
            self.member_button,
            self.member_panel,
            self.remove_button,
            self.summary,
            extra_buttons=(self.team_button,),
        )
        self.team_button.clicked.connect(self.add_whole_team)
        self.member_picker.picked.connect(self.add_members)
        self.remove_button.clicked.connect(self.remove)
        self._delete_key(self.remove)
        self.reload()

    def _candidates(self, text: str) -> list[tuple[int, str]]:
        return relations.member_candidates(text, limit=CANDIDATE_LIMIT, team_id=self.team_id)

    def fetch(self) -> list[PersonRow]:
        return relations.service_participants(self.record_id)

    def after_reload(self, rows: list[PersonRow]) -> None:
        outsiders = sum(1 for r in rows if r.extra)
        text = self.tr("共 %d 人参加") % len(rows)
        if outsiders:
            text += self.tr("，其中 %d 人不是本队队员") % outsiders
        self.summary.setText(text)

    def add_whole_team(self) -> None:
        if self.team_id is None:
            return
        team_id = self.team_id
        self._after_add(
            self._guard(
                lambda: relations.add_service_participants(
                    self.record_id, [r.member_id for r in relations.team_members(team_id)]
                )
            )
        )

    def add_members(self, member_ids: list[int]) -> None:
        if not member_ids:
            self.show_message(self.tr("请先在查找结果中选择党员"), error=True)
            return
        self._after_add(
            self._guard(lambda: relations.add_service_participants(self.record_id, member_ids))
        )

    def remove(self) -> None:
        self._remove(relations.remove_service_participants)


def _simple_layout(
    editor: _RelationEditor,
    add_button: QPushButton,
    panel: QWidget,
    remove_button: QPushButton,
    summary: QLabel,
    extra_buttons: Sequence[QPushButton] = (),
) -> None:
    assert editor.table is not None
    top = QHBoxLayout()
    for button in extra_buttons:
        top.addWidget(button)
    top.addWidget(add_button)
    top.addStretch(1)
    bottom = QHBoxLayout()
    bottom.addWidget(summary, 1)
    bottom.addWidget(remove_button)
    layout = QVBoxLayout(editor)
    layout.addLayout(top)
    layout.addWidget(panel)
    layout.addWidget(editor.message)
    layout.addWidget(editor.table, 1)
    layout.addLayout(bottom)


# --------------------------------------------------------------------------- branch's enterprises


class BranchEnterprisesEditor(_RelationEditor):
    """所属企业 of a branch; a joint branch over five units is warned about, not refused."""

    def __init__(self, branch_id: int, parent: QWidget | None = None) -> None:
        super().__init__(branch_id, parent)
        self.setWindowTitle(self.tr("所属企业"))
        self.add_button = _button(self.tr("添加企业…"))
        self.enterprise_picker = LinkPicker(m.Enterprise)
        self.enterprise_picker.setMinimumWidth(280)
        self.enterprise_add = _button(self.tr("添加"))
        self.enterprise_panel = _panel(
            QLabel(self.tr("企业")),
            self.enterprise_picker,
            self.enterprise_add,
            _muted(self.tr("已属其他党组织的企业将改属本党组织")),
        )
        self._toggle(self.add_button, self.enterprise_panel, self.enterprise_picker.setFocus)
        self._make_table(EnterpriseModel(self))
        self.remove_button = _button(
            self.tr("移出本党组织"), self.tr("所选企业不再属于本党组织（Delete）")
        )
        self.summary = QLabel()
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {WARN_COLOR};")
        self.warning.hide()
        _simple_layout(
            self, self.add_button, self.enterprise_panel, self.remove_button, self.summary
        )
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(self.warning)
        self.enterprise_add.clicked.connect(self.add_enterprise)
        self.remove_button.clicked.connect(self.remove)
        self._delete_key(self.remove)
        self.reload()

    def fetch(self) -> list[EnterpriseRow]:
        return relations.branch_enterprises(self.record_id)

    def after_reload(self, rows: list[EnterpriseRow]) -> None:
        members = sum(r.members for r in rows)
        self.summary.setText(self.tr("共覆盖 %d 家企业，党员 %d 名") % (len(rows), members))
        warnings = self._guard(lambda: relations.branch_warnings(self.record_id)) or []
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))

    def add_enterprise(self) -> None:
        enterprise_id = self.enterprise_picker.record_id()
        if enterprise_id is None:
            self.show_message(self.tr("请先选择企业"), error=True)
            return
        result = self._guard(lambda: relations.attach_enterprises(self.record_id, [enterprise_id]))
        if result is None:
            return
        self.enterprise_picker.set_record_id(None)
        self._after_add(result)

    def remove(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.show_message(self.tr("请先选择企业（按住 Ctrl 或 Shift 可多选）"), error=True)
            return
        count = self._guard(lambda: relations.detach_enterprises(self.record_id, ids))
        if count is None:
            return
        self.show_message(self.tr("已将 %d 家企业移出本党组织") % count)
        self.reload()
        if count:
            self.changed.emit()


# --------------------------------------------------------------------------- entry point

EDITORS: dict[str, Callable[[int, QWidget | None], QWidget]] = {
    "trainings": AttendanceEditor,
    "activities": AttendeeEditor,
    "teams": TeamMembersEditor,
    "services": ParticipantsEditor,
    "branches": BranchEnterprisesEditor,
}


def relation_editor_for(
    ledger_name: str, record_id: int, parent: QWidget | None = None
) -> QWidget | None:
    """The relations tab for a record of this ledger, or None when the ledger has none.

    Its ``windowTitle()`` is the tab's name (签到名单, 参会人员, 队员, 参加队员, 所属企业; 企业诉求's
    办理进度 is a tab of the form itself, ui.form.FORM_SECTIONS).
    """
    editor = EDITORS.get(ledger_name)
    return editor(record_id, parent) if editor is not None else None
