"""Dates to the month in the app: typed 1998.11 where a date of record allows it, shown 1998.11
in the table and the detail; refused with its reason where an event needs its day."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from partybuild.domain.dates import PartialDate
from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import records
from partybuild.store import models as m
from partybuild.ui.detail import MemberDetailPanel
from partybuild.ui.form import DateInput, PartialDateInput
from partybuild.ui.table_model import LedgerTableModel
from tests.ui.test_form import open_dialog, type_text

ID = make_id_number("999999", dt.date(1985, 6, 15), 123)


@pytest.fixture
def branch(sqlite_db: pw.Database) -> m.Branch:
    return records.create("branches", {"name": "第一联合党支部", "kind": "joint"})


def test_a_member_joined_in_1998_11_is_typed_saved_and_shown_so(
    qtbot: QtBot, branch: m.Branch
) -> None:
    dialog = open_dialog(qtbot, "members")
    form = dialog.form
    type_text(qtbot, form.editor("name"), "张示安")
    type_text(qtbot, form.editor("id_number"), ID)
    joined = form.editor("joined_on")
    assert isinstance(joined, PartialDateInput)
    qtbot.keyClicks(joined, "1998.11")
    type_text(qtbot, form.editor("confirmed_on"), "1999年11月")
    type_text(qtbot, form.editor("birth_date"), "1985-06")  # the ID number gives the day
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    member = m.Member.get_by_id(saved.args[0])
    assert member.joined_on == PartialDate(1998, 11) and member.joined_on_precision == "month"
    assert member.confirmed_on == PartialDate(1999, 11)
    assert member.birth_date == dt.date(1985, 6, 15) and member.birth_date_precision is None

    again = open_dialog(qtbot, "members", member.id)
    assert again.form.editor("joined_on").text() == "1998.11"
    assert again.form.editor("confirmed_on").text() == "1999.11"
    assert again.form.editor("birth_date").text() == "1985-06-15"
    assert again.form.values()["joined_on"] == PartialDate(1998, 11)

    table = LedgerTableModel(spec.MEMBERS)
    columns = [c.name for c in spec.MEMBERS.columns]
    row = table.row_of(member.id)
    assert row is not None
    shown = {
        name: table.data(table.index(row, columns.index(name)))
        for name in ("birth_date", "joined_on", "confirmed_on")
    }
    assert shown == {"birth_date": "1985-06-15", "joined_on": "1998.11", "confirmed_on": "1999.11"}

    panel = MemberDetailPanel()
    qtbot.addWidget(panel)
    panel.show_record(member.id)
    text = panel.plain_text()
    assert "入党日期" in text and "1998.11" in text and "1999.11" in text
    assert "1998-11-01" not in text and "党龄" in text


def test_a_date_of_record_that_is_no_date_is_refused_beside_the_field(
    qtbot: QtBot, branch: m.Branch
) -> None:
    dialog = open_dialog(qtbot, "members")
    type_text(qtbot, dialog.form.editor("name"), "张示安")
    type_text(qtbot, dialog.form.editor("id_number"), ID)
    type_text(qtbot, dialog.form.editor("joined_on"), "去年七一")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and m.Member.select().count() == 0
    error = dialog.form.error_label("joined_on")
    assert error.isVisible()
    assert error.text() == "无法识别的日期“去年七一”（请写成 2023-04-18，或只填到月 1998.11）"


def test_a_meeting_typed_to_the_month_is_refused_with_the_reason(
    qtbot: QtBot, branch: m.Branch
) -> None:
    dialog = open_dialog(qtbot, "activities")
    form = dialog.form
    form.editor("branch").set_record_id(branch.id)
    kind = form.editor("kind")
    kind.setCurrentIndex(kind.findData("general_meeting"))
    type_text(qtbot, form.editor("topic"), "学习党的二十大精神")
    date = form.editor("date")
    assert isinstance(date, DateInput)
    qtbot.keyClicks(date, "1998.11")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and m.Activity.select().count() == 0
    error = form.error_label("date")
    assert error.isVisible()
    assert error.text() == "“1998.11”只精确到月，无法确定具体日期，请填写完整日期（如 2019-07-01）"
    # Typed to the day, it is a date.
    date.clear_value()
    qtbot.keyClicks(date, "1998-11-05")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert m.Activity.get().date == dt.date(1998, 11, 5)


def test_the_partial_date_editor_reads_what_people_write(qtbot: QtBot) -> None:
    editor = PartialDateInput()
    qtbot.addWidget(editor)
    assert editor.value() is None
    for typed, expected in [
        ("1998.11", PartialDate(1998, 11)),
        ("1998-11", PartialDate(1998, 11)),
        ("1998", PartialDate(1998)),
        ("2023-04-18", dt.date(2023, 4, 18)),
        ("20230418", dt.date(2023, 4, 18)),
    ]:
        editor.clear()
        qtbot.keyClicks(editor, typed)
        value = editor.value()
        assert value == expected and type(value) is type(expected), typed
    editor.set_value(PartialDate(2005))
    assert editor.text() == "2005"
    editor.calendar.clicked.emit(editor.calendar.selectedDate().addDays(0))
    assert isinstance(editor.value(), dt.date) and editor.text().count("-") == 2
