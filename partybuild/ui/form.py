"""The create/edit form of every ledger, generated from its description in :mod:`ledgers.spec`.

No ledger has a hand-written form: one editor per column, chosen by the column's kind, so a field
added to the spec appears here, in the table and in Excel at once. The form only collects typed
values; every rule (required, ID check character, date order, duplicates) is checked by
:mod:`partybuild.services.records`, whose Chinese messages are shown beside the fields. The
dialog saves with the version it loaded, so a concurrent edit is reported, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

import peewee as pw
from PySide6.QtCore import QDate, QDateTime, QEvent, QLocale, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QDoubleValidator, QIntValidator, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from partybuild.domain import dates, vocab
from partybuild.domain.validators import normalize_text
from partybuild.ledgers import spec
from partybuild.ledgers.display import display_value
from partybuild.ledgers.spec import Column, Ledger
from partybuild.services import lookup, records
from partybuild.services.errors import RecordNotFound, StaleRecordError, ValidationError
from partybuild.store import models as m
from partybuild.ui import unsaved
from partybuild.ui.choice_box import ChoiceBox, start_before_first

# QDateEdit cannot be empty: its minimum, shown as a blank special value, stands for "not filled".
# One day before 1900-01-01 so every date the service accepts (1900..2100) can still be entered.
EMPTY_DATE = QDate(1899, 12, 31)
MAX_DATE = QDate(2100, 12, 31)
MAX_INT = 10_000_000  # the service's range for whole numbers
MAX_FLOAT = 100_000.0  # and for hours and other decimals
# More fields than this are laid out in two columns so members (16 fields) fit 1280x800.
TWO_COLUMN_THRESHOLD = 10

#: Fields a form puts on a tab of their own after 基本信息: ledger → (tab title, field names).
#: They are fields of the same form — one 保存 writes them with the rest, none is shown twice.
FORM_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "issues": ("办理进度", ("state", "resolved_on", "measures", "evaluation")),
}
SEARCH_DELAY_MS = 150  # debounce for the link picker: one query per pause, not per keystroke
LINE_LENGTHS = {spec.ID_NUMBER: 24, spec.CREDIT_CODE: 18, spec.PHONE: 32}
ERROR_COLOR = "#c62828"
DATE_SEPARATORS = "-/.: "


def stored_values(ledger: Ledger, record: m.BaseModel) -> dict[str, Any]:
    """A record's values as the form holds them: links by raw id, without loading the target."""
    return {
        c.name: getattr(record, c.field.column_name if c.kind == spec.LINK else c.name)
        for c in ledger.columns
    }


class _WheelGuard(QObject):
    """Lets the mouse wheel scroll the form instead of changing an unfocused combo or date.

    Without it, scrolling a long form over a combo silently changes 学历 or 类别.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            event.ignore()  # ignored wheel events travel on to the scroll area
            return True
        return False


class _EmptyableDateMixin:
    """Shared by the date and date-time editors: an explicit empty state and fast typed input.

    Typing digits into the empty state starts from today with the year selected, so "20230501"
    or "2023-5-1" just works; a separator typed right after Qt moved on by itself is swallowed
    (otherwise "2023-05-01" would skip the month). Delete on a fully selected value empties it.
    """

    _auto_advanced = False
    # Sections typed since typing began on the empty editor: leaving before the day was typed
    # (“1998.11”) must not keep the day Qt took from today — DateInput.value() says so.
    _typing = False
    _typed: frozenset[Any] = frozenset()

    def _setup(self: Any, display_format: str) -> None:
        self.setCalendarPopup(True)
        self.setDisplayFormat(display_format)
        self.setMinimumDateTime(QDateTime(EMPTY_DATE, QTime(0, 0)))
        self.setMaximumDateTime(QDateTime(MAX_DATE, QTime(23, 59, 59)))
        self.setSpecialValueText(" ")
        self.setKeyboardTracking(True)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(self.tr("可直接输入，如 2023-05-01；全选后按 Delete 清空"))
        self.clear_value()

    def is_empty(self: Any) -> bool:
        return self.dateTime() <= self.minimumDateTime() or not self.lineEdit().text().strip()

    def clear_value(self: Any) -> None:
        self._typing = False
        self.setDateTime(self.minimumDateTime())

    def _given(self: Any) -> None:
        """A whole date was set (programmatically or from the calendar): nothing half-typed."""
        self._typing = False

    def keyPressEvent(self: Any, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        text = event.text()
        line = self.lineEdit()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and (
            self.is_empty() or line.selectedText() == line.text()
        ):
            self.clear_value()
            event.accept()
            return
        if text and text in DATE_SEPARATORS:
            if not self._auto_advanced:
                index = self.currentSectionIndex()
                if index + 1 < self.sectionCount():
                    self.setCurrentSectionIndex(index + 1)
                    self.setSelectedSection(self.sectionAt(index + 1))
            self._auto_advanced = False
            event.accept()
            return
        retyped = text.isdigit() and line.hasSelectedText() and line.selectedText() == line.text()
        if text.isdigit() and (self.is_empty() or retyped):
            # An empty field starts from today; a filled one retyped after Ctrl+A (or a click
            # that selected it all) starts over from its year, section by section, as if empty.
            if self.is_empty():
                self.setDateTime(QDateTime(QDate.currentDate(), QTime(0, 0)))
            self.setCurrentSection(QDateTimeEdit.Section.YearSection)
            self.setSelectedSection(QDateTimeEdit.Section.YearSection)
            self._typing, self._typed = True, frozenset()
        if self._typing and (
            text.isdigit()
            or event.key()
            in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
        ):
            self._typed = self._typed | {self.currentSection()}
        before = self.currentSection()
        super().keyPressEvent(event)  # type: ignore[misc]
        self._auto_advanced = text.isdigit() and self.currentSection() != before

    def focusNextPrevChild(self: Any, next: bool) -> bool:  # noqa: N802, A002 (Qt override)
        """Tab goes to the next field, as in Excel; QDateTimeEdit would step through sections
        (typing moves on by itself, and "-" or "/" jumps to the next section)."""
        return QWidget.focusNextPrevChild(self, next)

    def mousePressEvent(self: Any, event: Any) -> None:  # noqa: N802 (Qt override)
        super().mousePressEvent(event)  # type: ignore[misc]
        if self.is_empty() and self.calendarPopup():
            # The popup opened on the empty value would show December 1899; show this month.
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())


class DateInput(_EmptyableDateMixin, QDateEdit):
    """A date editor that can be empty (``value() is None``), for dates that need their day.

    Typing “1998.11” and leaving fills year and month while the day is still today's: that day
    was never given, so ``value()`` hands the service the text “1998.11”, which refuses it with
    its reason (只精确到月…) beside the field instead of storing a made-up day.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._setup("yyyy-MM-dd")
        self.calendarWidget().clicked.connect(lambda _day: self._given())

    def value(self) -> dt.date | str | None:
        self.interpretText()  # commit what was typed but not yet left
        if self.is_empty():
            return None
        day = self.date().toPython()
        if self._typing and QDateTimeEdit.Section.DaySection not in self._typed:
            if QDateTimeEdit.Section.MonthSection in self._typed:
                return f"{day.year}.{day.month:02d}"
            return f"{day.year}"
        return day

    def set_value(self, value: dt.date | None) -> None:
        if value is None:
            self.clear_value()
        else:
            self._given()
            self.setDate(QDate(value.year, value.month, value.day))


class PartialDateInput(QLineEdit):
    """A date of record that may be known only to the month or the year (入党日期, 成立日期).

    Typed as people write them — 2023-04-18, 20230418, 1998.11, 1998-11, 1998年11月, 1998 — or
    picked from the calendar (a day). Shown as stored: 1998.11 stays 1998.11. Text that is no
    date goes to the service as typed, which says why beside the field.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMaxLength(20)
        self.setPlaceholderText(self.tr("如 2023-04-18 或 1998.11"))
        self.setToolTip(
            self.tr(
                "可写到日（2023-04-18），只知道年月写 1998.11，只知道年份写 1998；也可从日历选择"
            )
        )
        self.calendar = QCalendarWidget()
        self.calendar.setMinimumDate(QDate(1900, 1, 1))
        self.calendar.setMaximumDate(MAX_DATE)
        self.calendar.clicked.connect(self._picked)
        self.menu = QMenu(self)
        holder = QWidgetAction(self.menu)
        holder.setDefaultWidget(self.calendar)
        self.menu.addAction(holder)
        pick = self.addAction(
            self.style().standardIcon(self.style().StandardPixmap.SP_ArrowDown),
            QLineEdit.ActionPosition.TrailingPosition,
        )
        pick.setToolTip(self.tr("从日历选择"))
        pick.triggered.connect(self.open_calendar)

    def open_calendar(self) -> None:
        current = self.value()
        if isinstance(current, dt.date):
            self.calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        self.menu.popup(self.mapToGlobal(self.rect().bottomLeft()))

    def _picked(self, day: QDate) -> None:
        self.set_value(day.toPython())
        self.menu.hide()

    def value(self) -> dt.date | str | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            return dates.parse(normalize_text(text), partial=True)
        except ValueError:
            return text  # the service refuses it with its reason beside the field

    def set_value(self, value: dt.date | None) -> None:
        self.setText("" if value is None else dates.shown(value))


class DateTimeInput(_EmptyableDateMixin, QDateTimeEdit):
    """A date-and-time editor (minutes) that can be empty (``value() is None``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._setup("yyyy-MM-dd HH:mm")

    def value(self) -> dt.datetime | None:
        self.interpretText()
        if self.is_empty():
            return None
        return self.dateTime().toPython().replace(second=0, microsecond=0)

    def set_value(self, value: dt.datetime | None) -> None:
        if value is None:
            self.clear_value()
        else:
            self.setDateTime(
                QDateTime(
                    QDate(value.year, value.month, value.day), QTime(value.hour, value.minute)
                )
            )


class LinkPicker(QComboBox):
    """Choose one record of another ledger by typing part of its name.

    Each pause in typing runs one ``LIKE`` query limited to 50 live records
    (:func:`partybuild.services.lookup.search_titles`); the matches become the combo's items and
    drop down in the completer popup. Nothing else is loaded, so it works with 50,000 members.
    Members show as "姓名（所在企业）" to tell namesakes apart.
    """

    def __init__(self, link_model: type[m.BaseModel], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link_model = link_model
        self._record_id: int | None = None
        self._title = ""
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # With a placeholder, filling an empty list does not silently select its first row.
        hint = (
            self.tr("输入姓名或身份证号查找") if link_model is m.Member else self.tr("输入名称查找")
        )
        self.setPlaceholderText(hint)
        self.lineEdit().setPlaceholderText(hint)
        self.lineEdit().setClearButtonEnabled(True)
        completer = QCompleter(self.model(), self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(15)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search)
        self.lineEdit().textEdited.connect(self._text_edited)
        self.activated.connect(self._chosen)

    # -- public ---------------------------------------------------------------------------
    def record_id(self) -> int | None:
        """The chosen record; a typed exact title counts, an ambiguous or unknown one does not."""
        text = self.currentText().strip()
        if not text:
            return None
        if self._record_id is not None and text == self._title:
            return self._record_id
        matches = [self.itemData(i) for i in range(self.count()) if self.itemText(i) == text]
        if matches:
            return matches[0] if len(matches) == 1 else None
        return lookup.resolve_title(self.link_model, text)

    def unresolved_text(self) -> str | None:
        """Text the user typed that names no single record (so saving can say so)."""
        text = self.currentText().strip()
        return text if text and self.record_id() is None else None

    def set_record_id(self, record_id: int | None) -> None:
        self._timer.stop()
        if record_id is None:
            self._record_id, self._title = None, ""
            self._fill([])
            self.lineEdit().clear()
            return
        title = lookup.title_of(self.link_model, record_id)
        self._record_id, self._title = record_id, title
        self._fill([(record_id, title)])
        self.setCurrentIndex(0)

    def search_now(self) -> None:
        """Run the pending search at once (e.g. before reading the matches)."""
        self._timer.stop()
        self._search()

    def titles(self) -> list[str]:
        """The titles currently offered."""
        return [self.itemText(i) for i in range(self.count())]

    # -- Qt -------------------------------------------------------------------------------
    def showPopup(self) -> None:  # noqa: N802 (Qt override)
        """The arrow lists the first matches (all branches of a small park), chosen one on top."""
        self._timer.stop()
        text = self.currentText().strip()
        query = "" if text == self._title else text
        results = lookup.search_titles(self.link_model, query)
        if self._record_id is not None and text == self._title:
            results = [(self._record_id, self._title)] + [
                r for r in results if r[0] != self._record_id
            ]
        self._fill(results)
        if self._record_id is not None and text == self._title:
            self.blockSignals(True)
            self.setCurrentIndex(0)
            self.blockSignals(False)
        super().showPopup()
        start_before_first(self)

    # -- internals ------------------------------------------------------------------------
    def _text_edited(self, text: str) -> None:
        if not text.strip():
            self._timer.stop()
            self._record_id, self._title = None, ""
            self._fill([])
            return
        self._timer.start()

    def _search(self) -> None:
        text = self.currentText().strip()
        if not text or text in self.titles():
            return  # an item was highlighted or chosen: its full title is no new search
        self._fill(lookup.search_titles(self.link_model, text))
        if self.count() and self.lineEdit().hasFocus():
            self.completer().complete()

    def _fill(self, results: list[tuple[int, str]]) -> None:
        """Replace the offered records while keeping what the user is typing."""
        line = self.lineEdit()
        text, cursor = line.text(), line.cursorPosition()
        self.blockSignals(True)
        try:
            self.clear()
            for record_id, title in results:
                self.addItem(title, record_id)
            self.setCurrentIndex(-1)
        finally:
            self.blockSignals(False)
        if line.text() != text:
            line.setText(text)
            line.setCursorPosition(cursor)

    def _chosen(self, index: int) -> None:
        if index < 0:
            return
        self._record_id = self.itemData(index)
        self._title = self.itemText(index)


class RecordForm(QWidget):
    """One editor per ledger column, each with its label and an error line beneath it."""

    def __init__(self, ledger: Ledger, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self._editors: dict[str, QWidget] = {}
        self._labels: dict[str, QLabel] = {}
        self._error_labels: dict[str, QLabel] = {}
        self._wheel_guard = _WheelGuard(self)
        self._c_locale = QLocale.c()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(8)
        self.general_error = QLabel()
        self.general_error.setWordWrap(True)
        self.general_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.general_error.setStyleSheet(
            f"QLabel {{ color: {ERROR_COLOR}; background: #fdecea; border: 1px solid #f5c2c0;"
            " border-radius: 3px; padding: 6px; }"
        )
        self.general_error.hide()
        outer.addWidget(self.general_error)

        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(2)
        outer.addLayout(self._grid)
        outer.addStretch(1)
        # A section (办理进度 of 企业诉求) is a widget of its own that the dialog puts on a tab.
        self.section_title, section_fields = FORM_SECTIONS.get(ledger.name, ("", ()))
        main = [c for c in ledger.columns if c.name not in section_fields]
        in_section = [c for c in ledger.columns if c.name in section_fields]
        self.section: QWidget | None = None
        self.section_note = QLabel()
        self.section_note.setObjectName("section_note")
        self.section_note.setWordWrap(True)
        self.section_note.hide()
        self.two_columns = len(main) > TWO_COLUMN_THRESHOLD
        self._build(self._grid, main, self.two_columns)
        if in_section:
            self.section = QWidget()
            self.section.setObjectName("form_section")
            section_layout = QVBoxLayout(self.section)
            section_layout.setContentsMargins(12, 8, 12, 8)
            section_layout.setSpacing(8)
            section_layout.addWidget(self.section_note)
            section_grid = QGridLayout()
            section_grid.setHorizontalSpacing(8)
            section_grid.setVerticalSpacing(2)
            section_layout.addLayout(section_grid)
            section_layout.addStretch(1)
            self._build(section_grid, in_section, False)
        else:
            self.chain_tab_order()  # with a section, the dialog does it once the tab is placed
        self.set_defaults()
        self._follow_enterprise()
        if ledger.name == "dues":  # 比例 and 应交 follow 缴费类别 and 缴费基数
            from partybuild.ui.dues_page import attach_calculator

            attach_calculator(self)

    def _follow_enterprise(self) -> None:
        """Choosing 所在企业 fills an empty 所属党组织 with the enterprise's (members)."""
        enterprise, branch = self._editors.get("enterprise"), self._editors.get("branch")
        if not isinstance(enterprise, LinkPicker) or not isinstance(branch, LinkPicker):
            return
        if enterprise.link_model is not m.Enterprise or branch.link_model is not m.Branch:
            return

        def fill_branch(*_args: object) -> None:
            chosen = enterprise.record_id()
            if chosen is None or branch.currentText().strip():
                return
            branch_id = lookup.branch_of_enterprise(chosen)
            if branch_id is not None:
                branch.set_record_id(branch_id)

        enterprise.activated.connect(fill_branch)
        enterprise.lineEdit().editingFinished.connect(fill_branch)

    # -- building -------------------------------------------------------------------------
    def _build(self, grid: QGridLayout, columns: list[Column], two_columns: bool) -> None:
        """Place fields row by row: two per row in two-column mode, long texts on a full row."""
        row, slot = 0, 0
        headings = dict(self.ledger.sections)
        for column in columns:
            if column.name in headings:  # a heading on a row of its own (发展党员's stages)
                if slot == 1:
                    row, slot = row + 2, 0
                heading = QLabel(self.tr(headings[column.name]))
                heading.setObjectName(f"section_{column.name}")
                heading.setStyleSheet("font-weight: bold; color: #a93226; padding-top: 6px;")
                grid.addWidget(heading, row, 0, 1, 5 if two_columns else 2)
                row += 1
            editor = self._make_editor(column)
            editor.setObjectName(f"field_{column.name}")
            editor.setAccessibleName(column.label)
            self._editors[column.name] = editor
            label = self._make_label(column, editor)
            error = QLabel()
            error.setObjectName(f"error_{column.name}")
            error.setWordWrap(True)
            error.setStyleSheet(f"color: {ERROR_COLOR}; font-size: 9pt;")
            error.hide()
            self._labels[column.name] = label
            self._error_labels[column.name] = error

            wide = column.kind == spec.LONGTEXT and two_columns
            if wide and slot == 1:
                row, slot = row + 2, 0
            base = 3 * slot
            label_align = Qt.AlignmentFlag.AlignRight | (
                Qt.AlignmentFlag.AlignTop
                if column.kind == spec.LONGTEXT
                else Qt.AlignmentFlag.AlignVCenter
            )
            grid.addWidget(label, row, base, label_align)
            span = 4 if wide else 1
            if self._is_compact(column):
                grid.addWidget(editor, row, base + 1, 1, span, Qt.AlignmentFlag.AlignLeft)
            else:
                grid.addWidget(editor, row, base + 1, 1, span)
            grid.addWidget(error, row + 1, base + 1, 1, span)
            if two_columns and not wide and slot == 0:
                slot = 1
            else:
                row, slot = row + 2, 0
        if two_columns:
            grid.setColumnMinimumWidth(2, 16)  # gutter between the two columns
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(4, 1)
        else:
            grid.setColumnStretch(1, 1)

    @staticmethod
    def _is_compact(column: Column) -> bool:
        return column.kind in (
            spec.DATE,
            spec.PARTIAL_DATE,
            spec.DATETIME,
            spec.INT,
            spec.FLOAT,
            spec.MONEY,
            spec.RATE,
            spec.BOOL,
        )

    def _make_label(self, column: Column, editor: QWidget) -> QLabel:
        text = html.escape(column.label)
        if column.required:
            text = f'<span style="color:{ERROR_COLOR};">*</span>&nbsp;{text}'
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setBuddy(editor)
        label.setObjectName(f"label_{column.name}")
        if column.required:
            label.setToolTip(self.tr("必填"))
            hint = editor.toolTip()
            editor.setToolTip(self.tr("必填") + (f"；{hint}" if hint else ""))
            editor.setAccessibleDescription(self.tr("必填"))
        return label

    def _make_editor(self, column: Column) -> QWidget:
        kind = column.kind
        if kind == spec.LONGTEXT:
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)  # Tab moves on, as in every other field
            line = text.fontMetrics().lineSpacing()
            text.setFixedHeight(line * 3 + 14)
            return text
        if kind == spec.BOOL:
            return QCheckBox()
        if kind == spec.DATE:
            editor: QWidget = DateInput()
        elif kind == spec.PARTIAL_DATE:
            partial = PartialDateInput()
            partial.setFixedWidth(150)
            return partial
        elif kind == spec.DATETIME:
            editor = DateTimeInput()
        elif kind == spec.CHOICE:
            editor = self._make_choice(column)
        elif kind == spec.LINK:
            assert column.link_model is not None
            editor = LinkPicker(column.link_model)
        elif kind == spec.INT:
            editor = QLineEdit()
            validator = QIntValidator(0, MAX_INT, editor)
            validator.setLocale(self._c_locale)
            editor.setValidator(validator)
            editor.setAlignment(Qt.AlignmentFlag.AlignRight)
            editor.setFixedWidth(140)
            return editor
        elif kind in (spec.MONEY, spec.RATE):
            # Text, read by the service's rule (76.50, 1,200 元; 1.5% or 0.015): exact decimals.
            editor = QLineEdit()
            editor.setAlignment(Qt.AlignmentFlag.AlignRight)
            editor.setFixedWidth(140)
            editor.setMaxLength(20)
            return editor
        elif kind == spec.FLOAT:
            editor = QLineEdit()
            validator = QDoubleValidator(0.0, MAX_FLOAT, 2, editor)
            validator.setNotation(QDoubleValidator.Notation.StandardNotation)
            validator.setLocale(self._c_locale)
            editor.setValidator(validator)
            editor.setAlignment(Qt.AlignmentFlag.AlignRight)
            editor.setFixedWidth(140)
            return editor
        else:  # text, id_number, credit_code, phone
            editor = QLineEdit()
            editor.setMaxLength(LINE_LENGTHS.get(kind) or column.max_length or records.MAX_TEXT)
            suggestions = vocab.SUGGESTIONS.get((self.ledger.name, column.name))
            if suggestions is not None and suggestions.labels:  # the park's list (查看 → 选项词表)
                completer = QCompleter(list(suggestions.labels), editor)
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                editor.setCompleter(completer)
            return editor
        editor.installEventFilter(self._wheel_guard)
        if isinstance(editor, (DateInput, DateTimeInput)):
            editor.setMinimumWidth(150 if kind == spec.DATE else 190)
        return editor

    def _make_choice(self, column: Column) -> QComboBox:
        assert column.vocabulary is not None
        # No empty row when required, but nothing preselected either: the service says "必填".
        # Any spelling of a value may be typed (本科 + Enter → 大学本科): see ui/choice_box.py.
        placeholder = self.tr("请选择或输入") if column.required else ""
        return ChoiceBox(column.vocabulary, required=column.required, placeholder=placeholder)

    def chain_tab_order(self) -> None:
        editors = list(self._editors.values())
        for first, second in zip(editors, editors[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- access ---------------------------------------------------------------------------
    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    def label(self, name: str) -> QLabel:
        return self._labels[name]

    def error_label(self, name: str) -> QLabel:
        return self._error_labels[name]

    def editors(self) -> list[QWidget]:
        """Editors in layout (and tab) order: 基本信息 first, then the section's."""
        return list(self._editors.values())

    def in_section(self, name: str) -> bool:
        """The field is on the section's tab (办理进度), not on 基本信息."""
        return self.section is not None and self.section.isAncestorOf(self._editors[name])

    # -- values ---------------------------------------------------------------------------
    def values(self) -> dict[str, object]:
        """Typed values for :func:`records.create` / :func:`records.update`.

        Text that cannot be read as its type (a picker naming no single record, a number the
        validator let through half-typed) is passed on as text, so the service refuses it with a
        message beside the field instead of the form dropping it silently.
        """
        return {column.name: self._value(column) for column in self.ledger.columns}

    def _value(self, column: Column) -> object:
        editor = self._editors[column.name]
        kind = column.kind
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText() or None
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, (DateInput, DateTimeInput, PartialDateInput)):
            return editor.value()
        if isinstance(editor, LinkPicker):
            record_id = editor.record_id()
            return record_id if record_id is not None else editor.unresolved_text()
        if isinstance(editor, ChoiceBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData() if editor.currentIndex() >= 0 else None
        assert isinstance(editor, QLineEdit)
        text = editor.text().strip()
        if not text:
            return None
        if kind == spec.INT:
            number, ok = self._c_locale.toInt(text)
            return number if ok else text
        if kind == spec.FLOAT:
            try:
                return float(text)
            except ValueError:
                return text
        if kind in (spec.MONEY, spec.RATE):  # exact decimals; what cannot be read goes as typed
            try:
                return records.clean_value(text, column)
            except ValueError:
                return text
        return editor.text()

    def set_defaults(self) -> None:
        """Show the model's defaults (类别 正式党员, 状态 正常 …) in a new form."""
        for column in self.ledger.columns:
            default = column.field.default
            if default is not None and not callable(default):
                self.set_value(column.name, default)

    def set_values(self, record: m.BaseModel | Mapping[str, Any]) -> None:
        """Load a stored record (links by their raw id) or a mapping of column name → value."""
        if not isinstance(record, Mapping):
            record = stored_values(self.ledger, record)
        for column in self.ledger.columns:
            value = record.get(column.name)
            if isinstance(value, pw.Model):
                value = value.id
            self.set_value(column.name, value)

    def set_value(self, name: str, value: Any) -> None:
        column = self.ledger.column(name)
        editor = self._editors[name]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText("" if value is None else str(value))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, (DateInput, DateTimeInput, PartialDateInput)):
            editor.set_value(value)
        elif isinstance(editor, LinkPicker):
            editor.set_record_id(value)
        elif isinstance(editor, ChoiceBox):
            editor.set_value(value)
        elif isinstance(editor, QComboBox):
            index = editor.findData(value) if value is not None else -1
            if index < 0 and not column.required:
                index = 0
            editor.setCurrentIndex(index)
        elif isinstance(editor, QLineEdit):
            if value is None:
                editor.clear()
            elif column.kind == spec.FLOAT:
                editor.setText(f"{value:g}")
            elif column.kind in (spec.MONEY, spec.RATE):
                editor.setText(display_value(column, value))
            else:
                editor.setText(str(value))

    # -- errors ---------------------------------------------------------------------------
    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show the service's messages beside their fields, the rest at the top."""
        self.clear_errors()
        general: list[str] = []
        in_fields = 0
        for name, message in errors.items():
            label = self._error_labels.get(name)
            if label is None:
                general.append(message if name == "__all__" else f"{name}：{message}")
                continue
            label.setText(message)
            label.show()
            self._labels[name].setStyleSheet(f"color: {ERROR_COLOR};")
            in_fields += 1
        if in_fields and not general:
            general.append(self.tr("有 %d 处需要修改，见标红的字段") % in_fields)
        if general:
            self.general_error.setText("；".join(general))
            self.general_error.show()

    def clear_errors(self) -> None:
        self.general_error.clear()
        self.general_error.hide()
        for name, label in self._error_labels.items():
            label.clear()
            label.hide()
            self._labels[name].setStyleSheet("")

    def first_error(self, errors: Mapping[str, str]) -> str | None:
        """The first field in layout order that has an error."""
        return next((c.name for c in self.ledger.columns if c.name in errors), None)


class RecordDialog(QDialog):
    """Create or edit one record; open it with ``open()`` and listen to ``saved``."""

    saved = Signal(int)

    def __init__(
        self, ledger: Ledger, record_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.record_id = record_id
        self.version: int | None = None
        self._loaded: dict[str, object] = {}  # the form's values as loaded, to tell user edits
        # Raises RecordNotFound before any widget shows when the record has gone meanwhile.
        record = records.get(ledger, record_id) if record_id is not None else None

        self.form = RecordForm(ledger)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self._make_stale_bar())

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.form)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)  # a lone 基本信息 tab needs no tab bar
        self.tabs.addTab(self.scroll, self.tr("基本信息"))
        self.section_scroll: QScrollArea | None = None
        if self.form.section is not None:
            self.section_scroll = QScrollArea()
            self.section_scroll.setWidgetResizable(True)
            self.section_scroll.setFrameShape(QFrame.Shape.NoFrame)
            self.section_scroll.setWidget(self.form.section)
            self.tabs.addTab(self.section_scroll, self.tr(self.form.section_title))
            self.form.chain_tab_order()  # 基本信息's fields, then 办理进度's, then 保存
        layout.addWidget(self.tabs, 1)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            self.tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton(
            self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.setToolTip(self.tr("保存（Ctrl+S）"))
        self.cancel_button.setToolTip(self.tr("取消（Esc），不保存修改"))
        self.save_button.setDefault(True)
        # Connected to the buttons, not to accepted/rejected: saving may fail and keep us open.
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        # The only Ctrl+S binding (a second one on the button would make the key ambiguous).
        self.save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self.save_shortcut.activated.connect(self.save)

        editors = self.form.editors()
        if editors:
            QWidget.setTabOrder(editors[-1], self.save_button)
        QWidget.setTabOrder(self.save_button, self.cancel_button)

        if record is not None:
            self._load(record)
            self._add_relation_tab()
        else:
            self.setWindowTitle(self.tr("新建%s") % ledger.label)
            self._loaded = self.form.values()  # the defaults: closing unchanged asks nothing
        self._size_to_form()
        if editors:
            editors[0].setFocus()

    # -- building -------------------------------------------------------------------------
    def _make_stale_bar(self) -> QFrame:
        """An inline bar, not a message box: the user's edits stay visible while they decide."""
        bar = QFrame()
        bar.setObjectName("staleBar")
        bar.setStyleSheet(
            "QFrame#staleBar { background: #fff4d6; border: 1px solid #e6c36a; border-radius: 3px; }"
        )
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 6, 8, 6)
        self.stale_label = QLabel()
        self.stale_label.setWordWrap(True)
        self.stale_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.reload_button = QPushButton(self.tr("重新载入"))
        self.reload_button.setToolTip(self.tr("放弃本次修改，载入他人保存的最新内容"))
        self.reload_button.setAutoDefault(False)
        self.reload_button.clicked.connect(self.reload)
        row.addWidget(self.stale_label, 1)
        row.addWidget(self.reload_button)
        bar.hide()
        self.stale_bar = bar
        return bar

    def _add_relation_tab(self) -> None:
        """The relations tab (attendees, team members …) comes from ui.relations when present."""
        try:
            from partybuild.ui.relations import relation_editor_for
        except ImportError as exc:
            if exc.name in ("partybuild.ui.relations",):
                return  # not written yet: the form alone is still useful
            raise
        assert self.record_id is not None
        widget = relation_editor_for(self.ledger.name, self.record_id, self)
        if isinstance(widget, QWidget):
            self.relation_tab = widget
            self.tabs.addTab(widget, widget.windowTitle() or self.tr("关联信息"))
            saved = getattr(widget, "saved", None)
            if saved is not None:  # e.g. 办理进度 saves fields of this very record
                saved.connect(self._relation_saved)
        self._add_attachment_tab()

    def _add_attachment_tab(self) -> None:
        """附件 (ui.attachments) on the records that take attachments; once per dialog."""
        from partybuild.ui.attachments import attachment_tab_for

        if getattr(self, "attachment_tab", None) is not None or self.record_id is None:
            return
        tab = attachment_tab_for(self.ledger.name, self.record_id, self)
        if tab is None:
            return
        self.attachment_tab = tab
        self.tabs.addTab(tab, tab.windowTitle())
        tab.windowTitleChanged.connect(
            lambda text: self.tabs.setTabText(self.tabs.indexOf(tab), text)
        )
        # A signed sheet added or binned: the 签到名单 says whether one is attached.
        tab.changed.connect(
            lambda: getattr(self, "relation_tab", None) and self.relation_tab.reload()
        )

    def _size_to_form(self) -> None:
        """As large as the form wants, within a 1280x800 screen; the scroll area does the rest."""
        hint = self.form.sizeHint()
        width = max(hint.width() + 48, 900 if self.form.two_columns else 560)
        height = hint.height() + 130
        for index in range(1, self.tabs.count()):  # a relations tab may want more room
            if self.tabs.widget(index) is self.section_scroll:
                assert self.form.section is not None
                height = max(height, self.form.section.sizeHint().height() + 130)
                continue
            tab = self.tabs.widget(index).sizeHint()
            # Sign-in lists and member lists read as tables: room for their columns and rows.
            width = max(width, tab.width() + 40, 1000)
            height = max(height, tab.height() + 130, 660)
        self.resize(min(width, 1180), min(height, 740))

    def _grow_to_form(self) -> None:
        """Error lines make the form taller: grow with it, up to the screen's available height
        (and move up if the bottom would leave the screen), so 备注 is not cut off behind an
        inner scrollbar while there is room."""
        self.form.layout().activate()
        wanted = self.form.sizeHint().height() - self.scroll.viewport().height()
        if wanted <= 0:
            return
        screen = self.screen().availableGeometry()
        frame = self.frameGeometry().height() - self.geometry().height()
        height = min(self.height() + wanted, screen.height() - frame)
        if height <= self.height():
            return
        self.resize(self.width(), height)
        top = min(self.frameGeometry().top(), screen.bottom() + 1 - height - frame)
        self.move(self.frameGeometry().left(), max(screen.top(), top))

    # -- loading and saving ---------------------------------------------------------------
    def _load(self, record: m.BaseModel) -> None:
        self.form.set_values(record)
        if self.ledger.name == "issues":
            self._show_deadline(record)  # type: ignore[arg-type]
        self.version = record.version
        self._loaded = self.form.values()
        title = self.ledger.title(record)
        if len(title) > 30:
            title = title[:29] + "…"
        self.setWindowTitle(self.tr("编辑%s：%s") % (self.ledger.label, title))

    def _show_deadline(self, issue: m.EnterpriseIssue) -> None:
        """办理进度 opens with where the problem stands: 距办结时限 n 天 / 已超期 n 天 / 用时 n 天
        (the one rule of domain.overdue, as the table's 超期 column and colour)."""
        from partybuild.services import relations

        text = relations.deadline_text(issue)
        if issue.deadline is not None:
            text = self.tr("办结时限 %s　%s") % (f"{issue.deadline:%Y-%m-%d}", text)
        late = not issue.closed and issue.overdue()
        note = self.form.section_note
        note.setText(text)
        note.setStyleSheet(f"font-weight: bold; color: {ERROR_COLOR if late else 'palette(text)'};")
        note.show()

    def save(self) -> None:
        """Write the form; on refusal show why and stay open with everything the user typed."""
        self.form.clear_errors()
        data = self.form.values()
        try:
            if self.record_id is None:
                record = records.create(self.ledger, data)
            else:
                assert self.version is not None
                record = records.update(
                    self.ledger, self.record_id, data, expected_version=self.version
                )
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            self._grow_to_form()
            self._focus_field(self.form.first_error(exc.errors))
            return
        except StaleRecordError as exc:
            self.show_stale(str(exc), can_reload=exc.current_version is not None)
            return
        except pw.DatabaseError as exc:
            # A locked or vanished database: keep the dialog and the user's input.
            self.form.show_errors({"__all__": self.tr("保存失败，数据未写入：%s") % exc})
            self._grow_to_form()
            return
        created = self.record_id is None
        self.record_id = record.id
        self.version = record.version
        self.stale_bar.hide()
        self.saved.emit(record.id)
        if created and self.ledger.name in self.LIST_AFTER_CREATE:
            self._continue_with_list(record)
            return
        self.accept()

    #: Ledgers whose new record is followed by its list at once: a new training's 签到名单
    #: opens in the same dialog after the first save, without closing and reopening it.
    LIST_AFTER_CREATE = frozenset({"trainings"})

    def _continue_with_list(self, record: m.BaseModel) -> None:
        self._load(record)
        self._add_relation_tab()
        tab = getattr(self, "relation_tab", None)
        if tab is None:
            self.accept()
            return
        self._size_to_form()
        self.tabs.setCurrentWidget(tab)
        show = getattr(tab, "show_message", None)
        if show is not None:
            show(self.tr("已保存。现在可以添加%s。") % tab.windowTitle())

    # -- leaving ---------------------------------------------------------------------------
    def form_changed(self) -> bool:
        """The fields differ from what was loaded (or, for a new record, from the defaults)."""
        return self.form.values() != self._loaded

    def has_unsaved_changes(self) -> bool:
        """Typing that closing would lose: in the fields, or in the relations tab's inputs."""
        return self.form_changed() or self._tab_changed()

    def _tab_changed(self) -> bool:
        check = getattr(getattr(self, "relation_tab", None), "has_unsaved_changes", None)
        return bool(check is not None and check())

    def reject(self) -> None:
        """Esc, 取消 and the window's close button: ask first if typing would be lost."""
        self.leave()

    def leave(self) -> bool:
        """Close unless the user wants to keep editing; True if the dialog has closed."""
        if not self.isVisible() or not self.has_unsaved_changes():
            super().reject()
            return True
        choice = unsaved.ask_unsaved(self, self.windowTitle())
        if choice == unsaved.DISCARD:
            super().reject()
            return True
        if choice == unsaved.SAVE:
            self.save_all()
            return not self.isVisible()
        return False

    def save_all(self) -> None:
        """保存 from the question: the relations tab's pending input, then the record; closes on
        success, stays open with the messages (and everything typed) otherwise."""
        if self._tab_changed():
            tab = self.relation_tab
            tab.save_unsaved()
            if tab.has_unsaved_changes():
                self.tabs.setCurrentWidget(tab)
                return
            if not self.form_changed():
                assert self.record_id is not None
                self.saved.emit(self.record_id)
                self.accept()
                return
        self.save()

    def show_stale(self, message: str, *, can_reload: bool = True) -> None:
        self.stale_label.setText(message)
        self.reload_button.setVisible(can_reload)
        self.stale_bar.show()

    def reload(self) -> None:
        """Discard the user's edits and load what is stored now (the new version)."""
        if self.record_id is None:
            return
        try:
            record = records.get(self.ledger, self.record_id)
        except RecordNotFound as exc:
            self.show_stale(str(exc), can_reload=False)
            return
        self.form.clear_errors()
        self._load(record)
        self.stale_bar.hide()

    def _relation_saved(self, version: int) -> None:
        """A tab saved this record too: take its new version over instead of calling it a clash.

        Fields the user has not touched here take the stored values; a field changed both here
        and there is a real conflict and gets the stale bar, so nothing is silently overwritten.
        """
        if self.record_id is None or version == self.version:
            return
        try:
            record = records.get(self.ledger, self.record_id)
        except RecordNotFound as exc:
            self.show_stale(str(exc), can_reload=False)
            return
        stored = stored_values(self.ledger, record)
        current = self.form.values()
        edited = {name for name, value in current.items() if value != self._loaded[name]}
        changed = {name for name, value in stored.items() if value != self._loaded[name]}
        clash = [n for n in stored if n in edited & changed and current[n] != stored[n]]
        if clash:
            labels = "、".join(self.ledger.column(n).label for n in clash)
            self.show_stale(
                self.tr("“%s”已在其他页签保存为新的内容，与本页的修改冲突；请重新载入后再改")
                % labels
            )
            return
        for name in changed - edited:
            self.form.set_value(name, stored[name])
        self._loaded.update({name: stored[name] for name in changed})
        self.version = record.version

    def _focus_field(self, name: str | None) -> None:
        if name is None:
            return
        editor = self.form.editor(name)
        if self.section_scroll is not None and self.form.in_section(name):
            self.tabs.setCurrentWidget(self.section_scroll)
            self.section_scroll.ensureWidgetVisible(editor)
        else:
            self.tabs.setCurrentWidget(self.scroll)
            self.scroll.ensureWidgetVisible(editor)
        editor.setFocus(Qt.FocusReason.OtherFocusReason)
