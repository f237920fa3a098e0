"""发展党员 page: the pipeline by stage with what is due next and when, above the ledger of
people (the same table, form, import and export as every ledger); 发展党员规则 settings; and
概览's 应换届党组织 card (its reminders come from services.reminders)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild.domain import dates, vocab
from partybuild.domain import recruitment as rules_
from partybuild.domain.recruitment import Rule
from partybuild.ledgers import spec
from partybuild.services import recruitment
from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.rules_table_dialog import (
    RulesDialog,
    error_label,
    header_table,
    intro_label,
    rules_table,
)

STAGE_ORDER = ("applicant", "activist", "candidate", "probationary")
LATE_COLOR, SOON_COLOR = "#a93226", "#9a6b00"


def _day(value: dt.date | None) -> str:
    return "" if value is None else dates.shown(value)


class RecruitmentPage(LedgerPage):
    """The ledger page of 发展党员 with the pipeline above it."""

    PIPELINE_COLUMNS = ("阶段", "姓名", "党组织", "下一步", "最早可办", "期限", "提醒")

    def __init__(self, ledger: spec.Ledger | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ledger or spec.RECRUITMENT, parent)
        self.stage_label = QLabel()
        self.stage_label.setObjectName("pipeline_stages")
        self.stage_label.setStyleSheet("font-weight: bold;")
        self.pipeline_table = header_table([self.tr(c) for c in self.PIPELINE_COLUMNS], 6)
        self.pipeline_table.setObjectName("pipeline")
        self.pipeline_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.pipeline_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.pipeline_table.cellDoubleClicked.connect(self._pipeline_activated)
        self.rules_button = QPushButton(self.tr("发展党员规则…"))
        self.rules_button.clicked.connect(self.open_rules)
        self.print_ledger_button = QPushButton(self.tr("发展党员工作台账…"))
        self.print_ledger_button.clicked.connect(self.print_ledger)
        self.print_record_button = QPushButton(self.tr("纪实表…"))
        self.print_record_button.setToolTip(self.tr("打印所选人员的发展党员纪实表"))
        self.print_record_button.clicked.connect(self.print_record)

        top = QWidget()
        box = QVBoxLayout(top)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.stage_label, 1)
        row.addWidget(self.print_ledger_button)
        row.addWidget(self.print_record_button)
        row.addWidget(self.rules_button)
        box.addLayout(row)
        box.addWidget(self.pipeline_table, 1)

        layout = self.layout()
        layout.removeWidget(self.splitter)
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(top)
        vertical.addWidget(self.splitter)
        vertical.setStretchFactor(0, 2)
        vertical.setStretchFactor(1, 3)
        layout.addWidget(vertical, 1)
        self.vertical_splitter = vertical
        self.data_changed.connect(self.refresh_pipeline)
        self.pipeline_rows: list[recruitment.PipelineRow] = []
        self.rules_dialog: RecruitmentSettingsDialog | None = None
        self.preview = None
        self.refresh_pipeline()

    def refresh(self) -> None:
        super().refresh()
        self.refresh_pipeline()

    def refresh_pipeline(self) -> None:
        """Re-read the pipeline: stage counts, then one row a person with the next step."""
        table = self.pipeline_table
        try:
            rows = recruitment.pipeline()
        except ValueError as exc:  # stored rules unreadable: said in place
            self.stage_label.setText(self.tr("无法读取发展党员规则：%s") % exc)
            table.setRowCount(0)
            return
        self.pipeline_rows = rows
        counts = {c: 0 for c in STAGE_ORDER}
        for r in rows:
            if r.category in counts:
                counts[r.category] += 1
        self.stage_label.setText(
            "　".join(f"{vocab.MEMBER_CATEGORY.label(c)} {n}" for c, n in counts.items())
        )
        rows = [r for r in rows if r.category in STAGE_ORDER]
        table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            late = any(x.overdue for x in r.reminders)
            cells = (
                r.stage_label,
                r.name,
                r.branch,
                r.next_step,
                _day(r.earliest),
                _day(r.deadline),
                "；".join(x.rule + ("（已超期）" if x.overdue else "") for x in r.reminders),
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.member_id)
                if j == 6 and r.reminders:
                    item.setForeground(QColor(LATE_COLOR if late else SOON_COLOR))
                    item.setToolTip("\n".join(f"{x.rule}（{x.basis}）" for x in r.reminders))
                table.setItem(i, j, item)

    def _pipeline_activated(self, row: int, _column: int) -> None:
        item = self.pipeline_table.item(row, 0)
        if item is not None and self.select_record(int(item.data(Qt.ItemDataRole.UserRole))):
            self.edit_current()

    # -- printing -----------------------------------------------------------------------
    def _preview(self, label: str, build: object) -> None:
        from partybuild.ui.print_dialogs import PrintPreview

        self.preview = PrintPreview([(label, lambda _unmasked: build())], self)  # type: ignore[operator]
        self.preview.open()

    def print_ledger(self) -> None:
        from partybuild.printing.recruitment import recruitment_ledger

        branch = self.current_filters().branch_id
        self._preview(self.tr("发展党员工作台账"), lambda: recruitment_ledger(branch))

    def print_record(self) -> None:
        from partybuild.printing.recruitment import recruitment_record

        record_id = self.current_id()
        if record_id is None:
            self.message.emit(self.tr("请先在下方表格中选择一个人"))
            return
        self._preview(self.tr("发展党员纪实表"), lambda: recruitment_record(record_id))

    def open_rules(self) -> None:
        self.rules_dialog = RecruitmentSettingsDialog(self)
        self.rules_dialog.accepted.connect(self.refresh_pipeline)
        self.rules_dialog.open()


class RecruitmentSettingsDialog(RulesDialog):
    """发展党员规则 and 换届任期: each rule's number, whether it is on, and its source."""

    COLUMNS = ("启用", "规则", "类别", "数值", "第二数值", "依据")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("发展党员和换届规则设置"))
        self.setObjectName("recruitment_settings")
        self.resize(980, 560)
        intro = intro_label(
            self.tr(
                "硬性规定在录入和导入时拒绝不符合的记录并写明所依据的条款；提醒列入概览和“检查”。"
                "规则保存在数据库中，所有使用本台账的人按同一规则检查。"
            )
        )
        self.error = error_label()
        self.table = rules_table([self.tr(c) for c in self.COLUMNS], 5)
        self.rules: list[Rule] = []
        self.boxes: list[QCheckBox] = []
        self.values: list[QSpinBox] = []
        self.values2: list[QSpinBox | None] = []

        self.term_spins: dict[str, QSpinBox] = {}
        terms_row = QHBoxLayout()
        terms_row.addWidget(QLabel(self.tr("换届任期（年）：")))
        for code, label in vocab.BRANCH_KIND.items:
            spin = QSpinBox()
            spin.setRange(1, 10)
            spin.setAccessibleName(f"term_{code}")
            self.term_spins[code] = spin
            terms_row.addWidget(QLabel(label))
            terms_row.addWidget(spin)
        terms_row.addStretch(1)
        terms_note = QLabel(self.tr(rules_.TERM_BASIS + "。党组织台账中填写了“任期”的按其本身。"))
        terms_note.setWordWrap(True)
        terms_note.setStyleSheet("color: #777;")

        buttons = self.rules_buttons(self._defaults)[0]

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addLayout(terms_row)
        layout.addWidget(terms_note)
        layout.addWidget(buttons)
        self.load_or_defaults(
            self._load,
            self._defaults,
            self.tr("已保存的规则无法读取（%s），下面显示默认规则，保存后覆盖。"),
        )

    def _load(self) -> None:
        self.set_rules(recruitment.load_rules())
        self.set_terms(recruitment.load_terms())

    def _defaults(self) -> None:
        self.set_rules(rules_.default_rules())
        self.set_terms(dict(rules_.DEFAULT_TERMS))

    def set_terms(self, terms: dict[str, int]) -> None:
        for code, spin in self.term_spins.items():
            spin.setValue(terms.get(code, 3))

    def set_rules(self, rules: list[Rule]) -> None:
        self.rules = list(rules)
        self.table.setRowCount(len(self.rules))
        self.boxes, self.values, self.values2 = [], [], []
        for row, rule in enumerate(self.rules):
            box = QCheckBox()
            box.setChecked(rule.enabled)
            self.table.setCellWidget(row, 0, box)
            self.boxes.append(box)
            self.table.setItem(row, 1, QTableWidgetItem(rule.label))
            self.table.setItem(row, 2, QTableWidgetItem(self.tr(rule.kind_label)))
            spin = QSpinBox()
            spin.setRange(0, 999)
            spin.setValue(rule.value)
            spin.setSuffix(rules_.UNITS.get(rule.unit, ""))
            spin.setEnabled(rule.unit != "none")
            self.table.setCellWidget(row, 3, spin)
            self.values.append(spin)
            second: QSpinBox | None = None
            if rule.value2 is not None:
                second = QSpinBox()
                second.setRange(0, 999)
                second.setValue(rule.value2)
                second.setSuffix(
                    "学时" if rule.key == "short_training" else rules_.UNITS[rule.unit]
                )
                self.table.setCellWidget(row, 4, second)
            else:
                self.table.setItem(row, 4, QTableWidgetItem(""))
            self.values2.append(second)
            self.table.setItem(row, 5, QTableWidgetItem(rule.basis))

    def edited_rules(self) -> list[Rule]:
        from dataclasses import replace

        return [
            replace(
                rule,
                enabled=box.isChecked(),
                value=spin.value(),
                value2=second.value() if second is not None else rule.value2,
            )
            for rule, box, spin, second in zip(
                self.rules, self.boxes, self.values, self.values2, strict=True
            )
        ]

    def save(self) -> None:
        recruitment.save_rules(self.edited_rules())
        recruitment.save_terms({c: s.value() for c, s in self.term_spins.items()})


# --------------------------------------------------------------------------- 概览


def renewal_card(as_of: dt.date) -> tuple[list[int], str]:
    """应换届党组织: the branches whose term has run out on ``as_of``; the note counts those due
    within 6 months."""
    reminders = recruitment.renewal_reminders(as_of)
    due = [r.branch_id or 0 for r in reminders if r.overdue]
    soon = sum(not r.overdue for r in reminders)
    return due, f"6个月内届满 {soon} 个"
