"""Typing any spelling of a choice in the form, and the park's vocabulary settings dialog."""

from __future__ import annotations

import datetime as dt

import peewee as pw
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from partybuild.domain import vocab
from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import records
from partybuild.store import models as m
from partybuild.ui.choice_box import ChoiceBox
from partybuild.ui.form import RecordDialog, RecordForm
from partybuild.ui.vocabulary_settings import LABEL, SYNONYMS, VocabularySettingsDialog

MAN = make_id_number("999999", dt.date(1985, 6, 15), 123)


def type_into(qtbot: QtBot, box: ChoiceBox, text: str) -> None:
    """Type as a Chinese input method does (the committed text of each word), then Enter."""
    box.setFocus()
    box.lineEdit().clear()
    if text.isascii():
        qtbot.keyClicks(box.lineEdit(), text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(box.lineEdit(), event)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_typing_an_everyday_spelling_and_enter_picks_the_value(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    form = RecordForm(spec.ledger("members"))
    qtbot.addWidget(form)
    form.show()
    cases = {
        "education": [("本科", "大学本科", "bachelor"), ("硕士", "硕士研究生", "master")],
        "ethnicity": [("汉", "汉族", "汉族"), ("维吾尔", "维吾尔族", "维吾尔族")],
        "gender": [("男性", "男", "male")],
        "category": [("中共预备党员", "预备党员", "probationary")],
        "status": [("失联党员", "失联", "lost")],
    }
    for name, words in cases.items():
        box = form.editor(name)
        assert isinstance(box, ChoiceBox)
        for typed, shown, code in words:
            type_into(qtbot, box, typed)
            assert box.currentText() == shown, typed
            assert form.values()[name] == code, typed
    activities = RecordForm(spec.ledger("activities"))
    qtbot.addWidget(activities)
    kind = activities.editor("kind")
    assert isinstance(kind, ChoiceBox)
    type_into(qtbot, kind, "支委会")
    assert kind.currentText() == "支部委员会" and activities.values()["kind"] == "committee_meeting"


def test_a_word_that_means_nothing_is_refused_beside_the_field(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    dialog = RecordDialog(spec.ledger("members"))
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.form.set_value("name", "示员")
    dialog.form.set_value("id_number", MAN)
    box = dialog.form.editor("education")
    assert isinstance(box, ChoiceBox)
    type_into(qtbot, box, "大学")
    assert box.currentText() == "大学"  # kept as typed, not dropped
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    error = dialog.form.error_label("education")
    assert error.isVisible()
    assert error.text() == "“大学”没有说明是大学本科还是大学专科，请填写“大学本科”或“大学专科”"
    assert m.Member.select().count() == 0
    type_into(qtbot, box, "本科")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert m.Member.get().education == "bachelor"


def test_a_stored_value_the_list_does_not_know_is_shown_not_cleared(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    form = RecordForm(spec.ledger("members"))
    qtbot.addWidget(form)
    form.set_value("ethnicity", "火星族")  # e.g. left by the 0004 migration, unreadable
    box = form.editor("ethnicity")
    assert isinstance(box, ChoiceBox)
    assert box.currentText() == "火星族" and form.values()["ethnicity"] == "火星族"


def test_settings_dialog_adds_an_industry_the_form_then_offers(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    dialog = VocabularySettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.vocabulary is vocab.INDUSTRY
    assert dialog.table.rowCount() == 4
    dialog.add_item()
    row = dialog.table.rowCount() - 1
    dialog.table.item(row, LABEL).setText("新能源")
    dialog.table.item(row, SYNONYMS).setText("新能源汽车、光伏")
    assert not dialog.picker.isEnabled()  # unsaved edits: save or undo before switching lists
    dialog.table.selectRow(row)
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.error.isVisible(), dialog.error.text()
    assert vocab.INDUSTRY.labels == ("精细化工", "生物医药", "新材料", "新能源", "其他")
    assert m.VocabularyItem.select().where(m.VocabularyItem.label == "新能源").count() == 1

    form = RecordForm(spec.ledger("enterprises"))
    qtbot.addWidget(form)
    industry = form.editor("industry")
    assert isinstance(industry, ChoiceBox)
    assert "新能源" in [industry.itemText(i) for i in range(industry.count())]
    type_into(qtbot, industry, "光伏")
    assert industry.currentText() == "新能源"
    form.set_value("name", "示光伏有限公司")
    firm = records.create("enterprises", form.values())
    assert firm.industry == "custom_1"

    # In use: the dialog refuses to remove it and says how many records use it.
    dialog._load()
    labels = [dialog.table.item(r, LABEL).text() for r in range(dialog.table.rowCount())]
    dialog.table.selectRow(labels.index("新能源"))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible()
    assert dialog.error.text() == "“新能源”有 1 条记录在用，不能删除（可以改名）。"
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "“精细化工”是内置项，不能删除（可以改名）。"
    assert dialog.table.rowCount() == 5


def test_menu_opens_the_vocabulary_settings(qtbot: QtBot, demo: pw.Database) -> None:
    from partybuild.ui.main_window import MainWindow

    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.vocabulary_action.trigger()
    dialog = window.vocabulary_settings_dialog  # type: ignore[attr-defined]
    assert isinstance(dialog, VocabularySettingsDialog) and dialog.isVisible()
    usage = dialog.table.item(0, 3).text()
    assert usage.startswith("内置 · ") and "条记录" in usage
    dialog.close()


def test_the_parks_suggestions_are_offered_while_typing_a_free_text_field(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    from partybuild.services import vocabularies

    vocabularies.save(
        vocab.RESPONSIBLE_UNIT,
        [vocabularies.Item(None, "园区人社服务站"), vocabularies.Item(None, "园区供电所")],
    )
    form = RecordForm(spec.ledger("issues"))
    qtbot.addWidget(form)
    unit = form.editor("responsible_unit")
    completer = unit.completer()  # type: ignore[attr-defined]
    assert completer is not None
    model = completer.model()
    offered = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert offered == ["园区人社服务站", "园区供电所"]
    # Only a suggestion: any other text is still kept as typed.
    form.set_value("responsible_unit", "县自然资源局")
    assert form.values()["responsible_unit"] == "县自然资源局"


def test_an_item_the_park_adds_is_offered_by_the_page_filter_at_once(
    qtbot: QtBot, sqlite_db: pw.Database
) -> None:
    from partybuild.ui.main_window import MainWindow

    window = MainWindow(sqlite_db)
    qtbot.addWidget(window)
    page = window.go_to("enterprises")
    combo = page.filter_combos["kind"]
    combo.setCurrentIndex(combo.findText("精细化工"))
    window.vocabulary_action.trigger()
    dialog = window.vocabulary_settings_dialog  # type: ignore[attr-defined]
    assert dialog.vocabulary is vocab.INDUSTRY
    dialog.add_item()
    dialog.table.item(dialog.table.rowCount() - 1, LABEL).setText("新能源")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.error.isVisible(), dialog.error.text()
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "全部产业",
        "精细化工",
        "生物医药",
        "新材料",
        "其他",
        "新能源",
    ]
    assert combo.currentText() == "精细化工"  # the user's choice is kept
    dialog.close()
