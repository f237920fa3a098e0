"""三会一课规则设置: which rules a park checks and how often, stored with the data.

DESIGN.md makes the frequencies data (a park may require 党课 monthly, or not check 党小组会):
each rule can be switched off or given another frequency; 恢复默认 goes back to DESIGN.md's
defaults. Saved to the ``Setting`` table, so every user of the database checks the same way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import compliance as rules_mod
from partybuild.domain.compliance import Rule
from partybuild.ui.rules_table_dialog import RulesDialog, error_label, intro_label, rules_table


class ComplianceSettingsDialog(RulesDialog):
    """One row per rule: 启用, 组织生活, 频次, 适用范围, 依据."""

    COLUMNS = ("启用", "组织生活", "频次", "适用于", "依据")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("三会一课规则设置"))
        self.setObjectName("compliance_settings")
        self.resize(820, 380)
        intro = intro_label(
            self.tr(
                "概览页和“检查”按这些规则列出应开展未开展的组织生活。"
                "规则保存在数据库中，所有使用本台账的人按同一规则检查。"
            )
        )
        self.error = error_label()
        self.table = rules_table([self.tr(c) for c in self.COLUMNS], 4)
        self.enabled_boxes: list[QCheckBox] = []
        self.period_combos: list[QComboBox] = []
        self.rules: list[Rule] = []

        buttons, self.defaults_button = self.rules_buttons(
            lambda: self.set_rules(rules_mod.default_rules())
        )

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

        self.load_or_defaults(
            lambda: self.set_rules(rules_mod.load_rules()),
            lambda: self.set_rules(rules_mod.default_rules()),
            self.tr("已保存的规则无法读取（%s），下面显示默认规则，保存后覆盖。"),
        )

    def set_rules(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self.table.setRowCount(len(self.rules))
        self.enabled_boxes, self.period_combos = [], []
        for row, rule in enumerate(self.rules):
            box = QCheckBox()
            box.setChecked(rule.enabled)
            box.setToolTip(self.tr("不检查此项时取消勾选"))
            self.table.setCellWidget(row, 0, _centered(box))
            self.enabled_boxes.append(box)
            self.table.setItem(row, 1, QTableWidgetItem(rule.title))
            combo = QComboBox()
            for code, label in rules_mod.PERIODS:
                combo.addItem(self.tr(label), code)
            combo.setCurrentIndex(max(0, combo.findData(rule.period)))
            self.table.setCellWidget(row, 2, combo)
            self.period_combos.append(combo)
            self.table.setItem(row, 3, QTableWidgetItem(self.tr(rule.applies_label)))
            self.table.setItem(row, 4, QTableWidgetItem(rule.basis))

    def edited_rules(self) -> list[Rule]:
        return [
            rules_mod.with_changes(rule, enabled=box.isChecked(), period=str(combo.currentData()))
            for rule, box, combo in zip(
                self.rules, self.enabled_boxes, self.period_combos, strict=True
            )
        ]

    def save(self) -> None:
        rules_mod.save_rules(self.edited_rules())


def _centered(widget: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout.addWidget(widget)
    return holder


def open_compliance_settings(window: QWidget) -> ComplianceSettingsDialog:
    """For a menu entry: open the dialog on ``window`` (kept on it so tests can reach it)."""
    dialog = ComplianceSettingsDialog(window)
    window.compliance_settings_dialog = dialog  # type: ignore[attr-defined]
    refresh = getattr(window, "refresh_all", None)
    if refresh is not None:
        dialog.accepted.connect(refresh)
    dialog.open()
    return dialog
