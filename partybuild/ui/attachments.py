"""附件 tab of a record's form: thumbnails, add (file dialog or drag and drop), open, save as,
delete to the recycle bin, and the record as a Word document.

Files are read off the UI thread (:class:`FileReader`, with a progress dialog that can cancel);
the checks and the write (:func:`partybuild.services.attachments.add`) run on the UI thread,
where the database connection lives. Photos are shown in the app itself; other files are
opened with the desktop's program from a private copy (0600, in a 0700 folder of the user's
data folder) with photos' GPS and device EXIF removed as in every saved copy.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import peewee as pw
from PySide6.QtCore import QSize, Qt, QThread, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from partybuild.outputs import OutputError
from partybuild.services import attachments
from partybuild.services.attachments import AttachmentError, AttachmentInfo, NewFile
from partybuild.services.errors import RecordNotFound, ValidationError
from partybuild.ui import file_dialogs

THUMB = 120
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: Ledgers whose records have a Word record (``services.word_records``).
WORD_LEDGERS = ("activities", "trainings", "services")
#: Ledgers with a sign-in sheet to scan back in.
SIGNIN_LEDGERS = ("activities", "trainings")
ADD_FILTERS = "照片、PDF、Word、Excel (*.jpg *.jpeg *.png *.heic *.heif *.pdf *.docx *.doc *.xlsx *.xls);;所有文件 (*)"


def _size(n: int) -> str:
    return file_dialogs.format_size(n)


def _pdf_first_page(data: bytes) -> QPixmap | None:
    """The first page of a PDF as a thumbnail (QtPdf), or None when it cannot be read."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    try:
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            return None
        size = document.pagePointSize(0)
        if size.width() <= 0 or size.height() <= 0:
            return None
        scale = THUMB / max(size.width(), size.height())
        image = document.render(0, QSize(int(size.width() * scale), int(size.height() * scale)))
        return None if image.isNull() else QPixmap.fromImage(image)
    finally:
        document.close()
        buffer.close()


class FileReader(QThread):
    """Reads the chosen files (each refused before reading if over the limit) off the UI thread."""

    progress = Signal(int, int, str)
    done = Signal(list)
    failed = Signal(str)

    def __init__(self, paths: list[Path], kind: str | None, limit: int) -> None:
        super().__init__()
        self.paths = paths
        self.kind = kind
        self.limit = limit
        self.cancelled = False

    def run(self) -> None:
        total = 0
        sizes = []
        for path in self.paths:
            try:
                sizes.append(path.stat().st_size)
            except OSError:
                sizes.append(0)
        total = max(1, sum(sizes))
        done_before = 0
        files: list[NewFile] = []
        try:
            for path, size in zip(self.paths, sizes, strict=True):

                def report(
                    done: int, _total: int, name: str = path.name, before: int = done_before
                ) -> bool:
                    self.progress.emit(int((before + done) * 1000 / total), 1000, name)
                    return not self.cancelled

                files.append(
                    attachments.prepare(path, self.kind, progress=report, limit=self.limit)
                )
                done_before += size
        except AttachmentError as exc:
            self.failed.emit(str(exc))
            return
        self.done.emit(files)


class ImageViewer(QDialog):
    """A photo, upright, in the app (no copy of it is written anywhere)."""

    def __init__(self, info: AttachmentInfo, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(info.name)
        pixmap = QPixmap()
        pixmap.loadFromData(attachments.upright_jpeg(data, 2000) or b"")
        label = QLabel()
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        screen = self.screen().availableGeometry().size() * 0.85
        label.setPixmap(
            pixmap.scaled(screen, Qt.AspectRatioMode.KeepAspectRatio)
            if pixmap.width() > screen.width() or pixmap.height() > screen.height()
            else pixmap
        )
        scroll = QScrollArea()
        scroll.setWidget(label)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        self.resize(
            min(pixmap.width() + 40, screen.width()), min(pixmap.height() + 40, screen.height())
        )


class AttachmentsTab(QWidget):
    """The record's attachments as thumbnails, with every action on them."""

    changed = Signal()

    def __init__(self, ledger_name: str, record_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ledger_name = ledger_name
        self.record_id = record_id
        self.setWindowTitle(self.tr("附件"))
        self.setObjectName("attachments_tab")
        self.setAcceptDrops(True)
        self.reader: FileReader | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.viewer: ImageViewer | None = None

        self.list = QListWidget()
        self.list.setObjectName("attachment_list")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 56, THUMB + 58))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setAcceptDrops(False)  # the tab takes the drop
        self.list.itemDoubleClicked.connect(lambda _item: self.open_selected())

        self.add_button = QPushButton(self.tr("添加文件…"))
        self.add_button.clicked.connect(self.choose_files)
        self.sheet_button = QPushButton(self.tr("添加签字签到表…"))
        self.sheet_button.setToolTip(self.tr("签字后的签到表的照片或 PDF 扫描件"))
        self.sheet_button.clicked.connect(lambda: self.choose_files("signin_sheet"))
        self.sheet_button.setVisible(ledger_name in SIGNIN_LEDGERS)
        self.open_button = QPushButton(self.tr("打开"))
        self.open_button.clicked.connect(self.open_selected)
        self.save_button = QPushButton(self.tr("另存为…"))
        self.save_button.clicked.connect(self.save_selected)
        self.delete_button = QPushButton(self.tr("删除"))
        self.delete_button.setToolTip(self.tr("移入回收站，可在回收站中恢复"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.word_button = QPushButton(self.tr("生成 Word 记录…"))
        self.word_button.setObjectName("word_record_button")
        self.word_button.clicked.connect(self.save_word_record)
        self.word_button.setVisible(ledger_name in WORD_LEDGERS)

        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.sheet_button,
            self.open_button,
            self.save_button,
            self.delete_button,
        ):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.word_button.setAutoDefault(False)
        buttons.addWidget(self.word_button)

        self.hint = QLabel(
            self.tr(
                "可把文件直接拖到这里添加。每个文件不超过 %d MB；照片另存或导出时去除拍摄位置和设备信息。"
            )
            % (attachments.max_file_bytes() // attachments.MB)
        )
        self.hint.setStyleSheet("color: #666;")
        self.hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("attachment_message")
        self.message.setWordWrap(True)
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    # -- showing ------------------------------------------------------------------------
    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {'#b00020' if error else '#1b5e20'};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _icon(self, info: AttachmentInfo) -> QIcon:
        if info.is_image:
            data = attachments.thumbnail(info.id, THUMB)
            pixmap = QPixmap()
            if data and pixmap.loadFromData(data):
                return QIcon(pixmap)
        if info.content_type == "pdf":
            page = _pdf_first_page(attachments.content(info.id))
            if page is not None:
                return QIcon(page)
        return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def reload(self) -> None:
        self.list.clear()
        try:
            found = attachments.listing(self.ledger_name, self.record_id)
        except pw.DatabaseError as exc:
            self.show_message(self.tr("无法读取附件：%s") % exc, error=True)
            return
        for info in found:
            mark = "★ " if info.kind == "signin_sheet" else ""
            item = QListWidgetItem(
                self._icon(info), f"{mark}{info.name}\n{info.kind_label} · {_size(info.size)}"
            )
            item.setData(ID_ROLE, info.id)
            item.setToolTip(
                f"{info.name}\n{info.kind_label}，{_size(info.size)}\n添加于 {info.added_at:%Y-%m-%d %H:%M}"
            )
            self.list.addItem(item)
        self.setWindowTitle(self.tr("附件（%d）") % len(found) if found else self.tr("附件"))
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = bool(self.list.selectedItems())
        for button in (self.open_button, self.save_button, self.delete_button):
            button.setEnabled(chosen)

    def selected_ids(self) -> list[int]:
        return [int(item.data(ID_ROLE)) for item in self.list.selectedItems()]

    def names(self) -> list[str]:
        return [self.list.item(i).text().split("\n")[0] for i in range(self.list.count())]

    # -- adding -------------------------------------------------------------------------
    def choose_files(self, kind: str | None = None) -> None:
        title = self.tr("添加签字签到表") if kind else self.tr("添加附件")
        paths = file_dialogs.open_files(self, title, "", ADD_FILTERS)
        if paths:
            self.add_paths([Path(p) for p in paths], kind)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def add_paths(self, paths: list[Path], kind: str | None = None) -> None:
        """Read the files off the UI thread, then check and attach them all (or none)."""
        if self.reader is not None:
            return
        folders = [p for p in paths if p.is_dir()]
        if folders:
            self.show_message(self.tr("“%s”是文件夹，请选择文件") % folders[0].name, error=True)
            return
        self.show_message(self.tr("正在读取 %d 个文件…") % len(paths))
        reader = FileReader(paths, kind, attachments.max_file_bytes())
        dialog = QProgressDialog(self.tr("正在读取附件…"), self.tr("取消"), 0, 1000, self)
        dialog.setWindowTitle(self.tr("添加附件"))
        dialog.setMinimumDuration(400)  # small files: no dialog flashes up
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.canceled.connect(lambda: setattr(reader, "cancelled", True))
        reader.progress.connect(lambda done, total, name: self._progress(dialog, done, name))
        reader.done.connect(self._read)
        reader.failed.connect(lambda text: self.show_message(text, error=True))
        reader.finished.connect(self._reader_finished)
        self.reader, self.progress_dialog = reader, dialog
        reader.start()

    def _progress(self, dialog: QProgressDialog, done: int, name: str) -> None:
        dialog.setLabelText(self.tr("正在读取“%s”…") % name)
        dialog.setValue(min(done, 999))

    def _reader_finished(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.reset()
            self.progress_dialog.deleteLater()
        if self.reader is not None:
            self.reader.wait()
            self.reader.deleteLater()
        self.reader, self.progress_dialog = None, None

    def _read(self, files: list[NewFile]) -> None:
        try:
            result = attachments.add(self.ledger_name, self.record_id, files)
        except (AttachmentError, RecordNotFound) as exc:
            self.show_message(str(exc), error=True)
            return
        except pw.DatabaseError as exc:
            self.show_message(self.tr("保存失败，附件未添加：%s") % exc, error=True)
            return
        text = self.tr("已添加 %d 个附件") % len(result.added)
        if result.skipped:
            text += self.tr("；跳过 %s（这条记录已有内容相同的附件）") % "、".join(result.skipped)
        self.show_message(text)
        self.reload()
        if result.added:
            self.changed.emit()

    # -- using ---------------------------------------------------------------------------
    def _one(self) -> AttachmentInfo | None:
        ids = self.selected_ids()
        if not ids:
            self.show_message(self.tr("请先选择附件"), error=True)
            return None
        try:
            return attachments.get(ids[0])
        except RecordNotFound as exc:
            self.show_message(str(exc), error=True)
            self.reload()
            return None

    def open_selected(self) -> None:
        info = self._one()
        if info is None:
            return
        if info.is_image:
            self.viewer = ImageViewer(info, attachments.content(info.id), self)
            self.viewer.open()
            return
        folder = opened_folder()
        target = folder / f"{info.id}_{os.path.basename(info.name)}"
        try:
            attachments.save_copy(info.id, target)
        except OutputError as exc:
            self.show_message(str(exc), error=True)
            return
        file_dialogs.open_on_desktop(self, target, self.tr("打开附件"))

    def save_selected(self) -> None:
        info = self._one()
        if info is None:
            return
        from partybuild.ui.excel_dialogs import last_folder, remember_folder

        path, _filter = file_dialogs.save_file(
            self, self.tr("附件另存为"), str(Path(last_folder()) / info.name)
        )
        if not path:
            return
        try:
            attachments.save_copy(info.id, path)
        except OutputError as exc:
            self.show_message(str(exc), error=True)
            return
        remember_folder(path)
        self.show_message(self.tr("已保存：%s") % path)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.show_message(self.tr("请先选择附件"), error=True)
            return
        answer = QMessageBox.question(
            self,
            self.tr("删除附件"),
            self.tr("把选中的 %d 个附件移入回收站？（可在回收站中恢复）") % len(ids),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            for attachment_id in ids:
                attachments.delete(attachment_id)
        except (RecordNotFound, ValidationError, pw.DatabaseError) as exc:
            self.show_message(str(exc), error=True)
        else:
            self.show_message(self.tr("已移入回收站 %d 个附件（可在回收站中恢复）") % len(ids))
        self.reload()
        self.changed.emit()

    def save_word_record(self) -> Path | None:
        from partybuild.services import word_records
        from partybuild.ui.excel_dialogs import last_folder, remember_folder

        record = word_records.BUILDERS[self.ledger_name](self.record_id)
        suggested = Path(last_folder()) / f"{record.file_stem}_{record.title}.docx"
        path, _filter = file_dialogs.save_file(
            self, self.tr("保存 Word 记录"), str(suggested), self.tr("Word 文档 (*.docx)")
        )
        if not path:
            return None
        target = Path(path if path.lower().endswith(".docx") else path + ".docx")
        try:
            word_records.write_docx(record, target)
        except OutputError as exc:
            self.show_message(str(exc), error=True)
            return None
        remember_folder(target)
        file_dialogs.saved_notice(self, self.tr("Word 记录"), target)
        return target


def opened_folder() -> Path:
    """Where opened copies go: a private folder of the user's data folder (not /tmp)."""
    from platformdirs import user_data_path

    folder = user_data_path("partybuild", appauthor=False) / "opened-attachments"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    # Copies opened on an earlier day are no longer being looked at: do not keep them.
    cutoff = time.time() - 24 * 3600
    for old in folder.iterdir():
        with contextlib.suppress(OSError):  # still open in a viewer on Windows
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
    return folder


class AttachmentSettings(QDialog):
    """查看 → 附件设置: the size limits and whether saved photos keep their position."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QFormLayout, QSpinBox

        self.setWindowTitle(self.tr("附件设置"))
        self.file_mb = QSpinBox()
        self.file_mb.setRange(1, 4096)
        self.file_mb.setSuffix(" MB")
        self.file_mb.setValue(attachments.max_file_bytes() // attachments.MB)
        self.record_mb = QSpinBox()
        self.record_mb.setRange(1, 4096)
        self.record_mb.setSuffix(" MB")
        self.record_mb.setValue(attachments.max_record_bytes() // attachments.MB)
        self.keep = QCheckBox(self.tr("另存和导出照片时保留拍摄位置（GPS）和设备信息"))
        self.keep.setChecked(attachments.keep_location())
        note = QLabel(
            self.tr("手机照片记录着拍摄地点。默认在另存、导出资料包和生成 Word 记录时去除。")
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        form = QFormLayout()
        form.addRow(self.tr("每个附件不超过："), self.file_mb)
        form.addRow(self.tr("每条记录的附件合计不超过："), self.record_mb)
        form.addRow("", self.keep)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def save(self) -> None:
        try:
            attachments.set_limits(self.file_mb.value(), self.record_mb.value())
            attachments.set_keep_location(self.keep.isChecked())
        except pw.DatabaseError as exc:
            QMessageBox.warning(self, self.windowTitle(), self.tr("保存失败：%s") % exc)
            return
        self.accept()


def open_settings(window: QWidget) -> AttachmentSettings:
    dialog = AttachmentSettings(window)
    window.attachment_settings = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog


def attachment_tab_for(
    ledger_name: str, record_id: int, parent: QWidget | None = None
) -> QWidget | None:
    if ledger_name not in attachments.OWNERS:
        return None
    return AttachmentsTab(ledger_name, record_id, parent)
