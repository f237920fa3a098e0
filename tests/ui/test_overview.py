"""The overview on the demo ledger: the report's figures as cards, charts that drill down to
exactly the records they count, the deliberate gaps as reminders, the summary one click away."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook
from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis, QLineSeries
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from partybuild.domain import compliance as rules
from partybuild.services import recruitment, stats
from partybuild.store import models as m
from partybuild.ui import file_dialogs
from partybuild.ui.main_window import MainWindow
from partybuild.ui.overview import OverviewPage

GAPS = (
    "第二季度未召开支部党员大会",
    "第三季度未召开支部党员大会",
    "7月未开展主题党日",
    "8月未开展主题党日",
)


@pytest.fixture
def overview(demo: pw.Database, qtbot: QtBot) -> OverviewPage:
    page = OverviewPage()
    qtbot.addWidget(page)
    page.set_year(2023)
    page.resize(1300, 800)
    page.show()
    return page


def test_cards_show_the_demo_figures(overview: OverviewPage) -> None:
    f = stats.year_stats(2023)
    values = {key: card.value for key, card in overview.cards.items()}
    assert values == {
        "standalone": 15,
        "joint": 6,
        "regional": 1,
        "members": 688,
        "rotation": 6,
        "lecture": 19,
        "party_lesson": 52,
        "volunteer": 18,
        "commando": 6,
        "services": 64,
        "resolved": 66,
        "pending": f["issues"]["pending"],
        "renewal": 1,  # 绿源新材料有限公司党支部: its term ran out in May
    }
    assert overview.cards["rotation"].note_label.text() == "签到 666 人次"
    assert overview.cards["joint"].note_label.text() == "覆盖企业 28 家"
    assert overview.cards["resolved"].note_label.text() == "其中项目建设 12 件"
    assert overview.cards["rotation"].caption_label.text() == "轮训"
    assert overview.title.text() == "2023年党建工作概览"


def test_clicking_the_rotation_card_opens_exactly_its_six_trainings(
    demo: pw.Database, qtbot: QtBot
) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.show()
    overview = window.pages["overview"]
    assert isinstance(overview, OverviewPage)
    overview.set_year(2023)
    qtbot.mouseClick(overview.cards["rotation"], Qt.MouseButton.LeftButton)
    assert window.page_name() == "trainings"
    trainings = window.pages["trainings"]
    assert trainings.model.total == 6
    shown = {trainings.model.data(trainings.model.index(r, 1)) for r in range(6)}
    assert shown == {"轮训"}
    # Back on the overview, the keyboard opens a card too.
    window.go_to("overview")
    overview.cards["services"].setFocus()
    qtbot.keyClick(overview.cards["services"], Qt.Key.Key_Return)
    assert window.page_name() == "services" and window.pages["services"].model.total == 64


def test_the_reminders_list_the_gaps(overview: OverviewPage) -> None:
    texts = overview.reminder_texts()
    for gap in GAPS:
        assert sum(gap in t for t in texts) == 1, gap
    # 发展党员 and 换届 (services.recruitment) add theirs: one overdue step and one term run out.
    year_end = dt.date(2023, 12, 31)
    people, renewal = (
        recruitment.recruitment_reminders(year_end),
        recruitment.renewal_reminders(year_end),
    )
    assert sum("已超期" in t for t in texts) == 2 + 1 + 1
    assert sum("欠交党费" in t for t in texts) == 1  # the demo's one member behind (党费)
    assert len(texts) == 6 + len(people) + len(renewal) + 1
    assert "落实率 99.4%" in overview.reminder_note.text()


def test_a_reminder_opens_the_branchs_records_of_that_kind(
    overview: OverviewPage, qtbot: QtBot
) -> None:
    widget = overview.reminder_list
    item = next(
        widget.item(i)
        for i in range(widget.count())
        if "7月未开展主题党日" in widget.item(i).text()
    )
    with qtbot.waitSignal(overview.open_page) as signal:
        widget.itemActivated.emit(item)
    page, filters = signal.args
    themes = m.Activity.select().where(m.Activity.id.in_(filters["record_ids"]))
    assert page == "activities" and len(filters["record_ids"]) == 10  # 12 months, 2 missed
    assert {a.kind for a in themes} == {"theme_day"}


def _bar_series(chart) -> QAbstractBarSeries:  # noqa: ANN001
    return next(s for s in chart.series() if isinstance(s, QAbstractBarSeries))


def test_the_charts_exist_and_drill_down(overview: OverviewPage, qtbot: QtBot) -> None:
    f = stats.year_stats(2023)
    training = overview.training_chart.chart()
    bars = _bar_series(training).barSets()[0]
    assert sum(bars.at(i) for i in range(12)) == f["trainings"]["total"]["sessions"]
    line = next(s for s in training.series() if isinstance(s, QLineSeries))
    assert sum(p.y() for p in line.points()) == f["trainings"]["total"]["attendances"]
    titles = {a.titleText() for a in training.axes()}
    assert titles == {"月份", "培训（期/次）", "签到（人次）"}
    with qtbot.waitSignal(overview.open_page) as signal:
        bars.clicked.emit(1)  # February: the first rotation training
    assert signal.args[0] == "trainings"
    february = m.Training.select().where(m.Training.id.in_(signal.args[1]["record_ids"]))
    assert [t.start_date.month for t in february] == [2] * len(signal.args[1]["record_ids"])
    with qtbot.waitSignal(overview.open_page) as signal:
        line.clicked.emit(QPointF(1.1, 120))
    assert signal.args[1]["record_ids"] == list(overview.month_rows[1].signed_training_ids)

    issues = _bar_series(overview.issue_chart.chart())
    cells = sum(s.sum() for s in issues.barSets())
    assert cells == f["issues"]["received"]
    assert [s.label() for s in issues.barSets()] == ["待办", "办理中", "已解决", "无法解决"]
    resolved = issues.barSets()[2]
    axis = next(a for a in issues.attachedAxes() if isinstance(a, QBarCategoryAxis))
    project = axis.categories().index("项目建设")
    with qtbot.waitSignal(overview.open_page) as signal:
        resolved.clicked.emit(project)
    opened = m.EnterpriseIssue.select().where(
        m.EnterpriseIssue.id.in_(signal.args[1]["record_ids"])
    )
    assert signal.args[0] == "issues" and len(opened) == resolved.at(project) >= 12
    assert {(i.category, i.state) for i in opened} == {("project", "resolved")}

    services = _bar_series(overview.service_chart.chart())
    assert sum(s.sum() for s in services.barSets()) == f["services"]["count"]
    top = axis_index = len(overview.team_bars) - 1  # the busiest team is drawn on top
    with qtbot.waitSignal(overview.open_page) as signal:
        services.barSets()[0].clicked.emit(axis_index)
    assert signal.args[0] == "services"
    assert signal.args[1]["record_ids"] == overview.team_bars[top][1]
    assert len(signal.args[1]["record_ids"]) == 6


def test_generate_summary_saves_pdf_and_excel(
    overview: OverviewPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "年度总结"
    monkeypatch.setattr(
        file_dialogs, "save_file", lambda *a, **k: (str(target), "PDF 文件 (*.pdf)")
    )
    overview.summary_button.click()
    pdf = target.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert str(pdf) in overview.message.text()
    xlsx = tmp_path / "总结.xlsx"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(xlsx), ""))
    overview.summary_button.click()
    assert load_workbook(xlsx, read_only=True).sheetnames[0] == "年度总结"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: ("", ""))
    overview.summary_button.click()  # cancelled: nothing happens
    blocked = tmp_path / "no-such-folder" / "x.pdf"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(blocked), ""))
    overview.summary_button.click()
    assert f"无法保存“{blocked}”：文件夹“{blocked.parent}”不存在" in overview.message.text()


def test_reminders_print_and_export(
    overview: OverviewPage, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xlsx, pdf = tmp_path / "提醒.xlsx", tmp_path / "提醒"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(xlsx), ""))
    overview.excel_button.click()
    wb = load_workbook(xlsx, read_only=True)
    rows = list(wb["三会一课提醒"].iter_rows(values_only=True))
    assert len(rows) == 5 and {r[1] for r in rows[1:]} == {"支部党员大会", "主题党日"}
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(pdf), ""))
    overview.pdf_button.click()
    assert pdf.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    overview.print_button.click()
    dialog = overview.preview_dialog
    assert dialog is not None and dialog.windowTitle() == "打印提醒清单"
    dialog.close()


def test_rules_set_in_the_dialog_change_the_reminders(overview: OverviewPage) -> None:
    overview.rules_button.click()
    dialog = overview.settings_dialog
    assert dialog is not None and dialog.table.rowCount() == 7
    row = next(i for i, r in enumerate(dialog.rules) if r.kind == "theme_day")
    dialog.enabled_boxes[row].setChecked(False)
    lesson = next(i for i, r in enumerate(dialog.rules) if r.kind == "party_lesson")
    dialog.period_combos[lesson].setCurrentIndex(dialog.period_combos[lesson].findData("year"))
    dialog.accept()
    stored = {r.kind: r for r in rules.load_rules()}
    assert not stored["theme_day"].enabled and stored["party_lesson"].period == "year"
    texts = overview.reminder_texts()
    assert not any("主题党日" in t for t in texts)
    assert sum("支部党员大会" in t for t in texts) == 2
    overview.rules_button.click()
    overview.settings_dialog.defaults_button.click()
    overview.settings_dialog.accept()
    assert sum("主题党日" in t for t in overview.reminder_texts()) == 2


def test_a_year_before_any_branch_shows_zeros_and_owes_nothing(overview: OverviewPage) -> None:
    overview.set_year(2005)  # the demo's oldest branch was founded in 2008
    assert overview.title.text() == "2005年党建工作概览"
    assert all(card.value == 0 for key, card in overview.cards.items() if key != "members")
    assert overview.reminder_texts() == []
    # A year with branches but no records in the ledger owes everything: the list says so.
    overview.set_year(2016)
    assert any("未召开支部党员大会" in t for t in overview.reminder_texts())


def _headers(page: OverviewPage) -> dict[str, int]:
    import re

    widget = page.reminder_list
    found = {}
    for i in range(widget.count()):
        item = widget.item(i)
        if not item.data(Qt.ItemDataRole.UserRole):
            hit = re.fullmatch(r"(.+)（(\d+)）", item.text())
            if hit:
                found[hit[1]] = int(hit[2])
    return found


def test_this_year_does_not_count_the_running_period_as_missed(overview: OverviewPage) -> None:
    import datetime as dt
    import re

    overview.set_year(dt.date.today().year)  # the demo holds no activities after 2023
    headers = _headers(overview)
    due = int(re.search(r"应开展 (\d+) 次", overview.reminder_note.text())[1])
    held = int(re.search(r"已开展 (\d+) 次", overview.reminder_note.text())[1])
    # Every period that has ended and was not held is missed — and only those.
    assert headers["三会一课未按期开展"] == due - held
    assert headers["本期尚待开展"] > 0  # the running month/quarter, listed apart
    running = [t for t in overview.reminder_texts() if "尚未" in t]
    assert len(running) == headers["本期尚待开展"]


@pytest.mark.parametrize("size", [(1024, 700), (1440, 900)])
def test_the_overview_fits_the_window_without_scrolling_sideways(
    demo: pw.Database, qtbot: QtBot, size: tuple[int, int]
) -> None:
    """At 1024×700 every card, 生成年度总结 and the reminders are inside the window, no card
    caption is cut, and the 企业诉求 legend has room for 待办 办理中 已解决 无法解决."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QFontMetrics

    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    page = window.go_to("overview")
    page.set_year(2023)
    qtbot.waitUntil(lambda: page.scroll.viewport().width() > 0)
    qtbot.wait(50)
    viewport = page.scroll.viewport()
    assert page.scroll.horizontalScrollBar().maximum() == 0
    assert page.inner.width() <= viewport.width()

    def right_edge(widget) -> int:  # noqa: ANN001
        return widget.mapTo(viewport, QPoint(widget.width(), 0)).x()

    for key, card in page.cards.items():
        assert right_edge(card) <= viewport.width(), key
        caption = card.caption_label
        assert caption.width() >= caption.sizeHint().width(), key
        assert card.note_label.width() >= card.note_label.sizeHint().width(), key
    assert right_edge(page.summary_button) <= viewport.width()
    assert right_edge(page.reminder_box) <= viewport.width()
    assert page.reminder_box.width() >= 250  # reminders readable, not a sliver
    legend = page.issue_chart.chart().legend()
    labels = [marker.label() for marker in legend.markers()]
    assert labels == ["待办", "办理中", "已解决", "无法解决"]
    needed = sum(QFontMetrics(legend.font()).horizontalAdvance(t) + 24 for t in labels)
    assert legend.geometry().width() >= needed


def test_the_reminders_can_be_computed_in_another_thread(overview: OverviewPage) -> None:
    """services.reminders computes (no Qt, the thread's own connection); the page only applies."""
    import threading

    from partybuild.services import reminders

    found: dict[str, reminders.OverviewReminders] = {}

    def work() -> None:
        try:
            found["done"] = reminders.overview_reminders(2023)
        finally:
            m.db_proxy.obj.close()  # this thread's connection

    shown = overview.reminder_texts()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    overview.apply_reminders(found["done"])
    assert overview.reminder_texts() == shown == found["done"].texts()
    assert len(shown) > 10
