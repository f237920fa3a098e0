"""A search that fills its first page shows the rows at once and its exact count a moment later."""

from __future__ import annotations

import peewee as pw
import pytest
from pytestqt.qtbot import QtBot

from partybuild.ledgers import spec
from partybuild.services.query import PAGE_SIZE, Filters, LedgerQuery
from partybuild.store import models as m
from partybuild.ui.main_window import MainWindow
from tests.benchmarks.roster import member_rows

WANG = 321  # more than a page of members named 王…


@pytest.fixture
def many_wang(demo: pw.Database) -> pw.Database:
    branches = [b for (b,) in m.Branch.select(m.Branch.id).tuples()]
    enterprises = [e for (e,) in m.Enterprise.select(m.Enterprise.id).tuples()]
    rows = member_rows(WANG + 10, branches, enterprises, seed=12)[:WANG]
    for row in rows:
        row["name"] = "王" + str(row["name"])[1:]
    with demo.atomic():
        m.Member.insert_many(rows).execute()
    return demo


def exact(text: str) -> int:
    return LedgerQuery(spec.ledger("members"), Filters(search=text)).count()


def test_rows_first_then_the_exact_count(many_wang: pw.Database, qtbot: QtBot) -> None:
    window = MainWindow(many_wang)
    qtbot.addWidget(window)
    window.show()
    page = window.go_to("members")
    model = page.model
    wanted = exact("王")
    assert wanted > WANG > PAGE_SIZE

    page.search.setText("王")  # set by code: applies at once
    assert model.counting
    assert model.rowCount() == PAGE_SIZE
    assert window.count_label.text() == f"已显示前 {PAGE_SIZE} 条，正在计数…"
    assert "没有符合" not in page.empty_label.text() or page.empty_label.isHidden()

    with qtbot.waitSignal(model.total_settled, timeout=5000):
        pass  # the event loop runs: the count follows the rows
    assert not model.counting
    assert model.rowCount() == wanted
    assert window.count_label.text() == f"共 {wanted} 条（已筛选）"
    last = model.record_id(wanted - 1)  # the rows past the first page are there too
    ids = [row.id for row in LedgerQuery(model.ledger, Filters(search="王")).rows(0, wanted)]
    assert last == ids[-1]
    assert [model.record_id(r) for r in range(wanted)] == ids


def test_reading_the_total_settles_it_and_a_new_search_drops_the_old_count(
    many_wang: pw.Database, qtbot: QtBot
) -> None:
    window = MainWindow(many_wang)
    qtbot.addWidget(window)
    page = window.go_to("members")
    model = page.model

    page.search.setText("王")
    assert model.counting
    assert model.total == exact("王")  # read now: counted now, exactly
    assert not model.counting and model.rowCount() == model.total

    model.reload()
    page.search.setText("w")  # another full page before the first count ran
    page.search.setText("王安")
    few = exact("王安")
    if few < PAGE_SIZE:
        assert not model.counting  # a page with room to spare is every match: counted already
    qtbot.wait(50)
    assert not model.counting
    assert model.rowCount() == model.total == few
    assert window.count_label.text() == f"共 {few} 条（已筛选）"


def test_a_short_page_is_counted_by_the_same_read(many_wang: pw.Database, qtbot: QtBot) -> None:
    window = MainWindow(many_wang)
    qtbot.addWidget(window)
    page = window.go_to("members")
    statements: list[str] = []
    many_wang.connection().set_trace_callback(statements.append)
    try:
        page.search.setText("没有这个人")
    finally:
        many_wang.connection().set_trace_callback(None)
    assert not page.model.counting and page.model.total == 0
    # No count of the matches: only of those without a name key (a range of the name's index).
    counts = [s for s in statements if "COUNT(*)" in s and "search_text" in s]
    assert counts and all('"name_key" IS NULL' in s for s in counts)
    assert page.empty_label.text() == "没有符合条件的记录"
