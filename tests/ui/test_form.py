"""The generated create/edit form: every ledger builds, saves, refuses, edits and survives a race."""

from __future__ import annotations

import datetime as dt
import sys
import types
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import peewee as pw
import pytest
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from partybuild.domain.dates import PartialDate
from partybuild.domain.validators import id_check_char, make_credit_code, make_id_number
from partybuild.ledgers import spec
from partybuild.services import lookup, records
from partybuild.store import models as m
from partybuild.ui.choice_box import ChoiceBox
from partybuild.ui.form import (
    DateInput,
    DateTimeInput,
    LinkPicker,
    PartialDateInput,
    RecordDialog,
    RecordForm,
)

GOOD_ID = make_id_number("999999", dt.date(1985, 6, 15), 123)
CODE = make_credit_code("91360281MA35ABCDE")
LEDGER_NAMES = list(spec.LEDGERS)


def wrong_check(id_number: str) -> str:
    right = id_check_char(id_number[:17])
    return id_number[:17] + ("0" if right != "0" else "1")


@dataclass
class World:
    branch: m.Branch
    enterprise: m.Enterprise
    training: m.Training
    team: m.Team
    member: m.Member
    binned_branch: m.Branch


@pytest.fixture
def world(sqlite_db: pw.Database) -> World:
    branch = records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    binned = records.create("branches", {"name": "第九联合党支部", "kind": "joint"})
    records.soft_delete("branches", binned.id)
    enterprise = records.create(
        "enterprises", {"name": "恒远化工有限公司", "credit_code": CODE, "branch": branch.id}
    )
    training = records.create(
        "trainings", {"name": "党员轮训", "kind": "rotation", "start_date": dt.date(2023, 4, 10)}
    )
    team = records.create("teams", {"name": "党员志愿服务队", "kind": "volunteer"})
    member = records.create(
        "members",
        {
            "name": "张示安",
            "id_number": make_id_number("999999", dt.date(1980, 1, 2), 11),
            "enterprise": enterprise.id,
            "branch": branch.id,
        },
    )
    return World(branch, enterprise, training, team, member, binned)


def valid_values(ledger: str, w: World) -> dict[str, Any]:
    """A valid new record per ledger, touching every kind of editor somewhere."""
    return {
        "branches": {
            "name": "第二联合党支部",
            "kind": "joint",
            "parent": w.branch.id,
            "founded_on": dt.date(2019, 7, 1),
            "has_committee": True,
            "note": "覆盖三家企业\n每月主题党日",
        },
        "enterprises": {
            "name": "新材料科技有限公司",
            "industry": "new_material",
            "employees": 120,
            "above_scale": True,
            "branch": w.branch.id,
        },
        "members": {
            "name": "李示范",
            "id_number": GOOD_ID,
            "ethnicity": "汉族",
            "education": "bachelor",
            "phone": "13812345678",
            "enterprise": w.enterprise.id,
            "branch": w.branch.id,
            "joined_on": dt.date(2010, 7, 1),
            "confirmed_on": dt.date(2011, 7, 1),
        },
        "activities": {
            "branch": w.branch.id,
            "kind": "general_meeting",
            "date": dt.date(2023, 3, 28),
            "topic": "第一季度党员大会",
            "place": "园区党群服务中心",
        },
        "trainings": {
            "name": "2023年党员轮训",
            "kind": "rotation",
            "start_date": dt.date(2023, 5, 2),
            "end_date": dt.date(2023, 5, 3),
            "hours": 4.5,
        },
        "attendance": {
            "training": w.training.id,
            "person_name": "王访客",
            "person_unit": "园区管委会",
            "status": "signed",
            "signed_at": dt.datetime(2023, 4, 10, 8, 30),
        },
        "teams": {"name": "青年突击队", "kind": "commando", "branch": w.branch.id},
        "services": {
            "team": w.team.id,
            "date": dt.date(2023, 6, 1),
            "topic": "安全生产宣传",
            "target_enterprise": w.enterprise.id,
            "hours": 2.0,
        },
        "issues": {
            "enterprise": w.enterprise.id,
            "received_on": dt.date(2023, 3, 1),
            "category": "staffing",
            "description": "一线操作工招工难",
            "deadline": dt.date(2023, 4, 1),
        },
        "recruitment": {
            "name": "赵示申",
            "id_number": make_id_number("999999", dt.date(1999, 4, 8), 21),
            "branch": w.branch.id,
            "applied_on": dt.date(2023, 3, 1),
            "talked_on": dt.date(2023, 3, 20),
            "mentors": "张示安",
        },
        "dues": {
            "member": w.member.id,
            "month": PartialDate(2023, 5),
            "base": Decimal("5100.00"),
            "paid": Decimal("76.50"),
            "paid_on": dt.date(2023, 5, 10),
            "method": "online",
        },
    }[ledger]


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as an input method commits it.

    (QTest cannot synthesise key presses for non-ASCII characters.)
    """
    run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii() == (run[:1].isascii() if run else ch.isascii()):
            run += ch
            continue
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)
        run = ch if ch != "\0" else ""


def fill(qtbot: QtBot, form: RecordForm, name: str, value: Any) -> None:
    """Put a value in a field the way a user would, typing where a keyboard is the way."""
    editor = form.editor(name)
    if isinstance(editor, LinkPicker):
        editor.set_record_id(value)
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, DateTimeInput):
        editor.clear_value()
        qtbot.keyClicks(editor, f"{value:%Y-%m-%d %H:%M}")
    elif isinstance(editor, DateInput):
        editor.clear_value()
        qtbot.keyClicks(editor, f"{value:%Y-%m-%d}")
    elif isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findData(value))
    elif isinstance(editor, QPlainTextEdit):
        editor.clear()
        for line_no, line in enumerate(str(value).split("\n")):
            if line_no:
                qtbot.keyClick(editor, Qt.Key.Key_Return)
            type_text(qtbot, editor, line)
    else:
        assert isinstance(editor, QLineEdit)
        editor.clear()
        type_text(qtbot, editor, f"{value:g}" if isinstance(value, float) else str(value))


def open_dialog(qtbot: QtBot, ledger: str, record_id: int | None = None) -> RecordDialog:
    dialog = RecordDialog(spec.ledger(ledger), record_id)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.open()
        dialog.activateWindow()
    return dialog


def stored(ledger: spec.Ledger, record_id: int) -> dict[str, Any]:
    record = ledger.model.get_by_id(record_id)
    return {
        c.name: getattr(record, c.field.column_name if c.kind == spec.LINK else c.name)
        for c in ledger.columns
    }


def first_text_column(ledger: spec.Ledger) -> str:
    """A one-line text field that may be set on its own (党费's 批准文号 needs a 减免)."""
    return next(
        c.name
        for c in ledger.columns
        if c.kind == spec.TEXT and (ledger.name, c.name) != ("dues", "decision_doc")
    )


# --------------------------------------------------------------------------- every ledger


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_dialog_builds_with_an_editor_per_column_and_required_fields_marked(
    qtbot: QtBot, world: World, name: str
) -> None:
    ledger = spec.ledger(name)
    dialog = open_dialog(qtbot, name)
    assert dialog.windowTitle() == f"新建{ledger.label}"
    # No relations before the record exists; 企业诉求 has its 办理进度 fields on a tab of their own.
    assert dialog.tabs.count() == (2 if name == "issues" else 1)
    for column in ledger.columns:
        label = dialog.form.label(column.name)
        assert column.label in label.text()
        if dialog.form.in_section(column.name):
            dialog.tabs.setCurrentIndex(1)
        else:
            dialog.tabs.setCurrentIndex(0)
        assert dialog.form.editor(column.name).isVisible()
        assert not dialog.form.error_label(column.name).isVisible()
        if column.required:
            assert "*" in label.text() and label.toolTip() == "必填"
        else:
            assert "*" not in label.text() and label.toolTip() == ""


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_creating_a_valid_record_through_the_dialog_writes_it(
    qtbot: QtBot, world: World, name: str
) -> None:
    ledger = spec.ledger(name)
    before = ledger.model.select().count()
    data = valid_values(name, world)
    dialog = open_dialog(qtbot, name)
    for field, value in data.items():
        fill(qtbot, dialog.form, field, value)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    if name in RecordDialog.LIST_AFTER_CREATE:  # stays open on its list (签到名单)
        assert dialog.isVisible() and dialog.tabs.currentIndex() == 1
    else:
        assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert ledger.model.select().count() == before + 1
    values = stored(ledger, saved.args[0])
    for field, value in data.items():
        assert values[field] == value, field
    # Fields left empty stay empty (or take the model default), never a made-up value.
    for column in ledger.columns:
        if column.name not in data and column.kind in (
            spec.DATE,
            spec.PARTIAL_DATE,
            spec.INT,
            spec.FLOAT,
            spec.TEXT,
        ):
            if name in ("members", "recruitment") and column.name == "birth_date":
                continue  # read from the ID number by the service
            assert values[column.name] is None, column.name


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_an_empty_form_shows_what_is_required_and_writes_nothing(
    qtbot: QtBot, world: World, name: str
) -> None:
    ledger = spec.ledger(name)
    before = ledger.model.select().count()
    dialog = open_dialog(qtbot, name)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    for column in ledger.columns:
        error = dialog.form.error_label(column.name)
        if column.required:
            assert error.isVisible() and error.text() == "必填", column.name
    assert dialog.form.general_error.isVisible()
    assert ledger.model.select().count() == before


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_editing_shows_the_stored_values_and_saving_bumps_the_version(
    qtbot: QtBot, world: World, name: str
) -> None:
    ledger = spec.ledger(name)
    record = records.create(ledger, valid_values(name, world))
    dialog = open_dialog(qtbot, name, record.id)
    assert dialog.windowTitle() == f"编辑{ledger.label}：{ledger.title(record)}"
    assert dialog.version == 1
    assert dialog.form.values() == stored(ledger, record.id)
    field = first_text_column(ledger)
    fill(qtbot, dialog.form, field, "改过的内容")
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    fresh = ledger.model.get_by_id(record.id)
    assert fresh.version == 2 and getattr(fresh, field) == "改过的内容"
    others = {k: v for k, v in stored(ledger, record.id).items() if k != field}
    assert others == {k: v for k, v in dialog.form.values().items() if k != field}


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_a_stale_edit_is_not_saved_and_reload_brings_the_new_version(
    qtbot: QtBot, world: World, name: str
) -> None:
    ledger = spec.ledger(name)
    record = records.create(ledger, valid_values(name, world))
    field = first_text_column(ledger)
    dialog = open_dialog(qtbot, name, record.id)
    # Someone else saves while the dialog is open.
    records.update(ledger, record.id, {field: "他人的修改"}, expected_version=1)
    fill(qtbot, dialog.form, field, "我的修改")
    with qtbot.assertNotEmitted(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.stale_bar.isVisible() and "为避免覆盖" in dialog.stale_label.text()
    assert dialog.reload_button.isVisible()
    fresh = ledger.model.get_by_id(record.id)
    assert fresh.version == 2 and getattr(fresh, field) == "他人的修改"
    # The user's text is still there until they choose to reload.
    assert dialog.form.values()[field] == "我的修改"
    qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    assert not dialog.stale_bar.isVisible()
    assert dialog.version == 2 and dialog.form.values()[field] == "他人的修改"
    fill(qtbot, dialog.form, field, "重新载入后的修改")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert ledger.model.get_by_id(record.id).version == 3


def answer_unsaved(qtbot: QtBot, choice: str | None) -> list[str]:
    """Answer the next 保存 / 放弃 / 继续编辑 question by clicking ``choice`` (or with a key:
    ``"Enter"``, ``"Esc"``); returns the questions seen. Watches for two seconds."""
    asked: list[str] = []

    def poll(tries: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "unsaved_question":
            buttons = {b.text() for b in box.buttons()}
            asked.append(box.text() if buttons == {"保存", "放弃", "继续编辑"} else str(buttons))
            if choice == "Enter":
                qtbot.keyClick(box, Qt.Key.Key_Return)
            elif choice == "Esc":
                qtbot.keyClick(box, Qt.Key.Key_Escape)
            else:
                next(b for b in box.buttons() if b.text() == choice).click()
            return
        if tries:
            QTimer.singleShot(20, lambda: poll(tries - 1))

    QTimer.singleShot(0, lambda: poll(100))
    return asked


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_escape_on_a_filled_form_asks_and_discard_writes_nothing(
    qtbot: QtBot, world: World, name: str
) -> None:
    ledger = spec.ledger(name)
    before = ledger.model.select().count()
    dialog = open_dialog(qtbot, name)
    for field, value in valid_values(name, world).items():
        fill(qtbot, dialog.form, field, value)
    asked = answer_unsaved(qtbot, "放弃")
    with qtbot.assertNotEmitted(dialog.saved):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == [f"“新建{ledger.label}”中有尚未保存的内容。"]
    assert dialog.result() == QDialog.DialogCode.Rejected and not dialog.isVisible()
    assert ledger.model.select().count() == before


def test_continue_editing_keeps_every_character_typed(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, "members")
    fill(qtbot, dialog.form, "name", "王示明")
    fill(qtbot, dialog.form, "phone", "13800000000")
    fill(qtbot, dialog.form, "joined_on", dt.date(2019, 7, 1))
    typed = dialog.form.values()
    for leave, answer in (
        (lambda: qtbot.keyClick(dialog, Qt.Key.Key_Escape), "继续编辑"),
        (lambda: qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton), "Esc"),
        (dialog.close, "继续编辑"),  # the window's close button
    ):
        asked = answer_unsaved(qtbot, answer)
        leave()
        assert len(asked) == 1
        assert dialog.isVisible() and dialog.form.values() == typed
        assert dialog.form.editor("name").text() == "王示明"
    assert m.Member.select().where(m.Member.name == "王示明").count() == 0


def test_save_from_the_question_saves_or_stays_with_the_errors(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, "branches")
    fill(qtbot, dialog.form, "secretary", "张示安")  # 名称 (required) still empty
    answer_unsaved(qtbot, "保存")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.form.error_label("name").text() == "必填"
    assert dialog.form.editor("secretary").text() == "张示安"
    fill(qtbot, dialog.form, "name", "第三联合党支部")
    fill(qtbot, dialog.form, "kind", "joint")
    asked = answer_unsaved(qtbot, "Enter")  # Enter is 保存
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked and dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    branch = m.Branch.get_by_id(saved.args[0])
    assert (branch.name, branch.kind, branch.secretary) == ("第三联合党支部", "joint", "张示安")


@pytest.mark.parametrize("name", LEDGER_NAMES)
def test_an_unchanged_form_closes_without_a_question(qtbot: QtBot, world: World, name: str) -> None:
    dialog = open_dialog(qtbot, name)
    asked = answer_unsaved(qtbot, "继续编辑")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and asked == []
    record = records.create(name, valid_values(name, world))
    dialog = open_dialog(qtbot, name, record.id)
    fill(qtbot, dialog.form, first_text_column(spec.ledger(name)), "临时改动")
    fill(
        qtbot,
        dialog.form,
        first_text_column(spec.ledger(name)),
        stored(spec.ledger(name), record.id)[first_text_column(spec.ledger(name))] or "",
    )
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # typed back as it was
    assert not dialog.isVisible() and asked == []


def test_editing_a_record_asks_before_its_changes_are_lost(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, "members", world.member.id)
    fill(qtbot, dialog.form, "phone", "13900000000")
    asked = answer_unsaved(qtbot, "放弃")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert asked == [f"“{dialog.windowTitle()}”中有尚未保存的内容。"] and not dialog.isVisible()
    fresh = m.Member.get_by_id(world.member.id)
    assert fresh.phone is None and fresh.version == 1


# --------------------------------------------------------------------------- validation


def test_wrong_id_check_character_is_shown_beside_the_id_number(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, "members")
    fill(qtbot, dialog.form, "name", "李示范")
    fill(qtbot, dialog.form, "id_number", wrong_check(GOOD_ID))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.form.error_label("id_number")
    assert error.isVisible() and "校验位" in error.text()
    assert not dialog.form.error_label("name").isVisible()
    assert dialog.isVisible()
    assert m.Member.select().count() == 1  # only the fixture's member
    qtbot.waitUntil(lambda: dialog.form.editor("id_number").hasFocus())
    # Correcting the field and saving again clears the message and writes the member.
    fill(qtbot, dialog.form, "id_number", GOOD_ID)
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert m.Member.get(m.Member.id_number == GOOD_ID).birth_date == dt.date(1985, 6, 15)


def test_training_ending_before_it_starts_is_refused_beside_the_end_date(
    qtbot: QtBot, world: World
) -> None:
    dialog = open_dialog(qtbot, "trainings")
    data = valid_values("trainings", world) | {"end_date": dt.date(2023, 5, 1)}
    for field, value in data.items():
        fill(qtbot, dialog.form, field, value)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.form.error_label("end_date")
    assert error.isVisible() and "结束日期不能早于开始日期" in error.text()
    assert not m.Training.select().where(m.Training.name == "2023年党员轮训").exists()


def test_general_errors_are_shown_at_the_top(qtbot: QtBot, world: World) -> None:
    form = RecordForm(spec.ledger("branches"))
    qtbot.addWidget(form)
    form.show()
    form.show_errors({"__all__": "与已有记录冲突", "name": "必填"})
    assert form.general_error.isVisible() and "与已有记录冲突" in form.general_error.text()
    assert form.error_label("name").isVisible()
    form.clear_errors()
    assert not form.general_error.isVisible() and not form.error_label("name").isVisible()


def test_a_deleted_record_cannot_be_saved_over(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, "branches", world.branch.id)
    records.soft_delete("branches", world.branch.id)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.stale_bar.isVisible() and "删除" in dialog.stale_label.text()
    assert not dialog.reload_button.isVisible()


# --------------------------------------------------------------------------- editors


def test_empty_values_stay_empty(qtbot: QtBot, world: World) -> None:
    form = RecordForm(spec.ledger("enterprises"))
    qtbot.addWidget(form)
    values = form.values()
    assert values["employees"] is None and values["industry"] is None
    assert values["branch"] is None and values["credit_code"] is None
    assert values["kind"] == "industrial" and values["in_service"] is True  # model defaults
    members = RecordForm(spec.ledger("members"))
    qtbot.addWidget(members)
    assert members.values()["birth_date"] is None
    assert members.values()["category"] == "full"


def test_date_editor_types_clears_and_round_trips(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    editor = DateInput()
    qtbot.addWidget(editor)
    assert editor.value() is None and editor.calendarPopup()
    assert editor.displayFormat() == "yyyy-MM-dd"
    for typed in ("2023-05-01", "20230501", "2023/5/1"):
        editor.clear_value()
        qtbot.keyClicks(editor, typed)
        assert editor.value() == dt.date(2023, 5, 1), typed
    editor.lineEdit().selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert editor.value() is None
    editor.set_value(dt.date(1900, 1, 1))  # the earliest date the service accepts is not "empty"
    assert editor.value() == dt.date(1900, 1, 1)
    timed = DateTimeInput()
    qtbot.addWidget(timed)
    qtbot.keyClicks(timed, "2023-05-01 08:30")
    assert timed.value() == dt.datetime(2023, 5, 1, 8, 30)


def test_required_choice_has_no_empty_item_and_optional_one_has(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    form = RecordForm(spec.ledger("branches"))
    qtbot.addWidget(form)
    kind = form.editor("kind")
    assert isinstance(kind, QComboBox)
    assert kind.currentIndex() == -1 and kind.itemText(0) == "独立党支部"
    assert kind.itemData(0) == "standalone"
    members = RecordForm(spec.ledger("members"))
    qtbot.addWidget(members)
    education = members.editor("education")
    assert isinstance(education, QComboBox)
    assert education.itemText(0) == "" and education.itemData(0) is None
    assert education.itemText(1) == "研究生"


def test_line_edit_limits(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    members = RecordForm(spec.ledger("members"))
    qtbot.addWidget(members)
    id_number = members.editor("id_number")
    phone = members.editor("phone")
    assert (
        isinstance(id_number, QLineEdit) and id_number.maxLength() == 24
    )  # grouped as on the card
    assert isinstance(phone, QLineEdit) and phone.maxLength() == 32
    name = members.editor("name")
    assert isinstance(name, QLineEdit) and name.maxLength() == 255


def test_tab_order_follows_the_layout(qtbot: QtBot, sqlite_db: pw.Database) -> None:
    dialog = open_dialog(qtbot, "members")
    editors = dialog.form.editors()
    stops = [*editors, dialog.save_button, dialog.cancel_button]

    def current_stop() -> QWidget | None:
        widget = QApplication.focusWidget()
        while widget is not None and widget not in stops:
            widget = widget.parentWidget()  # a combo's or date edit's inner line edit
        return widget

    editors[0].setFocus()
    qtbot.waitUntil(lambda: current_stop() is editors[0])
    visited = [current_stop()]
    for _ in range(len(stops) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(current_stop())
    assert visited == stops


# --------------------------------------------------------------------------- link picker


def test_link_picker_finds_a_branch_by_part_of_its_name_but_not_a_binned_one(
    qtbot: QtBot, world: World
) -> None:
    second = records.create("branches", {"name": "第二联合党支部", "kind": "joint"})
    records.create("branches", {"name": "区域党支部", "kind": "regional"})
    dialog = open_dialog(qtbot, "enterprises")
    picker = dialog.form.editor("branch")
    assert isinstance(picker, LinkPicker)
    picker.setFocus()
    type_text(qtbot, picker.lineEdit(), "联合")
    qtbot.waitUntil(lambda: picker.count() > 0)
    assert picker.titles() == ["第一联合党支部", "第二联合党支部"]  # not 第九 (in the bin)
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert picker.currentText() == "第二联合党支部"
    assert picker.record_id() == second.id
    assert dialog.form.values()["branch"] == second.id
    picker.lineEdit().clear()
    assert picker.record_id() is None


def test_link_picker_resolves_a_typed_full_name_and_refuses_an_unknown_one(
    qtbot: QtBot, world: World
) -> None:
    dialog = open_dialog(qtbot, "activities")
    picker = dialog.form.editor("branch")
    assert isinstance(picker, LinkPicker)
    type_text(qtbot, picker.lineEdit(), "第一联合党支部")
    assert picker.record_id() == world.branch.id
    picker.lineEdit().clear()
    type_text(qtbot, picker.lineEdit(), "第九联合党支部")  # in the recycle bin
    assert picker.record_id() is None
    data = valid_values("activities", world)
    for field in ("kind", "date", "topic"):
        fill(qtbot, dialog.form, field, data[field])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.form.error_label("branch").isVisible()
    assert m.Activity.select().count() == 0


def test_member_picker_tells_namesakes_apart_by_enterprise(qtbot: QtBot, world: World) -> None:
    other = records.create("enterprises", {"name": "博瑞医药有限公司"})
    namesake = records.create(
        "members",
        {
            "name": "张示安",
            "id_number": make_id_number("999999", dt.date(1990, 3, 4), 21),
            "enterprise": other.id,
        },
    )
    picker = LinkPicker(m.Member)
    qtbot.addWidget(picker)
    type_text(qtbot, picker.lineEdit(), "张示")
    picker.search_now()
    assert sorted(picker.titles()) == ["张示安（博瑞医药有限公司）", "张示安（恒远化工有限公司）"]
    picker.lineEdit().clear()
    type_text(qtbot, picker.lineEdit(), "张示安（博瑞医药有限公司）")
    assert picker.record_id() == namesake.id
    picker.set_record_id(world.member.id)
    assert picker.currentText() == "张示安（恒远化工有限公司）"
    assert picker.record_id() == world.member.id


def test_lookup_is_limited_and_skips_the_recycle_bin(world: World) -> None:
    for i in range(60):
        records.create("branches", {"name": f"测试党支部{i:02d}", "kind": "regional"})
    found = lookup.search_titles(m.Branch, "测试")
    assert len(found) == 50
    assert found[0] == (found[0][0], "测试党支部00")
    assert lookup.search_titles(m.Branch, "第九") == []
    assert lookup.title_of(m.Branch, world.binned_branch.id) == "第九联合党支部（在回收站中）"
    assert lookup.search_titles(m.Training, "轮训") == [
        (world.training.id, "党员轮训（2023-04-10）")
    ]
    assert lookup.resolve_title(m.Training, "党员轮训（2023-04-10）") == world.training.id
    # LIKE wildcards typed by a user are plain characters.
    assert lookup.search_titles(m.Branch, "%") == []


# --------------------------------------------------------------------------- relations tab


def test_relation_editor_becomes_a_tab_when_available(
    qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []

    def relation_editor_for(ledger: str, record_id: int, parent: QWidget) -> QWidget:
        calls.append((ledger, record_id))
        widget = QWidget(parent)
        widget.setWindowTitle("服务队队员")
        return widget

    fake = types.ModuleType("partybuild.ui.relations")
    fake.relation_editor_for = relation_editor_for  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "partybuild.ui.relations", fake)
    dialog = open_dialog(qtbot, "teams", world.team.id)
    assert calls == [("teams", world.team.id)]
    assert dialog.tabs.count() == 2 and dialog.tabs.tabText(1) == "服务队队员"

    monkeypatch.setitem(sys.modules, "partybuild.ui.relations", None)
    alone = open_dialog(qtbot, "teams", world.team.id)
    assert alone.tabs.count() == 1


# --------------------------------------------------------------------------- how it looks


def test_members_dialog_fits_the_screen_and_is_grabbed(qtbot: QtBot, world: World) -> None:
    dialog = open_dialog(qtbot, "members")
    data = valid_values("members", world) | {"id_number": wrong_check(GOOD_ID)}
    for field, value in data.items():
        fill(qtbot, dialog.form, field, value)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.width() <= 1280 and dialog.height() <= 800
    # Every field is visible without scrolling at this size.
    assert not dialog.scroll.verticalScrollBar().isVisible()
    assert not dialog.scroll.horizontalScrollBar().isVisible()
    dialog.form.editor("name").setFocus()
    assert dialog.grab().save("/tmp/form_members.png")


class FakeProgressTab(QWidget):
    """Stands in for a relations tab that saves fields of the dialog's own record."""

    saved = Signal(int)


def test_a_tab_saving_the_same_record_is_taken_over_not_reported_as_a_clash(
    qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    tabs: list[FakeProgressTab] = []

    def relation_editor_for(ledger: str, record_id: int, parent: QWidget) -> QWidget:
        tab = FakeProgressTab(parent)
        tab.setWindowTitle("办理进度")
        tabs.append(tab)
        return tab

    fake = types.ModuleType("partybuild.ui.relations")
    fake.relation_editor_for = relation_editor_for  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "partybuild.ui.relations", fake)
    issue = records.create("issues", valid_values("issues", world))
    dialog = open_dialog(qtbot, "issues", issue.id)
    fill(qtbot, dialog.form, "responsible_unit", "园区人社局")
    # The 办理进度 tab saves state and measures of the same record.
    progress = {"state": "in_progress", "measures": "已对接人社局"}
    records.update("issues", issue.id, progress, expected_version=1)
    tabs[0].saved.emit(2)
    assert dialog.version == 2 and not dialog.stale_bar.isVisible()
    assert dialog.form.values()["state"] == "in_progress"
    assert dialog.form.values()["responsible_unit"] == "园区人社局"  # the user's edit stays
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    fresh = m.EnterpriseIssue.get_by_id(issue.id)
    assert fresh.version == 3 and fresh.state == "in_progress"
    assert fresh.measures == "已对接人社局" and fresh.responsible_unit == "园区人社局"

    # The same field changed in both places is a real conflict: nothing is overwritten.
    again = open_dialog(qtbot, "issues", issue.id)
    fill(qtbot, again.form, "measures", "本页写的措施")
    records.update("issues", issue.id, {"measures": "进度页写的措施"}, expected_version=3)
    tabs[-1].saved.emit(4)
    assert again.stale_bar.isVisible() and "解决措施" in again.stale_label.text()
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    assert m.EnterpriseIssue.get_by_id(issue.id).measures == "进度页写的措施"


def test_lookup_works_on_every_database(db: pw.Database) -> None:
    """The picker's SQL (ILIKE on PostgreSQL, prefix matches first) behaves the same everywhere."""
    unit = records.create("enterprises", {"name": "恒远化工有限公司"})
    for i, name in enumerate(["王小明", "小明", "李小明"]):
        records.create(
            "members",
            {
                "name": name,
                "id_number": make_id_number("999999", dt.date(1990, 1, 1), i),
                "enterprise": unit.id if name == "小明" else None,
            },
        )
    gone = records.create("branches", {"name": "Alpha党支部", "kind": "joint"})
    records.soft_delete("branches", gone.id)
    records.create("branches", {"name": "alpha联合党支部", "kind": "joint"})
    assert [t for _, t in lookup.search_titles(m.Member, "小明")] == [
        "小明（恒远化工有限公司）",
        "李小明",
        "王小明",
    ]
    assert [t for _, t in lookup.search_titles(m.Branch, "ALPHA")] == ["alpha联合党支部"]
    only = lookup.search_titles(m.Member, "小明（恒远化工有限公司）")
    assert only == []  # the display suffix is not part of the name ...
    found = lookup.resolve_title(m.Member, "小明（恒远化工有限公司）")
    assert found == lookup.search_titles(m.Member, "小明")[0][0]  # ... but resolves exactly


@pytest.mark.parametrize("editor_type", [DateInput, PartialDateInput])
def test_retyping_a_filled_date_replaces_it(qtbot: QtBot, editor_type: type) -> None:
    """Click into a filled date, Ctrl+A, type a new one: the new date is what the field holds."""
    editor = editor_type()
    qtbot.addWidget(editor)
    editor.show()
    editor.set_value(dt.date(2019, 3, 15))
    qtbot.mouseClick(editor, Qt.MouseButton.LeftButton)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "2020-07-01")
    assert editor.value() == dt.date(2020, 7, 1)


def test_the_form_takes_a_phone_with_blanks_and_a_lower_case_x(qtbot: QtBot, world: World) -> None:
    """138 0013 8000 and a lower-case check letter are read as the importer reads them."""
    number = next(
        n
        for seq in range(1000)
        if (n := make_id_number("999999", dt.date(1990, 1, 1), seq)).endswith("X")
    )
    dialog = open_dialog(qtbot, "members")
    data = valid_values("members", world)
    data |= {"id_number": number[:-1] + "x", "phone": "138 0013 8000"}
    for field, value in data.items():
        fill(qtbot, dialog.form, field, value)
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    member = m.Member.get_by_id(saved.args[0])
    assert (member.id_number, member.phone) == (number, "13800138000")


def test_choosing_the_enterprise_fills_an_empty_branch(qtbot: QtBot, world: World) -> None:
    other = records.create("branches", {"name": "第三联合党支部", "kind": "joint"})
    dialog = open_dialog(qtbot, "members")
    enterprise = dialog.form.editor("enterprise")
    branch = dialog.form.editor("branch")
    assert isinstance(enterprise, LinkPicker) and isinstance(branch, LinkPicker)
    enterprise.setFocus()
    type_text(qtbot, enterprise.lineEdit(), "恒远")
    popup = enterprise.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: branch.record_id() == world.branch.id)
    assert branch.currentText() == "第一联合党支部"
    # A branch already chosen is kept: the enterprise only suggests one for an empty field.
    branch.set_record_id(other.id)
    enterprise.set_record_id(None)
    enterprise.setFocus()
    type_text(qtbot, enterprise.lineEdit(), "恒远化工有限公司")
    qtbot.keyClick(enterprise.lineEdit(), Qt.Key.Key_Tab)
    assert enterprise.record_id() == world.enterprise.id
    assert branch.record_id() == other.id


def test_the_first_down_in_a_combo_popup_lands_on_the_first_item(
    qtbot: QtBot, world: World
) -> None:
    """F4 opens the list, Down, Enter: the first item, in a choice and in a record picker."""
    form = RecordForm(spec.ledger("branches"))
    qtbot.addWidget(form)
    form.show()
    kind = form.editor("kind")  # required: nothing chosen yet
    parent = form.editor("parent")  # a picker of branches, empty
    assert isinstance(kind, ChoiceBox) and isinstance(parent, LinkPicker)
    for box, first in ((kind, kind.itemText(0)), (parent, "第一联合党支部")):
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_F4)
        qtbot.waitUntil(box.view().isVisible)
        qtbot.keyClick(box.view(), Qt.Key.Key_Down)
        qtbot.keyClick(box.view(), Qt.Key.Key_Return)
        assert box.currentIndex() == 0 and box.currentText() == first
    assert kind.value() == kind.itemData(0) and parent.record_id() == world.branch.id


def test_the_dialog_grows_with_its_error_lines_up_to_the_screen(qtbot: QtBot, world: World) -> None:
    """Saving an empty member form shows an error under every required field: the dialog grows
    so 备注 stays in view without an inner scrollbar, never taller than the screen allows."""
    dialog = open_dialog(qtbot, "members")
    screen = dialog.screen().availableGeometry()
    before = dialog.height()
    fill(qtbot, dialog.form, "id_number", wrong_check(GOOD_ID))
    fill(qtbot, dialog.form, "phone", "12345")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.form.error_label("name").isVisible()
    assert dialog.form.error_label("id_number").isVisible()
    assert dialog.height() > before
    assert dialog.frameGeometry().height() <= screen.height()
    frame = dialog.frameGeometry()
    assert screen.top() <= frame.top() and frame.bottom() <= screen.bottom()
    qtbot.wait(10)
    note = dialog.form.editor("note")
    bottom = note.mapTo(dialog.scroll.viewport(), note.rect().bottomLeft()).y()
    if dialog.frameGeometry().height() < screen.height():  # room left: all of it shown
        assert not dialog.scroll.verticalScrollBar().isVisible()
        assert bottom <= dialog.scroll.viewport().height()
