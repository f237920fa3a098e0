"""选项词表设置: the park's own vocabularies (产业, 问题来源, 问题类别, 责任单位 and 服务方向
suggestions) — rename, add, give synonyms, reorder.

Saved to the database (``services.vocabularies``), so every user of the ledger, the importer and
the search box read the same words at once. A built-in item can be renamed but not removed; an
added one can be removed only while no record uses it, and the refusal says how many do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import vocab
from partybuild.domain.vocab import Vocabulary
from partybuild.services import vocabularies as service
from partybuild.services.errors import StorageBusy, ValidationError
from partybuild.services.vocabularies import Item
from partybuild.ui.rules_table_dialog import error_label, header_table, intro_label

LABEL, SYNONYMS, BUILTIN, USAGE = range(4)
SEPARATORS = "、，,;；\n"


def split_words(text: str) -> tuple[str, ...]:
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    return tuple(w.strip() for w in text.split(SEPARATORS[0]) if w.strip())


class VocabularySettingsDialog(QDialog):
    COLUMNS = ("名称", "同义词（用“、”分隔）", "内置同义词", "使用情况")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("选项词表设置"))
        self.setObjectName("vocabulary_settings")
        self.resize(860, 460)
        self.vocabulary: Vocabulary = service.editable()[0]
        self.items: list[Item] = []
        self.dirty = False

        self.picker = QComboBox()
        for voc in service.editable():
            self.picker.addItem(self.tr(voc.title), voc.name)
        self.picker.currentIndexChanged.connect(self._pick)
        intro = intro_label(
            self.tr(
                "这些选项由园区自定：可以改名、添加、排序，并给出同义词（导入 Excel、录入和搜索时都认）。"
                "内置项可改名不可删除；自己添加的项在没有记录使用时才能删除。保存在数据库中，"
                "所有使用本台账的人看到同样的选项。"
            )
        )
        self.error = error_label("error")

        self.table = header_table([self.tr(c) for c in self.COLUMNS], SYNONYMS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemChanged.connect(self._edited)

        self.add_button = QPushButton(self.tr("添加"))
        self.remove_button = QPushButton(self.tr("删除"))
        self.up_button = QPushButton(self.tr("上移"))
        self.down_button = QPushButton(self.tr("下移"))
        self.revert_button = QPushButton(self.tr("撤销修改"))
        self.add_button.clicked.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.revert_button.clicked.connect(lambda: self._load())
        side = QVBoxLayout()
        for button in (
            self.add_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            self.revert_button,
        ):
            side.addWidget(button)
        side.addStretch(1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("词表：")))
        top.addWidget(self.picker, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.error)
        layout.addLayout(middle, 1)
        layout.addWidget(buttons)
        self._load()

    # -- state ----------------------------------------------------------------------------
    def _pick(self, index: int) -> None:
        self.vocabulary = vocab.by_name(str(self.picker.itemData(index)))
        self._load()

    def _load(self) -> None:
        service.reload()
        self.items = service.items(self.vocabulary)
        self._show_items()
        self._set_dirty(False)
        self._show_error("")

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        # Switching lists would drop the edits: save or undo them first.
        self.picker.setEnabled(not dirty)
        self.picker.setToolTip(self.tr("先保存或撤销修改") if dirty else "")
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _show_items(self) -> None:
        suggestions = self.vocabulary.kind == vocab.SUGGESTION_KIND
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self.items))
            for row, item in enumerate(self.items):
                cells = (
                    item.label,
                    "、".join(item.synonyms),
                    "、".join(item.builtin_synonyms),
                    ("内置 · " if item.builtin else "") + item.usage.describe(),
                )
                for column, text in enumerate(cells):
                    cell = QTableWidgetItem(text)
                    editable = column == LABEL or (column == SYNONYMS and not suggestions)
                    if not editable:
                        cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(row, column, cell)
        finally:
            self.table.blockSignals(False)
        self.table.setColumnHidden(SYNONYMS, suggestions)
        self.table.setColumnHidden(BUILTIN, suggestions)

    def _edited(self, cell: QTableWidgetItem) -> None:
        item = self.items[cell.row()]
        if cell.column() == LABEL:
            item.label = cell.text()
        elif cell.column() == SYNONYMS:
            item.synonyms = split_words(cell.text())
        self._set_dirty(True)

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    # -- actions --------------------------------------------------------------------------
    def add_item(self, label: str = "") -> None:
        self.items.append(Item(None, label or self.tr("新选项")))
        self._show_items()
        row = len(self.items) - 1
        self.table.selectRow(row)
        self.table.editItem(self.table.item(row, LABEL))
        self._set_dirty(True)

    def remove_selected(self) -> None:
        row = self._selected_row()
        if row < 0:
            return
        item = self.items[row]
        if item.builtin:
            self._show_error(self.tr("“%s”是内置项，不能删除（可以改名）。") % item.label)
            return
        if item.usage.total and self.vocabulary.kind != vocab.SUGGESTION_KIND:
            self._show_error(
                self.tr("“%s”有 %s在用，不能删除（可以改名）。")
                % (item.label, item.usage.describe())
            )
            return
        del self.items[row]
        self._show_items()
        self._set_dirty(True)
        self._show_error("")

    def move_selected(self, step: int) -> None:
        row = self._selected_row()
        target = row + step
        if row < 0 or not 0 <= target < len(self.items):
            return
        self.items[row], self.items[target] = self.items[target], self.items[row]
        self._show_items()
        self.table.selectRow(target)
        self._set_dirty(True)

    def save(self) -> bool:
        try:
            service.save(self.vocabulary, self.items)
        except ValidationError as exc:
            self._show_error(self.tr("未保存：%s") % exc.message())
            return False
        except StorageBusy as exc:
            self._show_error(str(exc))
            return False
        self._load()
        refresh = getattr(self.parent(), "refresh_all", None)
        if refresh is not None:
            refresh()
        return True


def open_vocabulary_settings(window: QWidget) -> VocabularySettingsDialog:
    """For a menu entry: open the dialog on ``window`` (kept on it so tests can reach it)."""
    dialog = VocabularySettingsDialog(window)
    window.vocabulary_settings_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog
