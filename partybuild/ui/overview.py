"""概览: the year's figures at a glance, each card opening the ledger it counts."""

from __future__ import annotations

import datetime as dt

import peewee as pw
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from partybuild.services import stats
from partybuild.store import models as m


def latest_year_with_data() -> int:
    """The year to open on: the latest with trainings or activities, else this year."""
    years = []
    for field in (m.Training.start_date, m.Activity.date):
        model = field.model
        latest = (
            model.select(pw.fn.MAX(field).coerce(False).alias("latest"))
            .where(model.deleted == False)  # noqa: E712
            .scalar()
        )
        if latest:
            years.append(int(str(latest)[:4]))
    return min(max(years), dt.date.today().year) if years else dt.date.today().year


class Card(QPushButton):
    """A figure with its caption; clicking it opens the page it counts."""

    def __init__(self, caption: str, page: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.caption = caption
        self.setObjectName("card")
        self.setMinimumSize(190, 92)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(
            "QPushButton#card { text-align: left; padding: 10px 14px; border: 1px solid #d9d9d9;"
            " border-radius: 6px; background: #ffffff; }"
            "QPushButton#card:hover { border-color: #c0392b; background: #fff7f5; }"
        )

    def set_value(self, value: str, note: str = "") -> None:
        self.setText(f"{value}\n{self.caption}" + (f"\n{note}" if note else ""))
        font = self.font()
        font.setPointSize(11)
        self.setFont(font)


class OverviewPage(QWidget):
    open_page = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_overview")
        self.year_combo = QComboBox()
        this_year = dt.date.today().year
        for year in range(this_year, 2014, -1):
            self.year_combo.addItem(f"{year}年", year)
        self.title = QLabel()
        title_font = self.title.font()
        title_font.setPointSize(15)
        title_font.setBold(True)
        self.title.setFont(title_font)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel(self.tr("年度：")))
        top.addWidget(self.year_combo)

        specs = [
            ("joint", self.tr("联合党支部"), "branches", {"kind": "joint"}),
            ("regional", self.tr("区域党支部"), "branches", {"kind": "regional"}),
            ("standalone", self.tr("独立党支部"), "branches", {"kind": "standalone"}),
            ("members", self.tr("党员（正式+预备）"), "members", {}),
            ("rotation", self.tr("轮训（期）"), "trainings", {"kind": "rotation"}),
            ("lecture", self.tr("集中宣讲（次）"), "trainings", {"kind": "lecture"}),
            ("party_lesson", self.tr("专题党课（次）"), "trainings", {"kind": "party_lesson"}),
            ("volunteer", self.tr("党员志愿服务队"), "teams", {"kind": "volunteer"}),
            ("commando", self.tr("党员突击队"), "teams", {"kind": "commando"}),
            ("services", self.tr("志愿服务（次）"), "services", {}),
            ("resolved", self.tr("解决企业难题（件）"), "issues", {"status": "resolved"}),
            ("pending", self.tr("未办结诉求（件）"), "issues", {"status": "in_progress"}),
        ]
        grid = QGridLayout()
        grid.setSpacing(12)
        self.cards: dict[str, Card] = {}
        for i, (key, caption, page, filters) in enumerate(specs):
            card = Card(caption, page)
            card.clicked.connect(lambda _=False, p=page, f=filters: self._open(p, f))
            self.cards[key] = card
            grid.addWidget(card, i // 4, i % 4)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666;")

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(grid)
        layout.addWidget(self.note)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.year_combo.currentIndexChanged.connect(self.refresh)
        self.set_year(latest_year_with_data())

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index < 0:
            self.year_combo.addItem(f"{year}年", year)
            index = self.year_combo.count() - 1
        if index == self.year_combo.currentIndex():
            self.refresh()
        else:
            self.year_combo.setCurrentIndex(index)

    def year(self) -> int:
        return int(self.year_combo.currentData())

    def _open(self, page: str, filters: dict) -> None:
        filters = dict(filters)
        if page in ("trainings", "services", "issues"):
            filters["year"] = self.year()
        self.open_page.emit(page, filters)

    def refresh(self) -> None:
        year = self.year()
        figures = stats.year_stats(year)
        self.title.setText(self.tr("%d年党建工作概览") % year)
        b, cov, t = figures["branches"], figures["enterprises_covered"], figures["trainings"]
        members = figures["members"]
        self.cards["joint"].set_value(str(b["joint"]), self.tr("覆盖企业 %d 家") % cov["joint"])
        self.cards["regional"].set_value(
            str(b["regional"]), self.tr("覆盖企业 %d 家") % cov["regional"]
        )
        self.cards["standalone"].set_value(
            str(b["standalone"]), self.tr("覆盖企业 %d 家") % cov["standalone"]
        )
        self.cards["members"].set_value(
            str(members["full"] + members["probationary"]),
            self.tr("发展对象等 %d 人")
            % (members["total"] - members["full"] - members["probationary"]),
        )
        self.cards["rotation"].set_value(
            str(t["rotation"]["sessions"]), self.tr("签到 %d 人次") % t["rotation"]["attendances"]
        )
        self.cards["lecture"].set_value(str(t["lecture"]["sessions"]))
        self.cards["party_lesson"].set_value(str(t["party_lesson"]["sessions"]))
        self.cards["volunteer"].set_value(str(figures["teams"]["volunteer"]))
        self.cards["commando"].set_value(str(figures["teams"]["commando"]))
        self.cards["services"].set_value(
            str(figures["services"]["count"]),
            self.tr("参加 %d 人次") % figures["services"]["participants"],
        )
        issues = figures["issues"]
        self.cards["resolved"].set_value(
            str(issues["resolved"]),
            self.tr("其中项目建设 %d 件") % issues["resolved_by_category"]["project"],
        )
        self.cards["pending"].set_value(
            str(issues["pending"]), self.tr("已超期 %d 件") % issues["overdue"]
        )
        self.note.setText(self.tr("点击卡片打开对应台账。统计不含回收站中的记录。"))
