"""党费 in the app: the ledger page with its own filters (月份, 状态) and actions (生成本月,
标记已交), and the form's calculator (rate and due follow 缴费类别 and 缴费基数 as they are typed).

All rules live in :mod:`partybuild.services.dues`; this module only shows and asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from partybuild.domain import dues as rules_mod
from partybuild.domain import vocab
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Ledger
from partybuild.services import dues
from partybuild.services.query import Filters
from partybuild.store import models as m
from partybuild.ui.ledger_page import LedgerPage


def _months() -> list[tuple[object, str]]:
    return [(k, f"{k}月") for k in range(1, 13)]


def _states() -> list[tuple[object, str]]:
    return list(dues.STATES)


class DuesPage(LedgerPage):
    """党费: filters by 党组织, 月份 (with 年度), 状态 (已交/未交/少交/补交/免交); bulk actions."""

    def __init__(self, ledger: Ledger = spec.DUES, parent: QWidget | None = None) -> None:
        super().__init__(ledger, parent)
        # 月份 and 交纳状态 are the page's own (the state is derived: services.dues).
        self._add_filter("month", self.tr("全部月份"), _months)
        self._add_filter("state", self.tr("全部状态"), _states)
        self.filter_combos["month"].setMinimumContentsLength(4)
        self.filter_combos["state"].setMinimumContentsLength(4)
        self.filter_combos["kind"].setMinimumContentsLength(6)
        bar = self.layout().itemAt(0).layout()
        for key in ("month", "state"):
            bar.addWidget(self.filter_combos[key], 1)
        self.month_button = QPushButton(self.tr("生成月度记录…"))
        self.month_button.setObjectName("dues_create_month")
        self.month_button.setToolTip(
            self.tr("按上月的缴费类别和基数，为一个党组织生成一个月的党费记录")
        )
        self.month_button.clicked.connect(self.open_create_month)
        self.paid_button = QPushButton(self.tr("标记已交…"))
        self.paid_button.setObjectName("dues_mark_paid")
        self.paid_button.setToolTip(self.tr("把选中的记录的实交记为应交金额"))
        self.paid_button.clicked.connect(self.open_mark_paid)
        # The actions go on a row of their own, so the page is no wider than the others.
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.month_button)
        actions.addWidget(self.paid_button)
        self.layout().insertLayout(1, actions)
        from partybuild.store.database import current_account

        account = current_account()  # signed in to a shared database: what its role may do
        if account is not None and not account.may("create", "dues"):  # type: ignore[attr-defined]
            self.month_button.setEnabled(False)
            self.paid_button.setEnabled(False)
        self.month_dialog: CreateMonthDialog | None = None
        self.paid_dialog: MarkPaidDialog | None = None

    def current_filters(self) -> Filters:
        def value(key: str) -> object:
            combo = self.filter_combos.get(key)
            return combo.currentData() if combo is not None else None

        return replace(super().current_filters(), month=value("month"), status=value("state"))

    # -- actions ------------------------------------------------------------------------
    def open_create_month(self) -> CreateMonthDialog:
        branch = self.filter_combos["branch"].currentData()
        year = self.filter_combos["year"].currentData()
        month = self.filter_combos["month"].currentData()
        today = dt.date.today()
        start = dt.date(year or today.year, month or today.month, 1)
        dialog = CreateMonthDialog(branch, start, self)
        dialog.accepted.connect(lambda: self._create_month(dialog))
        self.month_dialog = dialog
        dialog.open()
        return dialog

    def _create_month(self, dialog: CreateMonthDialog) -> None:
        branch_id, month = dialog.branch_id(), dialog.month()
        if branch_id is None:
            self.message.emit(self.tr("请选择党组织"))
            return
        result = dues.create_month(branch_id, month)
        self.refresh()
        self.data_changed.emit()
        self.message.emit(result.message(month))

    def open_mark_paid(self) -> MarkPaidDialog | None:
        ids = self.selected_ids()
        if not ids:
            self.message.emit(self.tr("请先选择要标记为已交的记录"))
            return None
        dialog = MarkPaidDialog(len(ids), self)
        dialog.accepted.connect(lambda: self._mark_paid(dialog, ids))
        self.paid_dialog = dialog
        dialog.open()
        return dialog

    def _mark_paid(self, dialog: MarkPaidDialog, ids: list[int]) -> None:
        done, failed = dues.mark_paid(ids, dialog.paid_on(), dialog.method())
        self.refresh()
        self.data_changed.emit()
        text = self.tr("已将 %d 条记录标记为已交") % done
        if failed:
            text += "；" + "；".join(failed)
            QMessageBox.warning(self, self.tr("标记已交"), text)
        self.message.emit(text)


class CreateMonthDialog(QDialog):
    """党组织 and 月份 of the month to create from the previous one."""

    def __init__(
        self, branch_id: int | None, month: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("生成月度党费记录"))
        self.branch_combo = QComboBox()
        branches = (
            m.Branch.select(m.Branch.id, m.Branch.name)
            .where(m.live(m.Branch))
            .order_by(m.Branch.name)
            .tuples()
        )
        for record_id, name in branches:
            self.branch_combo.addItem(name, record_id)
        if branch_id is not None:
            self.branch_combo.setCurrentIndex(max(0, self.branch_combo.findData(branch_id)))
        self.month_edit = QDateEdit(QDate(month.year, month.month, 1))
        self.month_edit.setDisplayFormat("yyyy年M月")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("生成"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("党组织"), self.branch_combo)
        form.addRow(self.tr("月份"), self.month_edit)
        form.addRow(buttons)

    def branch_id(self) -> int | None:
        data = self.branch_combo.currentData()
        return int(data) if data is not None else None

    def month(self) -> dt.date:
        day = self.month_edit.date()
        return dt.date(day.year(), day.month(), 1)


class MarkPaidDialog(QDialog):
    """交纳日期 and 交纳方式 for the rows being marked paid."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("标记已交（%d 条）") % count)
        today = dt.date.today()
        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.method_combo = QComboBox()
        self.method_combo.addItem(self.tr("（不填）"), None)
        for code, label in vocab.DUES_METHOD.items:
            self.method_combo.addItem(label, code)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("标记"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("交纳日期"), self.date_edit)
        form.addRow(self.tr("交纳方式"), self.method_combo)
        form.addRow(buttons)

    def paid_on(self) -> dt.date:
        day = self.date_edit.date()
        return dt.date(day.year(), day.month(), day.day())

    def method(self) -> str | None:
        return self.method_combo.currentData()


# --------------------------------------------------------------------------- the form


def attach_calculator(form: object) -> None:
    """In the 党费 form, 比例 and 应交 follow 缴费类别 and 缴费基数 (the service checks them again);
    choosing a member for a new month fills an empty 缴费基数 with the member's latest one."""
    editors = form._editors  # type: ignore[attr-defined]
    kind, base = editors.get("kind"), editors.get("base")
    rate, due, reduction = editors.get("rate"), editors.get("due"), editors.get("reduction")
    member, month = editors.get("member"), editors.get("month")
    if not all(isinstance(e, QLineEdit) for e in (base, rate, due)) or kind is None:
        return

    def recompute(*_args: object) -> None:
        values = form.values()  # type: ignore[attr-defined]
        code = values.get("kind") or "working"
        if code == "other":
            return
        first, last = values.get("month"), values.get("until")
        months = 1
        if isinstance(first, dt.date) and isinstance(last, dt.date) and last >= first:
            months = dues.month_index(last) - dues.month_index(first) + 1
        text = base.text().strip()
        try:
            amount = rules_mod.money(text) if text else None
            result = dues.calculate(code, amount)
        except ValueError:
            return
        rate.setText(rules_mod.percent_text(result.rate) if result.rate is not None else "")
        chosen = reduction.currentData() if isinstance(reduction, QComboBox) else None
        if chosen is None:
            due.setText(rules_mod.money_text(result.due * months))
        elif chosen == "exempt":
            due.setText("0.00")

    def fill_from_previous(*_args: object) -> None:
        chosen = member.record_id() if member is not None else None
        if chosen is None or base.text().strip():
            return
        value = month.value() if month is not None and hasattr(month, "value") else None
        when = value if isinstance(value, dt.date) else dt.date.today()
        found = dues.previous_base(chosen, when)
        if found is None:
            return
        previous_kind, previous_base = found
        form.set_value("kind", previous_kind)  # type: ignore[attr-defined]
        if isinstance(previous_base, Decimal):
            base.setText(rules_mod.money_text(previous_base))
        recompute()

    base.textEdited.connect(recompute)
    if isinstance(kind, QComboBox):
        kind.currentIndexChanged.connect(recompute)
    if isinstance(reduction, QComboBox):
        reduction.currentIndexChanged.connect(recompute)
    for name in ("month", "until"):
        editor = editors.get(name)
        if isinstance(editor, QLineEdit):
            editor.editingFinished.connect(recompute)
    if member is not None and hasattr(member, "activated"):
        member.activated.connect(fill_from_previous)
        member.lineEdit().editingFinished.connect(fill_from_previous)
