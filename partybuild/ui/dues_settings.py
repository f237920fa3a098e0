"""党费规则设置: the brackets, fixed amounts, rounding and after-tax base, stored with the data.

The defaults are those of 中组发〔2008〕3号 (domain.dues); a park whose locality differs changes
them here, each beside its source. 恢复默认 goes back to the 规定. Saved to the ``Setting`` table
through services.dues, so every user of the database calculates the same way; what cannot be read
back (a bracket below the previous one, a farmer amount outside 0.2–1 元) is refused in place.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import dues as rules_mod
from partybuild.domain.dues import Bracket, DuesRules
from partybuild.services import dues
from partybuild.ui.rules_table_dialog import RulesDialog, error_label, intro_label


class BracketTable(QWidget):
    """上限（元，含） and 比例 per bracket; the last bracket has no upper bound."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("上限（元，含）"), self.tr("比例")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        add, remove = QPushButton(self.tr("加一档")), QPushButton(self.tr("删最后一档"))
        add.clicked.connect(self.add_row)
        remove.clicked.connect(self.remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_brackets(self, brackets: tuple[Bracket, ...]) -> None:
        self.table.setRowCount(len(brackets))
        for row, b in enumerate(brackets):
            upper = "" if b.upper is None else f"{b.upper:f}"
            self.table.setItem(row, 0, QTableWidgetItem(upper))
            self.table.setItem(row, 1, QTableWidgetItem(rules_mod.percent_text(b.rate)))

    def add_row(self) -> None:
        self.table.insertRow(max(0, self.table.rowCount() - 1))

    def remove_row(self) -> None:
        if self.table.rowCount() > 1:
            self.table.removeRow(self.table.rowCount() - 2)

    def rows(self) -> list[dict[str, str | None]]:
        result: list[dict[str, str | None]] = []
        for row in range(self.table.rowCount()):
            upper_item, rate_item = self.table.item(row, 0), self.table.item(row, 1)
            upper = (upper_item.text().strip() if upper_item else "") or None
            rate = rate_item.text().strip() if rate_item else ""
            result.append({"upper": upper, "rate": rate})
        return result


class DuesSettingsDialog(RulesDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("党费规则设置"))
        self.setObjectName("dues_settings")
        self.resize(760, 640)
        intro = intro_label(
            self.tr(
                "党费按以下规则计算，默认值为%s。"
                "各地对税后工资的口径和取整的做法不同，可在此修改；规则保存在数据库中。"
            )
            % rules_mod.SOURCE
        )
        self.error = error_label("dues_settings_error")

        basis = rules_mod.BASIS
        self.working = BracketTable(self.tr("在职党员"))
        self.retired = BracketTable(self.tr("离退休党员"))
        brackets = QHBoxLayout()
        for box_title, table, source in (
            (self.tr("在职党员（按税后月工资）"), self.working, basis["working"]),
            (self.tr("离退休党员（按实际领取的离退休费）"), self.retired, basis["retired"]),
        ):
            box = QGroupBox(box_title)
            inner = QVBoxLayout(box)
            inner.addWidget(table)
            note = QLabel(source)
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            inner.addWidget(note)
            brackets.addWidget(box)

        self.flat_edits: dict[str, QLineEdit] = {}
        flats = QGroupBox(self.tr("每月固定金额（元）"))
        flat_form = QFormLayout(flats)
        for name, label in (
            ("student", "学生党员"),
            ("unemployed", "下岗失业党员"),
            ("relief", "低保救济党员"),
            ("farmer", "农民党员（0.20–1.00）"),
        ):
            edit = QLineEdit()
            edit.setObjectName(f"dues_{name}")
            edit.setMaximumWidth(120)
            self.flat_edits[name] = edit
            flat_form.addRow(self.tr(label), edit)
        flat_note = QLabel(basis["flat"] + "；" + basis["farmer"].split("：", 1)[-1])
        flat_note.setWordWrap(True)
        flat_note.setStyleSheet("color: #555;")
        flat_form.addRow(flat_note)

        other = QGroupBox(self.tr("计算基数和取整"))
        other_form = QFormLayout(other)
        self.deduction = QComboBox()
        for code, label in rules_mod.DEDUCTIONS:
            self.deduction.addItem(self.tr(label), code)
        self.quantum = QComboBox()
        for code, label in rules_mod.QUANTA:
            self.quantum.addItem(self.tr("到%s") % label, code)
        self.rounding = QComboBox()
        for code, label in rules_mod.MODES:
            self.rounding.addItem(self.tr(label), code)
        self.committee = QCheckBox(self.tr("打印的公示表和台账显示缴费基数（仅供党委内部使用）"))
        self.committee.setObjectName("dues_committee_print")
        other_form.addRow(self.tr("税后工资口径"), self.deduction)
        other_form.addRow(self.tr("取整单位"), self.quantum)
        other_form.addRow(self.tr("取整方式"), self.rounding)
        other_form.addRow(self.committee)
        other_form.addRow(QLabel(basis["rounding"]))

        buttons, self.defaults_button = self.rules_buttons(
            lambda: self.set_rules(rules_mod.default_rules())
        )

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.error)
        layout.addLayout(brackets, 1)
        row = QHBoxLayout()
        row.addWidget(flats)
        row.addWidget(other, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)

        self.load_or_defaults(
            lambda: self.set_rules(dues.load_rules()),
            lambda: self.set_rules(rules_mod.default_rules()),
            self.tr("已保存的党费规则无法读取（%s），下面显示默认规则，保存后覆盖。"),
        )

    def set_rules(self, rules: DuesRules) -> None:
        self.working.set_brackets(rules.working)
        self.retired.set_brackets(rules.retired)
        for name, edit in self.flat_edits.items():
            edit.setText(rules_mod.money_text(getattr(rules, name)))
        for combo, value in (
            (self.deduction, rules.deduction),
            (self.quantum, rules.quantum),
            (self.rounding, rules.rounding),
        ):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.committee.setChecked(rules.committee_print)

    def edited_rules(self) -> DuesRules:
        """The rules as edited; ValueError (Chinese, naming the place) when they cannot be read."""
        import json

        data = {
            "working": self.working.rows(),
            "retired": self.retired.rows(),
            **{name: edit.text().strip() for name, edit in self.flat_edits.items()},
            "deduction": self.deduction.currentData(),
            "quantum": self.quantum.currentData(),
            "rounding": self.rounding.currentData(),
            "committee_print": self.committee.isChecked(),
        }
        return rules_mod.rules_from_json(json.dumps(data, ensure_ascii=False))

    def save(self) -> None:
        dues.save_rules(self.edited_rules())


def open_dues_settings(window: QWidget) -> DuesSettingsDialog:
    """For a menu entry: open the dialog on ``window`` (kept on it so tests can reach it)."""
    dialog = DuesSettingsDialog(window)
    window.dues_settings_dialog = dialog  # type: ignore[attr-defined]
    refresh = getattr(window, "refresh_all", None)
    if refresh is not None:
        dialog.accepted.connect(refresh)
    dialog.open()
    return dialog
