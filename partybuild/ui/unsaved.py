"""The one question asked before typing would be thrown away: 保存 / 放弃 / 继续编辑.

Asked by a record form on Esc, 取消 or its window's close button, and by the main window when it
closes over a form with changes. Enter chooses 保存; Esc (or closing the question) chooses
继续编辑, so pressing Esc twice never loses anything.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtWidgets import QMessageBox, QWidget

Choice = Literal["save", "discard", "continue"]
SAVE: Choice = "save"
DISCARD: Choice = "discard"
CONTINUE: Choice = "continue"


def ask_unsaved(parent: QWidget | None, what: str) -> Choice:
    """Ask what to do with the unsaved changes of ``what`` (a form's title)."""
    box = QMessageBox(parent)
    box.setObjectName("unsaved_question")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(box.tr("尚未保存"))
    box.setText(box.tr("“%s”中有尚未保存的内容。") % what)
    box.setInformativeText(box.tr("保存后关闭，放弃这些内容，还是继续编辑？"))
    save = box.addButton(box.tr("保存"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(box.tr("放弃"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(box.tr("继续编辑"), QMessageBox.ButtonRole.RejectRole)
    save.setToolTip(box.tr("检查并保存，成功后关闭（回车）"))
    discard.setToolTip(box.tr("不保存，关闭并丢弃本次输入"))
    keep.setToolTip(box.tr("回到表单，输入的内容都在（Esc）"))
    box.setDefaultButton(save)
    box.setEscapeButton(keep)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is save:
        return SAVE
    if clicked is discard:
        return DISCARD
    return CONTINUE
