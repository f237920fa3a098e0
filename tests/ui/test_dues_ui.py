"""党费 in the window: the page's filters, 生成月度记录, 标记已交, the form's calculator, the
rules dialog and the print preview's documents — on the demo ledger."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import peewee as pw
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from partybuild.ledgers import spec
from partybuild.services import dues, records
from partybuild.services.query import Filters, LedgerQuery
from partybuild.store import models as m
from partybuild.ui.dues_page import DuesPage
from partybuild.ui.dues_settings import DuesSettingsDialog
from partybuild.ui.form import RecordDialog
from partybuild.ui.main_window import MainWindow

SHOTS = os.environ.get("PARTYBUILD_SHOTS")  # a folder: save what a person would see


def _shot(widget, name: str) -> None:  # noqa: ANN001
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _choose(combo, data: object) -> None:  # noqa: ANN001
    combo.setCurrentIndex(combo.findData(data))


def test_page_filters_by_branch_month_and_state(demo: pw.Database, qtbot: QtBot) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.resize(1360, 840)
    page = window.go_to("dues")
    assert isinstance(page, DuesPage)
    lapsed = dues.arrears(dt.date(2024, 1, 1))[0]
    branch = m.Member.get_by_id(lapsed.member_id).branch
    _choose(page.filter_combos["branch"], branch.id)
    _choose(page.filter_combos["year"], 2023)
    _choose(page.filter_combos["month"], 8)
    _choose(page.filter_combos["state"], "unpaid")
    expected = LedgerQuery(
        spec.DUES, Filters(branch_id=branch.id, year=2023, month=8, status="unpaid")
    )
    assert page.model.total == expected.count() >= 1
    names = {page.model.index(r, 0).data() for r in range(page.model.rowCount())}
    assert lapsed.name in names
    window.show()
    _shot(window, "dues-page")


def test_mark_paid_and_create_month_from_the_page(demo: pw.Database, qtbot: QtBot) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    page = window.go_to("dues")
    lapsed = dues.arrears(dt.date(2024, 1, 1))[0]
    branch = m.Member.get_by_id(lapsed.member_id).branch
    _choose(page.filter_combos["branch"], branch.id)
    _choose(page.filter_combos["state"], "unpaid")
    count = page.model.total
    page.table.selectAll()
    dialog = page.open_mark_paid()
    assert dialog is not None
    dialog.date_edit.setDate(QDate(2023, 12, 29))
    _choose(dialog.method_combo, "cash")
    dialog.accept()
    assert page.model.total == 0
    row = m.Dues.get(m.Dues.member == lapsed.member_id, m.Dues.month == dt.date(2023, 8, 1))
    assert (row.paid, row.paid_on, row.method) == (row.due, dt.date(2023, 12, 29), "cash")
    assert count >= 8
    # A new month for the branch from December, carrying each member's base.
    _choose(page.filter_combos["state"], None)
    creator = page.open_create_month()
    creator.month_edit.setDate(QDate(2024, 1, 1))
    creator.accept()
    january = m.Dues.select().where(m.Dues.month == dt.date(2024, 1, 1))
    december = {r.member_id: r for r in m.Dues.select().where(m.Dues.month == dt.date(2023, 12, 1))}
    assert january.count() > 0
    for r in january:
        assert r.member.branch_id == branch.id
        assert (r.kind, r.base) == (december[r.member_id].kind, december[r.member_id].base)


def test_the_form_calculates_as_the_base_is_typed(demo: pw.Database, qtbot: QtBot) -> None:
    member = m.Member.select().where(m.Member.category == "full").first()
    dialog = RecordDialog(spec.DUES, None)
    qtbot.addWidget(dialog)
    dialog.open()
    form = dialog.form
    form.editor("member").set_record_id(member.id)
    form.editor("month").setText("2024.02")
    base = form.editor("base")
    base.clear()
    qtbot.keyClicks(base, "5100")
    assert form.editor("rate").text() == "1.5%" and form.editor("due").text() == "76.50"
    base.clear()
    qtbot.keyClicks(base, "5000")
    assert form.editor("rate").text() == "1%" and form.editor("due").text() == "50.00"
    _choose(form.editor("kind"), "retired")
    assert form.editor("due").text() == "25.00"
    _shot(dialog, "dues-form")
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    record = records.get(spec.DUES, saved.args[0])
    assert (record.kind, record.base, record.rate, record.due) == (
        "retired",
        Decimal("5000.00"),
        Decimal("0.005"),
        Decimal("25.00"),
    )


def test_rules_dialog_saves_and_refuses_in_place(sqlite_db: pw.Database, qtbot: QtBot) -> None:
    dialog = DuesSettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _shot(dialog, "dues-settings")
    table = dialog.working.table
    assert table.item(0, 0).text() == "3000" and table.item(0, 1).text() == "0.5%"
    table.item(0, 0).setText("6000")  # above the next bracket's 5000: refused
    dialog.accept()
    assert dialog.isVisible() and "应高于上一档" in dialog.error.text()
    table.item(0, 0).setText("3500")
    dialog.flat_edits["farmer"].setText("0.50")
    dialog.committee.setChecked(True)
    dialog.accept()
    assert not dialog.isVisible()
    assert dues.calculate("working", Decimal("3500")).due == Decimal("17.50")
    assert dues.calculate("farmer", None).due == Decimal("0.50")
    assert dues.load_rules().committee_print
    again = DuesSettingsDialog()
    qtbot.addWidget(again)
    again.defaults_button.click()
    again.accept()
    assert dues.calculate("working", Decimal("3500")).due == Decimal("35.00")


def test_print_preview_offers_the_notices_and_the_ledger(demo: pw.Database, qtbot: QtBot) -> None:
    from partybuild.ui.print_dialogs import open_print

    window = MainWindow(demo)
    qtbot.addWidget(window)
    page = window.go_to("dues")
    branch = m.Branch.select().where(m.Branch.kind == "standalone").first()
    _choose(page.filter_combos["branch"], branch.id)
    _choose(page.filter_combos["year"], 2023)
    _choose(page.filter_combos["month"], 5)
    preview = open_print(window)
    assert preview is not None
    labels = [preview.document_combo.itemText(i) for i in range(preview.document_combo.count())]
    assert labels == [
        "2023年5月党费收缴公示表",
        "2023年第2季度党费收缴公示表",
        "2023年党费收缴台账",
    ]
    assert preview.document().title == f"{branch.name}2023年5月党费收缴公示表"
    preview.close()


def test_overview_reminds_of_arrears_and_opens_the_unpaid_months(
    demo: pw.Database, qtbot: QtBot
) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    overview = window.go_to("overview")
    overview.set_year(2023)
    texts = [t for t in overview.reminder_texts() if "欠交党费" in t]
    lapsed = dues.arrears(dt.date(2024, 1, 1))[0]
    assert len(texts) == 1 and texts[0].startswith(f"{lapsed.name}（") and "自行脱党" in texts[0]
    widget = overview.reminder_list
    item = next(
        widget.item(i) for i in range(widget.count()) if "欠交党费" in widget.item(i).text()
    )
    overview._item_activated(item)
    page = window.current_page()
    assert isinstance(page, DuesPage)
    assert page.model.total == len(lapsed.record_ids) == 8


def test_rows_are_coloured_by_their_state(sqlite_db: pw.Database, qtbot: QtBot) -> None:
    from partybuild.domain.validators import make_id_number

    branch = records.create(spec.BRANCHES, {"name": "一支部", "kind": "standalone"})
    who = records.create(
        spec.MEMBERS,
        {"name": "示甲", "id_number": make_id_number("999999", dt.date(1980, 1, 1), 1),
         "branch": branch.id},
    )  # fmt: skip
    for month, extra in (
        (1, {"paid": "76.50", "paid_on": dt.date(2023, 1, 5)}),
        (2, {}),
        (3, {"paid": "10", "paid_on": dt.date(2023, 3, 5)}),
        (4, {"paid": "76.50", "paid_on": dt.date(2023, 6, 5)}),
    ):
        records.create(
            spec.DUES, {"member": who.id, "month": dt.date(2023, month, 1), "base": "5100", **extra}
        )
    page = DuesPage()
    qtbot.addWidget(page)
    tips = {}
    for r in range(page.model.rowCount()):
        index = page.model.index(r, 0)
        tips[page.model.index(r, 1).data()] = index.data(Qt.ItemDataRole.ToolTipRole)
    assert tips == {
        "2023.04": "补交：交纳日期晚于所属月份",
        "2023.03": "少交：实交少于应交",
        "2023.02": "未交",
        "2023.01": "示甲",  # paid in time: only the cell's own tooltip
    }
