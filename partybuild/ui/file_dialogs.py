"""Every file dialog of the app is made here: open a file, save a file, choose a folder, print.

Why one place: on Linux, closing *any* descriptor of a file drops every POSIX lock the process
holds on it. Qt's widget file dialog, left to itself, opens each file it lists to sniff its MIME
type (``QAbstractFileIconProvider::type`` → ``QMimeDatabase::mimeTypeForFile``), so merely
listing the database's folder used to drop SQLite's locks on ``d.db`` and ``d.db-shm``; another
process then saw no reader and deleted the WAL with every later save in it. The dialogs made here

- name and draw files from their name and ``stat`` only (:class:`NameOnlyIconProvider`): no file
  content is read, ever, and no MIME sniffing (no ``setMimeTypeFilters``);
- hide the live database and its -wal/-shm/-journal files (:class:`_Listing`), and refuse them if
  typed in (:meth:`FileDialog.accept`);
- speak Chinese throughout: every label set, column headers, sizes in KB/MB instead of "KiB";
- are Qt's widget dialog on every system, so the above holds everywhere.

Print previews go through :func:`guard_print_preview`: Qt's own print action asks for a PDF name
with a file dialog of its own (when no printer is installed) or offers 打印到文件 with another.

Tests patch :func:`open_file`, :func:`open_files`, :func:`save_file` and :func:`choose_folder`, the
blocking calls.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QFileInfo, QModelIndex, QSortFilterProxyModel, Qt, QUrl
from PySide6.QtGui import QAbstractFileIconProvider, QDesktopServices, QIcon
from PySide6.QtPrintSupport import (
    QAbstractPrintDialog,
    QPrintDialog,
    QPrinter,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFileSystemModel,
    QMessageBox,
    QStyle,
    QToolBar,
    QTreeView,
    QWidget,
)

from partybuild.store.database import live_file_kind

#: What the "类型" column says for the files the app deals in (by suffix, never by content).
KINDS = {
    ".xlsx": "Excel 工作簿",
    ".xlsm": "Excel 工作簿",
    ".xls": "Excel 97-2003 工作簿",
    ".csv": "CSV 文件",
    ".pdf": "PDF 文件",
    ".sqlite3": "SQLite 数据库",
    ".db": "SQLite 数据库",
    ".docx": "Word 文档",
    ".doc": "Word 97-2003 文档",
    ".txt": "文本文件",
    ".zip": "压缩包",
    ".png": "PNG 图片",
    ".jpg": "JPEG 图片",
    ".jpeg": "JPEG 图片",
}


class NameOnlyIconProvider(QAbstractFileIconProvider):
    """Icons and type names from the file's name and kind (``stat``), never from its content."""

    def __init__(self) -> None:
        super().__init__()
        self.setOptions(QAbstractFileIconProvider.Option.DontUseCustomDirectoryIcons)

    def icon(self, what: QFileInfo | QAbstractFileIconProvider.IconType) -> QIcon:  # type: ignore[override]
        style = QApplication.style()
        if isinstance(what, QFileInfo):
            if what.isRoot():
                return style.standardIcon(QStyle.StandardPixmap.SP_DriveHDIcon)
            if what.isDir():
                return style.standardIcon(QStyle.StandardPixmap.SP_DirIcon)
            return style.standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        kind = QAbstractFileIconProvider.IconType
        pixmap = {
            kind.Computer: QStyle.StandardPixmap.SP_ComputerIcon,
            kind.Desktop: QStyle.StandardPixmap.SP_DesktopIcon,
            kind.Trashcan: QStyle.StandardPixmap.SP_TrashIcon,
            kind.Network: QStyle.StandardPixmap.SP_DriveNetIcon,
            kind.Drive: QStyle.StandardPixmap.SP_DriveHDIcon,
            kind.Folder: QStyle.StandardPixmap.SP_DirIcon,
        }.get(what, QStyle.StandardPixmap.SP_FileIcon)
        return style.standardIcon(pixmap)

    def type(self, info: QFileInfo) -> str:
        if info.isRoot():
            return "驱动器"
        if info.isDir():
            return "文件夹"
        suffix = info.suffix()
        if not suffix:
            return "文件"
        return KINDS.get("." + suffix.lower(), f"{suffix.upper()} 文件")


def format_size(size: int) -> str:
    """Sizes as Chinese Windows Explorer writes them: 0 字节, 1 KB (rounded up), 12.5 MB."""
    if size <= 0:
        return "0 字节"
    if size < 1024 * 1024:
        return f"{-(-size // 1024):,} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.1f} GB"


class _Listing(QSortFilterProxyModel):
    """The folder as the dialog shows it: without the live database files, headers in Chinese."""

    HEADERS = ("名称", "大小", "类型", "修改日期")

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        source = self.sourceModel()
        if isinstance(source, QFileSystemModel):
            path = source.filePath(source.index(row, 0, parent))
            # stat only; the database itself is what no dialog of the app asks for either.
            if path and live_file_kind(path) is not None:
                return False
        return super().filterAcceptsRow(row, parent)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.column() == 1 and role == Qt.ItemDataRole.DisplayRole:
            source = self.sourceModel()
            if isinstance(source, QFileSystemModel):
                source_index = self.mapToSource(index)
                if source.isDir(source_index):
                    return ""
                return format_size(source.size(source_index))
        if index.column() == 3 and role == Qt.ItemDataRole.DisplayRole:
            source = self.sourceModel()
            if isinstance(source, QFileSystemModel):
                return source.lastModified(self.mapToSource(index)).toString("yyyy/M/d H:mm")
        return super().data(index, role)


class FileDialog(QFileDialog):
    """Qt's widget file dialog made safe for the live database and Chinese (see the module)."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent, title)
        # Before the first listing is processed (it arrives through the event loop).
        self.setIconProvider(NameOnlyIconProvider())
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
        self.setProxyModel(_Listing(self))
        self.setLabelText(QFileDialog.DialogLabel.LookIn, "查找范围：")
        self.setLabelText(QFileDialog.DialogLabel.FileName, "文件名：")
        self.setLabelText(QFileDialog.DialogLabel.FileType, "文件类型：")
        self.setLabelText(QFileDialog.DialogLabel.Reject, "取消")
        self.resize(820, 500)
        details = self.findChild(QTreeView, "treeView")
        if details is not None:  # room for "Excel 工作簿" and "2026/12/31 23:59"
            for column, width in enumerate((330, 90, 130, 140)):
                details.header().resizeSection(column, width)

    def set_mode(self, mode: str) -> None:
        """``open``, ``save`` or ``folder``: what the dialog asks for, and its button."""
        if mode == "save":
            self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            self.setFileMode(QFileDialog.FileMode.AnyFile)
            self.setLabelText(QFileDialog.DialogLabel.Accept, "保存")
        elif mode == "folder":
            self.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
            self.setFileMode(QFileDialog.FileMode.Directory)
            self.setOption(QFileDialog.Option.ShowDirsOnly, True)
            self.setLabelText(QFileDialog.DialogLabel.FileName, "文件夹：")
            self.setLabelText(QFileDialog.DialogLabel.Accept, "选择文件夹")
        else:
            self.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
            self.setFileMode(QFileDialog.FileMode.ExistingFile)
            self.setLabelText(QFileDialog.DialogLabel.Accept, "打开")

    def accept(self) -> None:
        for name in self.selectedFiles():
            if live_file_kind(name) is not None:
                QMessageBox.warning(
                    self,
                    self.windowTitle(),
                    f"“{Path(name).name}”是正在使用的党建台账数据库文件，不能在这里选择。",
                )
                return
        super().accept()


def _start_in(dialog: FileDialog, where: str) -> None:
    """A folder, or a suggested file (a bare name means: in the folder the dialog shows)."""
    if not where:
        return
    path = Path(where)
    if os.path.isdir(where):
        dialog.setDirectory(where)
        return
    if path.parent != Path("") and path.parent.is_dir():
        dialog.setDirectory(str(path.parent))
    dialog.selectFile(path.name)


def make_dialog(
    parent: QWidget | None, title: str, where: str = "", filters: str = "", mode: str = "open"
) -> FileDialog:
    """The dialog itself (not shown): for the blocking helpers below and for tests."""
    dialog = FileDialog(parent, title)
    dialog.set_mode(mode)
    if filters:
        dialog.setNameFilters(filters.split(";;"))
    _start_in(dialog, where)
    return dialog


def open_file(parent: QWidget | None, title: str, folder: str = "", filters: str = "") -> str:
    """An existing file the user picks, or "" if cancelled."""
    dialog = make_dialog(parent, title, folder, filters, "open")
    chosen = dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
    dialog.deleteLater()
    return chosen[0] if chosen else ""


def open_files(
    parent: QWidget | None, title: str, folder: str = "", filters: str = ""
) -> list[str]:
    """Existing files the user picks (one or several), or [] if cancelled."""
    dialog = make_dialog(parent, title, folder, filters, "open")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    chosen = dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
    dialog.deleteLater()
    return chosen


def save_file(
    parent: QWidget | None, title: str, suggested: str = "", filters: str = ""
) -> tuple[str, str]:
    """The file to write (after the usual 替换 question) and the chosen filter; ("", "") if
    cancelled."""
    dialog = make_dialog(parent, title, suggested, filters, "save")
    accepted = dialog.exec() == QFileDialog.DialogCode.Accepted
    chosen = dialog.selectedFiles() if accepted else []
    name_filter = dialog.selectedNameFilter() if accepted else ""
    dialog.deleteLater()
    return (chosen[0], name_filter) if chosen else ("", "")


def choose_folder(parent: QWidget | None, title: str, folder: str = "") -> str:
    """A folder the user picks, or "" if cancelled."""
    dialog = make_dialog(parent, title, folder, "", "folder")
    chosen = dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []
    dialog.deleteLater()
    return chosen[0] if chosen else ""


# --------------------------------------------------------------------------- after saving


def open_on_desktop(parent: QWidget | None, path: Path, title: str) -> bool:
    """Open a file or folder with the desktop's own program; without one (no file manager, no
    spreadsheet program registered), say so and where the file is instead of doing nothing."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    QMessageBox.warning(
        parent,
        title,
        f"无法打开“{path}”：本机没有可以打开它的程序。文件已保存在这里，可用文件管理器找到它。",
    )
    return False


def saved_notice(parent: QWidget | None, title: str, path: Path) -> QMessageBox:
    """已保存 with the path and 打开所在文件夹; shown without blocking, returned for callers."""
    box = QMessageBox(QMessageBox.Icon.Information, title, f"已保存：{path}", parent=parent)
    box.setObjectName("saved_notice")
    folder_button = box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole)
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    box.folder_button = folder_button  # type: ignore[attr-defined]
    folder_button.clicked.connect(lambda: open_on_desktop(parent, path.parent, title))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


# --------------------------------------------------------------------------- printing


def guard_print_preview(dialog: QPrintPreviewDialog, printer: QPrinter) -> None:
    """Route the preview's 打印 button through :func:`print_preview_now`.

    Qt's own print action opens file dialogs of its own making (a PDF name when no printer is
    installed; 打印到文件 in the print dialog) that would list folders the unsafe way.
    """
    toolbar = dialog.findChild(QToolBar)
    if toolbar is None:
        return
    for action in toolbar.actions():
        if action.text() in ("Print", QPrintPreviewDialog.tr("Print"), "打印"):
            action.triggered.disconnect()
            action.triggered.connect(lambda _checked=False: print_preview_now(dialog, printer))
            dialog._partybuild_print_action = action  # type: ignore[attr-defined]
            return


def print_preview_now(dialog: QPrintPreviewDialog, printer: QPrinter) -> None:
    """Print what the preview shows: to a printer chosen in Qt's print dialog (without 打印到
    文件), or, with no printer installed, to a PDF named in our own save dialog."""
    preview = dialog.findChild(QPrintPreviewWidget)
    if preview is None:
        return
    if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
        path, _filter = save_file(
            dialog,
            "没有可用的打印机：保存为 PDF",
            f"{printer.docName() or '打印'}.pdf",
            "PDF 文件 (*.pdf)",
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        # Whole or absent, like every other file the app writes: Qt's printer writes into a
        # temporary file in the target's folder, read back with the pages shown, then renamed.
        # Private, since the preview may be of an unmasked roster.
        from partybuild.outputs import atomic_output
        from partybuild.printing.pdf import check_pages

        try:
            with atomic_output(path, private=True, verify=check_pages(preview.pageCount())) as temp:
                printer.setOutputFileName(temp)
                preview.print_()
        except OSError as exc:  # OutputError: one line saying what, where and why
            QMessageBox.warning(dialog, "保存为 PDF", str(exc))
            return
        finally:
            printer.setOutputFileName(path)  # as Qt's own button leaves it
        dialog.accept()
        saved_notice(dialog.parentWidget(), "保存为 PDF", Path(path))
        return
    chooser = QPrintDialog(printer, dialog)
    chooser.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    if chooser.exec() == QPrintDialog.DialogCode.Accepted:
        preview.print_()
        dialog.accept()
