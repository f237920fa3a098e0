"""What the rules settings dialogs (三会一课, 党费, 发展党员) share: the intro and error labels, the
read-only table of rules, the 恢复默认/保存/取消 buttons, and saving that is refused in place.

Each dialog keeps its own rows and fields; only the scaffolding around them is here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
)

ERROR_STYLE = "color: #c0392b;"


def intro_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def error_label(object_name: str = "") -> QLabel:
    """The red line that says, in place, what was refused; hidden until then."""
    label = QLabel()
    if object_name:
        label.setObjectName(object_name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def header_table(headers: Sequence[str], stretch: int) -> QTableWidget:
    """An empty table with these (already translated) headers, sized to its contents but for
    the ``stretch`` column, which takes the rest of the width."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def rules_table(headers: Sequence[str], stretch: int) -> QTableWidget:
    """A table of rules: the cells are read-only text, the editors sit in cell widgets."""
    table = header_table(headers, stretch)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    return table


class RulesDialog(QDialog):
    """A rules settings dialog: ``self.error`` shows what cannot be read or saved, ``save()``
    writes the edited rules (ValueError, in Chinese, when they are refused)."""

    error: QLabel

    def rules_buttons(self, restore: Callable[[], None]) -> tuple[QDialogButtonBox, QPushButton]:
        """保存 / 取消 / 恢复默认 (which calls ``restore``); the box and its 恢复默认 button."""
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        defaults = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults.setText(self.tr("恢复默认"))
        defaults.clicked.connect(restore)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons, defaults

    def load_or_defaults(
        self, load: Callable[[], None], defaults: Callable[[], None], message: str
    ) -> None:
        """Show the stored rules; when they cannot be read, say so (``message % reason``) and
        show the defaults, which 保存 then writes over them."""
        try:
            load()
        except ValueError as exc:
            self._show_error(message % exc)
            defaults()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def save(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        try:
            self.save()
        except ValueError as exc:
            self._show_error(str(exc))
            return
        super().accept()
