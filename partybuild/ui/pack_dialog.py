"""文件 → 导出台账资料: a branch's year as one inspection pack (``services.pack``), with progress
and cancel. The pack is painted on the UI thread (its PDFs need Qt's painter and the database
connection lives here); the progress dialog keeps the window responsive and a cancel leaves
nothing behind (the zip is written atomically)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import peewee as pw
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressDialog,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from partybuild.outputs import OutputError
from partybuild.services import pack
from partybuild.store import models as m
from partybuild.ui import file_dialogs


class PackDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("导出台账资料"))
        self.setObjectName("pack_dialog")
        self.branch = QComboBox()
        self.branch.setObjectName("pack_branch")
        for branch in m.Branch.select().where(m.live(m.Branch)).order_by(m.Branch.name):
            self.branch.addItem(branch.name, branch.id)
        self.branch.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year = QSpinBox()
        self.year.setRange(1990, 2100)
        from partybuild.services.report import latest_year_with_data

        self.year.setValue(latest_year_with_data())
        self.masked = QCheckBox(self.tr("花名册中的身份证号和电话脱敏（推荐）"))
        self.masked.setChecked(True)
        note = QLabel(
            self.tr(
                "按台账和月份整理该党组织全年的工作记录（Word）、签到表（PDF）、附件、党员花名册、"
                "年度总结和一份资料索引（Excel），保存为一个 zip 文件。照片去除拍摄位置。"
            )
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        form = QFormLayout()
        form.addRow(self.tr("党组织："), self.branch)
        form.addRow(self.tr("年度："), self.year)
        form.addRow("", self.masked)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(
            self.tr("导出…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(self.tr("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.export_button.clicked.connect(self.choose_and_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(520, 240)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {'#b00020' if error else '#1b5e20'};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def choose_and_export(self) -> Path | None:
        if self.branch.currentData() is None:
            self.show_message(self.tr("没有可导出的党组织"), error=True)
            return None
        from partybuild.ui.excel_dialogs import last_folder, remember_folder

        name = f"{self.branch.currentText()}_{self.year.value()}年台账资料.zip"
        path, _filter = file_dialogs.save_file(
            self,
            self.tr("保存台账资料"),
            str(Path(last_folder()) / name),
            self.tr("zip 压缩包 (*.zip)"),
        )
        if not path:
            return None
        target = Path(path if path.lower().endswith(".zip") else path + ".zip")
        result = self.export(target)
        if result is not None:
            remember_folder(target)
        return result

    def export(self, target: Path) -> Path | None:
        """Write the pack to ``target`` with a progress dialog; None if cancelled or refused."""
        from partybuild.printing.pack import PackPdfs

        progress = QProgressDialog(self.tr("正在整理台账资料…"), self.tr("取消"), 0, 100, self)
        progress.setWindowTitle(self.tr("导出台账资料"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        self.progress = progress

        def step(done: int, total: int, what: str) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            progress.setLabelText(self.tr("正在写入：%s") % what)
            QCoreApplication.processEvents()
            return not progress.wasCanceled()

        try:
            result = pack.write_pack(
                int(self.branch.currentData()),
                self.year.value(),
                target,
                PackPdfs(),
                unmasked=not self.masked.isChecked(),
                progress=step,
            )
        except pack.PackCancelled:
            self.show_message(self.tr("已取消，未保存资料包"), error=True)
            return None
        except (OutputError, pw.DatabaseError, OSError) as exc:
            self.show_message(str(exc), error=True)
            return None
        finally:
            progress.reset()
            progress.deleteLater()
        self.show_message(self.tr("已导出 %d 个文件：%s") % (result.files, target))
        file_dialogs.saved_notice(self, self.tr("导出台账资料"), target)
        return target


def open_pack_dialog(window: Any) -> PackDialog:
    dialog = PackDialog(window)
    window.pack_dialog = dialog
    dialog.open()
    return dialog
