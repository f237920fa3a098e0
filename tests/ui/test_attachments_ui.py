"""The 附件 tab as a user drives it: add by dialog and by drop, thumbnails, save as, delete to
the recycle bin, the count column, the signed sheet on the 签到名单, the Word record, the pack."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import peewee as pw
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.ledgers import spec
from partybuild.services import attachments, recycle
from partybuild.store import models as m
from partybuild.ui import file_dialogs
from partybuild.ui.attachments import AttachmentsTab
from partybuild.ui.form import RecordDialog
from tests.services.test_attachments import bomb_png, make_activity, pdf_bytes, photo_with_gps


def wait_added(qtbot: QtBot, tab: AttachmentsTab) -> None:
    qtbot.waitUntil(lambda: tab.reader is None, timeout=10_000)


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    paths = []
    for n, colour in enumerate([(200, 30, 30), (30, 120, 200), (240, 180, 40)], start=1):
        path = tmp_path / f"现场照片{n}.jpg"
        path.write_bytes(photo_with_gps((160, 100), colour))
        paths.append(path)
    return paths


def test_add_by_dialog_and_by_drop_save_as_and_delete(
    sqlite_db: pw.Database,
    qtbot: QtBot,
    tmp_path: Path,
    photos: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    activity = make_activity()
    dialog = RecordDialog(spec.ACTIVITIES, activity.id)
    qtbot.addWidget(dialog)
    tab = dialog.attachment_tab
    assert dialog.tabs.tabText(dialog.tabs.indexOf(tab)) == "附件"
    monkeypatch.setattr(file_dialogs, "open_files", lambda *a, **k: [str(p) for p in photos[:2]])
    tab.add_button.click()
    wait_added(qtbot, tab)
    assert tab.names() == ["现场照片1.jpg", "现场照片2.jpg"]
    assert dialog.tabs.tabText(dialog.tabs.indexOf(tab)) == "附件（2）"
    icon = tab.list.item(0).icon().pixmap(120, 120)
    assert icon.height() > icon.width()  # the thumbnail is upright (EXIF orientation 6)

    scan = tmp_path / "通知.pdf"
    scan.write_bytes(pdf_bytes())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos[2])), QUrl.fromLocalFile(str(scan))])
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    tab.dropEvent(drop)
    wait_added(qtbot, tab)
    assert tab.names() == ["现场照片1.jpg", "现场照片2.jpg", "现场照片3.jpg", "通知.pdf"]

    target = tmp_path / "另存.jpg"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(target), ""))
    tab.list.clearSelection()
    tab.list.item(0).setSelected(True)
    tab.save_button.click()
    with Image.open(target) as saved:
        assert not saved.getexif().get_ifd(0x8825)
    assert "已保存" in tab.message.text()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.delete_button.click()
    assert tab.names() == ["现场照片2.jpg", "现场照片3.jpg", "通知.pdf"]
    assert [row.title for row in recycle.deleted_records("attachments")] == ["现场照片1.jpg"]


def test_a_refused_file_is_one_message_and_nothing_is_added(
    sqlite_db: pw.Database, qtbot: QtBot, tmp_path: Path, photos: list[Path]
) -> None:
    activity = make_activity()
    tab = AttachmentsTab("activities", activity.id)
    qtbot.addWidget(tab)
    bomb = tmp_path / "炸弹.png"
    bomb.write_bytes(bomb_png())
    tab.add_paths([photos[0], bomb])
    wait_added(qtbot, tab)
    assert "图片尺寸过大" in tab.message.text() and "炸弹.png" in tab.message.text()
    assert tab.names() == [] and m.AttachmentBlob.select().count() == 0


def test_the_count_column_and_the_signed_sheet_on_the_sign_in_list(
    sqlite_db: pw.Database, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partybuild.ui.ledger_page import LedgerPage

    training = m.Training.create(name="党员轮训", kind="rotation", start_date=dt.date(2023, 3, 1))
    dialog = RecordDialog(spec.TRAININGS, training.id)
    qtbot.addWidget(dialog)
    assert "签字签到表：未附" in dialog.relation_tab.sheet_label.text()
    scan = tmp_path / "签到表扫描.pdf"
    scan.write_bytes(pdf_bytes())
    monkeypatch.setattr(file_dialogs, "open_files", lambda *a, **k: [str(scan)])
    dialog.attachment_tab.sheet_button.click()
    wait_added(qtbot, dialog.attachment_tab)
    assert dialog.relation_tab.sheet_label.text() == "签字签到表：已附"
    assert dialog.attachment_tab.names() == ["★ 签到表扫描.pdf"]

    page = LedgerPage(spec.TRAININGS)
    qtbot.addWidget(page)
    last = page.model.columnCount() - 1
    assert page.model.headerData(last, Qt.Orientation.Horizontal) == "附件"
    assert page.model.index(0, last).data() == "1"


def test_the_word_record_and_the_pack_from_the_app(
    sqlite_db: pw.Database,
    qtbot: QtBot,
    tmp_path: Path,
    photos: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from partybuild.ui.pack_dialog import PackDialog

    activity = make_activity()
    attachments.add("activities", activity.id, [attachments.prepare(photos[0])])
    tab = AttachmentsTab("activities", activity.id)
    qtbot.addWidget(tab)
    word = tmp_path / "记录.docx"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(word), ""))
    monkeypatch.setattr(file_dialogs, "saved_notice", lambda *a, **k: None)
    tab.word_button.click()
    document = docx.Document(str(word))
    assert document.paragraphs[0].text == "党支部工作记录" and len(document.inline_shapes) == 1

    dialog = PackDialog()
    qtbot.addWidget(dialog)
    dialog.branch.setCurrentIndex(dialog.branch.findText("化工园联合党支部"))
    dialog.year.setValue(2023)
    target = tmp_path / "资料.zip"
    assert dialog.export(target) == target
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert any(n.endswith("_01.jpg") for n in names)
        assert "资料索引.xlsx" in names
        with Image.open(
            io.BytesIO(archive.read(next(n for n in names if n.endswith(".jpg"))))
        ) as p:
            assert not p.getexif().get_ifd(0x8825)


def test_the_settings_dialog_changes_the_limits_and_the_location_rule(
    sqlite_db: pw.Database, qtbot: QtBot
) -> None:
    from partybuild.ui.attachments import AttachmentSettings

    dialog = AttachmentSettings()
    qtbot.addWidget(dialog)
    assert (dialog.file_mb.value(), dialog.record_mb.value()) == (20, 200)
    assert not dialog.keep.isChecked()
    dialog.file_mb.setValue(5)
    dialog.keep.setChecked(True)
    dialog.save()
    assert attachments.max_file_bytes() == 5 * attachments.MB and attachments.keep_location()


def test_opening_a_photo_shows_it_upright_in_the_app(
    sqlite_db: pw.Database, qtbot: QtBot, photos: list[Path], tmp_path: Path
) -> None:
    activity = make_activity()
    attachments.add("activities", activity.id, [attachments.prepare(photos[0])])
    tab = AttachmentsTab("activities", activity.id)
    qtbot.addWidget(tab)
    tab.list.item(0).setSelected(True)
    tab.open_button.click()
    assert tab.viewer is not None and tab.viewer.isVisible()
    pixmap = tab.viewer.findChild(QLabel).pixmap()
    assert (pixmap.width(), pixmap.height()) == (100, 160)  # turned by its EXIF orientation
    tab.viewer.close()
