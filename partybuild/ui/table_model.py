"""The table model of a ledger page: rows paged in from SQL as the view scrolls.

The model is fed by :class:`partybuild.services.query.LedgerQuery`; it never queries on its own
terms. Sorting and filtering rebuild the query (SQL does the work) and reset the model; the view
reads the page of the rows it shows, wherever they are. ID numbers and phone numbers are masked here: the full value
is shown only in the form (privacy on a shared screen).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor

from partybuild.ledgers import spec
from partybuild.ledgers.display import display_value
from partybuild.ledgers.spec import Column, Ledger
from partybuild.services.query import PAGE_SIZE, Filters, LedgerQuery, Row, attachment_counts

_Index = QModelIndex | QPersistentModelIndex


OVERDUE_BACKGROUND = "#fde2e1"
OVERDUE_FOREGROUND = "#a61b1b"


def _overdue_days(ledger_name: str) -> dict[int, int]:
    """Issue id → days past 办结时限 today, by the one rule of ``compliance.overdue_issues``."""
    if ledger_name != "issues":
        return {}
    from partybuild.services import compliance

    return {i.id: i.days_overdue for i in compliance.overdue_issues(dt.date.today())}


@dataclass(frozen=True)
class ComputedColumn:
    """A table column worked out from the row, not stored: 企业诉求's 超期 (days past 办结时限).

    It has what the page reads of a column (name, label, width, kind); sorting by it sorts by
    ``sort_by`` in SQL (services.query: 超期 ascending puts the longest overdue first).
    """

    name: str
    label: str
    width: int
    after: str
    sort_by: str
    kind: str = spec.TEXT


#: Computed columns per ledger, each shown right after the stored column it follows (超期 beside
#: 企业, where the eye starts: a wide ledger's 办结时限 is off to the right at 1440 pixels).
COMPUTED_COLUMNS: dict[str, tuple[ComputedColumn, ...]] = {
    "issues": (ComputedColumn("overdue", "超期", 7, after="enterprise", sort_by="overdue"),),
}


def _table_columns(ledger: Ledger) -> tuple[tuple[Column | ComputedColumn, ...], list[int | None]]:
    """The table's columns and, for each, its index in a row's stored values (None: computed)."""
    computed = COMPUTED_COLUMNS.get(ledger.name, ())
    columns: list[Column | ComputedColumn] = []
    positions: list[int | None] = []
    for i, column in enumerate(ledger.columns):
        columns.append(column)
        positions.append(i)
        for extra in computed:
            if extra.after == column.name:
                columns.append(extra)
                positions.append(None)
    return tuple(columns), positions


# 党费 rows by their state (services.dues.state_of): background and what the tooltip says.
DUES_STATE_LOOK = {
    "unpaid": ("#fde2e1", "未交"),
    "short": ("#fff3cd", "少交：实交少于应交"),
    "late": ("#e3f0fb", "补交：交纳日期晚于所属月份"),
}


def _dues_state(ledger: Ledger) -> Any:
    """For the 党费 ledger, a function row values → state code (None for other ledgers)."""
    if ledger.name != "dues":
        return None
    from partybuild.services import dues

    at = {c.name: i for i, c in enumerate(ledger.columns)}

    def state(values: list[Any]) -> str:
        return dues.state_of(
            values[at["due"]],
            values[at["paid"]],
            values[at["paid_on"]],
            values[at["month"]],
            values[at["until"]],
        )

    return state


#: Pages with a 附件 column: how many files each record has (plain SQL: no Pillow to load).
ATTACHMENT_COUNT_LEDGERS = frozenset({"activities", "trainings", "services", "issues"})


def _attachment_counts(ledger_name: str, rows: list[Row]) -> dict[int, int]:
    if ledger_name not in ATTACHMENT_COUNT_LEDGERS or not rows:
        return {}
    return attachment_counts(ledger_name, [row.id for row in rows])


_ROLE = Qt.ItemDataRole
#: The roles :meth:`LedgerTableModel.data` answers, and those of them that colour a row.
_ANSWERED = frozenset(
    {
        _ROLE.DisplayRole,
        _ROLE.ToolTipRole,
        _ROLE.TextAlignmentRole,
        _ROLE.BackgroundRole,
        _ROLE.ForegroundRole,
    }
)
_COLOURS = frozenset({_ROLE.BackgroundRole, _ROLE.ForegroundRole})


class LedgerTableModel(QAbstractTableModel):
    """Rows of one ledger under the current filters and sort, as a window onto SQL.

    ``rowCount`` is every matching row; a row's page (PAGE_SIZE rows) is read when the view first
    asks for it, so scrolling to row 150,000 reads that page only, as the first page is read.
    At most ``KEEP_PAGES`` pages stay in memory. Counts are kept per filter until the data is
    reloaded, so typing back to an earlier search does not count again.

    A search shows its first page before it is counted: a page with room to spare is every match
    (counted by the same walk); a full page is shown at once with ``counting`` true and the rows
    read so far as ``rowCount``, and the count follows as soon as the event loop is free (the
    rows are on screen by then), when the rest of the rows are added and ``total_settled`` is
    emitted. Reading :attr:`total` settles the count at once: it is always the exact figure.
    """

    KEEP_PAGES = 40

    #: The count of a search shown before it was counted is known now (``counting`` is false).
    total_settled = Signal()

    def __init__(self, ledger: Ledger, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.columns, self._positions = _table_columns(ledger)
        self._filters = Filters()
        self._sort: tuple[str | None, bool] = (None, False)
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._counts: dict[Filters, int] = {}
        self._total = 0
        self._counted = ledger.name in ATTACHMENT_COUNT_LEDGERS  # a trailing 附件 column
        self._attached: dict[int, int] = {}  # record id → attachments, for the pages read
        self._query = LedgerQuery(ledger)
        self._dues_state = _dues_state(ledger)
        self._counting = False  # rows shown, count not known yet (a search's full first page)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self.settle)
        self.reload()

    # -- feeding ------------------------------------------------------------------------
    def reload(self) -> None:
        """Run the query again from the first page (after edits here or elsewhere)."""
        self._counts.clear()
        self._requery()

    def _requery(self) -> None:
        self.beginResetModel()
        self._count_timer.stop()
        self._counting = False
        self._query = LedgerQuery(self.ledger, self._filters, *self._sort)
        self._pages.clear()
        self._attached = {}
        total = self._counts.get(self._filters)
        if total is None and self._filters.search.strip():
            # A search: its first page first. Counting a one- or two-character word reads the
            # whole search index (as long as a walk that finds fewer than a page of matches).
            first, total = self._query.first_rows(PAGE_SIZE)
            self._pages[0] = first
            self._attached.update(_attachment_counts(self.ledger.name, first))
            if total is None:
                total = len(first)
                self._counting = True
                self._count_timer.start()
            else:
                self._counts[self._filters] = total
        elif total is None:
            total = self._counts[self._filters] = self._query.count()
        self._total = total
        self._page(0)
        self._overdue = _overdue_days(self.ledger.name)
        self.endResetModel()

    @property
    def counting(self) -> bool:
        """Rows are shown but their count is not known yet: ``rowCount`` is the rows read."""
        return self._counting

    def settle(self) -> None:
        """Count the rows shown before their count, and add the rest (no-op once counted)."""
        if not self._counting:
            return
        self._count_timer.stop()
        self._counting = False
        total = self._counts[self._filters] = self._query.count()
        if total > self._total:
            self.beginInsertRows(QModelIndex(), self._total, total - 1)
            self._total = total
            self.endInsertRows()
        elif total < self._total:  # written to in between (another user): read again
            self.beginResetModel()
            self._total = total
            self._pages.clear()
            self._attached = {}
            self.endResetModel()
        self.total_settled.emit()

    def set_filters(self, filters: Filters) -> None:
        self._filters = filters
        self._requery()

    @property
    def filters(self) -> Filters:
        return self._filters

    @property
    def total(self) -> int:
        """Rows matching the filters: the exact count (settled now if it was still to come)."""
        self.settle()
        return self._total

    def _page(self, number: int) -> list[Row]:
        page = self._pages.get(number)
        if page is None:
            page = self._query.rows(number * PAGE_SIZE, PAGE_SIZE, self._total)
            self._pages[number] = page
            self._attached.update(_attachment_counts(self.ledger.name, page))
            while len(self._pages) > self.KEEP_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page

    def _row(self, row: int) -> Row | None:
        if not 0 <= row < self._total:
            return None
        page = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def rows_read(self) -> int:
        """Rows held in memory now (the pages read and kept)."""
        return sum(len(page) for page in self._pages.values())

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return False  # every row is there already; its page is read when it is shown

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        chosen = self.columns[column]
        name = chosen.sort_by if isinstance(chosen, ComputedColumn) else chosen.name
        sort = (name, order == Qt.SortOrder.DescendingOrder)
        if sort != self._sort:  # the view asks again for the order it has (header restore)
            self._sort = sort
            self._requery()

    # -- reading ------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns) + (1 if self._counted else 0)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks seven roles of every cell it paints; the table answers four, and the
        # colours only where a row can be coloured (企业诉求, 党费): the rest need no row.
        if role not in _ANSWERED or (
            role in _COLOURS and not self._overdue and self._dues_state is None
        ):
            return None
        row = self._row(index.row()) if index.isValid() else None
        if row is None:
            return None
        if index.column() >= len(self.columns):
            return self._count_data(row, role)
        column = self.columns[index.column()]
        days = self._overdue.get(row.id) if self._overdue else None
        if isinstance(column, ComputedColumn):  # 超期: the days past 办结时限, as the colour says
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{days} 天" if days is not None else ""
            if role == Qt.ItemDataRole.ForegroundRole and days is not None:
                return QColor(OVERDUE_FOREGROUND)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        position = self._positions[index.column()]
        value = row.values[position] if position is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(column, value)  # type: ignore[arg-type]
        if days is not None:  # 企业诉求 past 办结时限 and not closed: the row is coloured
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(OVERDUE_BACKGROUND)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"已超期 {days} 天（办结时限已过，尚未办结）"
        if self._dues_state is not None and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            look = DUES_STATE_LOOK.get(self._dues_state(row.values))
            if look is not None:
                return QColor(look[0]) if role == Qt.ItemDataRole.BackgroundRole else look[1]
        if role == Qt.ItemDataRole.ToolTipRole and value:
            if column.kind == spec.LONGTEXT:
                return str(value)[:1000]
            if column.kind in (spec.TEXT, spec.LINK):  # names cut short in narrow columns
                return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in spec.NUMBER_KINDS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _count_data(self, row: Row, role: int) -> Any:
        n = self._attached.get(row.id, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            return str(n) if n else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{n} 个附件" if n else "没有附件"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].label
        if (
            orientation == Qt.Orientation.Horizontal
            and self._counted
            and section == len(self.columns)
        ):
            return "附件"
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def record_id(self, row: int) -> int | None:
        found = self._row(row)
        return found.id if found is not None else None

    def row_of(self, record_id: int) -> int | None:
        """The row a record is on: looked up in the pages read, else asked of SQL."""
        for number, page in self._pages.items():
            for i, row in enumerate(page):
                if row.id == record_id:
                    return number * PAGE_SIZE + i
        position = self._query.position(record_id)
        return position if position is not None and position < self.total else None
