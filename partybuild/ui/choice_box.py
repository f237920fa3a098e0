"""The form's editor for a choice field: pick from the list, or type any spelling of a value.

Typing 本科 and Enter picks 大学本科, 支委会 picks 支部委员会, 汉 picks 汉族: the words go through
:meth:`partybuild.domain.vocab.Vocabulary.resolve`, the same reading the importer and the search
use. While typing, the popup lists the labels that contain the text. A word that means nothing is
kept as typed, so saving is refused with the vocabulary's reason beside the field rather than the
word being dropped; a stored value the list does not know (an old 民族 spelling) is shown as it is,
never replaced by an empty choice.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from partybuild.domain.vocab import UnknownChoice, Vocabulary


def start_before_first(combo: QComboBox) -> None:
    """With nothing chosen, the popup highlights no row, so the first Down lands on the first
    item (Qt highlights row 0 without choosing it, and Down then went to row 1)."""
    if combo.currentIndex() < 0:
        combo.view().setCurrentIndex(QModelIndex())


class ChoiceBox(QComboBox):
    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        required: bool,
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vocabulary = vocabulary
        self.required = required
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMaxVisibleItems(15)
        if placeholder:
            self.setPlaceholderText(placeholder)
            self.lineEdit().setPlaceholderText(placeholder)
        if not required:
            self.addItem("", None)
        for code, label in vocabulary:
            self.addItem(label, code)
        completer = QCompleter(self.model(), self)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        self.lineEdit().editingFinished.connect(self.settle)
        self.setCurrentIndex(-1 if required else 0)

    def showPopup(self) -> None:  # noqa: N802 (Qt override)
        super().showPopup()
        start_before_first(self)

    def value(self) -> str | None:
        """The chosen code; typed text that names no value comes back as the text itself."""
        text = self.currentText().strip()
        if not text:
            return None
        index = self.currentIndex()
        if index >= 0 and self.itemText(index) == text:
            return self.itemData(index)
        try:
            return self.vocabulary.resolve(text)
        except UnknownChoice:
            return text

    def set_value(self, code: str | None) -> None:
        if code is None:
            self.setCurrentIndex(-1 if self.required else 0)
            if self.required:
                self.lineEdit().clear()
            return
        index = self.findData(code)
        if index < 0:  # a stored value the list does not offer: show it, keep it
            self.addItem(self.vocabulary.label(code), code)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def settle(self) -> None:
        """Turn typed text into the value it names (本科 → 大学本科); leave unknown text as is."""
        text = self.currentText().strip()
        if not text:
            if not self.required:
                self.setCurrentIndex(0)
            return
        index = self.currentIndex()
        if index >= 0 and self.itemText(index) == text:
            return
        code = self.vocabulary.code(text)
        index = self.findData(code) if code is not None else -1
        if index >= 0:
            self.setCurrentIndex(index)
            self.lineEdit().setText(self.itemText(index))
