"""概览: the year at a glance — figures, charts, reminders — each opening the records behind it.

Every card and bar carries the ids of the records it counts (selected by
:mod:`partybuild.services.report` with the definitions of ``stats``); the number shown is the
length of that list, so a click opens exactly what was counted. The reminders of
:mod:`partybuild.services.compliance` sit beside the charts, printable and exportable, and the
annual summary is one button away.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, QPointF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import vocab
from partybuild.ui.fonts import ui_font_family

if TYPE_CHECKING:
    from partybuild.services import compliance, report
    from partybuild.services import reminders as reminders_

ACCENT = "#c0392b"
STATE_COLOURS = {
    "open": "#e74c3c",
    "in_progress": "#f39c12",
    "resolved": "#27ae60",
    "unresolvable": "#95a5a6",
}
MAX_TEAM_BARS = 14  # more teams than this: the rest share one bar (其余…)


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(ui_font_family())
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


CARD_STYLE = (
    "QFrame#card { border: 1px solid #e0d6d3; border-radius: 6px; background: #ffffff; }"
    f"QFrame#card:hover, QFrame#card:focus {{ border-color: {ACCENT}; background: #fff7f5; }}"
    "QFrame#card QLabel { border: none; background: transparent; }"
    f"QFrame#card QLabel#card_value {{ color: {ACCENT}; }}"
    "QFrame#card QLabel#card_unit { color: #7f6f6a; }"
    "QFrame#card QLabel#card_caption { color: #333; }"
    "QFrame#card QLabel#card_note { color: #777; }"
)
# The page's one style sheet (on its inner widget): the cards above, and the charts' frames, the
# reminders' box, list and note, and the summary button (each had a sheet of its own, 20 in all,
# each parsed and kept apart at start-up).
PAGE_STYLE = CARD_STYLE + (
    "QChartView { border: 1px solid #e0d6d3; border-radius: 6px; }"
    "QFrame#reminders { border: 1px solid #e0d6d3; border-radius: 6px; background: #ffffff; }"
    "QListWidget#reminder_list { border: none; }"
    "QListWidget#reminder_list::item { padding: 2px 0px; }"
    "QLabel#reminder_note { color: #777; }"
    f"QPushButton#summary_button {{ background: {ACCENT}; color: white;"
    " padding: 4px 14px; border-radius: 4px; font-weight: bold; }"
)


class Card(QFrame):
    """A figure: a big number, its caption and a note; a click opens the records it counts."""

    clicked = Signal()

    def __init__(self, caption: str, page: str, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.record_ids: list[int] = []
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(118, 78)  # six to a row fit a 1024-pixel-wide window
        # As tall as the row: a card with a two-line note (党员) keeps its row's cards level.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # Its style sheet is the page's (PAGE_STYLE, set once on OverviewPage's inner widget).
        self.value_label = QLabel("—")  # until its figure arrives (never a false 0)
        self.value_label.setObjectName("card_value")
        self.value_label.setFont(_font(22, bold=True))
        self.unit_label = QLabel(unit)
        self.unit_label.setObjectName("card_unit")
        self.unit_label.setFont(_font(10))
        self.caption_label = QLabel(caption)
        self.caption_label.setObjectName("card_caption")
        self.caption_label.setFont(_font(10.5, bold=True))
        self.note_label = QLabel()
        self.note_label.setObjectName("card_note")
        self.note_label.setFont(_font(9))

        number = QHBoxLayout()
        number.setSpacing(4)
        number.addWidget(self.value_label, 0, Qt.AlignmentFlag.AlignBottom)
        number.addWidget(self.unit_label, 0, Qt.AlignmentFlag.AlignBottom)
        number.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 5, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption_label)
        layout.addLayout(number)
        layout.addWidget(self.note_label)

    @property
    def value(self) -> int:
        text = self.value_label.text()
        return int(text) if text.isdigit() else 0

    def set_records(self, record_ids: list[int], note: str = "") -> None:
        self.record_ids = list(record_ids)
        self.value_label.setText(str(len(self.record_ids)))
        self.note_label.setText(note)
        self.setToolTip(self.tr("点击查看这 %d 条记录") % len(self.record_ids))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)


class ChartBox(QChartView):
    """A chart with the app's fonts, no animation, and a hand cursor over clickable bars."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setTitleFont(_font(10.5, bold=True))
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(4)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setFont(_font(8.5))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)  # its frame: PAGE_STYLE

    def reset(self) -> QChart:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        return chart


def _axis_font(axis: QValueAxis | QBarCategoryAxis, title: str = "") -> None:
    axis.setLabelsFont(_font(8))
    if title:
        axis.setTitleText(title)
        axis.setTitleFont(_font(8.5))


def _value_axis(maximum: float, title: str) -> QValueAxis:
    axis = QValueAxis()
    top = max(1, int(maximum))
    step = max(1, -(-top // 5))
    axis.setRange(0, step * 5 if top > 5 else top + 1)
    axis.setTickCount(6 if top > 5 else top + 2)
    axis.setLabelFormat("%d")
    _axis_font(axis, title)
    return axis


def _short_team(name: str) -> str:
    """荣达化工党员志愿服务队 → 荣达化工; 项目建设党员突击队一队 → 项目建设突击一队.

    An axis label has little room: the bar's colour tells volunteer team from commando team,
    and the full name is in the bar's tooltip and on the page a click opens.
    """
    short = name.removeprefix("园区")
    for long, brief in (
        ("党员志愿服务队", ""),
        ("志愿服务队", ""),
        ("党员突击队", "突击队"),
        ("联合党支部", "联合支部"),
        ("有限公司", ""),
    ):
        short = short.replace(long, brief)
    short = re.sub(r"突击队([一二三四五六七八九十]+)队$", r"突击\1队", short)
    return short or name


class ReminderList(QListWidget):
    """The reminder list: a header row per group (its count), then its items, or “无”.

    Filled with one ``addItems`` of all texts: Qt makes the rows itself, with no Python object
    per row (200,000 members can mean tens of thousands of reminders). Items are red, the
    list's text colour; only headers, “无” and what is merely due soon (amber) are set one by
    one. What a row opens is kept in ``targets`` beside the rows.
    """

    LATE, SOON, NONE = "#a93226", "#9a6b00", "#888888"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.targets: list[tuple[str, list[int]] | None] = []
        palette = self.palette()
        self.header_colour = palette.color(QPalette.ColorRole.Text)
        palette.setColor(QPalette.ColorRole.Text, QColor(self.LATE))
        self.setPalette(palette)

    def set_groups(self, groups: list[tuple[str, Sequence[reminders_.Item]]]) -> None:
        texts: list[str] = []
        targets: list[tuple[str, list[int]] | None] = []
        headers: list[int] = []
        nones: list[int] = []
        soon: list[int] = []
        for title, items in groups:
            headers.append(len(texts))
            texts.append(self.tr("%s（%d）") % (title, len(items)))
            targets.append(None)
            for item in items:
                if not item.warn:
                    soon.append(len(texts))
                texts.append("  " + item.shown())
                targets.append((item.page, list(item.ids)))
            if not items:
                nones.append(len(texts))
                texts.append("  " + self.tr("无"))
                targets.append(None)
        self.clear()
        self.targets = targets
        self.addItems(texts)
        header_font = _font(9.5, bold=True)
        for row in headers:
            item = self.item(row)
            item.setFont(header_font)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setBackground(QColor("#f6efed"))
            item.setForeground(self.header_colour)
        for row in nones:
            item = self.item(row)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setForeground(QColor(self.NONE))
        for row in soon:
            self.item(row).setForeground(QColor(self.SOON))

    def target(self, item: QListWidgetItem) -> tuple[str, list[int]] | None:
        """(page, record ids) a row opens; None for a header or “无”."""
        row = self.row(item)
        return self.targets[row] if 0 <= row < len(self.targets) else None

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        """An item's tooltip is its text (made here, not stored on every row)."""
        if event.type() == QEvent.Type.ToolTip:
            item = self.itemAt(event.pos())  # type: ignore[attr-defined]
            if item is not None and self.target(item) is not None:
                QToolTip.showText(event.globalPos(), item.text()[2:], self)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


@dataclass
class Figures:
    """Everything the page shows for a year, read by :func:`gather` (no widgets: it may run in a
    worker thread on its own connection, see ``ui/background.py``)."""

    year: int
    stats: dict = field(default_factory=dict)
    card_ids: dict[str, list[int]] = field(default_factory=dict)
    renewal: tuple[list[int], str] = ([], "")
    month_rows: list[Any] = field(default_factory=list)
    issue_cells: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    teams: list[Any] = field(default_factory=list)
    reminders: reminders_.OverviewReminders | None = None


def _figure_modules():  # noqa: ANN202
    """The services behind the figures, imported when they are first computed, not at start-up:
    the window's first paint needs none of them (``python -X importtime``)."""
    from partybuild.services import reminders, report, stats
    from partybuild.ui import recruitment_page

    return reminders, recruitment_page, report, stats


def gather(year: int | None) -> Figures:
    """Read the year's figures, charts and reminders (services only); ``None``: the latest year
    with data, as the page opens on."""
    reminders, recruitment_page, report, stats = _figure_modules()
    if year is None:
        year = report.latest_year_with_data()
    period = stats.Period.year(year)
    f = Figures(year=year, stats=stats.year_stats(year))
    for kind in ("standalone", "joint", "regional"):
        f.card_ids[kind] = report.branch_ids(period, kind)
    f.card_ids["members"] = report.party_member_ids(period)
    for kind in ("rotation", "lecture", "party_lesson"):
        f.card_ids[kind] = report.training_ids(period, kind)
    for kind in ("volunteer", "commando"):
        f.card_ids[kind] = report.team_ids(period, kind)
    f.card_ids["services"] = report.service_ids(period)
    f.card_ids["resolved"] = report.resolved_issue_ids(period)
    f.card_ids["pending"] = report.pending_issue_ids(period)
    f.renewal = recruitment_page.renewal_card(min(period.end, dt.date.today()))
    f.month_rows = report.trainings_by_month(year)
    f.issue_cells = report.issues_by_category_and_state(year)
    f.teams = report.services_by_team(year)
    f.reminders = reminders.overview_reminders(year)
    return f


class OverviewPage(QWidget):
    """The app's first page. ``open_page(name, {"record_ids": [...]})`` drills down.

    ``OverviewPage()`` computes its figures at once; ``OverviewPage(defer=True)`` (the main
    window's first page) shows its layout empty and gets them from :meth:`refresh_in_background`
    (the figures arrive in a worker thread; ``figures_shown`` is emitted when they are on the page);
    :meth:`wait_for_figures` takes them now, for whatever needs them (a card's click, the buttons).
    """

    open_page = Signal(str, dict)
    figures_shown = Signal()

    def __init__(self, parent: QWidget | None = None, *, defer: bool = False) -> None:
        super().__init__(parent)
        self._job = None  # the background computation in flight (ui/background.Job)
        self._generation = 0  # a refresh started later wins over an earlier one still running
        self.shown_year: int | None = None  # the year whose figures are on the page
        self._year_chosen = not defer  # deferred: the latest year with data, found by gather
        # Deferred (the main window's page): another year's figures are computed in a worker
        # too, so that choosing a year never holds the window (0.6 s at 200,000 members).
        self._years_in_background = defer
        self.setObjectName("page_overview")
        self.figures: dict = {}
        self.compliance: compliance.ComplianceReport | None = None
        self.preview_dialog = None  # the print preview, kept so tests can reach it
        self.settings_dialog = None
        self.month_rows: list[report.MonthRow] = []
        self.issue_cells: dict[tuple[str, str], list[int]] = {}
        self.issue_categories: list[str] = []
        self.team_bars: list[tuple[str, list[int]]] = []

        # -- header
        self.title = QLabel()
        self.title.setFont(_font(15, bold=True))
        self.year_combo = QComboBox()
        for year in range(dt.date.today().year, 2014, -1):
            self.year_combo.addItem(self.tr("%d年") % year, year)
        self.rules_button = QPushButton(self.tr("三会一课规则…"))
        self.rules_button.clicked.connect(self.open_rules)
        self.summary_button = QPushButton(self.tr("生成年度总结"))
        self.summary_button.setObjectName("summary_button")
        self.summary_button.clicked.connect(self.save_summary)
        self.message = QLabel()
        self.message.setStyleSheet("color: #2c7a4b;")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.message, 1)
        top.addWidget(QLabel(self.tr("年度：")))
        top.addWidget(self.year_combo)
        top.addWidget(self.rules_button)
        top.addWidget(self.summary_button)

        # -- cards
        specs = [
            ("standalone", "独立党支部", "个", "branches"),
            ("joint", "联合党支部", "个", "branches"),
            ("regional", "区域党支部", "个", "branches"),
            ("members", "党员", "名", "members"),
            ("rotation", "轮训", "期", "trainings"),
            ("lecture", "集中宣讲", "次", "trainings"),
            ("party_lesson", "专题党课", "次", "trainings"),
            ("volunteer", "党员志愿服务队", "只", "teams"),
            ("commando", "党员突击队", "只", "teams"),
            ("services", "志愿服务", "次", "services"),
            ("resolved", "解决企业难题", "件", "issues"),
            ("pending", "未办结诉求", "件", "issues"),
            ("renewal", "应换届党组织", "个", "branches"),
        ]
        grid = QGridLayout()
        grid.setSpacing(10)
        self.cards: dict[str, Card] = {}
        for i, (key, caption, unit, page) in enumerate(specs):
            card = Card(self.tr(caption), page, self.tr(unit))
            card.setObjectName("card")
            card.setAccessibleName(f"card_{key}")
            card.clicked.connect(lambda c=card: self._open_card(c))
            self.cards[key] = card
            grid.addWidget(card, i // 6, i % 6)
        self.card_grid = grid

        # -- charts
        self.training_chart = ChartBox(self.tr("培训和签到（按月）"))
        self.issue_chart = ChartBox(self.tr("企业诉求（按类别和办理状态）"))
        self.service_chart = ChartBox(self.tr("志愿服务（按服务队）"))
        self.charts = {
            "trainings": self.training_chart,
            "issues": self.issue_chart,
            "services": self.service_chart,
        }

        # -- reminders: one list, a header per kind of reminder
        self.reminder_list = ReminderList()
        self.reminder_list.setObjectName("reminder_list")
        self.reminder_list.setWordWrap(True)
        self.reminder_list.setFont(_font(9))
        self.reminder_list.itemActivated.connect(self._item_activated)
        self.reminder_list.itemDoubleClicked.connect(self._item_activated)
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.setToolTip(self.tr("打印提醒清单（可在预览中选择打印机）"))
        self.print_button.clicked.connect(self.print_reminders)
        self.pdf_button = QPushButton(self.tr("保存 PDF…"))
        self.pdf_button.clicked.connect(self.save_reminders_pdf)
        self.excel_button = QPushButton(self.tr("导出 Excel…"))
        self.excel_button.clicked.connect(self.export_reminders)
        self.reminder_title = QLabel(self.tr("提醒事项"))
        self.reminder_title.setFont(_font(10.5, bold=True))
        self.reminder_note = QLabel()
        self.reminder_note.setWordWrap(True)
        self.reminder_note.setObjectName("reminder_note")
        self.reminder_note.setFont(_font(8.5))
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.excel_button)
        reminders = QFrame()
        reminders.setObjectName("reminders")
        box = QVBoxLayout(reminders)
        box.setContentsMargins(8, 6, 8, 8)
        box.addWidget(self.reminder_title)
        box.addWidget(self.reminder_list, 1)
        box.addWidget(self.reminder_note)
        box.addLayout(buttons)

        self.reminder_box = reminders
        self.lower = QGridLayout()
        self.lower.setSpacing(10)
        self.wide: bool | None = None

        self.inner = inner = QWidget()
        inner.setStyleSheet(PAGE_STYLE)  # the whole page's, cards included, parsed once
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addLayout(self.lower, 1)
        # Scroll down, never sideways: the page always fits the window's width.
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        self._arrange(wide=True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.year_combo.currentIndexChanged.connect(self._year_changed)
        if defer:
            self.title.setText(self.tr("党建工作概览"))
            self.message.setText(self.tr("正在统计…"))
        else:
            from partybuild.services import report

            self.set_year(report.latest_year_with_data())

    # -- layout ------------------------------------------------------------------------
    WIDE = 1200  # below this page width the charts and reminders go two to a row

    def _arrange(self, wide: bool) -> None:
        """The three charts and the reminders in one row on a wide page, two by two on a
        narrow one (1024×700: the page scrolls down instead of cutting the reminders off)."""
        if wide == self.wide:
            return
        self.wide = wide
        # Cards: two rows of seven on a wide page, rows of five on a narrow one.
        per_row = 7 if wide else 5
        for card in self.cards.values():
            self.card_grid.removeWidget(card)
        for i, card in enumerate(self.cards.values()):
            self.card_grid.addWidget(card, i // per_row, i % per_row)
        boxes = [self.training_chart, self.issue_chart, self.service_chart, self.reminder_box]
        for box in boxes:
            self.lower.removeWidget(box)
        for column in range(4):
            self.lower.setColumnStretch(column, 0)
        if wide:
            for column, (box, stretch) in enumerate(zip(boxes, (7, 5, 5, 5), strict=True)):
                self.lower.addWidget(box, 0, column)
                self.lower.setColumnStretch(column, stretch)
            self.inner.setMinimumHeight(680)
        else:
            # The reminders stay in sight beside the monthly chart; the other two below.
            narrow = [self.training_chart, self.reminder_box, self.issue_chart, self.service_chart]
            for i, box in enumerate(narrow):
                self.lower.addWidget(box, i // 2, i % 2)
            self.lower.setColumnStretch(0, 1)
            self.lower.setColumnStretch(1, 1)
            self.inner.setMinimumHeight(1140)  # a third row of cards

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._arrange(wide=event.size().width() >= self.WIDE)
        super().resizeEvent(event)

    # -- year --------------------------------------------------------------------------
    def set_year(self, year: int) -> None:
        """Show a year's figures, computed now on this thread (a year chosen in the box is
        computed in a worker on the main window's page: :meth:`_year_changed`)."""
        self._year_chosen = True
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(self.tr("%d年") % year, year)
            index = self.year_combo.count() - 1
        with QSignalBlocker(self.year_combo):  # computed here, now: not as a user's choice
            self.year_combo.setCurrentIndex(index)
        self.refresh()

    def year(self) -> int:
        return int(self.year_combo.currentData())

    def _year_changed(self) -> None:
        """A year chosen in the box (set_year blocks its signal): the user's, even before the
        first figures arrived — later refreshes keep it rather than the latest year with data."""
        self._year_chosen = True
        if self._years_in_background:
            self.refresh_in_background()
        else:
            self.refresh()

    def _open(self, page: str, record_ids: list[int] | tuple[int, ...]) -> None:
        self.open_page.emit(page, {"record_ids": list(record_ids)})

    def _open_card(self, card: Card) -> None:
        self.wait_for_figures()  # clicked before the figures arrived: what it counts, not 0
        self._open(card.page, card.record_ids)

    # -- refresh -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Compute the year's figures and show them, now, on this thread."""
        self._generation += 1
        self._forget_job()
        self.show_figures(gather(self.year()))

    def refresh_in_background(self) -> None:
        """Compute the year's figures in a worker thread with its own connection and show them
        when they arrive; the page stays usable meanwhile (see ui/background.py)."""
        from partybuild.ui import background

        self._generation += 1
        self._forget_job()
        generation = self._generation
        year = self.year() if self._year_chosen else None
        _figure_modules()  # imported here, on the UI thread, after the first paint

        def work(cancel: object) -> Figures:
            with background.own_connection(cancel):  # type: ignore[arg-type]
                return gather(year)

        def done(figures: Figures) -> None:
            if generation == self._generation:
                self._job = None
                self.show_figures(figures)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._job = None
            from partybuild.services.errors import storage_message

            self._say(self.tr("无法统计：%s") % storage_message(exc, None), error=True)

        if self.message.text() == "":
            self.message.setText(self.tr("正在统计…"))
        self._job = background.run(work, done, failed, owner=self, name="overview")

    @property
    def computing(self) -> bool:
        """A worker thread is computing the figures now."""
        return self._job is not None

    @property
    def figures_pending(self) -> bool:
        """The figures on the page are not (yet) those of the chosen year."""
        return self._job is not None or not self._year_chosen or self.shown_year != self.year()

    def wait_for_figures(self) -> None:
        """The chosen year's figures on the page now: the worker's, waited for, else computed."""
        if self._job is not None:
            self._job.take()  # delivers on this thread (done/failed above)
            self._job = None
        if not self._year_chosen:
            from partybuild.services import report

            self.set_year(report.latest_year_with_data())  # computes them
        elif self.shown_year != self.year():
            self.refresh()

    def cancel_background(self) -> None:
        """Abandon a computation in flight (the window is closing)."""
        self._forget_job()

    def _forget_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def show_figures(self, data: Figures) -> None:
        """Put computed figures on the page (UI thread)."""
        year = data.year
        if year != self.year() or not self._year_chosen:  # the page opens on the latest year
            index = self.year_combo.findData(year)
            self.year_combo.blockSignals(True)
            if index < 0:
                self.year_combo.addItem(self.tr("%d年") % year, year)
                index = self.year_combo.count() - 1
            self.year_combo.setCurrentIndex(index)
            self.year_combo.blockSignals(False)
            self._year_chosen = True
        self.title.setText(self.tr("%d年党建工作概览") % year)
        if self.message.text() == self.tr("正在统计…"):
            self.message.setText("")
        self.figures = data.stats
        self._refresh_cards(data)
        self._refresh_training_chart(data)
        self._refresh_issue_chart(data)
        self._refresh_service_chart(data)
        self._refresh_reminders(data)
        self.shown_year = year
        self.figures_shown.emit()

    def _refresh_cards(self, data: Figures) -> None:
        year = data.year
        ids = data.card_ids
        f = self.figures
        cov, t = f["enterprises_covered"], f["trainings"]
        for kind in ("standalone", "joint", "regional"):
            self.cards[kind].set_records(ids[kind], self.tr("覆盖企业 %d 家") % cov[kind])
        members = f["members"]
        self.cards["members"].set_records(
            ids["members"],
            self.tr("正式 %d，预备 %d\n当年入党 %d")
            % (members["full"], members["probationary"], members["joined"]),
        )
        for kind in ("rotation", "lecture", "party_lesson"):
            self.cards[kind].set_records(
                ids[kind], self.tr("签到 %d 人次") % t[kind]["attendances"]
            )
        for kind in ("volunteer", "commando"):
            self.cards[kind].set_records(ids[kind], self.tr("%d年底在册") % year)
        services = f["services"]
        self.cards["services"].set_records(
            ids["services"], self.tr("参加 %d 人次") % services["participants"]
        )
        issues = f["issues"]
        self.cards["resolved"].set_records(
            ids["resolved"],
            self.tr("其中项目建设 %d 件") % issues["resolved_by_category"]["project"],
        )
        self.cards["pending"].set_records(
            ids["pending"], self.tr("已超期 %d 件") % issues["overdue"]
        )
        self.cards["renewal"].set_records(*data.renewal)

    def _refresh_training_chart(self, data: Figures) -> None:
        self.month_rows = data.month_rows
        chart = self.training_chart.reset()
        months = [str(r.month) for r in self.month_rows]
        trainings = QBarSet(self.tr("培训（期/次）"))
        trainings.setColor(QColor("#e59866"))
        trainings.append([len(r.training_ids) for r in self.month_rows])
        trainings.clicked.connect(
            lambda i: self._open("trainings", self.month_rows[i].training_ids)
        )
        bars = QBarSeries()
        bars.append(trainings)
        bars.setBarWidth(0.6)
        trainings.setLabelColor(QColor("#7a3e0c"))
        bars.setLabelsVisible(True)
        # Counts at the foot of the bars, attendances above the line's points: they never meet.
        bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsInsideBase)
        signed = QLineSeries()
        signed.setName(self.tr("签到（人次）"))
        signed.setPointsVisible(True)
        signed.setPen(QPen(QColor(ACCENT), 2))
        for i, row in enumerate(self.month_rows):
            signed.append(QPointF(i, row.signed))
        signed.setPointLabelsVisible(True)
        signed.setPointLabelsFont(_font(7.5))
        signed.setPointLabelsColor(QColor(ACCENT))
        signed.setPointLabelsFormat("@yPoint")
        signed.clicked.connect(self._signed_clicked)
        chart.addSeries(bars)
        chart.addSeries(signed)
        axis_x = QBarCategoryAxis()
        axis_x.append(months)
        _axis_font(axis_x, self.tr("月份"))
        left = _value_axis(max((len(r.training_ids) for r in self.month_rows), default=0), "")
        left.setTitleText(self.tr("培训（期/次）"))
        right = _value_axis(max((r.signed for r in self.month_rows), default=0) * 1.15, "")
        right.setTitleText(self.tr("签到（人次）"))
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
        bars.attachAxis(axis_x)
        bars.attachAxis(left)
        signed.attachAxis(axis_x)
        signed.attachAxis(right)

    def _signed_clicked(self, point: QPointF) -> None:
        index = round(point.x())
        if 0 <= index < len(self.month_rows):
            self._open("trainings", self.month_rows[index].signed_training_ids)

    def _refresh_issue_chart(self, data: Figures) -> None:
        year = data.year
        self.issue_cells = data.issue_cells
        chart = self.issue_chart.reset()
        chart.setTitle(self.tr("企业诉求（%d年受理）") % year)
        # QtCharts elides every category label to “…” when a row is lower than a label: the
        # chart takes the page's full height for its (up to nine) rows.
        present = {c for c, _ in self.issue_cells}
        # Top to bottom in vocabulary order: a horizontal axis lists categories bottom-up.
        self.issue_categories = [c for c in reversed(vocab.ISSUE_CATEGORY.codes) if c in present]
        series = QHorizontalStackedBarSeries()
        series.setBarWidth(0.7)
        for state, label in vocab.ISSUE_STATE:
            bar = QBarSet(self.tr(label))
            bar.setColor(QColor(STATE_COLOURS[state]))
            bar.setBorderColor(QColor("white"))
            bar.append([len(self.issue_cells.get((c, state), [])) for c in self.issue_categories])
            bar.clicked.connect(lambda i, s=state: self._issue_clicked(i, s))
            series.append(bar)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([vocab.ISSUE_CATEGORY.label(c) for c in self.issue_categories] or [""])
        _axis_font(axis_y)
        widest = (
            max(
                (sum(len(self.issue_cells.get((c, s), [])) for s in vocab.ISSUE_STATE.codes))
                for c in self.issue_categories
            )
            if self.issue_categories
            else 0
        )
        axis_x = _value_axis(widest, self.tr("件（按办理状态）"))
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)

    def _issue_clicked(self, index: int, state: str) -> None:
        if 0 <= index < len(self.issue_categories):
            self._open("issues", self.issue_cells.get((self.issue_categories[index], state), []))

    def _refresh_service_chart(self, data: Figures) -> None:
        teams = data.teams
        shown, rest = teams[:MAX_TEAM_BARS], teams[MAX_TEAM_BARS:]
        # (axis label, full name, colour group, service ids), busiest at the top.
        bars: list[tuple[str, str, str, list[int]]] = [
            (_short_team(t.name), t.name, t.kind, list(t.service_ids)) for t in shown
        ]
        if rest:
            ids = sorted(i for t in rest for i in t.service_ids)
            label = self.tr("其余 %d 支") % len(rest)
            bars.append((label, self.tr("其余 %d 支服务队") % len(rest), "rest", ids))
        bars.reverse()  # a horizontal axis lists its categories bottom-up
        self.team_bars = [(full, ids) for _, full, _, ids in bars]
        chart = self.service_chart.reset()
        total = sum(len(ids) for _, ids in self.team_bars)
        chart.setTitle(self.tr("志愿服务（按服务队）"))
        groups = [
            ("volunteer", self.tr("志愿服务队"), "#5d8aa8"),
            ("commando", self.tr("突击队"), "#c0392b"),
        ]
        if rest:
            groups.append(("rest", self.tr("其余"), "#a6acaf"))
        series = QHorizontalStackedBarSeries()
        series.setBarWidth(0.72)
        for group, label, colour in groups:
            bar = QBarSet(label)
            bar.setColor(QColor(colour))
            bar.setBorderColor(QColor(colour))
            bar.setLabelColor(QColor("white"))
            bar.append([len(ids) if kind == group else 0 for _, _, kind, ids in bars])
            bar.clicked.connect(self._team_clicked)
            bar.hovered.connect(self._team_hovered)
            series.append(bar)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalStackedBarSeries.LabelsPosition.LabelsInsideEnd)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([label for label, _, _, _ in bars] or [""])
        _axis_font(axis_y)
        axis_x = _value_axis(
            max((len(ids) for _, ids in self.team_bars), default=0),
            self.tr("次（%d支队伍共%d次）") % (len(teams), total),
        )
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)

    def _team_hovered(self, status: bool, index: int) -> None:
        if status and 0 <= index < len(self.team_bars):
            name, ids = self.team_bars[index]
            QToolTip.showText(QCursor.pos(), self.tr("%s：%d 次") % (name, len(ids)))
        else:
            QToolTip.hideText()

    def _team_clicked(self, index: int) -> None:
        if 0 <= index < len(self.team_bars):
            self._open("services", self.team_bars[index][1])

    def _refresh_reminders(self, data: Figures) -> None:
        assert data.reminders is not None
        self.apply_reminders(data.reminders)

    def apply_reminders(self, found: reminders_.OverviewReminders) -> None:
        """Show computed reminders (:func:`services.reminders.overview_reminders`): widgets only,
        no database work — the computing may have been done elsewhere (:func:`gather`)."""
        self.compliance = found.report
        if found.report is None:  # stored rules not understood: say so in place
            self.reminder_list.set_groups([])
            self.reminder_note.setText(self.tr("无法检查三会一课：%s") % found.error)
            self.reminder_note.setStyleSheet(f"color: {ACCENT};")
            return
        report_ = found.report
        self.reminder_note.setStyleSheet("color: #777;")
        closed = [d for d in report_.dues if not d.running]
        held = sum(d.held for d in closed)
        when = f"{report_.as_of.month}月{report_.as_of.day}日"
        rate = f"{held / len(closed) * 100:.1f}%" if closed else "—"
        self.reminder_note.setText(
            self.tr("截至%s，三会一课应开展 %d 次，已开展 %d 次，落实率 %s。双击一项查看记录。")
            % (when, len(closed), held, rate)
        )
        titles = {
            "missed": self.tr("三会一课未按期开展"),
            "pending": self.tr("本期尚待开展"),
            "quorum": self.tr("党员大会未达法定人数"),
            "setup": self.tr("组织设置"),
            "overdue_issues": self.tr("企业诉求超过办结时限"),
            "recruitment": self.tr("发展党员"),
            "renewal": self.tr("党组织换届"),
            "dues": self.tr("党费欠交"),
        }
        self.reminder_list.set_groups([(titles[key], items) for key, items in found.groups])

    def _item_activated(self, item: QListWidgetItem) -> None:
        target = self.reminder_list.target(item)
        if target:
            page, ids = target
            self._open(page, ids)

    def reminder_texts(self) -> list[str]:
        """The reminders the list shows, without headers (for tests and callers)."""
        self.wait_for_figures()
        widget = self.reminder_list
        return [
            widget.item(i).text().strip()
            for i, target in enumerate(widget.targets)
            if target is not None
        ]

    # -- actions -------------------------------------------------------------------------
    def _ask_path(self, title: str, name: str, filters: str) -> tuple[Path | None, str]:
        from partybuild.ui import file_dialogs

        path, chosen = file_dialogs.save_file(self, title, name, filters)
        return (Path(path) if path else None), chosen

    def _busy(self, work: Callable[[], object], done: str) -> bool:
        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:
            work()
        except (OSError, ValueError) as exc:
            from partybuild.outputs import OutputError

            # An OutputError is already one line saying what could not be saved where, and why.
            text = str(exc) if isinstance(exc, OutputError) else self.tr("未能保存：%s") % exc
            self._say(text, error=True)
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._say(done)
        return True

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {ACCENT};" if error else "color: #2c7a4b;")
        self.message.setText(text)

    def save_summary(self) -> None:
        """生成年度总结: PDF or Excel, chosen by the file name the user gives."""
        year = self.year()
        pdf, xlsx = self.tr("PDF 文件 (*.pdf)"), self.tr("Excel 工作簿 (*.xlsx)")
        path, chosen = self._ask_path(
            self.tr("生成年度总结"), self.tr("%d年度党建工作总结.pdf") % year, f"{pdf};;{xlsx}"
        )
        if path is None:
            return
        if path.suffix.lower() not in (".pdf", ".xlsx"):
            path = path.with_name(path.name + (".xlsx" if chosen == xlsx else ".pdf"))

        def work() -> None:
            from partybuild.services import report

            summary = report.build_summary(year)
            if path.suffix.lower() == ".xlsx":
                from partybuild.services.report_xlsx import write_summary_xlsx

                write_summary_xlsx(summary, path)
            else:
                from partybuild.printing.annual_report import write_summary_pdf

                write_summary_pdf(summary, path)

        self._busy(work, self.tr("年度总结已保存：%s") % path)

    def save_reminders_pdf(self) -> None:
        self.wait_for_figures()
        if self.compliance is None:
            return
        report_ = self.compliance
        path, _ = self._ask_path(
            self.tr("保存提醒清单"),
            self.tr("%d年提醒清单.pdf") % report_.year,
            self.tr("PDF 文件 (*.pdf)"),
        )
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        from partybuild.printing.annual_report import write_reminders_pdf

        self._busy(lambda: write_reminders_pdf(report_, path), self.tr("提醒清单已保存：%s") % path)

    def export_reminders(self) -> None:
        self.wait_for_figures()
        if self.compliance is None:
            return
        report_ = self.compliance
        path, _ = self._ask_path(
            self.tr("导出提醒清单"),
            self.tr("%d年提醒清单.xlsx") % report_.year,
            self.tr("Excel 工作簿 (*.xlsx)"),
        )
        if path is None:
            return
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        from partybuild.services.report_xlsx import write_reminders_xlsx

        self._busy(
            lambda: write_reminders_xlsx(report_, path), self.tr("提醒清单已导出：%s") % path
        )

    def print_reminders(self) -> None:
        """Print preview of the reminder list (the printer is chosen in the preview)."""
        self.wait_for_figures()
        if self.compliance is None:
            return
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        from partybuild.printing.annual_report import print_reminders

        report_ = self.compliance
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(self.tr("打印提醒清单"))
        dialog.paintRequested.connect(lambda p: print_reminders(report_, p))
        from partybuild.ui import file_dialogs

        file_dialogs.guard_print_preview(dialog, printer)
        self.preview_dialog = dialog
        self._printer = printer  # the dialog does not own it
        dialog.open()

    def open_rules(self) -> None:
        from partybuild.ui.compliance_settings import ComplianceSettingsDialog

        dialog = ComplianceSettingsDialog(self)
        dialog.accepted.connect(self.refresh)
        self.settings_dialog = dialog
        dialog.open()
